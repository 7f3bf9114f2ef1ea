//! Seed 004's examples verbatim, and how each part of a payload is read.

use super::*;

#[test]
fn the_minimal_purchase_example_parses() {
    let e = parse_custom_body(Topic::Purchase, MINIMAL_PURCHASE).unwrap();
    assert_eq!(e.name.as_str(), "Purchase");
    assert_eq!(e.event_id.as_ref().unwrap().as_str(), "ORD-12345");
    assert_eq!(e.value.unwrap().get(), 149.99);
    assert_eq!(e.currency.unwrap().as_str(), "USD");
    assert_eq!(e.user.email.as_deref(), Some("[email protected]"));
    assert_eq!(
        e.source,
        EventSource::CustomWebhook {
            topic: "purchase".into()
        }
    );
    assert!(e.consent.allows_advertising());
}

#[test]
fn the_complete_purchase_example_parses_with_every_signal() {
    let e = parse_custom_body(Topic::Purchase, COMPLETE_PURCHASE).unwrap();
    assert_eq!(e.user.phone.as_deref(), Some("+15551234567"));
    assert_eq!(e.user.first_name.as_deref(), Some("Jane"));
    assert_eq!(e.user.last_name.as_deref(), Some("Doe"));
    assert_eq!(
        serde_json::to_value(&e.user.extra).unwrap(),
        json!({"city": "New York", "region": "NY", "postal_code": "10001", "country": "US"})
    );
    assert_eq!(attr(&e, "tax"), Some(&json!(12.5)));
    assert_eq!(attr(&e, "shipping"), Some(&json!(5.99)));
    assert_eq!(attr(&e, "discount_code"), Some(&json!("SUMMER20")));
    assert_eq!(
        attr(&e, "products"),
        Some(&json!([{"id": "SKU123", "name": "Widget Pro", "quantity": 2, "price": 49.99}]))
    );
    assert_eq!(
        e.consent,
        Consent {
            analytics: ConsentSignal::Granted,
            advertising: ConsentSignal::Granted
        }
    );
    assert_eq!(e.attributes.as_map().len(), 4);
}

#[test]
fn the_curl_purchase_example_parses() {
    let e = parse_custom_body(Topic::Purchase, CURL_PURCHASE).unwrap();
    assert_eq!(e.user.phone.as_deref(), Some("+15551234567"));
    assert_eq!(e.consent.advertising, ConsentSignal::Granted);
}

#[test]
fn the_curl_lead_example_parses_and_keeps_lead_type_as_an_attribute() {
    let e = parse_custom_body(Topic::Lead, CURL_LEAD).unwrap();
    assert_eq!(e.name.as_str(), "Lead");
    assert_eq!(e.event_id.as_ref().unwrap().as_str(), "lead_abc789");
    assert_eq!(e.value.unwrap().get(), 50.0);
    assert_eq!(attr(&e, "lead_type"), Some(&json!("demo_request")));
}

#[test]
fn the_visitor_id_example_parses_and_carries_the_visitor() {
    let e = parse_custom_body(Topic::Purchase, WITH_VISITOR_ID).unwrap();
    assert_eq!(e.visitor_id.as_deref(), Some("the-id-from-getVisitorId"));
}

#[test]
fn topics_parse_from_the_path_and_name_their_events() {
    let expected = [
        ("purchase", "Purchase"),
        ("lead", "Lead"),
        ("signup", "CompleteRegistration"),
        ("refund", "Refund"),
        ("subscription", "Subscribe"),
    ];
    for (path, name) in expected {
        let topic = Topic::parse(path).unwrap();
        assert_eq!(topic.as_str(), path);
        let e = parse(topic, json!({})).unwrap();
        assert_eq!(e.name.as_str(), name);
    }
    assert_eq!(Topic::parse("PURCHASE").unwrap(), Topic::Purchase);
    assert_eq!(Topic::Custom.event_name(), None);
    assert_eq!(
        serde_json::to_value(Topic::Signup).unwrap(),
        json!("signup")
    );
}

