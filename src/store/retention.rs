//! Purging what is past a container's retention, one bounded batch per container. Each
//! statement removes at most `limit` rows, so one call is one short D1 transaction; a backlog
//! is worked off over the following sweeps.
//!
//! Never purged here: deliveries still pending (`queued`, `retrying`, `parked`), events not yet
//! dispatched, and the marker that a conversion was delivered to a connector (a `delivered`
//! row past retention is emptied of its request, response and log copy, and the row itself
//! goes only once its event is gone, since reversals need it until then). Every event and
//! delivery deleted here is first added to the daily rollups (`store::reconciliation`), in the
//! same batch, so reconciliation and the overview outlive the rows.

use super::containers::LONGEST_WINDOW_DAYS;
use super::reconciliation::{rollup_deliveries, rollup_events};
use super::{all, batch_changes, int, statement, text, time};
use crate::core::ids::ContainerId;
use crate::core::postback::DAY_MS;
use crate::core::retention::DataKind;
use crate::core::time::UnixMs;
use crate::error::Result;
use serde::Deserialize;
use wasm_bindgen::JsValue;
use worker::{D1Database, D1PreparedStatement};

/// A container as the purge needs it.
#[derive(Debug, Clone, Deserialize)]
pub struct PurgeTarget {
    pub id: ContainerId,
    pub retention: String,
    /// The longest `click_id.window_days` of its connectors (0 without any).
    pub longest_window_days: Option<f64>,
}

/// Up to `limit` containers, the least recently purged first.
pub async fn targets(db: &D1Database, limit: u32) -> Result<Vec<PurgeTarget>> {
    all(
        db,
        &format!(
            "SELECT c.id, c.retention, {LONGEST_WINDOW_DAYS} AS longest_window_days \
             FROM containers c ORDER BY c.purged_at IS NOT NULL, c.purged_at, c.id LIMIT ?1"
        ),
        &[int(i64::from(limit))],
    )
    .await
}

/// What one container's purge removed, per kind (`deliveries` counts rows deleted;
/// `delivered_markers_emptied` the delivered rows emptied to markers).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Purged {
    pub events: usize,
    pub pending_identities: usize,
    pub clicks: usize,
    pub identities: usize,
    pub visitors: usize,
    pub deliveries: usize,
    pub delivered_markers_emptied: usize,
    pub activity: usize,
}

impl Purged {
    pub fn add(&mut self, other: &Purged) {
        self.events += other.events;
        self.pending_identities += other.pending_identities;
        self.clicks += other.clicks;
        self.identities += other.identities;
        self.visitors += other.visitors;
        self.deliveries += other.deliveries;
        self.delivered_markers_emptied += other.delivered_markers_emptied;
        self.activity += other.activity;
    }

    pub fn total(&self) -> usize {
        self.events
            + self.pending_identities
            + self.clicks
            + self.identities
            + self.visitors
            + self.deliveries
            + self.delivered_markers_emptied
            + self.activity
    }
}

/// One cutoff per kind: rows created before it are past retention.
pub type Cutoffs = [(DataKind, UnixMs); 6];

/// Purges one container in one transaction, each statement bounded by `limit` rows, and
/// records when it was purged.
pub async fn purge_container(
    db: &D1Database,
    container: &ContainerId,
    cutoffs: &Cutoffs,
    limit: u32,
    now: UnixMs,
) -> Result<Purged> {
    let cutoff = |kind: DataKind| {
        cutoffs
            .iter()
            .find(|(k, _)| *k == kind)
            .map_or(UnixMs::from_millis(0), |(_, at)| *at)
    };
    let args = |kind: DataKind| {
        [
            text(container.as_str()),
            time(cutoff(kind)),
            int(i64::from(limit)),
        ]
    };
    let mut statements: Vec<D1PreparedStatement> = Vec::new();
    let mut add = |sql: &str, args: &[JsValue]| -> Result<()> {
        statements.push(statement(db, sql, args)?);
        Ok(())
    };
    events(&mut add, &args(DataKind::Events))?;
    add(
        "DELETE FROM clicks WHERE id IN (SELECT id FROM clicks WHERE container_id = ?1 \
         AND created_at < ?2 ORDER BY created_at LIMIT ?3)",
        &args(DataKind::Clicks),
    )?;
    add(
        "DELETE FROM identities WHERE rowid IN (SELECT rowid FROM identities WHERE container_id = ?1 \
         AND created_at < ?2 ORDER BY created_at LIMIT ?3)",
        &args(DataKind::Identities),
    )?;
    add(
        "DELETE FROM visitors WHERE rowid IN (SELECT rowid FROM visitors WHERE container_id = ?1 \
         AND updated_at < ?2 ORDER BY updated_at LIMIT ?3)",
        &args(DataKind::Visitors),
    )?;
    deliveries(&mut add, &args(DataKind::Deliveries))?;
    add(
        "DELETE FROM webhook_requests WHERE id IN (SELECT id FROM webhook_requests \
         WHERE container_id = ?1 AND received_at < ?2 ORDER BY received_at LIMIT ?3)",
        &args(DataKind::Activity),
    )?;
    // The per-day counts of unauthenticated webhook requests are activity too.
    add(
        "DELETE FROM webhook_unauthenticated WHERE container_id = ?1 AND day < ?2",
        &[
            text(container.as_str()),
            int(cutoff(DataKind::Activity).millis().div_euclid(DAY_MS)),
        ],
    )?;
    // The status history of events already purged (a reason may name a person).
    add(
        "DELETE FROM event_status_history WHERE rowid IN (SELECT h.rowid FROM event_status_history h \
         WHERE h.container_id = ?1 AND h.changed_at < ?2 \
         AND NOT EXISTS (SELECT 1 FROM events e WHERE e.id = h.event_row_id) LIMIT ?3)",
        &args(DataKind::Events),
    )?;
    add(
        "UPDATE containers SET purged_at = ?2 WHERE id = ?1",
        &[text(container.as_str()), time(now)],
    )?;
    let changes = batch_changes(db, statements).await?;
    let at = |i: usize| changes.get(i).copied().unwrap_or(0);
    // 0: the events' rollup.
    Ok(Purged {
        pending_identities: at(1),
        events: at(2),
        clicks: at(3),
        identities: at(4),
        visitors: at(5),
        // 6: attempts of finished rows; 7: their rollup; 8: finished rows; 9: attempts of
        // delivered rows; 10: delivered rows emptied; 11: the markers' rollup; 12: markers
        // whose event is gone.
        deliveries: at(8) + at(12),
        delivered_markers_emptied: at(10),
        activity: at(13),
    })
}

