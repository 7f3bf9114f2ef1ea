//! How long a container keeps each kind of data, and what the cron sweep may purge.
//!
//! Six kinds ([`DataKind`]), each with its own number of days. The defaults:
//! - events, clicks, identities and visitors: 400 days, the lifetime of the `pc_vid` cookie
//!   that ties them to a person (older data could no longer be tied to anyone who returns);
//! - deliveries (the webhook log) and webhook activity: the worker's `LOG_RETENTION_DAYS`
//!   (30 unless set), as before retention was per container.
//!
//! Click retention is never shorter than the longest attribution window of the container's
//! connectors ([`Retention::click_days`]): a click purged inside its window would cost the
//! partner who sent it its conversion. What the sweep never purges, whatever the settings: a
//! delivery still pending (queued, retrying or parked), the marker that a conversion was
//! delivered to a connector (the row, emptied of its request, lives as long as its event), and
//! daily reconciliation counts.

use super::error::Invalid;
use serde::Serialize;
use serde_json::{Map, Value};

/// Shortest and longest retention accepted, in days.
pub const MIN_RETENTION_DAYS: u32 = 1;
pub const MAX_RETENTION_DAYS: u32 = 3650;
/// The default for events, clicks, identities and visitors: `pc_vid`'s 400 days.
pub const DEFAULT_PERSON_DAYS: u32 = 400;

/// A kind of stored data with its own retention.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DataKind {
    /// `events` (and the `pending_identities` waiting for them).
    Events,
    /// `clicks`.
    Clicks,
    /// `identities`: hashed email and phone, external ids.
    Identities,
    /// `visitors`: what set requests told us about a visitor.
    Visitors,
    /// `deliveries` and their attempts: the webhook log.
    Deliveries,
    /// `webhook_requests`: recent webhook activity.
    Activity,
}

impl DataKind {
    /// Every kind, in the order settings list them.
    pub const ALL: [DataKind; 6] = [
        DataKind::Events,
        DataKind::Clicks,
        DataKind::Identities,
        DataKind::Visitors,
        DataKind::Deliveries,
        DataKind::Activity,
    ];

    /// The key under `retention_days`.
    pub fn key(self) -> &'static str {
        match self {
            DataKind::Events => "events",
            DataKind::Clicks => "clicks",
            DataKind::Identities => "identities",
            DataKind::Visitors => "visitors",
            DataKind::Deliveries => "deliveries",
            DataKind::Activity => "activity",
        }
    }
}

/// The days a container keeps each kind, as set. Unset kinds take the defaults
/// ([`Retention::days`]); only what was set is stored, so a changed default reaches every
/// container that never chose.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Retention {
    set: Vec<(DataKind, u32)>,
}

impl Retention {
    /// `retention_days`: an object of kind → whole days (1 to 3650), or `null` for the default.
    /// Unknown kinds and other values are refused, naming `retention_days.{kind}`.
    pub fn parse(value: Option<&Value>) -> Result<Self, Invalid> {
        let map = match value {
            None | Some(Value::Null) => return Ok(Self::default()),
            Some(Value::Object(map)) => map,
            Some(_) => {
                return Err(Invalid::field(
                    "invalid_type",
                    "retention_days",
                    "must be an object such as {\"events\": 90}",
                ))
            }
        };
        let mut set = Vec::new();
        for (key, days) in map {
            let field = format!("retention_days.{key}");
            let Some(kind) = DataKind::ALL.into_iter().find(|k| k.key() == key) else {
                let known: Vec<&str> = DataKind::ALL.iter().map(|k| k.key()).collect();
                return Err(Invalid::field(
                    "unknown_field",
                    field,
                    format!("is not a kind of data; the kinds are {}", known.join(", ")),
                ));
            };
            match days {
                Value::Null => {}
                // A whole number written with a fraction (`30.0`) is that number, as everywhere.
                Value::Number(n) => {
                    match super::input::whole_number(n).and_then(|d| u32::try_from(d).ok()) {
                        Some(d) if (MIN_RETENTION_DAYS..=MAX_RETENTION_DAYS).contains(&d) => {
                            set.push((kind, d))
                        }
                        _ => return Err(out_of_range(field)),
                    }
                }
                _ => return Err(out_of_range(field)),
            }
        }
        Ok(Self { set })
    }

    /// The stored form: only the kinds that were set.
    pub fn to_stored(&self) -> Value {
        let map: Map<String, Value> = self
            .set
            .iter()
            .map(|(kind, days)| (kind.key().to_string(), Value::from(*days)))
            .collect();
        Value::Object(map)
    }

    /// The days set for `kind`, if any.
    pub fn set_days(&self, kind: DataKind) -> Option<u32> {
        self.set.iter().find(|(k, _)| *k == kind).map(|(_, d)| *d)
    }

    /// The days `kind` is kept: as set, else the default (`log_days` is the worker's
    /// `LOG_RETENTION_DAYS`, the default of deliveries and activity).
    pub fn days(&self, kind: DataKind, log_days: u32) -> u32 {
        self.set_days(kind).unwrap_or(match kind {
            DataKind::Deliveries | DataKind::Activity => log_days,
            _ => DEFAULT_PERSON_DAYS,
        })
    }

