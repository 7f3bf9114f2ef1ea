//! Tests of the user-data registry and its one parser: JSON objects, flat fields, bounds.

use super::*;
use crate::core::input::Raw;
use serde_json::json;

fn parsed(value: Value) -> UserData {
    parse_user_object(&value, "user").unwrap()
}

fn refused(value: Value) -> (&'static str, Option<String>) {
    let err = parse_user_object(&value, "user").unwrap_err();
    (err.code, err.field)
}

#[test]
fn registry_keys_and_spellings_are_unique() {
    for (i, a) in USER_FIELDS.iter().enumerate() {
        for b in &USER_FIELDS[i + 1..] {
            assert_ne!(a.field, b.field);
            assert_ne!(a.key, b.key);
            for name in a.tracklution_names {
                assert!(!b.tracklution_names.contains(name), "{name}");
            }
        }
        assert_eq!(UserField::by_key(a.key), Some(a.field));
    }
}

#[test]
fn a_json_object_fills_the_typed_fields_and_keeps_other_keys_as_text() {
    let user = parsed(json!({
        "email": " Jane@Example.com ", "phone": 15551234567_u64, "external_id": 42,
        "first_name": "Jane", "last_name": "Doe", "birthday": "1985-06-17",
        "address": {"street": "1 Main St\nApt 4", "city": "New York", "postal_code": "10001",
                    "floor": "3"},
        "loyalty_tier": "gold", "vip": null, "newsletter": true
    }));
    assert_eq!(user.email.as_ref().unwrap().as_str(), "Jane@Example.com");
    assert_eq!(user.phone.as_ref().unwrap().as_str(), "15551234567");
    assert_eq!(user.external_id.as_ref().unwrap().as_str(), "42");
    assert_eq!(user.extra.birthday.as_ref().unwrap().as_str(), "1985-06-17");
    assert_eq!(
        user.extra.street.as_ref().unwrap().as_str(),
        "1 Main St\nApt 4"
    );
    assert_eq!(user.extra.city.as_ref().unwrap().as_str(), "New York");
    assert_eq!(user.extra.other.get("floor").map(String::as_str), Some("3"));
    assert_eq!(
        user.extra.other.get("loyalty_tier").map(String::as_str),
        Some("gold")
    );
    assert!(!user.extra.other.contains_key("vip"));
    assert_eq!(
        user.extra.other.get("newsletter").map(String::as_str),
        Some("true")
    );
}

#[test]
fn address_fields_may_stand_flat_and_must_agree_with_the_address_object() {
    let flat = parsed(json!({"city": "Oulu", "country": "FI"}));
    let nested = parsed(json!({"address": {"city": "Oulu", "country": "FI"}}));
    assert_eq!(flat, nested);
    assert_eq!(
        refused(json!({"city": "Oulu", "address": {"city": "Turku"}})),
        ("conflicting_fields", Some("user.city".into()))
    );
}

#[test]
fn values_must_be_strings_or_whole_numbers() {
    for (value, field) in [
        (json!({"email": ["a@b.com"]}), "user.email"),
        (json!({"phone": true}), "user.phone"),
        (json!({"external_id": 1.5}), "user.external_id"),
        (json!({"city": {"a": {"b": {"c": 1}}}}), "user.city"),
        (json!({"loyalty": {"tier": "gold"}}), "user.loyalty"),
        (json!({"address": "Main St 1"}), "user.address"),
    ] {
        assert_eq!(refused(value), ("invalid_type", Some(field.into())));
    }
    assert_eq!(
        refused(json!("jane@x.com")),
        ("invalid_type", Some("user".into()))
    );
    // A whole number is its digits, however the JSON wrote it.
    let user = parsed(json!({"external_id": 1001.0, "phone": 4915112345678_u64}));
    assert_eq!(user.external_id.as_deref(), Some("1001"));
    assert_eq!(user.phone.as_deref(), Some("4915112345678"));
}

