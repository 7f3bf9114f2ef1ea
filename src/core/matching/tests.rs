//! Tests of matching: keys in trust order, the first known key, and the identities stored.

use super::*;
use crate::core::user_data::{parse_user_object, Email, Phone};
use crate::core::webhook_in::tracklution::{parse_webhook, TrackOrSet, WebhookBody};
use serde_json::json;
use std::collections::HashMap;

fn user(value: serde_json::Value) -> UserData {
    parse_user_object(&value, "user").unwrap()
}

fn email_sha256(raw: &str) -> Option<String> {
    Email::parse(raw, "email").unwrap()?.sha256()
}

fn phone_sha256(raw: &str) -> Option<String> {
    Phone::parse(raw, "phone").unwrap()?.sha256()
}

fn webhook(list: &[(&str, &str)]) -> TrackOrSet {
    let query: Vec<(String, String)> = list
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect();
    parse_webhook(&query, &WebhookBody::Empty).unwrap()
}

fn keys_of(parsed: &TrackOrSet) -> MatchKeys {
    match parsed {
        TrackOrSet::Track(event) => MatchKeys::from_event(event),
        TrackOrSet::Set(set) => set.match_keys(),
        TrackOrSet::Status(..) => MatchKeys::default(),
    }
}

fn labels(keys: &MatchKeys) -> Vec<String> {
    keys.keys().iter().map(|k| k.kind.label()).collect()
}

fn everything() -> TrackOrSet {
    webhook(&[
        ("track", "Purchase"),
        ("phoneNumber", "+1 555 123 4567"),
        ("email", " Jane@Example.com "),
        ("externalId", "crm-1"),
        ("utmSource", "google"),
        ("trls", "src"),
        ("gclid", "g-1"),
        ("fbclid", "f-1"),
        ("visitorId", "v_1"),
    ])
}

#[test]
fn keys_come_in_trust_order_visitor_clicks_external_id_email_phone() {
    let keys = keys_of(&everything());
    assert_eq!(
        labels(&keys),
        [
            "visitor_id",
            "click:gclid",
            "click:fbclid",
            "external_id",
            "email_sha256",
            "phone_sha256"
        ]
    );
    let email = &keys.keys()[4];
    assert_eq!(Some(email.key.clone()), email_sha256("jane@example.com"));
    let phone = &keys.keys()[5];
    assert_eq!(Some(phone.key.clone()), phone_sha256("15551234567"));
}

#[test]
fn utm_tags_and_the_trls_source_never_match_a_visitor() {
    let keys = keys_of(&webhook(&[
        ("track", "Lead"),
        ("utmSource", "google"),
        ("utmCampaign", "summer"),
        ("trls", "src"),
    ]));
    assert!(keys.is_empty());
}

#[test]
fn the_first_known_key_wins_and_later_keys_are_not_asked() {
    let keys = keys_of(&everything());
    let known: HashMap<&str, &str> = [
        ("external_id", "vis-by-ext"),
        ("email_sha256", "vis-by-email"),
    ]
    .into_iter()
    .collect();
    let asked = std::cell::RefCell::new(Vec::new());
    let found = choose_match(&keys, |key| {
        asked.borrow_mut().push(key.kind.label());
        known.get(key.kind.label().as_str()).map(|v| v.to_string())
    })
    .unwrap();
    assert_eq!(found.visitor, "vis-by-ext");
    assert_eq!(found.by, IdentityKind::ExternalId);
    assert_eq!(
        *asked.borrow(),
        ["visitor_id", "click:gclid", "click:fbclid", "external_id"]
    );
}

#[test]
fn each_identifier_alone_can_find_the_visitor() {
    let cases: [(&[(&str, &str)], IdentityKind); 5] = [
        (&[("visitorId", "v_1")], IdentityKind::VisitorId),
        (
            &[("gclid", "g-1")],
            IdentityKind::Click {
                param: "gclid".into(),
            },
        ),
        (&[("externalId", "crm-1")], IdentityKind::ExternalId),
        (&[("email", "jane@example.com")], IdentityKind::EmailSha256),
        (
            &[("phoneNumber", "+15551234567")],
            IdentityKind::PhoneSha256,
        ),
    ];
    for (params, kind) in cases {
        let keys = keys_of(&webhook(params));
        let found = choose_match(&keys, |k| (k.kind == kind).then(|| "visitor".to_string()));
        assert_eq!(found.map(|m| m.by), Some(kind));
    }
}

