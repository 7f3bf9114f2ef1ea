//! An event as the product stores it, whichever surface it came from (`/e`, `/webhook`,
//! `/webhooks/custom/...`). Surfaces parse their raw input into these types; downstream code
//! (storage, matching, connectors) only ever sees checked values.

use super::clicks::{ClickKind, ClickValue};
use super::consent::{Consent, ConsentSignal};
use super::error::Invalid;
use super::money::{Amount, Currency};
use super::provenance::Provenance;
use super::user_data::UserData;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

// The caller's event id lives with the other ids; events name it from here too.
pub use super::ids::EventId;

pub const MAX_EVENT_NAME_LEN: usize = 64;
pub const MAX_ATTRIBUTES: usize = 50;
pub const MAX_ATTRIBUTE_KEY_LEN: usize = super::input::MAX_FIELD_NAME_LEN;
pub const MAX_ATTRIBUTE_STRING_LEN: usize = 1024;
pub const MAX_ATTRIBUTE_DEPTH: usize = 3;

/// An event name such as `Purchase`: 1–64 printable characters. Reading a stored event goes
/// through the same check.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct EventName(String);

impl<'de> Deserialize<'de> for EventName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        Self::parse(&raw, "event").map_err(serde::de::Error::custom)
    }
}

impl EventName {
    pub fn parse(raw: &str, field: &str) -> Result<Self, Invalid> {
        let name = raw.trim();
        if name.is_empty() || name.chars().count() > MAX_EVENT_NAME_LEN {
            return Err(Invalid::field(
                "invalid_event",
                field,
                "must be 1 to 64 characters",
            ));
        }
        if name.chars().any(char::is_control) {
            return Err(Invalid::field(
                "invalid_event",
                field,
                "must not contain control characters",
            ));
        }
        Ok(Self(name.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Custom event data, bounded in count, key length, string length and nesting depth.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(transparent)]
pub struct Attributes(Map<String, Value>);

impl<'de> Deserialize<'de> for Attributes {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = Map::<String, Value>::deserialize(d)?;
        Self::from_map(raw, "attributes").map_err(serde::de::Error::custom)
    }
}

impl Attributes {
    pub fn parse(value: &Value, field: &str) -> Result<Self, Invalid> {
        match value {
            Value::Null => Ok(Self::default()),
            Value::Object(map) => Self::from_map(map.clone(), field),
            _ => Err(Invalid::field(
                "invalid_attributes",
                field,
                "must be a JSON object",
            )),
        }
    }

    pub fn from_map(map: Map<String, Value>, field: &str) -> Result<Self, Invalid> {
        if map.len() > MAX_ATTRIBUTES {
            return Err(Invalid::field(
                "too_many_attributes",
                field,
                format!("at most {MAX_ATTRIBUTES} attributes"),
            ));
        }
        for (key, value) in &map {
            if !super::input::is_field_name(key) {
                return Err(Invalid::field(
                    "invalid_attributes",
                    field,
                    format!(
                        "attribute names are 1 to {MAX_ATTRIBUTE_KEY_LEN} printable characters"
                    ),
                ));
            }
            check_bounded(value, 1).map_err(|msg| {
                Invalid::field("invalid_attributes", format!("{field}.{key}"), msg)
            })?;
        }
        Ok(Self(map))
    }

    pub fn as_map(&self) -> &Map<String, Value> {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Add an attribute that a surface derived itself (e.g. `source=stripe`). Bounds still apply.
    pub fn insert_checked(&mut self, key: &str, value: Value) -> Result<(), Invalid> {
        let mut map = self.0.clone();
        map.insert(key.to_string(), value);
        *self = Self::from_map(map, "attributes")?;
        Ok(())
    }
}

fn check_bounded(value: &Value, depth: usize) -> Result<(), String> {
    if depth > MAX_ATTRIBUTE_DEPTH {
        return Err(format!("nested deeper than {MAX_ATTRIBUTE_DEPTH} levels"));
    }
    match value {
        Value::String(s) if s.len() > MAX_ATTRIBUTE_STRING_LEN => Err(format!(
            "strings are at most {MAX_ATTRIBUTE_STRING_LEN} bytes"
        )),
        Value::Array(items) if items.len() > MAX_ATTRIBUTES => {
            Err(format!("arrays hold at most {MAX_ATTRIBUTES} items"))
        }
        Value::Array(items) => items.iter().try_for_each(|v| check_bounded(v, depth + 1)),
        Value::Object(map) if map.len() > MAX_ATTRIBUTES => {
            Err(format!("objects hold at most {MAX_ATTRIBUTES} keys"))
        }
        Value::Object(map) => map.values().try_for_each(|v| check_bounded(v, depth + 1)),
        _ => Ok(()),
    }
}

/// The custom webhook topic of a refund ([`NewEvent::is_refund`]).
pub const REFUND_TOPIC: &str = "refund";

/// The surface an event came through.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum EventSource {
    Browser,
    Webhook,
    CustomWebhook { topic: String },
}

impl EventSource {
    /// Who stands behind an event from this surface: `/e` is anonymous, both webhook surfaces
    /// authenticate with an API key.
    pub fn provenance(&self) -> Provenance {
        match self {
            EventSource::Browser => Provenance::Browser,
            EventSource::Webhook | EventSource::CustomWebhook { .. } => Provenance::Server,
        }
    }
}

/// A click parameter carried by an event payload (not captured from a landing URL): a click id
/// or a campaign tag, by the registry's name or a partner's own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CarriedClick {
    /// Lower-case parameter name: `gclid`, `fbclid`, `utm_source`, `click_id`, ...
    pub param: String,
    pub value: String,
}

impl CarriedClick {
    /// A payload's value for `param`, by the one rule of click values ([`ClickValue::read`]):
    /// empty or an unfilled macro is absent; a damaged value is refused, naming `field`.
    pub fn read(param: &str, raw: &str, field: &str) -> Result<Option<Self>, Invalid> {
        let param = param.to_ascii_lowercase();
        match ClickValue::read(raw, ClickKind::of_param(&param)) {
            Ok(value) => Ok(Some(Self {
                param,
                value: value.as_str().to_string(),
            })),
            Err(why) if why.is_damage() => Err(Invalid::field(why.code(), field, why.message())),
            Err(_) => Ok(None),
        }
    }
}

/// A click from the visitor's signed `pc_clk` cookie, as a browser event keeps it: attribution of
/// a browser event reads the history the browser carried, which the signature vouches for, rather
/// than waiting for D1 to hold the click.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CookieClick {
    /// Lower-case parameter name: `gclid`, `aff_click_id`, `utm_source`, ...
    pub param: String,
    pub value: String,
    /// The source capture recorded with the click (a connector's source parameter, else
    /// `utm_source`).
    #[serde(default)]
    pub source: Option<String>,
    /// When the click was last seen, unix milliseconds (the cookie keeps seconds).
    pub at_ms: i64,
}

