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

// --- Cookie header parsing ---

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

// --- Set-Cookie values ---

#[test]
fn a_first_visit_with_a_gclid_sets_every_cookie_with_exact_attributes() {
    let captured = capture_from_query("gclid=Cj0KCQjw-AbC_d&fbclid=IwAR2F4-dbP", &[]);
    let plan = plan_visit(
        &settings(true, false),
        "t.shop.com",
        None,
        ConsentSignal::Absent,
        &captured,
    );
    assert_eq!(plan.blocked, None);
    let visitor = plan.visitor.as_ref().unwrap();
    assert!(visitor.is_new);
    assert_eq!(visitor.id.as_str(), FRESH_ID);
    assert_eq!(
        plan.set_cookies,
        vec![
            format!("pc_vid={FRESH_ID}; Domain=shop.com; Path=/; Max-Age=34560000; Secure; HttpOnly; SameSite=Lax"),
            "pc_clk=v1!gclid*Cj0KCQjw-AbC_d**1718000000!fbclid*IwAR2F4-dbP**1718000000; Domain=shop.com; Path=/; Max-Age=34560000; Secure; HttpOnly; SameSite=Lax".to_string(),
            "_fbc=fb.1.1718000000123.IwAR2F4-dbP; Domain=shop.com; Path=/; Max-Age=7776000; Secure; SameSite=Lax".to_string(),
            "_gcl_aw=GCL.1718000000.Cj0KCQjw-AbC_d; Domain=shop.com; Path=/; Max-Age=7776000; Secure; SameSite=Lax".to_string(),
        ]
    );
    assert!(plan.must_store());
    assert_eq!(plan.clicks_to_store.len(), 2);
}

#[test]
fn every_set_cookie_stays_under_the_browser_limit() {
    let mut header = String::new();
    for i in 0..40 {
        let captured = capture_from_query(&format!("gclid={i:02}{}", "g".repeat(500)), &[]);
        let p = plan_visit(
            &settings(true, false),
            "t.shop.com",
            Some(&header),
            ConsentSignal::Absent,
            &captured,
        );
        for cookie in &p.set_cookies {
            assert!(cookie.len() < 4096, "{}", cookie.len());
        }
        let clk = named(&p, "pc_clk").unwrap();
        header = clk.split(';').next().unwrap().to_string();
    }
}

#[test]
fn a_returning_visitor_keeps_their_id_and_refreshes_it() {
    let header = format!("pc_vid={FRESH_ID}");
    let plan = plan_visit(
        &settings(true, false),
        "t.shop.com",
        Some(&header),
        ConsentSignal::Absent,
        &Captured::default(),
    );
    let visitor = plan.visitor.clone().unwrap();
    assert!(!visitor.is_new);
    assert_eq!(visitor.id.as_str(), FRESH_ID);
    assert_eq!(plan.set_cookies.len(), 1);
    assert!(plan.set_cookies[0].contains("Max-Age=34560000"));
    assert!(!plan.must_store());
}

#[test]
fn a_page_view_without_clicks_stores_nothing_but_refreshes_the_history() {
    let header = "pc_clk=v1!gclid*A**100";
    let plan = plan_visit(
        &settings(true, false),
        "t.shop.com",
        Some(header),
        ConsentSignal::Absent,
        &Captured::default(),
    );
    assert!(!plan.must_store());
    assert_eq!(
        named(&plan, "pc_clk"),
        Some("pc_clk=v1!gclid*A**100; Domain=shop.com; Path=/; Max-Age=34560000; Secure; HttpOnly; SameSite=Lax")
    );
    assert_eq!(named(&plan, "_gcl_aw"), None);
}

#[test]
fn a_garbage_history_cookie_is_expired() {
    let plan = plan_visit(
        &settings(true, false),
        "t.shop.com",
        Some("pc_clk=%%%"),
        ConsentSignal::Absent,
        &Captured::default(),
    );
    assert_eq!(
        named(&plan, "pc_clk"),
        Some("pc_clk=; Domain=shop.com; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=Lax")
    );
}

