//! Tests of the outbox rules: queue messages naming their attempt, and settling a delivery row.

use super::{connector_with_webhook, independent_signature, values, SPEC_SECRET};
use crate::core::ids::DeliveryId;
use crate::core::postback::outbox::{
    retention_cutoff, settle, settle_unsendable, stuck_before, truncate_response_body,
    AttemptReport, DeliveryMessage, PreviousSecret, SigningSecrets, StoredRequest,
    MAX_LOGGED_RESPONSE_BYTES,
};
use crate::core::postback::{
    build_request, AttemptOutcome, BuildContext, DeliveryStatus, RetryDecision, RetrySchedule,
    StopReason, HEADER_SIGNATURE, HEADER_TIMESTAMP,
};
use serde_json::json;

const NOW: i64 = 1_700_000_000_000;

#[test]
fn queue_messages_name_their_delivery_and_attempt_and_anything_else_is_dropped() {
    let id = DeliveryId::parse("dlv_abcdefghijkl").unwrap();
    let first = DeliveryMessage::first(&id);
    assert_eq!(first.attempt, 1);
    assert_eq!(
        DeliveryMessage::parse(&first.to_json()),
        Some(first.clone())
    );
    let next = DeliveryMessage::after(&id, 3);
    assert_eq!(next.attempt, 4);
    for hostile in [
        "",
        "{}",
        "[1]",
        r#"{"delivery_id":"dlv_abcdefghijkl","attempt":0}"#,
        r#"{"delivery_id":"con_abcdefghijkl","attempt":1}"#,
        r#"{"delivery_id":"dlv_' OR 1=1 --","attempt":1}"#,
        r#"{"delivery_id":"dlv_abcdefghijkl","attempt":-1}"#,
    ] {
        assert_eq!(DeliveryMessage::parse(hostile), None, "{hostile}");
    }
}

#[test]
fn a_stored_request_is_resent_unchanged_but_freshly_signed_for_each_attempt() {
    let webhook = connector_with_webhook(json!({"enabled": true, "method": "POST",
        "url": "https://partner.example/pb", "params": [{"name": "value", "value": "{{VALUE}}"}],
        "headers": [{"name": "Authorization", "value": "Bearer abc123def456ghi"}],
        "signing_secret": SPEC_SECRET}))
    .webhook;
    let ctx = BuildContext {
        idempotency_key: "dlv_abcdefghijkl",
        timestamp_s: NOW / 1000,
    };
    let request = build_request(&webhook, &values(&[("VALUE", "49.9")]), &ctx).unwrap();
    let stored = StoredRequest {
        request: request.clone(),
        secret_version: Some(1),
    };
    let read = StoredRequest::parse(&stored.to_json()).unwrap();
    assert_eq!(read, stored);
    assert!(
        !stored.to_json().contains(SPEC_SECRET),
        "the row names the secret's version, never the secret"
    );
    let secrets = SigningSecrets {
        version: 1,
        current: Some(SPEC_SECRET.into()),
        ..SigningSecrets::default()
    };
    assert!(
        !format!("{read:?}").contains("abc123def456ghi"),
        "Debug masks credentials"
    );
    assert!(!format!("{read:?}").contains(SPEC_SECRET));

    let later = NOW / 1000 + 70;
    let attempt = read.for_attempt(later, Some(&secrets)).unwrap();
    assert_eq!(attempt.url, request.url);
    assert_eq!(attempt.body, request.body);
    assert_eq!(
        attempt.header("Authorization"),
        Some("Bearer abc123def456ghi")
    );
    assert_eq!(
        attempt.header(HEADER_TIMESTAMP),
        Some(later.to_string().as_str())
    );
    assert_eq!(
        attempt.header(HEADER_SIGNATURE),
        Some(
            independent_signature(
                SPEC_SECRET,
                "dlv_abcdefghijkl",
                later,
                request.body.as_deref().unwrap()
            )
            .as_str()
        )
    );
    let unsigned = StoredRequest {
        request: request.clone(),
        secret_version: None,
    };
    assert_eq!(
        unsigned.for_attempt(later, Some(&secrets)),
        Ok(request.clone())
    );
    let broken = SigningSecrets {
        current: Some("whsec_not base64!".into()),
        ..secrets.clone()
    };
    assert!(
        read.for_attempt(later, Some(&broken))
            .unwrap_err()
            .contains("signing secret"),
        "a secret that does not parse fails the attempt instead of sending unsigned"
    );
}

