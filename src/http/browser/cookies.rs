//! The edge half of the cookie plan: the request's `Host` and `Cookie`, the clock and fresh
//! random bytes go in; `Set-Cookie` headers come out, one header per cookie.

use super::header;
use crate::core::clicks::cookies::{
    plan_cookies, ConsentSignal, CookiePlan, CookieSettings, RequestCookies, Visit,
};
use crate::core::clicks::Captured;
use crate::core::container::ContainerSettings;
use crate::core::time::UnixMs;
use crate::error::Result;
use crate::platform::random;
use worker::{Headers, Request};

/// Plans this visit's cookies. A garbage `Cookie` header reads as no cookies.
pub fn plan(
    req: &Request,
    settings: &ContainerSettings,
    consent: ConsentSignal,
    captured: &Captured,
    now: UnixMs,
) -> Result<CookiePlan> {
    let host = request_host(req);
    let cookie_header = header(req, "cookie");
    let cookies = RequestCookies::parse(cookie_header.as_deref());
    let visit = Visit {
        request_host: &host,
        cookies: &cookies,
        consent,
        now_ms: now.millis(),
        fresh_visitor_bytes: random::<16>()?,
    };
    let cookie_settings = CookieSettings {
        cookie_domain: &settings.cookie_domain,
        compat_cookies: settings.compat_cookies,
        require_consent: settings.require_consent,
    };
    Ok(plan_cookies(&cookie_settings, &visit, captured))
}

/// Appends each planned cookie as its own `Set-Cookie` header: joined with commas into one
/// header, a browser would read them as a single broken cookie.
pub fn append_set_cookies(headers: &Headers, plan: &CookiePlan) -> Result<()> {
    for cookie in &plan.set_cookies {
        headers.append("set-cookie", cookie)?;
    }
    Ok(())
}

/// The host the browser asked for: the `Host` header (the tracking subdomain, port included),
/// else the URL's host. The cookie plan refuses any host the cookie domain does not cover.
fn request_host(req: &Request) -> String {
    header(req, "host")
        .or_else(|| {
            let url = req.url().ok()?;
            let host = url.host_str()?.to_string();
            Some(match url.port() {
                Some(port) => format!("{host}:{port}"),
                None => host,
            })
        })
        .unwrap_or_default()
}
