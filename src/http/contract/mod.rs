//! The OpenAPI document, generated from the request and response types so that a field cannot
//! change in one place only. Native tests only: `utoipa` is a dev-dependency and nothing here
//! reaches the wasm build, which serves the checked-in `assets/openapi.json`.
//!
//! Answers are the structs the handlers serialise (`http::admin::model`, `BrowserEventOut`,
//! `WebhookAccepted`, `ErrorBody`, the core's `ContainerSettings` and `ConnectorConfig`, ...);
//! request bodies are the structs of `requests` and `public_requests`, which state what the
//! core's parsers accept; operations (status codes, headers, parameters) are declared per surface
//! in the `ops_*` modules. `the_checked_in_openapi_document_is_generated_from_the_types` fails
//! when `assets/openapi.json` differs from what these produce; regenerate it with
//! `UPDATE_OPENAPI=1 cargo test openapi`.

mod ops_admin;
mod ops_browser;
mod ops_deliveries;
mod ops_webhooks;
mod public_requests;
mod requests;
mod rules;

use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

/// Where the document lives, relative to the crate root.
const DOCUMENT_PATH: &str = "assets/openapi.json";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "postclick API",
        version = env!("CARGO_PKG_VERSION"),
        description = "The admin API (containers, connectors, API keys, logs) behind `Authorization: Bearer {ADMIN_TOKEN}`, and the public surfaces: the browser endpoints of the tracking subdomain and the inbound webhooks. Errors have the shape {\"error\": {\"code\", \"message\", \"field\"?}}. A method a route does not take is answered 405 with `Allow`.",
    ),
    servers((url = "/")),
    modifiers(&SecuritySchemes),
)]
struct Document;

/// The three ways a request authenticates: the admin token, and a container's API key as a
/// bearer token or as the `k` parameter.
struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let bearer = |description: &str| {
            let mut http = HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build();
            http.description = Some(description.to_string());
            SecurityScheme::Http(http)
        };
        components
            .add_security_scheme("adminToken", bearer("The ADMIN_TOKEN secret of the worker"));
        components.add_security_scheme(
            "webhookKey",
            bearer("A container's API key (pck_...), created with POST /admin/api/containers/{id}/api-keys"),
        );
        components.add_security_scheme(
            "webhookKeyQuery",
            SecurityScheme::ApiKey(ApiKey::Query(ApiKeyValue::with_description(
                "k",
                "The API key as the k parameter (Tracklution style); it may also travel in a form or JSON body",
            ))),
        );
    }
}

/// The whole document, as the checked-in file holds it: pretty JSON and a final newline.
pub fn document() -> String {
    let mut doc = Document::openapi();
    doc.merge(ops_browser::Operations::openapi());
    doc.merge(ops_webhooks::Operations::openapi());
    doc.merge(ops_admin::Operations::openapi());
    doc.merge(ops_deliveries::Operations::openapi());
    let mut value = serde_json::to_value(&doc).expect("the document serialises");
    cross_field_rules(&mut value["components"]["schemas"]);
    parameter_rules(&mut value["paths"]);
    let mut text = serde_json::to_string_pretty(&value).expect("the document serialises");
    text.push('\n');
    text
}