#[test]
fn an_unknown_topic_is_refused_with_its_own_code() {
    for bad in ["", "purchases", "order", "purchase/../lead", "cust\u{0}om"] {
        let err = Topic::parse(bad).unwrap_err();
        assert_eq!(
            (err.code, err.field.as_deref()),
            ("unknown_topic", Some("topic"))
        );
    }
}

#[test]
fn the_custom_topic_takes_its_name_from_event_name_or_event() {
    let e = parse(Topic::Custom, json!({"event_name": "DemoBooked"})).unwrap();
    assert_eq!(e.name.as_str(), "DemoBooked");
    let e = parse(Topic::Custom, json!({"event": "TrialStarted"})).unwrap();
    assert_eq!(e.name.as_str(), "TrialStarted");
    let e = parse(Topic::Custom, json!({"event": "A", "event_name": "A"})).unwrap();
    assert_eq!(e.name.as_str(), "A");
    assert_eq!(
        e.source,
        EventSource::CustomWebhook {
            topic: "custom".into()
        }
    );
}

#[test]
fn conversion_id_or_its_alias_event_id_is_the_dedup_key() {
    let e = parse(Topic::Lead, json!({"event_id": "L-1"})).unwrap();
    assert_eq!(e.event_id.unwrap().as_str(), "L-1");
    let e = parse(Topic::Purchase, json!({"conversion_id": 12345})).unwrap();
    assert_eq!(e.event_id.unwrap().as_str(), "12345");
    let e = parse(Topic::Lead, json!({})).unwrap();
    assert_eq!(e.event_id, None);
}

#[test]
fn consent_advertising_false_is_kept_so_postbacks_can_be_withheld() {
    let e = parse(
        Topic::Purchase,
        json!({"consent": {"advertising": false, "analytics": true}}),
    )
    .unwrap();
    assert!(!e.consent.allows_advertising());
    assert_eq!(e.consent.analytics, ConsentSignal::Granted);
}

#[test]
fn click_ids_come_from_standard_fields_and_a_click_ids_object() {
    let e = parse(
        Topic::Purchase,
        json!({
            "gclid": "g-1", "utm_source": "google",
            "click_ids": {"aff_click_id": "abc123", "gclid": "g-1"}
        }),
    )
    .unwrap();
    let clicks: Vec<(&str, &str)> = e
        .clicks
        .iter()
        .map(|c| (c.param.as_str(), c.value.as_str()))
        .collect();
    assert_eq!(
        clicks,
        [
            ("gclid", "g-1"),
            ("utm_source", "google"),
            ("aff_click_id", "abc123")
        ]
    );
}

#[test]
fn extra_fields_and_an_attributes_object_become_attributes() {
    let e = parse(
        Topic::Signup,
        json!({"plan": "pro", "seats": 3, "attributes": {"team": "north"}, "nothing": null}),
    )
    .unwrap();
    assert_eq!(
        Value::Object(e.attributes.as_map().clone()),
        json!({"plan": "pro", "seats": 3, "team": "north"})
    );
}

#[test]
fn user_data_takes_birthday_external_id_street_and_unknown_scalars() {
    let e = parse(
        Topic::Signup,
        json!({"user_data": {
            "external_id": "crm-7", "birthday": "1985-06-17", "gender": "f",
            "address": {"street": "1 Main St", "line2": "Apt 4"}
        }}),
    )
    .unwrap();
    assert_eq!(e.user.external_id.as_deref(), Some("crm-7"));
    assert_eq!(
        serde_json::to_value(&e.user.extra).unwrap(),
        json!({"birthday": "1985-06-17", "gender": "f", "street": "1 Main St", "line2": "Apt 4"})
    );
}

#[test]
fn pc_test_forces_a_real_send() {
    let e = parse(Topic::Lead, json!({"pc_test": true})).unwrap();
    assert!(e.force_send);
}
