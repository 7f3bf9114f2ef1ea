//! `POST /e?id={container}`: a browser event, as `postclick.track(name, data)` sends it. The body
//! is `{event, event_id?, value?, currency?, url?, attributes?, user?, consent?, pc_test?}`; the
//! answer is `{event_id, duplicate, pixels}`.
//!
//! The visitor is the signed `pc_vid` cookie. A browser without one (or with one that fails its
//! signature) gets a new `pc_vid` here, under the same consent and cookie-domain rules as a page
//! view, so an event sent before (or without) a page view still ties later events and webhooks to
//! the same person. The consent signal is the body's `consent.advertising` (these cookies exist
//! for ad attribution): `false` sets no cookie and records the event without a visitor; absent
//! counts as no signal, which containers that require consent treat the same way. The visitor id
//! is not echoed in the answer: `pc_vid` is HttpOnly so page scripts cannot read it, and the
//! site's own server receives it in `Cookie`.
//!
//! Anyone can call `/e`, so what it may cause is bounded (see `crate::core::provenance`): its
//! event is a `browser` event, attributed from the signed `pc_clk` it carries; it fires pixels, but
//! a connector's postback only when the connector opts in; `pc_test` fires test-mode pixels, never
//! a live postback; `duplicate: true` only when this visitor already sent the event id; and each
//! client gets 100 events per minute per container.

use super::cors::Caller;
use super::{client, cookies, header, limited_container, request_query, Client};
use crate::config::Config;
use crate::core::browser_event::{cookie_history, parse_browser_event};
use crate::core::clicks::Captured;
use crate::core::client_limit::Surface;
use crate::core::ids::EventId;
use crate::delivery::dispatch::context_of;
use crate::delivery::intake::{record_event_under, Intake, KnownVisitor};
use crate::delivery::pixels::{pixels_for_event, Pixel};
use crate::delivery::{dispatch_loaded, load_context_with, KnownSettings};
use crate::error::Result;
use crate::http::body::{read_json, MAX_BODY_BYTES};
use crate::http::request::Request;
use crate::http::router::RouteContext;
use crate::platform::now;
use crate::store::events::Stored;
use crate::store::tracking::TrackingContainer;
use serde::Serialize;
use serde_json::Value;
use worker::{Headers, Response};

/// The answer to a browser event.
#[derive(Serialize)]
#[cfg_attr(test, derive(utoipa::ToSchema))]
pub struct BrowserEventOut {
    /// The caller's `event_id`, or a generated one.
    pub event_id: EventId,
    /// This visitor already sent this event id: nothing was stored and no pixel fires again.
    /// Never true for an id only another visitor, or the site's server, sent.
    pub duplicate: bool,
    /// The pixels the page fires for this event.
    pub pixels: Vec<Pixel>,
}

/// The body is read first, capped while it streams in, so an oversized upload is refused before
/// anything else is done for it; its 413 still goes through the container's CORS like any answer.
pub async fn handle_event(mut req: Request, ctx: RouteContext) -> Result<Response> {
    let query = request_query(&req)?.to_string();
    let body = read_json(&mut req, MAX_BODY_BYTES).await;
    let client = client(&req, &ctx.config);
    let container = limited_container(&ctx, &client, &query, Surface::Event).await?;
    let caller = Caller::of(&req, &container.settings);
    caller.refuse_foreign()?;
    let result = match body {
        Ok(body) => record(&req, &client, &ctx, &container, &body).await,
        Err(error) => Err(error),
    };
    caller.decorate(result)
}

async fn record(
    req: &Request,
    client: &Client,
    ctx: &RouteContext,
    container: &TrackingContainer,
    body: &Value,
) -> Result<Response> {
    let config = &ctx.config;
    let ip = client.ip.as_deref();
    let user_agent = header(req, "user-agent");
    let mut event = parse_browser_event(body, None, ip, user_agent.as_deref())?;

    let now = now();
    let consent = event.consent.advertising;
    let settings = &container.settings;
    let plan = cookies::plan(
        req,
        client,
        config,
        settings,
        consent,
        &Captured::default(),
        now,
    )?;
    let visitor = plan.visitor.as_ref().map(|v| v.id.as_str());
    event.visitor_id = visitor.map(str::to_string);
    event.cookie_history = cookie_history(&plan.history);
    let db = ctx.db()?;
    // The container's connectors come from the settings cache: what is stored raw, and what
    // fires, are decided without reading them again. An event no connector has a postback for
    // is stored already marked dispatched.
    let intake = Intake {
        policy: container.pii_policy(),
        reads: None,
        dispatched: KnownSettings::of(container).nothing_to_dispatch(event.name.as_str()),
    };
    let visitor = KnownVisitor::Cookie(visitor);
    let stored = record_event_under(&db, &container.row.id, &event, visitor, intake, now).await?;

    let pixels = match stored.duplicate {
        true => Vec::new(),
        false => fire_connectors(ctx, config, container, &stored).await,
    };
    let headers = Headers::new();
    headers.set("content-type", "application/json")?;
    headers.set("cache-control", "no-store")?;
    cookies::append_set_cookies(&headers, &plan)?;
    let body = BrowserEventOut {
        event_id: stored.event_id,
        duplicate: stored.duplicate,
        pixels,
    };
    Ok(Response::from_json(&body)?.with_headers(headers))
}

/// Returns the pixels the new event fires, and dispatches its postbacks (outbox rows first, then
/// the queue) after the answer, unless it was stored already marked dispatched
/// ([`Stored::stored_dispatched`]). The event is already stored: a failure here is logged and answered
/// as a stored event without pixels, and the sweep dispatches its postbacks later.
async fn fire_connectors(
    ctx: &RouteContext,
    config: &Config,
    container: &TrackingContainer,
    stored: &Stored,
) -> Vec<Pixel> {
    let result = async {
        let db = ctx.db()?;
        let known = Some(KnownSettings::of(container));
        // The row as the insert wrote it; a confirmed or raced one is read back.
        let context = match stored.written.clone() {
            Some(row) => context_of(&db, row, known).await?,
            None => load_context_with(&db, &container.row.id, &stored.row_id, known).await?,
        };
        let pixels = pixels_for_event(&db, &context, config).await;
        if stored.stored_dispatched() {
            return pixels;
        }
        // The postbacks go out after the answer; an event left undispatched (a failure, or an
        // isolate gone) is dispatched by the cron sweep, so none is lost.
        let (env, row) = (ctx.env.clone(), stored.row_id.clone());
        ctx.after_answer("event dispatch", async move {
            if let Err(e) = dispatch_loaded(&env, &db, &context).await {
                worker::console_error!("dispatching event {row}: {e}");
            }
        });
        pixels
    };
    match result.await {
        Ok(pixels) => pixels,
        Err(e) => {
            worker::console_error!("firing connectors for event {}: {e}", stored.row_id);
            Vec::new()
        }
    }
}