#[test]
fn a_row_signed_before_a_rotation_is_signed_with_both_secrets_during_the_overlap_then_the_new_one()
{
    let old = "whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    let webhook = connector_with_webhook(json!({"enabled": true, "method": "POST",
        "url": "https://partner.example/pb", "params": [{"name": "v", "value": "1"}],
        "signing_secret": old}))
    .webhook;
    let ctx = BuildContext {
        idempotency_key: "dlv_abcdefghijkl",
        timestamp_s: NOW / 1000,
    };
    let request = build_request(&webhook, &values(&[]), &ctx).unwrap();
    let queued_before = StoredRequest {
        request: request.clone(),
        secret_version: Some(1),
    };
    let until_s = NOW / 1000 + 3600;
    let rotated = SigningSecrets {
        version: 2,
        current: Some(SPEC_SECRET.into()),
        previous: Some(PreviousSecret {
            secret: old.into(),
            until_s,
        }),
        unreadable: None,
    };
    let body = request.body.as_deref().unwrap();
    let during = queued_before
        .for_attempt(NOW / 1000 + 60, Some(&rotated))
        .unwrap();
    let header = during.header(HEADER_SIGNATURE).unwrap();
    let ts = NOW / 1000 + 60;
    for secret in [SPEC_SECRET, old] {
        let one = independent_signature(secret, "dlv_abcdefghijkl", ts, body);
        assert!(header.split(' ').any(|s| s == one), "{secret}: {header}");
    }
    let after = queued_before
        .for_attempt(until_s + 1, Some(&rotated))
        .unwrap();
    assert_eq!(
        after.header(HEADER_SIGNATURE),
        Some(independent_signature(SPEC_SECRET, "dlv_abcdefghijkl", until_s + 1, body).as_str())
    );
}

#[test]
fn a_signed_row_whose_secret_is_gone_or_unreadable_fails_instead_of_going_out_unsigned() {
    let webhook = connector_with_webhook(json!({"enabled": true, "method": "POST",
        "url": "https://partner.example/pb", "signing_secret": SPEC_SECRET}))
    .webhook;
    let ctx = BuildContext {
        idempotency_key: "dlv_abcdefghijkl",
        timestamp_s: NOW / 1000,
    };
    let stored = StoredRequest {
        request: build_request(&webhook, &values(&[]), &ctx).unwrap(),
        secret_version: Some(3),
    };
    let removed = SigningSecrets {
        version: 3,
        ..SigningSecrets::default()
    };
    let unreadable = SigningSecrets {
        unreadable: Some("does not open".into()),
        ..removed.clone()
    };
    assert!(stored
        .for_attempt(NOW / 1000, None)
        .unwrap_err()
        .contains("deleted"));
    assert!(stored
        .for_attempt(NOW / 1000, Some(&removed))
        .unwrap_err()
        .contains("removed"));
    assert_eq!(
        stored.for_attempt(NOW / 1000, Some(&unreadable)),
        Err("does not open".into())
    );
    let legacy = r#"{"request":REQ,"signing_secret":"whsec_x","previous_secret":null}"#
        .replace("REQ", &serde_json::to_string(&stored.request).unwrap());
    assert_eq!(
        StoredRequest::parse(&legacy).map(|s| s.secret_version),
        Some(None),
        "a row from before still reads; the migration gave it its version"
    );
}

