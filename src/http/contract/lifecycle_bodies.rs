//! The request bodies of status changes, from the lifecycle parser's rules
//! (`core::lifecycle`): the target statuses, the reason's bounds, the bulk list's size.

use super::patterns::{self, TRIM};
use crate::core::lifecycle::{ConversionStatus, MAX_BULK_ITEMS, MAX_REASON_CHARS};
use crate::core::provenance::Provenance;
use crate::http::admin::rotation::MAX_OVERLAP_HOURS;
use serde_json::{json, Value};

/// The statuses a change may name: every status but `received`, exactly or padded.
pub fn target_pattern() -> String {
    let targets: Vec<&str> = ConversionStatus::ALL
        .into_iter()
        .filter(|s| *s != ConversionStatus::Received)
        .map(ConversionStatus::as_str)
        .collect();
    format!("^[{TRIM}]*(?:{})[{TRIM}]*$", targets.join("|"))
}

fn target_status() -> Value {
    json!({
        "type": "string",
        "pattern": target_pattern(),
        "description": "approved, rejected or reversed. The transitions: received → approved | rejected | reversed, approved → rejected | reversed, rejected → approved; reversed is final. Any other move is 409 illegal_transition.",
    })
}

fn reason() -> Value {
    json!({
        "type": ["string", "null"],
        "maxLength": MAX_REASON_CHARS,
        "pattern": "^[^\\u0000-\\u001f\\u007f-\\u009f]*$",
        "description": "Why, kept in the history (at most 256 characters, no control characters)",
    })
}

fn change() -> Value {
    json!({
        "type": "object",
        "description": "A status change.",
        "required": ["status"],
        "properties": {"status": target_status(), "reason": reason()},
    })
}

fn bulk() -> Value {
    json!({
        "type": "object",
        "description": "Up to 1,000 status changes, each naming the event by the event id the caller sent. Each item is answered in its place; one refused item does not refuse the others.",
        "required": ["items"],
        "properties": {
            "items": {
                "type": "array",
                "minItems": 1,
                "maxItems": MAX_BULK_ITEMS,
                "items": {
                    "type": "object",
                    "required": ["event_id", "status"],
                    "properties": {
                        "event_id": {"type": "string", "pattern": patterns::event_id(false)},
                        "status": target_status(),
                        "reason": reason(),
                    },
                },
            },
        },
    })
}

fn recover() -> Value {
    json!({
        "type": "object",
        "description": "Re-queue the connector's failed, dead-lettered or parked deliveries created since this time.",
        "required": ["since"],
        "properties": {"since": {"type": "string", "format": "date-time", "description": "RFC 3339, e.g. 2026-11-30T00:00:00Z"}},
    })
}

fn rotate() -> Value {
    json!({
        "type": "object",
        "description": "A new Standard Webhooks signing secret; the previous one keeps signing every request too for the overlap.",
        "required": ["signing_secret"],
        "properties": {
            "signing_secret": {"type": "string", "pattern": patterns::signing_secret().replacen(&format!("[{TRIM}]*|"), "", 1), "writeOnly": true,
                "description": "`whsec_` and base64 of 24 to 64 bytes, not the current secret"},
            "overlap_hours": {"type": ["integer", "null"], "minimum": 0, "maximum": MAX_OVERLAP_HOURS,
                "description": "Hours both secrets sign every request; default 24"},
        },
    })
}

/// The event list's query parameters, from the parsers that read them: the words of each
/// status and provenance, RFC 3339 times, and an event row id as the cursor.
pub fn list_parameter_rules() -> Vec<(&'static str, Value)> {
    let words =
        |all: Vec<&str>| json!({"type": "string", "pattern": format!("^(?:{})$", all.join("|"))});
    vec![
        (
            "status",
            words(ConversionStatus::ALL.map(ConversionStatus::as_str).to_vec()),
        ),
        (
            "provenance",
            words(Provenance::ALL.map(Provenance::as_str).to_vec()),
        ),
        ("from", json!({"type": "string", "format": "date-time"})),
        ("to", json!({"type": "string", "format": "date-time"})),
        (
            "before",
            json!({"type": "string", "pattern": "^evt_[A-Za-z0-9_-]{22}$"}),
        ),
    ]
}

/// The bodies, by component name.
pub fn schemas() -> Vec<(&'static str, Value)> {
    vec![
        ("StatusChangeIn", change()),
        ("BulkStatusIn", bulk()),
        ("RecoverIn", recover()),
        ("RotateSecretIn", rotate()),
    ]
}
