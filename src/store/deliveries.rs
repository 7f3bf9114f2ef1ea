//! The `deliveries` table: the outbox, and the webhook log people read. Each row is one postback
//! (or one test-mode pixel) for one connector; its attempts live in [`super::attempts`].
//!
//! Every state change is one conditional write, so two workers racing over a row (a duplicate
//! queue message, the sweep and a slow message) can never both win it.

use super::{all, batch_changes, first, int, opt_text, opt_time, run, statement, text, time};
use crate::core::ids::{ConnectorId, ContainerId, DeliveryId, EventRowId};
use crate::core::postback::outbox::StoredRequest;
use crate::core::postback::DeliveryStatus;
use crate::core::provenance::Provenance;
use crate::core::time::UnixMs;
use crate::error::Result;
use serde::Deserialize;
use worker::{D1Database, D1PreparedStatement};

#[derive(Debug, Clone, Deserialize)]
pub struct DeliveryRow {
    pub id: DeliveryId,
    pub container_id: ContainerId,
    pub connector_id: ConnectorId,
    pub event_row_id: Option<EventRowId>,
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
    pub replay_of: Option<DeliveryId>,
    pub queued_at: Option<UnixMs>,
    pub next_attempt_at: Option<UnixMs>,
    pub created_at: UnixMs,
    pub updated_at: UnixMs,
    pub origin_key: Option<String>,
    pub request: Option<String>,
    pub dead_lettered_at: Option<UnixMs>,
    /// `browser`, `server` or `admin`: see [`NewDelivery::provenance`].
    pub provenance: Option<String>,
    /// Read with a claim only (see [`claim_attempt`]): the destination's state at that moment,
    /// as JSON text; see [`DeliveryRow::claimed_destination`].
    #[serde(default)]
    pub destination: Option<String>,
    #[serde(default)] // read with a claim only: see `super::sealing::claimed_secrets`
    pub signing: Option<String>,
    /// Read with a claim only ([`CLAIMED_ERASED`]): 1 when the row's event was erased since
    /// the row was written; see [`DeliveryRow::event_erased`].
    #[serde(default)]
    erased: Option<i64>,
}

/// Whether a claimed row's event was erased (its events row carries `erased_at`, written in
/// the same D1 batch as the erasure record): evaluated by the claim itself, so a batch learns
/// of erasures without a round trip of its own. Queue messages cannot be cancelled, so this is
/// how a message queued before an erasure finds out.
pub(super) const CLAIMED_ERASED: &str = "EXISTS (SELECT 1 FROM events e \
    WHERE e.id = deliveries.event_row_id AND e.erased_at IS NOT NULL)";

/// What a claim reads of the row's destination in the same statement: whether it is parked
/// (the reason, set only then), its probe, its failures since the last success, and the
/// connector's two park settings as stored.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ClaimedDestination {
    pub parked: Option<String>,
    pub probe: Option<DeliveryId>,
    pub failures: Option<f64>,
    pub park_after_failures: Option<f64>,
    pub park_after_hours: Option<f64>,
    /// Unix ms; set while a `Retry-After` pause lasts (or after it ended).
    pub paused_until: Option<f64>,
    pub max_per_second: Option<f64>,
}

impl DeliveryRow {
    /// Whether this claimed row's event was erased since the row was written (false for a row
    /// not read by a claim, and for a row without an event, such as a Test Webhook).
    pub fn event_erased(&self) -> bool {
        self.erased.is_some_and(|e| e != 0)
    }

    /// A Test Webhook send: neither an event's postback nor a copy of one.
    pub fn is_test_webhook(&self) -> bool {
        self.event_row_id.is_none() && self.replay_of.is_none()
    }

    pub fn status(&self) -> Option<DeliveryStatus> {
        DeliveryStatus::parse(&self.status)
    }

    pub fn stored_request(&self) -> Option<StoredRequest> {
        self.request.as_deref().and_then(StoredRequest::parse)
    }

    /// The destination as a claim read it; all empty for a row read otherwise.
    pub fn claimed_destination(&self) -> ClaimedDestination {
        (self.destination.as_deref())
            .and_then(|text| serde_json::from_str(text).ok())
            .unwrap_or_default()
    }

    /// Attempts made so far (never negative).
    pub fn attempts_made(&self) -> u32 {
        u32::try_from(self.attempt.max(0)).unwrap_or(u32::MAX)
    }
}

/// A row to write. `url`, `headers` and `body` are the masked copy for the log; `request` the exact one.
#[derive(Debug, Clone)]
pub struct NewDelivery {
    pub id: DeliveryId,
    pub container_id: ContainerId,
    pub connector_id: ConnectorId,
    pub event_row_id: Option<EventRowId>,
    pub status: DeliveryStatus,
    pub reason: Option<String>,
    pub method: Option<String>,
    pub url: Option<String>,
    pub headers: Option<String>,
    pub body: Option<String>,
    pub idempotency_key: String,
    pub error: Option<String>,
    pub replay_of: Option<DeliveryId>,
    pub origin_key: Option<String>,
    pub request: Option<String>,
    /// Who stands behind what caused the delivery.
    pub provenance: Provenance,
}

