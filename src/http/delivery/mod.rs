//! Outbound postbacks at the edge: dispatching stored events into the outbox, the queue
//! consumer that delivers them, the dead-letter consumer, and the cron sweep. The entry points
//! in `lib.rs` only call [`handle_queue_batch`] and [`handle_scheduled`].

mod attempt;
mod consumer;
mod dead_letter;
mod dispatch;
pub mod outbox;
mod sweep;

pub use dispatch::{dispatch_event, dispatch_loaded, load_context, DispatchSummary, EventContext};

use crate::config::POSTBACKS_DLQ_NAME;
use worker::{Env, MessageBatch, RawMessage};

/// One batch from either queue this worker consumes. Never fails as a whole: each message is
/// acked or retried on its own.
pub async fn handle_queue_batch<T>(batch: MessageBatch<T>, env: Env) {
    let messages: Vec<RawMessage> = batch.raw_iter().collect();
    let db = match outbox::db(&env) {
        Ok(db) => db,
        Err(e) => {
            worker::console_error!("queue batch: {e:?}");
            batch.retry_all();
            return;
        }
    };
    if batch.queue() == POSTBACKS_DLQ_NAME {
        dead_letter::settle_batch(messages, &db).await;
    } else {
        consumer::deliver_batch(messages, &env, &db).await;
    }
}

/// The cron trigger: the maintenance sweep.
pub async fn handle_scheduled(env: Env) {
    let now = crate::http::respond::now_ms();
    let result = match outbox::db(&env) {
        Ok(db) => sweep::sweep(&env, &db, now).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(report) => worker::console_log!(
            "sweep: re-queued {}, purged {} deliveries and {} webhook requests",
            report.requeued,
            report.purged_deliveries,
            report.purged_webhook_requests
        ),
        Err(e) => worker::console_error!("sweep failed: {e:?}"),
    }
}