#[test]
fn new_clicks_join_the_existing_history_in_front() {
    let captured = capture_from_query("ttclid=T1", &[]);
    let plan = plan_visit(
        &settings(true, false),
        "t.shop.com",
        Some("pc_clk=v1!gclid*A**100"),
        ConsentSignal::Absent,
        &captured,
    );
    let params: Vec<&str> = plan
        .history
        .entries()
        .iter()
        .map(|e| e.param.as_str())
        .collect();
    assert_eq!(params, vec!["ttclid", "gclid"]);
    assert!(named(&plan, "pc_clk")
        .unwrap()
        .starts_with("pc_clk=v1!ttclid*T1**1718000000!gclid*A**100;"));
}

#[test]
fn fbc_is_not_rewritten_when_the_fbclid_repeats() {
    let captured = capture_from_query("fbclid=IwAR1", &[]);
    for existing in [
        "_fbc=fb.1.1600000000000.IwAR1",
        "_fbc=fb.1.1600000000000.IwAR1.AQ",
    ] {
        let plan = plan_visit(
            &settings(true, false),
            "t.shop.com",
            Some(existing),
            ConsentSignal::Absent,
            &captured,
        );
        assert_eq!(named(&plan, "_fbc"), None, "{existing}");
    }
    let plan = plan_visit(
        &settings(true, false),
        "t.shop.com",
        Some("_fbc=fb.1.1600000000000.IwAR0"),
        ConsentSignal::Absent,
        &captured,
    );
    assert_eq!(
        named(&plan, "_fbc"),
        Some("_fbc=fb.1.1718000000123.IwAR1; Domain=shop.com; Path=/; Max-Age=7776000; Secure; SameSite=Lax")
    );
    let plan = plan_visit(
        &settings(true, false),
        "t.shop.com",
        Some("_fbc=garbage"),
        ConsentSignal::Absent,
        &captured,
    );
    assert!(named(&plan, "_fbc").is_some());
}

#[test]
fn gcl_aw_is_not_rewritten_when_the_gclid_repeats() {
    let captured = capture_from_query("gclid=G1", &[]);
    let same = plan_visit(
        &settings(true, false),
        "t.shop.com",
        Some("_gcl_aw=GCL.1600000000.G1"),
        ConsentSignal::Absent,
        &captured,
    );
    assert_eq!(named(&same, "_gcl_aw"), None);
    let changed = plan_visit(
        &settings(true, false),
        "t.shop.com",
        Some("_gcl_aw=GCL.1600000000.G0"),
        ConsentSignal::Absent,
        &captured,
    );
    assert!(named(&changed, "_gcl_aw")
        .unwrap()
        .starts_with("_gcl_aw=GCL.1718000000.G1;"));
}

#[test]
fn compat_cookies_can_be_switched_off() {
    let captured = capture_from_query("gclid=G1&fbclid=F1", &[]);
    let plan = plan_visit(
        &settings(false, false),
        "t.shop.com",
        None,
        ConsentSignal::Absent,
        &captured,
    );
    assert_eq!(named(&plan, "_fbc"), None);
    assert_eq!(named(&plan, "_gcl_aw"), None);
    assert!(named(&plan, "pc_clk").is_some());
}

#[test]
fn the_fbc_subdomain_index_follows_the_cookie_domain() {
    let uk = CookieSettings {
        cookie_domain: "shop.co.uk",
        compat_cookies: true,
        require_consent: false,
    };
    let plan = plan_visit(
        &uk,
        "t.shop.co.uk",
        None,
        ConsentSignal::Absent,
        &capture_from_query("fbclid=F", &[]),
    );
    assert!(named(&plan, "_fbc")
        .unwrap()
        .starts_with("_fbc=fb.2.1718000000123.F;"));
}

#[test]
fn a_click_id_that_a_cookie_cannot_hold_gets_no_compat_cookie_but_is_still_stored() {
    let captured = capture_from_query("gclid=a%3BDomain%3Devil.io", &[]);
    let plan = plan_visit(
        &settings(true, false),
        "t.shop.com",
        None,
        ConsentSignal::Absent,
        &captured,
    );
    assert_eq!(named(&plan, "_gcl_aw"), None);
    assert!(plan.must_store());
    for cookie in &plan.set_cookies {
        let domains: Vec<&str> = cookie
            .split(';')
            .map(str::trim)
            .filter(|attr| attr.starts_with("Domain="))
            .collect();
        assert_eq!(domains, vec!["Domain=shop.com"], "{cookie}");
    }
}

