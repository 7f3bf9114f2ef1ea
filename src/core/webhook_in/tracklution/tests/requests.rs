//! Whole requests: the seed's examples, the shapes values arrive in, and set requests.

use super::*;

#[test]
fn seed_002_example_1_parses_verbatim() {
    let body = WebhookBody::json(
        r#"{
      "track": "Purchase",
      "value": 99.00,
      "currency": "EUR",
      "externalId": "order-12345",
      "email": "customer@example.com"
    }"#,
    )
    .unwrap();
    let e = event(parse_webhook(&pairs(&[("k", KEY)]), &body));
    assert_eq!(e.name.as_str(), "Purchase");
    assert_eq!(e.value.unwrap().get(), 99.0);
    assert_eq!(e.currency.unwrap().as_str(), "EUR");
    assert_eq!(e.user.external_id.as_deref(), Some("order-12345"));
    assert_eq!(e.user.email.as_deref(), Some("customer@example.com"));
    assert!(e.attributes.is_empty());
}

#[test]
fn seed_002_example_2_keeps_event_attributes_as_the_custom_data() {
    let body = WebhookBody::json(
        r#"{
      "track": "Purchase",
      "value": 99.00,
      "currency": "EUR",
      "externalId": "order-12345",
      "email": "customer@example.com",
      "event_attributes": {
        "plan": "Premium",
        "billingPeriod": "Annual",
        "sourceSystem": "CRM"
      }
    }"#,
    )
    .unwrap();
    let e = event(parse_webhook(&[], &body));
    assert_eq!(
        Value::Object(e.attributes.as_map().clone()),
        json!({"plan": "Premium", "billingPeriod": "Annual", "sourceSystem": "CRM"})
    );
}

#[test]
fn event_attributes_come_as_bracket_keys_in_a_query_or_form() {
    let e = event(from_query(&[
        ("track", "Purchase"),
        ("eventAttributes[plan]", "Premium"),
        ("event_attributes[billingPeriod]", "Annual"),
    ]));
    assert_eq!(attribute(&e, "plan"), Some(&json!("Premium")));
    assert_eq!(attribute(&e, "billingPeriod"), Some(&json!("Annual")));
}

#[test]
fn json_numbers_are_accepted_for_text_parameters() {
    let body = WebhookBody::Json(json!({
        "track": "Purchase", "value": 15, "currency": "USD",
        "phoneNumber": 15551234567u64, "externalId": 12345, "isPartial": false
    }));
    let e = event(parse_webhook(&[], &body));
    assert_eq!(e.user.phone.as_deref(), Some("15551234567"));
    assert_eq!(e.user.external_id.as_deref(), Some("12345"));
    assert_eq!(attribute(&e, "is_partial"), Some(&json!(false)));
}

#[test]
fn query_and_body_combine_and_the_key_is_never_an_attribute() {
    let body = WebhookBody::form("track=Purchase&email=a%40example.com").unwrap();
    let query = WebhookQuery::parse(&format!("k={KEY}&source=stripe"));
    assert_eq!(presented_key(&query, &body), Ok(Some(KEY)));
    let e = event(parse_webhook(query.pairs().unwrap(), &body));
    assert_eq!(e.user.email.as_deref(), Some("a@example.com"));
    assert_eq!(attribute(&e, "source"), Some(&json!("stripe")));
    assert_eq!(attribute(&e, "k"), None);
}

#[test]
fn the_key_is_found_in_a_form_or_json_body_when_the_query_has_none() {
    let none = WebhookQuery::default();
    let form = WebhookBody::Form(pairs(&[("k", KEY)]));
    assert_eq!(presented_key(&none, &form), Ok(Some(KEY)));
    let json = WebhookBody::Json(json!({"k": KEY}));
    assert_eq!(presented_key(&none, &json), Ok(Some(KEY)));
    assert_eq!(presented_key(&none, &WebhookBody::Empty), Ok(None));
}

