//! Tests of what `{{NAME}}` resolves to for a stored event.

use super::*;
use crate::core::browser_event::parse_browser_event;
use crate::core::clicks::StoredClick;
use crate::core::event::CarriedClick;
use serde_json::json;

const AT: i64 = 1_700_000_000_123;

fn event(body: serde_json::Value) -> NewEvent {
    parse_browser_event(&body, None, Some("203.0.113.9"), Some("Mozilla/5.0 Test")).unwrap()
}

fn row(param: &str, value: &str, landing: Option<&str>, at_ms: i64) -> StoredClick {
    StoredClick {
        param: param.into(),
        value: value.into(),
        landing_url: landing.map(str::to_string),
        at_ms,
    }
}

fn values_of(
    event: &NewEvent,
    history: &[StoredClick],
    domain: Option<&CookieDomain>,
) -> ParamValues {
    ParamValues::for_event(&EventFacts {
        event,
        event_id: "order-1",
        at_ms: AT,
        visitor_id: Some("vid_1"),
        provenance: crate::core::provenance::Provenance::Server,
        cookie_domain: domain,
        history,
    })
}

#[test]
fn event_fields_resolve_to_their_parameters() {
    let e = event(
        json!({"event": "Purchase", "value": "15", "currency": "eur",
        "url": "https://www.shop.com/thanks?x=1"}),
    );
    let v = values_of(&e, &[], None);
    assert_eq!(v.get("EVENT_ID"), Some("order-1"));
    assert_eq!(v.get("CONVERSION_ID"), Some("order-1"));
    assert_eq!(
        v.get("ORDER_ID"),
        Some("order-1"),
        "without order_id, the event id"
    );
    assert_eq!(v.get("VALUE"), Some("15"));
    assert_eq!(v.get("CURRENCY"), Some("EUR"));
    assert_eq!(v.get("TIMESTAMP"), Some("1700000000"));
    assert_eq!(v.get("URL"), Some("https://www.shop.com/thanks?x=1"));
    assert_eq!(v.get("IP"), Some("203.0.113.9"));
    assert_eq!(v.get("USER_AGENT"), Some("Mozilla/5.0 Test"));
    assert_eq!(v.get("VISITOR_ID"), Some("vid_1"));
    assert_eq!(
        v.get("EVENT_NAME"),
        None,
        "the connector fills in the renamed name"
    );
    let cents = event(json!({"event": "Purchase", "value": 49.9, "currency": "EUR"}));
    assert_eq!(values_of(&cents, &[], None).get("VALUE"), Some("49.9"));
}

#[test]
fn user_fields_resolve_raw_and_hashed_as_the_ad_platforms_require() {
    let e = event(
        json!({"event": "Lead", "user": {"email": " A@B.COM ", "phone": "+1 (555) 123-4567",
        "external_id": "cust-9", "first_name": "Zoë", "last_name": "O'Neil"}}),
    );
    let v = values_of(&e, &[], None);
    assert_eq!(v.get("EMAIL"), Some("A@B.COM"));
    assert_eq!(
        v.get("EMAIL_SHA256"),
        Some("fb98d44ad7501a959f3f4f4a3f004fe2d9e581ea6207e218c4b02c08a4d75adf")
    );
    assert_eq!(
        v.get("PHONE_SHA256"),
        crate::core::user_data::Phone::parse("15551234567", "phone")
            .unwrap()
            .and_then(|p| p.sha256())
            .as_deref()
    );
    assert_eq!(v.get("EXTERNAL_ID"), Some("cust-9"));
    assert_eq!(v.get("FIRST_NAME"), Some("Zoë"));
    assert_eq!(v.get("LAST_NAME"), Some("O'Neil"));

    let prehashed = "a".repeat(64);
    let e = event(json!({"event": "Lead", "user": {"email": prehashed, "phone": "12"}}));
    let v = values_of(&e, &[], None);
    assert_eq!(v.get("EMAIL_SHA256"), Some(prehashed.as_str()));
    assert_eq!(v.get("PHONE_SHA256"), None, "too few digits to normalise");
}

#[test]
fn both_platforms_hashes_resolve_from_raw_or_from_the_hashes_kept_in_its_place() {
    // Fixed digests of `johnsmith@gmail.com`, `john.smith@gmail.com`, `+16505551212` and
    // `16505551212` (sha256sum of each text).
    let google_email = "3586de92bb3636d0885a12eff961429a32e4ebd764b96f50d85d016f9338d586";
    let meta_email = "d0c648bc36f12061bec770df216cea2ab95851b9350fd54b658de53b0407767a";
    let google_phone = "1e231c66011e7a2d867a9cfae267a6aff103cf4913640b6e71a99850fc0ffbc8";
    let meta_phone = "e323ec626319ca94ee8bff2e4c87cf613be6ea19919ed1364124e16807ab3176";
    let mut e = event(json!({"event": "Lead", "user": {
        "email": "John.Smith@Gmail.com", "phone": "+1 (650) 555-1212"}}));
    for round in ["raw", "hashes only"] {
        let v = values_of(&e, &[], None);
        assert_eq!(v.get("EMAIL_SHA256_GOOGLE"), Some(google_email), "{round}");
        assert_eq!(v.get("EMAIL_SHA256"), Some(meta_email), "{round}");
        assert_eq!(v.get("PHONE_E164_SHA256"), Some(google_phone), "{round}");
        assert_eq!(v.get("PHONE_SHA256"), Some(meta_phone), "{round}");
        e.user = e.user.minimised(crate::core::user_data::KeepRaw::default());
    }
    let v = values_of(&e, &[], None);
    assert_eq!((v.get("EMAIL"), v.get("PHONE")), (None, None));
}

