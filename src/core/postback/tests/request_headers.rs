//! The headers of a built request: configured ones made safe, postclick's own, the Standard
//! Webhooks signature, and the requests that cannot be built.

use super::{independent_signature, values, webhook, SPEC_SECRET};
use crate::core::connector::{NamedTemplate, Templated};
use crate::core::postback::{
    build_request, verify_signature, BuildContext, BuildError, OutgoingRequest, SigningSecret,
    USER_AGENT,
};
use crate::core::template::TextTemplate;
use serde_json::json;

const CTX: BuildContext<'static> = BuildContext {
    idempotency_key: "dlv_01hzyx",
    timestamp_s: 1_700_000_000,
};

fn templated(source: &str) -> Templated {
    Templated {
        source: source.to_string(),
        template: TextTemplate::parse(source).unwrap(),
    }
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
