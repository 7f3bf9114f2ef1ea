//! What `{{NAME}}` resolves to for one stored event: the event's own fields, the user's (raw and
//! hashed), its custom attributes, and the visitor's clicks. Postbacks and pixels share it.
//!
//! Rules:
//! - Event fields: `EVENT_ID` and `CONVERSION_ID` are the stored event id (the caller's, or the
//!   generated one); `ORDER_ID` is the event's `order_id` attribute as text, else that id.
//!   `VALUE` is the amount in plain decimal (`49.9`, `15`), `TIMESTAMP` the
//!   event's unix seconds, `VISITOR_ID` the visitor the event was matched to (the id alone,
//!   never the signed cookie value), `PROVENANCE` who stands behind the event (`browser`,
//!   `server` or `admin`).
//! - `EMAIL_SHA256` and `PHONE_SHA256` are the user-data hashes ([`Email::sha256`],
//!   [`Phone::sha256`]), the same ones matching stores: normalised as Meta requires, a value
//!   that already is a SHA-256 hex digest passed through in lower case, nothing for a value
//!   that does not normalise (not an email, too few digits). `EMAIL_SHA256_GOOGLE` and
//!   `PHONE_E164_SHA256` are Google's forms ([`Email::sha256_google`], [`Phone::e164_sha256`]).
//!   Each comes from the raw value when it was kept, else from the hashes stored in its place.
//! - Custom attributes are upper-snake-cased ([`attribute_param_name`]); strings keep their
//!   text, numbers and booleans their JSON spelling, lists and objects become JSON. A built-in
//!   name always wins over an attribute that spells the same.
//! - Click parameters of the registry (`GCLID`, `UTM_SOURCE`, ...; a connector's own parameter
//!   is `CLICK_ID` instead) take the most recent value of that parameter:
//!   the ones the event carried (as of the event) win over the stored history. `FBC` is built
//!   from the most recent fbclid and its capture time, as the `_fbc` cookie would be.
//! - `CLICK_ID`, `CLICK_SOURCE` and `EVENT_NAME` depend on the connector and are filled in by
//!   the postback plan (`fill_click_values`, `fill_event_name`).

use crate::core::click_params::{click_param, CompatCookie, FBC_PARAM};
use crate::core::clicks::cookies::{fbc_value, CookieDomain};
use crate::core::clicks::{ClickKind, ClickValue, StoredClick};
use crate::core::event::{CarriedClick, NewEvent};
use crate::core::params::{attribute_param_name, is_builtin, ParamValues};
use crate::core::provenance::Provenance;
use crate::core::user_data::{Email, ExternalId, Phone, UserData, UserText};
use serde_json::Value;

/// Everything the values of one event come from.
#[derive(Debug, Clone, Copy)]
pub struct EventFacts<'a> {
    pub event: &'a NewEvent,
    /// The stored event's dedup id (the caller's id, or the one generated for it).
    pub event_id: &'a str,
    /// When the event was stored, unix milliseconds.
    pub at_ms: i64,
    /// The visitor the event was matched to, if any (the event row's, else the payload's).
    pub visitor_id: Option<&'a str>,
    /// Who stands behind the event: `{{PROVENANCE}}`.
    pub provenance: Provenance,
    /// The container's cookie domain, for `FBC`'s subdomain index.
    pub cookie_domain: Option<&'a CookieDomain>,
    /// The visitor's stored clicks, any order.
    pub history: &'a [StoredClick],
}

impl ParamValues {
    /// The event's values for every connector-independent parameter.
    pub fn for_event(facts: &EventFacts<'_>) -> ParamValues {
        let mut values = ParamValues::new();
        let event = facts.event;
        values.set("EVENT_ID", facts.event_id);
        values.set("CONVERSION_ID", facts.event_id);
        let order = order_id(event).unwrap_or_else(|| facts.event_id.to_string());
        values.set("ORDER_ID", order);
        if let Some(amount) = event.value {
            values.set("VALUE", amount.get().to_string());
        }
        if let Some(currency) = event.currency {
            values.set("CURRENCY", currency.as_str());
        }
        values.set("TIMESTAMP", facts.at_ms.div_euclid(1000).to_string());
        set_opt(&mut values, "URL", event.url.as_deref());
        set_opt(&mut values, "IP", event.ip.as_deref());
        set_opt(&mut values, "USER_AGENT", event.user_agent.as_deref());
        set_opt(
            &mut values,
            "VISITOR_ID",
            facts.visitor_id.or(event.visitor_id.as_deref()),
        );
        values.set("PROVENANCE", facts.provenance.as_str());

        set_user_values(&mut values, &event.user);

        for (param, value, _) in latest_clicks(facts.history, &event.clicks, facts.at_ms) {
            let Some(known) = click_param(&param) else {
                continue;
            };
            values.set(known.dynamic_param, value.clone());
            if known.compat_cookie == Some(CompatCookie::Fbc) {
                let created = cookie_creation(facts.history, &event.clicks, facts.at_ms, &param);
                let fbc = facts
                    .cookie_domain
                    .zip(created)
                    .and_then(|(domain, (id, at_ms))| fbc_value(domain, at_ms, &id));
                if let Some(fbc) = fbc {
                    values.set(FBC_PARAM, fbc);
                }
            }
        }

        for (key, value) in event.attributes.as_map() {
            let Some(name) = attribute_param_name(key) else {
                continue;
            };
            if is_builtin(&name) || values.get(&name).is_some() {
                continue;
            }
            if let Some(text) = attribute_text(value) {
                values.set(&name, text);
            }
        }
        values
    }
}

