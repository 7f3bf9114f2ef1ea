//! The `delivery_attempts` table: one row per HTTP attempt of a delivery (time, answer, latency,
//! error, the first KiB of the partner's body), written together with the delivery row it
//! settles.

use super::{all, batch_changes, int, opt_text, opt_time, statement, text, time};
use crate::core::ids::DeliveryId;
use crate::core::postback::outbox::Settlement;
use crate::core::time::UnixMs;
use crate::error::Result;
use serde::Deserialize;
use wasm_bindgen::JsValue;
use worker::{D1Database, D1PreparedStatement};

/// Most ids bound in one `IN (...)` (D1 allows 100 bound parameters per statement).
const IDS_PER_QUERY: usize = 90;

#[derive(Debug, Clone, Deserialize)]
pub struct AttemptRow {
    pub delivery_id: DeliveryId,
    pub attempt: i64,
    pub started_at: UnixMs,
    pub response_code: Option<i64>,
    pub latency_ms: Option<i64>,
    pub error: Option<String>,
    pub response_body: Option<String>,
}

/// What one attempt got back.
#[derive(Debug, Clone)]
pub struct AttemptResult {
    pub started_at: UnixMs,
    pub response_code: Option<u16>,
    pub latency_ms: Option<i64>,
    pub error: Option<String>,
    pub response_body: Option<String>,
}

/// Record attempt `attempt` and settle the row, in one transaction. The row is only settled
/// while it still holds this attempt, and never once its event was erased mid-attempt (it stays
/// `skipped` / `erased`, and the partner's answer is not kept).
pub async fn record_attempt(
    db: &D1Database,
    id: &DeliveryId,
    attempt: u32,
    result: &AttemptResult,
    settlement: &Settlement,
    now: UnixMs,
) -> Result<()> {
    let statements = record_statements(db, id, attempt, result, settlement, now)?;
    batch_changes(db, statements).await?;
    Ok(())
}

/// The two statements of [`record_attempt`], for a caller that settles many attempts in one
/// D1 batch (one round trip, one transaction).
pub fn record_statements(
    db: &D1Database,
    id: &DeliveryId,
    attempt: u32,
    result: &AttemptResult,
    settlement: &Settlement,
    now: UnixMs,
) -> Result<Vec<D1PreparedStatement>> {
    let code = result
        .response_code
        .map_or(JsValue::NULL, |c| int(i64::from(c)));
    let latency = result.latency_ms.map_or(JsValue::NULL, int);
    let insert = statement(
        db,
        "INSERT OR REPLACE INTO delivery_attempts (delivery_id, attempt, started_at, response_code, \
         latency_ms, error, response_body) VALUES (?1, ?2, ?3, ?4, ?5, ?6, \
         CASE WHEN EXISTS (SELECT 1 FROM deliveries WHERE id = ?1 AND reason = 'erased') THEN NULL ELSE ?7 END)",
        &[
            text(id.as_str()),
            int(i64::from(attempt)),
            time(result.started_at),
            code.clone(),
            latency.clone(),
            opt_text(result.error.as_deref()),
            opt_text(result.response_body.as_deref()),
        ],
    )?;
    let update = statement(
        db,
        "UPDATE deliveries SET status = ?3, response_code = ?4, response_body = ?5, latency_ms = ?6, \
         error = ?7, next_attempt_at = ?8, updated_at = ?9 WHERE id = ?1 AND attempt = ?2 \
         AND reason IS NOT 'erased'",
        &[
            text(id.as_str()),
            int(i64::from(attempt)),
            text(settlement.status.as_str()),
            code,
            opt_text(result.response_body.as_deref()),
            latency,
            opt_text(settlement.error.as_deref()),
            opt_time(settlement.next_attempt_at.map(UnixMs::from_millis)),
            time(now),
        ],
    )?;
    Ok(vec![insert, update])
}

/// The attempts of these deliveries, oldest first.
pub async fn attempts_of(db: &D1Database, ids: &[DeliveryId]) -> Result<Vec<AttemptRow>> {
    let mut rows = Vec::new();
    for chunk in ids.chunks(IDS_PER_QUERY) {
        let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("?{i}")).collect();
        let sql = format!(
            "SELECT * FROM delivery_attempts WHERE delivery_id IN ({}) ORDER BY delivery_id, attempt",
            marks.join(", ")
        );
        let args: Vec<JsValue> = chunk.iter().map(|id| text(id.as_str())).collect();
        rows.extend(all::<AttemptRow>(db, &sql, &args).await?);
    }
    Ok(rows)
}
