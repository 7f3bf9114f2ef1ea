//! Parked destinations (a circuit breaker), the pure rules. A destination is a connector's
//! webhook. Its failed attempts are counted; after `park_after_failures` consecutive failures,
//! after failing for `park_after_hours`, or at once on a 410, it is *parked*: its deliveries are
//! kept as `parked` instead of being sent (and never dead-lettered), one probe delivery goes on
//! being tried on the retry schedule, and the first success un-parks it, after which the parked
//! deliveries are queued again, oldest first. An operator can un-park by hand.
//!
//! The edge stores the counters (`destinations` table) and sends; every decision is here.

use super::outbox::Settlement;
use super::plan::DeliveryStatus;
use super::retry::{AttemptOutcome, RetryDecision, RetrySchedule};
use crate::core::connector::ParkPolicy;
use crate::core::ids::DeliveryId;

const HOUR_MS: i64 = 3_600_000;

/// Why a destination was parked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParkReason {
    /// This many consecutive attempts failed.
    Failures(u32),
    /// It failed for this many hours without a success.
    FailingFor(u32),
    /// It answered 410 Gone.
    Gone,
}

impl ParkReason {
    /// The reason as the API, the console and the log show it.
    pub fn message(self) -> String {
        match self {
            ParkReason::Failures(n) => format!("{n} consecutive failed attempts"),
            ParkReason::FailingFor(h) => format!("failing for {h} hours without a success"),
            ParkReason::Gone => "the partner answered 410 Gone".to_string(),
        }
    }
}

/// A destination's failure counters after one more failed attempt (the store counts them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Failing {
    /// Consecutive failed attempts, this one included.
    pub consecutive_failures: u32,
    /// When the first of them happened, unix ms.
    pub since_ms: i64,
}

/// Whether a failed attempt parks its destination; `None` keeps it active.
pub fn park_verdict(
    failing: Failing,
    outcome: &AttemptOutcome,
    policy: ParkPolicy,
    now_ms: i64,
) -> Option<ParkReason> {
    if matches!(outcome, AttemptOutcome::HttpFailure { status: 410, .. }) {
        return Some(ParkReason::Gone);
    }
    if failing.consecutive_failures >= policy.after_failures {
        return Some(ParkReason::Failures(failing.consecutive_failures));
    }
    let hours_ms = i64::from(policy.after_hours) * HOUR_MS;
    (now_ms.saturating_sub(failing.since_ms) >= hours_ms)
        .then_some(ParkReason::FailingFor(policy.after_hours))
}

/// What a delivery may do before its attempt, given its destination.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gate {
    /// The destination is active: send.
    Send,
    /// The destination is parked and this delivery is its probe (or it has none yet, and this
    /// one takes the role): send.
    Probe,
    /// The destination is parked: keep this delivery as `parked`, without an attempt.
    Park,
}

/// Before an attempt of `delivery`: `probe` is `None` while the destination is active, else
/// `Some(the probe delivery, if one is named)`. A Test Webhook (`test_webhook`) is always sent
/// and never takes the probe role: it is how an operator checks a parked destination.
pub fn gate(probe: Option<Option<&DeliveryId>>, delivery: &DeliveryId, test_webhook: bool) -> Gate {
    match probe {
        _ if test_webhook => Gate::Send,
        None => Gate::Send,
        Some(None) => Gate::Probe,
        Some(Some(id)) if id == delivery => Gate::Probe,
        Some(Some(_)) => Gate::Park,
    }
}

/// The retry decision for a failed attempt while the destination is parked. The probe is never
/// given up: once its schedule is used up (or after a 410) it is tried again after the last
/// scheduled delay. Any other delivery is parked (`None`).
pub fn parked_decision(
    decision: RetryDecision,
    is_probe: bool,
    schedule: &RetrySchedule,
) -> Option<RetryDecision> {
    if !is_probe {
        return None;
    }
    Some(match decision {
        RetryDecision::Exhausted | RetryDecision::Stop(_) => RetryDecision::Retry {
            after_s: schedule.delays().last().copied().unwrap_or(60),
        },
        other => other,
    })
}

