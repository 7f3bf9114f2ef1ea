//! A container's time zone: the IANA name its days are counted in (reconciliation, the events
//! overview), and the local days and midnights it gives.
//!
//! The core holds no time zone database (the wasm size is watched): whoever parses a name hands
//! in a [`Zones`] that knows which names exist and what their UTC offset is at an instant. On
//! the edge that is the runtime's `Intl.DateTimeFormat`; native tests use fixed tables.

use super::error::Invalid;
use super::time::UnixMs;
use chrono::{Duration, NaiveDate};
use serde::Serialize;
use serde_json::Value;

/// The default: days start at midnight UTC.
pub const DEFAULT_TIME_ZONE: &str = "UTC";
/// The longest IANA name accepted (the longest in use today has 30 characters).
pub const MAX_TIME_ZONE_LEN: usize = 64;
/// Milliseconds in a day.
const DAY_MS: i64 = 86_400_000;

/// A time zone's offset from UTC at an instant, in milliseconds (local time minus UTC:
/// `Europe/Helsinki` in summer is +3 h).
pub trait Offsets {
    fn offset_ms(&self, at: UnixMs) -> i64;
}

/// The time zones a runtime knows: `zone` answers `None` for an unknown name.
pub trait Zones {
    type Zone: Offsets;
    fn zone(&self, name: &str) -> Option<Self::Zone>;
}

/// UTC: offset 0 at every instant.
#[derive(Debug, Clone, Copy, Default)]
pub struct Utc;

impl Offsets for Utc {
    fn offset_ms(&self, _: UnixMs) -> i64 {
        0
    }
}

/// An IANA time zone name that the runtime knows, e.g. `Europe/Helsinki` or `UTC`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct TimeZone(String);

impl TimeZone {
    /// `time_zone` as a body gives it: absent or `null` is UTC; otherwise a string of at most
    /// 64 characters in the IANA form (letters, digits, `/`, `_`, `-`, `+`) that `zones` knows.
    /// Anything else is refused, naming `time_zone`.
    pub fn parse(value: Option<&Value>, zones: &impl Zones) -> Result<Self, Invalid> {
        let name = match value {
            None | Some(Value::Null) => return Ok(Self::utc()),
            Some(Value::String(s)) => s.as_str(),
            Some(_) => {
                return Err(Invalid::field(
                    "invalid_type",
                    "time_zone",
                    "must be a string such as Europe/Helsinki",
                ))
            }
        };
        let shaped = !name.is_empty()
            && name.len() <= MAX_TIME_ZONE_LEN
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "/_-+".contains(c));
        if !shaped || zones.zone(name).is_none() {
            return Err(Invalid::field(
                "invalid_time_zone",
                "time_zone",
                "must be an IANA time zone name such as Europe/Helsinki or UTC",
            ));
        }
        Ok(Self(name.to_string()))
    }

    /// The name as stored: it was parsed when it was set.
    pub fn stored(name: &str) -> Self {
        Self(name.to_string())
    }

    pub fn utc() -> Self {
        Self(DEFAULT_TIME_ZONE.to_string())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The local calendar date at `at` in `zone`.
pub fn local_date(at: UnixMs, zone: &impl Offsets) -> NaiveDate {
    let local = at.millis().saturating_add(zone.offset_ms(at));
    date_of_utc_ms(local)
}

/// The instant local `day` begins in `zone`: its local midnight, or, where a clock change skips
/// midnight, the first instant of that day. Found by fixed-point iteration on the offset, which
/// changes at most twice a year, so two steps reach it; a skipped midnight is then moved to the
/// transition.
pub fn day_start(day: NaiveDate, zone: &impl Offsets) -> UnixMs {
    let midnight = utc_ms_of_date(day);
    let mut at = UnixMs::from_millis(midnight);
    for _ in 0..3 {
        at = UnixMs::from_millis(midnight - zone.offset_ms(at));
    }
    // In a gap (the clock jumped over midnight), `at` may fall on the previous local day: step
    // forward to the first instant whose local date is `day` (offsets change by whole quarter
    // hours, so quarter-hour steps find it).
    let mut guard = 0;
    while local_date(at, zone) < day && guard < 8 {
        let next = (at.millis().div_euclid(QUARTER_HOUR_MS) + 1) * QUARTER_HOUR_MS;
        at = UnixMs::from_millis(next);
        guard += 1;
    }
    at
}

/// One local day with the UTC instants it spans: `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DaySpan {
    pub day: NaiveDate,
    pub start: UnixMs,
    pub end: UnixMs,
}

/// The spans of the local days `from..=to` in `zone`, in order; each ends where the next begins.
pub fn day_spans(from: NaiveDate, to: NaiveDate, zone: &impl Offsets) -> Vec<DaySpan> {
    let mut spans = Vec::new();
    let mut day = from;
    let mut start = day_start(day, zone);
    while day <= to {
        let next = day + Duration::days(1);
        let end = day_start(next, zone);
        spans.push(DaySpan { day, start, end });
        day = next;
        start = end;
    }
    spans
}

/// A quarter hour in milliseconds: the granularity of rollups (see `migrations/0012_*`).
pub const QUARTER_HOUR_MS: i64 = 900_000;

fn utc_ms_of_date(day: NaiveDate) -> i64 {
    day.and_hms_opt(0, 0, 0)
        .map_or(0, |t| t.and_utc().timestamp_millis())
}

fn date_of_utc_ms(ms: i64) -> NaiveDate {
    let days = ms.div_euclid(DAY_MS);
    NaiveDate::from_ymd_opt(1970, 1, 1)
        .and_then(|epoch| epoch.checked_add_signed(Duration::days(days)))
        .unwrap_or(NaiveDate::MIN)
}

