//! A partner's click id sent at the top level of a webhook, named exactly like one of the
//! container's connector click parameters (`"aff_click_id": "abc"`): it counts as that click id,
//! as if it came in `click_ids` (custom webhook) or as a click parameter (`/webhook`). Shops send
//! it that way because that is how the landing URL spelled it.
//!
//! Both parsers keep an unknown top-level field as an attribute of its own name; this reads
//! those attributes once the container's connectors are known, so the parsers stay independent
//! of storage. The attribute is kept too (`{{AFF_CLICK_ID}}` keeps working).

use crate::core::error::Invalid;
use crate::core::event::{Attributes, CarriedClick};
use crate::core::input::Raw;

/// Adds to `clicks` each attribute named like one of `params` (lower-case connector click
/// parameters), by the one click-value rule; a parameter the payload already carries as a click
/// (in `click_ids`) keeps that value. A damaged value is refused naming its field.
pub fn promote_partner_clicks(
    attributes: &Attributes,
    clicks: &mut Vec<CarriedClick>,
    params: &[String],
) -> Result<(), Invalid> {
    for param in params {
        if clicks.iter().any(|c| &c.param == param) {
            continue;
        }
        let Some(value) = attributes.as_map().get(param.as_str()) else {
            continue;
        };
        if let Some(text) = Raw::Json(value).as_text(param)? {
            clicks.extend(CarriedClick::read(param, &text, param)?);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::webhook_in::{parse_custom, parse_webhook, Topic, TrackOrSet, WebhookBody};
    use serde_json::json;

    fn params() -> Vec<String> {
        vec!["aff_click_id".to_string()]
    }

    #[test]
    fn a_custom_webhook_field_named_like_a_connector_click_parameter_is_that_click_id() {
        let body = json!({"conversion_id": "o-1", "aff_click_id": "abc-123", "plan": "gold"});
        let mut event = parse_custom(Topic::Purchase, &body).unwrap();
        promote_partner_clicks(&event.attributes, &mut event.clicks, &params()).unwrap();
        let click = CarriedClick {
            param: "aff_click_id".into(),
            value: "abc-123".into(),
        };
        assert_eq!(event.clicks, vec![click]);
        assert!(event.attributes.as_map().contains_key("aff_click_id"));
    }

    #[test]
    fn a_tracklution_parameter_named_like_a_connector_click_parameter_is_that_click_id() {
        let query = vec![
            ("track".to_string(), "Purchase".to_string()),
            ("aff_click_id".to_string(), "xyz".to_string()),
        ];
        let TrackOrSet::Track(mut event) = parse_webhook(&query, &WebhookBody::Empty).unwrap()
        else {
            panic!("a track request");
        };
        promote_partner_clicks(&event.attributes, &mut event.clicks, &params()).unwrap();
        assert_eq!(event.clicks.len(), 1);
        assert_eq!(event.clicks[0].value, "xyz");
    }

    #[test]
    fn click_ids_win_and_other_names_stay_attributes() {
        let body = json!({"aff_click_id": "top", "click_ids": {"aff_click_id": "inner"},
                          "other_id": "o"});
        let mut event = parse_custom(Topic::Purchase, &body).unwrap();
        promote_partner_clicks(&event.attributes, &mut event.clicks, &params()).unwrap();
        assert_eq!(event.clicks.len(), 1);
        assert_eq!(event.clicks[0].value, "inner");
        let mut none = parse_custom(Topic::Purchase, &json!({"other_id": "o"})).unwrap();
        promote_partner_clicks(&none.attributes, &mut none.clicks, &params()).unwrap();
        assert!(none.clicks.is_empty());
    }
}
