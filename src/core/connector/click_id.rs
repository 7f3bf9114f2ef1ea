//! The `click_id` section of a connector: the query parameter its partner appends, the source
//! parameter and strict value that tell connectors sharing it apart, and the attribution rule
//! and window.

use super::json::{boolean, opt_string, Obj};
use super::{Attribution, ClickIdConfig};
use crate::core::error::Invalid;
use crate::core::input::whole_number;
use serde_json::Value;

pub(super) fn parse_click_id(o: Option<&Obj>) -> Result<ClickIdConfig, Invalid> {
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
        Some(v) => match v.as_number().and_then(whole_number) {
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
