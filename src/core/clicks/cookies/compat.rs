//! The ad platforms' own first-party cookies, written server-side so their pixels and tags find
//! them: Meta's `_fbc` and Google's `_gcl_aw`.

use super::domain::CookieDomain;
use crate::core::clicks::ClickValue;

/// `fb.{subdomain index}.{ms}.{fbclid}`, as Meta's parameter builder writes it (without the
/// builder's own fifth segment). Any fbclid the builder takes is written, dots included
/// (`AbC.d-e_F`): readers find it after the third dot. `None` only when the fbclid cannot stand
/// in a cookie value unchanged (a space, `;`, `,`, `"`, `\` or a non-ASCII letter): Meta needs
/// it unaltered, so we would rather not write the cookie at all.
pub fn fbc_value(domain: &CookieDomain, now_ms: i64, fbclid: &ClickValue) -> Option<String> {
    let fbclid = fbclid.as_str();
    is_cookie_octets(fbclid)
        .then(|| format!("fb.{}.{}.{fbclid}", domain.subdomain_index(), now_ms.max(0)))
}

/// Whether an existing `_fbc` already carries this fbclid, with or without the fifth segment
/// Meta's parameter builder may append. A damaged cookie carries nothing.
pub fn fbc_carries(existing: &str, fbclid: &str) -> bool {
    let mut parts = existing.splitn(4, '.');
    let header_ok = parts.next() == Some("fb")
        && parts.next().is_some_and(is_digits)
        && parts.next().is_some_and(is_digits);
    let Some(rest) = parts.next().filter(|_| header_ok) else {
        return false;
    };
    rest == fbclid
        || rest
            .strip_prefix(fbclid)
            .and_then(|appendix| appendix.strip_prefix('.'))
            .is_some_and(is_builder_appendix)
}

/// The fifth segment Meta's parameter builder appends: a 2-character language token (`AQ`,
/// `Ag`, ...) or, since its version 1.1, 8 base64url characters (format, language, type and
/// version bytes).
fn is_builder_appendix(segment: &str) -> bool {
    matches!(segment.len(), 2 | 8)
        && segment
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// `GCL.{unix seconds}.{gclid}`. `None` when the gclid cannot stand in a cookie value unchanged.
pub fn gcl_aw_value(now_ms: i64, gclid: &ClickValue) -> Option<String> {
    let gclid = gclid.as_str();
    is_compat_safe(gclid).then(|| format!("GCL.{}.{gclid}", now_ms.max(0).div_euclid(1000)))
}

/// The gclid in an existing `_gcl_aw`: like Google's readers, the last dot-separated segment.
pub fn gclid_of_gcl_aw(existing: &str) -> Option<&str> {
    existing
        .starts_with("GCL.")
        .then(|| existing.rsplit('.').next())
        .flatten()
        .filter(|gclid| !gclid.is_empty())
}

/// Cookie-value octets (RFC 6265): printable ASCII without `"`, `,`, `;` and `\`.
fn is_cookie_octets(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|b| (0x21..=0x7e).contains(&b) && !b"\",;\\".contains(&b))
}

/// Cookie-value octets without `.`, which `_gcl_aw` readers take as the separator before the
/// gclid.
fn is_compat_safe(id: &str) -> bool {
    is_cookie_octets(id) && !id.contains('.')
}

fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::clicks::ClickKind;

    fn id(raw: &str) -> ClickValue {
        ClickValue::parse(raw, ClickKind::ClickId).unwrap()
    }

    #[test]
    fn fbc_has_the_meta_format_with_the_subdomain_index() {
        let shop = CookieDomain::parse("shop.com").unwrap();
        assert_eq!(
            fbc_value(&shop, 1_718_000_000_123, &id("IwAR2F4-dbP_x")).as_deref(),
            Some("fb.1.1718000000123.IwAR2F4-dbP_x")
        );
        let uk = CookieDomain::parse("shop.co.uk").unwrap();
        assert_eq!(fbc_value(&uk, 5, &id("AbC")).as_deref(), Some("fb.2.5.AbC"));
    }

    #[test]
    fn ids_that_a_cookie_cannot_carry_unchanged_get_no_compat_cookie() {
        let shop = CookieDomain::parse("shop.com").unwrap();
        for raw in ["a;b", "a,b", "a\"b", "a\\b", "a b", "ä"] {
            assert_eq!(fbc_value(&shop, 1, &id(raw)), None, "{raw:?}");
            assert_eq!(gcl_aw_value(1000, &id(raw)), None, "{raw:?}");
        }
        assert_eq!(
            gcl_aw_value(1000, &id("a.b")),
            None,
            "the gclid is read after the last dot"
        );
    }

    #[test]
    fn an_fbclid_with_dots_gets_its_fbc_as_metas_builder_writes_it() {
        let shop = CookieDomain::parse("shop.com").unwrap();
        let fbc = fbc_value(&shop, 7, &id("AbC.d-e_F")).unwrap();
        assert_eq!(fbc, "fb.1.7.AbC.d-e_F");
        assert!(fbc_carries(&fbc, "AbC.d-e_F"));
        assert!(fbc_carries("fb.1.7.AbC.d-e_F.AQIDAQMC", "AbC.d-e_F"));
        assert!(!fbc_carries(&fbc, "AbC"));
    }

    #[test]
    fn an_existing_fbc_is_recognised_with_or_without_a_fifth_segment() {
        assert!(fbc_carries("fb.1.1718000000123.IwAR1", "IwAR1"));
        assert!(fbc_carries("fb.2.1718000000123.IwAR1.AQ", "IwAR1"));
        assert!(fbc_carries("fb.2.1718000000123.IwAR1.AQIDAQMC", "IwAR1"));
        assert!(!fbc_carries("fb.1.1718000000123.IwAR1", "IwAR2"));
        assert!(!fbc_carries("fb.1.1718000000123.IwAR1", "iwar1"));
        assert!(!fbc_carries("fb.1.1718000000123.IwAR12", "IwAR1"));
        assert!(!fbc_carries("fb.1.1718000000123.IwAR1.x.y", "IwAR1"));
    }

    #[test]
    fn a_damaged_fbc_carries_nothing() {
        for raw in [
            "",
            "fb",
            "fb.1",
            "fb.1.2",
            "xx.1.2.IwAR1",
            "fb.a.2.IwAR1",
            "fb.1..IwAR1",
            "fb.1.2.",
        ] {
            assert!(!fbc_carries(raw, "IwAR1"), "{raw:?}");
        }
    }

    #[test]
    fn gcl_aw_has_the_google_format_in_seconds() {
        assert_eq!(
            gcl_aw_value(1_718_000_000_999, &id("Cj0KCQjw-AbC_d")).as_deref(),
            Some("GCL.1718000000.Cj0KCQjw-AbC_d")
        );
    }

    #[test]
    fn the_gclid_is_read_from_the_last_segment() {
        assert_eq!(gclid_of_gcl_aw("GCL.1718000000.Cj0K"), Some("Cj0K"));
        assert_eq!(gclid_of_gcl_aw("GCL.1.2.Cj0K"), Some("Cj0K"));
        assert_eq!(gclid_of_gcl_aw("GCL.1718000000."), None);
        assert_eq!(gclid_of_gcl_aw("1718000000.Cj0K"), None);
        assert_eq!(gclid_of_gcl_aw(""), None);
    }
}
