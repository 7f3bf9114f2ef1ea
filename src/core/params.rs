//! The dynamic parameters that templates (`{{NAME}}`) can use, with their descriptions, and the
//! resolved values for one event. The click parameters among them come from the registry in
//! [`crate::core::click_params`].

use crate::core::click_params::{CompatCookie, CLICK_PARAMS};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ParamGroup {
    Event,
    Click,
    User,
}

#[derive(Debug, Clone, Copy, Serialize)]
#[cfg_attr(test, derive(utoipa::ToSchema))]
pub struct ParamInfo {
    pub name: &'static str,
    pub group: ParamGroup,
    pub description: &'static str,
}

const fn p(name: &'static str, group: ParamGroup, description: &'static str) -> ParamInfo {
    ParamInfo {
        name,
        group,
        description,
    }
}

use ParamGroup::{Click, Event, User};

/// The event's own parameters.
const EVENT_PARAMS: &[ParamInfo] = &[
    p(
        "EVENT_NAME",
        Event,
        "Event name, after the connector's event renaming",
    ),
    p(
        "EVENT_ID",
        Event,
        "The event's id, used for deduplication: the conversion id your server sent (conversion_id, event_id or eventId), else one postclick generated",
    ),
    p(
        "ORDER_ID",
        Event,
        "The order number: the event's order_id attribute when it has one, else the conversion id your server sent (as EVENT_ID)",
    ),
    p(
        "CONVERSION_ID",
        Event,
        "The conversion id your server sent (conversion_id, event_id or eventId), as EVENT_ID",
    ),
    p("VALUE", Event, "Conversion value, e.g. 49.90"),
    p("CURRENCY", Event, "ISO 4217 currency code, e.g. EUR"),
    p("TIMESTAMP", Event, "Event time as unix seconds"),
    p("URL", Event, "Page URL where the event happened"),
    p("IP", Event, "Visitor IP address"),
    p("USER_AGENT", Event, "Visitor browser user agent"),
    p("VISITOR_ID", Event, "postclick visitor id (from the pc_vid cookie, without its signature)"),
    p(
        "PROVENANCE",
        Event,
        "Who stands behind the event: browser (anonymous, /e), server (an API key) or admin (tests and previews)",
    ),
    p(
        "CONVERSION_STATUS",
        Event,
        "The conversion's status (received, approved, rejected, reversed), mapped through the connector's status_map",
    ),
];

/// The click parameters that depend on the connector's click-ID matching.
const CONNECTOR_CLICK_PARAMS: &[ParamInfo] = &[
    p(
        "CLICK_ID",
        Click,
        "The connector's own click id, from click-ID matching",
    ),
    p(
        "CLICK_SOURCE",
        Click,
        "Source value of the connector's matched click",
    ),
];

/// What the user told us, raw and hashed. A raw value is kept only while some connector of the
/// container uses its raw placeholder; the hashed ones always work.
const USER_PARAMS: &[ParamInfo] = &[
    p("EMAIL", User, "Email address as sent (kept only while a connector uses {{EMAIL}})"),
    p("PHONE", User, "Phone number as sent (kept only while a connector uses {{PHONE}})"),
    p("EXTERNAL_ID", User, "Your own user or customer id"),
    p("FIRST_NAME", User, "First name (kept only while a connector uses {{FIRST_NAME}})"),
    p("LAST_NAME", User, "Last name (kept only while a connector uses {{LAST_NAME}})"),
    p(
        "EMAIL_SHA256",
        User,
        "Meta: SHA-256 of the trimmed, lower-cased email (Conversions API `em`)",
    ),
    p(
        "EMAIL_SHA256_GOOGLE",
        User,
        "Google Ads enhanced conversions: SHA-256 of the trimmed, lower-cased email, dots removed from gmail.com and googlemail.com local parts",
    ),
    p(
        "PHONE_SHA256",
        User,
        "Meta: SHA-256 of the phone as digits with country code, no + (Conversions API `ph`)",
    ),
    p(
        "PHONE_E164_SHA256",
        User,
        "Google Ads enhanced conversions: SHA-256 of the phone in E.164 with the + (+16505551212)",
    ),
];

/// The dynamic parameters of the click-parameter registry: each parameter's own (`GCLID`),
/// followed by its compatibility cookie's when it has one (`FBC` after `FBCLID`).
fn registry_params() -> impl Iterator<Item = ParamInfo> {
    CLICK_PARAMS.iter().flat_map(|click| {
        let own = p(click.dynamic_param, Click, click.description);
        let cookie = click
            .compat_cookie
            .and_then(CompatCookie::dynamic_param)
            .map(|(name, description)| p(name, Click, description));
        std::iter::once(own).chain(cookie)
    })
}

