//! The `destinations` table: per connector webhook, the failure counters and the parked state
//! (reason, probe). Each change is one conditional write, so concurrent consumers count every
//! failure and only one of them parks the destination and names its probe. The rules that read
//! these counters are in `core::postback::destination`.

use super::{all, batch, batch_changes, first, int, run, statement, text, time};
use crate::core::ids::{ConnectorId, DeliveryId};
use crate::core::postback::destination::Failing;
use crate::core::postback::throttle::{Reservation, SendTurn};
use crate::core::time::UnixMs;
use crate::error::Result;
use serde::{Deserialize, Serialize};
use worker::D1Database;

/// A destination's stored state.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(test, derive(utoipa::ToSchema))]
pub struct DestinationRow {
    #[cfg_attr(test, schema(value_type = String))]
    pub connector_id: ConnectorId,
    /// Failed attempts since the last success.
    pub consecutive_failures: i64,
    /// When the first of them happened; `null` after a success.
    #[cfg_attr(test, schema(value_type = Option<i64>))]
    pub failing_since: Option<UnixMs>,
    /// When it was parked; `null` while it is active.
    #[cfg_attr(test, schema(value_type = Option<i64>))]
    pub parked_at: Option<UnixMs>,
    /// Why it was parked, as shown.
    pub park_reason: Option<String>,
    /// The delivery still tried on the retry schedule while it is parked.
    #[cfg_attr(test, schema(value_type = Option<String>))]
    pub probe_delivery_id: Option<DeliveryId>,
}

impl DestinationRow {
    /// The counters after a failure, for `park_verdict`.
    pub fn failing(&self, now: UnixMs) -> Failing {
        Failing {
            consecutive_failures: u32::try_from(self.consecutive_failures.max(0))
                .unwrap_or(u32::MAX),
            since_ms: self.failing_since.unwrap_or(now).millis(),
        }
    }
}

pub async fn get(db: &D1Database, connector_id: &ConnectorId) -> Result<Option<DestinationRow>> {
    first(
        db,
        "SELECT * FROM destinations WHERE connector_id = ?1",
        &[text(connector_id.as_str())],
    )
    .await
}

/// Count one failed attempt; the counters after it, with the parked state.
pub async fn count_failure(
    db: &D1Database,
    connector_id: &ConnectorId,
    now: UnixMs,
) -> Result<Option<DestinationRow>> {
    first(
        db,
        "INSERT INTO destinations (connector_id, consecutive_failures, failing_since, updated_at) \
         VALUES (?1, 1, ?2, ?2) ON CONFLICT (connector_id) DO UPDATE SET \
         consecutive_failures = consecutive_failures + 1, \
         failing_since = COALESCE(failing_since, ?2), updated_at = ?2 RETURNING *",
        &[text(connector_id.as_str()), time(now)],
    )
    .await
}

/// Park an active destination with `probe` as its probe; `false` when it was already parked
/// (another attempt won).
pub async fn park(
    db: &D1Database,
    connector_id: &ConnectorId,
    reason: &str,
    probe: &DeliveryId,
    now: UnixMs,
) -> Result<bool> {
    let changed = run(
        db,
        "UPDATE destinations SET parked_at = ?2, park_reason = ?3, probe_delivery_id = ?4, \
         updated_at = ?2 WHERE connector_id = ?1 AND parked_at IS NULL",
        &[
            text(connector_id.as_str()),
            time(now),
            text(reason),
            text(probe.as_str()),
        ],
    )
    .await?;
    Ok(changed > 0)
}

/// A parked destination without a probe takes `delivery` as its probe; `false` if another did.
pub async fn take_probe(
    db: &D1Database,
    connector_id: &ConnectorId,
    delivery: &DeliveryId,
    now: UnixMs,
) -> Result<bool> {
    let changed = run(
        db,
        "UPDATE destinations SET probe_delivery_id = ?2, updated_at = ?3 \
         WHERE connector_id = ?1 AND parked_at IS NOT NULL AND probe_delivery_id IS NULL",
        &[
            text(connector_id.as_str()),
            text(delivery.as_str()),
            time(now),
        ],
    )
    .await?;
    Ok(changed > 0)
}

