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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_depth_counts_container_levels() {
        assert_eq!(json_depth(&json!(1)), 0);
        assert_eq!(json_depth(&json!({})), 1);
        assert_eq!(json_depth(&json!([])), 1);
        assert_eq!(json_depth(&json!({"a": [1]})), 2);
        assert_eq!(json_depth(&json!({"a": 1, "b": {"c": {"d": []}}})), 4);
    }

    #[test]
    fn a_very_deep_value_is_measured_without_recursion() {
        let mut deep = json!(0);
        for _ in 0..10_000 {
            deep = Value::Array(vec![deep]);
        }
        assert_eq!(json_depth(&deep), 10_000);
        assert_eq!(check_json_depth(&deep).unwrap_err().code, "too_deep");
        // serde_json's own recursive Drop would overflow on a value this deep.
        std::mem::forget(deep);
    }

    #[test]
    fn text_is_trimmed_bounded_and_free_of_control_characters() {
        assert_eq!(text("  Jane ", "f").unwrap().as_deref(), Some("Jane"));
        assert_eq!(text("   ", "f").unwrap(), None);
        assert_eq!(
            text("1 Main St\nApt 4", "f").unwrap().as_deref(),
            Some("1 Main St\nApt 4")
        );
        assert_eq!(text("a\u{0}b", "f").unwrap_err().code, "invalid_text");
        assert_eq!(text("a\u{85}b", "f").unwrap_err().code, "invalid_text");
        let err = text(&"é".repeat(MAX_TEXT_LEN / 2 + 1), "f").unwrap_err();
        assert_eq!((err.code, err.field.as_deref()), ("too_long", Some("f")));
    }

    #[test]
    fn dates_are_real_calendar_days_written_yyyy_mm_dd() {
        assert!(date("1985-06-17", "birthday").unwrap().is_some());
        assert!(date("2024-02-29", "birthday").unwrap().is_some());
        for bad in [
            "2023-02-29",
            "1985-13-01",
            "85-06-17",
            "1985/06/17",
            "19850617",
            "1985-06-17T00:00",
        ] {
            let err = date(bad, "birthday").unwrap_err();
            assert_eq!(
                (err.code, err.field.as_deref()),
                ("invalid_date", Some("birthday")),
                "{bad}"
            );
        }
    }

    #[test]
    fn urls_must_be_absolute_http_or_https() {
        assert!(url("https://shop.example/a?b=c", "url").unwrap().is_some());
        assert!(url("http://127.0.0.1:8787/", "url").unwrap().is_some());
        for bad in [
            "shop.example",
            "javascript:alert(1)",
            "data:text/html,x",
            "file:///etc/passwd",
            "https://",
        ] {
            assert_eq!(url(bad, "url").unwrap_err().code, "invalid_url", "{bad}");
        }
    }

    #[test]
    fn ips_are_written_canonically() {
        assert_eq!(
            ip("2001:DB8::1", "ip").unwrap().as_deref(),
            Some("2001:db8::1")
        );
        assert_eq!(
            ip("203.0.113.9", "ip").unwrap().as_deref(),
            Some("203.0.113.9")
        );
        assert!(ip("203.0.113", "ip").is_err());
    }

    #[test]
    fn booleans_take_words_digits_and_json() {
        assert_eq!(boolean(Raw::Text("YES"), "b").unwrap(), Some(true));
        assert_eq!(boolean(Raw::Text("0"), "b").unwrap(), Some(false));
        assert_eq!(boolean(Raw::Json(&json!(true)), "b").unwrap(), Some(true));
        assert_eq!(boolean(Raw::Json(&json!(1)), "b").unwrap(), Some(true));
        assert_eq!(boolean(Raw::Text(""), "b").unwrap(), None);
        assert_eq!(
            boolean(Raw::Json(&json!([])), "b").unwrap_err().code,
            "invalid_type"
        );
    }

    #[test]
    fn visitor_ids_and_identifiers_refuse_whitespace_and_markup() {
        assert_eq!(
            visitor_id("v_1.a-b:c", "v").unwrap().as_deref(),
            Some("v_1.a-b:c")
        );
        for bad in ["a b", "<x>", "a\"b", "é"] {
            assert_eq!(
                visitor_id(bad, "v").unwrap_err().code,
                "invalid_visitor_id",
                "{bad}"
            );
        }
        assert_eq!(
            identifier("a\tb", "gclid").unwrap_err().code,
            "invalid_identifier"
        );
    }
}