#[test]
fn a_key_given_twice_or_not_decoding_is_refused_and_other_bad_parameters_wait_for_the_key() {
    let twice = [
        (
            WebhookQuery::parse(&format!("k={KEY}&k=other")),
            WebhookBody::Empty,
        ),
        (
            WebhookQuery::parse(&format!("k={KEY}&K={KEY}")),
            WebhookBody::Empty,
        ),
        (
            WebhookQuery::parse(&format!("k={KEY}")),
            WebhookBody::Form(pairs(&[("k", KEY)])),
        ),
        (
            WebhookQuery::parse(&format!("k={KEY}")),
            WebhookBody::Json(json!({"k": KEY})),
        ),
    ];
    for (query, body) in &twice {
        let refusal = presented_key(query, body).unwrap_err();
        assert_eq!(refusal.code, "duplicate_parameter", "{query:?} {body:?}");
        assert_eq!(refusal.field.as_deref(), Some("k"));
    }
    let bad_key = WebhookQuery::parse("k=pck_%FF&track=Purchase");
    let refusal = presented_key(&bad_key, &WebhookBody::Empty).unwrap_err();
    assert_eq!(refusal.code, "invalid_encoding");
    assert_eq!(refusal.field.as_deref(), Some("k"));
    // Another parameter that does not decode leaves the key readable, and refuses the payload.
    let bad_id = WebhookQuery::parse(&format!("k={KEY}&track=Purchase&eventId=u8q-%FF%FE"));
    assert_eq!(presented_key(&bad_id, &WebhookBody::Empty), Ok(Some(KEY)));
    let refusal = bad_id.pairs().unwrap_err();
    assert_eq!(refusal.code, "invalid_encoding");
    assert_eq!(refusal.field.as_deref(), Some("eventId"));
}

#[test]
fn a_form_body_that_does_not_decode_is_refused_naming_the_parameter() {
    let refusal = WebhookBody::form("track=Purchase&eventId=u8p-%FF%FE").unwrap_err();
    assert_eq!(refusal.code, "invalid_encoding");
    assert_eq!(refusal.field.as_deref(), Some("eventId"));
    let body = WebhookBody::form("track=Purchase&eventId=u8p-%C3%A9").unwrap();
    let e = event(parse_webhook(&[], &body));
    assert_eq!(e.event_id.as_ref().map(|id| id.as_str()), Some("u8p-é"));
}

#[test]
fn unknown_parameters_are_kept_as_attributes_under_their_name() {
    let e = event(from_query(&[
        ("track", "Lead"),
        ("lead_type", "demo_request"),
    ]));
    assert_eq!(attribute(&e, "lead_type"), Some(&json!("demo_request")));
}

