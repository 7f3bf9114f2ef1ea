//! The `deliveries` and `delivery_attempts` tables: the outbox, and the webhook log people read.
//!
//! Every state change is one conditional write, so two workers racing over a row (a duplicate
//! queue message, the sweep and a slow message) can never both win it.

use super::{all, first, int, opt_text, run, statement, text};
use crate::core::postback::outbox::{Settlement, StoredRequest};
use crate::core::postback::DeliveryStatus;
use crate::http::error::{ApiError, ApiResult};
use serde::Deserialize;
use wasm_bindgen::JsValue;
use worker::{D1Database, D1PreparedStatement};

/// Statements per D1 batch: well inside D1's limits, and one round trip for a typical event.
const BATCH: usize = 50;

#[derive(Debug, Clone, Deserialize)]
pub struct DeliveryRow {
    pub id: String,
    pub container_id: String,
    pub connector_id: String,
    pub event_row_id: Option<String>,
    pub status: String,
    pub reason: Option<String>,
    pub attempt: i64,
    pub method: Option<String>,
    pub url: Option<String>,
    pub headers: Option<String>,
    pub body: Option<String>,
    pub idempotency_key: String,
    pub response_code: Option<i64>,
    pub response_body: Option<String>,
    pub latency_ms: Option<i64>,
    pub error: Option<String>,
    pub replay_of: Option<String>,
    pub queued_at: Option<i64>,
    pub next_attempt_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    pub origin_key: Option<String>,
    pub request: Option<String>,
    pub dead_lettered_at: Option<i64>,
}

impl DeliveryRow {
    pub fn status(&self) -> Option<DeliveryStatus> {
        DeliveryStatus::parse(&self.status)
    }

    pub fn stored_request(&self) -> Option<StoredRequest> {
        self.request.as_deref().and_then(StoredRequest::parse)
    }

