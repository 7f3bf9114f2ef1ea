//! Tests of the first-party cookies: reading `Cookie`, the `Set-Cookie` values of a visit
//! ([`set_cookie`]), and what blocks them ([`gates`]).

use super::*;
use crate::core::clicks::{capture_from_query, Captured, CustomClickParam};
use crate::core::signing_keys::SigningKeys;

const NOW_MS: i64 = 1_718_000_000_123;
const FRESH: [u8; 16] = [0xAB; 16];
const FRESH_ID: &str = "v1.q6urq6urq6urq6urq6urqw";

fn keys() -> SigningKeys {
    SigningKeys::new("the signing key of these tests", None).unwrap()
}

/// A `Cookie` header as the browser sends back what the worker set: every `pc_vid` and `pc_clk`
/// value in `raw` is signed (`pc_clk` for the header's first well-formed visitor id, else for
/// the id a new visitor gets), so the tests below can speak of the plain values.
fn signed_header(raw: &str) -> String {
    let keys = keys();
    let pairs = parse_cookie_header(raw);
    let visitor = pairs
        .iter()
        .find(|(n, v)| *n == VISITOR_COOKIE && VisitorId::parse(v, "pc_vid").is_ok())
        .map_or(FRESH_ID, |(_, v)| *v);
    pairs
        .iter()
        .map(|(name, value)| match *name {
            VISITOR_COOKIE => format!("{name}={}", signed::sign(&keys, name, "", value)),
            HISTORY_COOKIE => format!("{name}={}", signed::sign(&keys, name, visitor, value)),
            _ => format!("{name}={value}"),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// A `Set-Cookie` value with the signature of `pc_vid` or `pc_clk` checked and removed.
fn unsigned(set_cookie: &str, visitor: &str) -> String {
    let (pair, attributes) = set_cookie.split_once(';').unwrap_or((set_cookie, ""));
    let (name, value) = pair.split_once('=').unwrap();
    let bound_to = if name == HISTORY_COOKIE { visitor } else { "" };
    let value = match name {
        VISITOR_COOKIE | HISTORY_COOKIE if !value.is_empty() => {
            signed::verify(&keys(), name, bound_to, value)
                .unwrap_or_else(|| panic!("{name} is signed: {value}"))
        }
        _ => value,
    };
    format!("{name}={value};{attributes}")
}

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
    let header = cookie_header.map(signed_header);
    let cookies = RequestCookies::parse(header.as_deref());
    let keys = keys();
    let visit = Visit {
        request_host: host,
        cookies: &cookies,
        consent,
        now_ms: NOW_MS,
        keys: Some(&keys),
        fresh_visitor_bytes: FRESH,
    };
    let mut plan = plan_cookies(settings, &visit, captured);
    let visitor = plan
        .visitor
        .as_ref()
        .map_or("", |v| v.id.as_str())
        .to_string();
    for cookie in &mut plan.set_cookies {
        *cookie = unsigned(cookie, &visitor);
    }
    plan
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
        let visitor = VisitorId::parse(FRESH_ID, "pc_vid").unwrap();
        assert_eq!(cookies.visitor_id(&keys()), None);
        assert!(cookies.click_history(&keys(), &visitor).is_empty());
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
    assert_eq!(
        cookies.visitor_id(&keys()),
        None,
        "unsigned ids are never read"
    );
    let signed = signed_header(&header);
    let cookies = RequestCookies::parse(Some(&signed));
    assert_eq!(cookies.visitor_id(&keys()).unwrap().as_str(), FRESH_ID);
    assert_eq!(RequestCookies::parse(None).visitor_id(&keys()), None);
}

#[test]
fn a_forged_or_unsigned_visitor_cookie_is_ignored_and_a_fresh_id_issued() {
    let victim = "v1.AAAAAAAAAAAAAAAAAAAAAA";
    let other_keys = SigningKeys::new("a key the worker never had", None).unwrap();
    for header in [
        format!("pc_vid={victim}"),
        format!(
            "pc_vid={}",
            signed::sign(&other_keys, VISITOR_COOKIE, "", victim)
        ),
        format!(
            "pc_vid={}x",
            signed::sign(&keys(), VISITOR_COOKIE, "", victim)
        ),
    ] {
        let cookies = RequestCookies::parse(Some(&header));
        let keys = keys();
        let visit = Visit {
            request_host: "t.shop.com",
            cookies: &cookies,
            consent: ConsentSignal::Absent,
            now_ms: NOW_MS,
            keys: Some(&keys),
            fresh_visitor_bytes: FRESH,
        };
        let plan = plan_cookies(&settings(true, false), &visit, &Captured::default());
        let visitor = plan.visitor.unwrap();
        assert!(visitor.is_new, "{header}");
        assert_eq!(visitor.id.as_str(), FRESH_ID);
    }
}

#[test]
fn a_click_history_signed_for_another_visitor_is_not_read() {
    let me = VisitorId::parse(FRESH_ID, "pc_vid").unwrap();
    let someone = "v1.AAAAAAAAAAAAAAAAAAAAAA";
    let theirs = signed::sign(&keys(), HISTORY_COOKIE, someone, "v1!gclid*A**100");
    let header = format!("pc_clk={theirs}");
    let cookies = RequestCookies::parse(Some(&header));
    assert!(cookies.click_history(&keys(), &me).is_empty());
    let mine = signed::sign(&keys(), HISTORY_COOKIE, FRESH_ID, "v1!gclid*A**100");
    let header = format!("pc_clk={mine}");
    let cookies = RequestCookies::parse(Some(&header));
    assert_eq!(cookies.click_history(&keys(), &me).entries().len(), 1);
}

#[test]
fn without_a_signing_key_no_cookie_is_read_or_written() {
    let cookies = RequestCookies::parse(None);
    let visit = Visit {
        request_host: "t.shop.com",
        cookies: &cookies,
        consent: ConsentSignal::Granted,
        now_ms: NOW_MS,
        keys: None,
        fresh_visitor_bytes: FRESH,
    };
    let plan = plan_cookies(
        &settings(true, false),
        &visit,
        &capture_from_query("gclid=A", &[]),
    );
    assert_eq!(plan.blocked, Some(Blocked::NoSigningKey));
    assert!(plan.set_cookies.is_empty() && !plan.must_store());
}

#[test]
fn compat_cookies_are_read_by_name() {
    let cookies = RequestCookies::parse(Some("_fbc=fb.1.1.IwAR; _gcl_aw=GCL.1.Cj0"));
    assert_eq!(cookies.fbc(), Some("fb.1.1.IwAR"));
    assert_eq!(cookies.gcl_aw(), Some("GCL.1.Cj0"));
}

mod gates;
mod set_cookie;
