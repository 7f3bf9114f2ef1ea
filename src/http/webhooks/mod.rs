//! Webhooks in: conversions that CRMs, shops, Zapier and backends send server-to-server.
//!
//! - [`tracklution`]: `GET|POST /webhook`, Tracklution-compatible parameters (seed 002).
//! - [`custom`]: `POST /webhooks/custom/{container}/{topic}`, the typed JSON of seed 004.
//! - [`auth`]: the API key check and the per-key, per-minute rate limit.
//! - [`activity`]: the recent-activity row every request leaves, and the answer.
//!
//! Every request from one of a container's own keys (valid or revoked) leaves exactly one activity
//! row; a request without such a key is counted instead ([`activity::refuse_keyless`]), and
//! counted against the keyless abuse limit. A rejected request leaves nothing else. Accepted
//! answers are 200 `{status: "accepted", type, event_id, session_matched, duplicate, confirmed}`;
//! `confirmed` says the event confirmed an earlier browser event with its id.
//!
//! A webhook's `visitor_id` may be the bare visitor id or the whole signed `pc_vid` value the
//! site's server read from the cookie; a signed value that fails its check names no visitor.

pub mod activity;
pub mod auth;
pub mod custom;
pub mod tracklution;

use super::router::RouteContext;
use crate::config::Config;
use crate::core::clicks::cookies::signed::webhook_visitor_id;
use crate::core::error::Invalid;
use crate::core::event::NewEvent;
use crate::core::ids::{ContainerId, EventId};
use crate::core::time::UnixMs;
use crate::delivery::dispatch_event;
use crate::delivery::intake::{record_event, KnownVisitor};
use crate::error::Result;
use worker::Env;

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
    /// The event confirmed an earlier browser event with its id.
    pub confirmed: bool,
}

/// The visitor id a webhook names, in either form (see the module's doc).
pub fn named_visitor(env: &Env, raw: Option<String>) -> Option<String> {
    let keys = Config::from_env(env).signing_keys;
    raw.and_then(|raw| webhook_visitor_id(keys.as_ref(), &raw))
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
    /// The event id was seen before from a server event: acknowledged, not stored again.
    pub duplicate: bool,
    /// The event confirmed an earlier browser event with its id: the server's value, currency
    /// and user data became the event's, and the connectors that fire on server events fire now.
    pub confirmed: bool,
}

/// Stores a webhook's event once, matched to a visitor where its identities allow, or confirms
/// the browser event that sent its id.
pub async fn accept_event(
    ctx: &RouteContext,
    container_id: &ContainerId,
    mut event: NewEvent,
    now: UnixMs,
) -> Result<Accepted> {
    event.visitor_id = named_visitor(&ctx.env, event.visitor_id.take());
    let db = ctx.db()?;
    let stored = record_event(&db, container_id, &event, KnownVisitor::Unknown, now).await?;
    if !stored.duplicate {
        // `consent.advertising = false` is stored as events.consent_advertising = 0, which the
        // dispatch honours by sending no ad-platform or partner postback for the event. The
        // dispatch runs after the answer: the event is stored either way, and one that is not
        // marked dispatched (a failure, or an isolate gone) is dispatched by the cron sweep.
        let (env, container, row) = (ctx.env.clone(), container_id.clone(), stored.row_id.clone());
        ctx.ctx.wait_until(async move {
            if let Err(e) = dispatch_event(&env, &container, &row).await {
                worker::console_error!("dispatching event {row}: {e}");
            }
        });
    }
    Ok(Accepted {
        kind: "track",
        event_id: Some(stored.event_id),
        session_matched: stored.visitor_id.is_some(),
        duplicate: stored.duplicate,
        confirmed: stored.confirmed,
    })
}

/// A body as UTF-8 text; anything else is a payload error naming no field.
fn utf8(bytes: Vec<u8>) -> Result<String> {
    String::from_utf8(bytes)
        .map_err(|_| Invalid::new("invalid_encoding", "the body must be UTF-8 text").into())
}
