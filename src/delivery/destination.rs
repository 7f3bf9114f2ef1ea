//! Parked destinations at the edge: what a claim found about its destination, counting a failed
//! attempt (and parking the destination when the rules say so), and un-parking after a success
//! or by hand, which queues the parked deliveries again, oldest first. The rules themselves are
//! in `core::postback::destination`; this module only stores and sends.

use super::outbox::send;
use crate::core::connector::ParkPolicy;
use crate::core::ids::{ConnectorId, DeliveryId};
use crate::core::postback::destination::{park_verdict, parked_decision, Gate};
use crate::core::postback::outbox::DeliveryMessage;
use crate::core::postback::{AttemptOutcome, RetryDecision, RetrySchedule};
use crate::core::time::UnixMs;
use crate::error::Result;
use crate::store::deliveries::{ClaimedDestination, DeliveryRow};
use crate::store::destinations::{self, REQUEUE_LIMIT};
use serde_json::{Map, Value};
use worker::{D1Database, Env};

/// A claimed attempt's destination, as the stages carry it.
#[derive(Debug, Clone)]
pub struct Destination {
    pub connector_id: ConnectorId,
    /// The connector's park settings (the defaults if the stored ones cannot be read).
    pub policy: ParkPolicy,
    /// Whether a success has counters to reset or a parked state to lift.
    pub has_failures: bool,
}

impl Destination {
    /// What the claim of `row` read, and the gate it opens.
    pub fn claimed(row: &DeliveryRow) -> (Self, Gate) {
        let claimed = row.claimed_destination();
        let gate = crate::core::postback::destination::gate(
            claimed.parked.as_ref().map(|_| claimed.probe.as_ref()),
            &row.id,
            row.is_test_webhook(),
        );
        let destination = Self {
            connector_id: row.connector_id.clone(),
            policy: policy_of(&claimed),
            has_failures: claimed.parked.is_some() || claimed.failures.is_some_and(|n| n > 0.0),
        };
        (destination, gate)
    }
}

/// The stored settings through the connector's own parser of them.
fn policy_of(claimed: &ClaimedDestination) -> ParkPolicy {
    let mut webhook = Map::new();
    for (key, value) in [
        ("park_after_failures", claimed.park_after_failures),
        ("park_after_hours", claimed.park_after_hours),
    ] {
        if let Some(n) = value.filter(|n| n.fract() == 0.0 && *n >= 0.0) {
            // Whole and non-negative: the cast is exact below 2^53.
            webhook.insert(key.to_string(), Value::from(n as u64));
        }
    }
    ParkPolicy::parse(&webhook).unwrap_or_default()
}

/// A parked destination's delivery that is not its probe: kept as `parked` without an attempt
/// (the claimed attempt is given back). `false` when it has a probe-less destination and takes
/// the probe role instead, so it is sent.
pub async fn hold(
    db: &D1Database,
    row: &DeliveryRow,
    gate: Gate,
    claimed_attempt: u32,
    now: UnixMs,
) -> Result<bool> {
    let claimed = row.claimed_destination();
    if gate == Gate::Probe && claimed.probe.is_none() {
        if destinations::take_probe(db, &row.connector_id, &row.id, now).await? {
            return Ok(false);
        }
    } else if gate != Gate::Park {
        return Ok(false);
    }
    let why = claimed.parked.unwrap_or_else(|| "parked".to_string());
    let error = crate::core::postback::destination::park_settlement(&why).error;
    let error = error.unwrap_or_default();
    destinations::park_delivery(db, &row.id, claimed_attempt, &error, now).await?;
    Ok(true)
}

/// What a failed attempt does to its delivery once the destination has counted it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AfterFailure {
    /// The retry schedule's decision (for a probe, one that never gives up).
    Decided(RetryDecision),
    /// Kept as `parked`, with the destination's reason.
    Park(String),
}

/// Count a failed attempt of `delivery`; park the destination when the rules say so (this
/// delivery becomes its probe). Parking is logged.
pub async fn after_failure(
    db: &D1Database,
    destination: &Destination,
    delivery: &DeliveryId,
    outcome: &AttemptOutcome,
    decision: RetryDecision,
    schedule: &RetrySchedule,
    now: UnixMs,
) -> Result<AfterFailure> {
    let connector = &destination.connector_id;
    let Some(state) = destinations::count_failure(db, connector, now).await? else {
        return Ok(AfterFailure::Decided(decision));
    };
    let (reason, is_probe) = match &state.park_reason {
        Some(reason) => (
            reason.clone(),
            state.probe_delivery_id.as_ref() == Some(delivery),
        ),
        None => {
            let failing = state.failing(now);
            let Some(verdict) = park_verdict(failing, outcome, destination.policy, now.millis())
            else {
                return Ok(AfterFailure::Decided(decision));
            };
            let reason = verdict.message();
            let won = destinations::park(db, connector, &reason, delivery, now).await?;
            if won {
                worker::console_warn!(
                    "destination of connector {connector} parked: {reason}; probing with {delivery}"
                );
            }
            (reason, won)
        }
    };
    Ok(match parked_decision(decision, is_probe, schedule) {
        Some(decided) => AfterFailure::Decided(decided),
        None => AfterFailure::Park(reason),
    })
}

/// Lift a destination's parked state and counters (after a success, or by hand) and queue its
/// parked deliveries again, oldest first. Returns how many were queued again. A failure to
/// queue them is logged: the rows are due now, and the sweep queues them.
pub async fn unpark(
    env: &Env,
    db: &D1Database,
    connector: &ConnectorId,
    now: UnixMs,
) -> Result<u32> {
    if destinations::unpark(db, connector, now).await? {
        worker::console_warn!("destination of connector {connector} un-parked");
    }
    requeue_parked(env, db, connector, now).await
}

/// Queue the connector's parked deliveries again, oldest first, whatever its destination's
/// state (the caller knows it is not parked). Returns how many were queued again.
pub async fn requeue_parked(
    env: &Env,
    db: &D1Database,
    connector: &ConnectorId,
    now: UnixMs,
) -> Result<u32> {
    let mut requeued = 0u32;
    loop {
        let rows = destinations::requeue_parked(db, connector, now).await?;
        let messages: Vec<DeliveryMessage> = rows
            .iter()
            .map(|r| DeliveryMessage::after(&r.id, u32::try_from(r.attempt.max(0)).unwrap_or(0)))
            .collect();
        requeued = requeued.saturating_add(u32::try_from(rows.len()).unwrap_or(u32::MAX));
        if let Err(e) = send(env, &messages, None).await {
            worker::console_error!("queueing un-parked deliveries of {connector}: {e}");
        }
        if rows.len() < REQUEUE_LIMIT as usize {
            return Ok(requeued);
        }
    }
}
