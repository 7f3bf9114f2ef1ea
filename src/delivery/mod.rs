//! Delivery: everything that happens to an event after a surface accepted it, and nothing that
//! knows about HTTP requests. It records events ([`intake`]), dispatches them to their
//! connectors through the outbox ([`dispatch`], [`outbox`]), decides the pixels they fire
//! ([`pixels`]), delivers postbacks from the queue as typed stages (`consumer`, `stages`,
//! `call`), settles dead letters (`dead_letter`) and runs the cron sweep (`sweep`).
//!
//! Landings' clicks travel through their own queue (`clicks`).
//!
//! `lib.rs` calls [`handle_queue_batch`] and [`handle_scheduled`]; the request handlers call
//! [`intake`], [`dispatch`] and [`pixels`].

pub mod bulk_status;
mod call;
pub mod clicks;
mod consumer;
mod dead_letter;
pub mod destination;
pub mod dispatch;
pub mod intake;
pub mod lifecycle;
pub mod outbox;
pub mod pixels;
mod purge;
mod queue_action;
pub mod stages;
mod sweep;
mod throttle;

pub use dispatch::{
    dispatch_event, dispatch_loaded, load_context, load_context_with, DispatchSummary,
    EventContext, KnownSettings,
};

use crate::config::{CLICKS_QUEUE_NAME, POSTBACKS_DLQ_NAME, POSTBACKS_QUEUE_NAME};
use crate::platform::{self, now};
use worker::{Env, MessageBatch, RawMessage};

/// One batch from a queue this worker consumes, chosen by the queue's exact name. Never fails
/// as a whole: each message is acked or retried on its own. A queue it does not know is
/// retried (and so reaches its dead-letter queue), never silently acked.
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
    match batch.queue().as_str() {
        POSTBACKS_QUEUE_NAME => {
            // With SERVER_TIMING on, a batch's D1 round trips and queue sends are logged like a
            // request's work after its answer (`postclick-after: postback batch of N ...`).
            let what = format!("postback batch of {}", messages.len());
            let log = crate::config::Config::of(&env).server_timing;
            let batch = consumer::deliver_batch(messages, &env, &db);
            crate::metering::after_answer(batch, |counts| {
                if log {
                    worker::console_log!("{}", crate::metering::after_line(&what, counts));
                }
            })
            .await;
        }
        POSTBACKS_DLQ_NAME => dead_letter::settle_batch(messages, &db).await,
        CLICKS_QUEUE_NAME => clicks::store_batch(messages, &env, &db).await,
        other => {
            worker::console_error!("a batch from the unknown queue {other:?}: retried");
            batch.retry_all();
        }
    }
}

/// The cron trigger: the maintenance sweep. Its outcome goes to the worker's log.
pub async fn handle_scheduled(env: Env) {
    // Metered, so each phase can keep the run within D1's per-invocation query limit.
    let run = crate::metering::Metered::new(async {
        match platform::d1(&env) {
            Ok(db) => sweep::sweep(&env, &db, now()).await,
            Err(e) => Err(e),
        }
    });
    let counts = run.counts();
    match run.await {
        Ok(report) => worker::console_log!(
            "sweep: {} D1 queries; re-dispatched {} events, re-queued {}, un-parked {}, approved {}, resealed {} connectors' secrets; retention purge of {} containers ({}): {}",
            counts.d1(),
            report.redispatched,
            report.requeued,
            report.unparked,
            report.approved,
            report.resealed,
            report.purge.containers,
            if report.purge.complete { "complete" } else { "more next run" },
            purge::summary(&report.purge.purged)
        ),
        Err(e) => worker::console_error!("sweep failed: {e}"),
    }
}
