//! The container's cookie domain (`Domain=` attribute), and whether it may be set from a host.

use crate::core::clicks::host::{is_same_or_subdomain, normalise_domain, strip_port};
use crate::core::error::Invalid;
use serde::Serialize;

/// A registrable domain such as `shop.com`: normalised (lower case, punycode, no leading or
/// trailing dot), with at least two labels so it can never be a bare TLD like `com`, and never an
/// IP address (browsers refuse `Domain=` on IP hosts).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct CookieDomain(String);

impl CookieDomain {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let trimmed = raw.trim();
        let without_dot = trimmed.strip_prefix('.').unwrap_or(trimmed);
        match normalise_domain(without_dot) {
            Some(domain) if domain.contains('.') => Ok(Self(domain)),
            _ => Err(Invalid::field(
                "invalid_cookie_domain",
                "cookie_domain",
                "must be a domain name with at least two labels, such as shop.com",
            )),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Meta's subdomain index: the number of dots (`shop.com` is 1, `shop.co.uk` is 2).
    pub fn subdomain_index(&self) -> usize {
        self.0.matches('.').count()
    }

    /// Whether a response to `request_host` (a `Host` header, port allowed) may set a cookie for
    /// this domain: the host is the domain itself or one of its subdomains.
    pub fn applies_to(&self, request_host: &str) -> bool {
        strip_port(request_host)
            .and_then(normalise_domain)
            .is_some_and(|host| is_same_or_subdomain(&host, &self.0))
    }
}

/// `t.shop.com` may set cookies for `shop.com`; `evilshop.com`, `shop.com.evil.io` and IP hosts
/// may not. Case-insensitive, ignoring a leading dot on the domain and a port on the host.
pub fn cookie_domain_applies(cookie_domain: &str, request_host: &str) -> bool {
    CookieDomain::parse(cookie_domain).is_ok_and(|domain| domain.applies_to(request_host))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cookie_domain_applies_to_itself_and_its_subdomains() {
        assert!(cookie_domain_applies("shop.com", "shop.com"));
        assert!(cookie_domain_applies("shop.com", "t.shop.com"));
        assert!(cookie_domain_applies("shop.com", "a.b.shop.com"));
        assert!(cookie_domain_applies(".Shop.COM", "T.shop.com:8443"));
        assert!(cookie_domain_applies("shop.com", "t.shop.com."));
        assert!(cookie_domain_applies(
            "shop.localhost",
            "t.shop.localhost:8787"
        ));
    }

    #[test]
    fn look_alike_and_foreign_hosts_do_not_apply() {
        assert!(!cookie_domain_applies("shop.com", "evilshop.com"));
        assert!(!cookie_domain_applies("shop.com", "shop.com.evil.io"));
        assert!(!cookie_domain_applies("shop.com", "com"));
        assert!(!cookie_domain_applies("t.shop.com", "shop.com"));
        assert!(!cookie_domain_applies("shop.com", "t.shop.com:evil"));
        assert!(!cookie_domain_applies("shop.com", "t.shop.com@evil.io"));
        assert!(!cookie_domain_applies("shop.com", "t.shop%2ecom"));
        assert!(!cookie_domain_applies("shop.com", ""));
    }

    #[test]
    fn ip_hosts_never_get_domain_cookies() {
        assert!(!cookie_domain_applies("1.2.3.4", "1.2.3.4"));
        assert!(!cookie_domain_applies("0.0.1", "127.0.0.1"));
        assert!(!cookie_domain_applies("shop.com", "127.0.0.1:8787"));
        assert!(!cookie_domain_applies("shop.com", "[::1]:8787"));
        assert!(!cookie_domain_applies("shop.com", "::1"));
    }

    #[test]
    fn a_bare_tld_or_garbage_is_not_a_cookie_domain() {
        for raw in [
            "com",
            "localhost",
            "",
            ".",
            "..com",
            "shop com",
            "shop.com/",
            "[::1]",
            "10.0.0.1",
        ] {
            let err = CookieDomain::parse(raw).unwrap_err();
            assert_eq!(err.field.as_deref(), Some("cookie_domain"), "{raw:?}");
        }
    }

    #[test]
    fn idn_cookie_domains_are_stored_in_punycode() {
        let domain = CookieDomain::parse("Shöp.de").unwrap();
        assert_eq!(domain.as_str(), "xn--shp-tna.de");
        assert!(domain.applies_to("t.xn--shp-tna.de"));
        assert!(domain.applies_to("t.shöp.de"));
    }

    #[test]
    fn subdomain_index_counts_the_dots() {
        assert_eq!(
            CookieDomain::parse("shop.com").unwrap().subdomain_index(),
            1
        );
        assert_eq!(
            CookieDomain::parse("shop.co.uk").unwrap().subdomain_index(),
            2
        );
    }
}
