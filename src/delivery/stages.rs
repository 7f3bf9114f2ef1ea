//! One delivery attempt as typed stages, each a function from one value to the next, so the flow
//! reads top to bottom:
//!
//! 1. [`prepare`]: a queue message → [`Prepared`]: the attempt claimed on its row and the request
//!    ready to send ([`PendingDispatch`]), or refused before sending, or a stale message, or one
//!    whose event was erased since it was queued.
//! 2. [`call`]: a [`PendingDispatch`] → [`CompletedDispatch::Successful`] or
//!    [`CompletedDispatch::Failed`], with what the partner answered.
//! 3. [`settle`] (and [`settle_refused`], [`settle_unreadable`]): the attempt and the row's new
//!    state are recorded → a [`Settlement`] (delivered, retrying after a delay, or failed and
//!    dead-lettered).
//! 4. [`QueueAction::after`]: the settlement → what happens to the queue message.
//!
//! Only [`prepare`] and the settle stages touch D1, and each is one conditional write, so a
//! duplicate message can never win an attempt twice.

use super::call::{send_request, CallResult};
use super::destination::{self, AfterFailure, Destination};
use crate::config::DeliveryConfig;
use crate::core::postback::destination::{park_settlement, Gate};
use crate::core::postback::outbox::{
    settle as settle_row, settle_unsendable, AttemptReport, DeliveryMessage, Settlement,
};
use crate::core::postback::{check_target, AttemptOutcome, OutgoingRequest, RetryDecision};
use crate::core::privacy::subject::subject_hash;
use crate::core::time::UnixMs;
use crate::error::Result;
use crate::platform::{now, random};
use crate::store::attempts::{self, AttemptResult};
use crate::store::{deliveries, erasure};
use worker::D1Database;

/// An attempt claimed on its row, with the exact request to send for it.
#[derive(Debug)]
pub struct PendingDispatch {
    pub message: DeliveryMessage,
    pub started: UnixMs,
    /// The stored request, re-signed with this attempt's time when the connector signs.
    pub request: OutgoingRequest,
    /// Where it goes, for counting failures and parking.
    pub destination: Destination,
}

/// A claimed attempt whose request must not be sent.
#[derive(Debug)]
pub struct RefusedDispatch {
    pub message: DeliveryMessage,
    pub started: UnixMs,
    /// Why, for the log: the URL does not parse, or the target is refused (a private address).
    pub error: String,
}

/// What [`prepare`] found.
#[derive(Debug)]
pub enum Prepared {
    /// Send it.
    Ready(PendingDispatch),
    /// Recorded as a failed attempt with the reason; retrying cannot help.
    Refused(RefusedDispatch),
    /// The row holds no request we can read: failed without an attempt.
    Unreadable {
        message: DeliveryMessage,
        started: UnixMs,
    },
    /// A duplicate or stale message: that attempt is taken or settled, or the row was purged.
    Stale,
    /// The delivery's event was erased (its person asked): settled as skipped, nothing sent.
    Erased,
    /// Its destination is parked and another delivery is the probe: kept as `parked`, no
    /// attempt used.
    Parked,
}

/// What the partner did with one attempt.
#[derive(Debug)]
pub enum CompletedDispatch {
    /// A 2xx answer.
    Successful {
        pending: PendingDispatch,
        answer: CallResult,
        finished: UnixMs,
    },
    /// Any other answer, a timeout, or no answer at all.
    Failed {
        pending: PendingDispatch,
        answer: CallResult,
        finished: UnixMs,
    },
}

/// What happens to the queue message once its attempt is settled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueueAction {
    /// Done with it: delivered, or nothing to do.
    Ack,
    /// Done with it, and the next attempt goes out as a new message after `after_s`. A new
    /// message rather than `retry_with_options`, because each message names the attempt it is
    /// for (see `core::postback::outbox`), and the platform's own retry count is kept for our
    /// failures.
    AckAndRetry { next: DeliveryMessage, after_s: u32 },
    /// Done with it, and the delivery is given up: the message goes to the dead-letter queue.
    AckAndDeadLetter { message: DeliveryMessage },
    /// Our own storage failed: the platform redelivers this same message, and the claim on the
    /// row keeps it one attempt.
    Redeliver,
}