    /// Attempts made so far (never negative).
    pub fn attempts_made(&self) -> u32 {
        u32::try_from(self.attempt.max(0)).unwrap_or(u32::MAX)
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct AttemptRow {
    pub delivery_id: String,
    pub attempt: i64,
    pub started_at: i64,
    pub response_code: Option<i64>,
    pub latency_ms: Option<i64>,
    pub error: Option<String>,
    pub response_body: Option<String>,
}

/// A row to write. `url`, `headers` and `body` are the masked copy for the log; `request` the
/// exact one.
#[derive(Debug, Clone)]
pub struct NewDelivery {
    pub id: String,
    pub container_id: String,
    pub connector_id: String,
    pub event_row_id: Option<String>,
    pub status: DeliveryStatus,
    pub reason: Option<String>,
    pub method: Option<String>,
    pub url: Option<String>,
    pub headers: Option<String>,
    pub body: Option<String>,
    pub idempotency_key: String,
    pub error: Option<String>,
    pub replay_of: Option<String>,
    pub origin_key: Option<String>,
    pub request: Option<String>,
}

fn insert_statement(
    db: &D1Database,
    d: &NewDelivery,
    now_ms: i64,
) -> ApiResult<D1PreparedStatement> {
    // A pending row is due at once; `next_attempt_at` is what the sweep measures staleness by.
    let due = d.status.is_pending().then_some(now_ms);
    statement(
        db,
        "INSERT OR IGNORE INTO deliveries (id, container_id, connector_id, event_row_id, status, \
         reason, attempt, method, url, headers, body, idempotency_key, error, replay_of, \
         next_attempt_at, created_at, updated_at, origin_key, request) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?15, ?16, ?17)",
        &[
            text(&d.id),
            text(&d.container_id),
            text(&d.connector_id),
            opt_text(d.event_row_id.as_deref()),
            text(d.status.as_str()),
            opt_text(d.reason.as_deref()),
            opt_text(d.method.as_deref()),
            opt_text(d.url.as_deref()),
            opt_text(d.headers.as_deref()),
            opt_text(d.body.as_deref()),
            text(&d.idempotency_key),
            opt_text(d.error.as_deref()),
            opt_text(d.replay_of.as_deref()),
            due.map_or(JsValue::NULL, int),
            int(now_ms),
            opt_text(d.origin_key.as_deref()),
            opt_text(d.request.as_deref()),
        ],
    )
}

/// Run statements in batches (each batch is one transaction); the changed-row count of each.
async fn batch_changes(
    db: &D1Database,
    statements: Vec<D1PreparedStatement>,
) -> ApiResult<Vec<usize>> {
    let mut changes = Vec::with_capacity(statements.len());
    let mut statements = statements.into_iter().peekable();
    while statements.peek().is_some() {
        let chunk: Vec<_> = statements.by_ref().take(BATCH).collect();
        let results = db
            .batch(chunk)
            .await
            .map_err(|e| ApiError::internal("running a batch", e))?;
        for result in results {
            let meta = result
                .meta()
                .map_err(|e| ApiError::internal("reading batch meta", e))?;
            changes.push(meta.and_then(|m| m.changes).unwrap_or(0));
        }
    }
    Ok(changes)
}

/// Write rows; a row whose `origin_key` already exists is skipped (its event already paid that
/// connector). Returns, per row, whether it was written.
pub async fn insert_all(
    db: &D1Database,
    rows: &[NewDelivery],
    now_ms: i64,
) -> ApiResult<Vec<bool>> {
    let statements = rows
        .iter()
        .map(|d| insert_statement(db, d, now_ms))
        .collect::<ApiResult<Vec<_>>>()?;
    Ok(batch_changes(db, statements)
        .await?
        .into_iter()
        .map(|n| n > 0)
        .collect())
}

/// Note that these rows' messages reached the queue.
pub async fn mark_queued(db: &D1Database, ids: &[String], now_ms: i64) -> ApiResult<()> {
    let statements = ids
        .iter()
        .map(|id| {
            statement(
                db,
                "UPDATE deliveries SET queued_at = ?2 WHERE id = ?1",
                &[text(id), int(now_ms)],
            )
        })
        .collect::<ApiResult<Vec<_>>>()?;
    batch_changes(db, statements).await?;
    Ok(())
}

pub async fn get(db: &D1Database, id: &str) -> ApiResult<Option<DeliveryRow>> {
    first(db, "SELECT * FROM deliveries WHERE id = ?1", &[text(id)]).await
}

/// Claim attempt `attempt` of a pending row and return the row: only one caller ever wins a
/// given attempt; `None` means the row is gone, settled, or that attempt is already taken.
/// `next_attempt_at` becomes now, so the sweep leaves an attempt in flight alone.
pub async fn claim_attempt(
    db: &D1Database,
    id: &str,
    attempt: u32,
    now_ms: i64,
) -> ApiResult<Option<DeliveryRow>> {
    first(
        db,
        "UPDATE deliveries SET attempt = ?2, next_attempt_at = ?3, updated_at = ?3 \
         WHERE id = ?1 AND attempt = ?2 - 1 AND status IN ('queued', 'retrying') RETURNING *",
        &[text(id), int(i64::from(attempt)), int(now_ms)],
    )
    .await
}

/// What one attempt got back.
#[derive(Debug, Clone)]
pub struct AttemptResult {
    pub started_at: i64,
    pub response_code: Option<u16>,
    pub latency_ms: Option<i64>,
    pub error: Option<String>,
    pub response_body: Option<String>,
}

/// Record attempt `attempt` and settle the row, in one transaction. The row is only settled
/// while it still holds this attempt.
pub async fn record_attempt(
    db: &D1Database,
    id: &str,
    attempt: u32,
    result: &AttemptResult,
    settlement: &Settlement,
    now_ms: i64,
) -> ApiResult<()> {
    let code = result
        .response_code
        .map_or(JsValue::NULL, |c| int(i64::from(c)));
    let latency = result.latency_ms.map_or(JsValue::NULL, int);
    let insert = statement(
        db,
        "INSERT OR REPLACE INTO delivery_attempts (delivery_id, attempt, started_at, response_code, \
         latency_ms, error, response_body) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        &[
            text(id),
            int(i64::from(attempt)),
            int(result.started_at),
            code.clone(),
            latency.clone(),
            opt_text(result.error.as_deref()),
            opt_text(result.response_body.as_deref()),
        ],
    )?;
    let update = statement(
        db,
        "UPDATE deliveries SET status = ?3, response_code = ?4, response_body = ?5, latency_ms = ?6, \
         error = ?7, next_attempt_at = ?8, updated_at = ?9 WHERE id = ?1 AND attempt = ?2",
        &[
            text(id),
            int(i64::from(attempt)),
            text(settlement.status.as_str()),
            code,
            opt_text(result.response_body.as_deref()),
            latency,
            opt_text(settlement.error.as_deref()),
            settlement.next_attempt_at.map_or(JsValue::NULL, int),
            int(now_ms),
        ],
    )?;
    batch_changes(db, vec![insert, update]).await?;
    Ok(())
}

/// A page of a connector's log, newest first, strictly before the `before` row when given.
pub async fn list_for_connector(
    db: &D1Database,
    connector_id: &str,
    before: Option<&DeliveryRow>,
    limit: u32,
) -> ApiResult<Vec<DeliveryRow>> {
    match before {
        Some(b) => {
            all(
                db,
                "SELECT * FROM deliveries WHERE connector_id = ?1 AND (created_at, id) < (?2, ?3) \
                 ORDER BY created_at DESC, id DESC LIMIT ?4",
                &[
                    text(connector_id),
                    int(b.created_at),
                    text(&b.id),
                    int(i64::from(limit)),
                ],
            )
            .await
        }
        None => {
            all(
                db,
                "SELECT * FROM deliveries WHERE connector_id = ?1 \
                 ORDER BY created_at DESC, id DESC LIMIT ?2",
                &[text(connector_id), int(i64::from(limit))],
            )
            .await
        }
    }
}

/// The attempts of these deliveries, oldest first.
pub async fn attempts_of(db: &D1Database, ids: &[String]) -> ApiResult<Vec<AttemptRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut rows = Vec::new();
    for chunk in ids.chunks(90) {
        let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("?{i}")).collect();
        let sql = format!(
            "SELECT * FROM delivery_attempts WHERE delivery_id IN ({}) ORDER BY delivery_id, attempt",
            marks.join(", ")
        );
        let args: Vec<JsValue> = chunk.iter().map(|id| text(id)).collect();
        rows.extend(all::<AttemptRow>(db, &sql, &args).await?);
    }
    Ok(rows)
}

