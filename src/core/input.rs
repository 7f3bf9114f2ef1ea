//! Raw input as it arrives at any surface (query or form text, or a JSON value) and the bounded
//! field parsers every surface shares: free text, page URLs, IP addresses, booleans, the visitor
//! id a backend passes on, and the JSON nesting bound. Errors name the field the way the sender
//! spelled it.

use crate::core::error::Invalid;
use serde_json::Value;
use std::borrow::Cow;

/// Longest free-text value (user agents, attribute texts), in bytes.
pub const MAX_TEXT_LEN: usize = 1024;
/// Longest page URL, in bytes: landing URLs with several click ids run long.
pub const MAX_URL_LEN: usize = 4096;
/// Deepest JSON accepted, counting each object or array level; checked before typed parsing.
pub const MAX_JSON_DEPTH: usize = 8;
/// Longest visitor id: the `pc_vid` cookie value.
pub const MAX_VISITOR_ID_LEN: usize = 128;
/// Longest name of a field a sender made up (an attribute, an unknown user field).
pub const MAX_FIELD_NAME_LEN: usize = 64;

/// Nesting depth of a JSON value: a scalar is 0, `{}` and `[]` are 1, `{"a":[1]}` is 2.
/// Iterative, so a hostile value cannot exhaust the stack here.
pub fn json_depth(value: &Value) -> usize {
    let mut deepest = 0;
    let mut stack = vec![(value, 0usize)];
    while let Some((v, depth)) = stack.pop() {
        match v {
            Value::Array(items) => {
                deepest = deepest.max(depth + 1);
                stack.extend(items.iter().map(|c| (c, depth + 1)));
            }
            Value::Object(map) => {
                deepest = deepest.max(depth + 1);
                stack.extend(map.values().map(|c| (c, depth + 1)));
            }
            _ => deepest = deepest.max(depth),
        }
    }
    deepest
}

/// Refuse a body nested deeper than [`MAX_JSON_DEPTH`] before any typed parsing looks at it.
pub fn check_json_depth(value: &Value) -> Result<(), Invalid> {
    if json_depth(value) > MAX_JSON_DEPTH {
        return Err(Invalid::new(
            "too_deep",
            format!("the JSON body is nested deeper than {MAX_JSON_DEPTH} levels"),
        ));
    }
    Ok(())
}

/// A raw value as it arrived: text from a query string or form, or a JSON value.
#[derive(Debug, Clone, Copy)]
pub enum Raw<'a> {
    Text(&'a str),
    Json(&'a Value),
}

impl<'a> Raw<'a> {
    /// The value as text: JSON strings, numbers and booleans qualify; null is absent.
    pub fn as_text(self, field: &str) -> Result<Option<Cow<'a, str>>, Invalid> {
        if let Some(s) = self.as_str() {
            return Ok(Some(Cow::Borrowed(s)));
        }
        match self {
            Raw::Json(Value::Number(n)) => Ok(Some(Cow::Owned(n.to_string()))),
            Raw::Json(Value::Bool(b)) => Ok(Some(Cow::Borrowed(if *b { "true" } else { "false" }))),
            Raw::Json(Value::Null) => Ok(None),
            _ => Err(Invalid::field(
                "invalid_type",
                field,
                "must be a string or a number",
            )),
        }
    }

    /// Text, or a JSON string; `None` for any other JSON value.
    pub fn as_str(self) -> Option<&'a str> {
        match self {
            Raw::Text(s) => Some(s),
            Raw::Json(Value::String(s)) => Some(s),
            Raw::Json(_) => None,
        }
    }

    /// The value as a JSON value, text becoming a JSON string.
    pub fn to_json(self) -> Value {
        match self {
            Raw::Text(s) => Value::String(s.to_string()),
            Raw::Json(v) => v.clone(),
        }
    }
}

/// Trimmed, bounded text; empty means absent. Tabs and line breaks are allowed (notes span
/// lines); other control characters are refused.
pub fn text(raw: &str, field: &str) -> Result<Option<String>, Invalid> {
    bounded(raw, field, MAX_TEXT_LEN, true)
}

/// Trimmed text of at most `max` bytes; empty means absent. Control characters are refused,
/// except tabs and line breaks when `multiline`.
pub fn bounded(
    raw: &str,
    field: &str,
    max: usize,
    multiline: bool,
) -> Result<Option<String>, Invalid> {
    let value = raw.trim();
    if value.is_empty() {
        return Ok(None);
    }
    if value.len() > max {
        return Err(Invalid::field(
            "too_long",
            field,
            format!("is longer than {max} bytes"),
        ));
    }
    let allowed = |c: char| multiline && matches!(c, '\t' | '\n' | '\r');
    if value.chars().any(|c| c.is_control() && !allowed(c)) {
        return Err(Invalid::field(
            "invalid_text",
            field,
            "must not contain control characters",
        ));
    }
    Ok(Some(value.to_string()))
}

