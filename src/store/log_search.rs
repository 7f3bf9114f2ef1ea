//! The webhook log searched: one connector's deliveries by status, by time, and by an order id
//! (the event's caller id), a click id (one the event carried) or any text of the sent request
//! (URL or body), newest first, paged like the plain log (also here: [`list_for_connector`]).

use super::deliveries::DeliveryRow;
use super::{all, int, opt_text, opt_time, text, time};
use crate::core::ids::ConnectorId;
use crate::core::postback::DeliveryStatus;
use crate::core::time::UnixMs;
use crate::error::Result;
use worker::D1Database;

/// What the log is narrowed to; every part is optional.
#[derive(Debug, Clone, Default)]
pub struct LogFilter {
    pub status: Option<DeliveryStatus>,
    /// Written at or after this time.
    pub since: Option<UnixMs>,
    /// Written before this time.
    pub until: Option<UnixMs>,
    /// An order id, a click id, or text of the request.
    pub search: Option<String>,
}

impl LogFilter {
    pub fn is_empty(&self) -> bool {
        self.status.is_none()
            && self.since.is_none()
            && self.until.is_none()
            && self.search.is_none()
    }
}

/// A page of the connector's log matching `filter`, strictly before `before` when given.
pub async fn search_for_connector(
    db: &D1Database,
    connector_id: &ConnectorId,
    filter: &LogFilter,
    before: Option<&DeliveryRow>,
    limit: u32,
) -> Result<Vec<DeliveryRow>> {
    all(
        db,
        "SELECT d.* FROM deliveries d WHERE d.connector_id = ?1 \
         AND (?2 IS NULL OR d.status = ?2) \
         AND (?3 IS NULL OR d.created_at >= ?3) AND (?4 IS NULL OR d.created_at < ?4) \
         AND (?5 IS NULL OR instr(COALESCE(d.url, ''), ?5) > 0 OR instr(COALESCE(d.body, ''), ?5) > 0 \
              OR EXISTS (SELECT 1 FROM events e WHERE e.id = d.event_row_id AND (e.event_id = ?5 \
                 OR EXISTS (SELECT 1 FROM json_each(e.payload, '$.clicks') j \
                            WHERE json_extract(j.value, '$.value') = ?5)))) \
         AND (?6 IS NULL OR (d.created_at, d.id) < (?6, ?7)) \
         ORDER BY d.created_at DESC, d.id DESC LIMIT ?8",
        &[
            text(connector_id.as_str()),
            opt_text(filter.status.map(DeliveryStatus::as_str)),
            opt_time(filter.since),
            opt_time(filter.until),
            opt_text(filter.search.as_deref()),
            opt_time(before.map(|b| b.created_at)),
            opt_text(before.map(|b| b.id.as_str())),
            int(i64::from(limit)),
        ],
    )
    .await
}

/// A page of a connector's log, newest first, strictly before the `before` row when given.
pub async fn list_for_connector(
    db: &D1Database,
    connector_id: &ConnectorId,
    before: Option<&DeliveryRow>,
    limit: u32,
) -> Result<Vec<DeliveryRow>> {
    match before {
        Some(b) => {
            all(
                db,
                "SELECT * FROM deliveries WHERE connector_id = ?1 AND (created_at, id) < (?2, ?3) \
                 ORDER BY created_at DESC, id DESC LIMIT ?4",
                &[
                    text(connector_id.as_str()),
                    time(b.created_at),
                    text(b.id.as_str()),
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
                &[text(connector_id.as_str()), int(i64::from(limit))],
            )
            .await
        }
    }
}
