//! Field parsers both inbound surfaces share: bounded text, emails, phones, URLs, IPs, dates,
//! booleans, visitor ids and click values, plus the JSON depth bound. Each error names the field
//! the way the sender spelled it.

use crate::core::error::Invalid;
use serde_json::Value;
use std::borrow::Cow;

/// Longest free-text value (names, addresses, ids, user agents), in bytes.
pub const MAX_TEXT_LEN: usize = 1024;
/// Longest `url`, in bytes: landing URLs with several click ids run long.
pub const MAX_URL_LEN: usize = 2048;
/// Deepest JSON accepted, counting each object or array level; checked before typed parsing.
pub const MAX_JSON_DEPTH: usize = 8;
/// Most email or phone variants one request may carry.
pub const MAX_VARIANTS: usize = 10;
/// Longest visitor id: the `pc_vid` cookie value.
pub const MAX_VISITOR_ID_LEN: usize = 128;

/// Keys in `UserData::extra` that both surfaces fill, so matching and templates find them.
pub mod extra {
    pub const STREET: &str = "street";
    pub const POSTAL_CODE: &str = "postal_code";
    pub const CITY: &str = "city";
    pub const REGION: &str = "region";
    pub const COUNTRY: &str = "country";
    pub const BIRTHDAY: &str = "birthday";
    pub const GENDER: &str = "gender";
    pub const PRIORITY_EXTERNAL_ID: &str = "priority_external_id";
    pub const EMAIL_VARIANTS: &str = "email_variants";
    pub const PHONE_VARIANTS: &str = "phone_variants";
}

/// Click parameters a payload may carry, by canonical lower-case name. UTM tags travel with
/// them (as they do in the click history) but never identify a visitor: see
/// [`super::matching::is_identifying_click`].
pub const CARRIED_CLICK_PARAMS: &[&str] = &[
    "gclid",
    "fbclid",
    "gbraid",
    "wbraid",
    "ttclid",
    "msclkid",
    "epik",
    "dclid",
    "rdt_cid",
    "li_fat_id",
    "twclid",
    "trlc",
    "trls",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_content",
    "utm_term",
];

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
pub(crate) enum Raw<'a> {
    Text(&'a str),
    Json(&'a Value),
}

impl<'a> Raw<'a> {
    /// The value as text: JSON strings, numbers and booleans qualify; null is absent.
    pub(crate) fn as_text(self, field: &str) -> Result<Option<Cow<'a, str>>, Invalid> {
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
    pub(crate) fn as_str(self) -> Option<&'a str> {
        match self {
            Raw::Text(s) => Some(s),
            Raw::Json(Value::String(s)) => Some(s),
            Raw::Json(_) => None,
        }
    }

    /// The value as a JSON value, text becoming a JSON string.
    pub(crate) fn to_json(self) -> Value {
        match self {
            Raw::Text(s) => Value::String(s.to_string()),
            Raw::Json(v) => v.clone(),
        }
    }
}

/// Trimmed, bounded text; empty means absent. Tabs and line breaks are allowed (street
/// addresses span lines); other control characters are refused.
pub fn text(raw: &str, field: &str) -> Result<Option<String>, Invalid> {
    bounded(raw, field, MAX_TEXT_LEN)
}

fn bounded(raw: &str, field: &str, max: usize) -> Result<Option<String>, Invalid> {
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
    if value
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
    {
        return Err(Invalid::field(
            "invalid_text",
            field,
            "must not contain control characters",
        ));
    }
    Ok(Some(value.to_string()))
}

/// An identifier that must survive URLs and cookies: no whitespace or control characters.
pub fn identifier(raw: &str, field: &str) -> Result<Option<String>, Invalid> {
    let value = text(raw, field)?;
    if value
        .as_deref()
        .is_some_and(|v| v.chars().any(char::is_whitespace))
    {
        return Err(Invalid::field(
            "invalid_identifier",
            field,
            "must not contain whitespace",
        ));
    }
    Ok(value)
}

/// An email as sent (trimmed, bounded, printable). A value that does not normalise to an
/// address (nor is a SHA-256 digest) is kept but yields no hash, so it never matches and never
/// fills `{{EMAIL_SHA256}}`: a CRM's malformed contact field must not cost the conversion.
/// (Seed 004's own examples carry `"[email protected]"`, and they must be accepted.)
pub fn email(raw: &str, field: &str) -> Result<Option<String>, Invalid> {
    text(raw, field)
}

/// A phone as sent (trimmed, bounded, printable); like [`email`], one that does not normalise
/// to 7–15 digits is kept without a hash.
pub fn phone(raw: &str, field: &str) -> Result<Option<String>, Invalid> {
    text(raw, field)
}

/// An absolute http(s) URL, at most [`MAX_URL_LEN`] bytes.
pub fn url(raw: &str, field: &str) -> Result<Option<String>, Invalid> {
    let Some(value) = bounded(raw, field, MAX_URL_LEN)? else {
        return Ok(None);
    };
    match url::Url::parse(&value) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => Ok(Some(value)),
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

/// A calendar date written `YYYY-MM-DD`, such as 1985-06-17.
pub fn date(raw: &str, field: &str) -> Result<Option<String>, Invalid> {
    let Some(value) = text(raw, field)? else {
        return Ok(None);
    };
    let shaped = value.len() == 10
        && value.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        });
    let real = shaped && chrono::NaiveDate::parse_from_str(&value, "%Y-%m-%d").is_ok();
    if real {
        Ok(Some(value))
    } else {
        Err(Invalid::field(
            "invalid_date",
            field,
            "must be a date written YYYY-MM-DD, such as 1985-06-17",
        ))
    }
}

/// true/false, 1/0 or yes/no, in any case, as text or JSON.
pub(crate) fn boolean(raw: Raw<'_>, field: &str) -> Result<Option<bool>, Invalid> {
    if let Raw::Json(Value::Bool(b)) = raw {
        return Ok(Some(*b));
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
