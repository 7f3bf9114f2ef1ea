//! Daily counts in the container's time zone: `GET /admin/api/connectors/:id/reconciliation`
//! (a connector's deliveries per day, balanced: `core::reconciliation`) and
//! `GET /admin/api/containers/:id/events/daily` (a container's events per day by status).

use super::connectors::find_row;
use super::model::reports::{EventsDaily, Reconciliation};
use super::query_param;
use crate::core::reconciliation::{tally, tally_events, DayRange};
use crate::core::time_zone::{day_spans, DaySpan, TimeZone, Zones};
use crate::error::{Error, Result};
use crate::http::request::Request;
use crate::http::respond::json;
use crate::http::router::RouteContext;
use crate::platform::{now, RuntimeZone, RuntimeZones};
use crate::store::containers::{self, ContainerRow};
use crate::store::reconciliation::{deliveries_by_day, events_by_day, Counted};
use worker::Response;

pub async fn handle_reconciliation(req: Request, ctx: RouteContext) -> Result<Response> {
    let connector = find_row(&ctx, &ctx.id("id")?).await?;
    let db = ctx.db()?;
    let container = containers::find(&db, &connector.container_id).await?;
    let (time_zone, range, spans) = days(&req, &container)?;
    let rows = deliveries_by_day(&db, &connector.id, &spans).await?;
    let data = tally(
        range,
        rows.iter().filter_map(|r| {
            let day = spans.get(r.day)?.day;
            Some((
                day,
                r.status.as_str(),
                r.reason.as_deref().unwrap_or(""),
                count(r),
            ))
        }),
    );
    json(200, &Reconciliation { time_zone, data })
}

pub async fn handle_events_daily(req: Request, ctx: RouteContext) -> Result<Response> {
    let db = ctx.db()?;
    let container = containers::find(&db, &ctx.id("id")?).await?;
    let (time_zone, range, spans) = days(&req, &container)?;
    let rows = events_by_day(&db, &container.id, &spans).await?;
    let data = tally_events(
        range,
        rows.iter()
            .filter_map(|r| Some((spans.get(r.day)?.day, r.status.as_str(), count(r)))),
    );
    json(200, &EventsDaily { time_zone, data })
}

/// The container's time zone, the days `?from=&to=` ask for in it, and their spans in UTC.
fn days(req: &Request, container: &ContainerRow) -> Result<(String, DayRange, Vec<DaySpan>)> {
    let zone = zone_of(&container.settings().time_zone)?;
    let from = query_param(req, "from")?;
    let to = query_param(req, "to")?;
    let range = DayRange::parse(from.as_deref(), to.as_deref(), now(), &zone)?;
    let spans = day_spans(range.from, range.to, &zone);
    Ok((container.time_zone.clone(), range, spans))
}

/// The runtime's zone for a stored name; UTC if the runtime no longer knows it (its data
/// changed since the name was set).
fn zone_of(time_zone: &TimeZone) -> Result<RuntimeZone> {
    RuntimeZones
        .zone(time_zone.as_str())
        .or_else(|| RuntimeZones.zone(crate::core::time_zone::DEFAULT_TIME_ZONE))
        .ok_or_else(|| Error::internal("time zones", "the runtime does not know UTC"))
}

fn count(row: &Counted) -> u64 {
    row.n.max(0.0) as u64
}