fn insert_statement(db: &D1Database, d: &NewDelivery, now: UnixMs) -> Result<D1PreparedStatement> {
    // A pending row is due at once; `next_attempt_at` is what the sweep measures staleness by.
    let due = d.status.is_pending().then_some(now);
    // An event's row already written for this connector is kept (the event never pays a
    // partner twice), except a `browser_event` skip, which becomes the delivery once a server
    // event confirms the event, an `awaiting_approval` skip, once the conversion is approved
    // (or rejected first), and a `no_click` skip, once a click stored later matches the event to
    // its visitor: the same row, with the new decision and request.
    statement(
        db,
        "INSERT INTO deliveries (id, container_id, connector_id, event_row_id, status, \
         reason, attempt, method, url, headers, body, idempotency_key, error, replay_of, \
         next_attempt_at, created_at, updated_at, origin_key, request, provenance) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?15, ?16, ?17, ?18) \
         ON CONFLICT (origin_key) DO UPDATE SET id = excluded.id, status = excluded.status, \
         reason = excluded.reason, method = excluded.method, url = excluded.url, \
         headers = excluded.headers, body = excluded.body, \
         idempotency_key = excluded.idempotency_key, error = excluded.error, \
         next_attempt_at = excluded.next_attempt_at, created_at = excluded.created_at, \
         updated_at = excluded.updated_at, request = excluded.request, \
         provenance = excluded.provenance \
         WHERE deliveries.status = 'skipped' \
         AND deliveries.reason IN ('browser_event', 'awaiting_approval', 'no_click') \
         AND excluded.reason IS NOT deliveries.reason",
        &[
            text(d.id.as_str()),
            text(d.container_id.as_str()),
            text(d.connector_id.as_str()),
            opt_text(d.event_row_id.as_ref().map(EventRowId::as_str)),
            text(d.status.as_str()),
            opt_text(d.reason.as_deref()),
            opt_text(d.method.as_deref()),
            opt_text(d.url.as_deref()),
            opt_text(d.headers.as_deref()),
            opt_text(d.body.as_deref()),
            text(&d.idempotency_key),
            opt_text(d.error.as_deref()),
            opt_text(d.replay_of.as_ref().map(DeliveryId::as_str)),
            opt_time(due),
            time(now),
            opt_text(d.origin_key.as_deref()),
            opt_text(d.request.as_deref()),
            text(d.provenance.as_str()),
        ],
    )
}

/// Write rows; a row whose `origin_key` already exists is skipped (its event already paid that
/// connector). Returns, per row, whether it was written.
pub async fn insert_all(db: &D1Database, rows: &[NewDelivery], now: UnixMs) -> Result<Vec<bool>> {
    insert_all_with(db, rows, Vec::new(), now).await
}

/// [`insert_all`], with the writes `also` in the same round trip after the rows (the event's
/// dispatch mark); whether each row was written, in order.
pub async fn insert_all_with(
    db: &D1Database,
    rows: &[NewDelivery],
    also: Vec<D1PreparedStatement>,
    now: UnixMs,
) -> Result<Vec<bool>> {
    let mut statements = rows
        .iter()
        .map(|d| insert_statement(db, d, now))
        .collect::<Result<Vec<_>>>()?;
    statements.extend(also);
    let mut written: Vec<bool> = batch_changes(db, statements)
        .await?
        .into_iter()
        .map(|n| n > 0)
        .collect();
    written.truncate(rows.len());
    Ok(written)
}

/// Note that these rows' messages reached the queue.
pub async fn mark_queued(db: &D1Database, ids: &[DeliveryId], now: UnixMs) -> Result<()> {
    let statements = ids
        .iter()
        .map(|id| {
            statement(
                db,
                "UPDATE deliveries SET queued_at = ?2 WHERE id = ?1",
                &[text(id.as_str()), time(now)],
            )
        })
        .collect::<Result<Vec<_>>>()?;
    batch_changes(db, statements).await?;
    Ok(())
}

pub async fn get(db: &D1Database, id: &DeliveryId) -> Result<Option<DeliveryRow>> {
    first(
        db,
        "SELECT * FROM deliveries WHERE id = ?1",
        &[text(id.as_str())],
    )
    .await
}

/// The claim's view of the destination, as `json_object` arguments (subqueries are allowed in
/// RETURNING): one round trip reads the row and its destination.
pub(super) const CLAIMED_DESTINATION: &str = "\
    'parked', (SELECT park_reason FROM destinations s WHERE s.connector_id = deliveries.connector_id), \
    'probe', (SELECT probe_delivery_id FROM destinations s WHERE s.connector_id = deliveries.connector_id), \
    'failures', (SELECT consecutive_failures FROM destinations s WHERE s.connector_id = deliveries.connector_id), \
    'park_after_failures', (SELECT json_extract(c.config, '$.webhook.park_after_failures') FROM connectors c WHERE c.id = deliveries.connector_id), \
    'park_after_hours', (SELECT json_extract(c.config, '$.webhook.park_after_hours') FROM connectors c WHERE c.id = deliveries.connector_id), \
    'paused_until', (SELECT paused_until FROM destinations s WHERE s.connector_id = deliveries.connector_id), \
    'max_per_second', (SELECT json_extract(c.config, '$.webhook.max_per_second') FROM connectors c WHERE c.id = deliveries.connector_id)";