#[cfg(test)]
pub mod fixed {
    //! Time zones with fixed transition tables, for native tests (no tz database in the build).
    use super::*;

    /// A zone as a base offset and (start, end, offset) periods of summer time, in UTC ms.
    #[derive(Debug, Clone)]
    pub struct Table {
        pub standard_ms: i64,
        pub summer: Vec<(i64, i64, i64)>,
    }

    impl Offsets for Table {
        fn offset_ms(&self, at: UnixMs) -> i64 {
            let t = at.millis();
            self.summer
                .iter()
                .find(|(s, e, _)| (*s..*e).contains(&t))
                .map_or(self.standard_ms, |(_, _, o)| *o)
        }
    }

    const H: i64 = 3_600_000;

    fn at(text: &str) -> i64 {
        UnixMs::parse_rfc3339(text).map_or(0, UnixMs::millis)
    }

    /// The zones the tests use, with their 2026 rules (tzdata 2025).
    pub struct TestZones;

    impl Zones for TestZones {
        type Zone = Table;
        fn zone(&self, name: &str) -> Option<Table> {
            let table = |standard_ms, summer| Table {
                standard_ms,
                summer,
            };
            Some(match name {
                "UTC" | "Etc/UTC" => table(0, vec![]),
                // EET/EEST: summer time from 01:00 UTC on the last Sunday of March to 01:00
                // UTC on the last Sunday of October.
                "Europe/Helsinki" => table(
                    2 * H,
                    vec![(
                        at("2026-03-29T01:00:00Z"),
                        at("2026-10-25T01:00:00Z"),
                        3 * H,
                    )],
                ),
                // EST/EDT: from 2 a.m. local on the second Sunday of March to 2 a.m. local on
                // the first Sunday of November.
                "America/New_York" => table(
                    -5 * H,
                    vec![(
                        at("2026-03-08T07:00:00Z"),
                        at("2026-11-01T06:00:00Z"),
                        -4 * H,
                    )],
                ),
                "Asia/Kolkata" => table(5 * H + 30 * 60_000, vec![]),
                // Summer time began at midnight (00:00 became 01:00) on 2024-09-08 here.
                "America/Santiago" => table(
                    -4 * H,
                    vec![(
                        at("2024-09-08T04:00:00Z"),
                        at("2025-04-06T03:00:00Z"),
                        -3 * H,
                    )],
                ),
                _ => return None,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::fixed::TestZones;
    use super::*;
    use serde_json::json;

    fn date(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    fn ms(text: &str) -> UnixMs {
        UnixMs::parse_rfc3339(text).unwrap()
    }

    #[test]
    fn a_known_name_is_kept_and_absence_means_utc() {
        let tz = TimeZone::parse(Some(&json!("Europe/Helsinki")), &TestZones).unwrap();
        assert_eq!(tz.as_str(), "Europe/Helsinki");
        assert_eq!(TimeZone::parse(None, &TestZones).unwrap(), TimeZone::utc());
        assert_eq!(
            TimeZone::parse(Some(&Value::Null), &TestZones).unwrap(),
            TimeZone::utc()
        );
    }

    #[test]
    fn unknown_or_malformed_names_are_refused_naming_the_field() {
        for bad in [
            json!("Mars/Olympus"),
            json!(""),
            json!("Europe/Helsinki\n"),
            json!("../../etc"),
            json!(3),
            json!("x".repeat(65)),
        ] {
            let err = TimeZone::parse(Some(&bad), &TestZones).unwrap_err();
            assert_eq!(err.field.as_deref(), Some("time_zone"), "{bad}");
        }
    }

    #[test]
    fn a_day_starts_at_local_midnight_and_spans_23_or_25_hours_on_clock_changes() {
        let zones = TestZones;
        let helsinki = zones.zone("Europe/Helsinki").unwrap();
        let spans = day_spans(date("2026-03-28"), date("2026-03-30"), &helsinki);
        assert_eq!(spans.len(), 3);
        assert_eq!(spans[0].start, ms("2026-03-27T22:00:00Z"));
        assert_eq!(spans[1].start, ms("2026-03-28T22:00:00Z"));
        assert_eq!(spans[2].start, ms("2026-03-29T21:00:00Z"));
        assert_eq!(
            spans[1].end.millis() - spans[1].start.millis(),
            23 * 3_600_000
        );
        let autumn = day_spans(date("2026-10-25"), date("2026-10-25"), &helsinki);
        assert_eq!(
            autumn[0].end.millis() - autumn[0].start.millis(),
            25 * 3_600_000
        );
    }

    #[test]
    fn a_skipped_midnight_starts_the_day_at_the_clock_change() {
        let santiago = TestZones.zone("America/Santiago").unwrap();
        assert_eq!(
            day_start(date("2024-09-08"), &santiago),
            ms("2024-09-08T04:00:00Z")
        );
        assert_eq!(
            day_start(date("2024-09-09"), &santiago),
            ms("2024-09-09T03:00:00Z")
        );
    }

    #[test]
    fn the_local_date_of_an_instant_near_midnight_follows_the_zone() {
        let zones = TestZones;
        let near = ms("2026-06-30T22:30:00Z");
        assert_eq!(local_date(near, &Utc), date("2026-06-30"));
        assert_eq!(
            local_date(near, &zones.zone("Europe/Helsinki").unwrap()),
            date("2026-07-01")
        );
        assert_eq!(
            local_date(
                ms("2026-07-01T03:00:00Z"),
                &zones.zone("America/New_York").unwrap()
            ),
            date("2026-06-30")
        );
        let kolkata = zones.zone("Asia/Kolkata").unwrap();
        assert_eq!(
            day_start(date("2026-07-01"), &kolkata),
            ms("2026-06-30T18:30:00Z")
        );
    }
}
