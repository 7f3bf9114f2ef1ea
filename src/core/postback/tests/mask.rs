//! Tests of what the delivery log may show: secrets in URLs, headers and bodies masked.

use crate::core::connector::Method;
use crate::core::postback::{
    looks_like_credential, mask_headers_for_log, mask_json_body_for_log, mask_secret,
    mask_url_for_log, OutgoingRequest,
};

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect()
}

#[test]
fn a_bearer_token_keeps_its_scheme_and_last_four_characters() {
    assert_eq!(mask_secret("Bearer abcdef123456wxyz"), "Bearer ****wxyz");
    assert_eq!(mask_secret("basic dXNlcjpwYXNzd29yZA=="), "basic ****ZA==");
}

#[test]
fn a_short_secret_is_masked_entirely() {
    assert_eq!(mask_secret("Bearer abc123"), "Bearer ****");
    assert_eq!(mask_secret("hunter2"), "****");
    assert_eq!(mask_secret(""), "****");
}

#[test]
fn a_first_word_that_is_not_an_auth_scheme_is_masked_with_the_rest() {
    assert_eq!(mask_secret("correct horse battery staple"), "****aple");
}

#[test]
fn authorization_like_headers_are_masked_and_others_are_kept() {
    let headers = pairs(&[
        ("Authorization", "Bearer abc123def456ghij"),
        ("Proxy-Authorization", "Basic Zm9vOmJhcg=="),
        ("X-API-Key", "sk_live_0123456789abcdef"),
        ("api-key", "0123456789abcdef"),
        ("X-Auth-Token", "tok_0123456789abcd"),
        ("X-Client-Secret", "s"),
        ("Cookie", "session=0123456789abcdef"),
        (
            "webhook-signature",
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
        ),
        ("Idempotency-Key", "dlv_01hzyx"),
        ("Content-Type", "application/json"),
        ("X-Shop", "EUR-shop"),
    ]);
    let masked = mask_headers_for_log(&headers);
    assert_eq!(
        masked,
        pairs(&[
            ("Authorization", "Bearer ****ghij"),
            ("Proxy-Authorization", "Basic ****cg=="),
            ("X-API-Key", "****cdef"),
            ("api-key", "****cdef"),
            ("X-Auth-Token", "****abcd"),
            ("X-Client-Secret", "****"),
            ("Cookie", "****cdef"),
            ("webhook-signature", "****1OE="),
            ("Idempotency-Key", "dlv_01hzyx"),
            ("Content-Type", "application/json"),
            ("X-Shop", "EUR-shop"),
        ])
    );
}

#[test]
fn credential_query_params_are_masked_and_every_other_byte_of_the_url_is_kept() {
    let url = "https://p.example/pb?cid=abc%20d&token=0123456789abcdef&api_key=short&SIG=x&k=pk_0123456789ab&value=49.90#f";
    assert_eq!(
        mask_url_for_log(url),
        "https://p.example/pb?cid=abc%20d&token=****cdef&api_key=****&SIG=****&k=****89ab&value=49.90#f"
    );
}

#[test]
fn a_url_without_a_query_or_without_credentials_is_unchanged() {
    for url in [
        "https://p.example/pb",
        "https://p.example/pb?cid=1&value=2&flag&=x",
        "https://p.example/pb#token=abc",
    ] {
        assert_eq!(mask_url_for_log(url), url);
    }
}

#[test]
fn credential_fields_of_a_json_body_are_masked_and_numbers_keep_their_spelling() {
    let body = r#"{"value":49.90,"api_key":"sk_0123456789abcd","n\"ote":"a,b}","secret":"x","ok":true,"none":null}"#;
    assert_eq!(
        mask_json_body_for_log(body),
        r#"{"value":49.90,"api_key":"****abcd","n\"ote":"a,b}","secret":"****","ok":true,"none":null}"#
    );
}

#[test]
fn a_body_that_is_not_a_flat_json_object_is_left_as_it_is() {
    for body in [
        "{}",
        r#"{"a":{"token":"x"}}"#,
        r#"[{"token":"x"}]"#,
        "not json",
        r#"{"token":"unterminated}"#,
        "",
    ] {
        assert_eq!(mask_json_body_for_log(body), body);
    }
}

#[test]
fn a_request_masked_for_the_log_masks_url_headers_and_body_together() {
    let request = OutgoingRequest {
        method: Method::Post,
        url: "https://p.example/pb?password=hunter2&cid=1".into(),
        headers: pairs(&[("Authorization", "Bearer abc123def456ghij")]),
        body: Some(r#"{"token":"tok_0123456789abcd","cid":"1"}"#.into()),
        unresolved: vec!["EMAIL".into()],
    };
    let masked = request.masked_for_log();
    assert_eq!(masked.url, "https://p.example/pb?password=****&cid=1");
    assert_eq!(masked.header("authorization"), Some("Bearer ****ghij"));
    assert_eq!(
        masked.body.as_deref(),
        Some(r#"{"token":"****abcd","cid":"1"}"#)
    );
    assert_eq!(masked.unresolved, request.unresolved);
    assert_eq!(masked.method, Method::Post);
}

#[test]
fn header_values_that_look_like_credentials_are_masked_whatever_the_header_is_called() {
    let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";
    let headers = pairs(&[
        ("X-Partner", "Bearer abcdef0123456789"),
        ("X-Forward", "basic dXNlcjpwYXNzd29yZA=="),
        ("X-Id-Claims", jwt),
        ("X-Stripe", "sk_live_0123456789abcdef"),
        ("X-Hook", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"),
        ("X-Note", "Bearer in mind the weekend"),
        ("X-Request-Id", "550e8400-e29b-41d4-a716-446655440000"),
        ("X-Campaign", "Token week"),
    ]);
    let masked = mask_headers_for_log(&headers);
    let values: Vec<&str> = masked.iter().map(|(_, v)| v.as_str()).collect();
    assert_eq!(
        values,
        vec![
            "Bearer ****6789",
            "basic ****ZA==",
            "****sR8U",
            "****cdef",
            "****LaSw",
            "Bearer in mind the weekend",
            "550e8400-e29b-41d4-a716-446655440000",
            "Token week",
        ]
    );
    assert!(looks_like_credential(jwt));
    assert!(!looks_like_credential("application/json"));
}
