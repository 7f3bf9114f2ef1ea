//! The `webhook` section of a connector: method, URL (a template whose scheme and host are
//! literal), params and headers tables, event renames and the Standard Webhooks signing secret.

use super::json::{boolean, obj, opt_string, templated, Obj, MAX_ROWS};
use super::{parse_max_per_second, ParkPolicy};
use super::{FireOn, Method, NamedTemplate, Templated, WebhookConfig};
use crate::core::error::Invalid;
use crate::core::event::EventName;
use crate::core::lifecycle::{parse_status_map, DuplicatePolicy, FireOnStatus, StatusMap};
use serde_json::Value;
use std::collections::BTreeMap;

/// Longest postback URL as sent, in characters (JSON Schema's `maxLength` unit).
pub const MAX_URL_LEN: usize = 2048;
/// Headers postclick sets itself; a connector may not override them.
const RESERVED_HEADERS: &[&str] = &[
    "host",
    "content-length",
    "content-type",
    "transfer-encoding",
    "connection",
    "user-agent",
    "idempotency-key",
    "webhook-id",
    "webhook-timestamp",
    "webhook-signature",
];

pub(super) fn parse_webhook(o: Option<&Obj>) -> Result<WebhookConfig, Invalid> {
    let empty = Obj::new();
    let o = o.unwrap_or(&empty);
    let enabled = boolean(o, "enabled", false, "webhook.enabled")?;
    let method = match opt_string(o, "method", "webhook.method")? {
        None => Method::Get,
        Some(m) if m.eq_ignore_ascii_case("GET") => Method::Get,
        Some(m) if m.eq_ignore_ascii_case("POST") => Method::Post,
        Some(m) => {
            return Err(Invalid::field(
                "invalid_method",
                "webhook.method",
                format!("{m:?} is not GET or POST"),
            ))
        }
    };
    let fire_on = match opt_string(o, "fire_on", "webhook.fire_on")? {
        None => FireOn::default(),
        Some(text) => FireOn::parse(text).ok_or_else(|| {
            Invalid::field(
                "invalid_fire_on",
                "webhook.fire_on",
                format!("{text:?} is not server or server_and_browser"),
            )
        })?,
    };
    let url = opt_string(o, "url", "webhook.url")?
        .map(parse_url)
        .transpose()?;
    if enabled && url.is_none() {
        return Err(Invalid::field(
            "required",
            "webhook.url",
            "an enabled webhook needs a URL",
        ));
    }
    let params = rows(o, "params", false)?;
    let headers = rows(o, "headers", true)?;
    let event_renames = match o.get("event_renames") {
        None | Some(Value::Null) => BTreeMap::new(),
        Some(Value::Object(map)) if map.len() <= MAX_ROWS => map
            .iter()
            .map(|(from, to)| {
                let path = format!("webhook.event_renames.{from}");
                let to = to.as_str().ok_or_else(|| {
                    Invalid::field("invalid_type", path.as_str(), "must be a string")
                })?;
                EventName::parse(from, &path)?;
                let to = EventName::parse(to, &path)?;
                Ok((from.trim().to_string(), to.as_str().to_string()))
            })
            .collect::<Result<_, Invalid>>()?,
        Some(_) => {
            return Err(Invalid::field(
                "invalid_type",
                "webhook.event_renames",
                "must be an object mapping event names to new names",
            ))
        }
    };
    let signing_secret = opt_string(o, "signing_secret", "webhook.signing_secret")?
        .map(parse_signing_secret)
        .transpose()?;
    let lifecycle = parse_lifecycle(o)?;
    Ok(WebhookConfig {
        fire_on_status: lifecycle.0,
        send_reversals: lifecycle.1,
        status_map: lifecycle.2,
        duplicate_policy: lifecycle.3,
        park: ParkPolicy::parse(o)?,
        max_per_second: parse_max_per_second(o)?,
        enabled,
        fire_on,
        method,
        url,
        params,
        headers,
        event_renames,
        signing_secret,
    })
}

/// `fire_on_status`, `send_reversals`, `status_map` and `duplicate_policy` (blank or absent:
/// the defaults, today's behaviour).
fn parse_lifecycle(o: &Obj) -> Result<(FireOnStatus, bool, StatusMap, DuplicatePolicy), Invalid> {
    let fire_on_status = match opt_string(o, "fire_on_status", "webhook.fire_on_status")? {
        None => FireOnStatus::default(),
        Some(text) if text.trim().is_empty() => FireOnStatus::default(),
        Some(text) => FireOnStatus::parse(text.trim()).ok_or_else(|| {
            Invalid::field(
                "invalid_fire_on_status",
                "webhook.fire_on_status",
                format!("{text:?} is not received or approved"),
            )
        })?,
    };
    let send_reversals = boolean(o, "send_reversals", false, "webhook.send_reversals")?;
    let status_map = parse_status_map(o.get("status_map"), "webhook.status_map")?;
    let duplicate_policy = match opt_string(o, "duplicate_policy", "webhook.duplicate_policy")? {
        None => DuplicatePolicy::default(),
        Some(text) if text.trim().is_empty() => DuplicatePolicy::default(),
        Some(text) => DuplicatePolicy::parse(text.trim()).ok_or_else(|| {
            Invalid::field(
                "invalid_duplicate_policy",
                "webhook.duplicate_policy",
                format!("{text:?} is not ignore or update"),
            )
        })?,
    };
    Ok((fire_on_status, send_reversals, status_map, duplicate_policy))
}

