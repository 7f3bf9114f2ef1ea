//! Tests of what a container keeps raw, event minimisation and erasure subjects.

use super::subject::{subject_hash, url_without_query_values, Subject, SubjectKind};
use super::*;
use crate::core::connector::parse_connector;
use crate::core::template::hex_sha256;
use serde_json::{json, Value};

fn connector(params: Value, pixel: &str) -> ConnectorConfig {
    parse_connector(
        &json!({"name": "P", "trigger_events": ["Purchase"], "mode": "disabled",
                "webhook": {"enabled": true, "method": "GET", "url": "https://p.example/pb",
                            "params": params},
                "pixel": {"enabled": !pixel.is_empty(), "html": pixel, "sandbox": true}}),
        None,
    )
    .unwrap()
}

#[test]
fn a_container_keeps_raw_only_what_some_connector_sends_raw() {
    let hashed = connector(json!([{"name": "em", "value": "{{EMAIL_SHA256}}"}]), "");
    assert_eq!(PiiPolicy::of_connectors([&hashed]), PiiPolicy::default());

    let raw = connector(
        json!([{"name": "e", "value": "{{ EMAIL | sha256 }}"}, {"name": "ip", "value": "{{IP}}"}]),
        "<img src=\"https://p.example/px?fn={{FIRST_NAME}}\">",
    );
    let policy = PiiPolicy::of_connectors([&hashed, &raw]);
    assert!(policy.user.email && policy.user.first_name && policy.ip);
    assert!(!policy.user.phone && !policy.user.last_name && !policy.user_agent);
}

#[test]
fn a_minimised_event_keeps_no_raw_contact_ip_or_user_agent() {
    let mut event: NewEvent = serde_json::from_value(json!({
        "name": "Lead", "source": {"kind": "browser"}, "ip": "203.0.113.9",
        "user_agent": "Mozilla/5.0", "user": {"email": "a@b.com", "phone": "+358401234567"}}))
    .unwrap();
    let stored = minimise_event(&event, PiiPolicy::default());
    let text = serde_json::to_string(&stored).unwrap();
    for raw in ["a@b.com", "358401234567", "203.0.113.9", "Mozilla"] {
        assert!(!text.contains(raw), "{raw} in {text}");
    }
    assert_eq!(stored.user.email_hashes(), event.user.email_hashes());
    event.ip = None;
    event.user_agent = None;
    assert_eq!(minimise_event(&event, PiiPolicy::KEEP_ALL), event);
}

#[test]
fn a_subject_is_one_identifier_keyed_as_the_identity_tables_index_it() {
    let email = Subject::parse([("email", " A@B.com ")]).unwrap();
    assert_eq!(email.kind, SubjectKind::Email);
    assert_eq!(email.key, hex_sha256("a@b.com"));
    assert_eq!(email.hash(), subject_hash("email", &hex_sha256("a@b.com")));
    let phone = Subject::parse([("phone", "+358 40 1234567")]).unwrap();
    assert_eq!(phone.key, hex_sha256("358401234567"));
    let id = Subject::parse([("external_id", "crm-1"), ("other", "x")]).unwrap();
    assert_eq!(
        (id.kind, id.key.as_str()),
        (SubjectKind::ExternalId, "crm-1")
    );
    assert!(!email.hash().contains("a@b.com") && email.hash().len() == 64);
}

#[test]
fn a_subject_needs_exactly_one_usable_identifier() {
    assert_eq!(Subject::parse([]).unwrap_err().code, "missing_identifier");
    let two = Subject::parse([("email", "a@b.com"), ("phone", "+358401234567")]).unwrap_err();
    assert_eq!(
        (two.code, two.field.as_deref()),
        ("one_identifier", Some("phone"))
    );
    let bad = Subject::parse([("email", "not-an-email")]).unwrap_err();
    assert_eq!(
        (bad.code, bad.field.as_deref()),
        ("invalid_identifier", Some("email"))
    );
    assert!(Subject::parse([("visitor_id", "  ")]).is_err());
}

#[test]
fn logged_urls_lose_their_query_values() {
    assert_eq!(
        url_without_query_values("https://p.example/pb?cid=AFF%2F1&em=a%40b.com#x"),
        "https://p.example/pb?cid=&em="
    );
    assert_eq!(
        url_without_query_values("https://p.example/pb"),
        "https://p.example/pb"
    );
}

#[test]
fn placeholders_are_read_from_stored_text_tolerantly() {
    let stored = r#"{"webhook":{"params":[{"name":"e","value":"{{ EMAIL | sha256 }}"}]},"pixel":{"html":"<img src=\"x?ua={{USER_AGENT}}\">{{"}}"#;
    let policy = PiiPolicy::of_stored([stored]);
    assert!(policy.user.email && policy.user_agent);
    assert!(!policy.user.phone && !policy.ip);
    assert_eq!(
        PiiPolicy::of_stored(["{{", "}}", "no placeholders"]),
        PiiPolicy::default()
    );
}
