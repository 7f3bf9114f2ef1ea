//! Unit tests of the install check's verdict, sightings, throttle and plain words.

use super::*;

const SHOP: Option<&str> = Some("https://www.shop.com");

#[test]
fn a_tracking_subdomain_of_the_page_s_site_sets_first_party_cookies() {
    assert_eq!(
        verdict("shop.com", SHOP, "t.shop.com"),
        CookieVerdict::FirstParty
    );
    assert_eq!(
        verdict("shop.com", SHOP, "www.shop.com"),
        CookieVerdict::FirstParty
    );
    assert_eq!(
        verdict(
            "shop.co.uk",
            Some("https://shop.co.uk"),
            "t.shop.co.uk:8443"
        ),
        CookieVerdict::FirstParty
    );
}

#[test]
fn a_host_on_another_site_than_the_page_means_third_party_cookies() {
    assert_eq!(
        verdict("shop.com", Some("https://www.shop.net"), "t.shop.com"),
        CookieVerdict::ThirdParty
    );
    // Two sites under one public suffix are still two sites.
    assert_eq!(
        verdict("a.co.uk", Some("https://b.co.uk"), "t.a.co.uk"),
        CookieVerdict::ThirdParty
    );
    // A page on an IP address shares no site with any host.
    assert_eq!(
        verdict("shop.com", Some("http://10.0.0.1:8080"), "t.shop.com"),
        CookieVerdict::ThirdParty
    );
}

#[test]
fn a_host_the_cookie_domain_does_not_cover_gets_no_cookie() {
    for host in ["tracker.example.net", "127.0.0.1:8787", "evilshop.com", ""] {
        assert_eq!(
            verdict("shop.com", SHOP, host),
            CookieVerdict::HostNotCovered,
            "{host}"
        );
    }
}

#[test]
fn a_page_view_without_a_page_origin_has_an_unknown_verdict() {
    assert_eq!(
        verdict("shop.com", None, "t.shop.com"),
        CookieVerdict::UnknownPage
    );
}

#[test]
fn the_page_origin_comes_from_origin_then_referer_then_the_page_url() {
    let page = "https://www.shop.com/landing?gclid=1";
    assert_eq!(
        page_origin(
            Some("https://a.shop.com"),
            Some("https://b.shop.com/x"),
            page
        )
        .as_deref(),
        Some("https://a.shop.com")
    );
    assert_eq!(
        page_origin(Some("null"), Some("https://b.shop.com/x?y"), page).as_deref(),
        Some("https://b.shop.com")
    );
    assert_eq!(
        page_origin(None, None, page).as_deref(),
        Some("https://www.shop.com")
    );
    assert_eq!(page_origin(None, Some("android-app://x"), "nope"), None);
}

#[test]
fn one_value_gives_its_http_origin_or_nothing() {
    assert_eq!(
        origin_of(" https://WWW.Shop.com:8443/a?b#c ").as_deref(),
        Some("https://www.shop.com:8443")
    );
    assert_eq!(
        origin_of("https://shop.com:443").as_deref(),
        Some("https://shop.com")
    );
    for opaque in [
        "null",
        "",
        "file:///tmp/x",
        "android-app://x",
        "data:text/html,x",
    ] {
        assert_eq!(origin_of(opaque), None, "{opaque}");
    }
}

#[test]
fn verdict_words_round_trip_and_unknown_words_are_refused() {
    for v in [
        CookieVerdict::FirstParty,
        CookieVerdict::ThirdParty,
        CookieVerdict::HostNotCovered,
        CookieVerdict::UnknownPage,
    ] {
        assert_eq!(CookieVerdict::parse(v.code()), Some(v));
        assert_eq!(serde_json::to_value(v).unwrap(), v.code());
    }
    assert_eq!(CookieVerdict::parse("ok"), None);
}

#[test]
fn a_sighting_shows_the_same_origin_prefix_and_refuses_oversized_values() {
    let seen = sighting(
        "shop.com",
        SHOP.map(String::from),
        "WWW.shop.com",
        Some("/_pc"),
    )
    .unwrap();
    assert_eq!(seen.host, "www.shop.com/_pc");
    assert_eq!(seen.verdict, CookieVerdict::FirstParty);
    let long = format!("{}.shop.com", "a".repeat(300));
    assert_eq!(
        sighting("shop.com", SHOP.map(String::from), &long, None),
        None
    );
    assert_eq!(
        sighting("shop.com", SHOP.map(String::from), "t.shop.com\n", None),
        None
    );
}

#[test]
fn an_isolate_records_a_change_at_once_and_the_same_sighting_once_a_minute() {
    let seen = sighting("shop.com", SHOP.map(String::from), "t.shop.com", None).unwrap();
    let at = UnixMs::from_millis(1_000_000);
    assert!(due(None, &seen, at));
    let later = |ms: i64| UnixMs::from_millis(1_000_000 + ms);
    assert!(!due(
        Some((&seen, at)),
        &seen,
        later(RECORD_INTERVAL_MS - 1)
    ));
    assert!(due(Some((&seen, at)), &seen, later(RECORD_INTERVAL_MS)));
    let moved = Sighting {
        host: "t2.shop.com".into(),
        ..seen.clone()
    };
    assert!(due(Some((&seen, at)), &moved, later(1)));
}

#[test]
fn the_suggested_host_is_a_subdomain_of_the_page_s_site() {
    assert_eq!(suggested_tracking_host("shop.com", SHOP), "t.shop.com");
    assert_eq!(suggested_tracking_host("shop.com", None), "t.shop.com");
    assert_eq!(
        suggested_tracking_host("shop.com", Some("https://www.shop.net")),
        "t.shop.net"
    );
}

#[test]
fn the_problem_is_told_in_plain_words_naming_the_page_and_the_host() {
    let third = sighting(
        "example.net",
        Some("https://shop.com".into()),
        "tracker.example.net",
        None,
    )
    .unwrap();
    assert_eq!(third.verdict, CookieVerdict::ThirdParty);
    let words = problem("example.net", &third).unwrap();
    assert!(
        words.starts_with("The page is on shop.com but the snippet loads from tracker.example.net: cookies set there are third-party"),
        "{words}"
    );
    assert!(words.contains("t.shop.com"), "{words}");
    let uncovered = sighting("shop.com", SHOP.map(String::from), "127.0.0.1:8787", None).unwrap();
    let words = problem("shop.com", &uncovered).unwrap();
    assert!(
        words.contains("not under the cookie domain shop.com"),
        "{words}"
    );
    let fine = sighting("shop.com", SHOP.map(String::from), "t.shop.com", None).unwrap();
    assert_eq!(problem("shop.com", &fine), None);
}
