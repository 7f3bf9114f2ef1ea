//! The retention part of the cron sweep: every container's data past its retention is purged,
//! one bounded transaction per container, the least recently purged first, until the time
//! budget is spent. What is left waits for the next run (every five minutes), so a purge never
//! holds a sweep past its budget however large the backlog.

use crate::core::postback::outbox::retention_cutoff;
use crate::core::retention::{DataKind, Retention};
use crate::core::time::UnixMs;
use crate::error::Result;
use crate::platform::now;
use crate::store::retention::{self, Cutoffs, Purged};
use serde::Serialize;
use worker::D1Database;

/// Wall time one sweep may spend purging, in milliseconds.
pub const PURGE_BUDGET_MS: i64 = 10_000;
/// Rows one statement removes at most.
const PURGE_BATCH: u32 = 500;
/// Containers looked at per sweep.
const CONTAINERS_PER_SWEEP: u32 = 200;

/// What one purge did.
#[derive(Debug, Default, Serialize)]
pub struct PurgeReport {
    pub purged: Purged,
    /// Containers purged in this run.
    pub containers: usize,
    /// False when the budget ran out or a batch was full: the next run goes on.
    pub complete: bool,
}

/// Purges every container's expired data within [`PURGE_BUDGET_MS`]. `log_days` is the worker's
/// `LOG_RETENTION_DAYS`, the default of deliveries and activity.
pub async fn purge_expired(db: &D1Database, started: UnixMs, log_days: u32) -> Result<PurgeReport> {
    let mut report = PurgeReport {
        complete: true,
        ..PurgeReport::default()
    };
    for target in retention::targets(db, CONTAINERS_PER_SWEEP).await? {
        if now().millis() - started.millis() > PURGE_BUDGET_MS {
            report.complete = false;
            break;
        }
        let stored = serde_json::from_str(&target.retention).ok();
        let settings = Retention::parse(stored.as_ref()).unwrap_or_default();
        let longest_window = target.longest_window_days.unwrap_or(0.0).max(0.0) as u32;
        let cutoffs: Cutoffs = DataKind::ALL.map(|kind| {
            let days = settings.effective_days(kind, log_days, longest_window);
            (
                kind,
                UnixMs::from_millis(retention_cutoff(started.millis(), days)),
            )
        });
        let purged =
            retention::purge_container(db, &target.id, &cutoffs, PURGE_BATCH, now()).await?;
        if purged.total() > 0 {
            worker::console_log!("retention purge of {}: {}", target.id, summary(&purged));
        }
        if [
            purged.events,
            purged.clicks,
            purged.identities,
            purged.visitors,
        ]
        .iter()
        .chain([&purged.deliveries, &purged.activity])
        .any(|n| *n >= PURGE_BATCH as usize)
        {
            report.complete = false;
        }
        report.purged.add(&purged);
        report.containers += 1;
    }
    Ok(report)
}

/// `events=3 clicks=10 ...`, for the log.
pub fn summary(purged: &Purged) -> String {
    serde_json::to_value(purged)
        .ok()
        .and_then(|v| v.as_object().cloned())
        .map(|o| {
            o.iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_default()
}
