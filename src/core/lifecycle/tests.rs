//! The lifecycle rules: transitions, requests, connector settings.

use super::*;
use serde_json::json;
use ConversionStatus::{Approved, Received, Rejected, Reversed};

#[test]
fn the_documented_transitions_are_the_only_legal_ones() {
    let legal = [
        (Received, Approved),
        (Received, Rejected),
        (Received, Reversed),
        (Approved, Rejected),
        (Approved, Reversed),
        (Rejected, Approved),
    ];
    for from in ConversionStatus::ALL {
        for to in ConversionStatus::ALL {
            assert_eq!(
                transition(from, to).is_ok(),
                legal.contains(&(from, to)),
                "{from:?} -> {to:?}"
            );
        }
    }
}

#[test]
fn a_reversed_conversion_is_final_and_the_refusal_says_so() {
    let refusal = transition(Reversed, Approved).unwrap_err();
    assert!(refusal.message().contains("final"), "{}", refusal.message());
    let refusal = transition(Rejected, Rejected).unwrap_err();
    assert!(
        refusal.message().contains("approved"),
        "{}",
        refusal.message()
    );
}

#[test]
fn a_status_change_names_the_field_it_refuses() {
    let ok = parse_status_change(&json!({"status": "approved", "reason": " ok "}), "").unwrap();
    assert_eq!(ok.status, Approved);
    assert_eq!(ok.reason.as_deref(), Some("ok"));
    let field = |v: serde_json::Value| parse_status_change(&v, "").unwrap_err().field;
    assert_eq!(
        field(json!({"status": "received"})).as_deref(),
        Some("status")
    );
    assert_eq!(field(json!({"status": "paid"})).as_deref(), Some("status"));
    assert_eq!(field(json!({})).as_deref(), Some("status"));
    assert_eq!(
        field(json!({"status": "approved", "reason": "x".repeat(257)})).as_deref(),
        Some("reason")
    );
    assert_eq!(
        field(json!({"status": "approved", "reason": "a\u{0}b"})).as_deref(),
        Some("reason")
    );
}

#[test]
fn a_bulk_change_is_parsed_whole_and_refuses_a_malformed_item_or_an_oversized_list() {
    let items = parse_bulk(&json!({"items": [
        {"event_id": " o-1 ", "status": "approved"},
        {"event_id": "o-2", "status": "rejected", "reason": "fraud"},
    ]}))
    .unwrap();
    assert_eq!(items[0].0.as_str(), "o-1");
    assert_eq!(items[1].1.reason.as_deref(), Some("fraud"));
    let field = |v: serde_json::Value| parse_bulk(&v).unwrap_err().field;
    assert_eq!(
        field(json!({"items": [{"event_id": "o", "status": "approved"}, {"event_id": "o", "status": "nope"}]})).as_deref(),
        Some("items[1].status")
    );
    assert_eq!(
        field(json!({"items": [{"status": "approved"}]})).as_deref(),
        Some("items[0].event_id")
    );
    assert_eq!(field(json!({"items": [7]})).as_deref(), Some("items[0]"));
    let many: Vec<_> = (0..1001)
        .map(|i| json!({"event_id": format!("o-{i}"), "status": "approved"}))
        .collect();
    assert_eq!(field(json!({ "items": many })).as_deref(), Some("items"));
    assert!(parse_bulk(&json!({"items": []})).is_err());
    assert!(parse_bulk(&json!([])).is_err());
}

#[test]
fn an_approval_gated_connector_waits_for_approval_and_never_fires_on_a_rejection() {
    assert_eq!(FireOnStatus::Approved.ready(Received), None);
    assert_eq!(FireOnStatus::Approved.ready(Approved), Some(true));
    assert_eq!(FireOnStatus::Approved.ready(Rejected), Some(false));
    assert_eq!(FireOnStatus::Approved.ready(Reversed), Some(false));
    for status in ConversionStatus::ALL {
        assert_eq!(FireOnStatus::Received.ready(status), Some(true));
    }
}

#[test]
fn the_status_map_renders_the_partners_values_and_falls_back_to_the_name() {
    let map = parse_status_map(Some(&json!({"approved": "1", "reversed": "2"})), "m").unwrap();
    assert_eq!(mapped_status(&map, Approved), "1");
    assert_eq!(mapped_status(&map, Reversed), "2");
    assert_eq!(mapped_status(&map, Rejected), "rejected");
    let refused = parse_status_map(Some(&json!({"paid": "1"})), "webhook.status_map").unwrap_err();
    assert_eq!(refused.field.as_deref(), Some("webhook.status_map.paid"));
    assert!(parse_status_map(Some(&json!({"approved": 1})), "m").is_err());
}

#[test]
fn update_keys_extend_the_original_key() {
    assert_eq!(follow_up_key("d1", &update_suffix(2)), "d1:update:2");
    for policy in DuplicatePolicy::ALL {
        assert_eq!(DuplicatePolicy::parse(policy.as_str()), Some(policy));
    }
    for fire in FireOnStatus::ALL {
        assert_eq!(FireOnStatus::parse(fire.as_str()), Some(fire));
    }
}
