//! The cron sweep: re-dispatch events whose dispatch never completed, re-queue pending deliveries
//! whose message is overdue (it never reached the queue, was lost, or its attempt died
//! half-way), reseal a few stale connector secrets (`store::sealing::reseal_stale`), and purge
//! what is past each container's retention ([`super::purge`]).

use super::destination;
use super::dispatch::dispatch_event;
use super::outbox::send;
use super::purge::{purge_expired, PurgeReport};
use crate::config::DeliveryConfig;
use crate::core::postback::outbox::{stuck_before, DeliveryMessage};
use crate::core::time::UnixMs;
use crate::error::{Error, Result};
use crate::metering::d1_within;
use crate::store::{deliveries, destinations, dispatch_marks, sealing};
use worker::{D1Database, Env};

/// Rows handled per run; a backlog is worked off over the following runs.
const SWEEP_LIMIT: u32 = 500;

/// Connectors whose secrets one run reseals (two D1 round trips whatever the number).
const RESEAL_LIMIT: u32 = 50;

/// D1 answers at most 1,000 queries per Worker invocation on Workers Paid (Cloudflare's D1
/// limits page), and a cron run is one invocation. Re-dispatching an event takes about six, so
/// a backlog of 500 would pass the limit and fail every phase after it, run after run. Each
/// phase therefore stops once the run's D1 round trips reach its cumulative share; what is left
/// waits for the next run, and retention always keeps the last ~200.
const D1_SHARE_REDISPATCH: u32 = 400;
const D1_SHARE_REQUEUE: u32 = 600;
pub(super) const D1_SHARE_APPROVE: u32 = 800;

/// What one run of the sweep did.
#[derive(Debug, Default)]
pub struct SweepReport {
    pub redispatched: usize,
    pub requeued: usize,
    /// Parked deliveries queued again because their destination was no longer parked.
    pub unparked: u32,
    /// Conversions approved because their container's lock period passed.
    pub approved: usize,
    /// Connectors whose stored secrets were resealed under the current signing key.
    pub resealed: usize,
    /// What retention purged (see [`super::purge`]).
    pub purge: PurgeReport,
}

pub async fn sweep(env: &Env, db: &D1Database, now: UnixMs) -> Result<SweepReport> {
    let config = DeliveryConfig::from_env(env);
    let mut report = SweepReport::default();

    // Events stored whose dispatch never completed: dispatch again (idempotent per connector).
    let settled_before = now.plus_ms(-i64::from(config.stuck_after_s) * 1000);
    for event in dispatch_marks::undispatched(db, settled_before, SWEEP_LIMIT).await? {
        if !d1_within(D1_SHARE_REDISPATCH) {
            break;
        }
        match dispatch_event(env, &event.container_id, &event.id).await {
            Ok(_) => report.redispatched += 1,
            Err(e) => worker::console_error!("re-dispatching event {}: {e}", event.id),
        }
    }

    let due_before = UnixMs::from_millis(stuck_before(now.millis(), config.stuck_after_s));
    let overdue = deliveries::stuck(db, due_before, SWEEP_LIMIT).await?;
    let mut messages = Vec::new();
    for row in overdue {
        if !d1_within(D1_SHARE_REQUEUE) {
            break;
        }
        // Marking first keeps two overlapping sweeps from both re-sending one row.
        if deliveries::mark_requeued(db, &row.id, row.attempt, now).await? {
            let made = u32::try_from(row.attempt.max(0)).unwrap_or(u32::MAX);
            messages.push(DeliveryMessage::after(&row.id, made));
        }
    }
    if !messages.is_empty() {
        send(env, &messages, None)
            .await
            .map_err(|e| Error::internal("re-queueing stuck deliveries", e))?;
        report.requeued = messages.len();
    }

    report.unparked = requeue_orphaned_parked(env, db, settled_before, now).await?;
    report.approved = super::lifecycle::approve_past_lock_period(env, db, now, SWEEP_LIMIT).await?;
    if d1_within(D1_SHARE_APPROVE) {
        report.resealed = sealing::reseal_stale(db, RESEAL_LIMIT).await?;
    }
    report.purge = purge_expired(db, now, config.log_retention_days).await?;
    Ok(report)
}

/// Parked deliveries of destinations that are not parked are queued again: an un-park whose
/// re-queue failed, or a race between a probe's success and an attempt given back as parked,
/// would otherwise keep them forever. Rows changed since `settled_before` are left to the
/// un-park under way. Stops at the requeue phase's D1 share like the phases before it.
async fn requeue_orphaned_parked(
    env: &Env,
    db: &D1Database,
    settled_before: UnixMs,
    now: UnixMs,
) -> Result<u32> {
    let mut requeued = 0u32;
    for connector in destinations::orphaned_parked(db, settled_before, ORPHAN_CONNECTORS).await? {
        if !d1_within(D1_SHARE_REQUEUE) {
            break;
        }
        let n = destination::requeue_parked(env, db, &connector, now).await?;
        worker::console_warn!(
            "re-queued {n} parked deliveries of {connector}, whose destination is not parked"
        );
        requeued = requeued.saturating_add(n);
    }
    Ok(requeued)
}

/// Connectors whose orphaned parked deliveries one run queues again.
const ORPHAN_CONNECTORS: u32 = 20;