fn parse_url(raw: &str) -> Result<Templated, Invalid> {
    const FIELD: &str = "webhook.url";
    if raw.chars().count() > MAX_URL_LEN {
        return Err(Invalid::field(
            "too_long",
            FIELD,
            format!("is longer than {MAX_URL_LEN} characters"),
        ));
    }
    let t = templated(raw.trim(), FIELD)?;
    // Placeholders may stand in the path or query; check the URL with a sample value in each.
    let (sample, _) = t.template.render(|_| Some("x".to_string()));
    let url = url::Url::parse(&sample)
        .map_err(|e| Invalid::field("invalid_url", FIELD, format!("is not a valid URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Invalid::field(
            "invalid_url",
            FIELD,
            "must start with http:// or https://",
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(Invalid::field("invalid_url", FIELD, "must name a host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Invalid::field(
            "invalid_url",
            FIELD,
            "must not carry credentials; use a header instead",
        ));
    }
    if !raw.trim().starts_with(url.scheme())
        || t.source
            .split("://")
            .nth(1)
            .is_some_and(|h| h.starts_with("{{"))
    {
        return Err(Invalid::field(
            "invalid_url",
            FIELD,
            "the scheme and host must be literal",
        ));
    }
    Ok(t)
}

fn rows(o: &Obj, key: &str, headers: bool) -> Result<Vec<NamedTemplate>, Invalid> {
    let path = format!("webhook.{key}");
    let items = match o.get(key) {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(items)) if items.len() <= MAX_ROWS => items,
        Some(_) => {
            return Err(Invalid::field(
                "invalid_type",
                path,
                "must be a list of at most 50 {name, value} rows",
            ))
        }
    };
    items
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let row_path = format!("{path}[{i}]");
            let row = obj(row, &row_path)?;
            let name_path = format!("{row_path}.name");
            let name = opt_string(row, "name", &name_path)?
                .map(str::trim)
                .ok_or_else(|| Invalid::field("required", name_path.as_str(), "is required"))?;
            if name.len() > 256 {
                return Err(Invalid::field(
                    "too_long",
                    name_path,
                    "is longer than 256 bytes",
                ));
            }
            if headers {
                check_header_name(name, &name_path)?;
            }
            let value_path = format!("{row_path}.value");
            let value = match row.get("value") {
                None | Some(Value::Null) => "",
                Some(Value::String(s)) => s.as_str(),
                Some(_) => {
                    return Err(Invalid::field(
                        "invalid_type",
                        value_path,
                        "must be a string",
                    ))
                }
            };
            if headers && value.chars().any(|c| c == '\r' || c == '\n' || c == '\0') {
                return Err(Invalid::field(
                    "invalid_header",
                    value_path,
                    "must not contain line breaks",
                ));
            }
            Ok(NamedTemplate {
                name: name.to_string(),
                value: templated(value, &value_path)?,
            })
        })
        .collect()
}

fn check_header_name(name: &str, path: &str) -> Result<(), Invalid> {
    const TCHAR: &str = "!#$%&'*+-.^_`|~";
    let token = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || TCHAR.contains(c));
    if !token {
        return Err(Invalid::field(
            "invalid_header",
            path,
            format!("{name:?} is not a valid header name"),
        ));
    }
    if RESERVED_HEADERS.contains(&name.to_ascii_lowercase().as_str()) {
        return Err(Invalid::field(
            "reserved_header",
            path,
            format!("{name} is set by postclick and cannot be configured"),
        ));
    }
    Ok(())
}

/// A Standard Webhooks secret as a connector stores it: `whsec_` and base64 of 24 to 64 bytes.
pub fn parse_signing_secret(raw: &str) -> Result<String, Invalid> {
    use base64::Engine;
    const FIELD: &str = "webhook.signing_secret";
    let decoded = raw
        .strip_prefix("whsec_")
        .and_then(|b64| base64::engine::general_purpose::STANDARD.decode(b64).ok());
    match decoded {
        Some(bytes) if (24..=64).contains(&bytes.len()) => Ok(raw.to_string()),
        _ => Err(Invalid::field(
            "invalid_signing_secret",
            FIELD,
            "must be whsec_ followed by base64 of 24 to 64 random bytes",
        )),
    }
}