#[test]
fn custom_clicks_are_stored_and_kept_in_the_history() {
    let custom = [CustomClickParam {
        param: "aff_click_id".into(),
        source_param: Some("utm_source".into()),
        source_value: Some("platform_x".into()),
    }];
    let captured = capture_from_query("aff_click_id=12345&utm_source=platform_x", &custom);
    let plan = plan_visit(
        &settings(true, false),
        "t.shop.com",
        None,
        ConsentSignal::Absent,
        &captured,
    );
    let entry = plan.history.latest("aff_click_id").unwrap();
    assert_eq!(entry.source.as_deref(), Some("platform_x"));
    assert_eq!(plan.clicks_to_store.len(), 2);
}

// --- Consent and domain gates ---

#[test]
fn a_container_requiring_consent_sets_nothing_without_a_signal() {
    let captured = capture_from_query("gclid=G1", &[]);
    let plan = plan_visit(
        &settings(true, true),
        "t.shop.com",
        Some(&format!("pc_vid={FRESH_ID}")),
        ConsentSignal::Absent,
        &captured,
    );
    assert_eq!(plan.blocked, Some(Blocked::ConsentMissing));
    assert!(plan.set_cookies.is_empty());
    assert_eq!(plan.visitor, None);
    assert!(!plan.must_store());
}

#[test]
fn a_container_requiring_consent_sets_cookies_once_granted() {
    let captured = capture_from_query("gclid=G1", &[]);
    let plan = plan_visit(
        &settings(true, true),
        "t.shop.com",
        None,
        ConsentSignal::Granted,
        &captured,
    );
    assert_eq!(plan.blocked, None);
    assert_eq!(plan.set_cookies.len(), 3);
}

#[test]
fn an_explicit_refusal_blocks_even_without_a_consent_requirement() {
    let captured = capture_from_query("gclid=G1", &[]);
    let plan = plan_visit(
        &settings(true, false),
        "t.shop.com",
        None,
        ConsentSignal::Denied,
        &captured,
    );
    assert_eq!(plan.blocked, Some(Blocked::ConsentDenied));
    assert!(plan.set_cookies.is_empty());
}

#[test]
fn no_cookie_is_set_for_a_host_outside_the_cookie_domain() {
    let captured = capture_from_query("gclid=G1", &[]);
    for host in [
        "t.evilshop.com",
        "shop.com.evil.io",
        "127.0.0.1:8787",
        "[::1]:8787",
        "",
        "t.shop.com:x",
    ] {
        let plan = plan_visit(
            &settings(true, false),
            host,
            None,
            ConsentSignal::Granted,
            &captured,
        );
        assert_eq!(
            plan.blocked,
            Some(Blocked::CookieDomainMismatch),
            "{host:?}"
        );
        assert!(plan.set_cookies.is_empty());
        assert!(!plan.must_store());
    }
}

#[test]
fn an_unusable_cookie_domain_blocks_everything() {
    let bad = CookieSettings {
        cookie_domain: "com",
        compat_cookies: true,
        require_consent: false,
    };
    let plan = plan_visit(
        &bad,
        "com",
        None,
        ConsentSignal::Granted,
        &capture_from_query("gclid=G", &[]),
    );
    assert_eq!(plan.blocked, Some(Blocked::InvalidCookieDomain));
    assert!(plan.set_cookies.is_empty());
}

#[test]
fn the_domain_attribute_is_the_normalised_cookie_domain() {
    let shouty = CookieSettings {
        cookie_domain: ".Shop.COM.",
        compat_cookies: false,
        require_consent: false,
    };
    let plan = plan_visit(
        &shouty,
        "T.Shop.com:443",
        None,
        ConsentSignal::Absent,
        &Captured::default(),
    );
    assert!(plan.set_cookies[0].contains("; Domain=shop.com; "));
}

#[test]
fn a_garbage_cookie_header_is_treated_as_absent() {
    let captured = capture_from_query("gclid=G1", &[]);
    let plan = plan_visit(
        &settings(true, false),
        "t.shop.com",
        Some("pc_vid=\u{0}; pc_clk=v1!!!*; _fbc=;;;; _gcl_aw=GCL"),
        ConsentSignal::Absent,
        &captured,
    );
    let visitor = plan.visitor.clone().unwrap();
    assert!(visitor.is_new);
    assert_eq!(plan.history.entries().len(), 1);
    assert!(named(&plan, "_gcl_aw").is_some());
}