#[test]
fn nothing_known_means_no_match() {
    let keys = keys_of(&everything());
    assert_eq!(choose_match(&keys, |_| None), None);
    assert_eq!(
        choose_match(&MatchKeys::default(), |_| Some("v".into())),
        None
    );
}

#[test]
fn identities_to_store_are_external_ids_then_hashed_emails_then_hashed_phones() {
    let user = user(json!({
        "email": "jane@example.com", "phone": "+15551234567", "external_id": "crm-1",
        "priority_external_id": "prio-1",
        "email_variants": ["jane.doe@example.com", "JANE@example.com"],
        "phone_variants": ["+15551234568"]
    }));
    let stored = identities_to_store(&user);
    let expected = vec![
        (IdentityKind::ExternalId, "prio-1".to_string()),
        (IdentityKind::ExternalId, "crm-1".to_string()),
        (
            IdentityKind::EmailSha256,
            email_sha256("jane@example.com").unwrap(),
        ),
        (
            IdentityKind::EmailSha256,
            email_sha256("jane.doe@example.com").unwrap(),
        ),
        (
            IdentityKind::PhoneSha256,
            phone_sha256("+15551234567").unwrap(),
        ),
        (
            IdentityKind::PhoneSha256,
            phone_sha256("+15551234568").unwrap(),
        ),
    ];
    // JANE@example.com hashes like jane@example.com and is stored once.
    assert_eq!(stored, expected);
}

#[test]
fn prehashed_emails_and_phones_are_used_as_they_are_in_lower_case() {
    let digest = email_sha256("jane@example.com").unwrap();
    assert_eq!(email_sha256(&digest.to_uppercase()), Some(digest.clone()));
    assert_eq!(phone_sha256(&digest), Some(digest.clone()));
    let user = user(json!({ "email": digest }));
    assert_eq!(
        identities_to_store(&user),
        [(IdentityKind::EmailSha256, digest)]
    );
}

#[test]
fn nothing_to_store_for_an_anonymous_user() {
    assert!(identities_to_store(&UserData::default()).is_empty());
    let blank = user(json!({"external_id": "  ", "email": "not an address"}));
    assert!(identities_to_store(&blank).is_empty());
}

#[test]
fn identity_kind_labels_read_back() {
    let kinds = [
        IdentityKind::VisitorId,
        IdentityKind::Click {
            param: "rdt_cid".into(),
        },
        IdentityKind::ExternalId,
        IdentityKind::EmailSha256,
        IdentityKind::PhoneSha256,
    ];
    for kind in kinds {
        assert_eq!(IdentityKind::from_label(&kind.label()), Some(kind.clone()));
        assert_eq!(serde_json::to_value(&kind).unwrap(), json!(kind.label()));
    }
    assert_eq!(IdentityKind::from_label("click:"), None);
    assert_eq!(IdentityKind::from_label("email"), None);
}

#[test]
fn repeated_keys_are_looked_up_once() {
    let user = user(json!({"external_id": "same"}));
    let clicks = [
        CarriedClick {
            param: "gclid".into(),
            value: "g".into(),
        },
        CarriedClick {
            param: "gclid".into(),
            value: "g".into(),
        },
    ];
    let keys = MatchKeys::from_parts(Some("v"), &clicks, &user);
    assert_eq!(labels(&keys), ["visitor_id", "click:gclid", "external_id"]);
}

#[test]
fn only_a_server_event_that_names_the_visitor_asserts_its_links() {
    use crate::core::provenance::Provenance;
    assert_eq!(
        LinkRule::for_event(Provenance::Server, "visitor_id"),
        LinkRule::Asserted
    );
    assert_eq!(
        LinkRule::for_event(Provenance::Server, "email_sha256"),
        LinkRule::IfUnclaimed(Provenance::Server)
    );
    assert_eq!(
        LinkRule::for_event(Provenance::Browser, "cookie"),
        LinkRule::IfUnclaimed(Provenance::Browser)
    );
    assert_eq!(
        LinkRule::for_event(
            Provenance::Server,
            crate::core::confirmation::MATCHED_BY_BROWSER_EVENT
        ),
        LinkRule::IfUnclaimed(Provenance::Browser),
        "a visitor found through the browser event that sent the id links no stronger than it"
    );
    assert_eq!(LinkRule::Asserted.stored_provenance(), "server");
    assert_eq!(
        LinkRule::IfUnclaimed(Provenance::Browser).stored_provenance(),
        "browser"
    );
}
