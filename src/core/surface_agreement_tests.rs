//! Every surface reads a shared concept the same way: the same person, consent or click
//! parameter sent to `/e`, to `/webhook` and to the custom webhook gives the same typed value,
//! and a value one surface refuses is refused by all of them.

use crate::core::browser_event::parse_browser_event;
use crate::core::click_params::CLICK_PARAMS;
use crate::core::clicks::capture_from_query;
use crate::core::consent::{ConsentSignal, Purpose};
use crate::core::error::Invalid;
use crate::core::event::NewEvent;
use crate::core::matching::MatchKeys;
use crate::core::webhook_in::{parse_custom, parse_webhook, Topic, TrackOrSet, WebhookBody};
use serde_json::{json, Value};

fn browser(body: Value) -> Result<NewEvent, Invalid> {
    parse_browser_event(&body, None, None, None)
}

fn custom(body: Value) -> Result<NewEvent, Invalid> {
    parse_custom(Topic::Lead, &body)
}

fn tracklution(pairs: &[(&str, &str)]) -> Result<NewEvent, Invalid> {
    let query: Vec<(String, String)> = [("track", "Lead")]
        .iter()
        .chain(pairs)
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect();
    match parse_webhook(&query, &WebhookBody::Empty)? {
        TrackOrSet::Track(event) => Ok(event),
        TrackOrSet::Set(_) | TrackOrSet::Status(..) => panic!("a track request"),
    }
}

#[test]
fn the_same_person_gives_the_same_user_data_on_every_surface() {
    let person = json!({"email": "Jane@Example.com", "phone": "+358 40 1234567",
        "external_id": "crm-1", "first_name": "Jane", "last_name": "Doe",
        "birthday": "1985-06-17", "gender": "female",
        "address": {"street": "Main Street 1", "postal_code": "00100", "city": "Helsinki",
                    "country": "FI"}});
    let from_browser = browser(json!({"event": "Lead", "user": person})).unwrap();
    let from_custom = custom(json!({ "user_data": person })).unwrap();
    let from_tracklution = tracklution(&[
        ("email", "Jane@Example.com"),
        ("phoneNumber", "+358 40 1234567"),
        ("externalId", "crm-1"),
        ("firstName", "Jane"),
        ("lastName", "Doe"),
        ("birthday", "1985-06-17"),
        ("gender", "female"),
        ("address", "Main Street 1"),
        ("postCode", "00100"),
        ("city", "Helsinki"),
        ("country", "FI"),
    ])
    .unwrap();
    assert_eq!(from_browser.user, from_custom.user);
    assert_eq!(from_browser.user, from_tracklution.user);
    assert_eq!(
        MatchKeys::from_event(&from_browser),
        MatchKeys::from_event(&from_tracklution)
    );
}

#[test]
fn a_user_value_one_surface_refuses_is_refused_by_all() {
    let long = format!("{}@example.com", "j".repeat(250));
    for bad in [long.as_str(), "jane\u{7}@example.com"] {
        let err = browser(json!({"event": "Lead", "user": {"email": bad}})).unwrap_err();
        assert_eq!(err.field.as_deref(), Some("user.email"));
        let err = custom(json!({"user_data": {"email": bad}})).unwrap_err();
        assert_eq!(err.field.as_deref(), Some("user_data.email"));
        let err = tracklution(&[("email", bad)]).unwrap_err();
        assert_eq!(err.field.as_deref(), Some("email"));
    }
    let unusable = "[email protected]";
    assert!(browser(json!({"event": "Lead", "user": {"email": unusable}})).is_ok());
    assert!(custom(json!({"user_data": {"email": unusable}})).is_ok());
    assert!(tracklution(&[("email", unusable)]).is_ok());
}

#[test]
fn consent_words_mean_the_same_on_every_surface() {
    for (word, signal) in [
        ("denied", ConsentSignal::Denied),
        ("granted", ConsentSignal::Granted),
    ] {
        let consent = json!({ "advertising": word });
        let from_browser = browser(json!({"event": "Lead", "consent": consent})).unwrap();
        let from_custom = custom(json!({ "consent": consent })).unwrap();
        let from_tracklution = tracklution(&[("consent", word)]).unwrap();
        let from_collect = ConsentSignal::parse_word(word, "consent").unwrap();
        for event in [&from_browser, &from_custom, &from_tracklution] {
            assert_eq!(event.consent.advertising, signal, "{word}");
        }
        assert_eq!(from_collect, signal);
    }
    for purpose in Purpose::ALL {
        let refused = json!({ purpose.key(): "maybe" });
        assert_eq!(
            browser(json!({"event": "Lead", "consent": refused}))
                .unwrap_err()
                .code,
            "invalid_consent"
        );
        assert_eq!(
            custom(json!({ "consent": refused })).unwrap_err().code,
            "invalid_consent"
        );
    }
}

#[test]
fn every_click_parameter_is_read_alike_by_capture_and_both_webhooks() {
    for param in CLICK_PARAMS {
        let from_custom = custom(json!({ param.name: "Val-1" })).unwrap();
        let from_tracklution = tracklution(&[(param.tracklution_name, "Val-1")]).unwrap();
        assert_eq!(
            from_custom.clicks, from_tracklution.clicks,
            "{}",
            param.name
        );
        assert_eq!(from_custom.clicks[0].param, param.name);
        let captured = capture_from_query(&format!("{}=Val-1", param.name), &[]);
        assert_eq!(
            captured.value_of(param.name).is_some(),
            param.captured_from_landing(),
            "{}",
            param.name
        );
        let matches = !MatchKeys::from_event(&from_custom).is_empty();
        assert_eq!(matches, param.identifies_click(), "{}", param.name);
    }
}
