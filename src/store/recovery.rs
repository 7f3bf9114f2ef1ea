//! Bulk recovery in D1: the deliveries of a connector that were given up since a time and have
//! not been sent again, each with its stored request.

use super::deliveries::DeliveryRow;
use super::{all, int, text, time};
use crate::core::ids::ConnectorId;
use crate::core::time::UnixMs;
use crate::error::Result;
use worker::D1Database;

/// Most deliveries one recovery call re-queues; call again for the rest.
pub const RECOVER_LIMIT: u32 = 500;

/// The connector's failed (dead-lettered included) or parked deliveries created at or after
/// `since` that hold a request and were never replayed or recovered, oldest first.
pub async fn recoverable(
    db: &D1Database,
    connector_id: &ConnectorId,
    since: UnixMs,
) -> Result<Vec<DeliveryRow>> {
    all(
        db,
        "SELECT * FROM deliveries d WHERE d.connector_id = ?1 AND d.created_at >= ?2 \
         AND d.status IN ('failed', 'parked') AND d.request IS NOT NULL \
         AND NOT EXISTS (SELECT 1 FROM deliveries r WHERE r.replay_of = d.id) \
         ORDER BY d.created_at, d.id LIMIT ?3",
        &[
            text(connector_id.as_str()),
            time(since),
            int(i64::from(RECOVER_LIMIT)),
        ],
    )
    .await
}
