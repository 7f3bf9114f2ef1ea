//! The `events` table: each event stored once per container and caller event id, and whether
//! its connectors were dispatched. The identities an event carries are stored through
//! [`super::identities`] in the same transaction.

use super::identities::{carried_identities, link_identities, park_identities};
use super::{all, first, int, opt_text, statement, text, time};
use crate::core::event::{EventSource, NewEvent};
use crate::core::ids::{ContainerId, EventId, EventRowId};
use crate::core::time::UnixMs;
use crate::error::{Error, Result};
use serde::Deserialize;
use wasm_bindgen::JsValue;
use worker::{D1Database, D1PreparedStatement};

#[derive(Debug, Clone, Deserialize)]
pub struct EventRow {
    pub id: EventRowId,
    pub container_id: ContainerId,
    /// The caller's event id, or the row id when the caller gave none.
    pub event_id: EventId,
    pub name: String,
    pub value: Option<f64>,
    pub currency: Option<String>,
    pub visitor_id: Option<String>,
    pub matched_by: Option<String>,
    pub source: String,
    pub topic: Option<String>,
    pub consent_advertising: i64,
    pub payload: String,
    pub created_at: UnixMs,
}

/// What storing an event did.
#[derive(Debug, Clone)]
pub struct Stored {
    /// `events.id` of the stored event, or of the earlier one it duplicates.
    pub row_id: EventRowId,
    pub event_id: EventId,
    pub duplicate: bool,
    pub visitor_id: Option<String>,
    /// Which identity matched the visitor: `cookie`, `visitor_id`, `click:gclid`, `email_sha256`...
    pub matched_by: Option<String>,
}

/// A visitor an event is stored with: the visitor id and the identity that matched it.
#[derive(Debug, Clone, Copy)]
pub struct MatchedVisitor<'a> {
    pub visitor_id: &'a str,
    pub matched_by: &'a str,
}

pub async fn get(
    db: &D1Database,
    container_id: &ContainerId,
    row_id: &EventRowId,
) -> Result<Option<EventRow>> {
    first(
        db,
        "SELECT * FROM events WHERE id = ?1 AND container_id = ?2",
        &[text(row_id.as_str()), text(container_id.as_str())],
    )
    .await
}

pub async fn find_by_event_id(
    db: &D1Database,
    container_id: &ContainerId,
    event_id: &EventId,
) -> Result<Option<EventRow>> {
    first(
        db,
        "SELECT * FROM events WHERE container_id = ?1 AND event_id = ?2",
        &[text(container_id.as_str()), text(event_id.as_str())],
    )
    .await
}

/// The insert of the event row itself; it does nothing for an event id already stored.
fn insert_row(
    db: &D1Database,
    row_id: &EventRowId,
    container_id: &ContainerId,
    event_id: &EventId,
    event: &NewEvent,
    visitor: Option<MatchedVisitor<'_>>,
    now: UnixMs,
) -> Result<D1PreparedStatement> {
    let payload =
        serde_json::to_string(event).map_err(|e| Error::internal("serialising an event", e))?;
    let (source, topic) = match &event.source {
        EventSource::Browser => ("browser", None),
        EventSource::Webhook => ("webhook", None),
        EventSource::CustomWebhook { topic } => ("custom_webhook", Some(topic.as_str())),
    };
    statement(
        db,
        "INSERT INTO events (id, container_id, event_id, name, value, currency, visitor_id, matched_by, \
         source, topic, consent_advertising, payload, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13) \
         ON CONFLICT (container_id, event_id) DO NOTHING",
        &[
            text(row_id.as_str()),
            text(container_id.as_str()),
            text(event_id.as_str()),
            text(event.name.as_str()),
            event.value.map_or(JsValue::NULL, |v| JsValue::from_f64(v.get())),
            opt_text(event.currency.as_ref().map(|c| c.as_str())),
            opt_text(visitor.map(|v| v.visitor_id)),
            opt_text(visitor.map(|v| v.matched_by)),
            text(source),
            opt_text(topic),
            int(i64::from(event.consent.allows_advertising())),
            text(&payload),
            time(now),
        ],
    )
}

