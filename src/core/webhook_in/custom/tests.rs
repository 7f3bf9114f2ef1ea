use super::*;
use crate::core::consent::ConsentSignal;
use serde_json::json;

/// Seed 004, "A minimal purchase example", verbatim.
const MINIMAL_PURCHASE: &str = r#"{
  "conversion_id": "ORD-12345",
  "value": 149.99,
  "currency": "USD",
  "user_data": {
    "email": "[email protected]"
  }
}"#;

/// Seed 004, "A complete purchase with all signals", verbatim.
const COMPLETE_PURCHASE: &str = r#"{
  "conversion_id": "ORD-12345",
  "value": 149.99,
  "currency": "USD",
  "tax": 12.50,
  "shipping": 5.99,
  "discount_code": "SUMMER20",
  "user_data": {
    "email": "[email protected]",
    "phone": "+15551234567",
    "first_name": "Jane",
    "last_name": "Doe",
    "address": {
      "city": "New York",
      "region": "NY",
      "postal_code": "10001",
      "country": "US"
    }
  },
  "products": [
    {
      "id": "SKU123",
      "name": "Widget Pro",
      "quantity": 2,
      "price": 49.99
    }
  ],
  "consent": {
    "analytics": true,
    "advertising": true
  }
}"#;

/// Seed 004, the curl body of "Examples / Purchase", verbatim.
const CURL_PURCHASE: &str = r#"{
    "conversion_id": "ORD-12345",
    "value": 149.99,
    "currency": "USD",
    "user_data": {
      "email": "[email protected]",
      "phone": "+15551234567"
    },
    "consent": { "analytics": true, "advertising": true }
  }"#;

/// Seed 004, the curl body of "Examples / Lead", verbatim.
const CURL_LEAD: &str = r#"{
    "conversion_id": "lead_abc789",
    "value": 50,
    "currency": "USD",
    "lead_type": "demo_request",
    "user_data": {
      "email": "[email protected]"
    },
    "consent": { "analytics": true, "advertising": true }
  }"#;

/// Seed 004, "Session matching", the body passed to the backend, verbatim.
const WITH_VISITOR_ID: &str = r#"{
  "conversion_id": "ORD-12345",
  "visitor_id": "the-id-from-getVisitorId",
  "value": 149.99,
  "currency": "USD"
}"#;

fn parse(topic: Topic, payload: Value) -> Result<NewEvent, Invalid> {
    parse_custom(topic, &payload)
}

fn refused(topic: Topic, payload: Value) -> (&'static str, Option<String>) {
    let err = parse(topic, payload).expect_err("expected a refusal");
    (err.code, err.field)
}

fn attr<'a>(event: &'a NewEvent, key: &str) -> Option<&'a Value> {
    event.attributes.as_map().get(key)
}

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

/// Every refusal, with the field it names.
#[test]
fn every_refusal_names_its_field() {
    let long = "x".repeat(crate::core::input::MAX_TEXT_LEN + 1);
    let cases: Vec<(Topic, Value, &str, &str)> = vec![
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
            json!({"gclid": "a b"}),
            "invalid_identifier",
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
    ];
    let long_key: Map<String, Value> = [("k".repeat(65), json!(1))].into_iter().collect();
    let long_key_name = "k".repeat(65);
    let mut cases = cases;
    cases.push((
        Topic::Purchase,
        Value::Object(long_key),
        "invalid_field",
        &long_key_name,
    ));
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
fn bodies_must_be_json_objects() {
    assert_eq!(
        parse_custom_body(Topic::Purchase, "not json")
            .unwrap_err()
            .code,
        "invalid_json"
    );
    assert_eq!(
        parse_custom_body(Topic::Purchase, "[]").unwrap_err().code,
        "invalid_body"
    );
    assert_eq!(
        parse_custom_body(Topic::Purchase, "").unwrap_err().code,
        "invalid_json"
    );
}

#[test]
fn bodies_deeper_than_the_bound_are_refused_before_typed_parsing() {
    let mut deep = json!(1);
    for _ in 0..crate::core::input::MAX_JSON_DEPTH {
        deep = json!([deep]);
    }
    // The whole body is an object around that: one level more than allowed.
    let (code, _) = refused(Topic::Purchase, json!({ "x": deep }));
    assert_eq!(code, "too_deep");
    let mut ok = json!(1);
    for _ in 0..crate::core::input::MAX_JSON_DEPTH - 1 {
        ok = json!([ok]);
    }
    assert_eq!(
        crate::core::input::json_depth(&json!({ "x": ok })),
        crate::core::input::MAX_JSON_DEPTH
    );
    // Within the JSON bound, the attribute bound (3 levels) still applies, naming the field.
    let (code, field) = refused(Topic::Purchase, json!({ "x": ok }));
    assert_eq!((code, field.as_deref()), ("invalid_attributes", Some("x")));
}

#[test]
fn products_are_bounded_in_count() {
    let products: Vec<Value> = (0..=MAX_PRODUCTS).map(|i| json!({"id": i})).collect();
    let (code, field) = refused(Topic::Purchase, json!({ "products": products }));
    assert_eq!(
        (code, field.as_deref()),
        ("too_many_products", Some("products"))
    );
    let products: Vec<Value> = (0..MAX_PRODUCTS).map(|i| json!({"id": i})).collect();
    assert!(parse(Topic::Purchase, json!({ "products": products })).is_ok());
}

#[test]
fn extra_fields_are_bounded_in_count() {
    let many: Map<String, Value> = (0..=crate::core::event::MAX_ATTRIBUTES)
        .map(|i| (format!("f{i}"), json!(i)))
        .collect();
    let (code, field) = refused(Topic::Purchase, Value::Object(many));
    assert_eq!(
        (code, field.as_deref()),
        ("too_many_attributes", Some("attributes"))
    );
}

#[test]
fn partner_click_ids_are_bounded_in_count() {
    let many: Map<String, Value> = (0..=MAX_CLICK_IDS)
        .map(|i| (format!("c{i}"), json!("v")))
        .collect();
    let (code, field) = refused(Topic::Purchase, json!({ "click_ids": many }));
    assert_eq!(
        (code, field.as_deref()),
        ("too_many_click_ids", Some("click_ids"))
    );
}

#[test]
fn quantities_may_be_digit_strings_and_products_keep_scalar_extras() {
    let e = parse(
        Topic::Purchase,
        json!({"products": [{"name": "Widget", "quantity": "3", "category": "tools", "gift": false}]}),
    )
    .unwrap();
    assert_eq!(
        attr(&e, "products"),
        Some(&json!([{"name": "Widget", "quantity": 3, "category": "tools", "gift": false}]))
    );
}
