//! Daily counts that outlive retention: a connector's deliveries by status (reconciliation) and
//! a container's events by status (the overview).
//!
//! An answer is the rollups (what the retention purge removed, added up per UTC quarter hour in
//! the same batch that deleted the rows: `rollup_*` below) plus one live `GROUP BY` over the rows
//! still present. A row is counted in exactly one of the two at every moment, and the delivery
//! hot path writes nothing extra. The day spans come from Rust (local midnights as UTC ms, see
//! `core::time_zone`) as one JSON parameter, so one query answers any range.

use super::{all, text};
use crate::core::ids::{ConnectorId, ContainerId};
use crate::core::time_zone::{DaySpan, QUARTER_HOUR_MS};
use crate::error::Result;
use serde::Deserialize;
use worker::D1Database;

/// One counted group: the index of its day in the spans, a status, the reason (skipped
/// deliveries only; '' otherwise) and how many.
#[derive(Debug, Clone, Deserialize)]
pub struct Counted {
    pub day: usize,
    pub status: String,
    #[serde(default)]
    pub reason: Option<String>,
    pub n: f64,
}

/// The spans as the queries read them: `[[index, start ms, end ms, first bucket, end bucket]]`.
fn spans_json(spans: &[DaySpan]) -> String {
    let rows: Vec<[i64; 5]> = spans
        .iter()
        .enumerate()
        .map(|(i, s)| {
            [
                i as i64,
                s.start.millis(),
                s.end.millis(),
                s.start.millis().div_euclid(QUARTER_HOUR_MS),
                s.end.millis().div_euclid(QUARTER_HOUR_MS),
            ]
        })
        .collect();
    serde_json::to_string(&rows).unwrap_or_else(|_| "[]".into())
}

/// The postbacks reconciliation counts: those an event triggered. A Test Webhook send (no
/// event) is not a conversion, and a replay or recovery copy (`replay_of`) is not a second
/// trigger: its outcome counts for its original (see [`OUTCOME`]).
const TRIGGERED: &str = "d.event_row_id IS NOT NULL AND d.replay_of IS NULL";

/// A triggered postback's outcome: its own status, unless it failed or was parked and a copy
/// sent again is delivered (then `delivered`) or still pending (then `queued`, in flight). Only
/// direct copies count; a copy of a copy leaves its original as it was (the conservative side).
const OUTCOME: &str = "CASE WHEN d.status NOT IN ('failed', 'parked') THEN d.status \
     WHEN EXISTS (SELECT 1 FROM deliveries c WHERE c.replay_of = d.id AND c.status = 'delivered') \
     THEN 'delivered' \
     WHEN EXISTS (SELECT 1 FROM deliveries c WHERE c.replay_of = d.id \
     AND c.status IN ('queued', 'retrying')) THEN 'queued' \
     ELSE d.status END";

/// The day spans as a table `days(i, start, "end", b0, b1)` from parameter `?2`.
const DAYS: &str = "days(i, start, stop, b0, b1) AS (SELECT json_extract(value, '$[0]'), \
     json_extract(value, '$[1]'), json_extract(value, '$[2]'), json_extract(value, '$[3]'), \
     json_extract(value, '$[4]') FROM json_each(?2))";

/// A connector's deliveries per day of `spans`, by status and skip reason: rollups plus the
/// rows still present.
pub async fn deliveries_by_day(
    db: &D1Database,
    connector: &ConnectorId,
    spans: &[DaySpan],
) -> Result<Vec<Counted>> {
    all(
        db,
        &format!(
            "WITH {DAYS} \
             SELECT days.i AS day, {OUTCOME} AS status, \
             CASE WHEN d.status = 'skipped' THEN COALESCE(d.reason, '') ELSE '' END AS reason, \
             COUNT(*) AS n FROM days JOIN deliveries d ON d.connector_id = ?1 \
             AND d.created_at >= days.start AND d.created_at < days.stop AND {TRIGGERED} \
             GROUP BY days.i, 2, 3 \
             UNION ALL \
             SELECT days.i AS day, r.status AS status, r.reason AS reason, SUM(r.n) AS n \
             FROM days JOIN delivery_rollups r ON r.connector_id = ?1 \
             AND r.bucket >= days.b0 AND r.bucket < days.b1 \
             GROUP BY days.i, r.status, r.reason"
        ),
        &[text(connector.as_str()), text(&spans_json(spans))],
    )
    .await
}

/// A container's events per day of `spans`, by status: rollups plus the rows still present.
pub async fn events_by_day(
    db: &D1Database,
    container: &ContainerId,
    spans: &[DaySpan],
) -> Result<Vec<Counted>> {
    all(
        db,
        &format!(
            "WITH {DAYS} \
             SELECT days.i AS day, e.status AS status, COUNT(*) AS n \
             FROM days JOIN events e ON e.container_id = ?1 \
             AND e.created_at >= days.start AND e.created_at < days.stop \
             GROUP BY days.i, e.status \
             UNION ALL \
             SELECT days.i AS day, r.status AS status, SUM(r.n) AS n \
             FROM days JOIN event_rollups r ON r.container_id = ?1 \
             AND r.bucket >= days.b0 AND r.bucket < days.b1 \
             GROUP BY days.i, r.status"
        ),
        &[text(container.as_str()), text(&spans_json(spans))],
    )
    .await
}

/// The statement that adds the deliveries `ids` (a subquery over `deliveries`, bound to the
/// purge's `?1`…`?3`) into the rollups, counted as the live query counts them (the purge keeps
/// a failed original while a copy of it is pending, so its outcome is final when rolled up). It runs in the purge's batch just before the statement
/// that deletes the same rows, with the same subquery, so each row is counted once.
pub fn rollup_deliveries(ids: &str) -> String {
    format!(
        "INSERT INTO delivery_rollups (connector_id, bucket, status, reason, n) \
         SELECT d.connector_id, d.created_at / {QUARTER_HOUR_MS}, {OUTCOME}, \
         CASE WHEN d.status = 'skipped' THEN COALESCE(d.reason, '') ELSE '' END, COUNT(*) \
         FROM deliveries d WHERE d.id IN ({ids}) AND {TRIGGERED} GROUP BY 1, 2, 3, 4 \
         ON CONFLICT (connector_id, bucket, status, reason) DO UPDATE SET n = n + excluded.n"
    )
}

/// As [`rollup_deliveries`], for the events `ids` (a subquery over `events`).
pub fn rollup_events(ids: &str) -> String {
    format!(
        "INSERT INTO event_rollups (container_id, bucket, status, n) \
         SELECT container_id, created_at / {QUARTER_HOUR_MS}, status, COUNT(*) \
         FROM events WHERE id IN ({ids}) GROUP BY 1, 2, 3 \
         ON CONFLICT (container_id, bucket, status) DO UPDATE SET n = n + excluded.n"
    )
}
