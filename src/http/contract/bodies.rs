//! The admin API's request bodies as JSON Schemas, built from the parsers' own bounds and
//! patterns (`ContainerSettings::parse`, `ApiKeyName::parse`, `parse_connector`,
//! `parse_sample`). The handlers read bodies field by field with those parsers; these schemas
//! state what the parsers accept, and `patterns::tests` holds the text rules to the parsers.
//!
//! Each body is a named component; [`super::body_types`] gives the operations the names to refer
//! to, and [`schemas`] fills them in.

use super::patterns::{self, TRIM};
use super::{public_bodies, rules, values};
use crate::core::api_key::MAX_RATE_LIMIT_PER_MINUTE;
use crate::core::connector::FireOn;
use crate::core::connector::{MAX_FAILURES, MAX_HOURS, MAX_PER_SECOND, MAX_URL_LEN, MAX_VALUE_LEN};
use crate::core::lifecycle::{ConversionStatus, DuplicatePolicy, FireOnStatus};
use crate::core::privacy::subject::SubjectKind;
use crate::core::retention::{DataKind, MAX_RETENTION_DAYS, MIN_RETENTION_DAYS};
use serde_json::{json, Value};

/// Most rows of a connector's lists (trigger events, params, headers, renames), as
/// `connector::json::MAX_ROWS`.
const MAX_ROWS: usize = 50;

