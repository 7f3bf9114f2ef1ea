//! Conversions and their status, for the admin API.
//!
//! - `GET /admin/api/events/:id`: the event with its status history.
//! - `POST /admin/api/events/:id/status {status, reason?}`: one change (409 for a transition the
//!   lifecycle forbids).
//! - `POST /admin/api/containers/:id/events/status {items: [{event_id, status, reason?}]}`: up
//!   to 1,000 changes by the caller's event id, answered per item in order.
//! - `GET /admin/api/containers/:id/events?event_id=&name=&status=&provenance=&from=&to=`:
//!   newest first, paged with `before`.

use super::model::{BulkItemOut, BulkStatusOut, EventOut, EventPage, ItemError};
use super::{limit_param, query_param};
use crate::core::confirmation::ambiguous_event;
use crate::core::error::Invalid;
use crate::core::ids::{EventId, EventRowId};
use crate::core::lifecycle::{parse_bulk, parse_status_change, ConversionStatus};
use crate::core::provenance::Provenance;
use crate::core::time::UnixMs;
use crate::delivery::bulk_status::{change_statuses, dispatch_changed};
use crate::delivery::lifecycle::change_status;
use crate::error::{Error, Result};
use crate::http::body::{read_json, MAX_BODY_BYTES};
use crate::http::error::status_of;
use crate::http::request::Request;
use crate::http::respond::json;
use crate::http::router::RouteContext;
use crate::platform::now;
use crate::store::events::{self, EventRow};
use crate::store::lifecycle::Named;
use crate::store::{containers, lifecycle};
use worker::{D1Database, Response};

/// A bulk body holds up to 1,000 items: 1 MiB.
const MAX_BULK_BYTES: usize = 1 << 20;

/// The stored event `id`, whatever its container (the row id is unguessable).
async fn find(db: &D1Database, id: &EventRowId) -> Result<EventRow> {
    events::get_any(db, id)
        .await?
        .ok_or_else(|| Error::not_found("event"))
}

async fn with_history(db: &D1Database, row: &EventRow) -> Result<EventOut> {
    let history = lifecycle::history(db, &row.id).await?;
    Ok(EventOut::new(row, Some(&history)))
}

pub async fn handle_get_event(_: Request, ctx: RouteContext) -> Result<Response> {
    let db = ctx.db()?;
    let row = find(&db, &ctx.id("id")?).await?;
    json(200, &with_history(&db, &row).await?)
}

pub async fn handle_change_status(mut req: Request, ctx: RouteContext) -> Result<Response> {
    let db = ctx.db()?;
    let row = find(&db, &ctx.id("id")?).await?;
    let body = read_json(&mut req, MAX_BODY_BYTES).await?;
    let change = parse_status_change(&body, "")?;
    change_status(&ctx.env, &db, &row, &change, Provenance::Admin, now()).await?;
    let row = find(&db, &row.id).await?;
    json(200, &with_history(&db, &row).await?)
}

pub async fn handle_bulk_status(mut req: Request, ctx: RouteContext) -> Result<Response> {
    let db = ctx.db()?;
    let container = containers::find(&db, &ctx.id("id")?).await?;
    let body = read_json(&mut req, MAX_BULK_BYTES).await?;
    let items = parse_bulk(&body)?;
    let ids: Vec<&EventId> = items.iter().map(|(id, _)| id).collect();
    let named = lifecycle::by_event_ids(&db, &container.id, &ids).await?;
    let refused = |index: usize, named: Named| {
        let field = format!("items[{index}].event_id");
        conversion_named(named, &field)
            .err()
            .unwrap_or_else(|| unknown_event_id(&field))
    };
    let (outcomes, changed) = change_statuses(&db, named, &items, refused, now()).await?;
    let mut out = BulkStatusOut {
        data: Vec::with_capacity(items.len()),
        changed: 0,
        refused: 0,
    };
    for ((event_id, _), outcome) in items.iter().zip(outcomes) {
        let done = outcome.map(|row| EventOut::new(&row, None));
        let answer = item_answer(Some(event_id.as_str().to_string()), done)?;
        match answer.code {
            200 => out.changed += 1,
            _ => out.refused += 1,
        }
        out.data.push(answer);
    }
    // Connectors are re-planned after the answer, within the invocation's D1 budget.
    let env = ctx.env.clone();
    ctx.ctx
        .wait_until(async move { dispatch_changed(&env, changed).await });
    json(200, &out)
}

