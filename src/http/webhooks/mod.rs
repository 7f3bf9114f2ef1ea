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
//! On both surfaces a top-level field named exactly like one of the container's connector click
//! parameters (`aff_click_id`) is that click id ([`read_partner_clicks`]).
//!
//! A webhook's `visitor_id` may be the bare visitor id or the whole signed `pc_vid` value the
//! site's server read from the cookie; a signed value that fails its check names no visitor.

pub mod activity;
pub mod auth;
pub mod custom;
pub mod status;
pub mod tracklution;

use super::router::RouteContext;
use crate::config::Config;
use crate::core::clicks::cookies::signed::webhook_visitor_id;
use crate::core::error::Invalid;
use crate::core::event::{Attributes, CarriedClick, NewEvent};
use crate::core::form;
use crate::core::ids::{ContainerId, EventId};
use crate::core::time::UnixMs;
use crate::core::webhook_in::promote_partner_clicks;
use crate::delivery::dispatch::{dispatch_event_with, KnownSettings};
use crate::delivery::intake::{record_server_event, Intake, ServerReads};
use crate::delivery::lifecycle::on_duplicate;
use crate::error::{Error, Result};
use crate::store::events::Stored;
use crate::store::settings_cache;
use crate::store::tracking::TrackingContainer;
use activity::ActivityLog;
use std::rc::Rc;
use std::time::Duration;
use worker::{D1Database, D1PreparedStatement, Env};

/// What an accepted request did.
#[derive(Debug, Clone)]
pub struct Accepted {
    /// `track` (an event was recorded), `set` (a visitor was enriched) or `status` (a
    /// conversion's status changed).
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
    let config = Config::of(env);
    raw.and_then(|raw| webhook_visitor_id(config.signing_keys.as_ref(), &raw))
}

/// The answer to an accepted webhook request, on both surfaces.
#[derive(Debug, serde::Serialize)]
#[cfg_attr(test, derive(utoipa::ToSchema))]
pub struct WebhookAccepted<'a> {
    #[cfg_attr(test, schema(value_type = String, pattern = "^accepted$"))]
    pub status: &'static str,
    /// `track` recorded an event; `set` enriched a visitor and created no event; `status`
    /// changed a conversion's status (a request without track naming eventId and status, or a
    /// refund of a known conversion).
    #[serde(rename = "type")]
    #[cfg_attr(test, schema(value_type = String, pattern = "^(track|set|status)$"))]
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

/// A track request's event made ready to store for its container: its visitor id read
/// ([`named_visitor`]) and its partner click ids promoted ([`read_partner_clicks`]).
pub struct Staged {
    pub container: Rc<TrackingContainer>,
    pub event: NewEvent,
}

impl Staged {
    pub fn new(env: &Env, container: Rc<TrackingContainer>, mut event: NewEvent) -> Result<Self> {
        event.visitor_id = named_visitor(env, event.visitor_id.take());
        read_partner_clicks(&container, &event.attributes, &mut event.clicks)?;
        Ok(Self { container, event })
    }

    /// The reads storing the event needs ([`ServerReads`]), to send along with the key check.
    pub fn reads(&self, db: &D1Database) -> Result<Vec<D1PreparedStatement>> {
        ServerReads::statements(db, &self.container.row.id, &self.event)
    }
}

/// The container `id` as the webhooks need it (its connectors' click parameters and privacy
/// policy), through the isolate's settings cache; 404 when it does not exist.
pub async fn cached_container(
    ctx: &RouteContext,
    db: &D1Database,
    id: &ContainerId,
    now: UnixMs,
) -> Result<Rc<TrackingContainer>> {
    settings_cache::tracking_container(db, id, ctx.config.settings_cache_ttl_s, now)
        .await?
        .ok_or_else(|| Error::not_found("container"))
}

/// Stores a webhook's event once, matched to a visitor where its identities allow, or confirms
/// the browser event that sent its id. `reads` are its [`ServerReads`] when they came with the
/// key check; a new event is then written in one round trip, together with the request's
/// activity row.
pub async fn accept_event(
    ctx: &RouteContext,
    staged: Staged,
    reads: Option<ServerReads>,
    log: &mut ActivityLog,
    now: UnixMs,
) -> Result<Accepted> {
    let db = ctx.db()?;
    let Staged { container, event } = staged;
    let container_id = &container.row.id;
    let intake = Intake {
        policy: container.pii_policy(),
        reads,
        dispatched: KnownSettings::of(&container).nothing_to_dispatch(event.name.as_str()),
    };
    let also = |expected: &Stored| log.accepted_statements(&db, &accepted(expected));
    let stored = record_server_event(&db, container_id, &event, intake, also, now).await?;
    if stored.duplicate {
        // A changed value for a connector with duplicate_policy update sends an update postback.
        if let Err(e) = on_duplicate(&ctx.env, container_id, &stored.row_id, &event).await {
            worker::console_error!("updating event {}: {e}", stored.row_id);
        }
    } else if stored.stored_dispatched() {
        // No connector can fire for it.
    } else {
        // `consent.advertising = false` is stored as events.consent_advertising = 0, which the
        // dispatch honours by sending no ad-platform or partner postback for the event. The
        // dispatch runs after the answer: the event is stored either way, and one that is not
        // marked dispatched (a failure, or an isolate gone) is dispatched by the cron sweep.
        // It waits SERVER_EVENT_DISPATCH_DELAY_S first, so that a click sent a moment earlier
        // is in D1 (see `Config::server_event_dispatch_delay_s`). The container's connectors come
        // from the settings cache; the event is read again after the wait, for its late match.
        let (env, row) = (ctx.env.clone(), stored.row_id.clone());
        let container = Rc::clone(&container);
        let delay = ctx.config.server_event_dispatch_delay_s;
        ctx.after_answer("webhook dispatch", async move {
            if delay > 0 {
                worker::Delay::from(Duration::from_secs(u64::from(delay))).await;
            }
            let known = KnownSettings::of(&container);
            if let Err(e) = dispatch_event_with(&env, known, &container.row.id, &row).await {
                worker::console_error!("dispatching event {row}: {e}");
            }
        });
    }
    Ok(accepted(&stored))
}

/// The answer to a stored track request.
fn accepted(stored: &Stored) -> Accepted {
    Accepted {
        kind: "track",
        event_id: Some(stored.event_id.clone()),
        session_matched: stored.visitor_id.is_some(),
        duplicate: stored.duplicate,
        confirmed: stored.confirmed,
    }
}

/// A top-level field named like one of the container's connector click parameters is that
/// click id ([`promote_partner_clicks`]), read from the container's cached connectors.
pub fn read_partner_clicks(
    container: &TrackingContainer,
    attributes: &Attributes,
    clicks: &mut Vec<CarriedClick>,
) -> Result<()> {
    if attributes.is_empty() {
        return Ok(());
    }
    let mut params: Vec<String> = container
        .custom_params
        .iter()
        .map(|c| c.param.clone())
        .collect();
    params.sort();
    params.dedup();
    Ok(promote_partner_clicks(attributes, clicks, &params)?)
}

/// A body as UTF-8 text; anything else is a payload error naming no field.
fn utf8(bytes: Vec<u8>) -> Result<String> {
    String::from_utf8(bytes)
        .map_err(|_| Invalid::new(form::INVALID_ENCODING, "the body must be UTF-8 text").into())
}
