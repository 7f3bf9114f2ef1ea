//! The edge half of the cookie plan: the request's `Host` and `Cookie`, the clock and fresh
//! random bytes go in; `Set-Cookie` headers come out, one header per cookie.

use super::{client, header};
use crate::core::clicks::cookies::{
    plan_cookies, ConsentSignal, CookiePlan, CookieSettings, RequestCookies, Visit,
};
use crate::core::clicks::Captured;
use crate::core::container::ContainerSettings;
use crate::core::time::UnixMs;
use crate::error::Result;
use crate::platform::random;
use worker::{Env, Headers, Request};

/// Plans this visit's cookies. A garbage `Cookie` header reads as no cookies.
pub fn plan(
    req: &Request,
    env: &Env,
    settings: &ContainerSettings,
    consent: ConsentSignal,
    captured: &Captured,
    now: UnixMs,
) -> Result<CookiePlan> {
    let host = client(req, env).host;
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
