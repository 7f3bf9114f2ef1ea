//! What `/webhook` refuses, naming the field, and its bounds.

use super::*;

/// (pairs, expected code, expected field) for every refusal the parser can give.
type Refusal = (
    &'static [(&'static str, &'static str)],
    &'static str,
    &'static str,
);

const REFUSALS: &[Refusal] = &[
    (&[("value", "10")], "currency_required", "currency"),
    (
        &[("value", "abc"), ("currency", "EUR")],
        "invalid_value",
        "value",
    ),
    (
        &[("value", "-5"), ("currency", "EUR")],
        "invalid_value",
        "value",
    ),
    (&[("currency", "EURO")], "invalid_currency", "currency"),
    (&[("currency", "XYZ")], "invalid_currency", "currency"),
    (&[("birthday", "17.06.1985")], "invalid_date", "birthday"),
    (&[("birthday", "1985-02-30")], "invalid_date", "birthday"),
    (&[("birthday", "1985-6-17")], "invalid_date", "birthday"),
    (&[("url", "javascript:alert(1)")], "invalid_url", "url"),
    (&[("url", "/relative")], "invalid_url", "url"),
    (&[("ip", "999.1.1.1")], "invalid_ip", "ip"),
    (&[("isPartial", "maybe")], "invalid_boolean", "isPartial"),
    (&[("pc_test", "2")], "invalid_boolean", "pc_test"),
    (
        &[("forceNewSessionCreatedAt", "yesterday")],
        "invalid_timestamp",
        "forceNewSessionCreatedAt",
    ),
    (
        &[("forceNewSessionCreatedAt", "5")],
        "invalid_timestamp",
        "forceNewSessionCreatedAt",
    ),
    (&[("eventId", "a\u{0}b")], "invalid_event_id", "eventId"),
    (&[("gclid", "abc\u{1}def")], "invalid_text", "gclid"),
    (
        &[("visitorId", "<script>")],
        "invalid_visitor_id",
        "visitorId",
    ),
    (
        &[("emailVariants", "a@example.com,a\u{1b}b")],
        "invalid_text",
        "emailVariants[1]",
    ),
    (
        &[("phoneNumberVariants", "[1,2")],
        "invalid_type",
        "phoneNumberVariants",
    ),
    (
        &[("eventAttributes", "{not json")],
        "invalid_attributes",
        "eventAttributes",
    ),
    (
        &[("eventAttributes", "[1,2]")],
        "invalid_attributes",
        "eventAttributes",
    ),
    (
        &[("eventAttributes[a][b]", "x")],
        "invalid_parameter",
        "eventAttributes[a][b]",
    ),
    (
        &[("eventAttributes[]", "x")],
        "invalid_parameter",
        "eventAttributes[]",
    ),
    (
        &[("email[x]", "a@example.com")],
        "invalid_parameter",
        "email[x]",
    ),
    (
        &[("email", "a@example.com"), ("Email", "b@example.com")],
        "duplicate_parameter",
        "Email",
    ),
    (
        &[("source", "stripe"), ("eventAttributes[source]", "crm")],
        "duplicate_parameter",
        "eventAttributes[source]",
    ),
    (&[("firstName", "a\u{7}b")], "invalid_text", "firstName"),
];

#[test]
fn every_refusal_names_its_field() {
    for (extra, code, field) in REFUSALS {
        let err = refused(parse_webhook(&row_pairs(extra), &WebhookBody::Empty));
        assert_eq!(
            (err.code, err.field.as_deref()),
            (*code, Some(*field)),
            "{extra:?}"
        );
    }
}

#[test]
fn track_present_but_empty_is_refused_rather_than_becoming_a_set() {
    let err = refused(from_query(&[("track", ""), ("email", "a@example.com")]));
    assert_eq!(
        (err.code, err.field.as_deref()),
        ("invalid_event", Some("track"))
    );
    let err = refused(from_query(&[("track", "Pur\nchase")]));
    assert_eq!(err.field.as_deref(), Some("track"));
}

