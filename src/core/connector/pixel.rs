//! The `pixel` section of a connector: the partner's HTML, parsed by the context-aware template
//! engine when it is saved, its sandbox flag, and the approval that any edit of either clears.

use super::json::{boolean, Obj};
use super::PixelConfig;
use crate::core::error::Invalid;
use crate::core::template::PixelTemplate;
use serde_json::Value;

/// Largest pixel HTML accepted.
pub const MAX_PIXEL_HTML_BYTES: usize = 64 * 1024;

pub(super) fn parse_pixel(
    o: Option<&Obj>,
    previous: Option<&PixelConfig>,
) -> Result<PixelConfig, Invalid> {
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
    // The approval covers what was reviewed: the HTML and where it runs. Moving a pixel out of
    // its sandbox (or into one) changes what it can do, so it needs approving again.
    let approved_at = previous
        .filter(|p| p.html == html && p.sandbox == sandbox)
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
