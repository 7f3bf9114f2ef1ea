//! The `clicks` queue: how a landing's clicks reach D1 without the visitor waiting for it.
//! `/collect` and `/c` [`capture`] a landing with one queue send; the consumer
//! ([`store_batch`]) writes a whole queue batch in one D1 batch, which also late-matches events
//! that carried one of those click ids, and dispatches each event matched so (its connectors
//! are decided again now that its visitor's clicks are known). When the send fails, the landing is written in
//! `wait_until` instead (counted as the request's D1 round trip), so a click is never dropped
//! because the queue was unavailable. Nothing here knows about HTTP.

use super::dispatch_event;
use crate::config::{CLICKS_QUEUE, DB};
use crate::error::{Error, Result};
use crate::store::clicks::{self, Landing};
use crate::store::identities::LateMatched;
use worker::{Context, D1Database, Env, MessageExt, RawMessage};

/// Hands one landing to the `clicks` queue (one queue send). If the send fails, the landing is
/// stored in `wait_until` after the answer; that fallback is logged and counted as a D1 round
/// trip of the request. Fails only when even the fallback cannot start (no D1 binding).
pub async fn capture(env: &Env, ctx: &Context, landing: Landing) -> Result<()> {
    let body = serde_json::to_string(&landing)
        .map_err(|e| Error::internal("encoding a clicks message", e))?;
    crate::metering::queue_send();
    let sent = match env.queue(CLICKS_QUEUE) {
        Ok(queue) => queue.send(body).await,
        Err(e) => Err(e),
    };
    let Err(e) = sent else {
        return Ok(());
    };
    worker::console_warn!("clicks queue send failed, storing the landing after the answer: {e}");
    let db = env
        .d1(DB)
        .map_err(|e| Error::internal("opening the D1 binding", e))?;
    crate::metering::d1_round_trip();
    let env = env.clone();
    ctx.wait_until(async move {
        match clicks::insert(&db, std::slice::from_ref(&landing)).await {
            Ok(matched) => dispatch_late(&env, &matched).await,
            Err(e) => worker::console_error!("storing the clicks of a landing: {e}"),
        }
    });
    Ok(())
}

/// One batch of the `clicks` queue, stored in one D1 batch. A message that is not a landing is
/// acked and logged (retrying cannot make it one); if the batch fails, every landing in it is
/// retried (the platform's retries, then the clicks dead-letter queue).
pub async fn store_batch(messages: Vec<RawMessage>, env: &Env, db: &D1Database) {
    let mut landings = Vec::with_capacity(messages.len());
    let mut carried = Vec::with_capacity(messages.len());
    for raw in messages {
        let parsed = raw
            .body()
            .as_string()
            .and_then(|body| serde_json::from_str::<Landing>(&body).ok());
        match parsed {
            Some(landing) => {
                landings.push(landing);
                carried.push(raw);
            }
            None => {
                worker::console_warn!("dropping a clicks message that is not a landing");
                raw.ack();
            }
        }
    }
    if landings.is_empty() {
        return;
    }
    match clicks::insert(db, &landings).await {
        Ok(matched) => {
            carried.iter().for_each(|m| m.ack());
            dispatch_late(env, &matched).await;
        }
        Err(e) => {
            worker::console_error!("storing {} landings, retrying them: {e}", landings.len());
            carried.iter().for_each(|m| m.retry());
        }
    }
}

/// Dispatches the events that stored clicks matched late. Each was marked not dispatched in the
/// same transaction as its match, so one whose dispatch fails here is dispatched by the sweep.
async fn dispatch_late(env: &Env, matched: &[LateMatched]) {
    for event in matched {
        if let Err(e) = dispatch_event(env, &event.container_id, &event.event_row_id).await {
            worker::console_error!("dispatching late-matched event {}: {e}", event.event_row_id);
        }
    }
}
