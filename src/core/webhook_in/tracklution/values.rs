//! Parsers for the parameter values that need more than a field parser: lists of variants,
//! `eventAttributes` objects, single attributes and session timestamps.

use super::names::Entry;
use super::{Invalid, MAX_ENCODED_ATTRIBUTES_LEN};
use crate::core::event::Attributes;
use crate::core::form;
use crate::core::input::{self, Raw};
use crate::core::user_data::json_variant_items;
use serde_json::{Map, Value};

pub(super) fn put(
    map: &mut Map<String, Value>,
    key: &str,
    value: Value,
    field: &str,
) -> Result<(), Invalid> {
    match map.get(key) {
        Some(existing) if *existing != value => Err(Invalid::field(
            form::DUPLICATE_PARAMETER,
            field,
            format!("the attribute {key} was already given with another value"),
        )),
        Some(_) => Ok(()),
        None => {
            map.insert(key.to_string(), value);
            Ok(())
        }
    }
}

/// The items of a variants list as they arrived: a JSON array, a JSON-encoded array,
/// comma-separated text, or repeated (`emailVariants[]=`) parameters. The user-data parser
/// checks each item like the main value ([`crate::core::user_data::UserDataBuilder`]); a JSON
/// list is read by the same [`json_variant_items`] as the user object's.
pub(super) fn variant_items(entries: &[Entry<'_>]) -> Result<Vec<String>, Invalid> {
    let mut items: Vec<String> = Vec::new();
    for entry in entries {
        let decoded;
        let raw = match entry.raw.as_text(entry.name) {
            // Arrays fail `as_text`; they are handled below.
            Err(_) => entry.raw,
            Ok(None) => continue,
            Ok(Some(text)) if text.trim_start().starts_with('[') => {
                decoded = serde_json::from_str::<Value>(&text).map_err(|_| {
                    Invalid::field("invalid_type", entry.name, "is not a JSON array")
                })?;
                Raw::Json(&decoded)
            }
            Ok(Some(text)) => {
                items.extend(text.split(',').map(|s| s.trim().to_string()));
                continue;
            }
        };
        let Raw::Json(Value::Array(list)) = raw else {
            return Err(Invalid::field(
                "invalid_type",
                entry.name,
                "must be a list of strings",
            ));
        };
        items.extend(json_variant_items(list, entry.name)?);
    }
    Ok(items)
}

/// An `eventAttributes` object: JSON, or JSON-encoded text from a query or form.
pub(super) fn attribute_object(entry: &Entry<'_>) -> Result<Attributes, Invalid> {
    let text = match entry.raw {
        Raw::Json(Value::Object(_)) | Raw::Json(Value::Null) => {
            return Attributes::parse(&entry.raw.to_json(), entry.name)
        }
        raw @ (Raw::Json(Value::String(_)) | Raw::Text(_)) => raw.as_str().unwrap_or("").trim(),
        Raw::Json(_) => {
            return Err(Invalid::field(
                "invalid_attributes",
                entry.name,
                "must be a JSON object",
            ))
        }
    };
    if text.is_empty() {
        return Ok(Attributes::default());
    }
    if text.len() > MAX_ENCODED_ATTRIBUTES_LEN {
        return Err(Invalid::field(
            "too_long",
            entry.name,
            format!("is longer than {MAX_ENCODED_ATTRIBUTES_LEN} bytes"),
        ));
    }
    let decoded: Value = serde_json::from_str(text).map_err(|_| {
        Invalid::field(
            "invalid_attributes",
            entry.name,
            "must be a JSON object, such as {\"plan\":\"Premium\"}",
        )
    })?;
    if input::json_depth(&decoded) > input::MAX_JSON_DEPTH {
        return Err(Invalid::field(
            "too_deep",
            entry.name,
            "is nested too deeply",
        ));
    }
    Attributes::parse(&decoded, entry.name)
}

/// One attribute value from a bracket item or an unknown parameter, checked against the
/// attribute bounds and named by the parameter that carried it. Empty text is absent.
pub(super) fn attribute_value(key: &str, entry: &Entry<'_>) -> Result<Option<Value>, Invalid> {
    let value = match (entry.raw, entry.raw.as_str()) {
        (Raw::Json(Value::Null), _) => return Ok(None),
        (_, Some(s)) => match input::text(s, entry.name)? {
            Some(text) => Value::String(text),
            None => return Ok(None),
        },
        (raw, None) => raw.to_json(),
    };
    let single: Map<String, Value> = [(key.to_string(), value.clone())].into_iter().collect();
    Attributes::from_map(single, "attributes").map_err(|e| Invalid {
        field: Some(entry.name.to_string()),
        ..e
    })?;
    Ok(Some(value))
}

/// Earliest and latest accepted session timestamp: 2000-01-01 and 2100-01-01, in ms.
const TIMESTAMP_RANGE_MS: std::ops::Range<i64> = 946_684_800_000..4_102_444_800_000;

/// Unix seconds, unix milliseconds or RFC 3339 text, as unix milliseconds.
pub(super) fn timestamp_ms(raw: Raw<'_>, field: &str) -> Result<Option<i64>, Invalid> {
    // A JSON number is read as its digits, `1700000000.0` as `1700000000`.
    let whole = match raw {
        Raw::Json(Value::Number(n)) => input::whole_number(n).map(|w| w.to_string()),
        _ => None,
    };
    let text = match whole {
        Some(digits) => std::borrow::Cow::Owned(digits),
        None => match raw.as_text(field)? {
            Some(text) => text,
            None => return Ok(None),
        },
    };
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let ms = if !text.is_empty() && text.len() <= 16 && text.bytes().all(|b| b.is_ascii_digit()) {
        text.parse::<i64>()
            .ok()
            .map(|n| if n < 100_000_000_000 { n * 1000 } else { n })
    } else {
        chrono::DateTime::parse_from_rfc3339(text)
            .ok()
            .map(|t| t.timestamp_millis())
    };
    match ms {
        Some(ms) if TIMESTAMP_RANGE_MS.contains(&ms) => Ok(Some(ms)),
        _ => Err(Invalid::field(
            "invalid_timestamp",
            field,
            "must be unix seconds, unix milliseconds or an RFC 3339 time between 2000 and 2100",
        )),
    }
}