/// A success (or an operator): the counters start again and the destination is active.
/// `true` when it was parked until now, so its parked deliveries are to be queued again.
pub async fn unpark(db: &D1Database, connector_id: &ConnectorId, now: UnixMs) -> Result<bool> {
    let id = text(connector_id.as_str());
    let was_parked = statement(
        db,
        "UPDATE destinations SET parked_at = NULL, park_reason = NULL, probe_delivery_id = NULL, \
         updated_at = ?2 WHERE connector_id = ?1 AND parked_at IS NOT NULL",
        &[id.clone(), time(now)],
    )?;
    let reset = statement(
        db,
        "UPDATE destinations SET consecutive_failures = 0, failing_since = NULL, updated_at = ?2 \
         WHERE connector_id = ?1 AND (consecutive_failures > 0 OR failing_since IS NOT NULL)",
        &[id, time(now)],
    )?;
    let changes = batch_changes(db, vec![was_parked, reset]).await?;
    Ok(changes.first().copied().unwrap_or(0) > 0)
}

/// A parked delivery, as un-parking queues it again.
#[derive(Debug, Clone, Deserialize)]
pub struct ParkedRow {
    pub id: DeliveryId,
    pub attempt: i64,
    pub created_at: UnixMs,
}

/// Most parked deliveries queued again per round trip; un-parking repeats until none is left.
pub const REQUEUE_LIMIT: u32 = 1_000;

/// The connector's parked deliveries that were not sent again by a recovery become `queued`,
/// due now; returned oldest first.
pub async fn requeue_parked(
    db: &D1Database,
    connector_id: &ConnectorId,
    now: UnixMs,
) -> Result<Vec<ParkedRow>> {
    let mut rows: Vec<ParkedRow> = all(
        db,
        "UPDATE deliveries SET status = 'queued', next_attempt_at = ?2, queued_at = ?2, \
         updated_at = ?2 WHERE id IN (SELECT d.id FROM deliveries d WHERE d.connector_id = ?1 \
         AND d.status = 'parked' AND NOT EXISTS (SELECT 1 FROM deliveries r WHERE r.replay_of = d.id) \
         ORDER BY d.created_at, d.id LIMIT ?3) RETURNING id, attempt, created_at",
        &[
            text(connector_id.as_str()),
            time(now),
            int(i64::from(REQUEUE_LIMIT)),
        ],
    )
    .await?;
    // RETURNING has no order of its own.
    rows.sort_by(|a, b| (a.created_at, a.id.as_str()).cmp(&(b.created_at, b.id.as_str())));
    Ok(rows)
}

/// Connectors with `parked` deliveries whose destination is not parked (any more), untouched
/// since `before`: at most `limit`. Such rows are left behind when queueing them again failed
/// after an un-park, or when an attempt claimed while the destination was parked was given back
/// after a success had already un-parked it. Nothing else would ever send them. Rows a recovery
/// already sent again stay `parked` and do not count, as when un-parking.
pub async fn orphaned_parked(
    db: &D1Database,
    before: UnixMs,
    limit: u32,
) -> Result<Vec<ConnectorId>> {
    #[derive(Deserialize)]
    struct Row {
        id: ConnectorId,
    }
    // Driven by the (small, admin-made) connectors table; each probe of deliveries is an index
    // seek on (connector_id, status, created_at), so a large parked backlog is never scanned.
    let rows: Vec<Row> = all(
        db,
        "SELECT c.id FROM connectors c WHERE NOT EXISTS (SELECT 1 FROM destinations s \
         WHERE s.connector_id = c.id AND s.parked_at IS NOT NULL) AND EXISTS (SELECT 1 \
         FROM deliveries d WHERE d.connector_id = c.id AND d.status = 'parked' \
         AND d.updated_at < ?1 AND NOT EXISTS (SELECT 1 FROM deliveries r \
         WHERE r.replay_of = d.id)) LIMIT ?2",
        &[time(before), int(i64::from(limit))],
    )
    .await?;
    Ok(rows.into_iter().map(|r| r.id).collect())
}

/// A claimed attempt of a delivery whose destination is parked is given back: the row is kept
/// as `parked`, with the attempt count it had, and says why.
pub async fn park_delivery(
    db: &D1Database,
    id: &DeliveryId,
    claimed_attempt: u32,
    error: &str,
    now: UnixMs,
) -> Result<bool> {
    let changed = run(
        db,
        "UPDATE deliveries SET status = 'parked', attempt = attempt - 1, error = ?3, \
         next_attempt_at = NULL, updated_at = ?4 WHERE id = ?1 AND attempt = ?2 \
         AND status IN ('queued', 'retrying')",
        &[
            text(id.as_str()),
            int(i64::from(claimed_attempt)),
            text(error),
            time(now),
        ],
    )
    .await?;
    Ok(changed > 0)
}

