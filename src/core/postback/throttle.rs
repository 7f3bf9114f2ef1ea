//! Per-destination pacing, the pure rules: a connector's `webhook.max_per_second` spaces its
//! sends at least `1000 / max_per_second` ms apart, and a 429 or 503 with `Retry-After` (RFC 9110
//! §10.2.3, already turned into seconds by `parse_retry_after`) pauses the whole destination for
//! the time asked, at most 12 h. A delivery that must wait is queued again with the delay and
//! uses no attempt.
//!
//! Spacing works by reservation: a send takes the destination's next free slot (one conditional
//! write in D1 shared by every consumer invocation), so the limit holds across concurrent
//! consumers. Only a slot within [`WAIT_IN_PLACE_MS`] is taken, and waited for in the consumer:
//! queue delays are whole seconds and a delayed message comes back late by up to its batch's
//! timeout, so a slot carried through the queue would bunch sends together. When every slot
//! that near is taken, the delivery is queued again until the free ones are that near.
//!
//! A slot is when a send may start, but timers fire late on a busy isolate, and a consumer that
//! wakes late would send together with the next slot's. So right before the request goes out,
//! a guard takes the destination's send turn against its last actual send ([`SendTurn`]), and
//! waits out the rest of the interval when that send was too recent.

use super::retry::{AttemptOutcome, MAX_DELAY_S};

/// How far ahead a delivery may take a send slot and wait for it in the consumer, in ms.
pub const WAIT_IN_PLACE_MS: i64 = 5_000;

/// Milliseconds between two sends to a destination limited to `max_per_second` (rounded up, so
/// the rate never exceeds the limit).
pub fn interval_ms(max_per_second: u32) -> i64 {
    let limit = i64::from(max_per_second.max(1));
    (1000 + limit - 1) / limit
}

/// Until when (unix ms) an attempt's answer pauses its destination: a 429 or 503 that carried
/// `Retry-After`, for the time asked, at most 12 h. `None` for any other answer.
pub fn pause_until(outcome: &AttemptOutcome, now_ms: i64) -> Option<i64> {
    match outcome {
        AttemptOutcome::HttpFailure {
            status: 429 | 503,
            retry_after_s: Some(s),
        } if *s > 0 => Some(now_ms.saturating_add(i64::from((*s).min(MAX_DELAY_S)) * 1000)),
        _ => None,
    }
}

/// What a delivery does about its destination's pace before sending.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Turn {
    /// Send now.
    Now,
    /// Its slot is this many ms away: wait in place, then send.
    Sleep(u32),
    /// Queue it again after `after_s` seconds, without an attempt.
    Requeue { after_s: u32 },
}

/// What asking for a send slot gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reservation {
    /// This slot (unix ms) is ours.
    Slot(i64),
    /// Every slot within [`WAIT_IN_PLACE_MS`] is taken; the next free one is at this time.
    Full { next_free_ms: i64 },
}

/// A destination paused until `paused_until` (unix ms): the remaining time, whole seconds
/// rounded up, or `None` when the pause is over.
pub fn paused(paused_until: Option<i64>, now_ms: i64) -> Option<Turn> {
    let left_ms = paused_until?.saturating_sub(now_ms);
    (left_ms > 0).then(|| Turn::Requeue {
        after_s: whole_seconds_up(left_ms),
    })
}

/// The turn a reservation gives: send at once, wait for the slot in place, or come back when
/// the free slots are near enough to take one.
pub fn turn_for(reservation: Reservation, now_ms: i64) -> Turn {
    match reservation {
        Reservation::Slot(slot_ms) => match slot_ms.saturating_sub(now_ms) {
            left if left <= 0 => Turn::Now,
            left => Turn::Sleep(u32::try_from(left.min(WAIT_IN_PLACE_MS)).unwrap_or(0)),
        },
        Reservation::Full { next_free_ms } => Turn::Requeue {
            after_s: whole_seconds_up(next_free_ms - WAIT_IN_PLACE_MS - now_ms).max(1),
        },
    }
}

