//! The cron sweep: re-queue pending deliveries whose message is overdue (it never reached the
//! queue, was lost, or its attempt died half-way), and purge log rows past retention.

use super::outbox::send;
use crate::config::DeliveryConfig;
use crate::core::postback::outbox::{retention_cutoff, stuck_before, DeliveryMessage};
use crate::http::error::ApiResult;
use crate::store::{deliveries, delivery_inputs};
use worker::{D1Database, Env};

/// Rows handled per run; a backlog is worked off over the following runs.
const SWEEP_LIMIT: u32 = 500;
const PURGE_LIMIT: u32 = 2000;

#[derive(Debug, Default)]
pub struct SweepReport {
    pub requeued: usize,
    pub purged_deliveries: usize,
    pub purged_webhook_requests: usize,
}

pub async fn sweep(env: &Env, db: &D1Database, now_ms: i64) -> ApiResult<SweepReport> {
    let config = DeliveryConfig::from_env(env);
    let mut report = SweepReport::default();

    let overdue =
        deliveries::stuck(db, stuck_before(now_ms, config.stuck_after_s), SWEEP_LIMIT).await?;
    let mut messages = Vec::new();
    for row in overdue {
        // Marking first keeps two overlapping sweeps from both re-sending one row.
        if deliveries::mark_requeued(db, &row.id, row.attempt, now_ms).await? {
            let made = u32::try_from(row.attempt.max(0)).unwrap_or(u32::MAX);
            messages.push(DeliveryMessage::after(&row.id, made));
        }
    }
    if !messages.is_empty() {
        send(env, &messages, None).await.map_err(|e| {
            crate::http::error::ApiError::internal("re-queueing stuck deliveries", e)
        })?;
        report.requeued = messages.len();
    }

    let cutoff = retention_cutoff(now_ms, config.log_retention_days);
    report.purged_deliveries = deliveries::purge(db, cutoff, PURGE_LIMIT).await?;
    report.purged_webhook_requests =
        delivery_inputs::purge_webhook_requests(db, cutoff, PURGE_LIMIT).await?;
    Ok(report)
}
