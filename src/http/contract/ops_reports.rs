//! The admin API's daily counts: a connector's reconciliation and a container's events per day.

#![allow(dead_code)]

use crate::http::admin::model::reports::{EventsDaily, Reconciliation};
use crate::http::error::ErrorBody;

#[utoipa::path(
    get,
    path = "/admin/api/connectors/{id}/reconciliation",
    tag = "deliveries",
    summary = "Every postback the connector triggered, per day, accounted for",
    description = "Per local day in the container's time_zone: triggered = delivered + test + skipped (by reason) + failed + parked + in_flight, where in_flight is queued or retrying and a dead-lettered delivery counts as failed. Replays and recoveries are deliveries of their own. The counts outlive the delivery log's retention (the purge keeps them as rollups per UTC quarter hour, so a change of time_zone re-buckets them exactly). Every day of the range is answered, zero-filled.",
    params(
        ("id" = String, Path, description = "Connector id (con_…)"),
        ("from" = Option<String>, Query, description = "First day, YYYY-MM-DD (default: 29 days before to)"),
        ("to" = Option<String>, Query, description = "Last day, YYYY-MM-DD, inclusive (default: today in the container's time zone); at most 366 days after from"),
    ),
    responses(
        (status = 200, description = "One entry per day, oldest first", body = Reconciliation),
        (status = 401, description = "Missing or wrong admin token", body = ErrorBody),
        (status = 404, description = "Unknown id", body = ErrorBody),
        (status = 422, description = "from or to is not a day, from is after to, or the range is over 366 days; `field` names it", body = ErrorBody),
    ),
    security(("adminToken" = [])),
)]
fn reconciliation() {}

#[utoipa::path(
    get,
    path = "/admin/api/containers/{id}/events/daily",
    tag = "conversions",
    summary = "The container's events per day, by status",
    description = "Per local day in the container's time_zone, the events that arrived that day by their current status (received, approved, rejected, reversed). The counts outlive the events' retention (kept as rollups by the purge). Every day of the range is answered, zero-filled.",
    params(
        ("id" = String, Path, description = "Container id (ctr_…)"),
        ("from" = Option<String>, Query, description = "First day, YYYY-MM-DD (default: 29 days before to)"),
        ("to" = Option<String>, Query, description = "Last day, YYYY-MM-DD, inclusive (default: today in the container's time zone); at most 366 days after from"),
    ),
    responses(
        (status = 200, description = "One entry per day, oldest first", body = EventsDaily),
        (status = 401, description = "Missing or wrong admin token", body = ErrorBody),
        (status = 404, description = "Unknown container", body = ErrorBody),
        (status = 422, description = "from or to is not a day, from is after to, or the range is over 366 days; `field` names it", body = ErrorBody),
    ),
    security(("adminToken" = [])),
)]
fn events_daily() {}

#[derive(utoipa::OpenApi)]
#[openapi(paths(reconciliation, events_daily))]
pub struct Operations;
