//! A container's recent inbound webhook activity: its last 20 requests, newest first.

use super::model::{WebhookActivityList, WebhookActivityOut};
use crate::error::Result;
use crate::http::respond::json;
use crate::http::router::RouteContext;
use crate::store::containers;
use crate::store::webhook_requests::{self, ActivityRow};
use worker::{Request, Response};

fn activity_out(row: &ActivityRow) -> WebhookActivityOut {
    WebhookActivityOut {
        id: row.id as u64,
        received_at: row.received_at.iso8601(),
        status: row.status.clone(),
        topic: row.topic.clone(),
        session_matched: row.session_matched != 0,
        http_status: row.http_status as u16,
        error_code: row.error_code.clone(),
        event_id: row.event_id.clone(),
    }
}

pub async fn handle_webhook_activity(_: Request, ctx: RouteContext) -> Result<Response> {
    let db = ctx.db()?;
    let container = containers::find(&db, &ctx.id("id")?).await?;
    let rows = webhook_requests::recent(&db, &container.id).await?;
    let data = rows.iter().map(activity_out).collect();
    json(200, &WebhookActivityList { data })
}
