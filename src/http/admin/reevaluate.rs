//! `POST /admin/api/deliveries/:id/reevaluate`: run attribution again for a skipped delivery,
//! after the set-up was fixed (a click parameter, a window, a mode, a trigger).
//!
//! The skipped row stays in the log as it was, released from its event (its `origin_key` is
//! cleared), and the event is dispatched again to that one connector only: with today's
//! connector config and the visitor's clicks as of the conversion, it fires or records a new
//! skipped row saying why not. Other connectors of the event are left alone. Answers 202 with
//! the new row's id and status, or `not_triggered` when the connector no longer wants the event.

use super::model::explain::Reevaluated;
use crate::core::ids::DeliveryId;
use crate::core::postback::DeliveryStatus;
use crate::delivery::dispatch::{dispatch_loaded, load_context};
use crate::error::{Error, Result};
use crate::http::request::Request;
use crate::http::respond::json;
use crate::http::router::RouteContext;
use crate::store::deliveries;
use crate::store::explain::{delivery_for, release_origin};
use worker::Response;

pub async fn handle_reevaluate(_: Request, ctx: RouteContext) -> Result<Response> {
    let id: DeliveryId = ctx.id("id")?;
    let db = ctx.db()?;
    let row = deliveries::get(&db, &id)
        .await?
        .ok_or_else(|| Error::not_found("delivery"))?;
    let event_row_id = match (&row.event_row_id, row.status()) {
        (Some(event), Some(DeliveryStatus::Skipped)) if row.origin_key.is_some() => event.clone(),
        _ => {
            return Err(Error::conflict(
                "not_reevaluable",
                "only a skipped delivery of an event, not yet re-evaluated, can be re-evaluated",
            ))
        }
    };
    let mut context = load_context(&db, &row.container_id, &event_row_id).await?;
    context.connectors.retain(|(c, _)| c.id == row.connector_id);
    if context.connectors.is_empty() {
        return Err(Error::not_found("connector"));
    }
    if !release_origin(&db, &id).await? {
        return Err(Error::conflict(
            "not_reevaluable",
            "this delivery was re-evaluated already",
        ));
    }
    dispatch_loaded(&ctx.env, &db, &context).await?;
    let new = delivery_for(&db, &row.connector_id, &event_row_id).await?;
    let out = Reevaluated {
        reevaluated: id,
        delivery_id: new.as_ref().map(|d| d.id.clone()),
        status: new
            .as_ref()
            .map_or_else(|| "not_triggered".to_string(), |d| d.status.clone()),
        reason: new.and_then(|d| d.reason),
    };
    json(202, &out)
}