/// The page an event happened on: an absolute http(s) URL of at most [`MAX_URL_LEN`] bytes,
/// kept in its serialised form (so `päge` is stored as `p%C3%A4ge` whichever surface sent it),
/// without its fragment.
pub fn page_url(raw: &str, field: &str) -> Result<Option<String>, Invalid> {
    let value = raw.trim();
    if value.is_empty() {
        return Ok(None);
    }
    if value.len() > MAX_URL_LEN {
        return Err(Invalid::field(
            "too_long",
            field,
            format!("is longer than {MAX_URL_LEN} bytes"),
        ));
    }
    match url::Url::parse(value) {
        Ok(mut u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => {
            // The fragment never reaches a server from a browser, and sign-in flows put tokens
            // there: it is dropped before the URL is stored or sent anywhere.
            u.set_fragment(None);
            Ok(Some(u.into()))
        }
        _ => Err(Invalid::field(
            "invalid_url",
            field,
            "must be an absolute http or https URL",
        )),
    }
}

/// An IPv4 or IPv6 address, written canonically.
pub fn ip(raw: &str, field: &str) -> Result<Option<String>, Invalid> {
    let Some(value) = text(raw, field)? else {
        return Ok(None);
    };
    value
        .parse::<std::net::IpAddr>()
        .map(|addr| Some(addr.to_string()))
        .map_err(|_| Invalid::field("invalid_ip", field, "is not an IPv4 or IPv6 address"))
}

/// true/false, 1/0 or yes/no, in any case, as text or JSON.
pub fn boolean(raw: Raw<'_>, field: &str) -> Result<Option<bool>, Invalid> {
    match raw {
        Raw::Json(Value::Bool(b)) => return Ok(Some(*b)),
        // 1 and 0 as JSON numbers, `1.0` included.
        Raw::Json(Value::Number(n)) => match whole_number(n) {
            Some(1) => return Ok(Some(true)),
            Some(0) => return Ok(Some(false)),
            _ => {}
        },
        _ => {}
    }
    let Some(value) = raw.as_text(field)? else {
        return Ok(None);
    };
    match value.trim().to_ascii_lowercase().as_str() {
        "" => Ok(None),
        "true" | "1" | "yes" => Ok(Some(true)),
        "false" | "0" | "no" => Ok(Some(false)),
        _ => Err(Invalid::field(
            "invalid_boolean",
            field,
            "must be true or false",
        )),
    }
}

/// A JSON number with no fraction, as JSON Schema's `integer` counts it (`51` and `51.0`
/// alike), from `i64::MIN` to `u64::MAX`; `None` for fractions and numbers beyond. Every field
/// documented as a whole number reads through this, so a client that writes `30.0` is not
/// refused.
pub fn whole_number(n: &serde_json::Number) -> Option<i128> {
    if let Some(i) = n.as_i64() {
        return Some(i.into());
    }
    if let Some(u) = n.as_u64() {
        return Some(u.into());
    }
    // Strictly inside: a literal just past a bound (`-9223372036854775809`) arrives as a float
    // that rounds onto the bound, and must stay outside.
    n.as_f64()
        .filter(|f| f.fract() == 0.0 && *f > i64::MIN as f64 && *f < u64::MAX as f64)
        .map(|f| f as i128)
}

/// Whether `key` is a name a sender may choose: 1 to [`MAX_FIELD_NAME_LEN`] characters (Unicode
/// scalar values, as JSON Schema's `maxLength` counts them), none of them a control character.
pub fn is_field_name(key: &str) -> bool {
    !key.is_empty()
        && key.chars().count() <= MAX_FIELD_NAME_LEN
        && !key.chars().any(char::is_control)
}

/// A field name a sender chose (an attribute, an unknown user field): see [`is_field_name`].
/// `path` names it in the error.
pub fn check_field_name(key: &str, path: &str) -> Result<(), Invalid> {
    if is_field_name(key) {
        Ok(())
    } else {
        Err(Invalid::field(
            "invalid_field",
            path.chars().take(200).collect::<String>(),
            format!("field names are 1 to {MAX_FIELD_NAME_LEN} printable characters"),
        ))
    }
}

/// The `pc_vid` visitor id a frontend passed on: 1–128 characters of `A-Z a-z 0-9 . _ - :`.
pub fn visitor_id(raw: &str, field: &str) -> Result<Option<String>, Invalid> {
    let value = raw.trim();
    if value.is_empty() {
        return Ok(None);
    }
    let well_formed = value.len() <= MAX_VISITOR_ID_LEN
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-:".contains(&b));
    if well_formed {
        Ok(Some(value.to_string()))
    } else {
        Err(Invalid::field(
            "invalid_visitor_id",
            field,
            "must be the visitor id from the pc_vid cookie",
        ))
    }
}

#[cfg(test)]
mod tests;
