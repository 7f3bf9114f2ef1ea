//! `POST /webhooks/custom/{container}/{topic}`: the typed JSON payload of seed 004.
//!
//! Event names follow the product's (and Tracklution's and Meta's) standard names, so one
//! connector triggered on `Purchase` fires for a browser purchase, a `/webhook?track=Purchase`
//! and a custom purchase webhook alike:
//!
//! | topic        | event name             | seed 004's SDK event |
//! | ------------ | ---------------------- | -------------------- |
//! | purchase     | `Purchase`             | purchase             |
//! | lead         | `Lead`                 | generate_lead        |
//! | signup       | `CompleteRegistration` | sign_up              |
//! | refund       | `Refund`               | (none)               |
//! | subscription | `Subscribe`            | (none)               |
//! | custom       | the body's `event_name` (or `event`), required |
//!
//! Decisions:
//! - `conversion_id` (or its SDK alias `event_id`) becomes the event id, the dedup key. It is
//!   optional, as lead forms may have none; without it a resent webhook is stored twice.
//! - `event_name`/`event` is refused for the fixed topics (`unexpected_field`): the path names
//!   the event, and a second, different name would be ignored silently otherwise.
//! - `tax`, `shipping`, `discount_code` and `products` become attributes of those names.
//! - Unknown top-level fields are kept as attributes under their own name, bounded like all
//!   attributes (seed 004's `lead_type`). Unknown scalar fields in `user_data` or its `address`
//!   are kept in `UserData::extra`. Unknown `consent` fields are refused: consent is legal
//!   ground, and pretending to honour a signal we do not understand is worse than a 422.
//! - Click ids: the standard ones (`gclid`, `fbclid`, ..., `utm_*`) at the top level, and any
//!   partner's in a `click_ids` object (`{"aff_click_id": "abc"}`).
//! - `user_data.email` and `user_data.phone` are kept as sent even when they do not normalise
//!   (seed 004's own examples carry `"[email protected]"`); such values yield no hash.
//! - Seed 004 says TrustData matches on `visitor_id` only; postclick also matches on click ids,
//!   external id, email and phone (issue 5's order), via [`super::matching`].
//! - An unknown topic is `Invalid` with code `unknown_topic`, field `topic`. We recommend the
//!   edge answers 404: the topic is part of the URL, and seed 004's 404 is "check the URL".

use super::fields::{self, Raw, CARRIED_CLICK_PARAMS};
use crate::core::error::Invalid;
use crate::core::event::{
    Attributes, CarriedClick, Consent, EventId, EventName, EventSource, NewEvent, UserData,
};
use crate::core::money::{Amount, Currency};
use serde::Serialize;
use serde_json::{Map, Value};

mod products;
mod user_data;

use products::products;
use user_data::{check_key, user_data};

/// Most products one payload may list: the attribute bound on arrays.
pub const MAX_PRODUCTS: usize = crate::core::event::MAX_ATTRIBUTES;
/// Largest quantity of one product line.
pub const MAX_QUANTITY: u64 = 1_000_000;
/// Most partner click ids in `click_ids`.
pub const MAX_CLICK_IDS: usize = 20;

/// The event type named by the URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(test, derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Topic {
    Purchase,
    Lead,
    Signup,
    Refund,
    Subscription,
    Custom,
}

impl Topic {
    pub const ALL: [Topic; 6] = [
        Topic::Purchase,
        Topic::Lead,
        Topic::Signup,
        Topic::Refund,
        Topic::Subscription,
        Topic::Custom,
    ];

    /// The path segment, in any letter case.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        Self::ALL
            .into_iter()
            .find(|t| t.as_str().eq_ignore_ascii_case(raw))
            .ok_or_else(|| {
                Invalid::field(
                    "unknown_topic",
                    "topic",
                    "the topic must be purchase, lead, signup, refund, subscription or custom",
                )
            })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Topic::Purchase => "purchase",
            Topic::Lead => "lead",
            Topic::Signup => "signup",
            Topic::Refund => "refund",
            Topic::Subscription => "subscription",
            Topic::Custom => "custom",
        }
    }

    /// The stored event name; `None` for `custom`, whose body names the event.
    pub fn event_name(self) -> Option<&'static str> {
        match self {
            Topic::Purchase => Some("Purchase"),
            Topic::Lead => Some("Lead"),
            Topic::Signup => Some("CompleteRegistration"),
            Topic::Refund => Some("Refund"),
            Topic::Subscription => Some("Subscribe"),
            Topic::Custom => None,
        }
    }
}

type Obj = Map<String, Value>;

