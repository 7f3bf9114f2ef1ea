//! The install check's answer (`GET /admin/api/containers/{id}/install-check`): the last page
//! view a container saw and what it tells (`core::install_check`).

use crate::core::install_check::{problem, suggested_tracking_host, CookieVerdict};
use crate::store::install::LastPageView;
use serde::Serialize;

/// The last page view, as the console shows it.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(utoipa::ToSchema))]
pub struct PageViewOut {
    /// When it was seen (ISO 8601, UTC); an isolate refreshes it at most once a minute.
    pub seen_at: String,
    /// The page's origin (`https://www.shop.com`), from `Origin`, else `Referer`, else the page
    /// URL `t.js` reported; `null` when none named one.
    pub page_origin: Option<String>,
    /// The worker host the request reached (`t.shop.com`), with the same-origin path prefix when
    /// it came through it (`www.shop.com/_pc`).
    pub host: String,
    /// The container's cookie domain when it was seen.
    pub cookie_domain: String,
    pub cookie_verdict: CookieVerdict,
    /// Whether the page view's cookies could be set (`cookie_verdict` is `first_party`).
    pub cookies_set: bool,
}

/// `GET /admin/api/containers/{id}/install-check`.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(utoipa::ToSchema))]
pub struct InstallCheckOut {
    /// `null`: no page view seen yet.
    pub last_page_view: Option<PageViewOut>,
    /// The host the snippet should load `t.js` from: `t.` under the page's own site (the cookie
    /// domain's site when no page view was seen).
    pub suggested_tracking_host: String,
    /// What is wrong, in plain words; `null` when cookies could be set, or nothing was seen.
    pub problem: Option<String>,
}

impl InstallCheckOut {
    /// The answer for a container whose cookie domain is now `cookie_domain`.
    pub fn new(last: Option<LastPageView>, cookie_domain: &str) -> Self {
        let Some(last) = last else {
            return Self {
                last_page_view: None,
                suggested_tracking_host: suggested_tracking_host(cookie_domain, None),
                problem: None,
            };
        };
        let seen = &last.sighting;
        Self {
            suggested_tracking_host: suggested_tracking_host(
                cookie_domain,
                seen.page_origin.as_deref(),
            ),
            problem: problem(&last.cookie_domain, seen),
            last_page_view: Some(PageViewOut {
                seen_at: last.seen_at.iso8601(),
                page_origin: seen.page_origin.clone(),
                host: seen.host.clone(),
                cookies_set: seen.verdict == CookieVerdict::FirstParty,
                cookie_verdict: seen.verdict,
                cookie_domain: last.cookie_domain,
            }),
        }
    }
}
