//! A container's recent inbound webhook activity: its last 20 requests, newest first.

use super::containers::find as find_container;
use super::model::{WebhookActivityList, WebhookActivityOut};
use super::{db, require_admin};
use crate::http::error::ApiResult;
use crate::http::respond::{iso8601, json, param};
use crate::store::webhook_requests::{self, ActivityRow};
use worker::{Request, Response, RouteContext};

fn activity_out(row: &ActivityRow) -> WebhookActivityOut {
    WebhookActivityOut {
        id: row.id as u64,
        received_at: iso8601(row.received_at),
        status: row.status.clone(),
        topic: row.topic.clone(),
        session_matched: row.session_matched != 0,
        http_status: row.http_status as u16,
        error_code: row.error_code.clone(),
        event_id: row.event_id.clone(),
    }
}

pub async fn handle_webhook_activity(req: Request, ctx: RouteContext<()>) -> ApiResult<Response> {
    require_admin(&req, &ctx)?;
    let container = find_container(&ctx, param(&ctx, "id")).await?;
    let rows = webhook_requests::recent(&db(&ctx)?, &container.id).await?;
    let data = rows.iter().map(activity_out).collect();
    json(200, &WebhookActivityList { data })
}
