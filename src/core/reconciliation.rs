//! Reconciliation: per connector and local day, every triggered postback is accounted for,
//! `triggered = delivered + test + skipped (by reason) + failed + parked + in_flight`, where in
//! flight is `queued` or `retrying` and a dead-lettered delivery (status `failed`) is failed.
//! Also the events overview: a container's events per local day by status.
//!
//! This module owns the day range a request asks for (`from`/`to`) and the tally of counted
//! rows into days; which rows are counted (live rows plus the purge's rollups) is the store's.

use super::error::Invalid;
use super::time::UnixMs;
use super::time_zone::{local_date, Offsets};
use chrono::{Datelike, Duration, NaiveDate};
use serde::Serialize;
use std::collections::BTreeMap;

/// The longest range one request may ask for, in days.
pub const MAX_RANGE_DAYS: i64 = 366;
/// The range when neither end is given: the last 30 days, today included.
pub const DEFAULT_RANGE_DAYS: i64 = 30;

/// The local days `from..=to` a request asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayRange {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl DayRange {
    /// `from` and `to` as the query gives them (`YYYY-MM-DD`, inclusive). `to` defaults to
    /// today in `zone` at `now`, `from` to 29 days before `to`. A malformed day, `from` after
    /// `to`, or more than 366 days is refused, naming the field.
    pub fn parse(
        from: Option<&str>,
        to: Option<&str>,
        now: UnixMs,
        zone: &impl Offsets,
    ) -> Result<Self, Invalid> {
        let to = match to {
            Some(text) => parse_day(text, "to")?,
            None => local_date(now, zone),
        };
        let from = match from {
            Some(text) => parse_day(text, "from")?,
            None => to - Duration::days(DEFAULT_RANGE_DAYS - 1),
        };
        if from > to {
            return Err(Invalid::field(
                "invalid_range",
                "from",
                "must not be after to",
            ));
        }
        if (to - from).num_days() >= MAX_RANGE_DAYS {
            return Err(Invalid::field(
                "invalid_range",
                "from",
                format!("the range may span at most {MAX_RANGE_DAYS} days"),
            ));
        }
        Ok(Self { from, to })
    }
}

/// A day as `YYYY-MM-DD` (ISO 8601 calendar date, four-digit year).
fn parse_day(text: &str, field: &'static str) -> Result<NaiveDate, Invalid> {
    let shaped = text.len() == 10
        && text.char_indices().all(|(i, c)| {
            if i == 4 || i == 7 {
                c == '-'
            } else {
                c.is_ascii_digit()
            }
        });
    // Read by hand, not through chrono's format strings, which the wasm would carry only for this.
    let number =
        |range: std::ops::Range<usize>| text.get(range).and_then(|t| t.parse::<u32>().ok());
    shaped
        .then(|| {
            let year = i32::try_from(number(0..4)?).ok()?;
            NaiveDate::from_ymd_opt(year, number(5..7)?, number(8..10)?)
        })
        .flatten()
        .ok_or_else(|| Invalid::field("invalid_day", field, "must be a day as YYYY-MM-DD"))
}

/// `day` as `YYYY-MM-DD`.
fn iso_day(day: NaiveDate) -> String {
    format!("{:04}-{:02}-{:02}", day.year(), day.month(), day.day())
}

/// A delivery status as reconciliation counts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Delivered,
    Test,
    Skipped,
    Failed,
    Parked,
    InFlight,
}

impl Outcome {
    /// The stored `deliveries.status` (`queued` and `retrying` are in flight); `None` for a
    /// word the table's CHECK would not allow.
    pub fn of_status(status: &str) -> Option<Self> {
        Some(match status {
            "delivered" => Self::Delivered,
            "test" => Self::Test,
            "skipped" => Self::Skipped,
            "failed" => Self::Failed,
            "parked" => Self::Parked,
            "queued" | "retrying" => Self::InFlight,
            _ => return None,
        })
    }
}

/// One local day of a connector's reconciliation. `triggered` is always the sum of the rest.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(utoipa::ToSchema))]
pub struct DayCounts {
    /// The local day, `YYYY-MM-DD`, in the container's time zone.
    pub day: String,
    /// Every delivery made that day: the sum of the other figures.
    pub triggered: u64,
    /// Acknowledged by the partner (a 2xx).
    pub delivered: u64,
    /// Test Webhook sends.
    pub test: u64,
    /// Not sent, by reason (e.g. `not_attributed`, `approval_pending`).
    pub skipped: BTreeMap<String, u64>,
    /// Given up, dead-lettered included.
    pub failed: u64,
    /// Kept while the destination is parked.
    pub parked: u64,
    /// Queued or retrying.
    pub in_flight: u64,
}

impl DayCounts {
    fn add(&mut self, outcome: Outcome, reason: &str, n: u64) {
        match outcome {
            Outcome::Delivered => self.delivered += n,
            Outcome::Test => self.test += n,
            Outcome::Skipped => {
                let reason = if reason.is_empty() { "unknown" } else { reason };
                *self.skipped.entry(reason.to_string()).or_default() += n;
            }
            Outcome::Failed => self.failed += n,
            Outcome::Parked => self.parked += n,
            Outcome::InFlight => self.in_flight += n,
        }
        self.triggered += n;
    }

    /// Whether `triggered` equals the sum of its parts.
    pub fn balances(&self) -> bool {
        let skipped: u64 = self.skipped.values().sum();
        self.triggered
            == self.delivered + self.test + skipped + self.failed + self.parked + self.in_flight
    }
}