/// The event statements: events (dispatched ones only) with the identities still parked for
/// them, their daily counts first added to the rollups the overview reads (same rows, same
/// batch).
fn events(add: &mut impl FnMut(&str, &[JsValue]) -> Result<()>, args: &[JsValue; 3]) -> Result<()> {
    let old_events = "SELECT id FROM events WHERE container_id = ?1 AND created_at < ?2 \
                      AND dispatched_at IS NOT NULL ORDER BY created_at LIMIT ?3";
    add(&rollup_events(old_events), args)?;
    add(
        &format!("DELETE FROM pending_identities WHERE event_row_id IN ({old_events})"),
        args,
    )?;
    add(
        &format!("DELETE FROM events WHERE id IN ({old_events})"),
        args,
    )
}

/// The delivery statements: finished rows (failed, test, skipped; a failed one once no copy of
/// it is pending) go with their attempts;
/// delivered rows are emptied to markers, which go once their event is gone. Pending rows
/// (`queued`, `retrying`, `parked`) are never touched.
fn deliveries(
    add: &mut impl FnMut(&str, &[JsValue]) -> Result<()>,
    args: &[JsValue; 3],
) -> Result<()> {
    // A failed original waits for a copy still pending (a replay or recovery), so that
    // reconciliation counts it with the copy's outcome.
    let finished = "SELECT id FROM deliveries WHERE container_id = ?1 AND created_at < ?2 \
                    AND status IN ('failed', 'test', 'skipped') AND NOT EXISTS (SELECT 1 \
                    FROM deliveries c WHERE c.replay_of = deliveries.id \
                    AND c.status IN ('queued', 'retrying', 'parked')) ORDER BY created_at LIMIT ?3";
    add(
        &format!("DELETE FROM delivery_attempts WHERE delivery_id IN ({finished})"),
        args,
    )?;
    // Each deleted row is first added to the daily rollups (reconciliation outlives the log).
    add(&rollup_deliveries(finished), args)?;
    add(
        &format!("DELETE FROM deliveries WHERE id IN ({finished})"),
        args,
    )?;
    let delivered = "SELECT id FROM deliveries WHERE container_id = ?1 AND created_at < ?2 \
                     AND status = 'delivered' AND request IS NOT NULL ORDER BY created_at LIMIT ?3";
    add(
        &format!("DELETE FROM delivery_attempts WHERE delivery_id IN ({delivered})"),
        args,
    )?;
    add(
        &format!(
            "UPDATE deliveries SET url = NULL, headers = NULL, body = NULL, request = NULL, \
             response_body = NULL, error = NULL WHERE id IN ({delivered})"
        ),
        args,
    )?;
    let markers = "SELECT d.id FROM deliveries d WHERE d.container_id = ?1 \
         AND d.created_at < ?2 AND d.status = 'delivered' AND d.request IS NULL \
         AND (d.event_row_id IS NULL OR NOT EXISTS (SELECT 1 FROM events e WHERE e.id = d.event_row_id)) \
         ORDER BY d.created_at LIMIT ?3";
    add(&rollup_deliveries(markers), args)?;
    add(
        &format!("DELETE FROM deliveries WHERE id IN ({markers})"),
        args,
    )
}
