//! Tests of Standard Webhooks signing secrets and signatures.

use super::{independent_signature, SPEC_SECRET};
use crate::core::postback::{verify_signature, SigningSecret};

const SPEC_ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
const SPEC_TS: i64 = 1_614_265_330;
const SPEC_BODY: &str = r#"{"test": 2432232314}"#;
/// The signature the Standard Webhooks reference libraries produce for the inputs above.
const SPEC_SIGNATURE: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

#[test]
fn signing_reproduces_the_published_standard_webhooks_example() {
    let secret = SigningSecret::parse(SPEC_SECRET).unwrap();
    assert_eq!(
        secret.sign(SPEC_ID, SPEC_TS, SPEC_BODY.as_bytes()),
        SPEC_SIGNATURE
    );
    assert_eq!(
        independent_signature(SPEC_SECRET, SPEC_ID, SPEC_TS, SPEC_BODY),
        SPEC_SIGNATURE,
        "the test's own HMAC agrees with the spec, so it is a fair referee elsewhere"
    );
}

#[test]
fn the_three_headers_carry_id_timestamp_and_signature() {
    let secret = SigningSecret::parse(SPEC_SECRET).unwrap();
    let headers = secret.headers(SPEC_ID, SPEC_TS, SPEC_BODY.as_bytes());
    assert_eq!(
        headers,
        [
            ("webhook-id".to_string(), SPEC_ID.to_string()),
            ("webhook-timestamp".to_string(), "1614265330".to_string()),
            ("webhook-signature".to_string(), SPEC_SIGNATURE.to_string()),
        ]
    );
}

#[test]
fn verification_accepts_a_matching_signature_among_several() {
    let header = format!("v1,bm9wZQ== v2,whatever  {SPEC_SIGNATURE} v1,%%%");
    assert!(verify_signature(
        SPEC_SECRET,
        SPEC_ID,
        SPEC_TS,
        SPEC_BODY.as_bytes(),
        &header
    ));
}

#[test]
fn verification_refuses_any_change_to_id_timestamp_body_or_secret() {
    let body = SPEC_BODY.as_bytes();
    let other_secret = "whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    assert!(!verify_signature(
        SPEC_SECRET,
        "msg_other",
        SPEC_TS,
        body,
        SPEC_SIGNATURE
    ));
    assert!(!verify_signature(
        SPEC_SECRET,
        SPEC_ID,
        SPEC_TS + 1,
        body,
        SPEC_SIGNATURE
    ));
    assert!(!verify_signature(
        SPEC_SECRET,
        SPEC_ID,
        SPEC_TS,
        br#"{"test": 2432232315}"#,
        SPEC_SIGNATURE
    ));
    assert!(!verify_signature(
        other_secret,
        SPEC_ID,
        SPEC_TS,
        body,
        SPEC_SIGNATURE
    ));
}

#[test]
fn verification_refuses_malformed_headers_and_secrets() {
    let body = SPEC_BODY.as_bytes();
    let bare = SPEC_SIGNATURE.trim_start_matches("v1,");
    for header in [
        "",
        " ",
        bare,
        "v2,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
        "v1,",
        "v1,not-base64!",
    ] {
        assert!(
            !verify_signature(SPEC_SECRET, SPEC_ID, SPEC_TS, body, header),
            "{header:?}"
        );
    }
    for secret in ["", "whsec_", "whsec_***", "whsec_ MfKQ"] {
        assert!(
            !verify_signature(secret, SPEC_ID, SPEC_TS, body, SPEC_SIGNATURE),
            "{secret:?}"
        );
    }
}

#[test]
fn a_secret_without_the_whsec_prefix_is_the_same_key_as_the_reference_libraries_allow() {
    let bare = SPEC_SECRET.trim_start_matches("whsec_");
    assert_eq!(
        SigningSecret::parse(bare).unwrap(),
        SigningSecret::parse(SPEC_SECRET).unwrap()
    );
}

#[test]
fn a_secret_never_shows_its_key_in_debug_output() {
    let secret = SigningSecret::parse(SPEC_SECRET).unwrap();
    let shown = format!("{secret:?}");
    assert_eq!(shown, "SigningSecret(24 bytes)");
}
