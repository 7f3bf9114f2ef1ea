//! The confirmation rules: which browser event a server event confirms, whose it becomes, and
//! what a status change by event id applies to.

use super::*;

fn sent(by: &str) -> BrowserClaim<'_> {
    BrowserClaim {
        sent_by: Some(by),
        holds_event_id: false,
        value: None,
        currency: None,
    }
}

fn paying(by: &'static str, value: f64, currency: &str) -> BrowserClaim<'static> {
    BrowserClaim {
        sent_by: Some(by),
        holds_event_id: false,
        value: Some(Amount::from_f64(value, "value").unwrap()),
        currency: Some(Currency::parse(currency).unwrap()),
    }
}

fn money(value: f64, currency: &str) -> ServerMoney {
    ServerMoney {
        value: Some(Amount::from_f64(value, "value").unwrap()),
        currency: Some(Currency::parse(currency).unwrap()),
    }
}

const NONE: ServerMoney = ServerMoney {
    value: None,
    currency: None,
};

const ANONYMOUS: BrowserClaim<'static> = BrowserClaim {
    sent_by: None,
    holds_event_id: false,
    value: None,
    currency: None,
};

#[test]
fn nothing_to_confirm_without_a_browser_event() {
    assert_eq!(
        choose_confirmation(&[], Some(("v_shop", "email_sha256")), NONE),
        None
    );
}

#[test]
fn the_server_events_own_match_decides_the_visitor_and_the_event_confirmed() {
    let claims = [sent("v_attacker"), sent("v_customer")];
    let confirmed =
        choose_confirmation(&claims, Some(("v_customer", "email_sha256")), NONE).unwrap();
    assert_eq!(confirmed.claim, 1);
    assert_eq!(
        confirmed.visitor,
        Some(("v_customer".into(), "email_sha256".into()))
    );
    // The server matched someone who sent nothing: the earliest event becomes theirs.
    let confirmed = choose_confirmation(&claims, Some(("v_other", "visitor_id")), NONE).unwrap();
    assert_eq!(confirmed.claim, 0);
    assert_eq!(confirmed.visitor.unwrap().0, "v_other");
}

#[test]
fn without_a_server_match_the_sender_counts_only_when_exactly_one_visitor_sent_the_id() {
    let one = [sent("v_customer")];
    let confirmed = choose_confirmation(&one, None, NONE).unwrap();
    assert_eq!(confirmed.claim, 0);
    assert_eq!(
        confirmed.visitor,
        Some(("v_customer".into(), MATCHED_BY_BROWSER_EVENT.into()))
    );
    let squatted = [sent("v_attacker"), sent("v_customer")];
    let confirmed = choose_confirmation(&squatted, None, NONE).unwrap();
    assert_eq!(
        confirmed.visitor, None,
        "two visitors sent the id: nobody is credited"
    );
    let without_cookie = [sent("v_attacker"), ANONYMOUS];
    assert_eq!(
        choose_confirmation(&without_cookie, None, NONE)
            .unwrap()
            .visitor,
        None,
        "an event without a visitor may be the customer's: no sole sender"
    );
    assert_eq!(
        choose_confirmation(&[ANONYMOUS], None, NONE)
            .unwrap()
            .visitor,
        None
    );
}

#[test]
fn without_a_server_match_the_sender_counts_only_when_its_event_agrees_on_the_money() {
    let matched = |claim: BrowserClaim<'static>, server: ServerMoney| {
        choose_confirmation(&[claim], None, server).unwrap().visitor
    };
    assert!(matched(paying("v_customer", 500.0, "EUR"), money(500.0, "EUR")).is_some());
    assert!(
        matched(paying("v_attacker", 1.0, "EUR"), money(500.0, "EUR")).is_none(),
        "a pre-claimed order id with another value is not the customer's"
    );
    assert!(matched(paying("v_attacker", 500.0, "USD"), money(500.0, "EUR")).is_none());
    assert!(
        matched(sent("v_attacker"), money(500.0, "EUR")).is_none(),
        "a browser event without a value cannot agree with one"
    );
    assert!(
        matched(paying("v_customer", 500.0, "EUR"), NONE).is_some(),
        "a server event without money asks for none"
    );
    let confirmed =
        choose_confirmation(&[paying("v_attacker", 1.0, "EUR")], None, money(5.0, "EUR")).unwrap();
    assert_eq!(
        confirmed.claim, 0,
        "the event is still confirmed, unmatched"
    );
}

