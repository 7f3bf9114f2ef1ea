//! Tests of the first-party cookies: reading `Cookie`, the `Set-Cookie` values of a visit
//! ([`set_cookie`]), and what blocks them ([`gates`]).

use super::*;
use crate::core::clicks::{capture_from_query, Captured, CustomClickParam};

const NOW_MS: i64 = 1_718_000_000_123;
const FRESH: [u8; 16] = [0xAB; 16];
const FRESH_ID: &str = "v1.q6urq6urq6urq6urq6urqw";

fn settings(compat: bool, require_consent: bool) -> CookieSettings<'static> {
    CookieSettings {
        cookie_domain: "shop.com",
        compat_cookies: compat,
        require_consent,
    }
}

fn plan_visit(
    settings: &CookieSettings,
    host: &str,
    cookie_header: Option<&str>,
    consent: ConsentSignal,
    captured: &Captured,
) -> CookiePlan {
    let cookies = RequestCookies::parse(cookie_header);
    let visit = Visit {
        request_host: host,
        cookies: &cookies,
        consent,
        now_ms: NOW_MS,
        fresh_visitor_bytes: FRESH,
    };
    plan_cookies(settings, &visit, captured)
}

fn named<'p>(plan: &'p CookiePlan, name: &str) -> Option<&'p str> {
    plan.set_cookies
        .iter()
        .find(|c| c.starts_with(&format!("{name}=")))
        .map(String::as_str)
}

// Cookie header parsing.

#[test]
fn a_cookie_header_splits_into_pairs_in_order() {
    assert_eq!(
        parse_cookie_header("a=1; pc_vid=v1.x;b=\"quoted\" ;  empty="),
        vec![
            ("a", "1"),
            ("pc_vid", "v1.x"),
            ("b", "quoted"),
            ("empty", "")
        ]
    );
}

#[test]
fn malformed_cookie_pairs_are_skipped() {
    assert_eq!(
        parse_cookie_header("novalue; =nameless; bad name=1; a\u{0}=2; ok=3; c=x\u{1}y; d=a=b"),
        vec![("ok", "3"), ("d", "a=b")]
    );
}

#[test]
fn garbage_cookie_headers_never_panic() {
    for raw in [
        "", ";", ";;;", "=", "==", "\"", "a=\"", "ä=ö", "\u{ffff}", "a=\u{0}",
    ] {
        let _ = parse_cookie_header(raw);
        let cookies = RequestCookies::parse(Some(raw));
        assert_eq!(cookies.visitor_id(), None);
        assert!(cookies.click_history().is_empty());
    }
}

#[test]
fn the_cookie_header_is_bounded_in_pairs_and_bytes() {
    let many = "x=1; ".repeat(1000);
    assert_eq!(parse_cookie_header(&many).len(), MAX_COOKIE_PAIRS);
    let huge = format!("a=1; b={}", "v".repeat(MAX_COOKIE_HEADER_BYTES));
    // The pair cut by the byte limit is dropped rather than read truncated.
    assert_eq!(parse_cookie_header(&huge), vec![("a", "1")]);
    let one_huge = "b=".to_string() + &"é".repeat(MAX_COOKIE_HEADER_BYTES);
    assert!(parse_cookie_header(&one_huge).is_empty());
}

#[test]
fn the_first_valid_visitor_id_is_read() {
    let header = format!("pc_vid=garbage; pc_vid={FRESH_ID}; pc_vid=v1.AAAAAAAAAAAAAAAAAAAAAA");
    let cookies = RequestCookies::parse(Some(&header));
    assert_eq!(cookies.visitor_id().unwrap().as_str(), FRESH_ID);
    assert_eq!(RequestCookies::parse(None).visitor_id(), None);
}

#[test]
fn compat_cookies_are_read_by_name() {
    let cookies = RequestCookies::parse(Some("_fbc=fb.1.1.IwAR; _gcl_aw=GCL.1.Cj0"));
    assert_eq!(cookies.fbc(), Some("fb.1.1.IwAR"));
    assert_eq!(cookies.gcl_aw(), Some("GCL.1.Cj0"));
}

mod gates;
mod set_cookie;
