//! The `click_refusals` table: landing-URL click parameters whose value was not kept, counted
//! per container, day (UTC), parameter and reason, so no refusal goes unseen.

use super::{all, batch_changes, int, statement, text, time};
use crate::core::clicks::RefusedClick;
use crate::core::ids::ContainerId;
use crate::core::time::UnixMs;
use crate::error::Result;
use serde::{Deserialize, Serialize};
use worker::D1Database;

/// One counter row.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct RefusalCount {
    pub day: String,
    pub param: String,
    pub reason: String,
    pub count: i64,
    pub last_at: UnixMs,
}

/// Counts each refusal of one landing (one upsert per refused parameter, one transaction).
pub async fn record(
    db: &D1Database,
    container_id: &ContainerId,
    refused: &[RefusedClick],
    now: UnixMs,
) -> Result<()> {
    let day = now.iso8601().chars().take(10).collect::<String>();
    let statements = refused
        .iter()
        .map(|r| {
            statement(
                db,
                "INSERT INTO click_refusals (container_id, day, param, reason, count, last_at) \
                 VALUES (?1, ?2, ?3, ?4, 1, ?5) ON CONFLICT (container_id, day, param, reason) \
                 DO UPDATE SET count = count + 1, last_at = excluded.last_at",
                &[
                    text(container_id.as_str()),
                    text(&day),
                    text(&r.param),
                    text(r.reason.code()),
                    time(now),
                ],
            )
        })
        .collect::<Result<Vec<_>>>()?;
    batch_changes(db, statements).await?;
    Ok(())
}

/// The container's counters, newest day first.
pub async fn recent(
    db: &D1Database,
    container_id: &ContainerId,
    limit: u32,
) -> Result<Vec<RefusalCount>> {
    all(
        db,
        "SELECT day, param, reason, count, last_at FROM click_refusals WHERE container_id = ?1 \
         ORDER BY day DESC, count DESC, param LIMIT ?2",
        &[text(container_id.as_str()), int(i64::from(limit))],
    )
    .await
}