/// Every built-in parameter, in the order the parameter list shows them: event, click (the
/// connector's, then the registry's), user. Custom event attributes come on top,
/// upper-snake-cased (see [`attribute_param_name`]).
pub fn catalogue() -> impl Iterator<Item = ParamInfo> {
    EVENT_PARAMS
        .iter()
        .chain(CONNECTOR_CLICK_PARAMS)
        .copied()
        .chain(registry_params())
        .chain(USER_PARAMS.iter().copied())
}

/// Whether `name` is a built-in parameter (which always wins over a custom attribute).
pub fn is_builtin(name: &str) -> bool {
    catalogue().any(|p| p.name == name)
}

/// `transaction_id` → `TRANSACTION_ID`, `billingPeriod` → `BILLING_PERIOD`,
/// `order-ref` → `ORDER_REF`. Returns `None` when nothing usable is left.
pub fn attribute_param_name(key: &str) -> Option<String> {
    let mut out = String::with_capacity(key.len() + 4);
    let mut prev_lower_or_digit = false;
    for c in key.chars() {
        if c.is_ascii_uppercase() {
            if prev_lower_or_digit {
                out.push('_');
            }
            out.push(c);
            prev_lower_or_digit = false;
        } else if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c.to_ascii_uppercase());
            prev_lower_or_digit = true;
        } else {
            if !out.is_empty() && !out.ends_with('_') {
                out.push('_');
            }
            prev_lower_or_digit = false;
        }
    }
    let name = out.trim_matches('_').to_string();
    let usable = name.starts_with(|c: char| c.is_ascii_uppercase()) && name.len() <= 64;
    usable.then_some(name)
}

/// The resolved parameter values for one event and one connector.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct ParamValues(BTreeMap<String, String>);

impl ParamValues {
    pub fn new() -> Self {
        Self::default()
    }

    /// Set a value; empty values are treated as absent.
    pub fn set(&mut self, name: &str, value: impl Into<String>) {
        let value = value.into();
        if !value.is_empty() {
            self.0.insert(name.to_string(), value);
        }
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    /// A lookup closure in the shape templates take.
    pub fn lookup(&self) -> impl Fn(&str) -> Option<String> + '_ {
        move |name| self.get(name).map(str::to_string)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attribute_names_become_upper_snake_case() {
        assert_eq!(
            attribute_param_name("transaction_id").as_deref(),
            Some("TRANSACTION_ID")
        );
        assert_eq!(
            attribute_param_name("billingPeriod").as_deref(),
            Some("BILLING_PERIOD")
        );
        assert_eq!(attribute_param_name("extra").as_deref(), Some("EXTRA"));
        assert_eq!(
            attribute_param_name("order-ref 2").as_deref(),
            Some("ORDER_REF_2")
        );
        assert_eq!(attribute_param_name("sku2Id").as_deref(), Some("SKU2_ID"));
        assert_eq!(attribute_param_name("__"), None);
        assert_eq!(attribute_param_name("1abc"), None);
    }

    #[test]
    fn catalogue_names_are_unique_and_well_formed() {
        let all: Vec<ParamInfo> = catalogue().collect();
        for (i, a) in all.iter().enumerate() {
            assert!(crate::core::template::parse_segments(&format!("{{{{{}}}}}", a.name)).is_ok());
            assert!(all[i + 1..].iter().all(|b| b.name != a.name), "{}", a.name);
        }
    }

    #[test]
    fn every_registry_click_parameter_is_a_click_parameter_of_the_catalogue() {
        for click in CLICK_PARAMS {
            let info = catalogue().find(|p| p.name == click.dynamic_param);
            assert_eq!(
                info.map(|i| i.group),
                Some(ParamGroup::Click),
                "{}",
                click.name
            );
        }
        assert!(is_builtin("FBC") && is_builtin("UTM_ID") && is_builtin("TRLC"));
    }

    #[test]
    fn empty_values_are_absent() {
        let mut v = ParamValues::new();
        v.set("VALUE", "");
        v.set("CURRENCY", "EUR");
        assert_eq!(v.get("VALUE"), None);
        assert_eq!((v.lookup())("CURRENCY").as_deref(), Some("EUR"));
    }
}
