//! The per-key, per-minute rate limit of the inbound webhooks and its fixed one-minute window.

use crate::core::error::Invalid;
use crate::core::input::whole_number;
use serde_json::Value;

const WINDOW_MS: i64 = 60_000;

/// The fixed one-minute window `now_ms` falls in: the counter key for per-minute limits.
pub fn minute_window(now_ms: i64) -> i64 {
    now_ms.div_euclid(WINDOW_MS)
}

/// Whole seconds until the current window ends, rounded up and at least 1: the `Retry-After`
/// of a 429, after which a retry lands in a fresh window.
pub fn retry_after_seconds(now_ms: i64) -> u32 {
    let remaining_ms = WINDOW_MS - now_ms.rem_euclid(WINDOW_MS);
    let seconds = (remaining_ms + 999) / 1000;
    u32::try_from(seconds.max(1)).unwrap_or(60)
}

pub const DEFAULT_RATE_LIMIT_PER_MINUTE: u32 = 60;
pub const MAX_RATE_LIMIT_PER_MINUTE: u32 = 100_000;

/// Requests per minute one API key may make: 1 to 100000, 60 unless the admin says otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(transparent)]
pub struct RateLimit(u32);

impl Default for RateLimit {
    fn default() -> Self {
        Self(DEFAULT_RATE_LIMIT_PER_MINUTE)
    }
}

impl RateLimit {
    pub fn new(per_minute: u32, field: &str) -> Result<Self, Invalid> {
        if (1..=MAX_RATE_LIMIT_PER_MINUTE).contains(&per_minute) {
            Ok(Self(per_minute))
        } else {
            Err(out_of_range(field))
        }
    }

    /// From an admin JSON body: absent or null gives the default; otherwise a whole number in
    /// range.
    pub fn from_json(value: Option<&Value>, field: &str) -> Result<Self, Invalid> {
        match value {
            None | Some(Value::Null) => Ok(Self::default()),
            Some(Value::Number(n)) => match whole_number(n).map(u32::try_from) {
                Some(Ok(per_minute)) => Self::new(per_minute, field),
                _ => Err(out_of_range(field)),
            },
            Some(_) => Err(Invalid::field(
                "invalid_type",
                field,
                "must be a whole number of requests per minute",
            )),
        }
    }

    pub fn per_minute(self) -> u32 {
        self.0
    }

    /// `count` is the number of requests in this window including the current one.
    pub fn allows(self, count: u64) -> bool {
        count <= u64::from(self.0)
    }
}

fn out_of_range(field: &str) -> Invalid {
    Invalid::field(
        "invalid_rate_limit",
        field,
        format!("must be a whole number from 1 to {MAX_RATE_LIMIT_PER_MINUTE}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn minute_windows_are_fixed_sixty_second_buckets() {
        assert_eq!(minute_window(0), 0);
        assert_eq!(minute_window(59_999), 0);
        assert_eq!(minute_window(60_000), 1);
        assert_eq!(minute_window(1_700_000_000_000), 28_333_333);
        assert_eq!(minute_window(-1), -1);
    }

    #[test]
    fn retry_after_counts_whole_seconds_to_the_window_end_and_is_at_least_one() {
        assert_eq!(retry_after_seconds(0), 60);
        assert_eq!(retry_after_seconds(1), 60);
        assert_eq!(retry_after_seconds(59_000), 1);
        assert_eq!(retry_after_seconds(59_001), 1);
        assert_eq!(retry_after_seconds(59_999), 1);
        assert_eq!(retry_after_seconds(30_500), 30);
        assert_eq!(retry_after_seconds(-1), 1);
        for extreme in [i64::MIN, i64::MAX] {
            assert!((1..=60).contains(&retry_after_seconds(extreme)));
        }
    }

    #[test]
    fn rate_limits_default_to_sixty_and_stay_in_range() {
        assert_eq!(
            RateLimit::from_json(None, "rate_limit")
                .unwrap()
                .per_minute(),
            60
        );
        assert_eq!(
            RateLimit::from_json(Some(&json!(null)), "rate_limit").unwrap(),
            RateLimit::default()
        );
        assert_eq!(
            RateLimit::from_json(Some(&json!(100_000)), "rate_limit")
                .unwrap()
                .per_minute(),
            100_000
        );
        for bad in [
            json!(0),
            json!(100_001),
            json!(-5),
            json!(1.5),
            json!(u64::MAX),
        ] {
            let err = RateLimit::from_json(Some(&bad), "rate_limit").unwrap_err();
            assert_eq!(err.code, "invalid_rate_limit", "{bad}");
            assert_eq!(err.field.as_deref(), Some("rate_limit"));
        }
        assert_eq!(
            RateLimit::from_json(Some(&json!(51.0)), "rate_limit")
                .unwrap()
                .per_minute(),
            51
        );
        let err = RateLimit::from_json(Some(&json!("60")), "rate_limit").unwrap_err();
        assert_eq!(err.code, "invalid_type");
    }

    #[test]
    fn a_rate_limit_allows_exactly_its_count_per_window() {
        let limit = RateLimit::new(2, "rate_limit").unwrap();
        assert!(limit.allows(1));
        assert!(limit.allows(2));
        assert!(!limit.allows(3));
    }
}
