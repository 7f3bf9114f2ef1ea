//! Tests of the built request's URL and body: GET queries, POST JSON, and placeholder encoding.

use super::{values, webhook};
use crate::core::connector::Method;
use crate::core::postback::{build_request, BuildContext, BuildError};
use percent_encoding::percent_decode_str;
use serde_json::{json, Value};

const CTX: BuildContext<'static> = BuildContext {
    idempotency_key: "dlv_01hzyx",
    timestamp_s: 1_700_000_000,
};

fn query_pairs(url: &str) -> Vec<(String, String)> {
    url::Url::parse(url)
        .unwrap()
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

#[test]
fn get_appends_the_params_after_the_urls_own_query_keeping_it_in_order() {
    let hook = webhook(json!({
        "enabled": true, "method": "GET", "url": "https://partner.example/pb?net=x&b=2&net=y",
        "params": [{"name": "value", "value": "{{VALUE}}"}, {"name": "cid", "value": "{{CLICK_ID}}"}]
    }));
    let request = build_request(
        &hook,
        &values(&[("VALUE", "49.90"), ("CLICK_ID", "abc123")]),
        &CTX,
    )
    .unwrap();
    assert_eq!(request.method, Method::Get);
    assert_eq!(
        request.url,
        "https://partner.example/pb?net=x&b=2&net=y&value=49.90&cid=abc123"
    );
    assert_eq!(request.body, None);
    assert!(request.unresolved.is_empty());
}

#[test]
fn get_percent_encodes_reserved_and_non_ascii_values_so_the_partner_decodes_them_exactly() {
    let hostile = "a b&c=d+e/f?g#h%i;j,k'l\"m<n>";
    let unicode = "Zoë 東京 💸 \u{2028}";
    let hook = webhook(json!({
        "enabled": true, "url": "https://partner.example/pb",
        "params": [{"name": "t", "value": "{{TRANSACTION_ID}}"}, {"name": "n", "value": "{{FIRST_NAME}}"},
                   {"name": "name with&=", "value": "x"}]
    }));
    let request = build_request(
        &hook,
        &values(&[("TRANSACTION_ID", hostile), ("FIRST_NAME", unicode)]),
        &CTX,
    )
    .unwrap();
    // A form decoder (most partner frameworks) gets the exact values back...
    assert_eq!(
        query_pairs(&request.url),
        vec![
            ("t".to_string(), hostile.to_string()),
            ("n".to_string(), unicode.to_string()),
            ("name with&=".to_string(), "x".to_string()),
        ]
    );
    // ...and so does a plain RFC 3986 decoder, because nothing is left unescaped but the
    // unreserved characters (a space is %20, never +).
    let query = request.url.split_once('?').unwrap().1;
    assert!(query
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-._~%=&".contains(c)));
    let t = query.split('&').next().unwrap().strip_prefix("t=").unwrap();
    assert_eq!(percent_decode_str(t).decode_utf8().unwrap(), hostile);
    assert!(t.contains("%20") && t.contains("%2B") && t.contains("%26") && t.contains("%25"));
}

#[test]
fn get_adds_a_query_when_the_url_has_none_and_leaves_the_url_alone_without_params() {
    let with_params = webhook(json!({"enabled": true, "url": "https://partner.example/pb",
        "params": [{"name": "e", "value": "{{EVENT_NAME}}"}]}));
    let request = build_request(&with_params, &values(&[("EVENT_NAME", "sale")]), &CTX).unwrap();
    assert_eq!(request.url, "https://partner.example/pb?e=sale");

    let without = webhook(json!({"enabled": true, "url": "https://partner.example/pb?a=1"}));
    let request = build_request(&without, &values(&[]), &CTX).unwrap();
    assert_eq!(request.url, "https://partner.example/pb?a=1");

    for url in [
        "https://partner.example/pb?",
        "https://partner.example/pb?a=1&",
    ] {
        let hook = webhook(json!({"enabled": true, "url": url,
            "params": [{"name": "e", "value": "x"}]}));
        let request = build_request(&hook, &values(&[]), &CTX).unwrap();
        assert!(
            request.url.ends_with("?e=x") || request.url.ends_with("?a=1&e=x"),
            "{}",
            request.url
        );
    }
}

#[test]
fn placeholders_in_the_url_path_and_query_are_percent_encoded_for_where_they_stand() {
    let hook = webhook(json!({"enabled": true,
        "url": "https://partner.example/pb/{{EVENT_ID}}/done?tid={{TRANSACTION_ID}}&v={{VALUE}}"}));
    let request = build_request(
        &hook,
        &values(&[
            ("EVENT_ID", "../admin x"),
            ("TRANSACTION_ID", "1&evil=2"),
            ("VALUE", "5"),
        ]),
        &CTX,
    )
    .unwrap();
    assert_eq!(
        request.url,
        "https://partner.example/pb/..%2Fadmin%20x/done?tid=1%26evil%3D2&v=5"
    );
    let url = url::Url::parse(&request.url).unwrap();
    assert_eq!(
        url.path_segments().unwrap().count(),
        3,
        "a value adds no path segment"
    );
    assert_eq!(
        query_pairs(&request.url).len(),
        2,
        "a value adds no query param"
    );
}

#[test]
fn a_placeholder_in_the_host_is_refused_so_a_value_never_chooses_where_we_connect() {
    let hook =
        webhook(json!({"enabled": true, "url": "https://partner{{CLICK_SOURCE}}.example/pb"}));
    let err = build_request(&hook, &values(&[("CLICK_SOURCE", ".evil.test/")]), &CTX).unwrap_err();
    assert_eq!(err, BuildError::PlaceholderInHost);
    assert_eq!(err.to_invalid().field.as_deref(), Some("webhook.url"));
}

#[test]
fn the_fragment_is_dropped_because_http_never_sends_it() {
    let hook = webhook(
        json!({"enabled": true, "url": "https://partner.example/pb?a=1#frag",
        "params": [{"name": "v", "value": "{{VALUE}}"}]}),
    );
    let request = build_request(&hook, &values(&[("VALUE", "1")]), &CTX).unwrap();
    assert_eq!(request.url, "https://partner.example/pb?a=1&v=1");
}

#[test]
fn unresolved_placeholders_render_empty_and_are_listed_once_in_order_of_appearance() {
    let hook = webhook(
        json!({"enabled": true, "url": "https://partner.example/pb/{{EVENT_ID}}",
        "params": [{"name": "cid", "value": "{{CLICK_ID}}"}, {"name": "v", "value": "{{VALUE|default:0}}"},
                   {"name": "again", "value": "{{CLICK_ID}}"}],
        "headers": [{"name": "X-Ref", "value": "{{EXTERNAL_ID}}"}]}),
    );
    let request = build_request(&hook, &values(&[]), &CTX).unwrap();
    assert_eq!(request.url, "https://partner.example/pb/?cid=&v=0&again=");
    assert_eq!(
        request.unresolved,
        vec!["EVENT_ID", "CLICK_ID", "VALUE", "EXTERNAL_ID"]
    );
    assert_eq!(request.header("X-Ref"), Some(""));
}

#[test]
fn post_sends_the_params_as_a_json_object_in_configured_order() {
    let hook = webhook(
        json!({"enabled": true, "method": "POST", "url": "https://partner.example/pb?src=pc",
        "params": [{"name": "zeta", "value": "{{EVENT_NAME}}"}, {"name": "alpha", "value": "{{CLICK_ID}}"},
                   {"name": "value", "value": "{{VALUE}}"}]}),
    );
    let request = build_request(
        &hook,
        &values(&[
            ("EVENT_NAME", "sale"),
            ("CLICK_ID", "abc"),
            ("VALUE", "49.90"),
        ]),
        &CTX,
    )
    .unwrap();
    assert_eq!(request.method, Method::Post);
    assert_eq!(
        request.url, "https://partner.example/pb?src=pc",
        "POST keeps the URL as is"
    );
    assert_eq!(
        request.body.as_deref(),
        Some(r#"{"zeta":"sale","alpha":"abc","value":49.90}"#)
    );
    assert_eq!(request.header("content-type"), Some("application/json"));
}

#[test]
fn post_without_params_sends_an_empty_object() {
    let hook =
        webhook(json!({"enabled": true, "method": "POST", "url": "https://partner.example/pb"}));
    let request = build_request(&hook, &values(&[]), &CTX).unwrap();
    assert_eq!(request.body.as_deref(), Some("{}"));
}

#[test]
fn only_a_bare_numeric_placeholder_with_a_number_becomes_a_json_number() {
    let cases: &[(&str, &str, Value)] = &[
        ("{{VALUE}}", "49.9", json!(49.9)),
        ("{{VALUE}}", "-0.5", json!(-0.5)),
        ("{{VALUE}}", "0", json!(0)),
        ("{{TIMESTAMP}}", "1700000000", json!(1_700_000_000)),
        ("{{ VALUE | default:0 }}", "", json!(0)),
        ("{{VALUE}}", "", json!("")),
        ("{{VALUE}}", "01", json!("01")),
        ("{{VALUE}}", "1.", json!("1.")),
        ("{{VALUE}}", ".5", json!(".5")),
        ("{{VALUE}}", "NaN", json!("NaN")),
        ("{{VALUE}}", "1e", json!("1e")),
        ("{{VALUE}}", "12 ", json!("12 ")),
        ("{{VALUE}} EUR", "10", json!("10 EUR")),
        (
            "{{VALUE|sha256}}",
            "10",
            json!(crate::core::template::hex_sha256("10")),
        ),
        ("{{TRANSACTION_ID}}", "12345", json!("12345")),
        ("49.90", "", json!("49.90")),
    ];
    for (template, value, expected) in cases {
        let hook = webhook(
            json!({"enabled": true, "method": "POST", "url": "https://partner.example/pb",
            "params": [{"name": "v", "value": template}]}),
        );
        let vals = values(&[
            ("VALUE", value),
            ("TIMESTAMP", value),
            ("TRANSACTION_ID", value),
        ]);
        let request = build_request(&hook, &vals, &CTX).unwrap();
        let body: Value = serde_json::from_str(request.body.as_deref().unwrap()).unwrap();
        assert_eq!(&body["v"], expected, "{template} with {value:?}");
    }
}

#[test]
fn post_escapes_hostile_strings_so_they_stay_one_json_string() {
    let hostile = "\"}, \"admin\": true, \"x\": \"\\\n\u{0}\u{2028}</script>";
    let hook = webhook(
        json!({"enabled": true, "method": "POST", "url": "https://partner.example/pb",
        "params": [{"name": "note \"q\"", "value": "{{NOTE}}"}]}),
    );
    let request = build_request(&hook, &values(&[("NOTE", hostile)]), &CTX).unwrap();
    let body: Value = serde_json::from_str(request.body.as_deref().unwrap()).unwrap();
    assert_eq!(body, json!({"note \"q\"": hostile}));
}

#[test]
fn a_repeated_param_name_is_repeated_in_a_query_but_keeps_its_last_value_in_json() {
    let params = json!([{"name": "a", "value": "1"}, {"name": "b", "value": "2"}, {"name": "a", "value": "3"}]);
    let get =
        webhook(json!({"enabled": true, "url": "https://partner.example/pb", "params": params}));
    let request = build_request(&get, &values(&[]), &CTX).unwrap();
    assert_eq!(request.url, "https://partner.example/pb?a=1&b=2&a=3");

    let post = webhook(
        json!({"enabled": true, "method": "POST", "url": "https://partner.example/pb", "params": params}),
    );
    let request = build_request(&post, &values(&[]), &CTX).unwrap();
    assert_eq!(request.body.as_deref(), Some(r#"{"a":"3","b":"2"}"#));
}

#[test]
fn a_value_that_makes_a_dot_segment_in_any_spelling_fails_the_postback() {
    let hook =
        webhook(json!({"enabled": true, "url": "https://partner.example/pb/{{ORDER_ID}}/confirm"}));
    for dots in ["..", "."] {
        let err = build_request(&hook, &values(&[("ORDER_ID", dots)]), &CTX).unwrap_err();
        assert_eq!(err, BuildError::DotSegment, "{dots:?}");
        assert_eq!(err.code(), "dot_segment");
    }
    let spelled =
        webhook(json!({"enabled": true, "url": "https://partner.example/pb/%2e{{X}}/confirm"}));
    assert_eq!(
        build_request(&spelled, &values(&[("X", ".")]), &CTX).unwrap_err(),
        BuildError::DotSegment,
        "a literal %2e and a value's dot make '..'"
    );
    for fine in ["...", "a..", "%2e%2e", "x"] {
        let request = build_request(&hook, &values(&[("ORDER_ID", fine)]), &CTX).unwrap();
        assert!(
            request.url.ends_with("/confirm"),
            "{fine:?}: {}",
            request.url
        );
        assert!(request.url.contains("/pb/"), "{fine:?}: {}", request.url);
    }
    let in_query = webhook(json!({"enabled": true, "url": "https://partner.example/pb?o={{X}}"}));
    assert!(build_request(&in_query, &values(&[("X", "..")]), &CTX).is_ok());
}
