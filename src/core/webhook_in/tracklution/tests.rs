use super::*;
use serde_json::json;

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect()
}

fn from_query(list: &[(&str, &str)]) -> Result<TrackOrSet, Invalid> {
    parse_webhook(&pairs(list), &WebhookBody::Empty)
}

fn event(parsed: Result<TrackOrSet, Invalid>) -> NewEvent {
    match parsed {
        Ok(TrackOrSet::Track(event)) => event,
        other => panic!("expected a track event, got {other:?}"),
    }
}

fn set(parsed: Result<TrackOrSet, Invalid>) -> SetData {
    match parsed {
        Ok(TrackOrSet::Set(set)) => set,
        other => panic!("expected a set request, got {other:?}"),
    }
}

fn refused(parsed: Result<TrackOrSet, Invalid>) -> Invalid {
    match parsed {
        Err(invalid) => invalid,
        Ok(other) => panic!("expected a refusal, got {other:?}"),
    }
}

/// A stored user field outside the named five, in its stored JSON form.
fn extra_of(event: &NewEvent, key: &str) -> Option<Value> {
    serde_json::to_value(&event.user.extra)
        .ok()?
        .get(key)
        .cloned()
}

fn attribute<'a>(event: &'a NewEvent, key: &str) -> Option<&'a Value> {
    event.attributes.as_map().get(key)
}

fn click<'a>(event: &'a NewEvent, param: &str) -> Option<&'a str> {
    event
        .clicks
        .iter()
        .find(|c| c.param == param)
        .map(|c| c.value.as_str())
}

/// Every parameter of seed 002's table, in its order, plus `source` and `pc_test`.
const SEED_002_PARAMETERS: &[&str] = &[
    "k",
    "track",
    "value",
    "currency",
    "url",
    "email",
    "phoneNumber",
    "firstName",
    "lastName",
    "birthday",
    "gender",
    "address",
    "postCode",
    "city",
    "country",
    "externalId",
    "gclid",
    "fbclid",
    "gbraid",
    "wbraid",
    "ttclid",
    "msclkid",
    "epik",
    "dclid",
    "rdtCid",
    "trls",
    "trlc",
    "utmSource",
    "utmMedium",
    "utmCampaign",
    "utmContent",
    "utmTerm",
    "eventId",
    "priorityExternalId",
    "phoneNumberVariants",
    "emailVariants",
    "userAgent",
    "ip",
    "actionSource",
    "eventAttributes",
    "eventSourceDomain",
    "isPartial",
    "forceNewSessionCreatedAt",
    "source",
    "pc_test",
];

const KEY: &str = "pck_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

/// One row per parameter: the extra pairs sent with `track=Purchase`, and what must come out.
type Row = (
    &'static str,
    &'static [(&'static str, &'static str)],
    fn(&NewEvent) -> bool,
);

