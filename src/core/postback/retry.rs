//! The retry policy as data: a schedule of delays and one function that decides what happens
//! after an attempt. Randomness (jitter) and the clock come in as arguments.
//!
//! Rules:
//! - a 2xx answer is delivered; anything else, a timeout or a network error is retried;
//! - 410 Gone stops: the partner says the endpoint is gone for good;
//! - the delay after attempt `n` is `schedule[n-1]` with ±20% jitter;
//! - `Retry-After` is honoured as a minimum: the delay is at least what the partner asked;
//! - after a timeout the delay is at least the scheduled base (no negative jitter), since a
//!   partner that timed out is likely overloaded;
//! - no delay exceeds 12 h, which is also the most Cloudflare Queues accepts;
//! - after the last scheduled delay is used up, the delivery is exhausted.

use crate::core::error::Invalid;
use chrono::{DateTime, NaiveDateTime};
use std::fmt;

/// The longest delay ever used, in seconds: 12 h (Cloudflare Queues' `retry` limit too).
pub const MAX_DELAY_S: u32 = 43_200;
/// Jitter spreads retries by this fraction either way, so failed partners are not hit in waves.
pub const JITTER_FRACTION: f64 = 0.2;
const MAX_STEPS: usize = 20;

/// Delays in seconds between attempts. Attempt 1 is immediate; attempt `n + 1` waits
/// `delays[n - 1]` (jittered).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetrySchedule(Vec<u32>);

impl Default for RetrySchedule {
    /// 10 s, 1 m, 5 m, 30 m, 2 h, 6 h, 12 h.
    fn default() -> Self {
        Self(vec![10, 60, 300, 1_800, 7_200, 21_600, 43_200])
    }
}

impl fmt::Display for RetrySchedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.0.iter().map(u32::to_string).collect();
        f.write_str(&parts.join(","))
    }
}

impl RetrySchedule {
    /// Parse a config value such as `"10,60,300"` or `"1s, 2s, 5m, 2h"`. Each step is a whole
    /// number with an optional unit `s`, `m` or `h` (seconds when none), from 0 to 12 h; there
    /// are 1 to 20 steps. `field` names the setting in the error.
    pub fn parse(raw: &str, field: &str) -> Result<Self, Invalid> {
        let steps: Vec<&str> = raw.split(',').map(str::trim).collect();
        if raw.trim().is_empty() || steps.len() > MAX_STEPS {
            return Err(Invalid::field(
                "invalid_retry_schedule",
                field,
                format!("must list 1 to {MAX_STEPS} delays, e.g. 10s,1m,5m"),
            ));
        }
        steps
            .iter()
            .map(|step| parse_step(step, field))
            .collect::<Result<_, _>>()
            .map(Self)
    }

    pub fn delays(&self) -> &[u32] {
        &self.0
    }

    /// The first attempt plus one retry per scheduled delay.
    pub fn max_attempts(&self) -> u32 {
        u32::try_from(self.0.len())
            .unwrap_or(u32::MAX)
            .saturating_add(1)
    }

    /// What to do after attempt `attempt` (1-based) ended with `outcome`. `jitter_unit` is a
    /// uniform random number in [0, 1); values outside are clamped, and NaN means no jitter.
    pub fn next_delay(
        &self,
        attempt: u32,
        outcome: &AttemptOutcome,
        jitter_unit: f64,
    ) -> RetryDecision {
        if outcome.is_success() {
            return RetryDecision::Delivered;
        }
        if let AttemptOutcome::HttpFailure { status: 410, .. } = outcome {
            return RetryDecision::Stop(StopReason::Gone);
        }
        let index = attempt.max(1) as usize - 1;
        let Some(&base) = self.0.get(index) else {
            return RetryDecision::Exhausted;
        };
        let mut after_s = jittered(base, jitter_unit);
        match outcome {
            AttemptOutcome::Timeout => after_s = after_s.max(base),
            AttemptOutcome::HttpFailure {
                retry_after_s: Some(asked),
                ..
            } => after_s = after_s.max(*asked),
            _ => {}
        }
        RetryDecision::Retry {
            after_s: after_s.min(MAX_DELAY_S),
        }
    }
}