/// Stores an event once per `(container, event_id)` in one transaction, with its identities.
/// A matched event links its identities to the visitor (and late-matches earlier events); an
/// unmatched one parks them in `pending_identities` until a later identity joins it. A repeated
/// event id stores nothing and answers the earlier event, marked `duplicate`.
pub async fn insert(
    db: &D1Database,
    row_id: &EventRowId,
    container_id: &ContainerId,
    event_id: &EventId,
    event: &NewEvent,
    visitor: Option<MatchedVisitor<'_>>,
    now: UnixMs,
) -> Result<Stored> {
    let mut statements = vec![insert_row(
        db,
        row_id,
        container_id,
        event_id,
        event,
        visitor,
        now,
    )?];
    let identities = carried_identities(event);
    statements.extend(match visitor {
        Some(v) => link_identities(db, container_id, v.visitor_id, &identities, now)?,
        None => park_identities(db, container_id, row_id, &identities, now)?,
    });
    let results = db
        .batch(statements)
        .await
        .map_err(|e| Error::internal("storing an event", e))?;
    let inserted = results
        .first()
        .and_then(|r| r.meta().ok().flatten())
        .and_then(|m| m.changes)
        .unwrap_or(0)
        > 0;
    if inserted {
        return Ok(Stored {
            row_id: row_id.clone(),
            event_id: event_id.clone(),
            duplicate: false,
            visitor_id: visitor.map(|v| v.visitor_id.to_string()),
            matched_by: visitor.map(|v| v.matched_by.to_string()),
        });
    }
    let existing = find_by_event_id(db, container_id, event_id)
        .await?
        .ok_or_else(|| Error::internal("deduplicating an event", "the earlier event vanished"))?;
    Ok(Stored {
        row_id: existing.id,
        event_id: existing.event_id,
        duplicate: true,
        visitor_id: existing.visitor_id,
        matched_by: existing.matched_by,
    })
}

/// Recent events of a container, newest first (the console's event picker uses the names).
pub async fn recent_names(db: &D1Database, container_id: &ContainerId) -> Result<Vec<String>> {
    #[derive(Deserialize)]
    struct Name {
        name: String,
    }
    let rows: Vec<Name> = all(
        db,
        "SELECT name FROM events WHERE container_id = ?1 GROUP BY name ORDER BY MAX(created_at) DESC LIMIT 100",
        &[text(container_id.as_str())],
    )
    .await?;
    Ok(rows.into_iter().map(|r| r.name).collect())
}

/// Records that an event's connectors were dispatched; the sweep re-dispatches events that
/// were stored but never got here (the outbox write failed or the worker stopped in between).
pub async fn mark_dispatched(db: &D1Database, row_id: &EventRowId, now: UnixMs) -> Result<()> {
    super::run(
        db,
        "UPDATE events SET dispatched_at = ?2 WHERE id = ?1",
        &[text(row_id.as_str()), time(now)],
    )
    .await?;
    Ok(())
}

#[derive(Debug, Clone, Deserialize)]
pub struct Undispatched {
    pub id: EventRowId,
    pub container_id: ContainerId,
}

/// Events stored before `before` whose dispatch never completed, oldest first.
pub async fn undispatched(
    db: &D1Database,
    before: UnixMs,
    limit: u32,
) -> Result<Vec<Undispatched>> {
    all(
        db,
        "SELECT id, container_id FROM events WHERE dispatched_at IS NULL AND created_at < ?1 \
         ORDER BY created_at LIMIT ?2",
        &[time(before), int(i64::from(limit))],
    )
    .await
}

/// An event by its row id, whatever its container (the row id is unguessable and comes from a
/// signed token).
pub async fn get_any(db: &D1Database, row_id: &EventRowId) -> Result<Option<EventRow>> {
    first(
        db,
        "SELECT * FROM events WHERE id = ?1",
        &[text(row_id.as_str())],
    )
    .await
}
