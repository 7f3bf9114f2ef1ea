//! The install check: what the last page view of a container tells about its install. A page on
//! `https://www.shop.com` that loads `t.js` from a host of another site (`tracker.example.net`)
//! asks the browser for third-party cookies, which browsers refuse; a host the container's
//! cookie domain does not cover gets no cookie at all. The verdict, the host the snippet should
//! use and the plain words the console shows are decided here; the edge records sightings.
//!
//! "Site" is the registrable domain of the Public Suffix List (the list compiled into the `psl`
//! crate): `www.shop.co.uk` and `t.shop.co.uk` are one site, `shop.com` and `shop.net` two.

use super::clicks::cookies::cookie_domain_applies;
use super::clicks::site_of;
use super::time::UnixMs;
use serde::Serialize;
use url::Url;

/// How often an isolate records a page view of one container whose origin, host and verdict
/// are unchanged, in milliseconds: a busy site costs one D1 write a minute per isolate, and the
/// console is at most a minute behind. A change is recorded at once.
pub const RECORD_INTERVAL_MS: i64 = 60_000;

/// Longest origin or host stored; anything longer is not a real install and is not recorded.
const MAX_STORED_LEN: usize = 255;

/// Whether the cookies of a page view could be set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CookieVerdict {
    /// The host is under the cookie domain and on the page's own site: first-party cookies.
    FirstParty,
    /// The host is on another site than the page: the cookies would be third-party, and
    /// browsers refuse them.
    ThirdParty,
    /// The cookie domain does not cover the host the request reached, so the worker set none.
    HostNotCovered,
    /// The request named no page origin (no `Origin`, `Referer` or page URL to read one from).
    UnknownPage,
}

impl CookieVerdict {
    /// The stored word, as serialised.
    pub fn code(self) -> &'static str {
        match self {
            Self::FirstParty => "first_party",
            Self::ThirdParty => "third_party",
            Self::HostNotCovered => "host_not_covered",
            Self::UnknownPage => "unknown_page",
        }
    }

    /// The verdict a stored word names; `None` for any other word.
    pub fn parse(code: &str) -> Option<Self> {
        [
            Self::FirstParty,
            Self::ThirdParty,
            Self::HostNotCovered,
            Self::UnknownPage,
        ]
        .into_iter()
        .find(|v| v.code() == code)
    }
}

/// What one page view showed: the page's origin, the host (with the same-origin path prefix
/// when the request came through it) and the verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sighting {
    pub page_origin: Option<String>,
    pub host: String,
    pub verdict: CookieVerdict,
}

/// The page's origin (`https://www.shop.com`): the `Origin` header, else the `Referer`'s
/// origin, else the page URL `t.js` reported. Opaque (`null`) or non-http(s) values are skipped.
pub fn page_origin(origin: Option<&str>, referer: Option<&str>, page_url: &str) -> Option<String> {
    [origin, referer, Some(page_url)]
        .into_iter()
        .flatten()
        .find_map(origin_of)
}

/// The http(s) origin of one header value or URL (`https://www.shop.com`), or `None` when it is
/// opaque, not http(s) or not a URL.
pub fn origin_of(raw: &str) -> Option<String> {
    Url::parse(raw.trim())
        .ok()
        .filter(|url| matches!(url.scheme(), "http" | "https") && url.host().is_some())
        .map(|url| url.origin().ascii_serialization())
}

/// The verdict for a page on `page_origin` whose request reached `host` (a `Host` value, port
/// allowed, same-origin prefix not included), with the container's `cookie_domain`.
pub fn verdict(cookie_domain: &str, page_origin: Option<&str>, host: &str) -> CookieVerdict {
    if !cookie_domain_applies(cookie_domain, host) {
        return CookieVerdict::HostNotCovered;
    }
    let Some(page_host) = page_origin
        .and_then(|o| Url::parse(o).ok())
        .and_then(|u| u.host_str().map(str::to_string))
    else {
        return CookieVerdict::UnknownPage;
    };
    match (site_of(&page_host), site_of(host)) {
        (Some(page), Some(worker)) if page == worker => CookieVerdict::FirstParty,
        _ => CookieVerdict::ThirdParty,
    }
}

/// The sighting of one page view, or `None` when its origin or host is too long to be a real
/// install (nothing is recorded then). `path_prefix` is the same-origin prefix the request came
/// through, if any; it is shown with the host but plays no part in the verdict.
pub fn sighting(
    cookie_domain: &str,
    page_origin: Option<String>,
    host: &str,
    path_prefix: Option<&str>,
) -> Option<Sighting> {
    let verdict = verdict(cookie_domain, page_origin.as_deref(), host);
    let shown_host = format!("{}{}", host.to_ascii_lowercase(), path_prefix.unwrap_or(""));
    let fits = |s: &str| s.len() <= MAX_STORED_LEN && !s.chars().any(char::is_control);
    (fits(&shown_host) && page_origin.as_deref().is_none_or(fits)).then_some(Sighting {
        page_origin,
        host: shown_host,
        verdict,
    })
}

/// Whether an isolate that last recorded `previous` at `previous_at` should record `current`
/// seen at `now`: when anything changed, or [`RECORD_INTERVAL_MS`] has passed.
pub fn due(previous: Option<(&Sighting, UnixMs)>, current: &Sighting, now: UnixMs) -> bool {
    previous.is_none_or(|(seen, at)| {
        seen != current || now.millis().saturating_sub(at.millis()) >= RECORD_INTERVAL_MS
    })
}

/// The tracking host the snippet should load from for a page on `page_origin`: `t.` under the
/// cookie domain when the page is on that site, else `t.` under the page's own site (and the
/// cookie domain must then become that site).
pub fn suggested_tracking_host(cookie_domain: &str, page_origin: Option<&str>) -> String {
    let page_site = page_origin
        .and_then(|o| Url::parse(o).ok())
        .and_then(|u| u.host_str().and_then(site_of));
    match page_site {
        Some(site) if site_of(cookie_domain).as_deref() != Some(site.as_str()) => {
            format!("t.{site}")
        }
        _ => format!("t.{cookie_domain}"),
    }
}

/// What is wrong, in plain words, or `None` when cookies could be set.
pub fn problem(cookie_domain: &str, seen: &Sighting) -> Option<String> {
    let page = seen
        .page_origin
        .as_deref()
        .and_then(|o| Url::parse(o).ok())
        .and_then(|u| u.host_str().map(str::to_string));
    let page = page.as_deref().unwrap_or("an unknown page");
    let host = &seen.host;
    let suggested = suggested_tracking_host(cookie_domain, seen.page_origin.as_deref());
    match seen.verdict {
        CookieVerdict::FirstParty => None,
        CookieVerdict::ThirdParty => Some(format!(
            "The page is on {page} but the snippet loads from {host}: cookies set there are \
             third-party, and browsers refuse them. Load the snippet from {suggested} (a \
             subdomain of the page's own site) or from the site itself under the same-origin path."
        )),
        CookieVerdict::HostNotCovered => Some(format!(
            "The snippet loads from {host}, which is not under the cookie domain {cookie_domain}, \
             so no cookie was set. Load it from {suggested}, or change the cookie domain to the \
             page's site."
        )),
        CookieVerdict::UnknownPage => Some(format!(
            "The last page view did not say which page it came from, so whether cookies could be \
             set on {page} is unknown. The snippet loads from {host}."
        )),
    }
}

#[cfg(test)]
#[path = "install_check_tests.rs"]
mod tests;
