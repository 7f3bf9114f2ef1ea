//! Host names compared the way browsers resolve them: lower case, IDNA (punycode), without a
//! trailing dot. Cookie domains and redirect targets both rely on this, so a look-alike such as
//! `shop.com.evil.io` or `evilshop.com` can never pass for `shop.com`.

use super::suffix_list::registrable_domain;
use url::Host;

/// Longest DNS name, in characters (RFC 1035 §2.3.4 gives 255 octets on the wire, 253 as text).
pub const MAX_HOST_LEN: usize = 253;

/// Normalise a bare domain name (no port, no scheme). `None` for IP addresses, empty or
/// malformed labels, percent-encoded or forbidden characters.
pub(crate) fn normalise_domain(raw: &str) -> Option<String> {
    let raw = raw.strip_suffix('.').unwrap_or(raw);
    // The URL host parser percent-decodes; a host that needs decoding is a trick, not a name.
    if raw.is_empty() || raw.len() > MAX_HOST_LEN || raw.contains('%') {
        return None;
    }
    let Ok(Host::Domain(domain)) = Host::parse(raw) else {
        return None;
    };
    let well_formed = domain.len() <= MAX_HOST_LEN
        && domain.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        });
    well_formed.then_some(domain)
}

/// Whether a normalised host is itself a public suffix of the Public Suffix List (`co.uk`,
/// `com.au`, `github.io`), read from the list embedded as data (see [`super::suffix_list`]).
/// A cookie set for one would reach every site under it, and a redirect allowed to one would be
/// an open redirect to every tenant of it. A name under a TLD the list does not know (`shop.test`,
/// `shop.localhost.test`, the reserved test names) is not a suffix: the list's default rule
/// makes only its last label one.
pub fn is_public_suffix(host: &str) -> bool {
    registrable_domain(host).is_none()
}

/// The site (registrable domain, per the Public Suffix List) of a `Host` value, port ignored:
/// `t.shop.co.uk:8443` is `shop.co.uk`. `None` for IP addresses, malformed names and names
/// that are a public suffix themselves.
pub fn site_of(host: &str) -> Option<String> {
    let name = normalise_domain(strip_port(host)?)?;
    registrable_domain(&name).map(str::to_string)
}

/// A `Host` header value without its port. `None` for unbracketed IPv6 or a non-numeric port.
pub(crate) fn strip_port(raw: &str) -> Option<&str> {
    let raw = raw.trim();
    if raw.starts_with('[') {
        // A bracketed IPv6 literal: never a domain, but return it so the caller's check refuses it.
        return raw.split(']').next();
    }
    match raw.split_once(':') {
        None => Some(raw),
        Some((host, port)) => {
            let numeric =
                !port.is_empty() && port.len() <= 5 && port.bytes().all(|b| b.is_ascii_digit());
            numeric.then_some(host)
        }
    }
}

/// `host` equals `domain` or is a subdomain of it, on a label boundary. Both are normalised.
pub(crate) fn is_same_or_subdomain(host: &str, domain: &str) -> bool {
    host == domain
        || host
            .strip_suffix(domain)
            .is_some_and(|prefix| prefix.ends_with('.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_suffixes_come_from_the_public_suffix_list() {
        for suffix in ["com", "co.uk", "com.au", "github.io", "pages.dev", "test"] {
            assert!(is_public_suffix(suffix), "{suffix}");
        }
        for domain in [
            "shop.com",
            "shop.co.uk",
            "user.github.io",
            "shop.test",
            "shop.localhost.test",
            "shop.localhost",
            "t.shop.com",
        ] {
            assert!(!is_public_suffix(domain), "{domain}");
        }
    }

    #[test]
    fn domains_are_lower_cased_punycoded_and_lose_one_trailing_dot() {
        assert_eq!(normalise_domain("Shop.COM").as_deref(), Some("shop.com"));
        assert_eq!(normalise_domain("shop.com.").as_deref(), Some("shop.com"));
        assert_eq!(
            normalise_domain("shöp.de").as_deref(),
            Some("xn--shp-tna.de")
        );
    }

    #[test]
    fn ip_addresses_and_malformed_names_are_not_domains() {
        for raw in [
            "",
            ".",
            "1.2.3.4",
            "0x7f.1",
            "127.1",
            "[::1]",
            "::1",
            "shop..com",
            "shop.com..",
            ".shop.com",
            "shop%2ecom",
            "sh op.com",
            "shop.com/x",
            "a@b.com",
            "shop.com:80",
            "shop\\com",
        ] {
            assert_eq!(normalise_domain(raw), None, "{raw:?}");
        }
        assert_eq!(normalise_domain(&format!("{}.com", "a".repeat(64))), None);
    }

    #[test]
    fn ports_are_stripped_and_only_numeric_ports_accepted() {
        assert_eq!(strip_port("t.shop.com:8443"), Some("t.shop.com"));
        assert_eq!(strip_port("t.shop.com"), Some("t.shop.com"));
        assert_eq!(strip_port("t.shop.com:abc"), None);
        assert_eq!(strip_port("t.shop.com:"), None);
        assert_eq!(strip_port("::1"), None);
        assert_eq!(strip_port("[::1]:8787"), Some("[::1"));
    }

    #[test]
    fn subdomains_match_only_on_a_label_boundary() {
        assert!(is_same_or_subdomain("shop.com", "shop.com"));
        assert!(is_same_or_subdomain("t.shop.com", "shop.com"));
        assert!(is_same_or_subdomain("a.b.shop.com", "shop.com"));
        assert!(!is_same_or_subdomain("evilshop.com", "shop.com"));
        assert!(!is_same_or_subdomain("shop.com.evil.io", "shop.com"));
        assert!(!is_same_or_subdomain("com", "shop.com"));
    }
}