    /// The days clicks are kept: never fewer than `longest_window_days`, the longest
    /// attribution window of the container's connectors.
    pub fn click_days(&self, log_days: u32, longest_window_days: u32) -> u32 {
        self.days(DataKind::Clicks, log_days)
            .max(longest_window_days)
    }

    /// The days `kind` is kept in effect: [`Retention::click_days`] for clicks, else
    /// [`Retention::days`].
    pub fn effective_days(&self, kind: DataKind, log_days: u32, longest_window_days: u32) -> u32 {
        match kind {
            DataKind::Clicks => self.click_days(log_days, longest_window_days),
            _ => self.days(kind, log_days),
        }
    }

    /// Every kind with the days it is kept, for answers (`retention_days` in a container).
    pub fn effective(&self, log_days: u32, longest_window_days: u32) -> RetentionDays {
        let days = |kind| self.effective_days(kind, log_days, longest_window_days);
        RetentionDays {
            events: days(DataKind::Events),
            clicks: days(DataKind::Clicks),
            identities: days(DataKind::Identities),
            visitors: days(DataKind::Visitors),
            deliveries: days(DataKind::Deliveries),
            activity: days(DataKind::Activity),
        }
    }
}

/// The days a container keeps each kind of data in effect (as set, else the default; clicks
/// never fewer than the longest attribution window). One field per [`DataKind`], named by its
/// key (a test holds the two together).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(utoipa::ToSchema))]
pub struct RetentionDays {
    pub events: u32,
    pub clicks: u32,
    pub identities: u32,
    pub visitors: u32,
    pub deliveries: u32,
    pub activity: u32,
}

impl Serialize for Retention {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_stored().serialize(s)
    }
}

fn out_of_range(field: String) -> Invalid {
    Invalid::field(
        "invalid_retention",
        field,
        format!("must be a whole number of days from {MIN_RETENTION_DAYS} to {MAX_RETENTION_DAYS}, or null for the default"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unset_kinds_take_the_documented_defaults() {
        let r = Retention::parse(None).unwrap();
        assert_eq!(r.days(DataKind::Events, 30), 400);
        assert_eq!(r.days(DataKind::Visitors, 30), 400);
        assert_eq!(r.days(DataKind::Deliveries, 30), 30);
        assert_eq!(r.days(DataKind::Activity, 7), 7);
        assert_eq!(r.to_stored(), json!({}));
    }

    #[test]
    fn set_kinds_are_kept_and_stored_alone() {
        let r =
            Retention::parse(Some(&json!({"events": 90, "activity": 3, "clicks": null}))).unwrap();
        assert_eq!(r.days(DataKind::Events, 30), 90);
        assert_eq!(r.days(DataKind::Activity, 30), 3);
        assert_eq!(r.days(DataKind::Clicks, 30), 400);
        assert_eq!(r.to_stored(), json!({"events": 90, "activity": 3}));
        assert_eq!(Retention::parse(Some(&r.to_stored())).unwrap(), r);
    }

    #[test]
    fn a_whole_number_written_with_a_fraction_is_that_many_days() {
        let r = Retention::parse(Some(&json!({"visitors": 435.0}))).unwrap();
        assert_eq!(r.days(DataKind::Visitors, 30), 435);
        let err = Retention::parse(Some(&json!({"visitors": 435.5}))).unwrap_err();
        assert_eq!(err.field.as_deref(), Some("retention_days.visitors"));
    }

    #[test]
    fn clicks_are_kept_at_least_as_long_as_the_longest_attribution_window() {
        let r = Retention::parse(Some(&json!({"clicks": 7}))).unwrap();
        assert_eq!(r.click_days(30, 0), 7);
        assert_eq!(r.click_days(30, 90), 90);
        assert_eq!(r.effective(30, 90).clicks, 90);
        assert_eq!(r.effective(30, 90).deliveries, 30);
    }

    #[test]
    fn the_answer_names_every_kind_of_data_once() {
        let answer = serde_json::to_value(Retention::default().effective(30, 0)).unwrap();
        let mut keys: Vec<&str> = answer
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let mut kinds: Vec<&str> = DataKind::ALL.iter().map(|k| k.key()).collect();
        keys.sort_unstable();
        kinds.sort_unstable();
        assert_eq!(keys, kinds);
    }

    #[test]
    fn bad_retention_values_name_their_field() {
        for (body, field) in [
            (json!({"events": 0}), "retention_days.events"),
            (json!({"events": 3651}), "retention_days.events"),
            (json!({"events": 1.5}), "retention_days.events"),
            (json!({"events": "30"}), "retention_days.events"),
            (json!({"logs": 30}), "retention_days.logs"),
            (json!([30]), "retention_days"),
        ] {
            let err = Retention::parse(Some(&body)).unwrap_err();
            assert_eq!(err.field.as_deref(), Some(field), "{body}");
        }
    }
}
