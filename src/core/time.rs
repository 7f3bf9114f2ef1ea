//! The one timestamp type for stored times: Unix milliseconds, UTC. Every time a D1 row holds
//! (`created_at`, `updated_at`, `received_at`, `next_attempt_at`, ...) is an INTEGER of these,
//! and reads back as one; the admin API shows them as RFC 3339 with milliseconds.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A point in time, in milliseconds since 1970-01-01T00:00:00Z.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UnixMs(i64);

impl UnixMs {
    pub const fn from_millis(ms: i64) -> Self {
        Self(ms)
    }

    /// Milliseconds since the epoch.
    pub const fn millis(self) -> i64 {
        self.0
    }

    /// Whole seconds since the epoch, rounded down (also before 1970).
    pub const fn seconds(self) -> i64 {
        self.0.div_euclid(1000)
    }

    /// This time moved by `ms` milliseconds (negative goes back), saturating.
    pub const fn plus_ms(self, ms: i64) -> Self {
        Self(self.0.saturating_add(ms))
    }

    /// RFC 3339 in UTC with milliseconds, e.g. `2026-11-30T06:44:00.123Z`; empty for a time
    /// outside the calendar chrono can print (about ±262,000 years).
    pub fn iso8601(self) -> String {
        chrono::DateTime::from_timestamp_millis(self.0)
            .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
            .unwrap_or_default()
    }
}

impl UnixMs {
    /// Reads an RFC 3339 time (`2026-11-30T00:00:00Z`, `2026-11-30T01:00:00+01:00`) as a query
    /// parameter or body field gives it; `None` when it is not one.
    pub fn parse_rfc3339(text: &str) -> Option<Self> {
        chrono::DateTime::parse_from_rfc3339(text.trim())
            .ok()
            .map(|t| Self(t.timestamp_millis()))
    }
}

impl fmt::Display for UnixMs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ms", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_time_prints_as_rfc3339_with_milliseconds_in_utc() {
        assert_eq!(
            UnixMs::from_millis(1_790_000_000_123).iso8601(),
            "2026-09-21T14:13:20.123Z"
        );
        assert_eq!(UnixMs::from_millis(0).iso8601(), "1970-01-01T00:00:00.000Z");
        assert_eq!(UnixMs::from_millis(i64::MAX).iso8601(), "");
    }

    #[test]
    fn seconds_round_down_and_moves_saturate() {
        assert_eq!(UnixMs::from_millis(1_999).seconds(), 1);
        assert_eq!(UnixMs::from_millis(-1).seconds(), -1);
        assert_eq!(UnixMs::from_millis(1_000).plus_ms(-1_500).millis(), -500);
        assert_eq!(UnixMs::from_millis(i64::MAX).plus_ms(1).millis(), i64::MAX);
    }

    #[test]
    fn a_time_is_stored_as_a_plain_integer() {
        let t: UnixMs = serde_json::from_str("1790000000123").unwrap();
        assert_eq!(t.millis(), 1_790_000_000_123);
        assert_eq!(serde_json::to_string(&t).unwrap(), "1790000000123");
    }
}