fn reference(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

/// `reference(name)`, or null.
fn nullable(name: &str) -> Value {
    json!({"oneOf": [reference(name), {"type": "null"}]})
}

/// A string matching `pattern`, or null.
fn text_or_null(pattern: String) -> Value {
    json!({"type": ["string", "null"], "pattern": pattern})
}

/// Anything but blank text (a `required` rule of `opt_string`, which reads blank as absent).
fn filled() -> Value {
    json!({"type": "string", "pattern": format!("[^{TRIM}]")})
}

fn container(patch: bool) -> Value {
    let mut schema = json!({
        "type": "object",
        "description": match patch {
            false => "`POST /admin/api/containers`. Unknown keys are ignored.",
            true => "`PATCH /admin/api/containers/{id}`: a JSON merge patch (RFC 7396); the merged container must be valid as a whole.",
        },
        "properties": {
            "name": {"type": "string", "pattern": patterns::printable(120), "description": "1 to 120 characters once trimmed, no control characters"},
            "cookie_domain": rules::cookie_domain(),
            "allowed_origins": rules::origins(),
            "redirect_domains": rules::redirect_domains(),
            "require_consent": {"type": ["boolean", "null"], "description": "Without a consent signal from the page, set no cookie and store nothing. Default false."},
            "compat_cookies": {"type": ["boolean", "null"], "description": "Also set Meta's `_fbc` and Google's `_gcl_aw`. Default true."},
            "retention_days": retention(),
            "lock_period_days": {"type": ["integer", "null"], "minimum": 1, "maximum": crate::core::container::MAX_LOCK_PERIOD_DAYS, "description": "Days after which a received conversion becomes approved (the cron sweep, provenance admin, reason lock_period); null or absent: never."},
            "time_zone": {"type": ["string", "null"], "maxLength": crate::core::time_zone::MAX_TIME_ZONE_LEN, "pattern": "^[A-Za-z0-9/_+-]+$", "example": "Europe/Helsinki", "description": "The IANA time zone the container's days are counted in (reconciliation, the events overview); null or absent: UTC. The name must be one the runtime's time zone data knows (Intl.DateTimeFormat), else 422 invalid_time_zone. Days already counted are re-bucketed in the new zone: the counts are kept per UTC quarter hour."},
        },
    });
    if !patch {
        schema["required"] = json!(["name", "cookie_domain"]);
    }
    schema
}

/// `Retention::parse`: days per kind of data, each 1 to 3650 or null for the default.
fn retention() -> Value {
    let days = json!({"type": ["integer", "null"], "minimum": MIN_RETENTION_DAYS, "maximum": MAX_RETENTION_DAYS});
    let properties: serde_json::Map<String, Value> = DataKind::ALL
        .iter()
        .map(|kind| (kind.key().to_string(), days.clone()))
        .collect();
    json!({
        "type": ["object", "null"],
        "properties": properties,
        "additionalProperties": false,
        "description": "Days each kind of data is kept (1 to 3650; null or left out for the default). Defaults: events, clicks, identities and visitors 400 days (the pc_vid cookie's lifetime); deliveries and activity the worker's LOG_RETENTION_DAYS (30). Clicks are never purged inside a connector's attribution window. Answers list every kind with the days it is kept.",
    })
}

/// `Subject::parse`: exactly one identifier of the person, as a string; the others left out or
/// null (null is absent, as in every admin body); other keys are ignored.
fn subject() -> Value {
    let properties: serde_json::Map<String, Value> = SubjectKind::ALL
        .iter()
        .map(|kind| {
            let field = kind.field();
            let rule =
                json!({"type": ["string", "null"], "pattern": patterns::subject_identifier(field)});
            (field.to_string(), rule)
        })
        .collect();
    let one_of: Vec<Value> = SubjectKind::ALL
        .iter()
        .map(|named| {
            let only: serde_json::Map<String, Value> = SubjectKind::ALL
                .iter()
                .map(|kind| {
                    let rule = match kind == named {
                        true => json!({"type": "string"}),
                        false => json!({"type": "null"}),
                    };
                    (kind.field().to_string(), rule)
                })
                .collect();
            json!({"required": [named.field()], "properties": only})
        })
        .collect();
    json!({
        "type": "object",
        "description": "`POST /admin/api/containers/{id}/erasures`: the person, named by exactly one of visitor_id, email, phone or external_id (the others left out or null). An email or phone is matched by its normalised SHA-256, as matching stores it.",
        "properties": properties,
        "oneOf": one_of,
    })
}

fn api_key() -> Value {
    json!({
        "type": "object",
        "description": "`POST /admin/api/containers/{id}/api-keys`.",
        "required": ["name"],
        "properties": {
            "name": {"type": "string", "pattern": patterns::trimmed_text(patterns::CONTROL, Some(crate::core::api_key::MAX_API_KEY_NAME_LEN), false), "description": "A label such as Backend prod: 1 to 100 characters once trimmed, no control characters"},
            "rate_limit_per_minute": {"type": ["integer", "null"], "minimum": 1, "maximum": MAX_RATE_LIMIT_PER_MINUTE, "description": "Requests per minute this key may make. Default 60."},
        },
    })
}

/// An enumerated text field of `parse_connector`: one of `choices` exactly, blank (the
/// default), or null.
fn choice(choices: &[&str], description: &str) -> Value {
    let exact: Vec<String> = choices.iter().map(|c| c.to_string()).collect();
    json!({
        "type": ["string", "null"],
        "pattern": format!("^(?:{}|[{TRIM}]*)$", exact.join("|")),
        "description": description,
    })
}

fn connector(patch: bool) -> Value {
    let mut schema = json!({
        "type": "object",
        "description": match patch {
            false => "`POST /admin/api/containers/{id}/connectors`. Each section may be left out; its defaults apply. Unknown keys are ignored.",
            true => "`PATCH /admin/api/connectors/{id}`: a JSON merge patch (RFC 7396) of ConnectorIn; the merged connector must be valid as a whole. Changing the pixel HTML clears its approval.",
        },
        "properties": {
            "name": {"type": "string", "pattern": patterns::printable(120), "description": "1 to 120 characters once trimmed, no control characters"},
            "trigger_events": {
                "type": ["array", "null"],
                "maxItems": MAX_ROWS,
                "items": {"type": "string", "pattern": patterns::event_name()},
                "description": "The events that fire the connector; at least one unless mode is disabled",
            },
            "mode": choice(&["enabled", "test", "disabled"], "enabled (default) sends and fires; test logs what it would send; disabled does nothing"),
            "webhook": nullable("WebhookIn"),
            "pixel": nullable("PixelIn"),
            "click_id": nullable("ClickIdIn"),
        },
    });
    if !patch {
        schema["required"] = json!(["name"]);
        // An enabled or test connector needs at least one trigger event.
        schema["anyOf"] = json!([
            {"required": ["mode"], "properties": {"mode": {"type": "string", "pattern": "^disabled$"}}},
            {"required": ["trigger_events"], "properties": {"trigger_events": {"type": "array", "minItems": 1}}},
        ]);
    }
    schema
}

/// A params row: any name, a template value.
fn param_row() -> Value {
    json!({
        "type": "object",
        "description": "A `{name, value}` row of the webhook's params: the value is static text and `{{PLACEHOLDERS}}`",
        "required": ["name"],
        "properties": {
            "name": {"type": "string", "pattern": patterns::trimmed_text("", Some(256), false)},
            "value": {"type": ["string", "null"], "maxLength": MAX_VALUE_LEN, "pattern": patterns::template(""), "description": "At most 2048 characters"},
        },
    })
}

/// A headers row: a token name postclick does not set itself, a template value on one line.
fn header_row() -> Value {
    json!({
        "type": "object",
        "description": "A `{name, value}` row of the webhook's headers. Host, Content-Length, Content-Type, Transfer-Encoding, Connection, User-Agent, Idempotency-Key and the webhook-* signature headers are set by postclick and refused here.",
        "required": ["name"],
        "properties": {
            "name": {"type": "string", "pattern": format!("^[{TRIM}]*[A-Za-z0-9!#$%&'*+.^_`|~-]{{1,256}}[{TRIM}]*$")},
            "value": {"type": ["string", "null"], "maxLength": MAX_VALUE_LEN, "pattern": patterns::template(r"\r\n\u0000"), "description": "At most 2048 characters, on one line"},
        },
    })
}

fn webhook() -> Value {
    json!({
        "type": "object",
        "description": "The server-side postback.",
        "properties": {
            "enabled": {"type": ["boolean", "null"], "description": "Default false. An enabled webhook needs a URL."},
            "fire_on": {
                "type": ["string", "null"],
                "pattern": format!("^(?:{}|[{TRIM}]*)$", FireOn::ALL.map(FireOn::as_str).join("|")),
                "description": "Which events fire the postback: `server` (the default: events sent with an API key, and admin tests) or `server_and_browser`, an explicit opt-in to browser events from /e, which anyone can forge. A browser event a connector does not fire on records a skipped delivery with reason browser_event. Blank counts as the default.",
            },
            "fire_on_status": {
                "type": ["string", "null"],
                "pattern": format!("^[{TRIM}]*(?:{})?[{TRIM}]*$", FireOnStatus::ALL.map(FireOnStatus::as_str).join("|")),
                "description": "Which conversion status fires the postback: `received` (the default, on arrival) or `approved` (only validated conversions: the delivery is recorded skipped with reason awaiting_approval until then). Blank counts as the default.",
            },
            "send_reversals": {"type": ["boolean", "null"], "description": "Default false. When a conversion this connector was sent is rejected or reversed, send a second postback (idempotency key `{original}:reversal`) with `{{CONVERSION_STATUS}}` mapped through status_map. Each later change that flips whether the conversion stands sends one more: a reinstatement when a rejected conversion is approved again (the mapped `approved`), a reversal when it is rejected or reversed after that, keyed `{original}:status:{n}` with n the change's ordinal in the status history."},
            "status_map": {
                "type": ["object", "null"],
                "propertyNames": {"enum": ConversionStatus::ALL.map(ConversionStatus::as_str)},
                "additionalProperties": {"type": "string", "maxLength": 64, "pattern": "^[^\\u0000-\\u001f\\u007f-\\u009f]*$"},
                "description": "Status → the value the partner expects in `{{CONVERSION_STATUS}}`, e.g. {\"approved\": \"1\", \"reversed\": \"2\"}. A status left out renders as its name.",
            },
            "duplicate_policy": {
                "type": ["string", "null"],
                "pattern": format!("^[{TRIM}]*(?:{})?[{TRIM}]*$", DuplicatePolicy::ALL.map(DuplicatePolicy::as_str).join("|")),
                "description": "A server event repeating a known conversion id: `ignore` (the default: acknowledged as a duplicate) or `update` (a changed value or currency, such as a partial refund, sends an update postback keyed `{original}:update:{n}`).",
            },
            "method": text_or_null(patterns::any_case_or_blank(&["GET", "POST"])),
            "url": {
                "type": ["string", "null"],
                "maxLength": MAX_URL_LEN,
                "pattern": rules::postback_url(),
                "description": "An http(s) URL of at most 2048 characters; `{{PLACEHOLDERS}}` may stand in its path and query, never in the scheme or host. No credentials: use a header. A blank URL counts as none.",
            },
            "params": {"type": ["array", "null"], "maxItems": MAX_ROWS, "items": reference("ParamRowIn")},
            "headers": {"type": ["array", "null"], "maxItems": MAX_ROWS, "items": reference("HeaderRowIn")},
            "event_renames": {
                "type": ["object", "null"],
                "maxProperties": MAX_ROWS,
                "propertyNames": {"pattern": patterns::event_name()},
                "additionalProperties": {"type": "string", "pattern": patterns::event_name()},
                "description": "Event name → the name the partner receives",
            },
            "signing_secret": {
                "type": ["string", "null"],
                "pattern": patterns::signing_secret(),
                "writeOnly": true,
                "description": "Standard Webhooks secret: `whsec_` and base64 of 24 to 64 bytes; blank counts as none. Write-only: answers say `signing_secret_set` instead; a PATCH that leaves it out keeps it, null removes it.",
            },
            "park_after_failures": {
                "type": ["integer", "null"], "minimum": 1, "maximum": MAX_FAILURES,
                "description": "Consecutive failed attempts that park the destination (default 20): its deliveries are then kept as parked, never dead-lettered, while one probe is tried on the retry schedule.",
            },
            "park_after_hours": {
                "type": ["integer", "null"], "minimum": 1, "maximum": MAX_HOURS,
                "description": "Hours of failures without a success that park the destination (default 6).",
            },
            "max_per_second": {
                "type": ["integer", "null"], "minimum": 1, "maximum": MAX_PER_SECOND,
                "description": "The most postbacks a second to this destination (default: no limit). Deliveries over the limit wait their turn: they are queued again with a delay and use no attempt. Independently, a 429 or 503 with Retry-After pauses the destination for the time asked, at most 12 hours.",
            },
        },
        // An enabled webhook needs a URL.
        "anyOf": [
            {"properties": {"enabled": {"enum": [false, null]}}},
            {"required": ["url"], "properties": {"url": filled()}},
        ],
    })
}

fn pixel() -> Value {
    json!({
        "type": "object",
        "description": "The browser pixel.",
        "properties": {
            "enabled": {"type": ["boolean", "null"], "description": "Default false. An enabled pixel needs HTML."},
            "html": {
                "type": ["string", "null"],
                "pattern": patterns::template(""),
                "description": "The partner's snippet, at most 64 KiB. Every `{{` opens a placeholder, and each placeholder must stand in a position on the pixel rules' allowlist (HTML text, an inert attribute, a URL's path, query or fragment after its host, a CSS or JavaScript string, JavaScript code where an expression goes), where its value is escaped for that position. Any other position (a tag or attribute name, an event handler, a URL's scheme or host, anywhere but the query of an address that loads code, `url(...)`, a regular expression, a string given to a sink such as `eval`, ...) is refused: 422 `invalid_placeholder` on `pixel.html`, its message starting `line L, column C:` and saying why and what to write instead.",
            },
            "sandbox": {"type": ["boolean", "null"], "description": "Load it in a sandboxed iframe (default) instead of the page itself."},
        },
        "anyOf": [
            {"properties": {"enabled": {"enum": [false, null]}}},
            {"required": ["html"], "properties": {"html": filled()}},
        ],
    })
}

fn click_id() -> Value {
    json!({
        "type": "object",
        "description": "Click-ID matching: credit the partner's own click id.",
        "properties": {
            "enabled": {"type": ["boolean", "null"], "description": "Default false. Enabled matching needs `param`."},
            "param": text_or_null(patterns::query_param_name()),
            "source_param": text_or_null(patterns::query_param_name()),
            "source_value": {"type": ["string", "null"], "maxLength": 256, "description": "Strict source value, e.g. platform_x; needs source_param"},
            "attribution": choice(&["last_click", "any_click"], "last_click (default) or any_click"),
            "window_days": {"type": ["integer", "null"], "minimum": 1, "maximum": 365, "description": "Default 30"},
        },
        "allOf": [
            {"anyOf": [
                {"properties": {"enabled": {"enum": [false, null]}}},
                {"required": ["param"], "properties": {"param": filled()}},
            ]},
            {"anyOf": [
                {"properties": {"source_value": {"type": ["string", "null"], "pattern": format!("^[{TRIM}]*$")}}},
                {"required": ["source_param"], "properties": {"source_param": filled()}},
            ]},
        ],
    })
}

fn preview() -> Value {
    json!({
        "type": "object",
        "description": "`POST /admin/api/connectors/{id}/preview`.",
        "additionalProperties": false,
        "properties": {
            "event": nullable("SampleEvent"),
            "connector": {
                "oneOf": [reference("ConnectorIn"), {"type": "null"}],
                "description": "Preview these unsaved settings instead of the saved ones, validated like a save; nothing is stored. Errors name fields under connector.",
            },
        },
    })
}

fn test() -> Value {
    json!({
        "type": "object",
        "description": "`POST /admin/api/connectors/{id}/test`: optional; without a body, a synthetic event and the saved connector.",
        "additionalProperties": false,
        "properties": {
            "event": nullable("SampleEvent"),
            "wait": {"type": ["boolean", "null"], "description": "true: one attempt, never retried, answered 200 with its outcome; otherwise queued and answered 202"},
            "connector": {
                "oneOf": [reference("ConnectorIn"), {"type": "null"}],
                "description": "Send with these unsaved settings (the form on screen), merged over the saved ones and validated like a save; nothing is stored but the test's log row. Errors name fields under connector.",
            },
        },
    })
}

// The templates (param and header values, the URL, the pixel HTML) state their byte limits in
// words: a `maxLength` beside a template's pattern makes the contract run draw strings of that
// length through the pattern one character at a time, which costs minutes; the pattern and the
// words say the same.

/// The admin bodies and their parts, by component name.
pub fn schemas() -> Vec<(&'static str, Value)> {
    let mut all = vec![
        ("ContainerIn", container(false)),
        ("ContainerPatch", container(true)),
        ("ApiKeyIn", api_key()),
        ("SubjectIn", subject()),
        ("ConnectorIn", connector(false)),
        ("ConnectorPatch", connector(true)),
        ("WebhookIn", webhook()),
        ("ParamRowIn", param_row()),
        ("HeaderRowIn", header_row()),
        ("PixelIn", pixel()),
        ("ClickIdIn", click_id()),
        ("PreviewIn", preview()),
        ("TestIn", test()),
    ];
    all.extend(public_bodies::sample_schemas());
    all.push(("Attributes", values::attributes()));
    all
}
