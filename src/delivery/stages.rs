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
pub use super::queue_action::QueueAction;
use super::throttle;
use crate::config::DeliveryConfig;
use crate::core::postback::destination::{park_settlement, Gate};
use crate::core::postback::outbox::{
    settle as settle_row, settle_unsendable, AttemptReport, DeliveryMessage, Settlement,
};
use crate::core::postback::{check_target, AttemptOutcome, OutgoingRequest, RetryDecision};
use crate::core::time::UnixMs;
use crate::error::Result;
use crate::platform::{now, random};
use crate::store::attempts::{self, AttemptResult};
use crate::store::deliveries::{self, DeliveryRow};
use crate::store::erasure;
use crate::store::sealing::claimed_secrets;
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
    /// Its destination is paused or over its rate: the claim was given back, and this message
    /// (the same attempt) is queued again after `after_s`.
    Wait {
        message: DeliveryMessage,
        after_s: u32,
    },
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

/// Stage 1. One conditional write both reads the row and takes the attempt; then the stored
/// request is read and its target checked.
pub async fn prepare(
    message: DeliveryMessage,
    db: &D1Database,
    config: &DeliveryConfig,
) -> Result<Prepared> {
    let started = now();
    let row = deliveries::claim_attempt(db, &message.delivery_id, message.attempt, started).await?;
    prepare_claimed(message, row, started, db, config).await
}

/// Stage 1 after the claim (a batch claims all its messages at once): `row` is the claimed
/// row, `None` when the attempt was not won.
pub async fn prepare_claimed(
    message: DeliveryMessage,
    row: Option<DeliveryRow>,
    started: UnixMs,
    db: &D1Database,
    config: &DeliveryConfig,
) -> Result<Prepared> {
    let Some(row) = row else {
        return Ok(Prepared::Stale);
    };
    // Queue messages cannot be cancelled: an erasure that ran after this row was written marked
    // its event, the claim read the mark, and the message is dropped.
    if row.event_erased() {
        erasure::settle_erased(db, &row.id, started).await?;
        return Ok(Prepared::Erased);
    }
    let (destination, gate) = Destination::claimed(&row);
    if gate != Gate::Send && destination::hold(db, &row, gate, message.attempt, started).await? {
        return Ok(Prepared::Parked);
    }
    if let Some((message, after_s)) = throttle::take_turn(db, &row, &message).await? {
        return Ok(Prepared::Wait { message, after_s });
    }
    // The attempt starts now, after any wait for its turn: its signature and its log say so.
    let started = now();
    let Some(stored) = row.stored_request() else {
        return Ok(Prepared::Unreadable { message, started });
    };
    let ready = url::Url::parse(&stored.request.url)
        .map_err(|e| format!("the URL is not valid: {e}"))
        .and_then(|url| {
            check_target(&url, config.allow_private_targets)
                .map_err(|e| format!("refused target: {e}"))
        })
        .and_then(|()| stored.for_attempt(started.seconds(), claimed_secrets(&row).as_ref()));
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
    let d = decide(completed, db, config, retries).await?;
    let id = &d.message.delivery_id;
    attempts::record_attempt(
        db,
        id,
        d.message.attempt,
        &d.result,
        &d.settlement,
        d.finished,
    )
    .await?;
    Ok((d.message, d.settlement))
}

/// A sent attempt, decided but not yet written: what [`settle`] writes, or what a batch writes
/// together with its other attempts.
#[derive(Debug)]
pub struct Decided {
    pub message: DeliveryMessage,
    pub settlement: Settlement,
    pub result: AttemptResult,
    pub finished: UnixMs,
    pub destination: Destination,
    /// The partner answered 2xx.
    pub delivered: bool,
}

/// Stage 3's decision for a sent attempt: the retry schedule, and for a failure the
/// destination's pause and park rules (which write their own counters).
pub async fn decide(
    completed: CompletedDispatch,
    db: &D1Database,
    config: &DeliveryConfig,
    retries: bool,
) -> Result<Decided> {
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
            let decision = after_failed(&pending, &answer, finished, db, config, retries).await?;
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
    Ok(Decided {
        delivered: answer.outcome.is_success(),
        message,
        settlement,
        result,
        finished,
        destination: pending.destination,
    })
}

/// A failed attempt: a `Retry-After` pause, then the retry schedule and the park rules.
async fn after_failed(
    pending: &PendingDispatch,
    answer: &CallResult,
    finished: UnixMs,
    db: &D1Database,
    config: &DeliveryConfig,
    retries: bool,
) -> Result<AfterFailure> {
    let connector = &pending.destination.connector_id;
    throttle::after_failure(db, connector, &answer.outcome, finished).await?;
    if !retries {
        return Ok(AfterFailure::Decided(RetryDecision::Exhausted));
    }
    let scheduled =
        config
            .retry_schedule
            .next_delay(pending.message.attempt, &answer.outcome, jitter_unit());
    destination::after_failure(
        db,
        &pending.destination,
        &pending.message.delivery_id,
        &answer.outcome,
        scheduled,
        &config.retry_schedule,
        finished,
    )
    .await
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
