//! Bodies that are not objects, and the bounds on depth and counts.

use super::*;

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

#[test]
fn a_quantity_written_as_a_whole_number_float_is_that_quantity() {
    let e = parse(
        Topic::Purchase,
        json!({"products": [{"id": "w", "quantity": 2.0}]}),
    )
    .unwrap();
    assert_eq!(
        attr(&e, "products"),
        Some(&json!([{"id": "w", "quantity": 2}]))
    );
    let err = parse(
        Topic::Purchase,
        json!({"products": [{"id": "w", "quantity": 2.5}]}),
    )
    .unwrap_err();
    assert_eq!(err.code, "invalid_quantity");
}
