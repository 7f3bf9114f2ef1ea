//! Tests of capture: which query parameters become click rows, how they decode, and their source.

use super::*;
use crate::core::connector::ClickIdConfig;

fn custom(param: &str, source_param: Option<&str>, source_value: Option<&str>) -> CustomClickParam {
    CustomClickParam {
        param: param.to_string(),
        source_param: source_param.map(str::to_string),
        source_value: source_value.map(str::to_string),
    }
}

fn params(captured: &Captured) -> Vec<&str> {
    captured.clicks().iter().map(|c| c.param.as_str()).collect()
}

#[test]
fn every_built_in_click_id_is_captured_byte_exact() {
    let click_ids: Vec<&str> = crate::core::click_params::captured_from_landing()
        .filter(|p| p.identifies_click())
        .map(|p| p.name)
        .collect();
    let query: String = click_ids
        .iter()
        .map(|p| format!("{p}=Val_{p}-AbC"))
        .collect::<Vec<_>>()
        .join("&");
    let captured = capture_from_query(&query, &[]);
    assert_eq!(params(&captured), click_ids);
    for p in &click_ids {
        let click = captured.get(p).unwrap();
        assert_eq!(click.value.as_str(), format!("Val_{p}-AbC"));
        assert_eq!(click.kind, ClickKind::ClickId);
        assert_eq!(click.source, None);
    }
}

#[test]
fn utm_tags_become_tag_rows_after_the_click_ids() {
    let captured = capture_from_url(
        "https://shop.com/?utm_campaign=summer+sale&utm_source=google&gclid=G1&utm_medium=cpc\
         &utm_content=a&utm_term=shoes%20red&utm_id=42",
        &[],
    );
    assert_eq!(
        params(&captured),
        vec![
            "gclid",
            "utm_campaign",
            "utm_source",
            "utm_medium",
            "utm_content",
            "utm_term",
            "utm_id"
        ]
    );
    assert_eq!(captured.value_of("utm_campaign"), Some("summer sale"));
    assert_eq!(captured.value_of("utm_term"), Some("shoes red"));
    let tag = captured.get("utm_medium").unwrap();
    assert_eq!(tag.kind, ClickKind::Tag);
    assert_eq!(tag.source.as_deref(), Some("google"));
}

#[test]
fn built_in_clicks_take_utm_source_as_their_source() {
    let captured = capture_from_query("fbclid=IwAR1&utm_source=facebook", &[]);
    assert_eq!(
        captured.get("fbclid").unwrap().source.as_deref(),
        Some("facebook")
    );
}

#[test]
fn a_plain_page_view_captures_nothing() {
    assert!(capture_from_url("https://shop.com/products?page=2&sort=price", &[]).is_empty());
    assert!(capture_from_url("https://shop.com/", &[]).is_empty());
}

#[test]
fn parameter_names_match_case_insensitively_and_values_keep_their_case() {
    let captured = capture_from_query("GCLID=AbCd&Utm_Source=Google", &[]);
    assert_eq!(captured.value_of("gclid"), Some("AbCd"));
    assert_eq!(captured.value_of("utm_source"), Some("Google"));
}

#[test]
fn the_first_usable_occurrence_wins() {
    let captured = capture_from_query("gclid=first&gclid=second", &[]);
    assert_eq!(captured.value_of("gclid"), Some("first"));
    let captured = capture_from_query(
        "click_id={clickid}&click_id=123",
        &[custom("click_id", None, None)],
    );
    assert_eq!(captured.value_of("click_id"), Some("123"));
    let captured = capture_from_query("gclid=&gclid=real", &[]);
    assert_eq!(captured.value_of("gclid"), Some("real"));
}

#[test]
fn a_literal_plus_in_a_click_id_is_kept() {
    let captured = capture_from_query("click_id=ab+cd%2Bef", &[custom("click_id", None, None)]);
    assert_eq!(captured.value_of("click_id"), Some("ab+cd+ef"));
}

#[test]
fn garbage_values_are_refused_with_a_reason_and_the_rest_still_captured() {
    let captured = capture_from_query(
        "gclid=%00bad&fbclid=has%20space&ttclid=%FF%FE&msclkid=ok1&epik=%0A&dclid={dclid}&rdt_cid=",
        &[],
    );
    assert_eq!(params(&captured), vec!["fbclid", "msclkid"]);
    assert_eq!(captured.value_of("fbclid"), Some("has space"));
    let refused: Vec<(&str, &str)> = captured
        .refused()
        .iter()
        .map(|r| (r.param.as_str(), r.reason.code()))
        .collect();
    assert_eq!(
        refused,
        vec![
            ("gclid", "invalid_text"),
            ("ttclid", "invalid_encoding"),
            ("epik", "empty"),
            ("dclid", "unfilled_macro"),
            ("rdt_cid", "empty"),
        ]
    );
}

#[test]
fn a_click_id_is_kept_byte_for_byte_after_percent_decoding() {
    let config = [custom("aff_click_id", None, None)];
    let captured = capture_from_query("aff_click_id=AFF%2F1%2B2%20%C3%BC", &config);
    assert_eq!(captured.value_of("aff_click_id"), Some("AFF/1+2 ü"));
    assert!(captured.refused().is_empty());
    let later = capture_from_query("gclid=&gclid=real", &[]);
    assert!(later.refused().is_empty(), "a later usable value wins");
}