/// Top-level fields with a meaning of their own; everything else is an attribute.
const KNOWN_FIELDS: &[&str] = &[
    "conversion_id",
    "event_id",
    "event_name",
    "event",
    "value",
    "currency",
    "tax",
    "shipping",
    "discount_code",
    "user_data",
    "products",
    "consent",
    "visitor_id",
    "url",
    "ip",
    "user_agent",
    "attributes",
    "click_ids",
    "pc_test",
];

/// Parse the raw body text: JSON, an object, no deeper than the bound.
pub fn parse_custom_body(topic: Topic, body: &str) -> Result<NewEvent, Invalid> {
    let payload: Value = serde_json::from_str(body)
        .map_err(|e| Invalid::new("invalid_json", format!("the body is not JSON: {e}")))?;
    parse_custom(topic, &payload)
}

/// Parse a custom webhook payload for `topic` into an event (source `CustomWebhook`).
pub fn parse_custom(topic: Topic, payload: &Value) -> Result<NewEvent, Invalid> {
    fields::check_json_depth(payload)?;
    let Value::Object(root) = payload else {
        return Err(Invalid::new(
            "invalid_body",
            "the body must be a JSON object",
        ));
    };
    let name = event_name(topic, root)?;
    let event_id = conversion_id(root)?;
    let value = amount(root, "value", "value")?;
    let currency = match read(root, "currency", "currency", fields::text)? {
        Some(code) => Some(Currency::parse(&code)?),
        None => None,
    };
    if value.is_some() && currency.is_none() {
        return Err(Invalid::field(
            "currency_required",
            "currency",
            "value needs a currency, such as USD",
        ));
    }
    let user = match root.get("user_data") {
        None | Some(Value::Null) => UserData::default(),
        Some(Value::Object(o)) => user_data(o)?,
        Some(_) => return Err(not_an_object("user_data")),
    };
    let force_send = match root.get("pc_test") {
        Some(v) => fields::boolean(Raw::Json(v), "pc_test")?.unwrap_or(false),
        None => false,
    };
    Ok(NewEvent {
        name,
        event_id,
        value,
        currency,
        url: read(root, "url", "url", fields::url)?,
        attributes: attributes(root)?,
        user,
        clicks: clicks(root)?,
        visitor_id: read(root, "visitor_id", "visitor_id", fields::visitor_id)?,
        consent: consent(root.get("consent"))?,
        force_send,
        source: EventSource::CustomWebhook {
            topic: topic.as_str().to_string(),
        },
        ip: read(root, "ip", "ip", fields::ip)?,
        user_agent: read(root, "user_agent", "user_agent", fields::text)?,
    })
}

fn not_an_object(path: &str) -> Invalid {
    Invalid::field("invalid_type", path, "must be a JSON object")
}

/// One field through a `fields` parser; null and empty text are absent.
fn read(
    o: &Obj,
    key: &str,
    path: &str,
    parser: fn(&str, &str) -> Result<Option<String>, Invalid>,
) -> Result<Option<String>, Invalid> {
    let Some(value) = o.get(key) else {
        return Ok(None);
    };
    match Raw::Json(value).as_text(path)? {
        Some(text) => parser(&text, path),
        None => Ok(None),
    }
}

fn amount(o: &Obj, key: &str, path: &str) -> Result<Option<Amount>, Invalid> {
    match o.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => Amount::from_json(v, path).map(Some),
    }
}

/// One of two spellings of a field; both may be given only with the same value.
fn either(o: &Obj, preferred: &str, alias: &str) -> Result<Option<(String, String)>, Invalid> {
    let first = read(o, preferred, preferred, fields::text)?;
    let second = read(o, alias, alias, fields::text)?;
    match (first, second) {
        (Some(a), Some(b)) if a != b => Err(Invalid::field(
            "conflicting_fields",
            alias,
            format!("{preferred} and {alias} disagree; send one of them"),
        )),
        (Some(a), _) => Ok(Some((a, preferred.to_string()))),
        (None, Some(b)) => Ok(Some((b, alias.to_string()))),
        (None, None) => Ok(None),
    }
}

fn event_name(topic: Topic, root: &Obj) -> Result<EventName, Invalid> {
    let named = either(root, "event_name", "event")?;
    match (topic.event_name(), named) {
        (Some(fixed), None) => EventName::parse(fixed, "topic"),
        (Some(_), Some((_, field))) => Err(Invalid::field(
            "unexpected_field",
            field,
            format!(
                "the topic {} names the event; send event_name only to the custom topic",
                topic.as_str()
            ),
        )),
        (None, Some((name, field))) => EventName::parse(&name, &field),
        (None, None) => Err(Invalid::field(
            "missing_field",
            "event_name",
            "the custom topic needs event_name, the name of your event",
        )),
    }
}

