//! `GET /px/{token}`: the sandboxed pixel document. Which pixels an event fires is decided in
//! `delivery::pixels`; this serves one of them when the browser's hidden iframe asks for it.

use super::router::RouteContext;
use crate::core::clicks::cookies::{RequestCookies, VisitorId};
use crate::core::pixel_token::PixelToken;
use crate::core::postback::PlanOutcome;
use crate::delivery::load_context;
use crate::delivery::pixels::{connector_values, pixel_outcome, render};
use crate::error::{Error, Result};
use crate::http::request::Request;
use crate::platform::now;
use crate::store::events;
use worker::{Headers, Response};

/// A tampered, expired or unknown token, or one issued for another visitor, is a bare 404 (the iframe shows nothing, and a prober
/// learns nothing). The CSP sandbox keeps the document sandboxed even when it is opened directly.
pub async fn handle_pixel_frame(req: Request, ctx: RouteContext) -> Result<Response> {
    let Some(html) = pixel_document(&req, &ctx).await? else {
        return Ok(Response::empty()?.with_status(404));
    };
    let document = format!("<!doctype html><html><head><meta charset=\"utf-8\"><title>pixel</title></head><body>{html}</body></html>");
    let headers = Headers::new();
    headers.set("content-type", "text/html; charset=utf-8")?;
    headers.set("content-security-policy", "sandbox allow-scripts")?;
    headers.set("cache-control", "no-store")?;
    headers.set("x-content-type-options", "nosniff")?;
    headers.set("referrer-policy", "no-referrer")?;
    Ok(Response::ok(document)?.with_headers(headers))
}

/// The rendered pixel the token names, if it is still live and this browser is the visitor it
/// was issued for (its signed `pc_vid`, which the iframe's request carries).
async fn pixel_document(req: &Request, ctx: &RouteContext) -> Result<Option<String>> {
    let Some(keys) = ctx.config.signing_keys.as_ref() else {
        return Ok(None);
    };
    let cookie_header = req.headers().get("cookie")?;
    let visitor = RequestCookies::parse(cookie_header.as_deref()).visitor_id(keys);
    let now_s = now().seconds();
    let token = keys.accepted().iter().find_map(|key| {
        let visitor = visitor.as_ref().map(VisitorId::as_str);
        PixelToken::verify(ctx.param("token"), key.secret(), now_s, visitor)
    });
    let Some(token) = token else {
        return Ok(None);
    };
    let db = ctx.db()?;
    let Some(event) = events::get_any(&db, &token.event_row_id).await? else {
        return Ok(None);
    };
    let context = match load_context(&db, &event.container_id, &event.id).await {
        Ok(context) => context,
        Err(Error::NotFound { .. }) => return Ok(None),
        Err(e) => return Err(e),
    };
    let Some((_, cfg)) = context
        .connectors
        .iter()
        .find(|(c, _)| c.id == token.connector_id)
    else {
        return Ok(None);
    };
    // Still live: the connector may have been disabled, or its pixel edited (unapproving it),
    // switched off, moved to the main window or re-triggered since the event.
    let (values, decision) = connector_values(&context, cfg);
    if pixel_outcome(&context, cfg, &decision) != PlanOutcome::Send || !cfg.pixel.sandbox {
        return Ok(None);
    }
    Ok(render(cfg, &values).map(|r| r.html))
}