#[test]
fn attempts_settle_into_delivered_retrying_or_failed_and_dead_lettered() {
    let schedule = RetrySchedule::parse("1s,1s,2s", "RETRY_SCHEDULE").unwrap();
    let report = |outcome| AttemptReport {
        outcome,
        network_error: None,
        timeout_s: 15,
    };
    let ok = report(AttemptOutcome::from_status(204, None));
    let delivered = settle(schedule.next_delay(1, &ok.outcome, 0.5), 1, ok.error(), NOW);
    assert_eq!(delivered.status, DeliveryStatus::Delivered);
    assert!(
        !delivered.dead_letter && delivered.requeue_after_s.is_none() && delivered.error.is_none()
    );

    let busy = report(AttemptOutcome::from_status(429, Some(5)));
    let retry = settle(
        schedule.next_delay(1, &busy.outcome, 0.5),
        1,
        busy.error(),
        NOW,
    );
    assert_eq!(retry.status, DeliveryStatus::Retrying);
    assert_eq!(retry.requeue_after_s, Some(5));
    assert_eq!(retry.next_attempt_at, Some(NOW + 5_000));
    assert_eq!(retry.error.as_deref(), Some("HTTP 429 (Retry-After: 5 s)"));

    let timeout = report(AttemptOutcome::Timeout);
    let exhausted = settle(
        schedule.next_delay(4, &timeout.outcome, 0.5),
        4,
        timeout.error(),
        NOW,
    );
    assert_eq!(exhausted.status, DeliveryStatus::Failed);
    assert!(exhausted.dead_letter);
    assert_eq!(
        exhausted.error.as_deref(),
        Some("timeout: no answer within 15 s; gave up after 4 attempts")
    );

    let gone = report(AttemptOutcome::from_status(410, None));
    let stopped = settle(
        schedule.next_delay(1, &gone.outcome, 0.5),
        1,
        gone.error(),
        NOW,
    );
    assert_eq!(
        schedule.next_delay(1, &gone.outcome, 0.5),
        RetryDecision::Stop(StopReason::Gone)
    );
    assert_eq!(stopped.status, DeliveryStatus::Failed);
    assert!(stopped.error.unwrap().starts_with("HTTP 410"));

    let refused = settle_unsendable("127.0.0.1 is a loopback address".into());
    assert_eq!(refused.status, DeliveryStatus::Failed);
    assert!(refused.dead_letter && refused.requeue_after_s.is_none());

    let network = AttemptReport {
        outcome: AttemptOutcome::NetworkError,
        network_error: Some("connection refused".into()),
        timeout_s: 15,
    };
    assert_eq!(
        network.error().as_deref(),
        Some("network error: connection refused")
    );
}

#[test]
fn logged_response_bodies_are_cut_at_a_character_boundary() {
    assert_eq!(truncate_response_body(b"ok"), "ok");
    let long = "é".repeat(MAX_LOGGED_RESPONSE_BYTES);
    let cut = truncate_response_body(long.as_bytes());
    assert!(cut.len() <= MAX_LOGGED_RESPONSE_BYTES);
    assert!(cut.chars().all(|c| c == 'é'));
    assert_eq!(cut.chars().count(), MAX_LOGGED_RESPONSE_BYTES / 2);
    let odd = format!("a{long}");
    let cut = truncate_response_body(odd.as_bytes());
    assert_eq!(
        cut.len(),
        MAX_LOGGED_RESPONSE_BYTES - 1,
        "the split é is dropped"
    );
    assert_eq!(truncate_response_body(&[0xff, b'x']), "\u{fffd}x");
}

#[test]
fn the_sweep_and_the_purge_count_back_from_now() {
    assert_eq!(stuck_before(NOW, 300), NOW - 300_000);
    assert_eq!(retention_cutoff(NOW, 30), NOW - 30 * 86_400_000);
    assert_eq!(stuck_before(i64::MIN + 5, 300), i64::MIN);
}
