//! A container's recent inbound webhook activity: its last 20 requests, newest first, and how
//! many requests without one of its keys were refused in the last seven days (counted, not
//! listed, so they never push the real requests out of the list).

use super::model::{UnauthenticatedCount, WebhookActivityList, WebhookActivityOut};
use crate::core::postback::DAY_MS;
use crate::core::time::UnixMs;
use crate::error::Result;
use crate::http::request::Request;
use crate::http::respond::json;
use crate::http::router::RouteContext;
use crate::platform::now;
use crate::store::containers;
use crate::store::webhook_requests::{self, ActivityRow};
use worker::Response;

/// Days of unauthenticated requests the answer sums, today included.
const UNAUTHENTICATED_DAYS: i64 = 7;

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
        provenance: row.provenance.clone(),
    }
}

pub async fn handle_webhook_activity(_: Request, ctx: RouteContext) -> Result<Response> {
    let db = ctx.db()?;
    let container = containers::find(&db, &ctx.id("id")?).await?;
    let rows = webhook_requests::recent(&db, &container.id).await?;
    let since = now().plus_ms(-(UNAUTHENTICATED_DAYS - 1) * DAY_MS);
    let since = UnixMs::from_millis(since.millis() - since.millis().rem_euclid(DAY_MS));
    let unauthenticated =
        webhook_requests::unauthenticated_since(&db, &container.id, since).await?;
    json(
        200,
        &WebhookActivityList {
            data: rows.iter().map(activity_out).collect(),
            unauthenticated: UnauthenticatedCount {
                count: unauthenticated.count.max(0) as u64,
                since: since.iso8601(),
                last_at: unauthenticated.last_at.map(UnixMs::iso8601),
            },
        },
    )
}