#[test]
fn custom_attributes_become_upper_snake_case_and_never_shadow_built_ins() {
    let e = event(
        json!({"event": "Purchase", "value": 10, "currency": "EUR", "attributes": {
        "transaction_id": 12345, "billingPeriod": "monthly", "extra": "something",
        "value": "999", "gclid": "forged", "paid": true, "items": [1, 2], "nothing": null}}),
    );
    let v = values_of(&e, &[], None);
    assert_eq!(v.get("TRANSACTION_ID"), Some("12345"));
    assert_eq!(v.get("BILLING_PERIOD"), Some("monthly"));
    assert_eq!(v.get("EXTRA"), Some("something"));
    assert_eq!(v.get("PAID"), Some("true"));
    assert_eq!(v.get("ITEMS"), Some("[1,2]"));
    assert_eq!(v.get("NOTHING"), None);
    assert_eq!(v.get("VALUE"), Some("10"));
    assert_eq!(
        v.get("GCLID"),
        None,
        "a click parameter only comes from clicks"
    );
}

#[test]
fn click_parameters_take_the_latest_value_and_carried_clicks_win() {
    let e = event(json!({"event": "Purchase"}));
    let history = [
        row("gclid", "old", None, AT - 5000),
        row("gclid", "new", None, AT - 1000),
        row("utm_source", "newsletter", None, AT - 5000),
        row("utm_campaign", "summer sale", None, AT - 1000),
        row("rdt_cid", "r1", None, AT - 1000),
        row("aff_click_id", "abc", None, AT - 1000),
    ];
    let v = values_of(&e, &history, None);
    assert_eq!(v.get("GCLID"), Some("new"));
    assert_eq!(v.get("UTM_SOURCE"), Some("newsletter"));
    assert_eq!(v.get("UTM_CAMPAIGN"), Some("summer sale"));
    assert_eq!(v.get("RDT_CID"), Some("r1"));
    assert_eq!(
        v.get("CLICK_ID"),
        None,
        "the connector's matched click fills CLICK_ID"
    );

    let mut carried = e.clone();
    carried.clicks = vec![CarriedClick {
        param: "gclid".into(),
        value: "from-webhook".into(),
    }];
    assert_eq!(
        values_of(&carried, &history, None).get("GCLID"),
        Some("from-webhook")
    );
}

#[test]
fn fbc_is_built_from_the_latest_fbclid_and_its_capture_time() {
    let e = event(json!({"event": "Purchase"}));
    let domain = CookieDomain::parse("shop.co.uk").unwrap();
    let history = [row("fbclid", "IwAR2xyz", None, AT - 60_000)];
    let v = values_of(&e, &history, Some(&domain));
    assert_eq!(v.get("FBCLID"), Some("IwAR2xyz"));
    assert_eq!(
        v.get("FBC"),
        Some(format!("fb.2.{}.IwAR2xyz", AT - 60_000).as_str())
    );
    assert_eq!(values_of(&e, &history, None).get("FBC"), None);
}

#[test]
fn fbc_keeps_the_time_of_the_first_landing_with_the_same_fbclid_as_the_cookie_does() {
    let e = event(json!({"event": "Purchase"}));
    let domain = CookieDomain::parse("shop.com").unwrap();
    let first = AT - 120_000;
    let history = [
        row("fbclid", "OLD", None, first - 60_000),
        row("fbclid", "AbC.d-e_F", None, first),
        row("fbclid", "AbC.d-e_F", None, AT - 1_000),
    ];
    let v = values_of(&e, &history, Some(&domain));
    assert_eq!(
        v.get("FBC"),
        Some(format!("fb.1.{first}.AbC.d-e_F").as_str()),
        "a second landing with the same fbclid does not change the cookie's time"
    );
    let newer = [history[1].clone(), row("fbclid", "NEW", None, AT - 500)];
    assert_eq!(
        values_of(&e, &newer, Some(&domain)).get("FBC"),
        Some(format!("fb.1.{}.NEW", AT - 500).as_str())
    );
}

#[test]
fn order_id_is_the_order_id_attribute_when_the_event_has_one() {
    let e = event(json!({"event": "Purchase", "attributes": {"order_id": "SO-77"}}));
    let v = values_of(&e, &[], None);
    assert_eq!(v.get("ORDER_ID"), Some("SO-77"));
    assert_eq!(v.get("CONVERSION_ID"), Some("order-1"));
    let numeric = event(json!({"event": "Purchase", "attributes": {"orderId": 1234}}));
    assert_eq!(values_of(&numeric, &[], None).get("ORDER_ID"), Some("1234"));
}