#[test]
fn values_are_bounded_printable_and_dates_are_real() {
    let long = "x".repeat(MAX_USER_TEXT_BYTES + 1);
    assert_eq!(
        refused(json!({"first_name": long})),
        ("too_long", Some("user.first_name".into()))
    );
    assert_eq!(
        refused(json!({"last_name": "a\u{0}b"})),
        ("invalid_text", Some("user.last_name".into()))
    );
    assert_eq!(
        refused(json!({"birthday": "1985/06/17"})),
        ("invalid_date", Some("user.birthday".into()))
    );
    let empty = parsed(json!({"email": "  ", "phone": null}));
    assert_eq!(empty, UserData::default());
}

#[test]
fn variants_are_distinct_bounded_and_checked_like_the_main_value() {
    let user = parsed(
        json!({"email_variants": ["a@example.com", " a@example.com", "B@example.com"],
                             "phone_variants": "+358401111111"}),
    );
    let emails: Vec<&str> = user
        .extra
        .email_variants
        .iter()
        .map(Email::as_str)
        .collect();
    assert_eq!(emails, ["a@example.com", "B@example.com"]);
    assert_eq!(user.extra.phone_variants.len(), 1);
    let many: Vec<String> = (0..=MAX_VARIANTS).map(|i| format!("u{i}@x.com")).collect();
    assert_eq!(
        refused(json!({ "email_variants": many })),
        ("too_many_variants", Some("user.email_variants".into()))
    );
    // A JSON list counts every item, as its schema's maxItems does: nulls too.
    let nulls: Vec<Value> = (0..=MAX_VARIANTS).map(|_| Value::Null).collect();
    assert_eq!(
        refused(json!({ "phone_variants": nulls })),
        ("too_many_variants", Some("user.phone_variants".into()))
    );
    assert_eq!(
        refused(json!({"email_variants": ["ok@x.com", "a\u{1}b"]})),
        ("invalid_text", Some("user.email_variants[1]".into()))
    );
}

#[test]
fn other_fields_are_bounded_in_count_and_name() {
    let many: serde_json::Map<String, Value> = (0..=MAX_OTHER_FIELDS)
        .map(|i| (format!("k{i}"), json!("v")))
        .collect();
    assert_eq!(refused(Value::Object(many)).0, "too_many_attributes");
    let long_name = "k".repeat(65);
    assert_eq!(refused(json!({ long_name: "v" })).0, "invalid_field");
}

#[test]
fn flat_parameters_and_a_json_object_give_the_same_user_data() {
    let mut builder = UserDataBuilder::new();
    builder
        .set(UserField::Email, Raw::Text("jane@example.com"), "email")
        .unwrap();
    builder
        .set(UserField::Street, Raw::Text("Main Street 1"), "address")
        .unwrap();
    builder
        .set(UserField::PostalCode, Raw::Text("00100"), "postCode")
        .unwrap();
    let flat = builder.finish();
    let json = parsed(json!({"email": "jane@example.com",
                             "address": {"street": "Main Street 1", "postal_code": "00100"}}));
    assert_eq!(flat, json);
}

#[test]
fn the_stored_form_keeps_named_fields_and_an_extra_object() {
    let user = parsed(
        json!({"email": "a@b.com", "city": "Oulu", "email_variants": ["c@d.com"],
                             "tier": "gold"}),
    );
    let stored = serde_json::to_value(&user).unwrap();
    assert_eq!(
        stored,
        json!({"email": "a@b.com", "phone": null, "external_id": null, "first_name": null,
               "last_name": null,
               "extra": {"city": "Oulu", "email_variants": ["c@d.com"], "tier": "gold"}})
    );
    let read: UserData = serde_json::from_value(stored).unwrap();
    assert_eq!(read, user);
    assert_eq!(
        Value::Object(user.to_document()),
        json!({"email": "a@b.com", "city": "Oulu", "email_variants": ["c@d.com"], "tier": "gold"})
    );
}

#[test]
fn identities_come_priority_first_and_with_their_variants() {
    let user = parsed(json!({"external_id": "e1", "priority_external_id": "p1",
                             "email": "a@b.com", "email_variants": ["c@d.com"]}));
    let ids: Vec<&str> = user.external_ids().map(ExternalId::as_str).collect();
    assert_eq!(ids, ["p1", "e1"]);
    let emails: Vec<&str> = user.emails().map(Email::as_str).collect();
    assert_eq!(emails, ["a@b.com", "c@d.com"]);
}
