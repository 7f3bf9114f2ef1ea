//! Tests of the `/e` body parser: typed fields, the strict wire contract, and refusals by field.

use super::*;
use crate::core::consent::ConsentSignal;
use serde_json::{json, Map};

fn parse(body: Value) -> Result<NewEvent, Invalid> {
    parse_browser_event(&body, None, None, None)
}

fn error_field(body: Value) -> (String, Option<String>) {
    let err = parse(body).unwrap_err();
    (err.code.to_string(), err.field)
}

fn assert_error(body: Value, code: &str, field: &str) {
    let text = body.to_string();
    assert_eq!(
        error_field(body),
        (code.to_string(), Some(field.to_string())),
        "{text}"
    );
}

#[test]
fn a_full_purchase_is_parsed_into_typed_values() {
    let visitor = VisitorId::from_random([1; 16]);
    let event = parse_browser_event(
        &json!({
            "event": "Purchase",
            "event_id": "order-1001",
            "value": 49.9,
            "currency": "eur",
            "url": "https://shop.com/thanks?o=1001",
            "attributes": {"transaction_id": "1001", "items": [{"sku": "A"}]},
            "user": {"email": " Jane@Example.com ", "phone": "+1 555 123 4567", "external_id": 42,
                     "first_name": "Jane", "last_name": "Doe", "city": "Oulu"},
            "consent": {"advertising": true, "analytics": "denied"},
            "pc_test": 1
        }),
        Some(&visitor),
        Some("203.0.113.9"),
        Some("Mozilla/5.0"),
    )
    .unwrap();
    assert_eq!(event.name.as_str(), "Purchase");
    assert_eq!(event.event_id.unwrap().as_str(), "order-1001");
    assert_eq!(event.value.unwrap().get(), 49.9);
    assert_eq!(event.currency.unwrap().as_str(), "EUR");
    assert_eq!(event.url.as_deref(), Some("https://shop.com/thanks?o=1001"));
    assert_eq!(event.attributes.as_map()["transaction_id"], json!("1001"));
    assert_eq!(event.user.email.as_deref(), Some("Jane@Example.com"));
    assert_eq!(event.user.phone.as_deref(), Some("+1 555 123 4567"));
    assert_eq!(event.user.external_id.as_deref(), Some("42"));
    assert_eq!(event.user.first_name.as_deref(), Some("Jane"));
    assert_eq!(event.user.last_name.as_deref(), Some("Doe"));
    assert_eq!(event.user.extra.city.as_deref(), Some("Oulu"));
    assert_eq!(event.consent.advertising, ConsentSignal::Granted);
    assert_eq!(event.consent.analytics, ConsentSignal::Denied);
    assert!(event.force_send);
    assert_eq!(event.source, EventSource::Browser);
    assert_eq!(event.visitor_id.as_deref(), Some(visitor.as_str()));
    assert_eq!(event.ip.as_deref(), Some("203.0.113.9"));
    assert_eq!(event.user_agent.as_deref(), Some("Mozilla/5.0"));
    assert!(event.clicks.is_empty());
}

#[test]
fn a_bare_event_name_is_enough() {
    let event = parse(json!({"event": "PageView"})).unwrap();
    assert_eq!(event.name.as_str(), "PageView");
    assert_eq!(event.event_id, None);
    assert_eq!(event.value, None);
    assert!(event.attributes.is_empty());
    assert_eq!(event.user, UserData::default());
    assert_eq!(event.consent, Consent::default());
    assert!(!event.force_send);
    assert_eq!(event.visitor_id, None);
}

#[test]
fn nulls_mean_absent() {
    let event = parse(json!({
        "event": "Lead", "event_id": null, "value": null, "currency": null, "url": null,
        "attributes": null, "user": null, "consent": null, "pc_test": null
    }))
    .unwrap();
    assert_eq!(event.name.as_str(), "Lead");
    assert_eq!(event.currency, None);
}

#[test]
fn the_body_must_be_an_object() {
    for body in [json!([]), json!("Purchase"), json!(null), json!(1)] {
        let err = parse(body).unwrap_err();
        assert_eq!(err.code, "invalid_body");
    }
}

