//! What the custom webhook refuses, one concept per test, each refusal naming its field.

use super::*;

/// Assert that each payload is refused with its code, naming its field.
fn assert_refusals(cases: Vec<(Topic, Value, &str, &str)>) {
    for (topic, payload, code, field) in cases {
        let shown = payload.to_string();
        assert_eq!(
            refused(topic, payload),
            (code, Some(field.to_string())),
            "{shown}"
        );
    }
}

#[test]
fn the_event_name_and_conversion_id_are_refused_naming_their_field() {
    assert_refusals(vec![
        (Topic::Custom, json!({}), "missing_field", "event_name"),
        (
            Topic::Custom,
            json!({"event_name": " "}),
            "missing_field",
            "event_name",
        ),
        (
            Topic::Custom,
            json!({"event_name": "x".repeat(65)}),
            "invalid_event",
            "event_name",
        ),
        (
            Topic::Custom,
            json!({"event": "a\nb"}),
            "invalid_event",
            "event",
        ),
        (
            Topic::Custom,
            json!({"event_name": "A", "event": "B"}),
            "conflicting_fields",
            "event",
        ),
        (
            Topic::Purchase,
            json!({"event_name": "Sale"}),
            "unexpected_field",
            "event_name",
        ),
        (
            Topic::Purchase,
            json!({"event": "purchase"}),
            "unexpected_field",
            "event",
        ),
        (
            Topic::Purchase,
            json!({"conversion_id": "A", "event_id": "B"}),
            "conflicting_fields",
            "event_id",
        ),
        (
            Topic::Purchase,
            json!({"conversion_id": "x".repeat(129)}),
            "invalid_event_id",
            "conversion_id",
        ),
        (
            Topic::Purchase,
            json!({"conversion_id": {"id": 1}}),
            "invalid_type",
            "conversion_id",
        ),
    ]);
}

#[test]
fn money_fields_are_refused_naming_their_field() {
    let long = "x".repeat(crate::core::input::MAX_TEXT_LEN + 1);
    assert_refusals(vec![
        (
            Topic::Purchase,
            json!({"value": 10}),
            "currency_required",
            "currency",
        ),
        (
            Topic::Purchase,
            json!({"value": -1, "currency": "USD"}),
            "invalid_value",
            "value",
        ),
        (
            Topic::Purchase,
            json!({"value": "ten", "currency": "USD"}),
            "invalid_value",
            "value",
        ),
        (
            Topic::Purchase,
            json!({"value": 1, "currency": "usd1"}),
            "invalid_currency",
            "currency",
        ),
        (
            Topic::Purchase,
            json!({"tax": "lots"}),
            "invalid_value",
            "tax",
        ),
        (
            Topic::Purchase,
            json!({"shipping": -3}),
            "invalid_value",
            "shipping",
        ),
        (
            Topic::Purchase,
            json!({"discount_code": long}),
            "too_long",
            "discount_code",
        ),
    ]);
}

#[test]
fn user_data_is_refused_by_the_shared_user_data_rules() {
    assert_refusals(vec![
        (
            Topic::Purchase,
            json!({"user_data": "jane"}),
            "invalid_type",
            "user_data",
        ),
        (
            Topic::Purchase,
            json!({"user_data": {"email": ["a"]}}),
            "invalid_type",
            "user_data.email",
        ),
        (
            Topic::Purchase,
            json!({"user_data": {"first_name": "a\u{0}"}}),
            "invalid_text",
            "user_data.first_name",
        ),
        (
            Topic::Purchase,
            json!({"user_data": {"birthday": "06/17/1985"}}),
            "invalid_date",
            "user_data.birthday",
        ),
        (
            Topic::Purchase,
            json!({"user_data": {"address": "NY"}}),
            "invalid_type",
            "user_data.address",
        ),
        (
            Topic::Purchase,
            json!({"user_data": {"address": {"city": {"n": 1}}}}),
            "invalid_type",
            "user_data.address.city",
        ),
        (
            Topic::Purchase,
            json!({"user_data": {"prefs": {"a": 1}}}),
            "invalid_type",
            "user_data.prefs",
        ),
    ]);
}

