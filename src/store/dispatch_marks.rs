//! Whether an event's connectors were dispatched (`events.dispatched_at`): dispatch marks it
//! once its deliveries are written, and the cron sweep dispatches again the events stored but
//! never marked (the outbox write failed, or the worker stopped in between). An event that no
//! connector can fire for is stored already marked ([`super::events::NewRow::dispatched`]).

use super::{all, int, statement, text, time};
use crate::core::ids::{ContainerId, EventRowId};
use crate::core::time::UnixMs;
use crate::error::Result;
use serde::Deserialize;
use worker::{D1Database, D1PreparedStatement};

/// The statement that records that the event `row_id`'s connectors were dispatched at `now`,
/// to run in the same batch as its deliveries' rows.
pub fn mark_dispatched_statement(
    db: &D1Database,
    row_id: &EventRowId,
    now: UnixMs,
) -> Result<D1PreparedStatement> {
    statement(
        db,
        "UPDATE events SET dispatched_at = ?2 WHERE id = ?1",
        &[text(row_id.as_str()), time(now)],
    )
}

/// An event whose dispatch never completed.
#[derive(Debug, Clone, Deserialize)]
pub struct Undispatched {
    pub id: EventRowId,
    pub container_id: ContainerId,
}

/// Events stored before `before` whose dispatch never completed, oldest first, at most `limit`.
pub async fn undispatched(
    db: &D1Database,
    before: UnixMs,
    limit: u32,
) -> Result<Vec<Undispatched>> {
    all(
        db,
        "SELECT id, container_id FROM events WHERE dispatched_at IS NULL AND created_at < ?1 \
         ORDER BY created_at LIMIT ?2",
        &[time(before), int(i64::from(limit))],
    )
    .await
}