#[test]
fn the_event_name_is_required_and_checked() {
    assert_error(json!({}), "required", "event");
    assert_error(json!({"event": null}), "required", "event");
    assert_error(json!({"event": 7}), "invalid_event", "event");
    assert_error(json!({"event": ""}), "invalid_event", "event");
    assert_error(json!({"event": "a\nb"}), "invalid_event", "event");
    assert_error(json!({"event": "x".repeat(65)}), "invalid_event", "event");
}

#[test]
fn event_ids_are_strings_or_integers() {
    assert_eq!(
        parse(json!({"event": "A", "event_id": 1001}))
            .unwrap()
            .event_id
            .unwrap()
            .as_str(),
        "1001"
    );
    // JSON Schema calls 1001.0 an integer too, and so does the parser.
    assert_eq!(
        parse(json!({"event": "A", "event_id": 1001.0}))
            .unwrap()
            .event_id
            .unwrap()
            .as_str(),
        "1001"
    );
    assert_error(
        json!({"event": "A", "event_id": ""}),
        "invalid_event_id",
        "event_id",
    );
    assert_error(
        json!({"event": "A", "event_id": 1.5}),
        "invalid_event_id",
        "event_id",
    );
    assert_error(
        json!({"event": "A", "event_id": {"a": 1}}),
        "invalid_event_id",
        "event_id",
    );
    assert_error(
        json!({"event": "A", "event_id": "x".repeat(129)}),
        "invalid_event_id",
        "event_id",
    );
}

#[test]
fn the_value_must_be_finite_and_not_negative() {
    for bad in [
        json!(-1),
        json!("-1"),
        json!("abc"),
        json!(true),
        json!([1]),
        json!(1e12),
        json!("NaN"),
    ] {
        assert_error(
            json!({"event": "A", "value": bad, "currency": "EUR"}),
            "invalid_value",
            "value",
        );
    }
    let event = parse(json!({"event": "A", "value": "19,90", "currency": "EUR"})).unwrap();
    assert_eq!(event.value.unwrap().get(), 19.9);
    assert_eq!(
        parse(json!({"event": "A", "value": 0, "currency": "EUR"}))
            .unwrap()
            .value
            .unwrap()
            .get(),
        0.0
    );
}

#[test]
fn the_currency_must_be_iso_4217() {
    for bad in [
        json!("EURO"),
        json!("XYZ"),
        json!(""),
        json!(978),
        json!(["EUR"]),
    ] {
        assert_error(
            json!({"event": "A", "value": 1, "currency": bad}),
            "invalid_currency",
            "currency",
        );
    }
}

#[test]
fn a_value_without_a_currency_names_the_currency() {
    assert_error(json!({"event": "A", "value": 10}), "required", "currency");
    // A currency alone is harmless.
    assert!(parse(json!({"event": "A", "currency": "USD"})).is_ok());
}

#[test]
fn unknown_top_level_keys_are_refused_by_name() {
    assert_error(
        json!({"event": "A", "curency": "EUR"}),
        "unknown_field",
        "curency",
    );
    assert_error(
        json!({"event": "A", "transaction_id": "1"}),
        "unknown_field",
        "transaction_id",
    );
    assert_error(
        json!({"event": "A", "clicks": []}),
        "unknown_field",
        "clicks",
    );
    assert_error(
        json!({"event": "A", "visitor_id": "v1.x"}),
        "unknown_field",
        "visitor_id",
    );
}

#[test]
fn the_page_url_must_be_an_absolute_web_url() {
    for bad in [
        json!("javascript:alert(1)"),
        json!("/thanks"),
        json!("data:text/html,x"),
        json!("file:///etc/passwd"),
        json!(12),
    ] {
        assert_error(json!({"event": "A", "url": bad}), "invalid_url", "url");
    }
    let long = format!(
        "https://shop.com/{}",
        "a".repeat(crate::core::input::MAX_URL_LEN)
    );
    assert_error(json!({"event": "A", "url": long}), "too_long", "url");
    let event = parse(json!({"event": "A", "url": "https://shop.com/päge"})).unwrap();
    assert_eq!(event.url.as_deref(), Some("https://shop.com/p%C3%A4ge"));
}

