//! A custom webhook's attributes: `tax`, `shipping`, `discount_code`, `products`, an
//! `attributes` object, and every top-level field without a meaning of its own (seed 004's
//! `lead_type`), bounded like all attributes.

use super::products::products;
use super::{amount, read, Obj, KNOWN_FIELDS};
use crate::core::click_params::click_param;
use crate::core::error::Invalid;
use crate::core::event::Attributes;
use crate::core::input::{self, check_field_name};
use serde_json::{Map, Value};

pub(super) fn attributes(root: &Obj) -> Result<Attributes, Invalid> {
    let mut map = Map::new();
    for key in ["tax", "shipping"] {
        if let Some(a) = amount(root, key, key)? {
            map.insert(key.to_string(), Value::from(a.get()));
        }
    }
    if let Some(code) = read(root, "discount_code", "discount_code", input::text)? {
        map.insert("discount_code".to_string(), Value::String(code));
    }
    if let Some(list) = root.get("products").filter(|v| !v.is_null()) {
        map.insert("products".to_string(), products(list)?);
    }
    match root.get("attributes") {
        None | Some(Value::Null) => {}
        Some(value) => {
            for (key, value) in Attributes::parse(value, "attributes")?.as_map() {
                put_attribute(&mut map, key, value.clone(), &format!("attributes.{key}"))?;
            }
        }
    }
    for (key, value) in root {
        if KNOWN_FIELDS.contains(&key.as_str()) || click_param(key).is_some() {
            continue;
        }
        if let Some(value) = free_attribute(key, value)? {
            put_attribute(&mut map, key, value, key)?;
        }
    }
    Attributes::from_map(map, "attributes")
}

/// A top-level field kept as an attribute under its own name, checked against the attribute
/// bounds and named by itself. Null and empty text are absent.
fn free_attribute(key: &str, value: &Value) -> Result<Option<Value>, Invalid> {
    check_field_name(key, key)?;
    let value = match value {
        Value::Null => return Ok(None),
        Value::String(s) => match input::text(s, key)? {
            Some(text) => Value::String(text),
            None => return Ok(None),
        },
        other => other.clone(),
    };
    let single: Obj = [(key.to_string(), value.clone())].into_iter().collect();
    Attributes::from_map(single, "attributes").map_err(|e| Invalid {
        field: Some(key.to_string()),
        ..e
    })?;
    Ok(Some(value))
}

fn put_attribute(map: &mut Obj, key: &str, value: Value, path: &str) -> Result<(), Invalid> {
    match map.get(key) {
        Some(existing) if *existing != value => Err(Invalid::field(
            "conflicting_fields",
            path,
            format!("the attribute {key} was already given with another value"),
        )),
        _ => {
            map.insert(key.to_string(), value);
            Ok(())
        }
    }
}