#[test]
fn products_are_refused_naming_the_product_and_field() {
    assert_refusals(vec![
        (
            Topic::Purchase,
            json!({"products": {"id": 1}}),
            "invalid_type",
            "products",
        ),
        (
            Topic::Purchase,
            json!({"products": [1]}),
            "invalid_type",
            "products[0]",
        ),
        (
            Topic::Purchase,
            json!({"products": [{"quantity": 1}]}),
            "missing_field",
            "products[0].id",
        ),
        (
            Topic::Purchase,
            json!({"products": [{"id": "a", "quantity": 0}]}),
            "invalid_quantity",
            "products[0].quantity",
        ),
        (
            Topic::Purchase,
            json!({"products": [{"id": "a", "quantity": 1.5}]}),
            "invalid_quantity",
            "products[0].quantity",
        ),
        (
            Topic::Purchase,
            json!({"products": [{"id": "a", "quantity": -2}]}),
            "invalid_quantity",
            "products[0].quantity",
        ),
        (
            Topic::Purchase,
            json!({"products": [{"id": "a"}, {"id": "b", "price": "free"}]}),
            "invalid_value",
            "products[1].price",
        ),
        (
            Topic::Purchase,
            json!({"products": [{"id": "a", "tags": ["x"]}]}),
            "invalid_type",
            "products[0].tags",
        ),
    ]);
}

#[test]
fn consent_visitor_page_and_click_fields_are_refused_naming_their_field() {
    assert_refusals(vec![
        (
            Topic::Purchase,
            json!({"consent": true}),
            "invalid_consent",
            "consent",
        ),
        (
            Topic::Purchase,
            json!({"consent": {"advertising": "no"}}),
            "invalid_consent",
            "consent.advertising",
        ),
        (
            Topic::Purchase,
            json!({"consent": {"ad_user_data": false}}),
            "unknown_field",
            "consent.ad_user_data",
        ),
        (
            Topic::Purchase,
            json!({"visitor_id": "has space"}),
            "invalid_visitor_id",
            "visitor_id",
        ),
        (
            Topic::Purchase,
            json!({"visitor_id": "v".repeat(129)}),
            "invalid_visitor_id",
            "visitor_id",
        ),
        (
            Topic::Purchase,
            json!({"url": "ftp://x.example/"}),
            "invalid_url",
            "url",
        ),
        (
            Topic::Purchase,
            json!({"ip": "localhost"}),
            "invalid_ip",
            "ip",
        ),
        (
            Topic::Purchase,
            json!({"gclid": "a\u{1}b"}),
            "invalid_text",
            "gclid",
        ),
        (
            Topic::Purchase,
            json!({"click_ids": ["a"]}),
            "invalid_type",
            "click_ids",
        ),
        (
            Topic::Purchase,
            json!({"click_ids": {"Aff-Id": "a"}}),
            "invalid_field",
            "click_ids.Aff-Id",
        ),
    ]);
}

#[test]
fn attributes_and_flags_are_refused_naming_their_field() {
    let long = "x".repeat(crate::core::input::MAX_TEXT_LEN + 1);
    assert_refusals(vec![
        (
            Topic::Purchase,
            json!({"attributes": [1]}),
            "invalid_attributes",
            "attributes",
        ),
        (
            Topic::Purchase,
            json!({"plan": "a", "attributes": {"plan": "b"}}),
            "conflicting_fields",
            "plan",
        ),
        (Topic::Purchase, json!({"notes": long}), "too_long", "notes"),
        (
            Topic::Purchase,
            json!({"pc_test": "often"}),
            "invalid_boolean",
            "pc_test",
        ),
    ]);
}

#[test]
fn a_field_name_longer_than_64_characters_is_refused() {
    let long_key_name = "k".repeat(65);
    let long_key: Map<String, Value> = [(long_key_name.clone(), json!(1))].into_iter().collect();
    assert_refusals(vec![(
        Topic::Purchase,
        Value::Object(long_key),
        "invalid_field",
        &long_key_name,
    )]);
}
