//! The JSON body of `POST /e?id=`, as `t.js` (and `postclick.track(name, data)`) sends it:
//!
//! `{event, event_id?, value?, currency?, url?, attributes?: {...}, user?: {...},
//!   consent?: {advertising?, analytics?}, pc_test?}`
//!
//! The wire contract is strict: an unknown top-level key is refused (`unknown_field`, naming
//! the key) rather than silently dropped, so a typo such as `curency` or custom data put at the
//! top level surfaces at once. Custom data belongs under `attributes`; `t.js` moves every key of
//! `track`'s `data` that is not a field above into `attributes`. `null` means absent everywhere.

use crate::core::clicks::cookies::VisitorId;
use crate::core::error::Invalid;
use crate::core::event::{
    Attributes, Consent, EventId, EventName, EventSource, NewEvent, UserData,
};
use crate::core::money::{Amount, Currency};
use serde_json::{Map, Value};

/// Longest page URL kept with an event.
pub const MAX_EVENT_URL_BYTES: usize = 4096;
/// Longest value of a named user field (email, phone, external id, names).
pub const MAX_USER_FIELD_BYTES: usize = 256;
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

    let name = match present("event") {
        None => {
            return Err(Invalid::field(
                "required",
                "event",
                "the event name is required, e.g. Purchase",
            ))
        }
        Some(Value::String(s)) => EventName::parse(s, "event")?,
        Some(_) => return Err(Invalid::field("invalid_event", "event", "must be a string")),
    };
    let event_id = present("event_id").map(parse_event_id).transpose()?;
    let value = present("value")
        .map(|v| Amount::from_json(v, "value"))
        .transpose()?;
    let currency = match present("currency") {
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
    let url = present("url").map(parse_page_url).transpose()?;
    let attributes = match present("attributes") {
        None => Attributes::default(),
        Some(v) => Attributes::parse(v, "attributes")?,
    };
    let user = match present("user") {
        None => UserData::default(),
        Some(v) => parse_user(v)?,
    };
    let consent = match present("consent") {
        None => Consent::default(),
        Some(v) => parse_consent(v)?,
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
    })
}

fn parse_event_id(value: &Value) -> Result<EventId, Invalid> {
    match value {
        Value::String(s) => EventId::parse(s, "event_id"),
        Value::Number(n) if n.is_u64() || n.is_i64() => EventId::parse(&n.to_string(), "event_id"),
        _ => Err(Invalid::field(
            "invalid_event_id",
            "event_id",
            "must be a string",
        )),
    }
}

fn parse_page_url(value: &Value) -> Result<String, Invalid> {
    let refuse = || {
        Invalid::field(
            "invalid_url",
            "url",
            "must be an absolute http or https URL of at most 4096 bytes",
        )
    };
    let raw = value.as_str().ok_or_else(refuse)?;
    if raw.len() > MAX_EVENT_URL_BYTES {
        return Err(refuse());
    }
    let url = url::Url::parse(raw.trim()).map_err(|_| refuse())?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(refuse());
    }
    Ok(url.into())
}

fn parse_user(value: &Value) -> Result<UserData, Invalid> {
    let Value::Object(map) = value else {
        return Err(Invalid::field(
            "invalid_user",
            "user",
            "must be a JSON object",
        ));
    };
    let mut extra = Map::new();
    let mut user = UserData::default();
    for (key, v) in map {
        let slot = match key.as_str() {
            "email" => &mut user.email,
            "phone" => &mut user.phone,
            "external_id" => &mut user.external_id,
            "first_name" => &mut user.first_name,
            "last_name" => &mut user.last_name,
            _ => {
                extra.insert(key.clone(), v.clone());
                continue;
            }
        };
        *slot = user_field(v, key)?;
    }
    user.extra = Attributes::from_map(extra, "user")?;
    Ok(user)
}

/// A named user field: a bounded, printable string (numbers are accepted for phone numbers
/// and ids that a page stored as numbers). Empty means absent.
fn user_field(value: &Value, key: &str) -> Result<Option<String>, Invalid> {
    let field = format!("user.{key}");
    let text = match value {
        Value::Null => return Ok(None),
        Value::String(s) => s.trim().to_string(),
        Value::Number(n) if n.is_u64() || n.is_i64() => n.to_string(),
        _ => return Err(Invalid::field("invalid_user", field, "must be a string")),
    };
    if text.len() > MAX_USER_FIELD_BYTES || text.chars().any(char::is_control) {
        return Err(Invalid::field(
            "invalid_user",
            field,
            format!("must be at most {MAX_USER_FIELD_BYTES} bytes of printable text"),
        ));
    }
    Ok((!text.is_empty()).then_some(text))
}

fn parse_consent(value: &Value) -> Result<Consent, Invalid> {
    let Value::Object(map) = value else {
        return Err(Invalid::field(
            "invalid_consent",
            "consent",
            "must be a JSON object",
        ));
    };
    let mut consent = Consent::default();
    for (key, v) in map {
        let slot = match key.as_str() {
            "advertising" => &mut consent.advertising,
            "analytics" => &mut consent.analytics,
            _ => {
                return Err(Invalid::field(
                    "unknown_field",
                    format!("consent.{key}"),
                    "consent knows only advertising and analytics",
                ))
            }
        };
        *slot = match v {
            Value::Null => None,
            Value::Bool(b) => Some(*b),
            // Google Consent Mode's words, as a consent banner may hand them over.
            Value::String(s) if s == "granted" => Some(true),
            Value::String(s) if s == "denied" => Some(false),
            _ => {
                return Err(Invalid::field(
                    "invalid_consent",
                    format!("consent.{key}"),
                    "must be true, false, \"granted\" or \"denied\"",
                ))
            }
        };
    }
    Ok(consent)
}

fn parse_pc_test(value: &Value) -> Result<bool, Invalid> {
    match value {
        Value::Bool(b) => Ok(*b),
        Value::Number(n) if n.as_u64() == Some(1) => Ok(true),
        Value::Number(n) if n.as_u64() == Some(0) => Ok(false),
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
