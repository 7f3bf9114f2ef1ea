//! What the why-not explorer reads: a container's events found by caller event id, by click id
//! (a click of the event's visitor, or one the event carried) or by email (its SHA-256
//! identity, linked or still waiting for a visitor), and the delivery rows of one event.

use super::deliveries::DeliveryRow;
use super::events::EventRow;
use super::{all, first, int, run, text};
use crate::core::ids::{ConnectorId, ContainerId, DeliveryId, EventRowId};
use crate::error::Result;
use worker::D1Database;

/// Most events one search shows.
pub const EXPLAIN_LIMIT: i64 = 10;

/// How the explorer was asked to search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Search {
    /// The caller's `event_id`/`conversion_id`.
    EventId(String),
    /// A click id value, whatever its parameter.
    ClickId(String),
    /// The SHA-256 of a normalised email, as identities store it.
    EmailSha256(String),
}

/// The container's events that `search` finds, newest first (at most [`EXPLAIN_LIMIT`]).
pub async fn find_events(
    db: &D1Database,
    container_id: &ContainerId,
    search: &Search,
) -> Result<Vec<EventRow>> {
    let (filter, value) = match search {
        Search::EventId(id) => ("e.event_id = ?2", id),
        Search::ClickId(value) => (
            "(e.visitor_id IN (SELECT visitor_id FROM clicks WHERE container_id = ?1 AND value = ?2) \
             OR EXISTS (SELECT 1 FROM json_each(e.payload, '$.clicks') j \
                        WHERE json_extract(j.value, '$.value') = ?2))",
            value,
        ),
        Search::EmailSha256(hash) => (
            "(e.visitor_id IN (SELECT visitor_id FROM identities WHERE container_id = ?1 \
                               AND kind = 'email_sha256' AND value = ?2) \
             OR e.id IN (SELECT event_row_id FROM pending_identities WHERE container_id = ?1 \
                         AND kind = 'email_sha256' AND value = ?2))",
            hash,
        ),
    };
    let sql = format!(
        "SELECT e.* FROM events e WHERE e.container_id = ?1 AND {filter} \
         ORDER BY e.created_at DESC, e.id DESC LIMIT ?3"
    );
    all(
        db,
        &sql,
        &[text(container_id.as_str()), text(value), int(EXPLAIN_LIMIT)],
    )
    .await
}

/// Every delivery row of one event (postbacks, pixels, replays), oldest first.
pub async fn deliveries_of(
    db: &D1Database,
    container_id: &ContainerId,
    event_row_id: &EventRowId,
) -> Result<Vec<DeliveryRow>> {
    all(
        db,
        "SELECT * FROM deliveries WHERE container_id = ?1 AND event_row_id = ?2 \
         ORDER BY created_at, id LIMIT 200",
        &[text(container_id.as_str()), text(event_row_id.as_str())],
    )
    .await
}

/// Releases a skipped row from its event, so the event can be dispatched to its connector
/// again; the row stays in the log. False when it was released already.
pub async fn release_origin(db: &D1Database, id: &DeliveryId) -> Result<bool> {
    Ok(run(
        db,
        "UPDATE deliveries SET origin_key = NULL WHERE id = ?1 AND status = 'skipped' \
         AND origin_key IS NOT NULL",
        &[text(id.as_str())],
    )
    .await?
        > 0)
}

/// The connector's current delivery of the event (the one its `origin_key` names).
pub async fn delivery_for(
    db: &D1Database,
    connector_id: &ConnectorId,
    event_row_id: &EventRowId,
) -> Result<Option<DeliveryRow>> {
    first(
        db,
        "SELECT * FROM deliveries WHERE origin_key = ?1",
        &[text(&format!(
            "{}:{}",
            connector_id.as_str(),
            event_row_id.as_str()
        ))],
    )
    .await
}
