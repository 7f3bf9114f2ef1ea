//! The click parameters of a custom webhook payload: every parameter of the click-parameter
//! registry at the top level under its canonical name, and a partner's own in `click_ids`.

use super::{not_an_object, Obj, MAX_CLICK_IDS};
use crate::core::click_params::CLICK_PARAMS;
use crate::core::error::Invalid;
use crate::core::event::CarriedClick;
use crate::core::input::Raw;
use serde_json::Value;

/// One click parameter of `o`, by the one click-value rule; null and empty are absent.
fn carried(o: &Obj, key: &str, path: &str) -> Result<Option<CarriedClick>, Invalid> {
    let Some(value) = o.get(key) else {
        return Ok(None);
    };
    match Raw::Json(value).as_text(path)? {
        Some(text) => CarriedClick::read(key, &text, path),
        None => Ok(None),
    }
}

/// The registry's parameters first, in its order, then the partner's, without repeats.
pub(super) fn clicks(root: &Obj) -> Result<Vec<CarriedClick>, Invalid> {
    let mut clicks = Vec::new();
    for param in CLICK_PARAMS {
        clicks.extend(carried(root, param.name, param.name)?);
    }
    let partner = match root.get("click_ids") {
        None | Some(Value::Null) => return Ok(clicks),
        Some(Value::Object(o)) => o,
        Some(_) => return Err(not_an_object("click_ids")),
    };
    if partner.len() > MAX_CLICK_IDS {
        return Err(Invalid::field(
            "too_many_click_ids",
            "click_ids",
            format!("at most {MAX_CLICK_IDS} click ids"),
        ));
    }
    for key in partner.keys() {
        let path = format!("click_ids.{key}");
        let well_formed = !key.is_empty()
            && key.len() <= 64
            && key
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !well_formed {
            return Err(Invalid::field(
                "invalid_field",
                path.chars().take(200).collect::<String>(),
                "click parameter names are lower-case letters, digits and _",
            ));
        }
        if let Some(click) = carried(partner, key, &path)? {
            if !clicks.contains(&click) {
                clicks.push(click);
            }
        }
    }
    Ok(clicks)
}
