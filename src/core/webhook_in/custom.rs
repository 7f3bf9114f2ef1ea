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
//!   attributes (seed 004's `lead_type`).
//! - Click parameters: every one of the click-parameter registry ([`crate::core::click_params`])
//!   at the top level under its canonical name (`gclid`, `rdt_cid`, `utm_id`, ...), and any
//!   partner's in a `click_ids` object (`{"aff_click_id": "abc"}`).
//! - `user_data` goes through the one user-data parser ([`crate::core::user_data`]): its
//!   `address` object and unknown scalar fields are kept, and `email` and `phone` are kept as
//!   sent even when they do not normalise (seed 004's own examples carry
//!   `"[email protected]"`); such values yield no hash.
//! - `consent` goes through the one consent parser ([`crate::core::consent`]): an object of
//!   `analytics` and `advertising` only.
//! - Seed 004 says TrustData matches on `visitor_id` only; postclick also matches on click ids,
//!   external id, email and phone, in the order of [`crate::core::matching`].
//! - An unknown topic is `Invalid` with code `unknown_topic`, field `topic`. We recommend the
//!   edge answers 404: the topic is part of the URL, and seed 004's 404 is "check the URL".

use crate::core::consent::Consent;
use crate::core::error::Invalid;
use crate::core::event::{EventId, EventName, EventSource, NewEvent};
use crate::core::input::{self, Raw};
use crate::core::money::{Amount, Currency};
use crate::core::user_data::parse_user_object;
use serde_json::{Map, Value};

mod attributes;
mod clicks;
mod products;
mod topic;

pub use topic::Topic;

use attributes::attributes;
use clicks::clicks;

/// Most products one payload may list: the attribute bound on arrays.
pub const MAX_PRODUCTS: usize = crate::core::event::MAX_ATTRIBUTES;
/// Largest quantity of one product line.
pub const MAX_QUANTITY: u64 = 1_000_000;
/// Most partner click ids in `click_ids`.
pub const MAX_CLICK_IDS: usize = 20;

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
    input::check_json_depth(payload)?;
    let Value::Object(root) = payload else {
        return Err(Invalid::new(
            "invalid_body",
            "the body must be a JSON object",
        ));
    };
    let name = event_name(topic, root)?;
    let event_id = conversion_id(root)?;
    let value = amount(root, "value", "value")?;
    let currency = match read(root, "currency", "currency", input::text)? {
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
        None => Default::default(),
        Some(value) => parse_user_object(value, "user_data")?,
    };
    let force_send = match root.get("pc_test") {
        Some(v) => input::boolean(Raw::Json(v), "pc_test")?.unwrap_or(false),
        None => false,
    };
    Ok(NewEvent {
        name,
        event_id,
        value,
        currency,
        url: read(root, "url", "url", input::page_url)?,
        attributes: attributes(root)?,
        user,
        clicks: clicks(root)?,
        visitor_id: read(root, "visitor_id", "visitor_id", input::visitor_id)?,
        consent: match root.get("consent") {
            Some(value) => Consent::from_json(value, "consent")?,
            None => Consent::default(),
        },
        force_send,
        source: EventSource::CustomWebhook {
            topic: topic.as_str().to_string(),
        },
        ip: read(root, "ip", "ip", input::ip)?,
        user_agent: read(root, "user_agent", "user_agent", input::text)?,
        cookie_history: Vec::new(),
    })
}

fn not_an_object(path: &str) -> Invalid {
    Invalid::field("invalid_type", path, "must be a JSON object")
}

/// One field through an `input` parser; null and empty text are absent.
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
    let first = read(o, preferred, preferred, input::text)?;
    let second = read(o, alias, alias, input::text)?;
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

#[cfg(test)]
mod tests;
