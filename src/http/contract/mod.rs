//! The OpenAPI document, generated so that a field cannot change in one place only. Native tests
//! only: `utoipa` and `regex` are dev-dependencies and nothing here reaches the wasm build, which
//! serves the checked-in `assets/openapi.json`.
//!
//! Answers are derived from the structs the handlers serialise (`http::admin::model`,
//! `BrowserEventOut`, `WebhookAccepted`, `ErrorBody`, the core's `ContainerSettings` and
//! `ConnectorConfig`, ...). Request bodies, which the core's parsers read field by field, are
//! built from those parsers' bounds, patterns and registries (`bodies`, `public_bodies`,
//! `values`, `webhook_params`), and `patterns::tests` holds each text rule to its parser.
//! Operations (status codes, headers, parameters) are declared per surface in the `ops_*`
//! modules. `the_checked_in_openapi_document_is_generated_from_the_types` fails when
//! `assets/openapi.json` differs from what these produce; regenerate it with
//! `UPDATE_OPENAPI=1 cargo test openapi`.

mod bodies;
mod body_types;
mod lifecycle_bodies;
mod ops_admin;
mod ops_browser;
mod ops_console;
mod ops_deliveries;
mod ops_destination;
mod ops_events;
mod ops_privacy;
mod ops_reports;
mod ops_webhooks;
mod patterns;
mod public_bodies;
mod rules;
mod shared;
mod values;
mod webhook_params;

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
    doc.merge(ops_privacy::Operations::openapi());
    doc.merge(ops_events::Operations::openapi());
    doc.merge(ops_destination::Operations::openapi());
    doc.merge(ops_reports::Operations::openapi());
    doc.merge(ops_console::Operations::openapi());
    let mut value = serde_json::to_value(&doc).expect("the document serialises");
    let schemas = &mut value["components"]["schemas"];
    for (name, schema) in bodies::schemas()
        .into_iter()
        .chain(public_bodies::schemas())
        .chain(lifecycle_bodies::schemas())
    {
        schemas[name] = schema;
    }
    parameter_rules(&mut value["paths"]);
    shared::share(&mut value);
    let mut text = serde_json::to_string_pretty(&value).expect("the document serialises");
    text.push('\n');
    text
}

/// The schema of the parameter `name` of the operation at `path` and `method`.
fn parameter<'a>(
    paths: &'a mut serde_json::Value,
    path: &str,
    method: &str,
    name: &str,
) -> Option<&'a mut serde_json::Value> {
    paths[path][method]["parameters"]
        .as_array_mut()?
        .iter_mut()
        .find(|p| p["name"] == name)
        .map(|p| &mut p["schema"])
}

/// Parameter and body rules the `utoipa::path` attributes cannot compute: `/webhook`'s
/// parameters from the registries, patterns built by `patterns`, and an optional body that is
/// an object when sent.
fn parameter_rules(paths: &mut serde_json::Value) {
    use serde_json::json;
    paths["/webhook"]["get"]["parameters"] = json!(webhook_params::query_parameters());
    paths["/webhook"]["post"]["requestBody"]["required"] = json!(true);
    for path in [
        "/admin/api/connectors/{id}/reconciliation",
        "/admin/api/containers/{id}/events/daily",
    ] {
        for name in ["from", "to"] {
            if let Some(schema) = parameter(paths, path, "get", name) {
                *schema = json!({"type": "string", "format": "date"});
            }
        }
    }
    for path in ["/collect"] {
        for method in ["get", "head"] {
            if let Some(schema) = parameter(paths, path, method, "consent") {
                *schema = json!({"type": "string", "pattern": patterns::consent_word()});
            }
        }
    }
    if let Some(topic) = parameter(
        paths,
        "/webhooks/custom/{container}/{topic}",
        "post",
        "topic",
    ) {
        let topics: Vec<String> = ops_webhooks::named_topics()
            .into_iter()
            .map(patterns::any_case)
            .collect();
        *topic = json!({"type": "string", "pattern": format!("^(?:{})$", topics.join("|"))});
    }
    if let Some(before) = parameter(
        paths,
        "/admin/api/connectors/{id}/deliveries",
        "get",
        "before",
    ) {
        before["pattern"] = json!("^dlv_[A-Za-z0-9_-]{22}$");
    }
    for kind in crate::core::privacy::subject::SubjectKind::ALL {
        let field = kind.field();
        if let Some(schema) = parameter(paths, "/admin/api/containers/{id}/subjects", "get", field)
        {
            schema["pattern"] = json!(patterns::subject_identifier(field));
        }
    }
    for (name, rule) in lifecycle_bodies::list_parameter_rules() {
        if let Some(schema) = parameter(paths, "/admin/api/containers/{id}/events", "get", name) {
            *schema = rule;
        }
    }
    // A Test Webhook takes no body, or an object; `null` is neither.
    paths["/admin/api/connectors/{id}/test"]["post"]["requestBody"]["content"]
        ["application/json"]["schema"] = json!({"$ref": "#/components/schemas/TestIn"});
}

#[cfg(test)]
mod tests {
    use super::body_types::PLACEHOLDER;
    use super::{document, DOCUMENT_PATH};

    #[test]
    fn a_long_text_rule_is_written_once_and_referred_to() {
        let doc: serde_json::Value = serde_json::from_str(&document()).unwrap();
        let mut seen = std::collections::BTreeMap::new();
        let mut stack = vec![&doc];
        while let Some(value) = stack.pop() {
            match value {
                serde_json::Value::Object(map) => {
                    if let Some(p) = map.get("pattern").and_then(|p| p.as_str()) {
                        *seen.entry(p.to_string()).or_insert(0) += 1;
                    }
                    stack.extend(map.values());
                }
                serde_json::Value::Array(items) => stack.extend(items),
                _ => {}
            }
        }
        for (pattern, count) in seen {
            assert!(
                pattern.len() < 200 || count == 1,
                "a pattern of {} characters is written {count} times: name it in shared.rs",
                pattern.len()
            );
        }
    }

    #[test]
    fn every_request_body_is_built_from_the_parsers_rules() {
        let doc: serde_json::Value = serde_json::from_str(&document()).unwrap();
        let schemas = doc["components"]["schemas"].as_object().unwrap();
        for (name, schema) in schemas {
            assert_ne!(schema["description"], PLACEHOLDER, "{name} was never built");
        }
    }

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
