//! `/webhook`'s parameters (seed 002), derived from the parser's own table
//! (`tracklution::documented_parameters`: its named parameters, then the user-data registry, then
//! the click-parameter registry) with the rule its parser applies to each. `GET /webhook`'s query
//! parameters and the properties of a `POST /webhook` form or JSON body come from here, so a
//! parameter added to a registry is documented by the next `UPDATE_OPENAPI=1 cargo test openapi`.

use super::{patterns, values};
use crate::core::click_params::click_param;
use crate::core::input::MAX_TEXT_LEN;
use crate::core::user_data::USER_FIELDS;
use crate::core::webhook_in::tracklution::{
    documented_parameters, Param, MAX_PARAMETERS, MAX_PARAMETER_NAME_LEN,
};
use serde_json::{json, Map, Value};

/// What the parameter means, for the document.
fn description(param: Param) -> String {
    let text = match param {
        Param::Key => "The API key (also a bearer token)",
        Param::Track => "Event name (Purchase, BookingComplete, ...). Without it the request is a set request: it enriches the visitor it names (visitorId, a click id, externalId, priorityExternalId, email or phoneNumber, at least one of them) and takes no value, currency, eventId or consent",
        Param::Value => "Event value, a decimal such as 49.90 (or 49,90); needs currency",
        Param::Currency => "ISO 4217 code such as EUR, in any letter case; required with value",
        Param::Url => "Absolute http(s) URL where the event happened",
        Param::EventId => "Deduplication key: a repeated eventId is acknowledged as a duplicate and not stored again",
        Param::UserAgent => "The visitor's User-Agent",
        Param::Ip => "The visitor's IPv4 or IPv6 address",
        Param::ActionSource => "Where the action happened (website, app, ...); recorded as the attribute action_source",
        Param::EventAttributes => "Custom data: a JSON object such as {\"plan\":\"Premium\"}; also eventAttributes[plan]=Premium, and any parameter not listed here is kept as an attribute under its own name",
        Param::EventSourceDomain => "Domain where the event originated; recorded as the attribute event_source_domain",
        Param::IsPartial => "true or false (also 1/0, yes/no); recorded as the attribute is_partial",
        Param::ForceNewSessionCreatedAt => "Unix seconds, unix milliseconds or an RFC 3339 time between 2000 and 2100; recorded in milliseconds as the attribute force_new_session_created_at",
        Param::Source => "Where the request comes from, e.g. stripe; recorded as the attribute source",
        Param::PcTest => "true makes connectors in test mode really send this event (also 1/0, yes/no)",
        Param::VisitorId => "The pc_vid visitor id (extension): the first matching signal",
        Param::Consent => "The visitor's advertising consent (extension): granted or denied (true/false, 1/0); consent[analytics]=... states another purpose. Denied: the event is stored, but no partner postback is sent",
        Param::User(key) => {
            let spec = USER_FIELDS.iter().find(|s| s.field == key.field());
            let also = spec.map(|s| &s.tracklution_names[1.min(s.tracklution_names.len())..]);
            let mut text = values::user_field_description(key.field()).to_string();
            if key.field().is_list() {
                text.push_str(" (comma-separated, a JSON array, or the parameter repeated)");
            }
            if let Some(names) = also.filter(|n| !n.is_empty()) {
                text.push_str(&format!("; also spelled {}", names.join(", ")));
            }
            return text;
        }
        Param::Click(name) => {
            let Some(click) = click_param(name) else {
                return name.to_string();
            };
            let role = match click.identifies_click() {
                true => "identifies one click, so it matches a visitor",
                false => "a campaign tag: carried, never matched",
            };
            return format!("{} ({role}); {{{{{}}}}} in templates", click.description, click.dynamic_param);
        }
    };
    text.to_string()
}

/// The parameter's rule for text (a query or form value).
fn text_schema(param: Param) -> Value {
    let pattern = |p: String| json!({"type": "string", "pattern": p});
    match param {
        Param::Key => json!({"type": "string"}),
        Param::Track => pattern(patterns::event_name()),
        Param::Value => pattern(patterns::amount(true)),
        Param::Currency => pattern(patterns::currency(true)),
        Param::Url => pattern(patterns::page_url()),
        Param::EventId => pattern(patterns::event_id(true)),
        Param::UserAgent | Param::ActionSource | Param::EventSourceDomain | Param::Source => {
            pattern(patterns::text(MAX_TEXT_LEN, true))
        }
        Param::Ip => ip(),
        Param::EventAttributes => pattern(patterns::attributes_json()),
        Param::IsPartial | Param::PcTest => pattern(patterns::boolean_word()),
        Param::ForceNewSessionCreatedAt => pattern(patterns::timestamp()),
        Param::VisitorId => pattern(patterns::visitor_id()),
        Param::Consent => pattern(patterns::consent_word()),
        Param::User(key) if key.field().is_list() => pattern(patterns::variants()),
        Param::User(key) => pattern(values::user_text_pattern(key.field())),
        Param::Click(name) => {
            let identifies = click_param(name).is_some_and(|p| p.identifies_click());
            pattern(patterns::click_value(identifies))
        }
    }
}

