//! A container's recent inbound webhook activity: its last 20 requests, newest first.

use crate::error::Result;
use crate::http::respond::json;
use crate::http::router::RouteContext;
use crate::store::containers;
use crate::store::webhook_requests::{self, ActivityRow};
use serde_json::{json, Value};
use worker::{Request, Response};

fn activity_out(row: &ActivityRow) -> Value {
    json!({
        "id": row.id,
        "received_at": row.received_at.iso8601(),
        "status": row.status,
        "topic": row.topic,
        "session_matched": row.session_matched != 0,
        "http_status": row.http_status as u16,
        "error_code": row.error_code,
        "event_id": row.event_id,
    })
}

pub async fn handle_webhook_activity(_: Request, ctx: RouteContext) -> Result<Response> {
    let db = ctx.db()?;
    let container = containers::find(&db, &ctx.id("id")?).await?;
    let rows = webhook_requests::recent(&db, &container.id).await?;
    json(
        200,
        &json!({"data": rows.iter().map(activity_out).collect::<Vec<_>>()}),
    )
}