/// Rules across fields, which utoipa's derives cannot state: `anyOf` lists the ways a body may
/// satisfy each rule of `parse_connector`. (A patch is judged after merging with the stored
/// connector, so the patch schemas carry none of these.)
fn cross_field_rules(schemas: &mut serde_json::Value) {
    use serde_json::json;
    let absent_or =
        |field: &str, values: serde_json::Value| json!({"properties": {field: {"enum": values}}});
    let present = |field: &str, schema: serde_json::Value| json!({"required": [field], "properties": {field: schema}});
    // An enabled or test connector needs at least one trigger event.
    schemas["ConnectorIn"]["anyOf"] = json!([
        present("mode", json!({"const": "disabled"})),
        present("trigger_events", json!({"type": "array", "minItems": 1})),
    ]);
    // Attribute names are 1 to 64 printable characters (`Attributes::from_map`).
    let attribute_name = rules::printable_pattern(crate::core::event::MAX_ATTRIBUTE_KEY_LEN);
    for schema in ["BrowserEventIn", "SampleEvent"] {
        schemas[schema]["properties"]["attributes"]["propertyNames"] =
            json!({"pattern": attribute_name});
    }
    // Renamed events are event names on both sides (`EventName::parse`).
    let event_name = rules::printable_pattern(crate::core::event::MAX_EVENT_NAME_LEN);
    let renames = &mut schemas["WebhookIn"]["properties"]["event_renames"];
    renames["propertyNames"] = json!({"pattern": event_name});
    renames["additionalProperties"] = json!({"type": "string", "pattern": event_name});
    renames["maxProperties"] = json!(50);
    // The user object of a browser event keeps unknown keys as attributes: 1 to 64 printable
    // characters each.
    schemas["BrowserUserIn"]["propertyNames"] = json!({"pattern": attribute_name});
    schemas["BrowserUserIn"]["additionalProperties"] =
        json!({"type": ["string", "number", "boolean", "null"]});
    // An enabled webhook needs a URL.
    schemas["WebhookIn"]["anyOf"] = json!([
        absent_or("enabled", json!([false, null])),
        present("url", json!({"type": "string", "pattern": "[^ ]"})),
    ]);
    // An enabled pixel needs HTML.
    schemas["PixelIn"]["anyOf"] = json!([
        absent_or("enabled", json!([false, null])),
        present("html", json!({"type": "string", "pattern": "[^ ]"})),
    ]);
    // Enabled click-ID matching needs its parameter; a strict source value needs its parameter.
    schemas["ClickIdIn"]["allOf"] = json!([
        {"anyOf": [
            absent_or("enabled", json!([false, null])),
            present("param", json!({"type": "string"})),
        ]},
        {"anyOf": [
            absent_or("source_value", json!([null, ""])),
            present("source_param", json!({"type": "string"})),
        ]},
    ]);
}

/// Parameter and body rules the `utoipa::path` attributes cannot compute: patterns built by
/// `rules`, and an optional body that is an object when sent.
fn parameter_rules(paths: &mut serde_json::Value) {
    use serde_json::json;
    let event_name = rules::printable_pattern(crate::core::event::MAX_EVENT_NAME_LEN);
    for method in ["get", "post"] {
        for param in paths["/webhook"][method]["parameters"]
            .as_array_mut()
            .into_iter()
            .flatten()
        {
            if param["name"] == "track" {
                param["schema"]["pattern"] = json!(event_name);
            }
        }
    }
    for param in paths["/admin/api/connectors/{id}/deliveries"]["get"]["parameters"]
        .as_array_mut()
        .into_iter()
        .flatten()
    {
        if param["name"] == "before" {
            param["schema"]["pattern"] = json!("^dlv_[A-Za-z0-9_-]{22}$");
        }
    }
    // A Test Webhook takes no body, or an object; `null` is neither.
    paths["/admin/api/connectors/{id}/test"]["post"]["requestBody"]["content"]
        ["application/json"]["schema"] = json!({"$ref": "#/components/schemas/TestIn"});
}

#[cfg(test)]
mod tests {
    use super::{document, DOCUMENT_PATH};

    #[test]
    fn the_checked_in_openapi_document_is_generated_from_the_types() {
        let generated = document();
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(DOCUMENT_PATH);
        if std::env::var_os("UPDATE_OPENAPI").is_some_and(|v| v == "1") {
            std::fs::write(&path, &generated).expect("writing the document");
            return;
        }
        let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            checked_in == generated,
            "{DOCUMENT_PATH} differs from the request and response types; regenerate it with \
             `UPDATE_OPENAPI=1 cargo test openapi` and commit the result"
        );
    }
}