/// Claim attempt `attempt` of a pending row and return the row: only one caller ever wins a
/// given attempt; `None` means the row is gone, settled, or that attempt is already taken.
/// `next_attempt_at` becomes now, so the sweep leaves an attempt in flight alone.
pub async fn claim_attempt(
    db: &D1Database,
    id: &DeliveryId,
    attempt: u32,
    now: UnixMs,
) -> Result<Option<DeliveryRow>> {
    first(
        db,
        &claim_sql(),
        &[text(id.as_str()), int(i64::from(attempt)), time(now)],
    )
    .await
}

/// The claim: one conditional write that takes the attempt and returns the row, its destination and its connector's secrets.
fn claim_sql() -> String {
    format!(
        "UPDATE deliveries SET attempt = ?2, next_attempt_at = ?3, updated_at = ?3 \
         WHERE id = ?1 AND attempt = ?2 - 1 AND status IN ('queued', 'retrying') \
         RETURNING *, json_object({CLAIMED_DESTINATION}) AS destination, {} AS signing, \
         {CLAIMED_ERASED} AS erased",
        super::sealing::CLAIMED_SIGNING
    )
}

/// A claimed attempt that must wait its turn is given back, unused: the row is due at `due`
/// (so the sweep leaves it alone until then) and holds the attempts it had.
pub async fn give_back(
    db: &D1Database,
    id: &DeliveryId,
    claimed_attempt: u32,
    due: UnixMs,
    now: UnixMs,
) -> Result<bool> {
    let changed = run(
        db,
        "UPDATE deliveries SET attempt = attempt - 1, next_attempt_at = ?3, updated_at = ?4 \
         WHERE id = ?1 AND attempt = ?2 AND status IN ('queued', 'retrying')",
        &[
            text(id.as_str()),
            int(i64::from(claimed_attempt)),
            time(due),
            time(now),
        ],
    )
    .await?;
    Ok(changed > 0)
}

#[derive(Debug, Clone, Deserialize)]
pub struct PendingRow {
    pub id: DeliveryId,
    pub attempt: i64,
}

/// Pending rows whose due time is before `due_before`: their message is overdue.
pub async fn stuck(db: &D1Database, due_before: UnixMs, limit: u32) -> Result<Vec<PendingRow>> {
    all(
        db,
        "SELECT id, attempt FROM deliveries WHERE status IN ('queued', 'retrying') \
         AND next_attempt_at < ?1 ORDER BY next_attempt_at LIMIT ?2",
        &[time(due_before), int(i64::from(limit))],
    )
    .await
}

/// The sweep re-sent a row's message: it is due from now, so the next sweep waits again.
/// Only while the row still holds `attempts_made` (an attempt claimed meanwhile wins).
pub async fn mark_requeued(
    db: &D1Database,
    id: &DeliveryId,
    attempts_made: i64,
    now: UnixMs,
) -> Result<bool> {
    let changed = run(
        db,
        "UPDATE deliveries SET next_attempt_at = ?3, queued_at = ?3, updated_at = ?3 \
         WHERE id = ?1 AND attempt = ?2 AND status IN ('queued', 'retrying')",
        &[text(id.as_str()), int(attempts_made), time(now)],
    )
    .await?;
    Ok(changed > 0)
}

/// The dead-letter queue holds this delivery's message. A row that is still pending (its
/// consumer kept failing until the platform gave up) is failed now; a settled row keeps its
/// status and error.
pub async fn mark_dead_lettered(db: &D1Database, id: &DeliveryId, now: UnixMs) -> Result<bool> {
    let changed = run(
        db,
        "UPDATE deliveries SET dead_lettered_at = COALESCE(dead_lettered_at, ?2), updated_at = ?2, \
         status = CASE WHEN status IN ('queued', 'retrying') THEN 'failed' ELSE status END, \
         error = CASE WHEN status IN ('queued', 'retrying') \
           THEN 'the queue gave up on this delivery after repeated consumer failures' ELSE error END \
         WHERE id = ?1 AND status != 'delivered'",
        &[text(id.as_str()), time(now)],
    )
    .await?;
    Ok(changed > 0)
}

/// A settled row whose stored request cannot be used is failed without an attempt.
pub async fn fail_unsendable(
    db: &D1Database,
    id: &DeliveryId,
    attempt: u32,
    error: &str,
    now: UnixMs,
) -> Result<()> {
    run(
        db,
        "UPDATE deliveries SET status = 'failed', error = ?3, next_attempt_at = NULL, updated_at = ?4 \
         WHERE id = ?1 AND attempt = ?2",
        &[
            text(id.as_str()),
            int(i64::from(attempt)),
            text(error),
            time(now),
        ],
    )
    .await?;
    Ok(())
}
