//! Where `GET /c` may send a visitor. Only the site's own domains, so a tracking link can never
//! become an open redirect for phishing.
//!
//! The raw string is checked before the URL parser sees it, because WHATWG parsing is generous
//! on purpose (`https:evil.io`, `https:\\evil.io`, tabs stripped, `%2e` decoded in hosts) and each
//! of those generosities is a known way to make a validator and a browser disagree.

use super::cookies::CookieDomain;
use super::host::{is_same_or_subdomain, normalise_domain};
use crate::core::error::Invalid;
use url::{Host, Url};

/// Longest `to` we consider.
pub const MAX_REDIRECT_URL_BYTES: usize = 4096;

/// An absolute http(s) URL on the container's cookie domain or its allowed redirect list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedirectTarget(Url);

impl RedirectTarget {
    /// `cookie_domain` and `redirect_domains` are the container's settings; each allows its own
    /// host and every subdomain, on a label boundary. Any port is allowed.
    pub fn parse(
        to: &str,
        cookie_domain: &str,
        redirect_domains: &[String],
    ) -> Result<Self, Invalid> {
        let url = parse_absolute_web_url(to)?;
        let Some(Host::Domain(host)) = url.host() else {
            return Err(refuse("must name a host, not an IP address"));
        };
        let host = normalise_domain(host).ok_or_else(|| refuse("has a malformed host"))?;
        let allowed = std::iter::once(cookie_domain)
            .chain(redirect_domains.iter().map(String::as_str))
            .filter_map(|domain| CookieDomain::parse(domain).ok())
            .any(|domain| is_same_or_subdomain(&host, domain.as_str()));
        if !allowed {
            return Err(refuse(
                "must be on the container's cookie domain or its allowed redirect domains",
            ));
        }
        let mut url = url;
        if url.host_str() != Some(host.as_str()) {
            // Only the trailing dot can differ here: serialise `shop.com.` as `shop.com`.
            url.set_host(Some(&host))
                .map_err(|_| refuse("has a malformed host"))?;
        }
        Ok(Self(url))
    }

    /// The `Location` value: serialised by the URL parser, so ASCII and percent-encoded.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    pub fn url(&self) -> &Url {
        &self.0
    }

    pub fn into_url(self) -> Url {
        self.0
    }
}

fn refuse(message: &str) -> Invalid {
    Invalid::field("invalid_redirect", "to", message)
}

fn parse_absolute_web_url(to: &str) -> Result<Url, Invalid> {
    if to.len() > MAX_REDIRECT_URL_BYTES {
        return Err(refuse("is too long"));
    }
    if to
        .chars()
        .any(|c| c.is_control() || c.is_whitespace() || c == '\\')
    {
        return Err(refuse(
            "must not contain whitespace, control characters or backslashes",
        ));
    }
    let rest = strip_prefix_ignore_case(to, "https://")
        .or_else(|| strip_prefix_ignore_case(to, "http://"))
        .ok_or_else(|| refuse("must be an absolute http or https URL"))?;
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    if authority.is_empty() {
        return Err(refuse("must name a host"));
    }
    if authority.contains(['@', '%']) {
        return Err(refuse(
            "must not carry user information or percent-encoding in its host",
        ));
    }
    let url = Url::parse(to).map_err(|_| refuse("is not a valid URL"))?;
    let plain = matches!(url.scheme(), "http" | "https")
        && url.username().is_empty()
        && url.password().is_none();
    if !plain {
        return Err(refuse("must be an absolute http or https URL"));
    }
    Ok(url)
}

fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

#[cfg(test)]
mod tests;
