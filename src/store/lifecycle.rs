//! Conversion statuses in D1: changing an event's status together with its history row, reading
//! the history, finding a conversion by the caller's event id, and the filtered event list.

use super::events::EventRow;
use super::subjects::{placeholders, with_container, IDS_PER_STATEMENT};
use super::{all, batch, batch_changes, int, opt_text, statement, text, time};
use crate::core::confirmation::{status_change_target, NamedEvent, StatusTarget};
use crate::core::ids::{ContainerId, EventId, EventRowId};
use crate::core::lifecycle::ConversionStatus;
use crate::core::provenance::Provenance;
use crate::core::time::UnixMs;
use crate::error::{Error, Result};
use serde::Deserialize;
use wasm_bindgen::JsValue;
use worker::D1Database;
use worker::{D1PreparedStatement, D1Result};

/// One status change as stored.
#[derive(Debug, Clone, Deserialize)]
pub struct HistoryRow {
    pub seq: i64,
    pub status: String,
    pub previous: String,
    pub provenance: String,
    pub reason: Option<String>,
    pub changed_at: UnixMs,
}

/// A status change to write.
#[derive(Debug, Clone, Copy)]
pub struct NewStatus<'a> {
    pub from: ConversionStatus,
    pub to: ConversionStatus,
    /// Who changed it: `server` (an API key) or `admin` (the admin API, the lock period).
    pub by: Provenance,
    pub reason: Option<&'a str>,
    /// An authenticated approval of a browser event confirms it: its provenance becomes
    /// `server`.
    pub confirms: bool,
    pub now: UnixMs,
}

/// Moves the event from `change.from` to `change.to` and appends the history row, in one
/// transaction. The event is marked undispatched, so that if re-planning its connectors fails
/// the sweep does it. Returns `false` (and writes nothing) when the event's status is no longer
/// `change.from`: another change won the race.
pub async fn set_status(db: &D1Database, row: &EventRow, change: &NewStatus<'_>) -> Result<bool> {
    set_status_with(db, row, change, Vec::new()).await
}

/// [`set_status`] with `also` in the same transaction and round trip (a webhook's activity
/// row). `also` is written whether or not the change was.
pub async fn set_status_with(
    db: &D1Database,
    row: &EventRow,
    change: &NewStatus<'_>,
    also: Vec<D1PreparedStatement>,
) -> Result<bool> {
    let mut statements = status_statements(db, row, change)?;
    statements.extend(also);
    let changes = batch_changes(db, statements).await?;
    Ok(changes.get(1).is_some_and(|n| *n > 0))
}

