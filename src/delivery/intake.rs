//! Recording an event, whichever surface it came from: give it an event id, match it to a
//! visitor, and store it once, with only the personal data its container's connectors send
//! raw (`core::privacy`). Browser events (`/e`) and both webhook surfaces share this path.

use crate::core::event::NewEvent;
use crate::core::ids::{ContainerId, EventId, EventRowId};
use crate::core::matching::MatchKeys;
use crate::core::privacy::minimise_event;
use crate::core::time::UnixMs;
use crate::error::Result;
use crate::platform::new_id;
use crate::store::events::{self, MatchedVisitor, Stored};
use crate::store::{connectors, identities};
use worker::D1Database;

/// How the visitor of an event is known before matching.
pub enum KnownVisitor<'a> {
    /// The browser's own `pc_vid` cookie.
    Cookie(&'a str),
    /// Nothing yet: match on the identities the event carries.
    Unknown,
}

/// Stores `event` for `container_id`, deduplicated on its event id (the caller's `event_id`, or
/// the new row id). A repeated event id answers the earlier event with `duplicate: true`.
pub async fn record_event(
    db: &D1Database,
    container_id: &ContainerId,
    event: &NewEvent,
    visitor: KnownVisitor<'_>,
    now: UnixMs,
) -> Result<Stored> {
    let row_id: EventRowId = new_id()?;
    let event_id = event
        .event_id
        .clone()
        .unwrap_or_else(|| EventId::from_row_id(&row_id));
    let matched = match visitor {
        KnownVisitor::Cookie(id) => Some((id.to_string(), "cookie".to_string())),
        KnownVisitor::Unknown => {
            identities::match_visitor(db, container_id, &MatchKeys::from_event(event)).await?
        }
    };
    let visitor = matched
        .as_ref()
        .map(|(visitor_id, matched_by)| MatchedVisitor {
            visitor_id,
            matched_by,
        });
    // Only what a connector sends raw is stored raw; matching above used the event as sent.
    let policy = connectors::pii_policy(db, container_id).await?;
    let stored = minimise_event(event, policy);
    events::insert(db, &row_id, container_id, &event_id, &stored, visitor, now).await
}