/// 404 for an event id that names no event, naming the field that gave it.
pub fn unknown_event_id(field: &str) -> Error {
    Error::unknown(Invalid::field(
        "unknown_event",
        field,
        "no event of this container has this event id",
    ))
}

/// The conversion `named` names, or the refusal naming `field`: 404 `unknown_event`, 409
/// `ambiguous_event`.
pub fn conversion_named(named: Named, field: &str) -> Result<EventRow> {
    match named {
        Named::Conversion(row) => Ok(*row),
        Named::Unknown => Err(unknown_event_id(field)),
        Named::Ambiguous => Err(Error::conflict_on(ambiguous_event(field))),
    }
}

/// A per-item answer; an internal failure fails the whole request (nothing is hidden).
fn item_answer(event_id: Option<String>, done: Result<EventOut>) -> Result<BulkItemOut> {
    match done {
        Ok(event) => Ok(BulkItemOut {
            event_id,
            code: 200,
            event: Some(event),
            error: None,
        }),
        Err(e) if e.is_internal() => Err(e),
        Err(e) => Ok(BulkItemOut {
            event_id,
            code: status_of(&e),
            event: None,
            error: Some(ItemError {
                code: e.code().to_string(),
                message: e.message().into_owned(),
                field: e.field().map(str::to_string),
            }),
        }),
    }
}

pub async fn handle_list_events(req: Request, ctx: RouteContext) -> Result<Response> {
    let db = ctx.db()?;
    let container = containers::find(&db, &ctx.id("id")?).await?;
    let limit = limit_param(&req, 50, 200)?;
    let mut filter = lifecycle::EventFilter {
        event_id: query_param(&req, "event_id")?.filter(|v| !v.is_empty()),
        name: query_param(&req, "name")?.filter(|v| !v.is_empty()),
        ..Default::default()
    };
    if let Some(text) = query_param(&req, "status")? {
        filter.status = Some(ConversionStatus::parse(&text).ok_or_else(|| {
            bad_query("status", "must be received, approved, rejected or reversed")
        })?);
    }
    if let Some(text) = query_param(&req, "provenance")? {
        filter.provenance = Some(
            Provenance::parse(&text)
                .ok_or_else(|| bad_query("provenance", "must be browser, server or admin"))?,
        );
    }
    filter.from = time_param(&req, "from")?;
    filter.to = time_param(&req, "to")?;
    if let Some(cursor) = query_param(&req, "before")? {
        let row = match EventRowId::parse(&cursor) {
            Some(id) => events::get(&db, &container.id, &id).await?,
            None => None,
        };
        let row = row.ok_or_else(|| {
            bad_query(
                "before",
                "must be an event id (evt_…) from this container's list",
            )
        })?;
        filter.before = Some((row.created_at, row.id));
    }
    let rows = lifecycle::list(&db, &container.id, &filter, limit).await?;
    let next_before = (rows.len() == limit as usize)
        .then(|| rows.last().map(|r| r.id.clone()))
        .flatten();
    let data = rows.iter().map(|r| EventOut::new(r, None)).collect();
    json(200, &EventPage { data, next_before })
}

fn bad_query(field: &str, message: &str) -> Error {
    Error::BadRequest {
        code: "invalid_query",
        message: format!("{field} {message}"),
        field: Some(field.to_string()),
    }
}

/// An RFC 3339 time in the query.
fn time_param(req: &Request, name: &str) -> Result<Option<UnixMs>> {
    match query_param(req, name)? {
        None => Ok(None),
        Some(text) => UnixMs::parse_rfc3339(&text)
            .map(Some)
            .ok_or_else(|| bad_query(name, "must be an RFC 3339 time, e.g. 2026-11-30T00:00:00Z")),
    }
}