/// A checked event, ready to store. `events.payload` holds it as JSON; reading it back runs the
/// same checks, and fields a newer version added may be missing from older rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewEvent {
    pub name: EventName,
    pub event_id: Option<EventId>,
    pub value: Option<Amount>,
    pub currency: Option<Currency>,
    pub url: Option<String>,
    #[serde(default)]
    pub attributes: Attributes,
    #[serde(default)]
    pub user: UserData,
    #[serde(default)]
    pub clicks: Vec<CarriedClick>,
    pub visitor_id: Option<String>,
    #[serde(default)]
    pub consent: Consent,
    /// `pc_test=1`: force a real send from a connector in test mode.
    #[serde(default)]
    pub force_send: bool,
    pub source: EventSource,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// A browser event's click history, from its signed `pc_clk` (empty for webhooks).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cookie_history: Vec<CookieClick>,
}

impl NewEvent {
    /// Who stands behind the event (see [`Provenance`]).
    pub fn provenance(&self) -> Provenance {
        self.source.provenance()
    }

    /// A custom webhook's `refund`: it reverses the conversion its event id names, and when that
    /// conversion is not known yet it is stored as a Refund event that does not take the id
    /// from the conversion (see `delivery::intake`).
    pub fn is_refund(&self) -> bool {
        matches!(&self.source, EventSource::CustomWebhook { topic } if topic == REFUND_TOPIC)
    }