/// The row's settlement when its delivery is kept as parked: no next attempt, not
/// dead-lettered; `why` says what it was waiting on.
pub fn park_settlement(why: &str) -> Settlement {
    Settlement {
        status: DeliveryStatus::Parked,
        next_attempt_at: None,
        error: Some(format!(
            "destination parked ({why}); kept until it is un-parked"
        )),
        requeue_after_s: None,
        dead_letter: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failing(n: u32, since_ms: i64) -> Failing {
        Failing {
            consecutive_failures: n,
            since_ms,
        }
    }

    const FAIL: AttemptOutcome = AttemptOutcome::HttpFailure {
        status: 503,
        retry_after_s: None,
    };

    #[test]
    fn a_destination_parks_after_n_consecutive_failures_or_t_hours_or_at_once_on_410() {
        let policy = ParkPolicy {
            after_failures: 3,
            after_hours: 2,
        };
        assert_eq!(park_verdict(failing(2, 0), &FAIL, policy, 1000), None);
        assert_eq!(
            park_verdict(failing(3, 0), &FAIL, policy, 1000),
            Some(ParkReason::Failures(3))
        );
        assert_eq!(
            park_verdict(failing(1, 0), &FAIL, policy, 2 * HOUR_MS),
            Some(ParkReason::FailingFor(2))
        );
        assert_eq!(
            park_verdict(failing(1, 0), &FAIL, policy, 2 * HOUR_MS - 1),
            None
        );
        let gone = AttemptOutcome::HttpFailure {
            status: 410,
            retry_after_s: None,
        };
        assert_eq!(
            park_verdict(failing(1, 0), &gone, policy, 0),
            Some(ParkReason::Gone)
        );
    }

    #[test]
    fn a_parked_destination_sends_only_its_probe() {
        let a = DeliveryId::parse("dlv_aaaaaaaaaaaa").unwrap();
        let b = DeliveryId::parse("dlv_bbbbbbbbbbbb").unwrap();
        assert_eq!(gate(None, &a, false), Gate::Send);
        assert_eq!(gate(Some(Some(&a)), &a, false), Gate::Probe);
        assert_eq!(gate(Some(Some(&a)), &b, false), Gate::Park);
        assert_eq!(
            gate(Some(None), &b, false),
            Gate::Probe,
            "a probe-less destination takes one"
        );
    }

    #[test]
    fn a_test_webhook_is_sent_to_a_parked_destination_without_becoming_its_probe() {
        let a = DeliveryId::parse("dlv_aaaaaaaaaaaa").unwrap();
        let t = DeliveryId::parse("dlv_tttttttttttt").unwrap();
        assert_eq!(gate(Some(Some(&a)), &t, true), Gate::Send);
        assert_eq!(gate(Some(None), &t, true), Gate::Send);
        assert_eq!(gate(None, &t, true), Gate::Send);
    }

    #[test]
    fn the_probe_is_never_given_up_and_other_failures_are_parked() {
        let schedule = RetrySchedule::parse("1s,5s", "t").unwrap();
        assert_eq!(
            parked_decision(RetryDecision::Exhausted, true, &schedule),
            Some(RetryDecision::Retry { after_s: 5 })
        );
        assert_eq!(
            parked_decision(RetryDecision::Retry { after_s: 1 }, true, &schedule),
            Some(RetryDecision::Retry { after_s: 1 })
        );
        assert_eq!(
            parked_decision(RetryDecision::Retry { after_s: 1 }, false, &schedule),
            None
        );
        let kept = park_settlement("3 consecutive failed attempts");
        assert_eq!(kept.status, DeliveryStatus::Parked);
        assert!(!kept.dead_letter);
        assert_eq!(kept.requeue_after_s, None);
    }
}
