//! The request bodies of the public surfaces (and the preview sample, which is a browser event
//! plus visitor facts) as JSON Schemas, built from the parsers' bounds and the registries:
//! `parse_browser_event` (`POST /e`), `parse_custom` (the custom webhook, seed 004),
//! `parse_sample`, and `/webhook`'s bodies from [`super::webhook_params`].

use super::patterns::{self, TRIM};
use super::{values, webhook_params};
use crate::core::click_params::CLICK_PARAMS;
use crate::core::input::MAX_TEXT_LEN;
use crate::core::webhook_in::custom::{MAX_CLICK_IDS, MAX_PRODUCTS, MAX_QUANTITY};
use serde_json::{json, Map, Value};

fn reference(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

/// Text read through `Raw::as_text`: a JSON string, number or boolean as its text; null absent.
fn scalar(pattern: String) -> Value {
    json!({"type": ["string", "number", "boolean", "null"], "pattern": pattern})
}

/// As [`scalar`], where the field must be there: null is not allowed.
fn required_scalar(pattern: String) -> Value {
    json!({"type": ["string", "number", "boolean"], "pattern": pattern})
}

/// A value needs its currency: the value is absent or null, or a currency is given.
fn value_needs_currency() -> Value {
    json!([
        {"properties": {"value": {"type": "null"}}},
        {"required": ["currency"], "properties": {"currency": {"type": "string", "pattern": patterns::currency(false)}}},
    ])
}

/// `pc_test` as `parse_pc_test` reads it: a boolean, 1 or 0, or the text 1, 0, true, false or
/// nothing.
fn browser_pc_test() -> Value {
    json!({
        "anyOf": [
            {"type": ["boolean", "null"]},
            {"enum": [0, 1]},
            {"type": "string", "pattern": "^(?:1|0|true|false|)$"},
        ],
        "description": "1 or true: connectors in test mode really send this event",
    })
}

/// The fields of a browser event (`parse_browser_event`); `event` is required unless `sample`.
fn browser_fields(sample: bool) -> Map<String, Value> {
    let event_types = if sample {
        json!(["string", "null"])
    } else {
        json!("string")
    };
    let mut event_id =
        json!({"type": ["string", "integer", "null"], "pattern": patterns::event_id(false)});
    event_id["minimum"] = values::whole_number_bounds()["minimum"].clone();
    event_id["maximum"] = values::whole_number_bounds()["maximum"].clone();
    let fields = json!({
        "event": {"type": event_types, "pattern": patterns::event_name(), "description": "Event name, e.g. Purchase"},
        "event_id": event_id,
        "value": values::amount(false),
        "currency": {"type": ["string", "null"], "pattern": patterns::currency(false), "description": "ISO 4217, e.g. EUR, any letter case; required with value"},
        "url": {"type": ["string", "null"], "pattern": patterns::page_url(), "description": "The page URL"},
        "attributes": reference("Attributes"),
        "user": reference("UserData"),
        "consent": reference("Consent"),
        "pc_test": browser_pc_test(),
    });
    match fields {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

fn browser_event() -> Value {
    json!({
        "type": "object",
        "description": "`POST /e`: one event from the page. Unknown top-level keys are refused (unknown_field); custom data goes under attributes.",
        "required": ["event"],
        "additionalProperties": false,
        "properties": browser_fields(false),
        "anyOf": value_needs_currency(),
    })
}

/// A visitor fact of a sample: text of at most 1024 characters with no control anywhere.
fn fact(description: &str) -> Value {
    json!({
        "type": ["string", "null"],
        "maxLength": 1024,
        "pattern": format!("^[^{}]*$", patterns::CONTROL),
        "description": description,
    })
}

fn sample_event() -> Value {
    let mut properties = browser_fields(true);
    properties.insert(
        "clicks".into(),
        json!({"type": ["array", "null"], "maxItems": crate::core::postback::sample::MAX_SAMPLE_CLICKS, "items": reference("SampleClick"), "description": "The visitor's earlier clicks"}),
    );
    properties.insert("ip".into(), fact("The visitor's IP address"));
    properties.insert("user_agent".into(), fact("The visitor's User-Agent"));
    properties.insert("visitor_id".into(), fact("The visitor's pc_vid"));
    json!({
        "type": "object",
        "description": "A sample event for a preview or a Test Webhook: a browser event body (as POST /e takes it, event optional: it defaults to the connector's first trigger) plus the visitor facts a real event brings.",
        "additionalProperties": false,
        "properties": properties,
        "anyOf": value_needs_currency(),
    })
}

fn sample_click() -> Value {
    json!({
        "type": "object",
        "description": "A click in a sample's history.",
        "required": ["param", "value"],
        "properties": {
            "param": {"type": "string", "pattern": format!(r"^[{TRIM}]*[A-Za-z0-9_.\[\]-]{{1,64}}[{TRIM}]*$"), "description": "A click id parameter, e.g. aff_click_id or gclid; never a campaign tag such as utm_source (those go in landing_params)"},
            "value": {"type": "string", "pattern": format!("^[{TRIM}]*[^{}{TRIM}{{%\\[][^{}{TRIM}]{{0,511}}[{TRIM}]*$", patterns::CONTROL, patterns::CONTROL), "description": "The click id: at most 512 bytes, no spaces, no unexpanded macro"},
            "age_days": {"type": ["number", "null"], "minimum": 0, "maximum": 3650},
            "landing_params": {"type": ["object", "null"], "maxProperties": 20, "additionalProperties": {"type": "string"}, "description": "Other parameters of the landing URL, e.g. utm_source"},
        },
    })
}

/// A product line (`custom::products`): an id or a name, quantity, price, and scalar extras.
fn product() -> Value {
    let text = || scalar(patterns::text(MAX_TEXT_LEN, true));
    let named = |key: &str| json!({"required": [key], "properties": {key: required_scalar(patterns::trimmed_text(patterns::CONTROL_BUT_LINES, Some(MAX_TEXT_LEN), false))}});
    let quantity_text = patterns::integer_range(1, MAX_QUANTITY)
        .into_iter()
        .map(|(_, p)| p)
        .collect::<Vec<_>>()
        .join("|");
    json!({
        "type": "object",
        "description": "One product of an order: an id or a name, and scalar extras such as category",
        "maxProperties": crate::core::event::MAX_ATTRIBUTES,
        "propertyNames": values::field_name(),
        "properties": {
            "id": text(),
            "name": text(),
            "quantity": {"anyOf": [
                {"type": ["integer", "null"], "minimum": 1, "maximum": MAX_QUANTITY},
                {"type": "string", "pattern": format!("^[{TRIM}]*0*(?:{quantity_text})[{TRIM}]*$")},
            ]},
            "price": values::amount(false),
        },
        "additionalProperties": {"type": ["string", "number", "boolean", "null"], "pattern": patterns::text(MAX_TEXT_LEN, true)},
        "anyOf": [named("id"), named("name")],
    })
}

/// The custom webhook's body for a topic that names the event (`custom` is false), or for the
/// `custom` topic, whose body must name it.
fn custom_webhook(custom: bool) -> Value {
    let text = || scalar(patterns::text(MAX_TEXT_LEN, true));
    let blank = json!({"type": ["string", "null"], "pattern": format!("^[{TRIM}]*$"), "description": "Only for the custom topic"});
    let event_name = match custom {
        true => required_scalar(patterns::event_name()),
        false => blank.clone(),
    };
    let mut properties = json!({
        "conversion_id": scalar(patterns::event_id(true)),
        "event_name": event_name,
        "event": blank,
        "value": values::amount(false),
        "currency": {"type": ["string", "null"], "pattern": patterns::currency(true)},
        "tax": values::amount(false),
        "shipping": values::amount(false),
        "discount_code": text(),
        "user_data": reference("UserData"),
        "products": {"type": ["array", "null"], "maxItems": MAX_PRODUCTS, "items": reference("ProductIn")},
        "consent": reference("Consent"),
        "visitor_id": scalar(patterns::visitor_id()),
        "url": {"type": ["string", "null"], "pattern": patterns::page_url()},
        "ip": {"anyOf": [{"type": "null"}, webhook_params::ip()]},
        "user_agent": text(),
        "attributes": reference("Attributes"),
        "click_ids": {
            "type": ["object", "null"],
            "maxProperties": MAX_CLICK_IDS,
            "propertyNames": {"pattern": "^[a-z0-9_]{1,64}$"},
            "additionalProperties": scalar(patterns::click_value(true)),
            "description": "Partner click ids by parameter name, e.g. {\"aff_click_id\": \"abc\"}; a top-level aff_click_id does the same when a connector of the container matches on aff_click_id",
        },
        "pc_test": webhook_params::json_boolean(),
    });
    properties["conversion_id"]["description"] = json!("Deduplication key (alias event_id)");
    if custom {
        properties["event_name"]["description"] = json!("The event's name (alias event)");
    }
    for click in CLICK_PARAMS {
        properties[click.name] = scalar(patterns::click_value(click.identifies_click()));
        properties[click.name]["description"] = json!(click.description);
    }
    // Top-level keys that are not fields are kept as attributes.
    let mut other = values::attributes()["additionalProperties"].clone();
    other["type"] = json!(["number", "boolean", "null", "array", "object"]);
    let mut schema = json!({
        "type": "object",
        "description": match custom {
            true => "`POST /webhooks/custom/{container}/custom`: an event the body names. Unknown top-level keys are kept as attributes. A top-level key named exactly like the click parameter of one of the container's connectors (click-ID matching on, e.g. aff_click_id) is also that partner's click id, as if it came in click_ids: its value follows the click-value rule.",
            false => "`POST /webhooks/custom/{container}/{topic}`: an order or lead from a backend. Unknown top-level keys are kept as attributes. A top-level key named exactly like the click parameter of one of the container's connectors (click-ID matching on, e.g. aff_click_id) is also that partner's click id, as if it came in click_ids: its value follows the click-value rule.",
        },
        "properties": properties,
        "propertyNames": values::field_name(),
        "additionalProperties": {"anyOf": [{"type": "string", "pattern": patterns::text(MAX_TEXT_LEN, true)}, other]},
        "anyOf": value_needs_currency(),
    });
    if custom {
        schema["required"] = json!(["event_name"]);
    }
    schema
}

/// The samples of the admin API's preview and test, with their parts.
pub fn sample_schemas() -> Vec<(&'static str, Value)> {
    vec![
        ("SampleEvent", sample_event()),
        ("SampleClick", sample_click()),
        (
            "UserData",
            values::user_object("The person, as the page or the backend knows them"),
        ),
        ("Consent", values::consent()),
    ]
}

/// The public bodies and their parts, by component name.
pub fn schemas() -> Vec<(&'static str, Value)> {
    vec![
        ("BrowserEventIn", browser_event()),
        ("CustomWebhookIn", custom_webhook(false)),
        ("CustomEventIn", custom_webhook(true)),
        ("ProductIn", product()),
        ("WebhookJsonIn", webhook_params::body_schema(true)),
        ("WebhookFormIn", webhook_params::body_schema(false)),
    ]
}
