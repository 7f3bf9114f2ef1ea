//! Seed 002's parameter table, row by row, from every transport.

use super::*;
use crate::core::event::{EventId, EventSource};
use crate::core::money::Amount;
use serde_json::Map;

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
