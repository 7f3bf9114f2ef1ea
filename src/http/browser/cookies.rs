//! The edge half of the cookie plan: the request's `Host` and `Cookie`, the clock and fresh
//! random bytes go in; `Set-Cookie` headers come out, one header per cookie.

use super::{header, Client};
use crate::config::Config;
use crate::core::clicks::cookies::{
    plan_cookies, ConsentSignal, CookiePlan, CookieSettings, RequestCookies, Visit,
};
use crate::core::clicks::Captured;
use crate::core::container::ContainerSettings;
use crate::core::time::UnixMs;
use crate::error::Result;
use crate::http::request::Request;
use crate::platform::random;
use worker::Headers;

/// Plans the cookies of this visit of `client`. A garbage `Cookie` header reads as no cookies,
/// and `pc_vid` or `pc_clk` values that fail their signature check as absent. Without
/// `SIGNING_KEY` the plan is blocked (no cookie, nothing stored), and the worker's log says why.
pub fn plan(
    req: &Request,
    client: &Client,
    config: &Config,
    settings: &ContainerSettings,
    consent: ConsentSignal,
    captured: &Captured,
    now: UnixMs,
) -> Result<CookiePlan> {
    let cookie_header = header(req, "cookie");
    let cookies = RequestCookies::parse(cookie_header.as_deref());
    if config.signing_keys.is_none() {
        worker::console_error!("SIGNING_KEY is not set: visitor cookies are neither read nor set");
    }
    let visit = Visit {
        request_host: &client.host,
        cookies: &cookies,
        consent,
        now_ms: now.millis(),
        keys: config.signing_keys.as_ref(),
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
