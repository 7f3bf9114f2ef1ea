//! Status changes on the webhook surfaces: a `/webhook` request without `track` that names an
//! `eventId` and a `status`, and a custom `refund` whose `conversion_id` names a known
//! conversion.
//!
//! Once the isolate knows the request's key, a change answers after two D1 round trips: the
//! conversion is read with the key check, and the change is written in one transaction with
//! its history row and the request's activity row. Its connectors (a reversal or a
//! reinstatement, or a postback that waited for approval) are re-planned after the answer; the
//! change marks the event undispatched, so the cron sweep re-plans it if the isolate goes away
//! first.

use super::activity::ActivityLog;
use super::Accepted;
use crate::core::event::NewEvent;
use crate::core::ids::{ContainerId, EventId};
use crate::core::lifecycle::{ConversionStatus, StatusChange};
use crate::core::provenance::Provenance;
use crate::core::time::UnixMs;
use crate::delivery::dispatch::dispatch_event;
use crate::delivery::lifecycle::{plan, status_changed};
use crate::error::Result;
use crate::http::admin::events::conversion_named;
use crate::http::router::RouteContext;
use crate::store::events::EventRow;
use crate::store::lifecycle::{self, Named};
use worker::{D1Database, D1PreparedStatement, D1Result};

/// Changes the status of the conversion the caller names by its event id, as the server (an
/// API key). An approval of a browser event confirms it. `known` is what the id names as read
/// with the key check, `None` to read it now. Errors: 404 naming `eventId` when no event has
/// that id, 409 `ambiguous_event` naming it when only browser events from several senders sent
/// it (the change cannot tell which is the conversion), 409 for a move the lifecycle forbids or
/// a change that lost a race.
pub async fn change_conversion_status(
    ctx: &RouteContext,
    container_id: &ContainerId,
    event_id: &EventId,
    change: &StatusChange,
    known: Option<Named>,
    log: &mut ActivityLog,
    now: UnixMs,
) -> Result<Accepted> {
    let db = ctx.db()?;
    let named = match known {
        Some(named) => named,
        None => lifecycle::by_event_id(&db, container_id, event_id).await?,
    };
    let row = conversion_named(named, "eventId")?;
    write_change(ctx, &db, &row, change, log, now).await
}

/// The read a `refund` needs, to send with the key check: the conversion its
/// `conversion_id` names (none without one). [`refund_known_conversion`] takes its result.
pub fn refund_reads(
    db: &D1Database,
    container_id: &ContainerId,
    refund: &NewEvent,
) -> Result<Vec<D1PreparedStatement>> {
    refund
        .event_id
        .iter()
        .map(|id| lifecycle::by_event_id_statement(db, container_id, id))
        .collect()
}

/// A `refund` whose `conversion_id` names a known conversion reverses it (a refund of a
/// conversion already reversed is acknowledged as a duplicate). `None` when the id is unknown:
/// the refund is then stored as a Refund event. 409 `ambiguous_event` naming `conversion_id`
/// when only browser events from several senders sent the id. `known` is the result of [`refund_reads`]
/// when they went with the key check, `None` to read now.
pub async fn refund_known_conversion(
    ctx: &RouteContext,
    container_id: &ContainerId,
    event: &NewEvent,
    known: Option<&D1Result>,
    log: &mut ActivityLog,
    now: UnixMs,
) -> Result<Option<Accepted>> {
    let Some(event_id) = &event.event_id else {
        return Ok(None);
    };
    let db = ctx.db()?;
    let named = match known {
        Some(read) => lifecycle::by_event_id_in(Some(read))?,
        None => lifecycle::by_event_id(&db, container_id, event_id).await?,
    };
    // Several senders' browser events are refused as a status change is: storing the refund
    // as an event instead would confirm one of them with it.
    let row = match named {
        Named::Unknown => return Ok(None),
        named => conversion_named(named, "conversion_id")?,
    };
    if row.name == event.name.as_str() {
        return Ok(None);
    }
    let change = StatusChange {
        status: ConversionStatus::Reversed,
        reason: Some("refund".to_string()),
    };
    if row.status() == ConversionStatus::Reversed {
        return Ok(Some(Accepted {
            duplicate: true,
            ..answer(&row, &change)
        }));
    }
    write_change(ctx, &db, &row, &change, log, now)
        .await
        .map(Some)
}

/// Writes `change` of `row` together with the request's activity row, then re-plans the
/// event's connectors after the answer.
async fn write_change(
    ctx: &RouteContext,
    db: &D1Database,
    row: &EventRow,
    change: &StatusChange,
    log: &mut ActivityLog,
    now: UnixMs,
) -> Result<Accepted> {
    let new = plan(row, change, Provenance::Server, now)?;
    let accepted = answer(row, change);
    let also = log.accepted_statements(db, &accepted)?;
    if !lifecycle::set_status_with(db, row, &new, also).await? {
        return Err(status_changed());
    }
    let (env, container_id, row_id) = (ctx.env.clone(), row.container_id.clone(), row.id.clone());
    ctx.after_answer("status dispatch", async move {
        if let Err(e) = dispatch_event(&env, &container_id, &row_id).await {
            worker::console_error!("re-planning event {row_id} after a status change: {e}");
        }
    });
    Ok(accepted)
}

/// The answer to a status change of `row`.
fn answer(row: &EventRow, change: &StatusChange) -> Accepted {
    Accepted {
        kind: "status",
        event_id: Some(row.event_id.clone()),
        session_matched: row.visitor_id.is_some(),
        duplicate: false,
        confirmed: change.status == ConversionStatus::Approved
            && row.provenance() == Provenance::Browser,
    }
}