/// `input::ip`: an IPv4 or IPv6 address; blank is absent.
pub fn ip() -> Value {
    json!({"anyOf": [
        {"type": "string", "pattern": format!("^[{}]*$", patterns::TRIM)},
        {"type": "string", "format": "ipv4"},
        {"type": "string", "format": "ipv6"},
    ]})
}

/// The parameter's rule in a JSON body: most parameters read a JSON number or boolean as its
/// text (`Raw::as_text`), some take objects or lists, and null is absent.
fn json_schema(param: Param) -> Value {
    let scalar = |param: Param| {
        let mut schema = text_schema(param);
        schema["type"] = json!(["string", "number", "boolean", "null"]);
        schema
    };
    match param {
        Param::Track | Param::EventId | Param::Click(_) | Param::VisitorId => scalar(param),
        Param::UserAgent | Param::ActionSource | Param::EventSourceDomain | Param::Source => {
            scalar(param)
        }
        Param::Value => values::amount(true),
        Param::Currency | Param::Url | Param::Key => {
            let mut schema = text_schema(param);
            schema["type"] = json!(["string", "null"]);
            schema
        }
        Param::Ip => json!({"anyOf": [{"type": "null"}, ip()]}),
        Param::EventAttributes => json!({"anyOf": [
            values::attributes(),
            {"type": "string", "pattern": patterns::attributes_json()},
        ]}),
        Param::IsPartial | Param::PcTest => json_boolean(),
        Param::ForceNewSessionCreatedAt => json!({"anyOf": [
            {"type": "null"},
            text_schema(param),
            {"type": "integer", "minimum": 946_684_800_u64, "maximum": 4_102_444_799_u64},
            {"type": "integer", "minimum": 946_684_800_000_u64, "maximum": 4_102_444_799_999_u64},
        ]}),
        Param::Consent => json!({"anyOf": [
            values::consent(),
            {"type": ["boolean", "null"]},
            text_schema(param),
        ]}),
        Param::User(key) if key.field().is_list() => {
            let mut item = values::user_field(key.field())["items"].clone();
            // Items are read as one value is (`user_data::json_variant_items`): a string or a
            // whole number; null is skipped. A boolean is not a phone number or an address.
            item["type"] = json!(["string", "number", "null"]);
            json!({"anyOf": [
                {"type": ["number", "boolean", "null"]},
                text_schema(param),
                {"type": "array", "maxItems": crate::core::user_data::MAX_VARIANTS, "items": item},
            ]})
        }
        Param::User(key) => values::user_field(key.field()),
    }
}

/// `input::boolean` on a JSON value: a boolean, 1 or 0, or a boolean word; null is absent.
pub fn json_boolean() -> Value {
    json!({"anyOf": [
        {"type": ["boolean", "null"]},
        {"enum": [0, 1]},
        {"type": "string", "pattern": patterns::boolean_word()},
    ]})
}

/// Every documented parameter but the key, which is the `webhookKeyQuery` security scheme.
fn documented() -> impl Iterator<Item = (&'static str, Param)> {
    documented_parameters().filter(|(_, param)| *param != Param::Key)
}

/// `GET /webhook`'s query parameters, as OpenAPI parameter objects.
pub fn query_parameters() -> Vec<Value> {
    documented()
        .map(|(name, param)| {
            json!({
                "name": name,
                "in": "query",
                "required": false,
                "description": description(param),
                "schema": text_schema(param),
            })
        })
        .collect()
}

/// An unknown parameter kept as an attribute: a name of 1 to 64 characters without controls or
/// brackets (`eventAttributes[plan]` and `emailVariants[]` are the bracket forms), and text.
fn unknown_name() -> Value {
    json!({
        "minLength": 1,
        "maxLength": MAX_PARAMETER_NAME_LEN,
        "pattern": format!("^[^{}\\[\\]]+$", patterns::CONTROL),
    })
}

/// A `POST /webhook` body: the documented parameters as properties; other names are kept as
/// attributes. `json` picks the JSON rules (numbers, objects and lists where a parameter takes
/// them) over the form's text.
pub fn body_schema(json: bool) -> Value {
    let properties: Map<String, Value> = documented()
        .map(|(name, param)| {
            let mut schema = match json {
                true => json_schema(param),
                false => text_schema(param),
            };
            schema["description"] = json!(description(param));
            (name.to_string(), schema)
        })
        .collect();
    let unknown = match json {
        true => {
            // Text goes through the text rule; other values through the attribute bounds.
            let mut other = values::attributes()["additionalProperties"].clone();
            other["type"] = json!(["number", "boolean", "null", "array", "object"]);
            json!({"anyOf": [
                {"type": "string", "pattern": patterns::text(MAX_TEXT_LEN, true)},
                other,
            ]})
        }
        false => json!({"type": "string", "pattern": patterns::text(MAX_TEXT_LEN, true)}),
    };
    json!({
        "type": "object",
        "description": "The parameters of GET /webhook, in a JSON object or a form (which may also carry them in the query). A parameter not listed is kept as an attribute under its own name; one named exactly like the click parameter of one of the container's connectors (click-ID matching on, e.g. aff_click_id) is also that partner's click id, its value following the click-value rule.",
        "properties": properties,
        "propertyNames": unknown_name(),
        "additionalProperties": unknown,
        // The key travels in the query (`k`), and every parameter counts.
        "maxProperties": MAX_PARAMETERS - 1,
    })
}