/// [`set_status`] for many changes, in order (a later change of the same event starts from the
/// earlier one's result), 25 changes to a round trip ([`batch_changes`]; each batch is one
/// transaction, so a change and its history row are written together). Answers, per change,
/// whether it was written.
pub async fn set_statuses(
    db: &D1Database,
    changes: &[(&EventRow, NewStatus<'_>)],
) -> Result<Vec<bool>> {
    let mut statements = Vec::with_capacity(changes.len() * 2);
    for (row, change) in changes {
        statements.extend(status_statements(db, row, change)?);
    }
    let counts = batch_changes(db, statements).await?;
    Ok((0..changes.len())
        .map(|i| counts.get(i * 2 + 1).is_some_and(|n| *n > 0))
        .collect())
}

/// `row` as [`set_status`] leaves it after writing `change`, without reading it again.
pub fn after_change(row: &mut EventRow, change: &NewStatus<'_>) {
    row.status = change.to.as_str().to_string();
    row.status_at = Some(change.now);
    if change.confirms {
        row.provenance = Provenance::Server.as_str().to_string();
        row.confirmed_at = Some(change.now);
    }
}

/// The two statements of a status change: the history row, then the event's update (whose
/// change count says whether the event was still in `change.from`).
fn status_statements(
    db: &D1Database,
    row: &EventRow,
    change: &NewStatus<'_>,
) -> Result<Vec<D1PreparedStatement>> {
    status_statements_of(db, &row.id, &row.container_id, change)
}

/// [`status_statements`] of the event `row_id`, which may be written earlier in the same batch
/// (a conversion whose refund came first is stored, then reversed, in one transaction).
pub fn status_statements_of(
    db: &D1Database,
    row_id: &EventRowId,
    container_id: &ContainerId,
    change: &NewStatus<'_>,
) -> Result<Vec<D1PreparedStatement>> {
    let id = text(row_id.as_str());
    let from = text(change.from.as_str());
    let history = statement(
        db,
        "INSERT INTO event_status_history (event_row_id, container_id, seq, status, previous, \
         provenance, reason, changed_at) \
         SELECT ?1, ?2, COALESCE((SELECT MAX(seq) FROM event_status_history \
           WHERE event_row_id = ?1), 0) + 1, ?3, ?4, ?5, ?6, ?7 \
         WHERE EXISTS (SELECT 1 FROM events WHERE id = ?1 AND status = ?4)",
        &[
            id.clone(),
            text(container_id.as_str()),
            text(change.to.as_str()),
            from.clone(),
            text(change.by.as_str()),
            opt_text(change.reason),
            time(change.now),
        ],
    )?;
    let confirm_sql = match change.confirms {
        true => ", provenance = 'server', confirmed_at = ?3",
        false => "",
    };
    let update = statement(
        db,
        &format!(
            "UPDATE events SET status = ?2, status_at = ?3, dispatched_at = NULL{confirm_sql} \
             WHERE id = ?1 AND status = ?4"
        ),
        &[id, text(change.to.as_str()), time(change.now), from],
    )?;
    Ok(vec![history, update])
}

/// The event's status changes, oldest first.
pub async fn history(db: &D1Database, row_id: &EventRowId) -> Result<Vec<HistoryRow>> {
    all(
        db,
        "SELECT seq, status, previous, provenance, reason, changed_at FROM event_status_history \
         WHERE event_row_id = ?1 ORDER BY seq LIMIT 1000",
        &[text(row_id.as_str())],
    )
    .await
}

/// What the caller's event id names for a status change ([`status_change_target`]).
#[derive(Debug)]
pub enum Named {
    /// No event has the id.
    Unknown,
    /// The conversion: the server's event with the id, or the one browser event that sent it.
    Conversion(Box<EventRow>),
    /// Only browser events sent the id, from more than one sender: no change can choose.
    Ambiguous,
}

impl Named {
    /// The conversion, if the id names one.
    pub fn conversion(self) -> Option<EventRow> {
        match self {
            Named::Conversion(row) => Some(*row),
            _ => None,
        }
    }
}

/// Rows enough to tell a server event, one sender's browser event, or several senders apart: a
/// visitor has at most two rows per id (its own, and one stored before per-visitor keys).
const NAMED_ROWS: i64 = 3;

/// What `rows` (one event id's events, ordered as [`by_event_id_statement`] orders them) name.
fn named(rows: Vec<EventRow>) -> Named {
    let events: Vec<NamedEvent> = rows
        .iter()
        .map(|row| NamedEvent {
            sent_by: row.sent_by.as_deref(),
            from_server: row.provenance() != Provenance::Browser,
        })
        .collect();
    match status_change_target(&events) {
        StatusTarget::Unknown => Named::Unknown,
        StatusTarget::Ambiguous => Named::Ambiguous,
        StatusTarget::Event(at) => rows
            .into_iter()
            .nth(at)
            .map_or(Named::Unknown, |row| Named::Conversion(Box::new(row))),
    }
}

/// The conversion a server surface names by the caller's event id. A Refund stored before its
/// conversion ([`EventRow::is_early_refund`]) is no conversion.
pub async fn by_event_id(
    db: &D1Database,
    container_id: &ContainerId,
    event_id: &EventId,
) -> Result<Named> {
    let read = by_event_id_statement(db, container_id, event_id)?;
    let results = batch(db, vec![read], "reading an event").await?;
    by_event_id_in(results.first())
}

/// [`by_event_id`] as a statement that can share a round trip (a webhook sends it with its key
/// check); [`by_event_id_in`] reads its result. The server's event comes first, then the one
/// holding the id as its key, then the browser events in the order they were stored.
pub fn by_event_id_statement(
    db: &D1Database,
    container_id: &ContainerId,
    event_id: &EventId,
) -> Result<D1PreparedStatement> {
    statement(
        db,
        &format!(
            "SELECT * FROM events WHERE container_id = ?1 AND event_id = ?2 AND shadow_of IS NULL \
             AND {NOT_EARLY_REFUND} ORDER BY {NAMED_ORDER} LIMIT {NAMED_ROWS}"
        ),
        &[text(container_id.as_str()), text(event_id.as_str())],
    )
}

/// A row that is no Refund stored before its conversion: the SQL of
/// [`EventRow::is_early_refund`] (its key is [`super::events::early_refund_key`]).
const NOT_EARLY_REFUND: &str = "dedup_key != 'r:' || event_id";

/// The order in which one event id's events are read for a status change.
const NAMED_ORDER: &str =
    "(provenance != 'browser') DESC, (dedup_key = event_id) DESC, created_at, id";

/// What the result of [`by_event_id_statement`] names.
pub fn by_event_id_in(result: Option<&D1Result>) -> Result<Named> {
    let Some(result) = result else {
        return Ok(Named::Unknown);
    };
    let rows = result
        .results::<EventRow>()
        .map_err(|e| Error::internal("reading an event", e))?;
    Ok(named(rows))
}

/// What the event list is filtered by; every filter is optional.
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    pub event_id: Option<String>,
    pub name: Option<String>,
    pub status: Option<ConversionStatus>,
    pub provenance: Option<Provenance>,
    /// Created at or after, in unix ms.
    pub from: Option<UnixMs>,
    /// Created before, in unix ms.
    pub to: Option<UnixMs>,
    /// The page starts after this event (newest first).
    pub before: Option<(UnixMs, EventRowId)>,
}

/// A page of the container's events, newest first.
pub async fn list(
    db: &D1Database,
    container_id: &ContainerId,
    filter: &EventFilter,
    limit: u32,
) -> Result<Vec<EventRow>> {
    let mut sql = String::from("SELECT * FROM events WHERE container_id = ?1");
    let mut args: Vec<JsValue> = vec![text(container_id.as_str())];
    let mut push = |clause: &str, value: JsValue, args: &mut Vec<JsValue>| {
        args.push(value);
        sql.push_str(&clause.replace('?', &format!("?{}", args.len())));
    };
    if let Some(id) = &filter.event_id {
        push(" AND event_id = ?", text(id), &mut args);
    }
    if let Some(name) = &filter.name {
        push(" AND name = ?", text(name), &mut args);
    }
    if let Some(status) = filter.status {
        push(" AND status = ?", text(status.as_str()), &mut args);
    }
    if let Some(provenance) = filter.provenance {
        push(" AND provenance = ?", text(provenance.as_str()), &mut args);
    }
    if let Some(from) = filter.from {
        push(" AND created_at >= ?", time(from), &mut args);
    }
    if let Some(to) = filter.to {
        push(" AND created_at < ?", time(to), &mut args);
    }
    if let Some((at, id)) = &filter.before {
        push(" AND (created_at < ?", time(*at), &mut args);
        push(" OR (created_at = ?", time(*at), &mut args);
        push(" AND id < ?))", text(id.as_str()), &mut args);
    }
    push(
        " ORDER BY created_at DESC, id DESC LIMIT ?",
        int(i64::from(limit)),
        &mut args,
    );
    all(db, &sql, &args).await
}

/// Stores `event`'s value and currency as the event's (`revision` becomes `n`), unless another
/// update got there first. Returns whether it was stored.
pub async fn revise_value(
    db: &D1Database,
    row: &EventRow,
    event: &crate::core::event::NewEvent,
    n: i64,
) -> Result<bool> {
    let changed = super::run(
        db,
        "UPDATE events SET value = ?2, currency = ?3, payload = ?4, revision = ?5 \
         WHERE id = ?1 AND revision = ?6",
        &[
            text(row.id.as_str()),
            event
                .value
                .map_or(JsValue::NULL, |v| JsValue::from_f64(v.get())),
            opt_text(event.currency.as_ref().map(|c| c.as_str())),
            text(&super::events::payload_of(event)?),
            int(n),
            int(row.revision),
        ],
    )
    .await?;
    Ok(changed > 0)
}

/// Conversions still `received` whose container's lock period has passed, oldest first.
pub async fn past_lock_period(db: &D1Database, now: UnixMs, limit: u32) -> Result<Vec<EventRow>> {
    all(
        db,
        // CROSS JOIN keeps containers the outer loop: each container with a lock period then
        // reads only its own received events through `events_by_status`, never every event.
        "SELECT e.* FROM containers c CROSS JOIN events e ON e.container_id = c.id \
         WHERE c.lock_period_days IS NOT NULL AND e.status = 'received' AND e.shadow_of IS NULL \
         AND e.created_at < ?1 - c.lock_period_days * 86400000 \
         ORDER BY e.created_at LIMIT ?2",
        &[time(now), int(i64::from(limit))],
    )
    .await
}

/// [`by_event_id`] for many ids at once (a bulk change): what each id names, for the ids that
/// name something, in no particular order.
pub async fn by_event_ids(
    db: &D1Database,
    container_id: &ContainerId,
    event_ids: &[&EventId],
) -> Result<Vec<(EventId, Named)>> {
    // D1 binds at most 100 parameters per statement: 90 ids each, all in one round trip.
    let mut statements = Vec::new();
    for chunk in event_ids.chunks(IDS_PER_STATEMENT) {
        let ids: Vec<&str> = chunk.iter().map(|id| id.as_str()).collect();
        statements.push(statement(
            db,
            &format!(
                "SELECT * FROM events WHERE container_id = ?1 AND shadow_of IS NULL \
                 AND {NOT_EARLY_REFUND} \
                 AND event_id IN ({}) ORDER BY event_id, {NAMED_ORDER}",
                placeholders(2, ids.len())
            ),
            &with_container(container_id, &ids),
        )?);
    }
    let mut by_id: Vec<(EventId, Vec<EventRow>)> = Vec::new();
    if statements.is_empty() {
        return Ok(Vec::new());
    }
    for result in batch(db, statements, "reading conversions by event id").await? {
        let rows: Vec<EventRow> = result
            .results()
            .map_err(|e| crate::error::Error::internal("reading conversions", e))?;
        for row in rows {
            match by_id.last_mut() {
                Some((id, rows)) if *id == row.event_id => rows.push(row),
                _ => by_id.push((row.event_id.clone(), vec![row])),
            }
        }
    }
    Ok(by_id
        .into_iter()
        .map(|(id, rows)| (id, named(rows)))
        .collect())
}
