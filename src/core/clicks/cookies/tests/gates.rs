//! What blocks cookies: consent and the cookie domain.

use super::*;

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