const ROWS: &[Row] = &[
    ("k", &[("k", KEY)], |e| e.attributes.is_empty()),
    ("track", &[("track", "BookingComplete")], |e| {
        e.name.as_str() == "BookingComplete"
    }),
    ("value", &[("value", "99.00"), ("currency", "EUR")], |e| {
        e.value.map(Amount::get) == Some(99.0)
    }),
    ("currency", &[("currency", "eur")], |e| {
        e.currency.map(|c| c.as_str() == "EUR") == Some(true)
    }),
    ("url", &[("url", "https://shop.example/thanks?o=1")], |e| {
        e.url.as_deref() == Some("https://shop.example/thanks?o=1")
    }),
    ("email", &[("email", "Customer@Example.com")], |e| {
        e.user.email.as_deref() == Some("Customer@Example.com")
    }),
    ("phoneNumber", &[("phoneNumber", "+358 40 1234567")], |e| {
        e.user.phone.as_deref() == Some("+358 40 1234567")
    }),
    ("firstName", &[("firstName", "Jane")], |e| {
        e.user.first_name.as_deref() == Some("Jane")
    }),
    ("lastName", &[("lastName", "Doe")], |e| {
        e.user.last_name.as_deref() == Some("Doe")
    }),
    ("birthday", &[("birthday", "1985-06-17")], |e| {
        extra_of(e, "birthday") == Some(json!("1985-06-17"))
    }),
    ("gender", &[("gender", "female")], |e| {
        extra_of(e, "gender") == Some(json!("female"))
    }),
    ("address", &[("address", "Main Street 1")], |e| {
        extra_of(e, "street") == Some(json!("Main Street 1"))
    }),
    ("postCode", &[("postCode", "00100")], |e| {
        extra_of(e, "postal_code") == Some(json!("00100"))
    }),
    ("city", &[("city", "Helsinki")], |e| {
        extra_of(e, "city") == Some(json!("Helsinki"))
    }),
    ("country", &[("country", "FI")], |e| {
        extra_of(e, "country") == Some(json!("FI"))
    }),
    ("externalId", &[("externalId", "order-12345")], |e| {
        e.user.external_id.as_deref() == Some("order-12345")
    }),
    ("gclid", &[("gclid", "Cj0KCQ_gclid")], |e| {
        click(e, "gclid") == Some("Cj0KCQ_gclid")
    }),
    ("fbclid", &[("fbclid", "IwAR_fb")], |e| {
        click(e, "fbclid") == Some("IwAR_fb")
    }),
    ("gbraid", &[("gbraid", "0AAAA_gb")], |e| {
        click(e, "gbraid") == Some("0AAAA_gb")
    }),
    ("wbraid", &[("wbraid", "CkwK_wb")], |e| {
        click(e, "wbraid") == Some("CkwK_wb")
    }),
    ("ttclid", &[("ttclid", "E.C.P.tt")], |e| {
        click(e, "ttclid") == Some("E.C.P.tt")
    }),
    ("msclkid", &[("msclkid", "ms123")], |e| {
        click(e, "msclkid") == Some("ms123")
    }),
    ("epik", &[("epik", "dj0yJnU9")], |e| {
        click(e, "epik") == Some("dj0yJnU9")
    }),
    ("dclid", &[("dclid", "CJKm_dc")], |e| {
        click(e, "dclid") == Some("CJKm_dc")
    }),
    ("rdtCid", &[("rdtCid", "t2_reddit")], |e| {
        click(e, "rdt_cid") == Some("t2_reddit")
    }),
    ("trls", &[("trls", "src-1")], |e| {
        click(e, "trls") == Some("src-1")
    }),
    ("trlc", &[("trlc", "clk-1")], |e| {
        click(e, "trlc") == Some("clk-1")
    }),
    ("utmSource", &[("utmSource", "google")], |e| {
        click(e, "utm_source") == Some("google")
    }),
    ("utmMedium", &[("utmMedium", "cpc")], |e| {
        click(e, "utm_medium") == Some("cpc")
    }),
    ("utmCampaign", &[("utmCampaign", "summer sale")], |e| {
        click(e, "utm_campaign") == Some("summer sale")
    }),
    ("utmContent", &[("utmContent", "banner-a")], |e| {
        click(e, "utm_content") == Some("banner-a")
    }),
    ("utmTerm", &[("utmTerm", "running shoes")], |e| {
        click(e, "utm_term") == Some("running shoes")
    }),
    ("eventId", &[("eventId", "evt-123")], |e| {
        e.event_id.as_ref().map(EventId::as_str) == Some("evt-123")
    }),
    (
        "priorityExternalId",
        &[("priorityExternalId", "crm-9")],
        |e| extra_of(e, "priority_external_id") == Some(json!("crm-9")),
    ),
    (
        "phoneNumberVariants",
        &[("phoneNumberVariants", "+15551234567, 1 555 123 4568")],
        |e| extra_of(e, "phone_variants") == Some(json!(["+15551234567", "1 555 123 4568"])),
    ),
    (
        "emailVariants",
        &[("emailVariants", "a@example.com,b@example.com")],
        |e| extra_of(e, "email_variants") == Some(json!(["a@example.com", "b@example.com"])),
    ),
    (
        "userAgent",
        &[("userAgent", "Mozilla/5.0 (X11; Linux x86_64)")],
        |e| e.user_agent.as_deref() == Some("Mozilla/5.0 (X11; Linux x86_64)"),
    ),
    ("ip", &[("ip", "203.0.113.9")], |e| {
        e.ip.as_deref() == Some("203.0.113.9")
    }),
    ("actionSource", &[("actionSource", "website")], |e| {
        attribute(e, "action_source") == Some(&json!("website"))
    }),
    (
        "eventAttributes",
        &[("eventAttributes", r#"{"plan":"Premium","seats":3}"#)],
        |e| {
            attribute(e, "plan") == Some(&json!("Premium"))
                && attribute(e, "seats") == Some(&json!(3))
        },
    ),
    (
        "eventSourceDomain",
        &[("eventSourceDomain", "shop.example")],
        |e| attribute(e, "event_source_domain") == Some(&json!("shop.example")),
    ),
    ("isPartial", &[("isPartial", "true")], |e| {
        attribute(e, "is_partial") == Some(&json!(true))
    }),
    (
        "forceNewSessionCreatedAt",
        &[("forceNewSessionCreatedAt", "1700000000")],
        |e| attribute(e, "force_new_session_created_at") == Some(&json!(1_700_000_000_000i64)),
    ),
    ("source", &[("source", "stripe")], |e| {
        attribute(e, "source") == Some(&json!("stripe"))
    }),
    ("pc_test", &[("pc_test", "1")], |e| e.force_send),
];

/// The row's pairs after a default `track=Purchase` (which a `track` row overrides).
fn row_pairs(extra: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut list = pairs(extra);
    if !extra.iter().any(|(n, _)| *n == "track") {
        list.insert(0, ("track".to_string(), "Purchase".to_string()));
    }
    list
}

#[test]
fn the_table_has_a_row_for_every_parameter_of_seed_002() {
    for name in SEED_002_PARAMETERS {
        assert!(ROWS.iter().any(|(row, _, _)| row == name), "{name}");
    }
    assert_eq!(ROWS.len(), SEED_002_PARAMETERS.len());
}

#[test]
fn every_seed_002_parameter_is_accepted_from_the_query_string() {
    for (name, extra, check) in ROWS {
        let parsed = parse_webhook(&row_pairs(extra), &WebhookBody::Empty);
        let e = event(parsed);
        assert!(check(&e), "{name}: {e:?}");
        assert_eq!(e.source, EventSource::Webhook);
    }
}

#[test]
fn every_seed_002_parameter_is_accepted_from_a_form_body() {
    for (name, extra, check) in ROWS {
        let body = WebhookBody::Form(row_pairs(extra));
        let e = event(parse_webhook(&pairs(&[("k", KEY)]), &body));
        assert!(check(&e), "{name}: {e:?}");
    }
}

#[test]
fn every_seed_002_parameter_is_accepted_from_a_json_body_of_strings() {
    for (name, extra, check) in ROWS {
        let object: Map<String, Value> = row_pairs(extra)
            .into_iter()
            .map(|(n, v)| (n, Value::String(v)))
            .collect();
        let e = event(parse_webhook(
            &[],
            &WebhookBody::Json(Value::Object(object)),
        ));
        assert!(check(&e), "{name}: {e:?}");
    }
}

#[test]
fn snake_case_spellings_of_the_parameters_are_the_same_parameters() {
    let e = event(from_query(&[
        ("track", "Lead"),
        ("phone_number", "+15551234567"),
        ("external_id", "x-1"),
        ("utm_source", "meta"),
        ("rdt_cid", "r1"),
        ("event_id", "e-1"),
        ("event_attributes", r#"{"a":1}"#),
    ]));
    assert_eq!(e.user.phone.as_deref(), Some("+15551234567"));
    assert_eq!(e.user.external_id.as_deref(), Some("x-1"));
    assert_eq!(click(&e, "utm_source"), Some("meta"));
    assert_eq!(click(&e, "rdt_cid"), Some("r1"));
    assert_eq!(e.event_id.as_ref().unwrap().as_str(), "e-1");
    assert_eq!(attribute(&e, "a"), Some(&json!(1)));
}

#[test]
fn phone_is_accepted_for_phone_number_as_the_seed_calls_it() {
    let e = event(from_query(&[("track", "Lead"), ("phone", "+15551234567")]));
    assert_eq!(e.user.phone.as_deref(), Some("+15551234567"));
}

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
    let body = WebhookBody::form("track=Purchase&email=a%40example.com");
    let query = pairs(&[("k", KEY), ("source", "stripe")]);
    assert_eq!(presented_key(&query, &body), Some(KEY));
    let e = event(parse_webhook(&query, &body));
    assert_eq!(e.user.email.as_deref(), Some("a@example.com"));
    assert_eq!(attribute(&e, "source"), Some(&json!("stripe")));
    assert_eq!(attribute(&e, "k"), None);
}

#[test]
fn the_key_is_found_in_a_form_or_json_body_when_the_query_has_none() {
    let form = WebhookBody::Form(pairs(&[("k", KEY)]));
    assert_eq!(presented_key(&[], &form), Some(KEY));
    let json = WebhookBody::Json(json!({"k": KEY}));
    assert_eq!(presented_key(&[], &json), Some(KEY));
    assert_eq!(presented_key(&[], &WebhookBody::Empty), None);
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
    (&[("gclid", "abc def")], "invalid_identifier", "gclid"),
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
