//! The JSON body of `POST /e?id=`, as `t.js` (and `postclick.track(name, data)`) sends it:
//!
//! `{event, event_id?, value?, currency?, url?, attributes?: {...}, user?: {...},
//!   consent?: {advertising?, analytics?}, pc_test?}`
//!
//! The wire contract is strict: an unknown top-level key is refused (`unknown_field`, naming
//! the key) rather than silently dropped, so a typo such as `curency` or custom data put at the
//! top level surfaces at once. Custom data belongs under `attributes`; `t.js` moves every key of
//! `track`'s `data` that is not a field above into `attributes`. `null` means absent everywhere.
//!
//! `user` and `consent` are read by the parsers every surface shares
//! ([`crate::core::user_data`], [`crate::core::consent`]), and `url` by the page-URL parser
//! ([`crate::core::input::page_url`]), so `/e` accepts and refuses exactly what the webhooks do.

use crate::core::clicks::cookies::{ClickHistory, VisitorId};
use crate::core::consent::Consent;
use crate::core::error::Invalid;
use crate::core::event::{Attributes, CookieClick, EventId, EventName, EventSource, NewEvent};
use crate::core::input::{page_url, whole_number};
use crate::core::money::{Amount, Currency};
use crate::core::user_data::{parse_user_object, UserData};
use serde_json::Value;

/// Longest User-Agent kept; longer ones are cut (a User-Agent is descriptive, not an id).
pub const MAX_USER_AGENT_BYTES: usize = 1024;
/// Longest IP address text kept (IPv6 with a zone fits easily).
const MAX_IP_BYTES: usize = 64;

const FIELDS: &[&str] = &[
    "event",
    "event_id",
    "value",
    "currency",
    "url",
    "attributes",
    "user",
    "consent",
    "pc_test",
];

/// Parse a browser event. The visitor id (from `pc_vid`), IP and User-Agent come from the
/// request, never from the body. `event_id` stays `None` when absent: the caller generates one.
pub fn parse_browser_event(
    body: &Value,
    visitor_id: Option<&VisitorId>,
    ip: Option<&str>,
    user_agent: Option<&str>,
) -> Result<NewEvent, Invalid> {
    let Value::Object(root) = body else {
        return Err(Invalid::new(
            "invalid_body",
            "the body must be a JSON object",
        ));
    };
    if let Some(unknown) = root.keys().find(|k| !FIELDS.contains(&k.as_str())) {
        return Err(Invalid::field(
            "unknown_field",
            unknown.as_str(),
            "is not a field of a browser event; put custom data under attributes",
        ));
    }
    let present = |key: &str| root.get(key).filter(|v| !v.is_null());
    let name = parse_event_name(present("event"))?;
    let event_id = present("event_id").map(parse_event_id).transpose()?;
    let (value, currency) = parse_money(present("value"), present("currency"))?;
    let url = match present("url") {
        None => None,
        Some(Value::String(raw)) => page_url(raw, "url")?,
        Some(_) => {
            return Err(Invalid::field(
                "invalid_url",
                "url",
                "must be an absolute http or https URL",
            ))
        }
    };
    let attributes = match present("attributes") {
        None => Attributes::default(),
        Some(v) => Attributes::parse(v, "attributes")?,
    };
    let user = match present("user") {
        None => UserData::default(),
        Some(v) => parse_user_object(v, "user")?,
    };
    let consent = match present("consent") {
        None => Consent::default(),
        Some(v) => Consent::from_json(v, "consent")?,
    };
    let force_send = present("pc_test")
        .map(parse_pc_test)
        .transpose()?
        .unwrap_or(false);

    Ok(NewEvent {
        name,
        event_id,
        value,
        currency,
        url,
        attributes,
        user,
        clicks: Vec::new(),
        visitor_id: visitor_id.map(|v| v.as_str().to_string()),
        consent,
        force_send,
        source: EventSource::Browser,
        ip: ip
            .map(str::trim)
            .filter(|ip| !ip.is_empty() && ip.len() <= MAX_IP_BYTES)
            .map(str::to_string),
        user_agent: user_agent
            .map(|ua| cut_at_char_boundary(ua.trim(), MAX_USER_AGENT_BYTES).to_string()),
        cookie_history: Vec::new(),
    })
}

/// The clicks of a browser's signed `pc_clk`, as the event keeps them for attribution.
pub fn cookie_history(history: &ClickHistory) -> Vec<CookieClick> {
    history
        .entries()
        .iter()
        .map(|entry| CookieClick {
            param: entry.param.clone(),
            value: entry.value.as_str().to_string(),
            source: entry.source.clone(),
            at_ms: entry.at_s.saturating_mul(1000),
        })
        .collect()
}

fn parse_event_name(value: Option<&Value>) -> Result<EventName, Invalid> {
    match value {
        None => Err(Invalid::field(
            "required",
            "event",
            "the event name is required, e.g. Purchase",
        )),
        Some(Value::String(s)) => EventName::parse(s, "event"),
        Some(_) => Err(Invalid::field("invalid_event", "event", "must be a string")),
    }
}

/// The value and its currency: a value needs a currency.
fn parse_money(
    value: Option<&Value>,
    currency: Option<&Value>,
) -> Result<(Option<Amount>, Option<Currency>), Invalid> {
    let value = value.map(|v| Amount::from_json(v, "value")).transpose()?;
    let currency = match currency {
        None => None,
        Some(Value::String(s)) => Some(Currency::parse(s)?),
        Some(_) => {
            return Err(Invalid::field(
                "invalid_currency",
                "currency",
                "must be a string such as EUR",
            ))
        }
    };
    if value.is_some() && currency.is_none() {
        return Err(Invalid::field(
            "required",
            "currency",
            "a value needs its currency, e.g. EUR",
        ));
    }
    Ok((value, currency))
}

fn parse_event_id(value: &Value) -> Result<EventId, Invalid> {
    match value {
        Value::String(s) => EventId::parse(s, "event_id"),
        Value::Number(n) => match whole_number(n) {
            Some(whole) => EventId::parse(&whole.to_string(), "event_id"),
            None => Err(Invalid::field(
                "invalid_event_id",
                "event_id",
                "must be a string or a whole number",
            )),
        },
        _ => Err(Invalid::field(
            "invalid_event_id",
            "event_id",
            "must be a string",
        )),
    }
}

fn parse_pc_test(value: &Value) -> Result<bool, Invalid> {
    match value {
        Value::Bool(b) => Ok(*b),
        Value::Number(n) if whole_number(n) == Some(1) => Ok(true),
        Value::Number(n) if whole_number(n) == Some(0) => Ok(false),
        Value::String(s) if s == "1" || s == "true" => Ok(true),
        Value::String(s) if s == "0" || s == "false" || s.is_empty() => Ok(false),
        _ => Err(Invalid::field(
            "invalid_pc_test",
            "pc_test",
            "must be 1, 0, true or false",
        )),
    }
}

fn cut_at_char_boundary(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

#[cfg(test)]
mod tests;
