//! Parsing the connector body of the admin API into [`ConnectorConfig`], one field error at a time.

use super::*;
use crate::core::error::Invalid;
use crate::core::template::{PixelTemplate, TextTemplate};
use serde_json::{Map, Value};

pub const MAX_PIXEL_HTML_BYTES: usize = 64 * 1024;
const MAX_NAME_LEN: usize = 120;
const MAX_ROWS: usize = 50;
const MAX_URL_LEN: usize = 2048;
const MAX_VALUE_LEN: usize = 2048;
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

type Obj = Map<String, Value>;

fn obj<'a>(value: &'a Value, field: &str) -> Result<&'a Obj, Invalid> {
    value
        .as_object()
        .ok_or_else(|| Invalid::field("invalid_type", field, "must be an object"))
}

fn section<'a>(root: &'a Obj, key: &str) -> Result<Option<&'a Obj>, Invalid> {
    match root.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => obj(v, key).map(Some),
    }
}

fn boolean(o: &Obj, key: &str, default: bool, path: &str) -> Result<bool, Invalid> {
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

fn opt_string<'a>(o: &'a Obj, key: &str, path: &str) -> Result<Option<&'a str>, Invalid> {
    match o.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.as_str())),
        Some(_) => Err(Invalid::field("invalid_type", path, "must be a string")),
    }
}

fn templated(source: &str, path: &str) -> Result<Templated, Invalid> {
    if source.len() > MAX_VALUE_LEN {
        return Err(Invalid::field(
            "too_long",
            path,
            "is longer than 2048 bytes",
        ));
    }
    let template = TextTemplate::parse(source)
        .map_err(|e| Invalid::field("invalid_placeholder", path, e.to_string()))?;
    Ok(Templated {
        source: source.to_string(),
        template,
    })
}

/// Parse a full connector body. `approved_at` is carried over from `previous` when the pixel
/// HTML is unchanged; clients can never set it. Pixel HTML with a placeholder in a position the
/// pixel engine refuses is a 422 on `pixel.html` naming its line and column.
pub fn parse_connector(
    body: &Value,
    previous: Option<&ConnectorConfig>,
) -> Result<ConnectorConfig, Invalid> {
    parse_from(body, previous, Source::Input)
}

/// Parse a connector read back from storage. Its pixel may have been saved under earlier rules:
/// one the engine now refuses is kept, with `pixel.refused` saying why, so that it is skipped
/// (`pixel_invalid`) instead of making the whole connector unreadable.
pub fn parse_stored_connector(body: &Value) -> Result<ConnectorConfig, Invalid> {
    parse_from(body, None, Source::Stored)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    Input,
    Stored,
}

fn parse_from(
    body: &Value,
    previous: Option<&ConnectorConfig>,
    source: Source,
) -> Result<ConnectorConfig, Invalid> {
    let root =
        obj(body, "body").map_err(|_| Invalid::new("invalid_body", "must be a JSON object"))?;

    let name = match opt_string(root, "name", "name")? {
        Some(n) if n.trim().chars().count() <= MAX_NAME_LEN && !n.chars().any(char::is_control) => {
            n.trim().to_string()
        }
        Some(_) => {
            return Err(Invalid::field(
                "invalid_name",
                "name",
                "must be 1 to 120 characters",
            ))
        }
        None => return Err(Invalid::field("required", "name", "is required")),
    };

    let mode = match opt_string(root, "mode", "mode")? {
        None | Some("enabled") => Mode::Enabled,
        Some("test") => Mode::Test,
        Some("disabled") => Mode::Disabled,
        Some(other) => {
            return Err(Invalid::field(
                "invalid_mode",
                "mode",
                format!("{other:?} is not one of enabled, test, disabled"),
            ))
        }
    };

    let trigger_events = match root.get("trigger_events") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) if items.len() <= MAX_ROWS => items
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let path = format!("trigger_events[{i}]");
                v.as_str()
                    .ok_or_else(|| {
                        Invalid::field("invalid_type", path.as_str(), "must be a string")
                    })
                    .and_then(|s| EventName::parse(s, &path))
            })
            .collect::<Result<_, _>>()?,
        Some(_) => {
            return Err(Invalid::field(
                "invalid_type",
                "trigger_events",
                "must be a list of at most 50 event names",
            ))
        }
    };
    if mode != Mode::Disabled && trigger_events.is_empty() {
        return Err(Invalid::field(
            "required",
            "trigger_events",
            "an enabled or test connector needs at least one trigger event",
        ));
    }

    let webhook = parse_webhook(section(root, "webhook")?)?;
    let pixel = parse_pixel(section(root, "pixel")?, previous.map(|p| &p.pixel))?;
    refuse_input_pixel(&pixel, source)?;
    let click_id = parse_click_id(section(root, "click_id")?)?;

    Ok(ConnectorConfig {
        name,
        trigger_events,
        mode,
        webhook,
        pixel,
        click_id,
    })
}

/// Input with pixel HTML the pixel engine refuses is a 422 on `pixel.html`; stored pixels are
/// kept, refusal and all.
fn refuse_input_pixel(pixel: &PixelConfig, source: Source) -> Result<(), Invalid> {
    match (source, &pixel.refused) {
        (Source::Input, Some(refused)) => Err(Invalid::field(
            "invalid_placeholder",
            "pixel.html",
            refused.to_string(),
        )),
        _ => Ok(()),
    }
}