#[derive(Debug, Clone, Deserialize)]
pub struct PendingRow {
    pub id: String,
    pub attempt: i64,
}

/// Pending rows whose due time is before `due_before`: their message is overdue.
pub async fn stuck(db: &D1Database, due_before: i64, limit: u32) -> ApiResult<Vec<PendingRow>> {
    all(
        db,
        "SELECT id, attempt FROM deliveries WHERE status IN ('queued', 'retrying') \
         AND next_attempt_at < ?1 ORDER BY next_attempt_at LIMIT ?2",
        &[int(due_before), int(i64::from(limit))],
    )
    .await
}

/// The sweep re-sent a row's message: it is due from now, so the next sweep waits again.
/// Only while the row still holds `attempts_made` (an attempt claimed meanwhile wins).
pub async fn mark_requeued(
    db: &D1Database,
    id: &str,
    attempts_made: i64,
    now_ms: i64,
) -> ApiResult<bool> {
    let changed = run(
        db,
        "UPDATE deliveries SET next_attempt_at = ?3, queued_at = ?3, updated_at = ?3 \
         WHERE id = ?1 AND attempt = ?2 AND status IN ('queued', 'retrying')",
        &[text(id), int(attempts_made), int(now_ms)],
    )
    .await?;
    Ok(changed > 0)
}

/// The dead-letter queue holds this delivery's message. A row that is still pending (its
/// consumer kept failing until the platform gave up) is failed now; a settled row keeps its
/// status and error.
pub async fn mark_dead_lettered(db: &D1Database, id: &str, now_ms: i64) -> ApiResult<bool> {
    let changed = run(
        db,
        "UPDATE deliveries SET dead_lettered_at = COALESCE(dead_lettered_at, ?2), updated_at = ?2, \
         status = CASE WHEN status IN ('queued', 'retrying') THEN 'failed' ELSE status END, \
         error = CASE WHEN status IN ('queued', 'retrying') \
           THEN 'the queue gave up on this delivery after repeated consumer failures' ELSE error END \
         WHERE id = ?1 AND status != 'delivered'",
        &[text(id), int(now_ms)],
    )
    .await?;
    Ok(changed > 0)
}

/// A settled row whose stored request cannot be used is failed without an attempt.
pub async fn fail_unsendable(
    db: &D1Database,
    id: &str,
    attempt: u32,
    error: &str,
    now_ms: i64,
) -> ApiResult<()> {
    run(
        db,
        "UPDATE deliveries SET status = 'failed', error = ?3, next_attempt_at = NULL, updated_at = ?4 \
         WHERE id = ?1 AND attempt = ?2",
        &[text(id), int(i64::from(attempt)), text(error), int(now_ms)],
    )
    .await?;
    Ok(())
}

/// Delete finished deliveries created before `cutoff` (at most `limit`), and their attempts.
/// Pending rows are never purged. Returns how many deliveries went.
pub async fn purge(db: &D1Database, cutoff: i64, limit: u32) -> ApiResult<usize> {
    let doomed = "SELECT id FROM deliveries WHERE created_at < ?1 \
                  AND status NOT IN ('queued', 'retrying') ORDER BY created_at LIMIT ?2";
    let args = [int(cutoff), int(i64::from(limit))];
    let attempts = statement(
        db,
        &format!("DELETE FROM delivery_attempts WHERE delivery_id IN ({doomed})"),
        &args,
    )?;
    let rows = statement(
        db,
        &format!("DELETE FROM deliveries WHERE id IN ({doomed})"),
        &args,
    )?;
    let changes = batch_changes(db, vec![attempts, rows]).await?;
    Ok(changes.get(1).copied().unwrap_or(0))
}
