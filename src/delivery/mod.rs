//! Delivery: everything that happens to an event after a surface accepted it, and nothing that
//! knows about HTTP requests. It records events ([`intake`]), dispatches them to their
//! connectors through the outbox ([`dispatch`], [`outbox`]), decides the pixels they fire
//! ([`pixels`]), delivers postbacks from the queue as typed stages (`consumer`, `stages`,
//! `call`), settles dead letters (`dead_letter`) and runs the cron sweep (`sweep`).
//!
//! `lib.rs` calls [`handle_queue_batch`] and [`handle_scheduled`]; the request handlers call
//! [`intake`], [`dispatch`] and [`pixels`].

mod call;
mod consumer;
mod dead_letter;
pub mod dispatch;
pub mod intake;
pub mod lifecycle;
pub mod outbox;
pub mod pixels;
mod purge;
pub mod stages;
mod sweep;

pub use dispatch::{dispatch_event, dispatch_loaded, load_context, DispatchSummary, EventContext};

use crate::config::POSTBACKS_DLQ_NAME;
use crate::platform::{self, now};
use worker::{Env, MessageBatch, RawMessage};

/// One batch from either queue this worker consumes, told apart by the queue's name. Never
/// fails as a whole: each message is acked or retried on its own.
pub async fn handle_queue_batch<T>(batch: MessageBatch<T>, env: Env) {
    let messages: Vec<RawMessage> = batch.raw_iter().collect();
    let db = match platform::d1(&env) {
        Ok(db) => db,
        Err(e) => {
            worker::console_error!("queue batch: {e}");
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

/// The cron trigger: the maintenance sweep. Its outcome goes to the worker's log.
pub async fn handle_scheduled(env: Env) {
    let result = match platform::d1(&env) {
        Ok(db) => sweep::sweep(&env, &db, now()).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(report) => worker::console_log!(
            "sweep: re-dispatched {} events, re-queued {}; retention purge of {} containers ({}): {}",
            report.redispatched,
            report.requeued,
            report.purge.containers,
            if report.purge.complete { "complete" } else { "more next run" },
            purge::summary(&report.purge.purged)
        ),
        Err(e) => worker::console_error!("sweep failed: {e}"),
    }
}