fn parse_webhook(o: Option<&Obj>) -> Result<WebhookConfig, Invalid> {
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
    Ok(WebhookConfig {
        enabled,
        method,
        url,
        params,
        headers,
        event_renames,
        signing_secret,
    })
}

fn parse_url(raw: &str) -> Result<Templated, Invalid> {
    const FIELD: &str = "webhook.url";
    if raw.len() > MAX_URL_LEN {
        return Err(Invalid::field(
            "too_long",
            FIELD,
            "is longer than 2048 bytes",
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

fn parse_signing_secret(raw: &str) -> Result<String, Invalid> {
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

fn parse_pixel(o: Option<&Obj>, previous: Option<&PixelConfig>) -> Result<PixelConfig, Invalid> {
    let empty = Obj::new();
    let o = o.unwrap_or(&empty);
    let enabled = boolean(o, "enabled", false, "pixel.enabled")?;
    let sandbox = boolean(o, "sandbox", true, "pixel.sandbox")?;
    let html = match o.get("html") {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(_) => {
            return Err(Invalid::field(
                "invalid_type",
                "pixel.html",
                "must be a string",
            ))
        }
    };
    if html.len() > MAX_PIXEL_HTML_BYTES {
        return Err(Invalid::field(
            "too_long",
            "pixel.html",
            "is larger than 64 KiB",
        ));
    }
    // Parsed with the context-aware engine, so a placeholder in a position off its allowlist (a
    // tag name, an event handler, a script's host) is known now; `parse_connector` refuses it.
    let (template, refused) = match PixelTemplate::parse(&html) {
        Ok(template) => (Some(template), None),
        Err(refused) => (None, Some(refused)),
    };
    if enabled && html.trim().is_empty() {
        return Err(Invalid::field(
            "required",
            "pixel.html",
            "an enabled pixel needs HTML",
        ));
    }
    let approved_at = previous
        .filter(|p| p.html == html)
        .and_then(|p| p.approved_at.clone());
    Ok(PixelConfig {
        enabled,
        html,
        sandbox,
        approved_at,
        refused,
        template,
    })
}

fn parse_click_id(o: Option<&Obj>) -> Result<ClickIdConfig, Invalid> {
    let empty = Obj::new();
    let o = o.unwrap_or(&empty);
    let enabled = boolean(o, "enabled", false, "click_id.enabled")?;
    let param = opt_string(o, "param", "click_id.param")?
        .map(|p| query_param_name(p, "click_id.param"))
        .transpose()?;
    if enabled && param.is_none() {
        return Err(Invalid::field(
            "required",
            "click_id.param",
            "click-ID matching needs the query parameter the partner appends, e.g. click_id",
        ));
    }
    let source_param = opt_string(o, "source_param", "click_id.source_param")?
        .map(|p| query_param_name(p, "click_id.source_param"))
        .transpose()?;
    let source_value = opt_string(o, "source_value", "click_id.source_value")?.map(str::to_string);
    if source_value.as_ref().is_some_and(|v| v.len() > 256) {
        return Err(Invalid::field(
            "too_long",
            "click_id.source_value",
            "is longer than 256 bytes",
        ));
    }
    if source_value.is_some() && source_param.is_none() {
        return Err(Invalid::field(
            "required",
            "click_id.source_param",
            "a strict source value needs its source parameter, e.g. utm_source",
        ));
    }
    let attribution = match opt_string(o, "attribution", "click_id.attribution")? {
        None | Some("last_click") => Attribution::LastClick,
        Some("any_click") => Attribution::AnyClick,
        Some(other) => {
            return Err(Invalid::field(
                "invalid_attribution",
                "click_id.attribution",
                format!("{other:?} is not last_click or any_click"),
            ))
        }
    };
    let window_days = match o.get("window_days") {
        None | Some(Value::Null) => 30,
        Some(v) => match v.as_u64() {
            Some(d @ 1..=365) => d as u16,
            _ => {
                return Err(Invalid::field(
                    "invalid_window",
                    "click_id.window_days",
                    "must be a whole number of days from 1 to 365",
                ))
            }
        },
    };
    Ok(ClickIdConfig {
        enabled,
        param,
        source_param,
        source_value,
        attribution,
        window_days,
    })
}

/// Query parameter names are matched case-insensitively and stored lower case.
fn query_param_name(raw: &str, path: &str) -> Result<String, Invalid> {
    let name = raw.trim();
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-.[]".contains(c));
    if !ok {
        return Err(Invalid::field(
            "invalid_param",
            path,
            "must be a query parameter name: letters, digits, _ - . [ ]",
        ));
    }
    Ok(name.to_ascii_lowercase())
}

/// RFC 7396 JSON merge patch: objects merge key by key, `null` removes, anything else replaces.
pub fn merge_patch(target: &mut Value, patch: &Value) {
    match patch {
        Value::Object(patch_map) => {
            if !target.is_object() {
                *target = Value::Object(Map::new());
            }
            if let Value::Object(target_map) = target {
                for (key, value) in patch_map {
                    if value.is_null() {
                        target_map.remove(key);
                    } else {
                        merge_patch(target_map.entry(key.clone()).or_insert(Value::Null), value);
                    }
                }
            }
        }
        other => *target = other.clone(),
    }
}