impl QueueAction {
    /// The queue's part of a settled attempt of `message`.
    pub fn after(message: &DeliveryMessage, settlement: &Settlement) -> Self {
        if settlement.dead_letter {
            return QueueAction::AckAndDeadLetter {
                message: message.clone(),
            };
        }
        match settlement.requeue_after_s {
            Some(after_s) => QueueAction::AckAndRetry {
                next: DeliveryMessage::after(&message.delivery_id, message.attempt),
                after_s,
            },
            None => QueueAction::Ack,
        }
    }
}

/// Stage 1. One conditional write both reads the row and takes the attempt; then the stored
/// request is read and its target checked.
pub async fn prepare(
    message: DeliveryMessage,
    db: &D1Database,
    config: &DeliveryConfig,
) -> Result<Prepared> {
    let started = now();
    let Some(row) =
        deliveries::claim_attempt(db, &message.delivery_id, message.attempt, started).await?
    else {
        return Ok(Prepared::Stale);
    };
    // Queue messages cannot be cancelled: an erasure that ran after this row was written is
    // found in the hashed erasure record, and the message is dropped.
    if let Some(event) = &row.event_row_id {
        let hash = subject_hash("event", event.as_str());
        if erasure::names_any(db, &row.container_id, &[hash]).await? {
            erasure::settle_erased(db, &row.id, started).await?;
            return Ok(Prepared::Erased);
        }
    }
    let (destination, gate) = Destination::claimed(&row);
    if gate != Gate::Send && destination::hold(db, &row, gate, message.attempt, started).await? {
        return Ok(Prepared::Parked);
    }
    let Some(stored) = row.stored_request() else {
        return Ok(Prepared::Unreadable { message, started });
    };
    let ready = url::Url::parse(&stored.request.url)
        .map_err(|e| format!("the URL is not valid: {e}"))
        .and_then(|url| {
            check_target(&url, config.allow_private_targets)
                .map_err(|e| format!("refused target: {e}"))
        })
        .and_then(|()| stored.for_attempt(started.seconds()));
    Ok(match ready {
        Err(error) => Prepared::Refused(RefusedDispatch {
            message,
            started,
            error,
        }),
        Ok(request) => Prepared::Ready(PendingDispatch {
            request,
            message,
            started,
            destination,
        }),
    })
}

/// Stage 2: send the request, giving up after `timeout_s`.
pub async fn call(pending: PendingDispatch, timeout_s: u32) -> CompletedDispatch {
    let answer = send_request(&pending.request, timeout_s).await;
    let finished = now();
    if answer.outcome.is_success() {
        CompletedDispatch::Successful {
            pending,
            answer,
            finished,
        }
    } else {
        CompletedDispatch::Failed {
            pending,
            answer,
            finished,
        }
    }
}

/// Stage 3 for a sent attempt: the retry schedule decides, and the attempt and the row's new
/// state are written in one transaction.
pub async fn settle(
    completed: CompletedDispatch,
    db: &D1Database,
    config: &DeliveryConfig,
) -> Result<(DeliveryMessage, Settlement)> {
    settle_with(completed, db, config, true).await
}

/// Stage 3 for a Test Webhook's only attempt: delivered or failed, never retried.
pub async fn settle_once(
    completed: CompletedDispatch,
    db: &D1Database,
    config: &DeliveryConfig,
) -> Result<(DeliveryMessage, Settlement)> {
    settle_with(completed, db, config, false).await
}

