//! The admin API's parked destinations: a connector's destination state, and un-parking it.

#![allow(dead_code)]

use crate::http::admin::model::destination::{DestinationOut, Unparked};
use crate::http::error::ErrorBody;

#[utoipa::path(
    get,
    path = "/admin/api/connectors/{id}/destination",
    tag = "deliveries",
    summary = "Whether the connector's destination is parked, and why",
    description = "A destination (the connector's webhook) is parked after webhook.park_after_failures consecutive failed attempts (default 20), after failing for webhook.park_after_hours (default 6) without a success, or at once on a 410. While it is parked its deliveries are kept with status parked (never dead-lettered) and one probe delivery is tried on the retry schedule; the probe's first success un-parks it and queues the parked deliveries again, oldest first.",
    params(("id" = String, Path, description = "Connector id (con_…)")),
    responses(
        (status = 200, description = "The destination's state", body = DestinationOut),
        (status = 401, description = "Missing or wrong admin token", body = ErrorBody),
        (status = 404, description = "Unknown id", body = ErrorBody),
    ),
    security(("adminToken" = [])),
)]
fn destination() {}

#[utoipa::path(
    post,
    path = "/admin/api/connectors/{id}/unpark",
    tag = "deliveries",
    summary = "Un-park the connector's destination by hand",
    description = "Makes the destination active (its failure counters start again) and queues its parked deliveries again, oldest first, each keeping its idempotency key; a parked delivery already sent again by a recovery is left alone. Answers how many were queued. Un-parking an active destination queues whatever is still parked (usually nothing).",
    params(("id" = String, Path, description = "Connector id (con_…)")),
    responses(
        (status = 200, description = "Un-parked", body = Unparked),
        (status = 401, description = "Missing or wrong admin token", body = ErrorBody),
        (status = 404, description = "Unknown id", body = ErrorBody),
    ),
    security(("adminToken" = [])),
)]
fn unpark() {}

#[derive(utoipa::OpenApi)]
#[openapi(paths(destination, unpark))]
pub struct Operations;
