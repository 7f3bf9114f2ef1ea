//! Tests of the retry schedule: delays, jitter, `Retry-After` and when to stop.

use crate::core::postback::{
    parse_retry_after, AttemptOutcome, RetryDecision, RetrySchedule, StopReason, MAX_DELAY_S,
};

const FAILED_500: AttemptOutcome = AttemptOutcome::HttpFailure {
    status: 500,
    retry_after_s: None,
};
const NO_JITTER: f64 = 0.5;

fn retry_after(decision: RetryDecision) -> u32 {
    match decision {
        RetryDecision::Retry { after_s } => after_s,
        other => panic!("expected a retry, got {other:?}"),
    }
}

#[test]
fn the_default_schedule_is_10s_1m_5m_30m_2h_6h_12h_for_eight_attempts() {
    let schedule = RetrySchedule::default();
    assert_eq!(schedule.delays(), &[10, 60, 300, 1800, 7200, 21600, 43200]);
    assert_eq!(schedule.max_attempts(), 8);
    assert_eq!(schedule.to_string(), "10,60,300,1800,7200,21600,43200");
}

#[test]
fn a_schedule_is_read_from_plain_seconds_or_with_units() {
    let plain = RetrySchedule::parse("10,60,300", "RETRY_SCHEDULE").unwrap();
    assert_eq!(plain.delays(), &[10, 60, 300]);
    let units = RetrySchedule::parse(" 1s, 2s ,5m,2h, 12h ,0", "RETRY_SCHEDULE").unwrap();
    assert_eq!(units.delays(), &[1, 2, 300, 7200, 43200, 0]);
    assert_eq!(units.max_attempts(), 7);
}

#[test]
fn a_malformed_schedule_is_refused_naming_the_setting() {
    let too_many = vec!["1"; 21].join(",");
    for raw in [
        "",
        " ",
        ",",
        "10,,20",
        "0x5",
        "5d",
        "13h",
        "43201",
        "-1",
        "1.5s",
        "s",
        "5 m",
        "1e3",
        "99999999999999999999h",
        "10;20",
        too_many.as_str(),
    ] {
        let err = RetrySchedule::parse(raw, "RETRY_SCHEDULE").unwrap_err();
        assert_eq!(err.code, "invalid_retry_schedule", "{raw:?}");
        assert_eq!(err.field.as_deref(), Some("RETRY_SCHEDULE"));
    }
}

#[test]
fn each_failed_attempt_waits_its_scheduled_delay() {
    let schedule = RetrySchedule::default();
    for (attempt, base) in (1..).zip(schedule.delays().to_vec()) {
        assert_eq!(
            retry_after(schedule.next_delay(attempt, &FAILED_500, NO_JITTER)),
            base.min(MAX_DELAY_S),
            "attempt {attempt}"
        );
    }
}

#[test]
fn jitter_stays_within_twenty_percent_either_way_and_never_passes_twelve_hours() {
    let schedule = RetrySchedule::default();
    for attempt in 1..schedule.max_attempts() {
        let base = f64::from(schedule.delays()[attempt as usize - 1]);
        for step in 0..100 {
            let unit = f64::from(step) / 100.0;
            let after = f64::from(retry_after(schedule.next_delay(attempt, &FAILED_500, unit)));
            assert!(
                after >= (base * 0.8).floor() && after <= (base * 1.2).ceil(),
                "{attempt} {unit}"
            );
            assert!(after <= f64::from(MAX_DELAY_S));
        }
    }
    assert_eq!(retry_after(schedule.next_delay(1, &FAILED_500, 0.0)), 8);
    assert_eq!(
        retry_after(schedule.next_delay(1, &FAILED_500, 0.999_999)),
        12
    );
    assert_eq!(
        retry_after(schedule.next_delay(7, &FAILED_500, 0.999)),
        MAX_DELAY_S
    );
}

#[test]
fn out_of_range_or_nan_jitter_cannot_break_the_bounds() {
    let schedule = RetrySchedule::default();
    assert_eq!(
        retry_after(schedule.next_delay(2, &FAILED_500, f64::NAN)),
        60
    );
    assert_eq!(retry_after(schedule.next_delay(2, &FAILED_500, -5.0)), 48);
    assert_eq!(retry_after(schedule.next_delay(2, &FAILED_500, 7.0)), 72);
    assert_eq!(
        retry_after(schedule.next_delay(2, &FAILED_500, f64::INFINITY)),
        72
    );
}

#[test]
fn a_2xx_answer_is_delivered_whatever_the_attempt() {
    let schedule = RetrySchedule::default();
    for status in [200, 201, 204, 299] {
        let outcome = AttemptOutcome::from_status(status, None);
        assert!(outcome.is_success());
        assert_eq!(
            schedule.next_delay(1, &outcome, 0.5),
            RetryDecision::Delivered
        );
        assert_eq!(
            schedule.next_delay(99, &outcome, 0.5),
            RetryDecision::Delivered
        );
    }
}

