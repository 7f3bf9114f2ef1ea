//! The first-party cookies on the site's registrable domain: what we read from `Cookie` and the
//! exact `Set-Cookie` values we answer with.
//!
//! Every cookie is `Domain={cookie domain}; Path=/; Max-Age={n}; Secure; SameSite=Lax`; `pc_vid`
//! and `pc_clk` add `HttpOnly`, while `_fbc` and `_gcl_aw` stay readable because the platforms'
//! own scripts read them. `pc_vid` and `pc_clk` are signed ([`signed`]): a value we did not
//! write reads as absent.

use crate::core::click_params::CompatCookie;
use crate::core::signing_keys::SigningKeys;

mod compat;
mod domain;
mod history;
mod plan;
pub mod signed;
mod visitor;

pub use crate::core::consent::ConsentSignal;
pub use compat::{fbc_carries, fbc_value, gcl_aw_value, gclid_of_gcl_aw};
pub use domain::{cookie_domain_applies, CookieDomain};
pub use history::{ClickHistory, HistoryEntry, HISTORY_MAX_BYTES, HISTORY_MAX_ENTRIES};
pub use plan::{plan_cookies, Blocked, CookiePlan, CookieSettings, Visit, Visitor};
pub use visitor::{VisitorId, VISITOR_ID_BYTES};

pub const VISITOR_COOKIE: &str = "pc_vid";
pub const HISTORY_COOKIE: &str = "pc_clk";
pub const FBC_COOKIE: &str = CompatCookie::Fbc.name();
pub const GCL_AW_COOKIE: &str = CompatCookie::GclAw.name();

/// 400 days, the longest lifetime browsers allow; refreshed on every visit.
pub const FIRST_PARTY_MAX_AGE_S: i64 = 34_560_000;
/// 90 days, as Meta and Google set their own cookies.
pub const COMPAT_MAX_AGE_S: i64 = 7_776_000;

/// Cookie pairs read from one header; a real browser sends far fewer.
pub const MAX_COOKIE_PAIRS: usize = 200;
/// Bytes of a `Cookie` header looked at; anything beyond is ignored.
pub const MAX_COOKIE_HEADER_BYTES: usize = 16 * 1024;

/// One `Set-Cookie` header value. `name` and `value` must already be cookie-safe: every caller
/// in this module builds them from checked, encoded values.
fn set_cookie(
    name: &str,
    value: &str,
    domain: &CookieDomain,
    max_age_s: i64,
    http_only: bool,
) -> String {
    let http_only = if http_only { "; HttpOnly" } else { "" };
    format!(
        "{name}={value}; Domain={}; Path=/; Max-Age={max_age_s}; Secure{http_only}; SameSite=Lax",
        domain.as_str()
    )
}

/// Split a `Cookie` header into `(name, value)` pairs, in order. Tolerant: malformed pairs are
/// skipped, surrounding double quotes are removed, and at most [`MAX_COOKIE_PAIRS`] pairs from
/// the first [`MAX_COOKIE_HEADER_BYTES`] are read. A pair cut by that limit is dropped rather than
/// read truncated.
pub fn parse_cookie_header(header: &str) -> Vec<(&str, &str)> {
    let header = if header.len() > MAX_COOKIE_HEADER_BYTES {
        let mut end = MAX_COOKIE_HEADER_BYTES;
        while !header.is_char_boundary(end) {
            end -= 1;
        }
        header[..end].rfind(';').map_or("", |cut| &header[..cut])
    } else {
        header
    };
    header
        .split(';')
        .filter_map(|pair| {
            let (name, value) = pair.split_once('=')?;
            let name = name.trim();
            let value = value.trim();
            let value = value
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .unwrap_or(value);
            let name_ok = !name.is_empty()
                && name
                    .bytes()
                    .all(|b| b.is_ascii_graphic() && !b"()<>@,;:\\\"/[]?={}".contains(&b));
            let value_ok = !value.chars().any(char::is_control);
            (name_ok && value_ok).then_some((name, value))
        })
        .take(MAX_COOKIE_PAIRS)
        .collect()
}

/// The cookies of one request, parsed once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestCookies<'a> {
    pairs: Vec<(&'a str, &'a str)>,
}

impl<'a> RequestCookies<'a> {
    /// A missing or garbage header gives no cookies.
    pub fn parse(header: Option<&'a str>) -> Self {
        Self {
            pairs: header.map(parse_cookie_header).unwrap_or_default(),
        }
    }

    /// Every value sent under `name` (a browser may send several, most specific first).
    pub fn all<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'a str> + 's {
        self.pairs
            .iter()
            .filter(move |(n, _)| *n == name)
            .map(|(_, v)| *v)
    }

    pub fn get(&self, name: &str) -> Option<&'a str> {
        self.all(name).next()
    }

    /// The first `pc_vid` that an accepted key signed and that holds a well-formed visitor id.
    /// An unsigned, forged or damaged `pc_vid` reads as absent.
    pub fn visitor_id(&self, keys: &SigningKeys) -> Option<VisitorId> {
        self.all(VISITOR_COOKIE)
            .filter_map(|raw| signed::verify(keys, VISITOR_COOKIE, "", raw))
            .find_map(|raw| VisitorId::parse(raw, VISITOR_COOKIE).ok())
    }

    /// The first non-empty `pc_clk` history signed for `visitor`; anything else (unsigned,
    /// written for another visitor, garbage) reads as empty.
    pub fn click_history(&self, keys: &SigningKeys, visitor: &VisitorId) -> ClickHistory {
        self.all(HISTORY_COOKIE)
            .filter_map(|raw| signed::verify(keys, HISTORY_COOKIE, visitor.as_str(), raw))
            .map(ClickHistory::decode)
            .find(|h| !h.is_empty())
            .unwrap_or_default()
    }

    pub fn fbc(&self) -> Option<&'a str> {
        self.get(FBC_COOKIE)
    }

    pub fn gcl_aw(&self) -> Option<&'a str> {
        self.get(GCL_AW_COOKIE)
    }
}

#[cfg(test)]
mod tests;