#[test]
fn attributes_are_bounded_and_errors_name_the_attribute() {
    assert_error(
        json!({"event": "A", "attributes": [1]}),
        "invalid_attributes",
        "attributes",
    );
    assert_error(
        json!({"event": "A", "attributes": {"note": "x".repeat(1025)}}),
        "invalid_attributes",
        "attributes.note",
    );
    let many: Map<String, Value> = (0..51).map(|i| (format!("k{i}"), json!(i))).collect();
    assert_error(
        json!({"event": "A", "attributes": many}),
        "too_many_attributes",
        "attributes",
    );
}

#[test]
fn user_fields_follow_the_rules_every_surface_shares() {
    assert_error(
        json!({"event": "A", "user": "jane@x.com"}),
        "invalid_type",
        "user",
    );
    assert_error(
        json!({"event": "A", "user": {"email": ["a"]}}),
        "invalid_type",
        "user.email",
    );
    assert_error(
        json!({"event": "A", "user": {"phone": true}}),
        "invalid_type",
        "user.phone",
    );
    assert_error(
        json!({"event": "A", "user": {"first_name": "x".repeat(257)}}),
        "too_long",
        "user.first_name",
    );
    assert_error(
        json!({"event": "A", "user": {"last_name": "a\u{0}b"}}),
        "invalid_text",
        "user.last_name",
    );
    assert_error(
        json!({"event": "A", "user": {"external_id": 1.5}}),
        "invalid_type",
        "user.external_id",
    );
    assert_error(
        json!({"event": "A", "user": {"city": {"a": {"b": {"c": 1}}}}}),
        "invalid_type",
        "user.city",
    );
    assert_error(
        json!({"event": "A", "user": {"birthday": "1985/06/17"}}),
        "invalid_date",
        "user.birthday",
    );
    let event = parse(json!({"event": "A", "user": {"email": "  ", "phone": null}})).unwrap();
    assert_eq!(event.user.email, None);
    assert_eq!(event.user.phone, None);
    let event = parse(json!({"event": "A", "user": {"address": {"city": "Oulu"}}})).unwrap();
    assert_eq!(event.user.extra.city.as_deref(), Some("Oulu"));
}

#[test]
fn consent_takes_booleans_or_consent_mode_words() {
    let event =
        parse(json!({"event": "A", "consent": {"advertising": "granted", "analytics": true}}))
            .unwrap();
    assert_eq!(event.consent.advertising, ConsentSignal::Granted);
    assert_eq!(event.consent.analytics, ConsentSignal::Granted);
    assert_error(
        json!({"event": "A", "consent": true}),
        "invalid_consent",
        "consent",
    );
    assert_error(
        json!({"event": "A", "consent": {"advertising": "yes"}}),
        "invalid_consent",
        "consent.advertising",
    );
    assert_error(
        json!({"event": "A", "consent": {"analytics": 1}}),
        "invalid_consent",
        "consent.analytics",
    );
    assert_error(
        json!({"event": "A", "consent": {"ad_storage": "granted"}}),
        "unknown_field",
        "consent.ad_storage",
    );
}

#[test]
fn pc_test_accepts_the_usual_spellings() {
    for (raw, expected) in [
        (json!(true), true),
        (json!(1), true),
        (json!(1.0), true),
        (json!("1"), true),
        (json!("true"), true),
        (json!(false), false),
        (json!(0), false),
        (json!("0"), false),
        (json!(""), false),
    ] {
        assert_eq!(
            parse(json!({"event": "A", "pc_test": raw}))
                .unwrap()
                .force_send,
            expected
        );
    }
    for bad in [json!(2), json!(0.5), json!("yes"), json!([1])] {
        assert_error(
            json!({"event": "A", "pc_test": bad}),
            "invalid_pc_test",
            "pc_test",
        );
    }
}

#[test]
fn request_metadata_is_bounded() {
    let long_ua = "é".repeat(MAX_USER_AGENT_BYTES);
    let event = parse_browser_event(
        &json!({"event": "A"}),
        None,
        Some(&"1".repeat(65)),
        Some(&long_ua),
    )
    .unwrap();
    assert_eq!(event.ip, None);
    let ua = event.user_agent.unwrap();
    assert!(ua.len() <= MAX_USER_AGENT_BYTES);
    assert!(ua.chars().all(|c| c == 'é'));
    let event = parse_browser_event(&json!({"event": "A"}), None, Some("  "), None).unwrap();
    assert_eq!(event.ip, None);
}
