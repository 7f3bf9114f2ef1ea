//! A connector's destination settings: when it is parked (`webhook.park_after_failures`,
//! `webhook.park_after_hours`) and how fast it may be sent to (`webhook.max_per_second`). The
//! rules that apply them are in `core::postback::destination` and `core::postback::throttle`.

use crate::core::error::Invalid;
use serde::Serialize;

/// When a destination is parked: the connector's `webhook.park_after_failures` and
/// `webhook.park_after_hours`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(utoipa::ToSchema))]
pub struct ParkPolicy {
    /// Consecutive failed attempts that park the destination (1 to 10,000; default 20).
    #[serde(rename = "park_after_failures")]
    pub after_failures: u32,
    /// Hours of failures without a success that park it (1 to 168; default 6).
    #[serde(rename = "park_after_hours")]
    pub after_hours: u32,
}

impl Default for ParkPolicy {
    fn default() -> Self {
        Self {
            after_failures: 20,
            after_hours: 6,
        }
    }
}

/// The most `park_after_failures` may be.
pub const MAX_FAILURES: u64 = 10_000;
/// The most `park_after_hours` may be (a week).
pub const MAX_HOURS: u64 = 168;

impl ParkPolicy {
    /// Reads the two settings from a connector's `webhook` object; absent or `null` is the
    /// default. Each must be a whole number in its range; the error names `webhook.<key>`.
    pub fn parse(webhook: &serde_json::Map<String, serde_json::Value>) -> Result<Self, Invalid> {
        let default = Self::default();
        Ok(Self {
            after_failures: whole(
                webhook,
                "park_after_failures",
                MAX_FAILURES,
                default.after_failures,
            )?,
            after_hours: whole(webhook, "park_after_hours", MAX_HOURS, default.after_hours)?,
        })
    }
}

/// The most `max_per_second` may be.
pub const MAX_PER_SECOND: u64 = 1_000;

/// `webhook.max_per_second`: absent or `null` for no limit, else a whole number from 1 to 1,000.
pub fn parse_max_per_second(
    webhook: &serde_json::Map<String, serde_json::Value>,
) -> Result<Option<u32>, Invalid> {
    match webhook.get("max_per_second") {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(_) => whole(webhook, "max_per_second", MAX_PER_SECOND, 1).map(Some),
    }
}

fn whole(
    o: &serde_json::Map<String, serde_json::Value>,
    key: &str,
    max: u64,
    default: u32,
) -> Result<u32, Invalid> {
    let path = format!("webhook.{key}");
    match o.get(key) {
        None | Some(serde_json::Value::Null) => Ok(default),
        // `whole_number`: `20.0` is a whole number too, as JSON Schema's `integer` counts it.
        Some(v) => v
            .as_number()
            .and_then(crate::core::input::whole_number)
            .filter(|n| (1..=i128::from(max)).contains(n))
            .and_then(|n| u32::try_from(n).ok())
            .ok_or_else(|| {
                Invalid::field(
                    "invalid_number",
                    path,
                    format!("must be a whole number from 1 to {max}"),
                )
            }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_whole_number_written_with_a_zero_fraction_is_accepted() {
        let o = json!({"park_after_failures": 2294.0, "max_per_second": 5.0});
        let o = o.as_object().unwrap();
        assert_eq!(whole(o, "park_after_failures", 10_000, 20), Ok(2294));
        assert_eq!(parse_max_per_second(o), Ok(Some(5)));
        let half = json!({"park_after_failures": 2.5});
        assert!(whole(half.as_object().unwrap(), "park_after_failures", 10_000, 20).is_err());
    }

    #[test]
    fn max_per_second_is_absent_for_no_limit_or_a_whole_number_up_to_1000() {
        let parse = |v: serde_json::Value| parse_max_per_second(v.as_object().unwrap());
        assert_eq!(parse(json!({})).unwrap(), None);
        assert_eq!(parse(json!({"max_per_second": null})).unwrap(), None);
        assert_eq!(parse(json!({"max_per_second": 5})).unwrap(), Some(5));
        for bad in [json!(0), json!(1001), json!(2.5), json!("5")] {
            let e = parse(json!({ "max_per_second": bad })).unwrap_err();
            assert_eq!(e.field.as_deref(), Some("webhook.max_per_second"));
        }
    }

    #[test]
    fn the_park_settings_default_and_refuse_what_is_not_a_whole_number_in_range() {
        let parse = |v: serde_json::Value| ParkPolicy::parse(v.as_object().unwrap());
        assert_eq!(parse(json!({})).unwrap(), ParkPolicy::default());
        assert_eq!(
            parse(json!({"park_after_failures": 3, "park_after_hours": null})).unwrap(),
            ParkPolicy {
                after_failures: 3,
                after_hours: 6
            }
        );
        for bad in [json!(0), json!(-1), json!(1.5), json!("3"), json!(10_001)] {
            let e = parse(json!({ "park_after_failures": bad })).unwrap_err();
            assert_eq!(e.field.as_deref(), Some("webhook.park_after_failures"));
        }
        let e = parse(json!({"park_after_hours": 169})).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("webhook.park_after_hours"));
    }
}
