//! `POST /admin/api/connectors/:id/recover {since}`: after an outage, send again every delivery
//! of the connector that failed (dead-lettered included) or is parked since a time, each once,
//! keeping its idempotency key and `webhook-id` (it is the same conversion, and a partner that
//! already counted it can tell). Each is a new row with `replay_of` naming the original, so a
//! second call does not send it again.

use super::connectors::find_row;
use super::model::Recovered;
use crate::core::error::Invalid;
use crate::core::time::UnixMs;
use crate::delivery::outbox::{replay_row, write_and_enqueue};
use crate::error::Result;
use crate::http::body::{read_json, MAX_BODY_BYTES};
use crate::http::request::Request;
use crate::http::respond::json;
use crate::http::router::RouteContext;
use crate::platform::now;
use crate::store::recovery::{recoverable, RECOVER_LIMIT};
use serde_json::Value;
use worker::Response;

/// `{since}`: an RFC 3339 time.
fn parse_since(body: &Value) -> Result<UnixMs, Invalid> {
    match body {
        Value::Object(map) => match map.get("since") {
            Some(Value::String(text)) => UnixMs::parse_rfc3339(text).ok_or_else(|| {
                Invalid::field(
                    "invalid_time",
                    "since",
                    "must be an RFC 3339 time, e.g. 2026-11-30T00:00:00Z",
                )
            }),
            None | Some(Value::Null) => Err(Invalid::field("required", "since", "is required")),
            Some(_) => Err(Invalid::field("invalid_type", "since", "must be a string")),
        },
        _ => Err(Invalid::new(
            "invalid_body",
            "the body must be a JSON object",
        )),
    }
}

pub async fn handle_recover(mut req: Request, ctx: RouteContext) -> Result<Response> {
    let connector = find_row(&ctx, &ctx.id("id")?).await?;
    let body = read_json(&mut req, MAX_BODY_BYTES).await?;
    let since = parse_since(&body)?;
    let db = ctx.db()?;
    let originals = recoverable(&db, &connector.id, since).await?;
    let mut rows = Vec::with_capacity(originals.len());
    for original in &originals {
        rows.extend(replay_row(original)?);
    }
    let written = write_and_enqueue(&ctx.env, &db, &rows, now()).await?;
    let requeued = written.iter().filter(|w| **w).count() as u32;
    json(
        200,
        &Recovered {
            requeued,
            more: originals.len() == RECOVER_LIMIT as usize,
        },
    )
}