/// What the guard right before a paced send found: the send may go now, or not before this
/// time (unix ms: the destination's last actual send plus one interval).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendTurn {
    Taken,
    NotBefore(i64),
}

/// How long a paced delivery still waits before asking for its send turn again, in ms, or
/// `None` when that would carry it past `deadline_ms` (then it is queued again instead).
pub fn wait_for_send(turn: SendTurn, now_ms: i64, deadline_ms: i64) -> Option<u32> {
    match turn {
        SendTurn::Taken => Some(0),
        SendTurn::NotBefore(at) if at > deadline_ms => None,
        SendTurn::NotBefore(at) => {
            Some(u32::try_from(at.saturating_sub(now_ms).max(1)).unwrap_or(1))
        }
    }
}

fn whole_seconds_up(ms: i64) -> u32 {
    u32::try_from((ms.max(0) + 999) / 1000)
        .unwrap_or(MAX_DELAY_S)
        .min(MAX_DELAY_S)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sends_to_a_limited_destination_are_spaced_so_the_rate_never_exceeds_the_limit() {
        assert_eq!(interval_ms(5), 200);
        assert_eq!(interval_ms(3), 334);
        assert_eq!(interval_ms(1), 1000);
        assert_eq!(
            interval_ms(0),
            1000,
            "a limit of 0 cannot be set; it reads as 1"
        );
    }

    #[test]
    fn a_paced_send_waits_for_the_last_real_send_plus_one_interval_or_goes_back_to_the_queue() {
        assert_eq!(wait_for_send(SendTurn::Taken, 1_000, 2_000), Some(0));
        assert_eq!(
            wait_for_send(SendTurn::NotBefore(1_150), 1_000, 2_000),
            Some(150)
        );
        // Already due (the clock moved on): ask again at once.
        assert_eq!(
            wait_for_send(SendTurn::NotBefore(900), 1_000, 2_000),
            Some(1)
        );
        assert_eq!(
            wait_for_send(SendTurn::NotBefore(2_001), 1_000, 2_000),
            None
        );
    }

    #[test]
    fn a_429_or_503_with_retry_after_pauses_the_destination_for_at_most_12_hours() {
        let answer = |status, retry_after_s| AttemptOutcome::HttpFailure {
            status,
            retry_after_s,
        };
        assert_eq!(pause_until(&answer(429, Some(2)), 1_000), Some(3_000));
        assert_eq!(pause_until(&answer(503, Some(60)), 0), Some(60_000));
        assert_eq!(
            pause_until(&answer(503, Some(u32::MAX)), 0),
            Some(43_200_000)
        );
        assert_eq!(pause_until(&answer(429, None), 0), None);
        assert_eq!(pause_until(&answer(500, Some(5)), 0), None);
        assert_eq!(pause_until(&answer(429, Some(0)), 0), None);
        assert_eq!(pause_until(&AttemptOutcome::Timeout, 0), None);
    }

    #[test]
    fn a_paused_destination_requeues_for_the_time_left_rounded_up() {
        assert_eq!(paused(None, 0), None);
        assert_eq!(paused(Some(1_000), 1_000), None);
        assert_eq!(
            paused(Some(2_001), 1_000),
            Some(Turn::Requeue { after_s: 2 })
        );
    }

    #[test]
    fn a_near_slot_is_waited_for_in_place_and_a_full_horizon_comes_back_later() {
        assert_eq!(turn_for(Reservation::Slot(1_000), 1_000), Turn::Now);
        assert_eq!(turn_for(Reservation::Slot(900), 1_000), Turn::Now);
        assert_eq!(
            turn_for(Reservation::Slot(4_200), 1_000),
            Turn::Sleep(3_200)
        );
        assert_eq!(
            turn_for(
                Reservation::Full {
                    next_free_ms: 9_500
                },
                1_000
            ),
            Turn::Requeue { after_s: 4 }
        );
        assert_eq!(
            turn_for(
                Reservation::Full {
                    next_free_ms: 6_000
                },
                1_000
            ),
            Turn::Requeue { after_s: 1 },
            "never sooner than a second"
        );
    }
}