#[test]
fn anything_but_2xx_is_a_failure_even_if_labelled_success() {
    for status in [100, 199, 300, 302, 304, 400, 404, 429, 500, 503] {
        assert!(
            !AttemptOutcome::from_status(status, None).is_success(),
            "{status}"
        );
    }
    let mislabelled = AttemptOutcome::Success { status: 500 };
    assert!(!mislabelled.is_success());
    assert!(matches!(
        RetrySchedule::default().next_delay(1, &mislabelled, 0.5),
        RetryDecision::Retry { .. }
    ));
    assert!(!AttemptOutcome::Timeout.is_success());
    assert_eq!(AttemptOutcome::NetworkError.status(), None);
    assert_eq!(
        AttemptOutcome::from_status(429, Some(5)).status(),
        Some(429)
    );
}

#[test]
fn a_410_gone_stops_the_retries_at_once() {
    let gone = AttemptOutcome::from_status(410, Some(60));
    assert_eq!(
        RetrySchedule::default().next_delay(1, &gone, 0.5),
        RetryDecision::Stop(StopReason::Gone)
    );
}

#[test]
fn retry_after_is_honoured_as_a_minimum_and_capped_at_twelve_hours() {
    let schedule = RetrySchedule::default();
    let asked = |s| AttemptOutcome::from_status(429, Some(s));
    assert_eq!(retry_after(schedule.next_delay(1, &asked(120), 0.0)), 120);
    assert_eq!(
        retry_after(schedule.next_delay(2, &asked(5), 0.5)),
        60,
        "a shorter ask waits the schedule"
    );
    assert_eq!(
        retry_after(schedule.next_delay(1, &asked(90_000), 0.5)),
        MAX_DELAY_S
    );
    assert_eq!(
        retry_after(schedule.next_delay(1, &asked(u32::MAX), 0.5)),
        MAX_DELAY_S
    );
    let unavailable = AttemptOutcome::from_status(503, Some(30));
    assert_eq!(retry_after(schedule.next_delay(1, &unavailable, 0.0)), 30);
}

#[test]
fn after_a_timeout_the_wait_is_at_least_the_scheduled_delay() {
    let schedule = RetrySchedule::default();
    assert_eq!(
        retry_after(schedule.next_delay(1, &AttemptOutcome::Timeout, 0.0)),
        10
    );
    assert_eq!(
        retry_after(schedule.next_delay(1, &AttemptOutcome::Timeout, 0.99)),
        12
    );
    assert_eq!(
        retry_after(schedule.next_delay(1, &AttemptOutcome::NetworkError, 0.0)),
        8
    );
}

#[test]
fn the_last_attempt_exhausts_the_delivery() {
    let schedule = RetrySchedule::default();
    assert!(matches!(
        schedule.next_delay(7, &FAILED_500, 0.5),
        RetryDecision::Retry { .. }
    ));
    assert_eq!(
        schedule.next_delay(8, &FAILED_500, 0.5),
        RetryDecision::Exhausted
    );
    assert_eq!(
        schedule.next_delay(u32::MAX, &AttemptOutcome::Timeout, 0.5),
        RetryDecision::Exhausted
    );
}

#[test]
fn a_short_test_schedule_fails_after_three_attempts() {
    let schedule = RetrySchedule::parse("1s,1s", "RETRY_SCHEDULE").unwrap();
    assert_eq!(schedule.max_attempts(), 3);
    assert_eq!(retry_after(schedule.next_delay(1, &FAILED_500, 0.5)), 1);
    assert_eq!(retry_after(schedule.next_delay(2, &FAILED_500, 0.5)), 1);
    assert_eq!(
        schedule.next_delay(3, &FAILED_500, 0.5),
        RetryDecision::Exhausted
    );
}

#[test]
fn attempt_zero_is_read_as_the_first_attempt() {
    let schedule = RetrySchedule::default();
    assert_eq!(retry_after(schedule.next_delay(0, &FAILED_500, 0.5)), 10);
}

#[test]
fn retry_after_is_read_as_seconds_or_as_an_http_date() {
    let now = 1_445_412_480; // Wed, 21 Oct 2015 07:28:00 GMT
    assert_eq!(parse_retry_after("120", now), Some(120));
    assert_eq!(parse_retry_after(" 0 ", now), Some(0));
    assert_eq!(
        parse_retry_after("Wed, 21 Oct 2015 07:29:00 GMT", now),
        Some(60)
    );
    assert_eq!(
        parse_retry_after("Wednesday, 21-Oct-15 07:30:00 GMT", now),
        Some(120)
    );
    assert_eq!(parse_retry_after("Wed Oct 21 07:28:30 2015", now), Some(30));
    assert_eq!(
        parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now),
        Some(0),
        "a past date means now"
    );
    assert_eq!(
        parse_retry_after("99999999999999999999", now),
        Some(u32::MAX)
    );
}

#[test]
fn a_malformed_retry_after_is_ignored() {
    for value in [
        "",
        "soon",
        "-5",
        "1.5",
        "+3",
        "0x10",
        "Wed, 32 Oct 2015 07:28:00 GMT",
    ] {
        assert_eq!(parse_retry_after(value, 0), None, "{value:?}");
    }
}
