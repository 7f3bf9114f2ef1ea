//! A connector's destination: `GET /admin/api/connectors/:id/destination` shows whether it is
//! parked and why; `POST /admin/api/connectors/:id/unpark` lifts it by hand and queues the
//! parked deliveries again, oldest first (as a probe's success does).

use super::connectors::find_row;
use super::model::destination::{DestinationOut, Unparked};
use crate::core::connector::ParkPolicy;
use crate::core::ids::ConnectorId;
use crate::delivery::destination::unpark;
use crate::error::Result;
use crate::http::request::Request;
use crate::http::respond::json;
use crate::http::router::RouteContext;
use crate::platform::now;
use crate::store::destinations;
use worker::Response;

async fn view(ctx: &RouteContext, id: &ConnectorId, policy: ParkPolicy) -> Result<DestinationOut> {
    let row = destinations::get(&ctx.db()?, id).await?;
    Ok(DestinationOut::new(row, policy))
}

pub async fn handle_destination(_req: Request, ctx: RouteContext) -> Result<Response> {
    let connector = find_row(&ctx, &ctx.id("id")?).await?;
    let policy = policy_of(&connector.config);
    json(200, &view(&ctx, &connector.id, policy).await?)
}

pub async fn handle_unpark(_req: Request, ctx: RouteContext) -> Result<Response> {
    let connector = find_row(&ctx, &ctx.id("id")?).await?;
    let policy = policy_of(&connector.config);
    let db = ctx.db()?;
    let requeued = unpark(&ctx.env, &db, &connector.id, now()).await?;
    let destination = view(&ctx, &connector.id, policy).await?;
    json(
        200,
        &Unparked {
            requeued,
            destination,
        },
    )
}

/// The park settings of a stored connector (its `webhook` object, through the settings' one
/// parser); the defaults for one that no longer reads back.
fn policy_of(config: &str) -> ParkPolicy {
    serde_json::from_str::<serde_json::Value>(config)
        .ok()
        .as_ref()
        .and_then(|body| body.get("webhook"))
        .and_then(serde_json::Value::as_object)
        .and_then(|webhook| ParkPolicy::parse(webhook).ok())
        .unwrap_or_default()
}
