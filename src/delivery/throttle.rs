//! Per-destination pacing at the edge: before a claimed attempt is sent, a destination paused
//! by `Retry-After` sends it back to the queue for the time left, and one with
//! `webhook.max_per_second` makes it take a send slot in D1 (shared by every consumer
//! invocation) and wait for it, then take its send turn against the last actual send. Waiting
//! uses no attempt. The rules are in
//! `core::postback::throttle`.

use crate::core::ids::ConnectorId;
use crate::core::postback::outbox::DeliveryMessage;
use crate::core::postback::throttle::{
    interval_ms, pause_until, paused, turn_for, wait_for_send, Turn, WAIT_IN_PLACE_MS,
};
use crate::core::postback::AttemptOutcome;
use crate::core::time::UnixMs;
use crate::error::Result;
use crate::platform::now;
use crate::store::deliveries::{self, DeliveryRow};
use crate::store::destinations;
use std::time::Duration;
use worker::{D1Database, Delay};

/// Whether the claimed attempt of `message` on `row` may be sent now (after waiting for its
/// slot in place). `Some((message, after_s))` is the message to queue again instead, after the
/// claim was given back.
pub async fn take_turn(
    db: &D1Database,
    row: &DeliveryRow,
    message: &DeliveryMessage,
) -> Result<Option<(DeliveryMessage, u32)>> {
    let claimed = row.claimed_destination();
    let started = now();
    if let Some(Turn::Requeue { after_s }) =
        paused(claimed.paused_until.map(whole), started.millis())
    {
        return give_back(db, row, message, started, after_s).await;
    }
    let Some(limit) = claimed.max_per_second.map(whole) else {
        return Ok(None);
    };
    let interval = interval_ms(u32::try_from(limit.max(1)).unwrap_or(u32::MAX));
    let reservation =
        destinations::reserve_slot(db, &row.connector_id, interval, WAIT_IN_PLACE_MS, started)
            .await?;
    match turn_for(reservation, now().millis()) {
        Turn::Now => {}
        Turn::Sleep(ms) => sleep(ms).await,
        Turn::Requeue { after_s } => return give_back(db, row, message, started, after_s).await,
    }
    // The slot has come; the guard holds the pace even when this consumer woke late for it.
    let deadline = now().millis() + WAIT_IN_PLACE_MS;
    loop {
        let turn = destinations::take_send_turn(db, &row.connector_id, interval, now()).await?;
        match wait_for_send(turn, now().millis(), deadline) {
            Some(0) => return Ok(None),
            Some(ms) => sleep(ms).await,
            None => return give_back(db, row, message, started, 1).await,
        }
    }
}

async fn sleep(ms: u32) {
    Delay::from(Duration::from_millis(u64::from(ms))).await;
}

/// Gives the claim back and answers the message to queue again after `after_s` seconds.
async fn give_back(
    db: &D1Database,
    row: &DeliveryRow,
    message: &DeliveryMessage,
    started: UnixMs,
    after_s: u32,
) -> Result<Option<(DeliveryMessage, u32)>> {
    let due = started.plus_ms(i64::from(after_s) * 1000);
    deliveries::give_back(db, &row.id, message.attempt, due, started).await?;
    Ok(Some((message.clone(), after_s)))
}

/// After a failed attempt: a 429 or 503 with `Retry-After` pauses the whole destination.
pub async fn after_failure(
    db: &D1Database,
    connector_id: &ConnectorId,
    outcome: &AttemptOutcome,
    finished: UnixMs,
) -> Result<()> {
    if let Some(until) = pause_until(outcome, finished.millis()) {
        let until = UnixMs::from_millis(until);
        destinations::pause(db, connector_id, until, finished).await?;
        worker::console_log!(
            "destination of connector {connector_id} paused until {until:?} (Retry-After)"
        );
    }
    Ok(())
}

/// A number D1 gave as f64: whole milliseconds or a whole count.
fn whole(value: f64) -> i64 {
    // Times and counts are whole and far below 2^53; `as` saturates anything else.
    value as i64
}
