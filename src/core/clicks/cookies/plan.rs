//! What one visit does with cookies: which `Set-Cookie` headers to answer with, which visitor it
//! is, and which clicks to store. The edge supplies the clock and the random bytes.

use super::compat::{fbc_carries, fbc_value, gcl_aw_value, gclid_of_gcl_aw};
use super::domain::CookieDomain;
use super::history::ClickHistory;
use super::signed;
use super::visitor::{VisitorId, VISITOR_ID_BYTES};
use super::{
    set_cookie, RequestCookies, COMPAT_MAX_AGE_S, FIRST_PARTY_MAX_AGE_S, HISTORY_COOKIE,
    VISITOR_COOKIE,
};
use crate::core::click_params::{with_compat_cookie, CompatCookie};
use crate::core::clicks::{Captured, CapturedClick};
use crate::core::consent::ConsentSignal;
use crate::core::signing_keys::SigningKeys;

/// The container's cookie settings.
#[derive(Debug, Clone, Copy)]
pub struct CookieSettings<'a> {
    /// The container's `cookie_domain`, e.g. `shop.com`.
    pub cookie_domain: &'a str,
    /// Whether `_fbc` and `_gcl_aw` are written.
    pub compat_cookies: bool,
    /// Whether cookies wait for a consent signal.
    pub require_consent: bool,
}

/// The request as the cookie plan needs it.
#[derive(Debug, Clone)]
pub struct Visit<'a> {
    /// The `Host` the browser asked for (the tracking subdomain), port allowed.
    pub request_host: &'a str,
    pub cookies: &'a RequestCookies<'a>,
    /// The page's advertising consent (passed on by `t.js`, see [`crate::core::consent`]).
    pub consent: ConsentSignal,
    pub now_ms: i64,
    /// The keys `pc_vid` and `pc_clk` are verified and signed with; without them (no
    /// `SIGNING_KEY`) the visit is blocked.
    pub keys: Option<&'a SigningKeys>,
    /// Fresh random bytes, used only if the visitor has no valid `pc_vid` yet.
    pub fresh_visitor_bytes: [u8; VISITOR_ID_BYTES],
}

