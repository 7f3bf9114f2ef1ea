//! The postbacks-queue consumer: a thin loop over a batch. Each message asks for one attempt of
//! one delivery; the batch's messages are delivered concurrently, each through the stages of
//! [`super::stages`], and each is settled on its own. The handler never fails the batch as a
//! whole (an `Err` from the queue handler would retry every message).

use super::destination;
use super::outbox::{dead_letter, send};
use super::stages::{self, Prepared, QueueAction};
use crate::config::DeliveryConfig;
use crate::core::postback::outbox::{DeliveryMessage, Settlement};
use crate::error::Result;
use crate::platform::now;
use futures_util::future::join_all;
use worker::{D1Database, Env, MessageExt, RawMessage};

/// Deliver every message of a batch, concurrently.
pub async fn deliver_batch(messages: Vec<RawMessage>, env: &Env, db: &D1Database) {
    let config = DeliveryConfig::from_env(env);
    join_all(messages.iter().map(|raw| async {
        let action = deliver(raw, env, db, &config).await;
        apply(raw, action, env).await;
    }))
    .await;
}

/// One message through the stages, to the action its queue message gets.
async fn deliver(
    raw: &RawMessage,
    env: &Env,
    db: &D1Database,
    config: &DeliveryConfig,
) -> QueueAction {
    let Some(message) = raw
        .body()
        .as_string()
        .as_deref()
        .and_then(DeliveryMessage::parse)
    else {
        worker::console_warn!("dropping a postbacks message that is not ours");
        return QueueAction::Ack;
    };
    let (id, attempt) = (message.delivery_id.clone(), message.attempt);
    match attempt_once(message, env, db, config).await {
        Ok(Some((message, settlement))) => QueueAction::after(&message, &settlement),
        Ok(None) => QueueAction::Ack,
        Err(e) => {
            worker::console_error!("delivery {id} attempt {attempt}: {e}");
            QueueAction::Redeliver
        }
    }
}

/// prepare → call → settle; `None` for a stale message, which has nothing to settle.
async fn attempt_once(
    message: DeliveryMessage,
    env: &Env,
    db: &D1Database,
    config: &DeliveryConfig,
) -> Result<Option<(DeliveryMessage, Settlement)>> {
    let settled = match stages::prepare(message, db, config).await? {
        Prepared::Stale | Prepared::Erased | Prepared::Parked => return Ok(None),
        Prepared::Unreadable { message, started } => {
            stages::settle_unreadable(message, started, db).await?
        }
        Prepared::Refused(refused) => stages::settle_refused(refused, db).await?,
        Prepared::Ready(pending) => {
            let destination = pending.destination.clone();
            let completed = stages::call(pending, config.timeout_s).await;
            let delivered = matches!(completed, stages::CompletedDispatch::Successful { .. });
            let settled = stages::settle(completed, db, config).await?;
            // A success ends a run of failures, and un-parks a parked destination.
            if delivered && destination.has_failures {
                let connector = &destination.connector_id;
                let requeued = destination::unpark(env, db, connector, now()).await?;
                if requeued > 0 {
                    worker::console_log!("re-queued {requeued} parked deliveries of {connector}");
                }
            }
            settled
        }
    };
    Ok(Some(settled))
}

/// Settles the queue message. A failure to queue the follow-up is logged only: the row is
/// already settled, and the sweep re-queues a retry whose message never left.
async fn apply(raw: &RawMessage, action: QueueAction, env: &Env) {
    match action {
        QueueAction::Ack => {}
        QueueAction::AckAndRetry { next, after_s } => {
            if let Err(e) = send(env, std::slice::from_ref(&next), Some(after_s)).await {
                worker::console_error!("queueing the retry of {}: {e}", next.delivery_id);
            }
        }
        QueueAction::AckAndDeadLetter { message } => {
            if let Err(e) = dead_letter(env, &message).await {
                worker::console_error!("dead-lettering {}: {e}", message.delivery_id);
            }
        }
        QueueAction::Redeliver => {
            raw.retry();
            return;
        }
    }
    raw.ack();
}