/// The days `from..=to` (every one, zero-filled), with `rows` of (day, status, reason, count)
/// added in. Rows for days outside the range or with unknown statuses are left out.
pub fn tally<'a>(
    range: DayRange,
    rows: impl IntoIterator<Item = (NaiveDate, &'a str, &'a str, u64)>,
) -> Vec<DayCounts> {
    let mut days: BTreeMap<NaiveDate, DayCounts> = BTreeMap::new();
    let mut day = range.from;
    while day <= range.to {
        days.insert(
            day,
            DayCounts {
                day: iso_day(day),
                ..DayCounts::default()
            },
        );
        day += Duration::days(1);
    }
    for (day, status, reason, n) in rows {
        if let (Some(counts), Some(outcome)) = (days.get_mut(&day), Outcome::of_status(status)) {
            counts.add(outcome, reason, n);
        }
    }
    days.into_values().collect()
}

/// One local day of a container's events by status.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(utoipa::ToSchema))]
pub struct EventDay {
    /// The local day, `YYYY-MM-DD`, in the container's time zone.
    pub day: String,
    /// Events that arrived that day: the sum of the four statuses.
    pub total: u64,
    pub received: u64,
    pub approved: u64,
    pub rejected: u64,
    pub reversed: u64,
}

/// The days `from..=to` (zero-filled) with `rows` of (day, event status, count) added in.
pub fn tally_events<'a>(
    range: DayRange,
    rows: impl IntoIterator<Item = (NaiveDate, &'a str, u64)>,
) -> Vec<EventDay> {
    let mut days: BTreeMap<NaiveDate, EventDay> = BTreeMap::new();
    let mut day = range.from;
    while day <= range.to {
        let label = iso_day(day);
        days.insert(
            day,
            EventDay {
                day: label,
                ..EventDay::default()
            },
        );
        day += Duration::days(1);
    }
    for (day, status, n) in rows {
        let Some(counts) = days.get_mut(&day) else {
            continue;
        };
        let slot = match status {
            "received" => &mut counts.received,
            "approved" => &mut counts.approved,
            "rejected" => &mut counts.rejected,
            "reversed" => &mut counts.reversed,
            _ => continue,
        };
        *slot += n;
        counts.total += n;
    }
    days.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::time_zone::fixed::TestZones;
    use crate::core::time_zone::{Utc, Zones};

    fn date(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    fn now() -> UnixMs {
        UnixMs::parse_rfc3339("2026-11-30T23:30:00Z").unwrap()
    }

    #[test]
    fn without_from_or_to_the_range_is_the_last_30_local_days() {
        let r = DayRange::parse(None, None, now(), &Utc).unwrap();
        assert_eq!((r.from, r.to), (date("2026-11-01"), date("2026-11-30")));
        let helsinki = TestZones.zone("Europe/Helsinki").unwrap();
        let r = DayRange::parse(None, None, now(), &helsinki).unwrap();
        assert_eq!(r.to, date("2026-12-01"));
    }

    #[test]
    fn bad_days_and_ranges_name_their_field() {
        for (from, to, field) in [
            (Some("2026-13-01"), None, "from"),
            (Some("2026-1-01"), None, "from"),
            (None, Some("yesterday"), "to"),
            (None, Some("2026-02-30"), "to"),
            (Some("+2026-01-01"), None, "from"),
            (Some("2026-12-01"), Some("2026-11-01"), "from"),
            (Some("2025-01-01"), Some("2026-01-02"), "from"),
        ] {
            let err = DayRange::parse(from, to, now(), &Utc).unwrap_err();
            assert_eq!(err.field.as_deref(), Some(field), "{from:?} {to:?}");
        }
        assert!(DayRange::parse(Some("2025-01-01"), Some("2026-01-01"), now(), &Utc).is_ok());
    }

    #[test]
    fn every_day_of_the_range_is_answered_and_each_balances() {
        let range = DayRange {
            from: date("2026-11-01"),
            to: date("2026-11-03"),
        };
        let d1 = date("2026-11-01");
        let d3 = date("2026-11-03");
        let rows = [
            (d1, "delivered", "", 5),
            (d1, "test", "", 1),
            (d1, "skipped", "not_attributed", 2),
            (d1, "skipped", "approval_pending", 3),
            (d1, "failed", "", 1),
            (d1, "parked", "", 4),
            (d1, "queued", "", 1),
            (d1, "retrying", "", 2),
            (d3, "delivered", "", 7),
            (date("2026-11-04"), "delivered", "", 9),
            (d3, "bogus", "", 9),
        ];
        let days = tally(range, rows);
        assert_eq!(days.len(), 3);
        let first = &days[0];
        assert_eq!(first.triggered, 19);
        assert_eq!(first.in_flight, 3);
        assert_eq!(first.skipped.get("approval_pending"), Some(&3));
        assert!(days.iter().all(DayCounts::balances));
        assert_eq!(days[1].triggered, 0);
        assert_eq!((days[2].day.as_str(), days[2].triggered), ("2026-11-03", 7));
    }

    #[test]
    fn events_are_counted_per_day_by_status() {
        let range = DayRange {
            from: date("2026-11-01"),
            to: date("2026-11-02"),
        };
        let d = date("2026-11-02");
        let days = tally_events(range, [(d, "received", 3), (d, "reversed", 1), (d, "x", 5)]);
        assert_eq!(days[0].total, 0);
        assert_eq!(
            (days[1].received, days[1].reversed, days[1].total),
            (3, 1, 4)
        );
    }
}