/// The event's `order_id` attribute (or one spelled `orderId`, `order-id`, ...) as text; an
/// empty one counts as absent.
fn order_id(event: &NewEvent) -> Option<String> {
    event
        .attributes
        .as_map()
        .iter()
        .find(|(key, _)| attribute_param_name(key).as_deref() == Some("ORDER_ID"))
        .and_then(|(_, value)| attribute_text(value))
        .filter(|text| !text.trim().is_empty())
}

/// The user's values: raw where they were kept, hashed in both platforms' forms either way.
fn set_user_values(values: &mut ParamValues, user: &UserData) {
    set_opt(values, "EMAIL", user.email.as_ref().map(Email::as_str));
    set_opt(values, "PHONE", user.phone.as_ref().map(Phone::as_str));
    set_opt(
        values,
        "EXTERNAL_ID",
        user.external_id.as_ref().map(ExternalId::as_str),
    );
    set_opt(
        values,
        "FIRST_NAME",
        user.first_name.as_ref().map(UserText::as_str),
    );
    set_opt(
        values,
        "LAST_NAME",
        user.last_name.as_ref().map(UserText::as_str),
    );
    let hashes = &user.hashes;
    let email = user.email.as_ref();
    let phone = user.phone.as_ref();
    let hashed = [
        ("EMAIL_SHA256", email.and_then(Email::sha256), &hashes.email),
        (
            "EMAIL_SHA256_GOOGLE",
            email.and_then(Email::sha256_google),
            &hashes.email_google,
        ),
        ("PHONE_SHA256", phone.and_then(Phone::sha256), &hashes.phone),
        (
            "PHONE_E164_SHA256",
            phone.and_then(Phone::e164_sha256),
            &hashes.phone_e164,
        ),
    ];
    for (name, from_raw, kept) in hashed {
        set_opt(values, name, from_raw.as_deref().or(kept.as_deref()));
    }
}

fn set_opt(values: &mut ParamValues, name: &str, value: Option<&str>) {
    if let Some(value) = value {
        values.set(name, value);
    }
}

fn attribute_text(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        Value::Bool(_) | Value::Number(_) | Value::Array(_) | Value::Object(_) => {
            Some(value.to_string())
        }
    }
}

/// The value and creation time of the compatibility cookie that `param`'s clicks wrote: the
/// most recent value, at the first click of the run of clicks that carried it (the cookie is
/// rewritten only when the id changes, so a second landing with the same fbclid keeps the time
/// of the first).
fn cookie_creation(
    history: &[StoredClick],
    carried: &[CarriedClick],
    event_at_ms: i64,
    param: &str,
) -> Option<(ClickValue, i64)> {
    let mut seen: Vec<(&str, i64)> = history
        .iter()
        .filter(|c| c.param.eq_ignore_ascii_case(param))
        .map(|c| (c.value.as_str(), c.at_ms))
        .chain(
            carried
                .iter()
                .filter(|c| c.param.eq_ignore_ascii_case(param))
                .map(|c| (c.value.as_str(), event_at_ms)),
        )
        .filter(|(value, _)| !value.is_empty())
        .collect();
    seen.sort_by_key(|(_, at)| *at);
    let (latest, mut created) = *seen.last()?;
    for (value, at) in seen.iter().rev() {
        if *value != latest {
            break;
        }
        created = *at;
    }
    Some((ClickValue::parse(latest, ClickKind::ClickId)?, created))
}

/// The most recent `(param, value, at_ms)` of every parameter. Carried clicks count as of the
/// event; on a tie, the carried value wins, then the earlier row.
fn latest_clicks(
    history: &[StoredClick],
    carried: &[CarriedClick],
    event_at_ms: i64,
) -> Vec<(String, String, i64)> {
    let mut latest: Vec<(String, String, i64)> = Vec::new();
    let candidates = carried
        .iter()
        .map(|c| (c.param.to_ascii_lowercase(), &c.value, event_at_ms))
        .chain(
            history
                .iter()
                .map(|c| (c.param.to_ascii_lowercase(), &c.value, c.at_ms)),
        );
    for (param, value, at_ms) in candidates {
        if value.is_empty() {
            continue;
        }
        match latest.iter_mut().find(|(p, _, _)| *p == param) {
            Some(slot) if at_ms > slot.2 => *slot = (param, value.clone(), at_ms),
            Some(_) => {}
            None => latest.push((param, value.clone(), at_ms)),
        }
    }
    latest
}

#[cfg(test)]
mod tests;