#[test]
fn a_status_change_applies_to_the_server_event_or_a_sole_senders_event() {
    let browser = |by: Option<&'static str>| NamedEvent {
        sent_by: by,
        from_server: false,
    };
    let server = NamedEvent {
        sent_by: None,
        from_server: true,
    };
    assert_eq!(status_change_target(&[]), StatusTarget::Unknown);
    assert_eq!(
        status_change_target(&[browser(Some("v_customer"))]),
        StatusTarget::Event(0)
    );
    assert_eq!(
        status_change_target(&[browser(None)]),
        StatusTarget::Event(0)
    );
    assert_eq!(
        status_change_target(&[browser(Some("v_attacker")), browser(Some("v_customer"))]),
        StatusTarget::Ambiguous
    );
    assert_eq!(
        status_change_target(&[browser(Some("v_attacker")), browser(None)]),
        StatusTarget::Ambiguous
    );
    assert_eq!(
        status_change_target(&[browser(None), browser(None)]),
        StatusTarget::Ambiguous
    );
    assert_eq!(
        status_change_target(&[browser(Some("v_attacker")), server, browser(None)]),
        StatusTarget::Event(1),
        "the server's event is the conversion"
    );
    let refusal = ambiguous_event("eventId");
    assert_eq!(
        (refusal.code, refusal.field.as_deref()),
        ("ambiguous_event", Some("eventId"))
    );
    assert!(refusal.message.contains("track"));
}

#[test]
fn an_event_holding_the_id_itself_is_the_one_confirmed() {
    let legacy = BrowserClaim {
        holds_event_id: true,
        ..sent("v_old")
    };
    let claims = [sent("v_customer"), legacy];
    let confirmed = choose_confirmation(&claims, Some(("v_customer", "visitor_id")), NONE).unwrap();
    assert_eq!(confirmed.claim, 1);
    assert_eq!(confirmed.visitor.unwrap().0, "v_customer");
}

#[test]
fn the_server_events_fields_win_and_the_browser_fills_what_it_left_out() {
    use crate::core::browser_event::parse_browser_event;
    use crate::core::event::{CookieClick, NewEvent};
    use crate::core::webhook_in::custom::Topic;
    use crate::core::webhook_in::parse_custom_body;
    use serde_json::json;
    let mut browser: NewEvent = parse_browser_event(
        &json!({"event": "Purchase", "event_id": "o-1", "value": 0.01, "currency": "USD",
            "url": "https://shop.example/thanks", "attributes": {"coupon": "X", "plan": "basic"},
            "user": {"email": "attacker@example.com"}, "consent": {"advertising": false}}),
        None,
        Some("203.0.113.9"),
        Some("Browser/1"),
    )
    .unwrap();
    browser.cookie_history = vec![CookieClick {
        param: "aff_click_id".into(),
        value: "MINE".into(),
        source: None,
        at_ms: 1,
    }];
    let server = parse_custom_body(
        Topic::Purchase,
        r#"{"conversion_id": "o-1", "value": 249, "currency": "EUR",
            "user_data": {"email": "jane@example.com"}, "plan": "pro"}"#,
    )
    .unwrap();
    let confirmed = browser.confirmed_by(&server);
    assert_eq!(confirmed.value.map(|v| v.get()), Some(249.0));
    assert_eq!(
        confirmed
            .currency
            .map(|c| c.as_str().to_string())
            .as_deref(),
        Some("EUR")
    );
    assert_eq!(
        confirmed.user.email.as_ref().map(|e| e.as_str()),
        Some("jane@example.com")
    );
    assert_eq!(confirmed.source, server.source);
    assert_eq!(
        confirmed.url.as_deref(),
        Some("https://shop.example/thanks")
    );
    assert_eq!(confirmed.ip.as_deref(), Some("203.0.113.9"));
    assert_eq!(confirmed.attributes.as_map()["coupon"], json!("X"));
    assert_eq!(
        confirmed.attributes.as_map()["plan"],
        server.attributes.as_map()["plan"]
    );
    assert!(
        !confirmed.consent.allows_advertising(),
        "a refusal the server did not overrule stands"
    );
    assert!(
        confirmed.cookie_history.is_empty(),
        "attributed from the server's own match"
    );
}
