//! The postbacks-queue consumer: each message asks for one attempt of one delivery. The batch's
//! messages are delivered concurrently; each is settled on its own (ack, or retry when our own
//! storage failed), and the handler never fails the batch as a whole.
//!
//! Stages per message: claim the attempt → check the target → send → record the attempt and
//! settle the row → queue the next attempt with its delay, or dead-letter a given-up delivery.

use super::attempt::{call, CallResult};
use super::outbox::{dead_letter, send};
use crate::config::DeliveryConfig;
use crate::core::postback::outbox::{
    settle, settle_unsendable, AttemptReport, DeliveryMessage, Settlement,
};
use crate::core::postback::{check_target, AttemptOutcome};
use crate::http::error::ApiResult;
use crate::store::deliveries::{self, AttemptResult};
use futures_util::future::join_all;
use worker::{D1Database, Env, MessageExt, RawMessage};

fn now_ms() -> i64 {
    worker::Date::now().as_millis() as i64
}

/// A uniform number in [0, 1) for the retry jitter; 0.5 (no jitter) if randomness fails.
fn jitter_unit() -> f64 {
    let mut bytes = [0u8; 4];
    match getrandom::fill(&mut bytes) {
        Ok(()) => f64::from(u32::from_le_bytes(bytes)) / 4_294_967_296.0,
        Err(_) => 0.5,
    }
}

/// Deliver every message of a batch, concurrently.
pub async fn deliver_batch(messages: Vec<RawMessage>, env: &Env, db: &D1Database) {
    let config = DeliveryConfig::from_env(env);
    join_all(
        messages
            .iter()
            .map(|m| deliver_message(m, env, db, &config)),
    )
    .await;
}

async fn deliver_message(
    message: &RawMessage,
    env: &Env,
    db: &D1Database,
    config: &DeliveryConfig,
) {
    let Some(parsed) = message
        .body()
        .as_string()
        .as_deref()
        .and_then(DeliveryMessage::parse)
    else {
        worker::console_warn!("dropping a postbacks message that is not ours");
        message.ack();
        return;
    };
    match attempt(&parsed, env, db, config).await {
        Ok(()) => message.ack(),
        Err(e) => {
            // Our storage failed; the platform redelivers, and the claim keeps it one attempt.
            worker::console_error!(
                "delivery {} attempt {}: {e:?}",
                parsed.delivery_id,
                parsed.attempt
            );
            message.retry();
        }
    }
}

async fn attempt(
    message: &DeliveryMessage,
    env: &Env,
    db: &D1Database,
    config: &DeliveryConfig,
) -> ApiResult<()> {
    let started = now_ms();
    // One conditional write both reads the row and takes the attempt: a duplicate or stale
    // message (that attempt taken or settled, the row purged) finds nothing and is dropped.
    let Some(row) =
        deliveries::claim_attempt(db, &message.delivery_id, message.attempt, started).await?
    else {
        return Ok(());
    };

    let Some(stored) = row.stored_request() else {
        let error = "the delivery has no readable request to send";
        deliveries::fail_unsendable(db, &row.id, message.attempt, error, started).await?;
        give_up(env, message).await;
        return Ok(());
    };
    let refused = url::Url::parse(&stored.request.url)
        .map_err(|e| format!("the URL is not valid: {e}"))
        .and_then(|url| {
            check_target(&url, config.allow_private_targets)
                .map_err(|e| format!("refused target: {e}"))
        });
    if let Err(error) = refused {
        let result = AttemptResult {
            started_at: started,
            response_code: None,
            latency_ms: None,
            error: Some(error.clone()),
            response_body: None,
        };
        let settlement = settle_unsendable(error);
        deliveries::record_attempt(db, &row.id, message.attempt, &result, &settlement, now_ms())
            .await?;
        give_up(env, message).await;
        return Ok(());
    }

    let request = stored.for_attempt(started.div_euclid(1000));
    let answer = call(&request, config.timeout_s).await;
    let finished = now_ms();
    let report = AttemptReport {
        outcome: answer.outcome,
        network_error: answer.network_error.clone(),
        timeout_s: config.timeout_s,
    };
    let decision =
        config
            .retry_schedule
            .next_delay(message.attempt, &answer.outcome, jitter_unit());
    let settlement = settle(decision, message.attempt, report.error(), finished);
    let result = attempt_result(started, &answer, report.error());
    deliveries::record_attempt(db, &row.id, message.attempt, &result, &settlement, finished)
        .await?;
    follow_up(env, message, &settlement).await;
    Ok(())
}

fn attempt_result(started: i64, answer: &CallResult, error: Option<String>) -> AttemptResult {
    AttemptResult {
        started_at: started,
        response_code: answer.outcome.status(),
        latency_ms: answer
            .latency_ms
            .or_else(|| (answer.outcome == AttemptOutcome::Timeout).then(|| now_ms() - started)),
        error,
        response_body: answer.response_body.clone(),
    }
}

/// Queue the next attempt, or hand a given-up delivery to the dead-letter queue. A failure
/// here is logged only: the row is already settled, and the sweep re-queues a retry whose
/// message never left.
async fn follow_up(env: &Env, message: &DeliveryMessage, settlement: &Settlement) {
    if let Some(after_s) = settlement.requeue_after_s {
        let next = DeliveryMessage::after(&message.delivery_id, message.attempt);
        if let Err(e) = send(env, &[next], Some(after_s)).await {
            worker::console_error!("queueing the retry of {}: {e}", message.delivery_id);
        }
    }
    if settlement.dead_letter {
        give_up(env, message).await;
    }
}

async fn give_up(env: &Env, message: &DeliveryMessage) {
    if let Err(e) = dead_letter(env, message).await {
        worker::console_error!("dead-lettering {}: {e}", message.delivery_id);
    }
}