fn conversion_id(root: &Obj) -> Result<Option<EventId>, Invalid> {
    match either(root, "conversion_id", "event_id")? {
        Some((id, field)) => EventId::parse(&id, &field).map(Some),
        None => Ok(None),
    }
}

fn consent(value: Option<&Value>) -> Result<Consent, Invalid> {
    let o = match value {
        None | Some(Value::Null) => return Ok(Consent::default()),
        Some(Value::Object(o)) => o,
        Some(_) => return Err(not_an_object("consent")),
    };
    if let Some(key) = o
        .keys()
        .find(|k| !matches!(k.as_str(), "analytics" | "advertising"))
    {
        return Err(Invalid::field(
            "unknown_field",
            format!("consent.{key}")
                .chars()
                .take(200)
                .collect::<String>(),
            "consent takes analytics and advertising only",
        ));
    }
    let flag = |key: &str| match o.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(_) => Err(Invalid::field(
            "invalid_type",
            format!("consent.{key}"),
            "must be true or false",
        )),
    };
    Ok(Consent {
        analytics: flag("analytics")?,
        advertising: flag("advertising")?,
    })
}

fn clicks(root: &Obj) -> Result<Vec<CarriedClick>, Invalid> {
    let mut clicks = Vec::new();
    for param in CARRIED_CLICK_PARAMS {
        let parser = if param.starts_with("utm_") {
            fields::text
        } else {
            fields::identifier
        };
        if let Some(value) = read(root, param, param, parser)? {
            clicks.push(CarriedClick {
                param: param.to_string(),
                value,
            });
        }
    }
    let partner = match root.get("click_ids") {
        None | Some(Value::Null) => return Ok(clicks),
        Some(Value::Object(o)) => o,
        Some(_) => return Err(not_an_object("click_ids")),
    };
    if partner.len() > MAX_CLICK_IDS {
        return Err(Invalid::field(
            "too_many_click_ids",
            "click_ids",
            format!("at most {MAX_CLICK_IDS} click ids"),
        ));
    }
    for key in partner.keys() {
        let path = format!("click_ids.{key}");
        let well_formed = !key.is_empty()
            && key.len() <= 64
            && key
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !well_formed {
            return Err(Invalid::field(
                "invalid_field",
                path.chars().take(200).collect::<String>(),
                "click parameter names are lower-case letters, digits and _",
            ));
        }
        if let Some(value) = read(partner, key, &path, fields::identifier)? {
            let click = CarriedClick {
                param: key.clone(),
                value,
            };
            if !clicks.contains(&click) {
                clicks.push(click);
            }
        }
    }
    Ok(clicks)
}

fn attributes(root: &Obj) -> Result<Attributes, Invalid> {
    let mut map = Map::new();
    for key in ["tax", "shipping"] {
        if let Some(a) = amount(root, key, key)? {
            map.insert(key.to_string(), Value::from(a.get()));
        }
    }
    if let Some(code) = read(root, "discount_code", "discount_code", fields::text)? {
        map.insert("discount_code".to_string(), Value::String(code));
    }
    if let Some(list) = root.get("products").filter(|v| !v.is_null()) {
        map.insert("products".to_string(), products(list)?);
    }
    match root.get("attributes") {
        None | Some(Value::Null) => {}
        Some(value) => {
            for (key, value) in Attributes::parse(value, "attributes")?.as_map() {
                put_attribute(&mut map, key, value.clone(), &format!("attributes.{key}"))?;
            }
        }
    }
    for (key, value) in root {
        if KNOWN_FIELDS.contains(&key.as_str()) || CARRIED_CLICK_PARAMS.contains(&key.as_str()) {
            continue;
        }
        check_key(key, key)?;
        let value = match value {
            Value::Null => continue,
            Value::String(s) => match fields::text(s, key)? {
                Some(text) => Value::String(text),
                None => continue,
            },
            other => other.clone(),
        };
        let single: Obj = [(key.clone(), value.clone())].into_iter().collect();
        Attributes::from_map(single, "attributes").map_err(|e| Invalid {
            field: Some(key.clone()),
            ..e
        })?;
        put_attribute(&mut map, key, value, key)?;
    }
    Attributes::from_map(map, "attributes")
}

fn put_attribute(map: &mut Obj, key: &str, value: Value, path: &str) -> Result<(), Invalid> {
    match map.get(key) {
        Some(existing) if *existing != value => Err(Invalid::field(
            "conflicting_fields",
            path,
            format!("the attribute {key} was already given with another value"),
        )),
        _ => {
            map.insert(key.to_string(), value);
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests;