/// Take the destination's next free send slot (`interval_ms` after the last one taken, or now
/// if that is later) when it is less than `horizon_ms` away; else leave the slots alone and say
/// when the next free one is. One round trip: the conditional write and the read, batched.
pub async fn reserve_slot(
    db: &D1Database,
    connector_id: &ConnectorId,
    interval_ms: i64,
    horizon_ms: i64,
    now: UnixMs,
) -> Result<Reservation> {
    #[derive(Deserialize)]
    struct Cursor {
        next_send_at: Option<UnixMs>,
    }
    let id = text(connector_id.as_str());
    let take = statement(
        db,
        "INSERT INTO destinations (connector_id, next_send_at, updated_at) VALUES (?1, ?2 + ?3, ?2) \
         ON CONFLICT (connector_id) DO UPDATE SET \
         next_send_at = MAX(COALESCE(next_send_at, 0), ?2) + ?3, updated_at = ?2 \
         WHERE MAX(COALESCE(next_send_at, 0), ?2) < ?2 + ?4 RETURNING next_send_at",
        &[id.clone(), time(now), int(interval_ms), int(horizon_ms)],
    )?;
    let read = statement(
        db,
        "SELECT next_send_at FROM destinations WHERE connector_id = ?1",
        &[id],
    )?;
    let results = batch(db, vec![take, read], "reserving a send slot").await?;
    // The write's own RETURNING is the slot taken (a read could see a later reservation).
    let cursor = |i: usize| {
        results
            .get(i)
            .and_then(|r| r.results::<Cursor>().ok())
            .and_then(|rows| rows.into_iter().next())
            .and_then(|c| c.next_send_at)
    };
    Ok(match cursor(0) {
        Some(taken) => Reservation::Slot(taken.millis() - interval_ms),
        None => Reservation::Full {
            next_free_ms: cursor(1).unwrap_or(now).millis(),
        },
    })
}

/// The guard right before a paced send: records `now` as the destination's last send when the
/// previous one was at least `interval_ms` ago (or never), in one round trip; else tells when
/// the next send may go.
pub async fn take_send_turn(
    db: &D1Database,
    connector_id: &ConnectorId,
    interval_ms: i64,
    now: UnixMs,
) -> Result<SendTurn> {
    #[derive(Deserialize)]
    struct Last {
        last_sent_at: Option<UnixMs>,
    }
    let id = text(connector_id.as_str());
    let take = statement(
        db,
        "UPDATE destinations SET last_sent_at = ?2 WHERE connector_id = ?1 \
         AND (last_sent_at IS NULL OR last_sent_at <= ?2 - ?3) RETURNING last_sent_at",
        &[id.clone(), time(now), int(interval_ms)],
    )?;
    let read = statement(
        db,
        "SELECT last_sent_at FROM destinations WHERE connector_id = ?1",
        &[id],
    )?;
    let results = batch(db, vec![take, read], "taking a send turn").await?;
    let last = |i: usize| {
        results
            .get(i)
            .and_then(|r| r.results::<Last>().ok())
            .and_then(|rows| rows.into_iter().next())
    };
    Ok(match (last(0), last(1).and_then(|l| l.last_sent_at)) {
        (Some(_), _) => SendTurn::Taken,
        (None, Some(previous)) => SendTurn::NotBefore(previous.millis() + interval_ms),
        // No row: the slot reservation makes one, so this only follows a deleted connector.
        (None, None) => SendTurn::Taken,
    })
}

/// Pause the destination until `until` (a later pause already set is kept).
pub async fn pause(
    db: &D1Database,
    connector_id: &ConnectorId,
    until: UnixMs,
    now: UnixMs,
) -> Result<()> {
    run(
        db,
        "INSERT INTO destinations (connector_id, paused_until, updated_at) VALUES (?1, ?2, ?3) \
         ON CONFLICT (connector_id) DO UPDATE SET \
         paused_until = MAX(COALESCE(paused_until, 0), ?2), updated_at = ?3",
        &[text(connector_id.as_str()), time(until), time(now)],
    )
    .await?;
    Ok(())
}