#[test]
fn over_long_click_ids_are_ignored_rather_than_truncated() {
    let long = "a".repeat(513);
    let captured = capture_from_query(&format!("gclid={long}&fbclid=ok"), &[]);
    assert_eq!(captured.value_of("gclid"), None);
    assert_eq!(captured.value_of("fbclid"), Some("ok"));
}

#[test]
fn custom_connector_params_are_captured_with_their_source_param() {
    let config = [custom("aff_click_id", Some("network"), Some("platform_x"))];
    let captured = capture_from_query(
        "aff_click_id=12345&network=platform_x&utm_source=newsletter",
        &config,
    );
    let click = captured.get("aff_click_id").unwrap();
    assert_eq!(click.value.as_str(), "12345");
    assert_eq!(click.kind, ClickKind::ClickId);
    assert_eq!(click.source.as_deref(), Some("platform_x"));
    // The source parameter itself is not a click row.
    assert_eq!(captured.get("network"), None);
}

#[test]
fn a_custom_click_without_its_source_param_falls_back_to_utm_source() {
    let config = [custom("click_id", Some("network"), None)];
    let captured = capture_from_query("click_id=9&utm_source=mail", &config);
    assert_eq!(
        captured.get("click_id").unwrap().source.as_deref(),
        Some("mail")
    );
    let captured = capture_from_query("click_id=9", &config);
    assert_eq!(captured.get("click_id").unwrap().source, None);
}

#[test]
fn connectors_sharing_a_param_record_the_source_of_the_strictly_matching_one() {
    let config = [
        custom("click_id", Some("utm_source"), Some("platform_x")),
        custom("click_id", Some("net"), Some("platform_y")),
    ];
    let captured = capture_from_query("click_id=7&utm_source=google&net=Platform_Y", &config);
    assert_eq!(
        captured.get("click_id").unwrap().source.as_deref(),
        Some("Platform_Y")
    );
    let captured = capture_from_query("click_id=7&utm_source=google&net=other", &config);
    assert_eq!(
        captured.get("click_id").unwrap().source.as_deref(),
        Some("google")
    );
}

#[test]
fn custom_params_are_matched_case_insensitively() {
    let config = [custom("subid", None, None)];
    assert_eq!(
        capture_from_query("SubID=Xy", &config).value_of("subid"),
        Some("Xy")
    );
}

#[test]
fn custom_params_built_by_hand_with_upper_case_still_match() {
    let config = [custom("Aff_ID", Some("Network"), None)];
    let captured = capture_from_query("aff_id=1&network=x", &config);
    let click = captured.get("aff_id").unwrap();
    assert_eq!(click.source.as_deref(), Some("x"));
}

#[test]
fn custom_params_come_from_enabled_connector_config_only() {
    let mut config = ClickIdConfig {
        enabled: true,
        param: Some("Aff_ID".to_string()),
        source_param: Some("utm_source".to_string()),
        source_value: Some("x".to_string()),
        attribution: crate::core::connector::Attribution::LastClick,
        window_days: 30,
    };
    let param = CustomClickParam::from_config(&config).unwrap();
    assert_eq!(param.param, "aff_id");
    assert_eq!(param.source_param.as_deref(), Some("utm_source"));
    config.enabled = false;
    assert_eq!(CustomClickParam::from_config(&config), None);
}

#[test]
fn garbage_urls_capture_nothing() {
    for url in [
        "",
        "not a url",
        "/relative?gclid=abc",
        "http://",
        "https://[::1?gclid=x",
        "\u{0}",
        "?gclid=abc",
    ] {
        assert!(capture_from_url(url, &[]).is_empty(), "{url:?}");
    }
}

#[test]
fn the_fragment_is_not_read() {
    assert!(capture_from_url("https://shop.com/#gclid=abc", &[]).is_empty());
    let captured = capture_from_url("https://shop.com/?gclid=abc#fbclid=x", &[]);
    assert_eq!(params(&captured), vec!["gclid"]);
}

#[test]
fn hostile_queries_are_bounded_and_never_panic() {
    let many = "x=1&".repeat(10_000) + "gclid=late";
    assert!(capture_from_query(&many, &[]).is_empty());
    for q in [
        "&&&",
        "=",
        "==&=",
        "%",
        "%%",
        "%G1=%",
        "gclid",
        "gclid=%",
        "gclid=%E2%82",
        "=gclid",
    ] {
        let _ = capture_from_query(q, &[]);
    }
    assert_eq!(
        capture_from_query("gclid=%", &[]).value_of("gclid"),
        Some("%")
    );
}

#[test]
fn non_utf8_names_are_skipped() {
    assert!(capture_from_query("gcl%FFid=abc", &[]).is_empty());
}

#[test]
fn capture_accepts_pre_decoded_pairs() {
    let pairs = vec![
        (Cow::Borrowed("GBRAID"), Cow::Borrowed(" 0AAA ")),
        (Cow::Borrowed("wbraid"), Cow::Borrowed("")),
    ];
    let captured = capture(pairs.into_iter(), &[]);
    assert_eq!(captured.value_of("gbraid"), Some("0AAA"));
    assert_eq!(captured.value_of("wbraid"), None);
}

#[test]
fn combining_captures_keeps_the_first_and_adds_what_is_missing() {
    let own = capture_from_query("gclid=A&utm_source=ads", &[]);
    let landing = capture_from_query("gclid=B&fbclid=F", &[]);
    let both = own.or(landing);
    assert_eq!(both.value_of("gclid"), Some("A"));
    assert_eq!(both.value_of("fbclid"), Some("F"));
    assert_eq!(params(&both), vec!["gclid", "fbclid", "utm_source"]);
}