#[test]
fn the_same_parameter_twice_with_the_same_value_is_accepted() {
    let query = pairs(&[("track", "Lead"), ("email", "a@example.com")]);
    let body = WebhookBody::Json(json!({"email": " a@example.com"}));
    let e = event(parse_webhook(&query, &body));
    assert_eq!(e.user.email.as_deref(), Some("a@example.com"));
}

#[test]
fn values_are_bounded_in_length() {
    let long = "x".repeat(crate::core::input::MAX_TEXT_LEN + 1);
    let err = refused(from_query(&[("track", "Lead"), ("firstName", &long)]));
    assert_eq!(
        (err.code, err.field.as_deref()),
        ("too_long", Some("firstName"))
    );
    let err = refused(from_query(&[("track", "Lead"), ("lead_type", &long)]));
    assert_eq!(
        (err.code, err.field.as_deref()),
        ("too_long", Some("lead_type"))
    );
    let long_url = format!(
        "https://shop.example/?q={}",
        "x".repeat(crate::core::input::MAX_URL_LEN)
    );
    let err = refused(from_query(&[("track", "Lead"), ("url", &long_url)]));
    assert_eq!((err.code, err.field.as_deref()), ("too_long", Some("url")));
    let encoded = format!(r#"{{"a":"{}"}}"#, "x".repeat(MAX_ENCODED_ATTRIBUTES_LEN));
    let err = refused(from_query(&[
        ("track", "Lead"),
        ("eventAttributes", &encoded),
    ]));
    assert_eq!(
        (err.code, err.field.as_deref()),
        ("too_long", Some("eventAttributes"))
    );
}

#[test]
fn parameter_count_and_names_are_bounded() {
    let many: Vec<(String, String)> = (0..=MAX_PARAMETERS)
        .map(|i| (format!("p{i}"), "x".to_string()))
        .collect();
    let err = refused(parse_webhook(&many, &WebhookBody::Empty));
    assert_eq!(err.code, "too_many_parameters");
    let long_name = "n".repeat(MAX_PARAMETER_NAME_LEN + 1);
    let err = refused(from_query(&[("track", "Lead"), (&long_name, "x")]));
    assert_eq!(err.code, "invalid_parameter");
    assert_eq!(err.field.unwrap().len(), MAX_PARAMETER_NAME_LEN);
    let err = refused(from_query(&[("track", "Lead"), ("", "x")]));
    assert_eq!(err.code, "invalid_parameter");
}

#[test]
fn attributes_are_bounded_in_count() {
    let mut list: Vec<(String, String)> = vec![("track".into(), "Lead".into())];
    list.extend((0..=crate::core::event::MAX_ATTRIBUTES).map(|i| (format!("a{i}"), "x".into())));
    let err = refused(parse_webhook(&list, &WebhookBody::Empty));
    assert_eq!(
        (err.code, err.field.as_deref()),
        ("too_many_attributes", Some("eventAttributes"))
    );
}

#[test]
fn variants_are_bounded_in_count() {
    let list: Vec<String> = (0..=crate::core::user_data::MAX_VARIANTS)
        .map(|i| format!("u{i}@example.com"))
        .collect();
    let joined = list.join(",");
    let err = refused(from_query(&[("track", "Lead"), ("emailVariants", &joined)]));
    assert_eq!(
        (err.code, err.field.as_deref()),
        ("too_many_variants", Some("emailVariants"))
    );
    // A JSON list counts every item, as its schema's maxItems does: eleven nulls are too many.
    let nulls: Vec<Value> = (0..=crate::core::user_data::MAX_VARIANTS)
        .map(|_| Value::Null)
        .collect();
    let body = WebhookBody::Json(json!({ "phoneNumberVariants": nulls }));
    let err = refused(parse_webhook(&[], &body));
    assert_eq!(
        (err.code, err.field.as_deref()),
        ("too_many_variants", Some("phoneNumberVariants"))
    );
    // A number item outside the 64-bit whole numbers its schema gives is refused, named by
    // its place in the list as the user object names one.
    let past: Value = serde_json::from_str("[-9223372036854775809]").unwrap();
    let body = WebhookBody::Json(json!({ "phoneNumberVariants": past }));
    let err = refused(parse_webhook(&[], &body));
    assert_eq!(
        (err.code, err.field.as_deref()),
        ("invalid_type", Some("phoneNumberVariants[0]"))
    );
    // A boolean item is neither a phone number nor text: its schema allows strings and numbers.
    let body = WebhookBody::Json(json!({ "phoneNumberVariants": [false] }));
    let err = refused(parse_webhook(&[], &body));
    assert_eq!(
        (err.code, err.field.as_deref()),
        ("invalid_type", Some("phoneNumberVariants[0]"))
    );
}

#[test]
fn json_bodies_are_bounded_in_depth_and_must_be_objects() {
    let mut deep = json!("leaf");
    for _ in 0..crate::core::input::MAX_JSON_DEPTH {
        deep = json!({ "n": deep });
    }
    let body = WebhookBody::Json(json!({"track": "Lead", "lead": deep}));
    assert_eq!(refused(parse_webhook(&[], &body)).code, "too_deep");
    assert_eq!(
        WebhookBody::json(&serde_json::to_string(&json!({"track": "Lead", "lead": deep})).unwrap())
            .unwrap_err()
            .code,
        "too_deep"
    );
    assert_eq!(WebhookBody::json("[1]").unwrap_err().code, "invalid_body");
    assert_eq!(WebhookBody::json("{").unwrap_err().code, "invalid_json");
    assert_eq!(
        refused(parse_webhook(&[], &WebhookBody::Json(json!("track")))).code,
        "invalid_body"
    );
}

#[test]
fn object_valued_parameters_are_refused_where_text_is_expected() {
    let body = WebhookBody::Json(json!({"track": "Lead", "email": {"a": 1}}));
    let err = refused(parse_webhook(&[], &body));
    assert_eq!(
        (err.code, err.field.as_deref()),
        ("invalid_type", Some("email"))
    );
    let body = WebhookBody::Json(json!({"track": "Lead", "eventAttributes": 5}));
    let err = refused(parse_webhook(&[], &body));
    assert_eq!(
        (err.code, err.field.as_deref()),
        ("invalid_attributes", Some("eventAttributes"))
    );
}

#[test]
fn empty_parameters_are_absent() {
    let e = event(from_query(&[
        ("track", "Lead"),
        ("email", ""),
        ("value", " "),
        ("gclid", ""),
        ("lead_type", ""),
    ]));
    assert_eq!(e.user.email, None);
    assert_eq!(e.value, None);
    assert!(e.clicks.is_empty());
    assert!(e.attributes.is_empty());
}

#[test]
fn the_activity_topic_is_the_event_name_or_set() {
    let track = from_query(&[("track", "Purchase")]).unwrap();
    assert_eq!(track.activity_topic(), "Purchase");
    let enrich = from_query(&[("email", "a@example.com")]).unwrap();
    assert_eq!(enrich.activity_topic(), "set");
}

#[test]
fn an_unusable_email_or_phone_is_kept_as_sent_but_never_identifies_anyone() {
    let e = event(from_query(&[
        ("track", "Lead"),
        ("email", "[email protected]"),
        ("phoneNumber", "call me"),
    ]));
    assert_eq!(e.user.email.as_deref(), Some("[email protected]"));
    assert_eq!(e.user.phone.as_deref(), Some("call me"));
    assert!(crate::core::matching::MatchKeys::from_event(&e).is_empty());
    let err = refused(from_query(&[("email", "[email protected]")]));
    assert_eq!(err.code, "no_identity");
}

#[test]
fn a_set_request_refuses_an_invalid_pc_test_though_it_ignores_the_switch() {
    let body = WebhookBody::Json(json!({ "externalId": "0", "pcTest": "\u{84}" }));
    let err = refused(parse_webhook(&[], &body));
    assert_eq!(err.field.as_deref(), Some("pcTest"));
    let ok = parse_webhook(
        &[],
        &WebhookBody::Json(json!({ "externalId": "0", "pcTest": "1" })),
    );
    assert!(matches!(ok, Ok(TrackOrSet::Set(_))), "{ok:?}");
}