fn parse_step(step: &str, field: &str) -> Result<u32, Invalid> {
    let invalid = || {
        Invalid::field(
            "invalid_retry_schedule",
            field,
            format!("{step:?} is not a delay such as 30, 30s, 5m or 2h, up to 12h"),
        )
    };
    let (number, unit) = match step.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => step.split_at(i),
        None => (step, "s"),
    };
    let multiplier: u64 = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3_600,
        _ => return Err(invalid()),
    };
    let seconds = number
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(multiplier))
        .ok_or_else(invalid)?;
    u32::try_from(seconds)
        .ok()
        .filter(|s| *s <= MAX_DELAY_S)
        .ok_or_else(invalid)
}

/// `base` scaled by a factor in [0.8, 1.2), rounded to whole seconds.
fn jittered(base: u32, jitter_unit: f64) -> u32 {
    let unit = if jitter_unit.is_nan() {
        0.5
    } else {
        jitter_unit.clamp(0.0, 1.0)
    };
    let factor = 1.0 - JITTER_FRACTION + 2.0 * JITTER_FRACTION * unit;
    // The product is within [0, 1.2 × u32::MAX]; `as` saturates, and the cap comes after.
    (f64::from(base) * factor).round() as u32
}

/// How one attempt ended, as the delivery consumer saw it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptOutcome {
    Success {
        status: u16,
    },
    HttpFailure {
        status: u16,
        /// `Retry-After`, already turned into seconds from now (see [`parse_retry_after`]).
        retry_after_s: Option<u32>,
    },
    /// No answer within the attempt's timeout (15 s).
    Timeout,
    /// DNS, TLS or connection failure: no HTTP answer at all.
    NetworkError,
}

impl AttemptOutcome {
    /// Classify an HTTP answer: 2xx is success, anything else a failure.
    pub fn from_status(status: u16, retry_after_s: Option<u32>) -> Self {
        if (200..300).contains(&status) {
            AttemptOutcome::Success { status }
        } else {
            AttemptOutcome::HttpFailure {
                status,
                retry_after_s,
            }
        }
    }

    /// Only a 2xx answer counts, whichever variant claims it.
    pub fn is_success(&self) -> bool {
        matches!(self, AttemptOutcome::Success { status } if (200..300).contains(status))
    }

    /// The HTTP status, when there was an answer.
    pub fn status(&self) -> Option<u16> {
        match self {
            AttemptOutcome::Success { status } | AttemptOutcome::HttpFailure { status, .. } => {
                Some(*status)
            }
            AttemptOutcome::Timeout | AttemptOutcome::NetworkError => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopReason {
    /// 410: the partner says this endpoint is gone.
    Gone,
}

/// The end of one delivery stage: maps to `ack`, `retry_with_options(after_s)`, and the
/// dead-letter path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryDecision {
    Delivered,
    Retry {
        after_s: u32,
    },
    /// Every scheduled attempt failed: mark the delivery failed and dead-letter it.
    Exhausted,
    /// Retrying cannot help: mark the delivery failed now.
    Stop(StopReason),
}

/// Parse a `Retry-After` value into seconds from `now_s`: either delta-seconds (`120`) or an
/// HTTP-date (`Wed, 21 Oct 2015 07:28:00 GMT`, also the obsolete RFC 850 and asctime forms).
/// A date in the past gives 0. Anything else gives `None` and is ignored.
pub fn parse_retry_after(value: &str, now_s: i64) -> Option<u32> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        return Some(
            value
                .parse::<u64>()
                .map_or(u32::MAX, |n| u32::try_from(n).unwrap_or(u32::MAX)),
        );
    }
    let at_s = http_date(value)?;
    let delta = at_s.saturating_sub(now_s).max(0);
    Some(u32::try_from(delta).unwrap_or(u32::MAX))
}

fn http_date(value: &str) -> Option<i64> {
    if let Ok(date) = DateTime::parse_from_rfc2822(value) {
        return Some(date.timestamp());
    }
    const OBSOLETE: &[&str] = &["%A, %d-%b-%y %H:%M:%S GMT", "%a %b %e %H:%M:%S %Y"];
    OBSOLETE.iter().find_map(|format| {
        NaiveDateTime::parse_from_str(value, format)
            .ok()
            .map(|d| d.and_utc().timestamp())
    })
}
