//! The `webhook_requests` table: each container's recent inbound webhook activity. Only the
//! last [`RECENT_ACTIVITY_LIMIT`] rows per container are kept; each insert trims the rest in the
//! same transaction, so the table never grows and no sweep is needed.
//!
//! Requests that are not the container's own callers (no key, a malformed or unknown one, or
//! another container's) are counted per day in `webhook_unauthenticated` instead, so they can
//! never push the real requests out of the list.

use super::{all, first, flag, int, opt_text, run, statement, text, time};
use crate::core::ids::{ContainerId, EventId};
use crate::core::postback::DAY_MS;
use crate::core::provenance::Provenance;
use crate::core::time::UnixMs;
use crate::core::webhook_in::{ActivityStatus, RECENT_ACTIVITY_LIMIT};
use crate::error::Result;
use serde::Deserialize;
use worker::{D1Database, D1PreparedStatement};

/// One request's outcome, as the activity log records it.
#[derive(Debug, Clone)]
pub struct NewActivity<'a> {
    pub container_id: &'a ContainerId,
    pub received_at: UnixMs,
    pub status: ActivityStatus,
    pub topic: Option<&'a str>,
    pub session_matched: bool,
    pub http_status: u16,
    pub error_code: Option<&'a str>,
    pub event_id: Option<&'a EventId>,
    /// `server` when the request's key authenticated it; `None` for a refused key.
    pub provenance: Option<Provenance>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ActivityRow {
    pub id: i64,
    pub received_at: UnixMs,
    pub status: String,
    pub topic: Option<String>,
    pub session_matched: i64,
    pub http_status: i64,
    pub error_code: Option<String>,
    pub event_id: Option<EventId>,
    pub provenance: Option<String>,
}

/// Records one request's row, trimming the container's oldest beyond the limit.
pub async fn insert(db: &D1Database, row: &NewActivity<'_>) -> Result<()> {
    let statements = insert_statements(db, row)?;
    super::batch(db, statements, "recording webhook activity").await?;
    Ok(())
}

/// [`insert`] as statements that can join another batch (the event the request stored).
pub fn insert_statements(
    db: &D1Database,
    row: &NewActivity<'_>,
) -> Result<Vec<D1PreparedStatement>> {
    let insert = statement(
        db,
        "INSERT INTO webhook_requests (container_id, received_at, status, topic, session_matched, \
         http_status, error_code, event_id, provenance) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        &[
            text(row.container_id.as_str()),
            time(row.received_at),
            text(row.status.as_str()),
            opt_text(row.topic),
            flag(row.session_matched),
            int(i64::from(row.http_status)),
            opt_text(row.error_code),
            opt_text(row.event_id.map(EventId::as_str)),
            opt_text(row.provenance.map(Provenance::as_str)),
        ],
    )?;
    let trim = statement(
        db,
        "DELETE FROM webhook_requests WHERE container_id = ?1 AND id <= \
         (SELECT id FROM webhook_requests WHERE container_id = ?1 ORDER BY id DESC LIMIT 1 OFFSET ?2)",
        &[text(row.container_id.as_str()), int(RECENT_ACTIVITY_LIMIT as i64)],
    )?;
    Ok(vec![insert, trim])
}

/// Rewrites the status and match of the row [`insert_statements`] wrote for the request of
/// `row` (same container, time and event id) when its answer turned out otherwise: a write that
/// lost a race to the same event id is answered as a duplicate.
pub async fn correct(db: &D1Database, row: &NewActivity<'_>) -> Result<()> {
    run(
        db,
        "UPDATE webhook_requests SET status = ?4, session_matched = ?5 WHERE id = \
         (SELECT id FROM webhook_requests WHERE container_id = ?1 AND received_at = ?2 \
          AND event_id IS ?3 ORDER BY id DESC LIMIT 1)",
        &[
            text(row.container_id.as_str()),
            time(row.received_at),
            opt_text(row.event_id.map(EventId::as_str)),
            text(row.status.as_str()),
            flag(row.session_matched),
        ],
    )
    .await?;
    Ok(())
}

/// The container's recent requests, newest first.
pub async fn recent(db: &D1Database, container_id: &ContainerId) -> Result<Vec<ActivityRow>> {
    all(
        db,
        "SELECT id, received_at, status, topic, session_matched, http_status, error_code, event_id, \
         provenance FROM webhook_requests WHERE container_id = ?1 ORDER BY id DESC LIMIT ?2",
        &[text(container_id.as_str()), int(RECENT_ACTIVITY_LIMIT as i64)],
    )
    .await
}

/// Counts one request that was not the container's own caller.
pub async fn count_unauthenticated(
    db: &D1Database,
    container_id: &ContainerId,
    now: UnixMs,
) -> Result<()> {
    run(
        db,
        "INSERT INTO webhook_unauthenticated (container_id, day, count, last_at) VALUES (?1, ?2, 1, ?3) \
         ON CONFLICT (container_id, day) DO UPDATE SET count = count + 1, last_at = excluded.last_at",
        &[
            text(container_id.as_str()),
            int(now.millis().div_euclid(DAY_MS)),
            time(now),
        ],
    )
    .await?;
    Ok(())
}

/// Unauthenticated requests counted since the start of `since`'s day.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Unauthenticated {
    pub count: i64,
    pub last_at: Option<UnixMs>,
}

pub async fn unauthenticated_since(
    db: &D1Database,
    container_id: &ContainerId,
    since: UnixMs,
) -> Result<Unauthenticated> {
    let row: Option<Unauthenticated> = first(
        db,
        "SELECT COALESCE(SUM(count), 0) AS count, MAX(last_at) AS last_at \
         FROM webhook_unauthenticated WHERE container_id = ?1 AND day >= ?2",
        &[
            text(container_id.as_str()),
            int(since.millis().div_euclid(DAY_MS)),
        ],
    )
    .await?;
    Ok(row.unwrap_or_default())
}
