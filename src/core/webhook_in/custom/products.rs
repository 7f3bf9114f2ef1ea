//! The `products` list: bounded product lines with typed quantity and price.

use super::{amount, not_an_object, read, Obj, MAX_PRODUCTS, MAX_QUANTITY};
use crate::core::error::Invalid;
use crate::core::input::{self, check_field_name, whole_number};
use serde_json::{Map, Value};

/// Product lines, each `{id, name, quantity, price}` plus scalar extras (`category`, ...).
pub(super) fn products(value: &Value) -> Result<Value, Invalid> {
    let Value::Array(items) = value else {
        return Err(Invalid::field(
            "invalid_type",
            "products",
            "must be a list of products",
        ));
    };
    if items.len() > MAX_PRODUCTS {
        return Err(Invalid::field(
            "too_many_products",
            "products",
            format!("at most {MAX_PRODUCTS} products"),
        ));
    }
    let mut lines = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let path = format!("products[{i}]");
        let Value::Object(o) = item else {
            return Err(not_an_object(&path));
        };
        lines.push(Value::Object(product(o, &path)?));
    }
    Ok(Value::Array(lines))
}

fn product(o: &Obj, path: &str) -> Result<Obj, Invalid> {
    let mut line = Map::new();
    for key in ["id", "name"] {
        if let Some(text) = read(o, key, &format!("{path}.{key}"), input::text)? {
            line.insert(key.to_string(), Value::String(text));
        }
    }
    if line.is_empty() {
        return Err(Invalid::field(
            "missing_field",
            format!("{path}.id"),
            "a product needs an id or a name",
        ));
    }
    if let Some(quantity) = quantity(o.get("quantity"), &format!("{path}.quantity"))? {
        line.insert("quantity".to_string(), Value::from(quantity));
    }
    if let Some(price) = amount(o, "price", &format!("{path}.price"))? {
        line.insert("price".to_string(), Value::from(price.get()));
    }
    for (key, value) in o {
        if matches!(key.as_str(), "id" | "name" | "quantity" | "price") {
            continue;
        }
        let field = format!("{path}.{key}");
        check_field_name(key, &field)?;
        let kept = match value {
            Value::Null => continue,
            Value::String(s) => match input::text(s, &field)? {
                Some(text) => Value::String(text),
                None => continue,
            },
            Value::Number(_) | Value::Bool(_) => value.clone(),
            _ => {
                return Err(Invalid::field(
                    "invalid_type",
                    field,
                    "product fields are strings, numbers or booleans",
                ))
            }
        };
        line.insert(key.clone(), kept);
    }
    if line.len() > crate::core::event::MAX_ATTRIBUTES {
        return Err(Invalid::field(
            "too_many_fields",
            path,
            "a product holds at most 50 fields",
        ));
    }
    Ok(line)
}

/// A positive whole number, as a JSON number or digits in a string.
fn quantity(value: Option<&Value>, path: &str) -> Result<Option<u64>, Invalid> {
    let parsed = match value {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Number(n)) => whole_number(n).and_then(|q| u64::try_from(q).ok()),
        Some(Value::String(s)) if s.trim().bytes().all(|b| b.is_ascii_digit()) => {
            s.trim().parse::<u64>().ok()
        }
        Some(_) => None,
    };
    match parsed {
        Some(q) if (1..=MAX_QUANTITY).contains(&q) => Ok(Some(q)),
        _ => Err(Invalid::field(
            "invalid_quantity",
            path,
            format!("must be a whole number from 1 to {MAX_QUANTITY}"),
        )),
    }
}