async fn settle_with(
    completed: CompletedDispatch,
    db: &D1Database,
    config: &DeliveryConfig,
    retries: bool,
) -> Result<(DeliveryMessage, Settlement)> {
    let (pending, answer, finished, decision) = match completed {
        CompletedDispatch::Successful {
            pending,
            answer,
            finished,
        } => (
            pending,
            answer,
            finished,
            AfterFailure::Decided(RetryDecision::Delivered),
        ),
        CompletedDispatch::Failed {
            pending,
            answer,
            finished,
        } => {
            let decision = if retries {
                let scheduled = config.retry_schedule.next_delay(
                    pending.message.attempt,
                    &answer.outcome,
                    jitter_unit(),
                );
                destination::after_failure(
                    db,
                    &pending.destination,
                    &pending.message.delivery_id,
                    &answer.outcome,
                    scheduled,
                    &config.retry_schedule,
                    finished,
                )
                .await?
            } else {
                AfterFailure::Decided(RetryDecision::Exhausted)
            };
            (pending, answer, finished, decision)
        }
    };
    let report = AttemptReport {
        outcome: answer.outcome,
        network_error: answer.network_error.clone(),
        timeout_s: config.timeout_s,
    };
    let message = pending.message;
    let settlement = match decision {
        AfterFailure::Decided(decision) => {
            settle_row(decision, message.attempt, report.error(), finished.millis())
        }
        AfterFailure::Park(why) => park_settlement(&why),
    };
    let result = AttemptResult {
        started_at: pending.started,
        response_code: answer.outcome.status(),
        latency_ms: answer.latency_ms.or_else(|| {
            (answer.outcome == AttemptOutcome::Timeout)
                .then(|| finished.millis() - pending.started.millis())
        }),
        error: report.error(),
        response_body: answer.response_body,
    };
    let id = &message.delivery_id;
    attempts::record_attempt(db, id, message.attempt, &result, &settlement, finished).await?;
    Ok((message, settlement))
}

/// Stage 3 for a refused target: recorded as a failed attempt that was never sent.
pub async fn settle_refused(
    refused: RefusedDispatch,
    db: &D1Database,
) -> Result<(DeliveryMessage, Settlement)> {
    let result = AttemptResult {
        started_at: refused.started,
        response_code: None,
        latency_ms: None,
        error: Some(refused.error.clone()),
        response_body: None,
    };
    let settlement = settle_unsendable(refused.error);
    let message = refused.message;
    let id = &message.delivery_id;
    attempts::record_attempt(db, id, message.attempt, &result, &settlement, now()).await?;
    Ok((message, settlement))
}

/// Stage 3 for a row without a readable request: failed, with no attempt recorded.
pub async fn settle_unreadable(
    message: DeliveryMessage,
    started: UnixMs,
    db: &D1Database,
) -> Result<(DeliveryMessage, Settlement)> {
    let error = "the delivery has no readable request to send";
    let id = &message.delivery_id;
    deliveries::fail_unsendable(db, id, message.attempt, error, started).await?;
    Ok((message, settle_unsendable(error.to_string())))
}

/// A uniform number in [0, 1) for the retry jitter; 0.5 (no jitter) if randomness fails.
fn jitter_unit() -> f64 {
    match random::<4>() {
        Ok(bytes) => f64::from(u32::from_le_bytes(bytes)) / 4_294_967_296.0,
        Err(_) => 0.5,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::ids::DeliveryId;
    use crate::core::postback::DeliveryStatus;

    fn message(attempt: u32) -> DeliveryMessage {
        let id = DeliveryId::parse("dlv_abcdefghijkl").unwrap();
        DeliveryMessage::after(&id, attempt - 1)
    }

    fn settlement(requeue_after_s: Option<u32>, dead_letter: bool) -> Settlement {
        Settlement {
            status: DeliveryStatus::Retrying,
            next_attempt_at: None,
            error: None,
            requeue_after_s,
            dead_letter,
        }
    }

    #[test]
    fn a_settled_attempt_acks_its_message_and_queues_what_comes_next() {
        assert_eq!(
            QueueAction::after(&message(1), &settlement(None, false)),
            QueueAction::Ack
        );
        assert_eq!(
            QueueAction::after(&message(2), &settlement(Some(60), false)),
            QueueAction::AckAndRetry {
                next: message(3),
                after_s: 60
            }
        );
        assert_eq!(
            QueueAction::after(&message(8), &settlement(None, true)),
            QueueAction::AckAndDeadLetter {
                message: message(8)
            }
        );
    }
}
