//! The `Set-Cookie` values of a visit: exact attributes, the history, and the compatibility
//! cookies written only when their click id changes.

use super::*;

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