/// Why a visit sets no cookie and stores nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Blocked {
    /// The container requires consent and the request carried no consent signal.
    ConsentMissing,
    /// The visitor refused.
    ConsentDenied,
    /// The container's cookie domain is not a parent of the request host (misconfiguration).
    CookieDomainMismatch,
    /// The container's cookie domain is not a usable domain at all.
    InvalidCookieDomain,
    /// The worker has no `SIGNING_KEY`, so visitor cookies can be neither read nor written.
    NoSigningKey,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Visitor {
    pub id: VisitorId,
    /// No valid `pc_vid` came with the request: the id was just made.
    pub is_new: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CookiePlan {
    /// `Set-Cookie` values, one header each (append them, never join them).
    pub set_cookies: Vec<String>,
    /// `None` when blocked.
    pub visitor: Option<Visitor>,
    /// The rows to store for this visit; empty means no storage call at all.
    pub clicks_to_store: Vec<CapturedClick>,
    /// The visitor's history including this visit (what `pc_clk` now holds).
    pub history: ClickHistory,
    pub blocked: Option<Blocked>,
}

impl CookiePlan {
    fn blocked(reason: Blocked) -> Self {
        Self {
            set_cookies: Vec::new(),
            visitor: None,
            clicks_to_store: Vec::new(),
            history: ClickHistory::default(),
            blocked: Some(reason),
        }
    }

    pub fn must_store(&self) -> bool {
        !self.clicks_to_store.is_empty()
    }
}

/// Plan the cookies of one visit (`/collect`, `/c` or `/e`).
///
/// - `pc_vid` is set on every visit (refreshing its 400 days, and re-signing it with the current
///   key), reusing an existing id whose signature checks; any other `pc_vid` is ignored and a
///   fresh id issued.
/// - `pc_clk` counts only when it is signed for that visitor id.
/// - `pc_clk` is rewritten on every visit that has a history, with this visit's clicks in front;
///   an unreadable `pc_clk` with nothing to replace it is expired.
/// - `_fbc` and `_gcl_aw` (when the container wants them) are written only when this visit
///   brings an fbclid or gclid that the existing cookie does not already hold, so a repeated
///   id keeps its original click time.
pub fn plan_cookies(settings: &CookieSettings, visit: &Visit, captured: &Captured) -> CookiePlan {
    let Ok(domain) = CookieDomain::parse(settings.cookie_domain) else {
        return CookiePlan::blocked(Blocked::InvalidCookieDomain);
    };
    match visit.consent {
        ConsentSignal::Denied => return CookiePlan::blocked(Blocked::ConsentDenied),
        ConsentSignal::Absent if settings.require_consent => {
            return CookiePlan::blocked(Blocked::ConsentMissing)
        }
        _ => {}
    }
    if !domain.applies_to(visit.request_host) {
        return CookiePlan::blocked(Blocked::CookieDomainMismatch);
    }
    let Some(keys) = visit.keys else {
        return CookiePlan::blocked(Blocked::NoSigningKey);
    };

    let cookies = visit.cookies;
    let visitor = match cookies.visitor_id(keys) {
        Some(id) => Visitor { id, is_new: false },
        None => Visitor {
            id: VisitorId::from_random(visit.fresh_visitor_bytes),
            is_new: true,
        },
    };
    let mut set_cookies = vec![set_cookie(
        VISITOR_COOKIE,
        &signed::sign(keys, VISITOR_COOKIE, "", visitor.id.as_str()),
        &domain,
        FIRST_PARTY_MAX_AGE_S,
        true,
    )];

    let mut history = cookies.click_history(keys, &visitor.id);
    history.merge(captured.clicks(), visit.now_ms);
    if !history.is_empty() {
        set_cookies.push(set_cookie(
            HISTORY_COOKIE,
            &signed::sign(keys, HISTORY_COOKIE, visitor.id.as_str(), &history.encode()),
            &domain,
            FIRST_PARTY_MAX_AGE_S,
            true,
        ));
    } else if cookies.get(HISTORY_COOKIE).is_some() {
        set_cookies.push(set_cookie(HISTORY_COOKIE, "", &domain, 0, true));
    }

    if settings.compat_cookies {
        set_cookies.extend(compat_cookies(&domain, cookies, captured, visit.now_ms));
    }

    CookiePlan {
        set_cookies,
        visitor: Some(visitor),
        clicks_to_store: captured.clicks().to_vec(),
        history,
        blocked: None,
    }
}

/// `_fbc` and `_gcl_aw` for the clicks whose registry entry names them as their compatibility
/// cookie, each written only when the existing cookie does not already carry that click id.
fn compat_cookies(
    domain: &CookieDomain,
    cookies: &RequestCookies,
    captured: &Captured,
    now_ms: i64,
) -> Vec<String> {
    let mut out = Vec::new();
    for cookie in CompatCookie::ALL {
        let param = with_compat_cookie(cookie).map(|p| p.name);
        let Some(click) = param.and_then(|name| captured.get(name)) else {
            continue;
        };
        let existing = cookies.get(cookie.name());
        let (already, value) = match cookie {
            CompatCookie::Fbc => (
                existing.is_some_and(|fbc| fbc_carries(fbc, click.value.as_str())),
                fbc_value(domain, now_ms, &click.value),
            ),
            CompatCookie::GclAw => (
                existing
                    .and_then(gclid_of_gcl_aw)
                    .is_some_and(|gclid| gclid == click.value.as_str()),
                gcl_aw_value(now_ms, &click.value),
            ),
        };
        if let Some(value) = value.filter(|_| !already) {
            out.push(set_cookie(
                cookie.name(),
                &value,
                domain,
                COMPAT_MAX_AGE_S,
                false,
            ));
        }
    }
    out
}
