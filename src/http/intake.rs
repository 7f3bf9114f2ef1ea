//! Recording an event, whichever surface it came from: give it an event id, match it to a
//! visitor, and store it once. Browser events (`/e`) and both webhook surfaces share this path.

use super::error::ApiResult;
use super::respond::random16;
use crate::core::event::NewEvent;
use crate::core::ids::IdKind;
use crate::core::matching::MatchKeys;
use crate::store::events::{self, Stored};
use worker::D1Database;

/// How the visitor of an event is known before matching.
pub enum KnownVisitor<'a> {
    /// The browser's own `pc_vid` cookie.
    Cookie(&'a str),
    /// Nothing yet: match on the identities the event carries.
    Unknown,
}

/// Stores `event` for `container_id`, deduplicated on its event id (the caller's `event_id`, or
/// a generated one). A repeated event id answers the earlier event with `duplicate: true`.
pub async fn record_event(
    db: &D1Database,
    container_id: &str,
    event: &NewEvent,
    visitor: KnownVisitor<'_>,
    now_ms: i64,
) -> ApiResult<Stored> {
    let row_id = IdKind::Event.new_id(random16()?);
    let event_id = event
        .event_id
        .as_ref()
        .map_or_else(|| row_id.clone(), |id| id.as_str().to_string());
    let matched = match visitor {
        KnownVisitor::Cookie(id) => Some((id.to_string(), "cookie".to_string())),
        KnownVisitor::Unknown => {
            events::match_visitor(db, container_id, &MatchKeys::from_event(event)).await?
        }
    };
    events::insert(
        db,
        &row_id,
        container_id,
        &event_id,
        event,
        matched.as_ref().map(|(v, by)| (v.as_str(), by.as_str())),
        now_ms,
    )
    .await
}
