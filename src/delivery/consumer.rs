//! The postbacks-queue consumer. Each message asks for one attempt of one delivery. A batch is
//! claimed in one D1 round trip, its requests are sent concurrently through the stages of
//! [`super::stages`], and the attempts it sent are settled together in one more round trip (a
//! D1 batch is one transaction). A message that sends nothing (stale, parked, waiting its turn,
//! refused, unreadable) settles on its own. The handler never fails the batch as a whole (an
//! `Err` from the queue handler would retry every message).

use super::destination;
use super::outbox::{dead_letter, send_each_after};
use super::stages::{self, Decided, Prepared, QueueAction};
use crate::config::DeliveryConfig;
use crate::core::ids::DeliveryId;
use crate::core::postback::outbox::DeliveryMessage;
use crate::core::time::UnixMs;
use crate::error::Result;
use crate::platform::now;
use crate::store::deliveries::DeliveryRow;
use crate::store::{attempts, batch, claims};
use futures_util::future::join_all;
use worker::{D1Database, Env, MessageExt, RawMessage};

/// What one message came to before the batch is settled.
enum Outcome {
    /// Settled (or nothing to settle): the queue's action.
    Done(QueueAction),
    /// Sent: its attempt is written with the batch's others.
    Sent(Box<Decided>),
}

/// Deliver every message of a batch: one claim, concurrent requests, one settlement.
pub async fn deliver_batch(messages: Vec<RawMessage>, env: &Env, db: &D1Database) {
    let config = DeliveryConfig::from_env(env);
    let mut ours = Vec::with_capacity(messages.len());
    for raw in &messages {
        match raw
            .body()
            .as_string()
            .as_deref()
            .and_then(DeliveryMessage::parse)
        {
            Some(message) => ours.push((raw, message)),
            None => {
                worker::console_warn!("dropping a postbacks message that is not ours");
                raw.ack();
            }
        }
    }
    let started = now();
    let claims: Vec<(DeliveryId, u32)> = (ours.iter())
        .map(|(_, m)| (m.delivery_id.clone(), m.attempt))
        .collect();
    let rows = match claims::claim_batch(db, &claims, started).await {
        Ok(rows) => rows,
        Err(e) => {
            // Nothing was claimed: the platform redelivers the batch.
            worker::console_error!("claiming a batch of {} postbacks: {e}", claims.len());
            ours.iter().for_each(|(raw, _)| raw.retry());
            return;
        }
    };
    let outcomes = join_all(ours.iter().zip(rows).map(|((_, message), row)| {
        let config = &config;
        async move { attempt(message.clone(), row, started, db, config).await }
    }))
    .await;
    let actions = settle_sent(outcomes, env, db).await;
    let raws: Vec<&RawMessage> = ours.iter().map(|(raw, _)| *raw).collect();
    apply(&raws, actions, env).await;
}

/// One claimed message through prepare and call; an attempt it sent comes back unsettled.
async fn attempt(
    message: DeliveryMessage,
    row: Option<DeliveryRow>,
    started: UnixMs,
    db: &D1Database,
    config: &DeliveryConfig,
) -> Result<Outcome> {
    let (message, settlement) =
        match stages::prepare_claimed(message, row, started, db, config).await? {
            Prepared::Stale | Prepared::Erased | Prepared::Parked => {
                return Ok(Outcome::Done(QueueAction::Ack))
            }
            Prepared::Wait { message, after_s } => {
                return Ok(Outcome::Done(QueueAction::AckAndRetry {
                    next: message,
                    after_s,
                }))
            }
            Prepared::Unreadable { message, started } => {
                stages::settle_unreadable(message, started, db).await?
            }
            Prepared::Refused(refused) => stages::settle_refused(refused, db).await?,
            Prepared::Ready(pending) => {
                let completed = stages::call(pending, config.timeout_s).await;
                let decided = stages::decide(completed, db, config, true).await?;
                return Ok(Outcome::Sent(Box::new(decided)));
            }
        };
    Ok(Outcome::Done(QueueAction::after(&message, &settlement)))
}

/// Write every sent attempt in one D1 batch, then un-park the destinations a success ended a
/// run of failures for. Our own storage failing makes the platform redeliver the message.
async fn settle_sent(
    outcomes: Vec<Result<Outcome>>,
    env: &Env,
    db: &D1Database,
) -> Vec<QueueAction> {
    let mut statements = Vec::new();
    for outcome in &outcomes {
        if let Ok(Outcome::Sent(d)) = outcome {
            let id = &d.message.delivery_id;
            match attempts::record_statements(
                db,
                id,
                d.message.attempt,
                &d.result,
                &d.settlement,
                d.finished,
            ) {
                Ok(mut s) => statements.append(&mut s),
                Err(e) => worker::console_error!("settling {id}: {e}"),
            }
        }
    }
    let written = statements.is_empty()
        || match batch(db, statements, "settling a batch").await {
            Ok(_) => true,
            Err(e) => {
                worker::console_error!("settling a batch of postbacks: {e}");
                false
            }
        };
    let mut actions = Vec::with_capacity(outcomes.len());
    for outcome in outcomes {
        actions.push(match outcome {
            Ok(Outcome::Done(action)) => action,
            Ok(Outcome::Sent(d)) if written => {
                if d.delivered && d.destination.has_failures {
                    unpark(env, db, &d).await;
                }
                QueueAction::after(&d.message, &d.settlement)
            }
            Ok(Outcome::Sent(_)) => QueueAction::Redeliver,
            Err(e) => {
                worker::console_error!("a postback attempt: {e}");
                QueueAction::Redeliver
            }
        });
    }
    actions
}

/// A success ends a run of failures, and un-parks a parked destination.
async fn unpark(env: &Env, db: &D1Database, d: &Decided) {
    let connector = &d.destination.connector_id;
    match destination::unpark(env, db, connector, now()).await {
        Ok(0) => {}
        Ok(n) => worker::console_log!("re-queued {n} parked deliveries of {connector}"),
        // The probe's success is recorded; the next success un-parks it.
        Err(e) => worker::console_error!("un-parking {connector}: {e}"),
    }
}
/// Settles the batch's queue messages: the retries it queues go out in one `sendBatch`, and
/// so do its dead letters. A failure to queue them is logged only: the rows are already
/// settled, and the sweep re-queues a retry whose message never left.
async fn apply(raws: &[&RawMessage], actions: Vec<QueueAction>, env: &Env) {
    let mut retries = Vec::new();
    let mut dead = Vec::new();
    for action in &actions {
        match action {
            QueueAction::AckAndRetry { next, after_s } => retries.push((next, *after_s)),
            QueueAction::AckAndDeadLetter { message } => dead.push(message),
            QueueAction::Ack | QueueAction::Redeliver => {}
        }
    }
    let (queued, dead_lettered) =
        futures_util::join!(send_each_after(env, &retries), dead_letter(env, &dead));
    if let Err(e) = queued {
        worker::console_error!("queueing {} retries: {e}", retries.len());
    }
    if let Err(e) = dead_lettered {
        worker::console_error!("dead-lettering {} deliveries: {e}", dead.len());
    }
    for (raw, action) in raws.iter().zip(&actions) {
        match action {
            QueueAction::Redeliver => raw.retry(),
            _ => raw.ack(),
        }
    }
}
