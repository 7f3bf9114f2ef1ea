//! String rules the request parsers apply, as JSON Schema: the patterns and lengths that
//! `schema_with` puts on request fields. Each function names the parser whose rule it states, so a
//! change to one is a search away from the other; the contract run (schemathesis against the real
//! worker) fails when the two disagree.

use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, SchemaType, Type};

/// Characters Rust's `char::is_control` refuses anywhere in a name (Unicode category Cc).
const CONTROL: &str = r"\u0000-\u001f\u007f-\u009f";
/// Unicode `White_Space` characters that are not controls: what `str::trim` removes around a
/// name besides the controls.
const SPACE: &str = r"\u0020\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000";

/// Text that, once trimmed, holds 1 to `max` characters and no control character anywhere: the
/// rule of `ContainerSettings::parse` (name), `parse_connector` (name), `EventName::parse` and
/// `ApiKeyName::parse`.
pub fn printable_pattern(max: usize) -> String {
    let inner = max.saturating_sub(2);
    format!("^[{SPACE}]*[^{CONTROL}{SPACE}](?:[^{CONTROL}]{{0,{inner}}}[^{CONTROL}{SPACE}])?[{SPACE}]*$")
}

fn string(pattern: String, description: &str) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(pattern))
        .description(Some(description))
}

/// A container or connector name: 1 to 120 characters once trimmed, no control characters.
pub fn name_120() -> ObjectBuilder {
    string(
        printable_pattern(120),
        "1 to 120 characters once trimmed, no control characters",
    )
}

/// An API key's label, e.g. `Backend prod` (`ApiKeyName::parse`).
pub fn key_name() -> ObjectBuilder {
    string(
        printable_pattern(crate::core::api_key::MAX_API_KEY_NAME_LEN),
        "A label such as Backend prod: 1 to 100 characters once trimmed, no control characters",
    )
}

/// An event name such as `Purchase` (`EventName::parse`).
pub fn event_name() -> ObjectBuilder {
    string(
        printable_pattern(crate::core::event::MAX_EVENT_NAME_LEN),
        "Event name, e.g. Purchase: 1 to 64 characters once trimmed, no control characters",
    )
}

/// A list of trigger event names (`parse_connector`: at most 50).
pub fn trigger_events() -> ArrayBuilder {
    nullable_array()
        .items(event_name())
        .max_items(Some(50))
        .description(Some(
            "The events that fire the connector; at least one unless mode is disabled",
        ))
}

/// One label of a host name: letters, digits and inner hyphens, at most 63.
const LABEL: &str = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?";
/// The last label, with a letter in it: `ContainerSettings::parse` refuses IPv4 addresses, and a
/// top-level label with a letter can never form one.
/// (URL parsers also read a last label such as `0x1f` as a number, so it starts with a letter.)
const TOP_LABEL: &str = "[A-Za-z](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?";

/// A host name as `ContainerSettings::parse` takes it: dot-separated labels, no scheme, port or
/// path. `min_labels` is 2 for a cookie domain (`shop.com`), 1 for a redirect host.
pub fn host_pattern(min_labels: usize) -> String {
    let repeat = if min_labels >= 2 { "+" } else { "*" };
    format!(r"^(?:{LABEL}\.){repeat}{TOP_LABEL}$")
}

/// The registrable domain cookies are set on, e.g. `shop.com`.
pub fn cookie_domain() -> ObjectBuilder {
    string(
        host_pattern(2),
        "Registrable domain the cookies are set on, e.g. shop.com (no scheme, port or path)",
    )
    .max_length(Some(253))
}

/// An origin: `http(s)://host[:port]`, nothing after it (`ContainerSettings::parse`).
pub fn origin() -> ObjectBuilder {
    string(
        format!(r"^https?://(?:{LABEL}\.)*{TOP_LABEL}(?::[1-9][0-9]{{0,3}})?/?$"),
        "An origin such as https://www.shop.com",
    )
}

/// Allowed origins: at most 50.
pub fn origins() -> ArrayBuilder {
    nullable_array()
        .items(origin())
        .max_items(Some(50))
        .description(Some(
        "Origins allowed to call the browser endpoints with credentials, e.g. https://www.shop.com",
    ))
}

/// Extra redirect hosts: at most 50.
pub fn redirect_domains() -> ArrayBuilder {
    nullable_array()
        .items(
            string(host_pattern(1), "A host name such as partner-shop.com").max_length(Some(253)),
        )
        .max_items(Some(50))
        .description(Some(
            "Extra hosts /c may redirect to, besides the cookie domain and its subdomains",
        ))
}

/// An optional list: the parsers read `null` as absent, the default (an empty list).
fn nullable_array() -> ArrayBuilder {
    ArrayBuilder::new().schema_type(SchemaType::from_iter([Type::Array, Type::Null]))
}

/// An ISO 4217 code from the list `Currency::parse` accepts.
pub fn currency() -> ObjectBuilder {
    let codes = crate::core::money::ISO_4217;
    ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
        .enum_values(Some(
            codes
                .iter()
                .map(|c| serde_json::Value::from(*c))
                .chain([serde_json::Value::Null]),
        ))
        .description(Some("ISO 4217, e.g. EUR; required with value"))
}
