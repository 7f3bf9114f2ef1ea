//! The small readers of the admin API's JSON that every part of the connector parser shares:
//! objects, optional strings and booleans, and template values, each error naming its path.

use super::Templated;
use crate::core::error::Invalid;
use crate::core::template::TextTemplate;
use serde_json::{Map, Value};

/// Most rows of a list (trigger events, params, headers, renames).
pub(super) const MAX_ROWS: usize = 50;
/// Longest template value (a param or header value), in characters: the unit JSON Schema's
/// `maxLength` counts in, so the OpenAPI document states the same bound.
pub const MAX_VALUE_LEN: usize = 2048;

pub(super) type Obj = Map<String, Value>;

pub(super) fn obj<'a>(value: &'a Value, field: &str) -> Result<&'a Obj, Invalid> {
    value
        .as_object()
        .ok_or_else(|| Invalid::field("invalid_type", field, "must be an object"))
}

pub(super) fn section<'a>(root: &'a Obj, key: &str) -> Result<Option<&'a Obj>, Invalid> {
    match root.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => obj(v, key).map(Some),
    }
}

pub(super) fn boolean(o: &Obj, key: &str, default: bool, path: &str) -> Result<bool, Invalid> {
    match o.get(key) {
        None | Some(Value::Null) => Ok(default),
        Some(Value::Bool(b)) => Ok(*b),
        Some(_) => Err(Invalid::field(
            "invalid_type",
            path,
            "must be true or false",
        )),
    }
}

pub(super) fn opt_string<'a>(
    o: &'a Obj,
    key: &str,
    path: &str,
) -> Result<Option<&'a str>, Invalid> {
    match o.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.as_str())),
        Some(_) => Err(Invalid::field("invalid_type", path, "must be a string")),
    }
}

pub(super) fn templated(source: &str, path: &str) -> Result<Templated, Invalid> {
    if source.chars().count() > MAX_VALUE_LEN {
        return Err(Invalid::field(
            "too_long",
            path,
            format!("is longer than {MAX_VALUE_LEN} characters"),
        ));
    }
    let template = TextTemplate::parse(source)
        .map_err(|e| Invalid::field("invalid_placeholder", path, e.to_string()))?;
    Ok(Templated {
        source: source.to_string(),
        template,
    })
}