    /// The event a server event makes of the browser event it confirms: the server's fields win
    /// (name, value, currency, user data, clicks, visitor id, consent, `pc_test`, source), and
    /// what it left out is kept from the browser (URL, IP, User-Agent, attributes it did not
    /// name, an advertising consent it did not state). The browser's cookie history is dropped:
    /// a confirmed event is attributed from the server's own match.
    pub fn confirmed_by(&self, server: &NewEvent) -> NewEvent {
        let mut merged = server.clone();
        merged.url = server.url.clone().or_else(|| self.url.clone());
        merged.ip = server.ip.clone().or_else(|| self.ip.clone());
        merged.user_agent = server
            .user_agent
            .clone()
            .or_else(|| self.user_agent.clone());
        let mut attributes = self.attributes.as_map().clone();
        attributes.extend(server.attributes.as_map().clone());
        merged.attributes = Attributes::from_map(attributes, "attributes")
            .unwrap_or_else(|_| server.attributes.clone());
        if server.consent.advertising == ConsentSignal::Absent {
            merged.consent.advertising = self.consent.advertising;
        }
        merged.cookie_history = Vec::new();
        merged
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn event_names_are_bounded_and_printable() {
        assert_eq!(
            EventName::parse(" Purchase ", "event").unwrap().as_str(),
            "Purchase"
        );
        assert!(EventName::parse("", "event").is_err());
        assert!(EventName::parse(&"x".repeat(65), "event").is_err());
        assert!(EventName::parse("a\nb", "event").is_err());
    }

    #[test]
    fn attributes_are_bounded() {
        assert!(Attributes::parse(&json!({"plan": "Premium", "n": 3}), "attributes").is_ok());
        assert!(Attributes::parse(&json!([1, 2]), "attributes").is_err());
        let deep = json!({"a": {"b": {"c": {"d": 1}}}});
        let err = Attributes::parse(&deep, "attributes").unwrap_err();
        assert_eq!(err.field.as_deref(), Some("attributes.a"));
        let long = json!({"a": "x".repeat(MAX_ATTRIBUTE_STRING_LEN + 1)});
        assert!(Attributes::parse(&long, "attributes").is_err());
        let many: Map<String, Value> = (0..51).map(|i| (format!("k{i}"), json!(i))).collect();
        assert!(Attributes::from_map(many, "attributes").is_err());
    }

    fn stored_event() -> NewEvent {
        NewEvent {
            name: EventName::parse("Purchase", "event").unwrap(),
            event_id: Some(EventId::parse("order-1", "event_id").unwrap()),
            value: Some(Amount::from_f64(49.9, "value").unwrap()),
            currency: Some(Currency::parse("EUR").unwrap()),
            url: Some("https://www.shop.com/thanks".into()),
            attributes: Attributes::parse(&json!({"transaction_id": 12345}), "attributes").unwrap(),
            user: crate::core::user_data::parse_user_object(
                &json!({"email": "a@b.com", "city": "Oulu"}),
                "user",
            )
            .unwrap(),
            clicks: vec![CarriedClick {
                param: "gclid".into(),
                value: "Cj0-x".into(),
            }],
            visitor_id: Some("v1".into()),
            consent: Consent {
                advertising: crate::core::consent::ConsentSignal::Granted,
                ..Consent::default()
            },
            force_send: true,
            source: EventSource::CustomWebhook {
                topic: "purchase".into(),
            },
            ip: Some("203.0.113.9".into()),
            user_agent: None,
            cookie_history: vec![CookieClick {
                param: "gclid".into(),
                value: "Cj0-y".into(),
                source: None,
                at_ms: 1_700_000_000_000,
            }],
        }
    }

    #[test]
    fn a_stored_event_reads_back_exactly_as_it_was_written() {
        let event = stored_event();
        let payload = serde_json::to_string(&event).unwrap();
        let read: NewEvent = serde_json::from_str(&payload).unwrap();
        assert_eq!(read, event);
    }

    #[test]
    fn reading_a_stored_event_runs_the_same_checks_and_tolerates_missing_newer_fields() {
        let minimal: NewEvent =
            serde_json::from_value(json!({"name": "Lead", "source": {"kind": "browser"}})).unwrap();
        assert_eq!(minimal.name.as_str(), "Lead");
        assert!(minimal.attributes.is_empty() && minimal.clicks.is_empty() && !minimal.force_send);
        let mut payload = serde_json::to_value(stored_event()).unwrap();
        for (field, bad) in [
            ("name", json!("")),
            ("value", json!(-1)),
            ("currency", json!("XYZ")),
            ("event_id", json!("a\nb")),
        ] {
            let good = payload[field].clone();
            payload[field] = bad;
            assert!(
                serde_json::from_value::<NewEvent>(payload.clone()).is_err(),
                "{field}"
            );
            payload[field] = good;
        }
    }

    #[test]
    fn carried_clicks_follow_the_click_value_rule() {
        let id = CarriedClick::read("GCLID", " Cj0-x ", "gclid")
            .unwrap()
            .unwrap();
        assert_eq!((id.param.as_str(), id.value.as_str()), ("gclid", "Cj0-x"));
        assert_eq!(
            CarriedClick::read("gclid", "{gclid}", "gclid").unwrap(),
            None
        );
        let tag = CarriedClick::read("utm_campaign", "summer sale", "utmCampaign").unwrap();
        assert_eq!(tag.unwrap().value, "summer sale");
        let kept = CarriedClick::read("aff_click_id", "AFF/1+2 ü", "aff").unwrap();
        assert_eq!(kept.unwrap().value, "AFF/1+2 ü");
        let err = CarriedClick::read("gclid", "abc\u{1}def", "gclid").unwrap_err();
        assert_eq!(
            (err.code, err.field.as_deref()),
            ("invalid_text", Some("gclid"))
        );
    }
}
