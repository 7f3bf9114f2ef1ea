use super::{independent_signature, values, webhook, SPEC_SECRET};
use crate::core::connector::{Method, NamedTemplate, Templated};
use crate::core::postback::{
    build_request, verify_signature, BuildContext, BuildError, OutgoingRequest, SigningSecret,
    USER_AGENT,
};
use crate::core::template::TextTemplate;
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

fn templated(source: &str) -> Templated {
    Templated {
        source: source.to_string(),
        template: TextTemplate::parse(source).unwrap(),
    }
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
fn every_request_carries_the_configured_headers_a_postclick_user_agent_and_the_idempotency_key() {
    let hook = webhook(json!({"enabled": true, "url": "https://partner.example/pb",
        "headers": [{"name": "Authorization", "value": "Bearer abc123"}, {"name": "X-Shop", "value": "{{CURRENCY}}-shop"}]}));
    let request = build_request(&hook, &values(&[("CURRENCY", "EUR")]), &CTX).unwrap();
    assert_eq!(
        request.headers,
        vec![
            ("Authorization".to_string(), "Bearer abc123".to_string()),
            ("X-Shop".to_string(), "EUR-shop".to_string()),
            ("User-Agent".to_string(), USER_AGENT.to_string()),
            ("Idempotency-Key".to_string(), "dlv_01hzyx".to_string()),
        ]
    );
    assert!(USER_AGENT.starts_with("postclick/") && USER_AGENT.ends_with("(+postbacks)"));
    assert_eq!(
        request.header("webhook-signature"),
        None,
        "unsigned without a secret"
    );
}

#[test]
fn line_breaks_from_a_value_are_stripped_so_no_header_can_be_injected() {
    let hook = webhook(json!({"enabled": true, "url": "https://partner.example/pb",
        "headers": [{"name": "X-Ref", "value": "{{EXTERNAL_ID}}"}]}));
    let request = build_request(
        &hook,
        &values(&[("EXTERNAL_ID", " u1\r\nX-Injected: 1\n\u{0}\u{7f}\u{85}end ")]),
        &CTX,
    )
    .unwrap();
    assert_eq!(request.header("X-Ref"), Some("u1X-Injected: 1end"));
    assert_eq!(request.header("X-Injected"), None);
    assert!(request
        .headers
        .iter()
        .all(|(_, v)| !v.contains(['\r', '\n', '\0'])));
}

#[test]
fn non_ascii_header_values_are_percent_encoded_as_utf8() {
    let hook = webhook(json!({"enabled": true, "url": "https://partner.example/pb",
        "headers": [{"name": "X-Name", "value": "{{FIRST_NAME}}"}]}));
    let request = build_request(&hook, &values(&[("FIRST_NAME", "Zoë π")]), &CTX).unwrap();
    assert_eq!(request.header("X-Name"), Some("Zo%C3%AB %CF%80"));
    assert!(request.headers.iter().all(|(_, v)| v.is_ascii()));
}

#[test]
fn a_configured_header_cannot_replace_the_ones_postclick_sets() {
    // The admin API refuses these names; a hand-built config must not slip them through either.
    let mut hook = webhook(json!({"enabled": true, "url": "https://partner.example/pb"}));
    for name in ["User-Agent", "idempotency-key", "Webhook-Signature", "Host"] {
        hook.headers.push(NamedTemplate {
            name: name.into(),
            value: templated("forged"),
        });
    }
    let request = build_request(&hook, &values(&[]), &CTX).unwrap();
    assert!(request.headers.iter().all(|(_, v)| v != "forged"));
    assert_eq!(request.header("user-agent"), Some(USER_AGENT));
}

#[test]
fn a_signing_secret_adds_standard_webhooks_headers_over_the_exact_body() {
    let hook = webhook(
        json!({"enabled": true, "method": "POST", "url": "https://partner.example/pb",
        "params": [{"name": "value", "value": "{{VALUE}}"}], "signing_secret": SPEC_SECRET}),
    );
    let request = build_request(&hook, &values(&[("VALUE", "10")]), &CTX).unwrap();
    let body = request.body.as_deref().unwrap();
    assert_eq!(request.header("webhook-id"), Some("dlv_01hzyx"));
    assert_eq!(request.header("webhook-timestamp"), Some("1700000000"));
    let signature = request.header("webhook-signature").unwrap();
    assert_eq!(
        signature,
        independent_signature(SPEC_SECRET, "dlv_01hzyx", 1_700_000_000, body)
    );
    assert!(verify_signature(
        SPEC_SECRET,
        "dlv_01hzyx",
        1_700_000_000,
        body.as_bytes(),
        signature
    ));
}

#[test]
fn a_signed_get_signs_an_empty_body() {
    let hook = webhook(json!({"enabled": true, "url": "https://partner.example/pb",
        "params": [{"name": "v", "value": "1"}], "signing_secret": SPEC_SECRET}));
    let request = build_request(&hook, &values(&[]), &CTX).unwrap();
    assert_eq!(
        request.header("webhook-signature").unwrap(),
        independent_signature(SPEC_SECRET, "dlv_01hzyx", 1_700_000_000, "")
    );
}

#[test]
fn resigning_for_a_retry_keeps_the_id_and_signs_the_new_timestamp() {
    let hook = webhook(
        json!({"enabled": true, "method": "POST", "url": "https://partner.example/pb",
        "params": [{"name": "v", "value": "1"}], "signing_secret": SPEC_SECRET}),
    );
    let mut request = build_request(&hook, &values(&[]), &CTX).unwrap();
    let before = request.clone();
    request.resign(&SigningSecret::parse(SPEC_SECRET).unwrap(), 1_700_003_600);
    assert_eq!(request.header("webhook-id"), Some("dlv_01hzyx"));
    assert_eq!(request.header("Idempotency-Key"), Some("dlv_01hzyx"));
    assert_eq!(request.header("webhook-timestamp"), Some("1700003600"));
    assert_eq!(
        request.header("webhook-signature").unwrap(),
        independent_signature(SPEC_SECRET, "dlv_01hzyx", 1_700_003_600, r#"{"v":"1"}"#)
    );
    assert_eq!(
        request.headers.len(),
        before.headers.len(),
        "no header is doubled"
    );
    assert_eq!((request.url, request.body), (before.url, before.body));
}

#[test]
fn the_same_delivery_builds_the_same_request_every_time() {
    let hook = webhook(
        json!({"enabled": true, "method": "POST", "url": "https://partner.example/pb",
        "params": [{"name": "v", "value": "{{VALUE}}"}], "signing_secret": SPEC_SECRET}),
    );
    let vals = values(&[("VALUE", "3")]);
    assert_eq!(
        build_request(&hook, &vals, &CTX).unwrap(),
        build_request(&hook, &vals, &CTX).unwrap()
    );
}

#[test]
fn a_malformed_idempotency_key_is_refused() {
    let hook = webhook(json!({"enabled": true, "url": "https://partner.example/pb"}));
    let long = "x".repeat(129);
    for key in ["", "has space", "line\nbreak", "ünï", long.as_str()] {
        let ctx = BuildContext {
            idempotency_key: key,
            timestamp_s: 0,
        };
        assert_eq!(
            build_request(&hook, &values(&[]), &ctx),
            Err(BuildError::InvalidIdempotencyKey),
            "{key:?}"
        );
    }
}

#[test]
fn a_webhook_without_url_or_with_a_broken_secret_cannot_be_built() {
    let mut hook = webhook(json!({"enabled": false}));
    assert_eq!(
        build_request(&hook, &values(&[]), &CTX),
        Err(BuildError::MissingUrl)
    );
    hook.url = Some(templated("https://partner.example/pb"));
    hook.signing_secret = Some("whsec_not base64!".into());
    let err = build_request(&hook, &values(&[]), &CTX).unwrap_err();
    assert_eq!(err, BuildError::InvalidSigningSecret);
    assert_eq!(err.to_invalid().code, "invalid_signing_secret");
}

#[test]
fn a_rendered_url_that_is_not_http_is_refused() {
    let mut hook = webhook(json!({"enabled": true, "url": "https://partner.example/pb"}));
    hook.url = Some(templated("javascript://x/{{VALUE}}"));
    assert!(matches!(
        build_request(&hook, &values(&[]), &CTX),
        Err(BuildError::InvalidUrl(_))
    ));
    hook.url = Some(templated("not a url/{{VALUE}}"));
    assert_eq!(
        build_request(&hook, &values(&[]), &CTX),
        Err(BuildError::PlaceholderInHost)
    );
}

#[test]
fn a_request_survives_a_round_trip_through_storage() {
    let hook = webhook(
        json!({"enabled": true, "method": "POST", "url": "https://partner.example/pb",
        "params": [{"name": "v", "value": "{{VALUE}}"}]}),
    );
    let request = build_request(&hook, &values(&[]), &CTX).unwrap();
    let stored = serde_json::to_string(&request).unwrap();
    assert!(stored.contains(r#""method":"POST""#));
    let back: OutgoingRequest = serde_json::from_str(&stored).unwrap();
    assert_eq!(back, request);
    assert!(serde_json::from_str::<OutgoingRequest>(&stored.replace("POST", "PUT")).is_err());
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
