//! Webhooks in: conversions that CRMs, shops, Zapier and backends send server-to-server.
//!
//! - [`tracklution`]: `GET|POST /webhook`, Tracklution-compatible parameters (seed 002).
//! - [`custom`]: `POST /webhooks/custom/{container}/{topic}`, the typed JSON of seed 004.
//! - [`auth`]: the API key check and the per-key, per-minute rate limit.
//! - [`activity`]: the recent-activity row every request leaves, and the answer.
//!
//! Every request that can be tied to a container leaves exactly one activity row; a rejected
//! request leaves nothing else. Accepted answers are 200
//! `{status: "accepted", type, event_id, session_matched, duplicate}`.

pub mod activity;
pub mod auth;
pub mod custom;
pub mod tracklution;

use super::router::RouteContext;
use crate::core::error::Invalid;
use crate::core::event::NewEvent;
use crate::core::ids::{ContainerId, EventId};
use crate::core::time::UnixMs;
use crate::delivery::dispatch_event;
use crate::delivery::intake::{record_event, KnownVisitor};
use crate::error::Result;

/// What an accepted request did.
#[derive(Debug, Clone)]
pub struct Accepted {
    /// `track` (an event was recorded) or `set` (a visitor was enriched).
    pub kind: &'static str,
    /// The stored event's id (the caller's `eventId`/`conversion_id`, or a generated one).
    pub event_id: Option<EventId>,
    pub session_matched: bool,
    /// The event id was seen before: acknowledged, not stored again.
    pub duplicate: bool,
}

/// The answer to an accepted webhook request, on both surfaces.
#[derive(Debug, serde::Serialize)]
#[cfg_attr(test, derive(utoipa::ToSchema))]
pub struct WebhookAccepted<'a> {
    #[cfg_attr(test, schema(value_type = String, pattern = "^accepted$"))]
    pub status: &'static str,
    /// `track` recorded an event; `set` enriched a visitor and created no event.
    #[serde(rename = "type")]
    #[cfg_attr(test, schema(value_type = String, pattern = "^(track|set)$"))]
    pub kind: &'static str,
    /// The caller's `eventId`/`conversion_id`, or a generated id; `null` for set.
    pub event_id: Option<&'a EventId>,
    /// Whether a known visitor was found.
    pub session_matched: bool,
    /// The event id was seen before: acknowledged, not stored again.
    pub duplicate: bool,
}

/// Stores a webhook's event once, matched to a visitor where its identities allow.
pub async fn accept_event(
    ctx: &RouteContext,
    container_id: &ContainerId,
    event: &NewEvent,
    now: UnixMs,
) -> Result<Accepted> {
    let stored = record_event(&ctx.db()?, container_id, event, KnownVisitor::Unknown, now).await?;
    if !stored.duplicate {
        // `consent.advertising = false` is stored as events.consent_advertising = 0, which the
        // dispatch honours by sending no ad-platform or partner postback for the event. The
        // event is stored either way: a dispatch failure is logged and the sweep retries it.
        if let Err(e) = dispatch_event(&ctx.env, container_id, &stored.row_id).await {
            worker::console_error!("dispatching event {}: {e}", stored.row_id);
        }
    }
    Ok(Accepted {
        kind: "track",
        event_id: Some(stored.event_id),
        session_matched: stored.visitor_id.is_some(),
        duplicate: stored.duplicate,
    })
}

/// A body as UTF-8 text; anything else is a payload error naming no field.
fn utf8(bytes: Vec<u8>) -> Result<String> {
    String::from_utf8(bytes)
        .map_err(|_| Invalid::new("invalid_encoding", "the body must be UTF-8 text").into())
}