#[test]
fn email_and_phone_variants_come_as_lists_in_several_shapes() {
    let e = event(from_query(&[
        ("track", "Lead"),
        ("emailVariants[]", "a@example.com"),
        ("emailVariants[]", "b@example.com"),
        ("phoneNumberVariants", r#"["+15551234567","+15551234568"]"#),
    ]));
    assert_eq!(
        extra_of(&e, "email_variants"),
        Some(json!(["a@example.com", "b@example.com"]))
    );
    assert_eq!(
        extra_of(&e, "phone_variants"),
        Some(json!(["+15551234567", "+15551234568"]))
    );
    let body = WebhookBody::Json(
        json!({"track": "Lead", "emailVariants": ["c@example.com", "c@example.com"]}),
    );
    let e = event(parse_webhook(&[], &body));
    assert_eq!(
        extra_of(&e, "email_variants"),
        Some(json!(["c@example.com"]))
    );
}

#[test]
fn force_new_session_created_at_takes_seconds_milliseconds_or_rfc_3339() {
    for raw in ["1700000000", "1700000000000", "2023-11-14T22:13:20Z"] {
        let e = event(from_query(&[
            ("track", "Lead"),
            ("forceNewSessionCreatedAt", raw),
        ]));
        assert_eq!(
            attribute(&e, "force_new_session_created_at"),
            Some(&json!(1_700_000_000_000i64)),
            "{raw}"
        );
    }
}

#[test]
fn without_track_the_request_is_a_set_that_enriches_by_an_identity() {
    let s = set(from_query(&[
        ("externalId", "crm-1"),
        ("email", "jane@example.com"),
        ("phoneNumber", "+15551234567"),
    ]));
    assert_eq!(s.user.external_id.as_deref(), Some("crm-1"));
    assert_eq!(s.user.email.as_deref(), Some("jane@example.com"));
    let by_click = set(from_query(&[("gclid", "abc")]));
    assert_eq!(by_click.clicks[0].param, "gclid");
    let by_visitor = set(from_query(&[("visitorId", "v_123"), ("city", "Oulu")]));
    assert_eq!(by_visitor.visitor_id.as_deref(), Some("v_123"));
}

#[test]
fn a_set_without_any_identity_is_refused() {
    let err = refused(from_query(&[("city", "Oulu"), ("utmSource", "google")]));
    assert_eq!(err.code, "no_identity");
    let err = refused(from_query(&[]));
    assert_eq!(err.code, "no_identity");
}

#[test]
fn a_set_refuses_event_only_parameters() {
    for (name, value) in [("value", "10"), ("currency", "EUR"), ("eventId", "e1")] {
        let err = refused(from_query(&[("email", "a@example.com"), (name, value)]));
        assert_eq!(err.code, "track_required", "{name}");
        assert_eq!(err.field.as_deref(), Some(name));
    }
}

#[test]
fn every_click_parameter_of_the_registry_is_carried_under_its_canonical_name() {
    for param in crate::core::click_params::CLICK_PARAMS {
        let e = event(from_query(&[
            ("track", "Lead"),
            (param.tracklution_name, "Val-1"),
        ]));
        assert_eq!(click(&e, param.name), Some("Val-1"), "{}", param.name);
        let e = event(from_query(&[("track", "Lead"), (param.name, "Val-2")]));
        assert_eq!(click(&e, param.name), Some("Val-2"), "{}", param.name);
    }
    let e = event(from_query(&[("track", "Lead"), ("utmId", "42")]));
    assert!(
        attribute(&e, "utmId").is_none(),
        "utm_id is a tag, not an attribute"
    );
}

#[test]
fn an_unfilled_click_id_macro_is_absent_rather_than_refused() {
    let e = event(from_query(&[
        ("track", "Lead"),
        ("gclid", "{gclid}"),
        ("fbclid", "undefined"),
    ]));
    assert!(e.clicks.is_empty());
}

#[test]
fn consent_comes_as_a_word_bracket_items_or_a_json_object() {
    use crate::core::consent::ConsentSignal;
    let e = event(from_query(&[("track", "Lead"), ("consent", "denied")]));
    assert_eq!(e.consent.advertising, ConsentSignal::Denied);
    assert!(!e.consent.allows_advertising());
    let e = event(from_query(&[
        ("track", "Lead"),
        ("consent[advertising]", "granted"),
        ("consent[analytics]", "false"),
    ]));
    assert_eq!(e.consent.advertising, ConsentSignal::Granted);
    assert_eq!(e.consent.analytics, ConsentSignal::Denied);
    let body = WebhookBody::Json(json!({"track": "Lead", "consent": {"advertising": false}}));
    let e = event(parse_webhook(&[], &body));
    assert_eq!(e.consent.advertising, ConsentSignal::Denied);
    let err = refused(from_query(&[("track", "Lead"), ("consent", "maybe")]));
    assert_eq!(
        (err.code, err.field.as_deref()),
        ("invalid_consent", Some("consent"))
    );
    let err = refused(from_query(&[("track", "Lead"), ("consent[ads]", "true")]));
    assert_eq!(err.code, "unknown_field");
    let err = refused(from_query(&[
        ("email", "a@example.com"),
        ("consent", "denied"),
    ]));
    assert_eq!(
        (err.code, err.field.as_deref()),
        ("track_required", Some("consent"))
    );
}

#[test]
fn user_data_follows_the_rules_every_surface_shares() {
    let long = "x".repeat(crate::core::user_data::MAX_USER_TEXT_BYTES + 1);
    let err = refused(from_query(&[("track", "Lead"), ("city", &long)]));
    assert_eq!((err.code, err.field.as_deref()), ("too_long", Some("city")));
    let body = WebhookBody::Json(json!({"track": "Lead", "firstName": true}));
    let err = refused(parse_webhook(&[], &body));
    assert_eq!(
        (err.code, err.field.as_deref()),
        ("invalid_type", Some("firstName"))
    );
    let body = WebhookBody::Json(json!({"track": "Lead", "phoneNumber": 358401234567_u64}));
    let e = event(parse_webhook(&[], &body));
    assert_eq!(e.user.phone.as_deref(), Some("358401234567"));
}
