//! Parsing the connector body of the admin API into [`ConnectorConfig`], one field error at a
//! time: the top-level fields here, each section in its own module ([`super::webhook`],
//! [`super::pixel`], [`super::click_id`]).

use super::click_id::parse_click_id;
use super::foreign_macro::{find_foreign_macro, Scope};
use super::json::{obj, opt_string, section, MAX_ROWS};
use super::pixel::parse_pixel;
use super::webhook::parse_webhook;
use super::*;
use crate::core::error::Invalid;
use serde_json::Value;

const MAX_NAME_LEN: usize = 120;
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
    if source == Source::Input {
        refuse_foreign_macros(&webhook, &pixel)?;
    }
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

/// Input holding another platform's macro (`{clickid}`, ...) where a `{{...}}` placeholder
/// belongs is a 422 on that field, suggesting the placeholder (see [`super::foreign_macro`]).
/// Stored connectors are read as they are.
fn refuse_foreign_macros(webhook: &WebhookConfig, pixel: &PixelConfig) -> Result<(), Invalid> {
    let mut fields: Vec<(String, &str, Scope)> = Vec::new();
    if let Some(url) = &webhook.url {
        fields.push(("webhook.url".into(), url.source.as_str(), Scope::Request));
    }
    for (key, rows) in [("params", &webhook.params), ("headers", &webhook.headers)] {
        for (i, row) in rows.iter().enumerate() {
            let path = format!("webhook.{key}[{i}].value");
            fields.push((path, row.value.source.as_str(), Scope::Request));
        }
    }
    fields.push(("pixel.html".into(), pixel.html.as_str(), Scope::Pixel));
    for (path, text, scope) in fields {
        if let Some(found) = find_foreign_macro(text, scope) {
            return Err(found.refusal(&path));
        }
    }
    Ok(())
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
