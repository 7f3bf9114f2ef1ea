//! The `events` table: each server event stored once per container and caller event id, each
//! browser event once per container, visitor and event id, and whether its connectors were
//! dispatched (marked through [`super::dispatch_marks`]). The identities an event carries are
//! stored through [`super::identities`] in the same transaction. A server event confirming a
//! browser event rewrites that row ([`confirm`]).

use super::identities::{carried_identities, link_identities, park_identities};
use super::{all, first, int, opt_text, opt_time, statement, text, time};
use crate::core::event::{EventSource, NewEvent};
use crate::core::ids::{ContainerId, EventId, EventRowId};
use crate::core::lifecycle::ConversionStatus;
use crate::core::matching::LinkRule;
use crate::core::provenance::Provenance;
use crate::core::time::UnixMs;
use crate::error::{Error, Result};
use serde::Deserialize;
use wasm_bindgen::JsValue;
use worker::{D1Database, D1PreparedStatement, D1Result};

/// Most rows read for one event id: the browser events that sent it and the server event.
const CLAIMS_LIMIT: u32 = 50;

#[derive(Debug, Clone, Deserialize)]
pub struct EventRow {
    pub id: EventRowId,
    pub container_id: ContainerId,
    /// The caller's event id, or the row id when the caller gave none.
    pub event_id: EventId,
    /// What the row is unique by: the event id for a server event, `b:...` for a browser event,
    /// `r:{event id}` for a refund that came before its conversion ([`early_refund_key`]).
    pub dedup_key: String,
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
    /// `browser`, `server` or `admin`.
    pub provenance: String,
    /// The server event this browser event repeats the id of: it fires no postback.
    pub shadow_of: Option<EventRowId>,
    /// The visitor who sent a browser event.
    pub sent_by: Option<String>,
    pub confirmed_at: Option<UnixMs>,
    /// The conversion's status (`received`, `approved`, `rejected`, `reversed`).
    pub status: String,
    /// When the status last changed.
    pub status_at: Option<UnixMs>,
    /// How many update postbacks a changed value has caused so far.
    pub revision: i64,
    /// When its connectors were dispatched; `None` until then. A new event no connector can
    /// fire for is written with it already set.
    pub dispatched_at: Option<UnixMs>,
}

impl EventRow {
    /// The stored status; an unreadable one counts as `received`.
    pub fn status(&self) -> ConversionStatus {
        ConversionStatus::parse(&self.status).unwrap_or(ConversionStatus::Received)
    }

    /// The stored provenance; an unreadable one counts as the least trusted.
    pub fn provenance(&self) -> Provenance {
        Provenance::parse(&self.provenance).unwrap_or(Provenance::Browser)
    }

    /// A Refund stored for a conversion not known yet: keyed [`early_refund_key`], so it never
    /// holds the conversion's event id, and the conversion that arrives later is stored, then
    /// reversed.
    pub fn is_early_refund(&self) -> bool {
        self.dedup_key == early_refund_key(&self.event_id)
    }
}

/// The key of a refund stored before its conversion (`r:{event id}`): unlike a conversion's key
/// (its event id) it leaves the id free for the conversion, and a repeated refund still
/// collides with it.
pub fn early_refund_key(event_id: &EventId) -> String {
    format!("r:{event_id}")
}

/// What storing an event did.
#[derive(Debug, Clone)]
pub struct Stored {
    /// `events.id` of the stored event, or of the earlier one it duplicates or confirmed.
    pub row_id: EventRowId,
    pub event_id: EventId,
    pub duplicate: bool,
    /// A server event that confirmed an earlier browser event with its id.
    pub confirmed: bool,
    pub visitor_id: Option<String>,
    /// Which identity matched the visitor: `cookie`, `visitor_id`, `click:gclid`, `email_sha256`...
    pub matched_by: Option<String>,
    /// The row as the insert wrote it, for a new event only: dispatch then need not read it back.
    pub written: Option<EventRow>,
}

impl Stored {
    /// A new event written already marked dispatched (no connector of its container can fire
    /// for it): there is nothing to dispatch after the answer. A late match clears the mark.
    pub fn stored_dispatched(&self) -> bool {
        self.written
            .as_ref()
            .is_some_and(|row| row.dispatched_at.is_some())
    }

    fn from_row(row: EventRow, duplicate: bool, confirmed: bool) -> Self {
        Self {
            row_id: row.id.clone(),
            event_id: row.event_id.clone(),
            duplicate,
            confirmed,
            visitor_id: row.visitor_id.clone(),
            matched_by: row.matched_by.clone(),
            written: (!duplicate && !confirmed).then_some(row),
        }
    }
}

/// A visitor an event is stored with: the visitor id and the identity that matched it.
#[derive(Debug, Clone, Copy)]
pub struct MatchedVisitor<'a> {
    pub visitor_id: &'a str,
    pub matched_by: &'a str,
}

/// An event to store.
#[derive(Debug, Clone, Copy)]
pub struct NewRow<'a> {
    pub row_id: &'a EventRowId,
    pub container_id: &'a ContainerId,
    pub event_id: &'a EventId,
    /// What the row is unique by (see [`EventRow::dedup_key`]).
    pub dedup_key: &'a str,
    pub event: &'a NewEvent,
    pub visitor: Option<MatchedVisitor<'a>>,
    /// A browser event's sender, checked so that a visitor resending an id whose event was
    /// confirmed (and rekeyed) is still told it is a duplicate.
    pub sent_by: Option<&'a str>,
    /// No connector can fire for it: stored already marked dispatched, so neither the sweep nor
    /// a dispatch after the answer has anything to do ([`super::dispatch_marks`]).
    pub dispatched: bool,
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

/// Every event of the container with this caller event id (the server event, and the browser
/// events that sent it), oldest first.
pub async fn with_event_id(
    db: &D1Database,
    container_id: &ContainerId,
    event_id: &EventId,
) -> Result<Vec<EventRow>> {
    let statement = with_event_id_statement(db, container_id, event_id)?;
    let results = super::batch(db, vec![statement], "reading an event id's events").await?;
    rows_in(results.first())
}

/// [`with_event_id`] as a statement that can share a batch; [`rows_in`] reads its result.
pub fn with_event_id_statement(
    db: &D1Database,
    container_id: &ContainerId,
    event_id: &EventId,
) -> Result<D1PreparedStatement> {
    statement(
        db,
        "SELECT * FROM events WHERE container_id = ?1 AND event_id = ?2 ORDER BY created_at, id LIMIT ?3",
        &[
            text(container_id.as_str()),
            text(event_id.as_str()),
            int(i64::from(CLAIMS_LIMIT)),
        ],
    )
}

/// The event rows of one batch result (none when the batch had no such result).
pub fn rows_in(result: Option<&D1Result>) -> Result<Vec<EventRow>> {
    result.map_or(Ok(Vec::new()), |r| {
        r.results::<EventRow>()
            .map_err(|e| Error::internal("reading events", e))
    })
}

fn source_and_topic(source: &EventSource) -> (&'static str, Option<&str>) {
    match source {
        EventSource::Browser => ("browser", None),
        EventSource::Webhook => ("webhook", None),
        EventSource::CustomWebhook { topic } => ("custom_webhook", Some(topic.as_str())),
    }
}

pub(super) fn payload_of(event: &NewEvent) -> Result<String> {
    serde_json::to_string(event).map_err(|e| Error::internal("serialising an event", e))
}

/// The insert of the event row itself. It does nothing for a key already stored, nor for a
/// browser event its sender already sent. A browser event repeating a server event's id is
/// stored as that event's shadow.
fn insert_row(db: &D1Database, row: &NewRow<'_>, now: UnixMs) -> Result<D1PreparedStatement> {
    let event = row.event;
    let (source, topic) = source_and_topic(&event.source);
    statement(
        db,
        "INSERT INTO events (id, container_id, event_id, dedup_key, name, value, currency, visitor_id, \
         matched_by, source, topic, consent_advertising, payload, created_at, provenance, sent_by, shadow_of, \
         dispatched_at) \
         SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, \
         CASE WHEN ?15 = 'browser' THEN \
           (SELECT id FROM events WHERE container_id = ?2 AND dedup_key = ?3 AND provenance != 'browser') END, ?17 \
         WHERE ?16 IS NULL OR NOT EXISTS \
           (SELECT 1 FROM events WHERE container_id = ?2 AND event_id = ?3 AND sent_by = ?16) \
         ON CONFLICT (container_id, dedup_key) DO NOTHING RETURNING *",
        &[
            text(row.row_id.as_str()),
            text(row.container_id.as_str()),
            text(row.event_id.as_str()),
            text(row.dedup_key),
            text(event.name.as_str()),
            event.value.map_or(JsValue::NULL, |v| JsValue::from_f64(v.get())),
            opt_text(event.currency.as_ref().map(|c| c.as_str())),
            opt_text(row.visitor.map(|v| v.visitor_id)),
            opt_text(row.visitor.map(|v| v.matched_by)),
            text(source),
            opt_text(topic),
            int(i64::from(event.consent.allows_advertising())),
            text(&payload_of(event)?),
            time(now),
            text(event.provenance().as_str()),
            opt_text(row.sent_by),
            opt_time(row.dispatched.then_some(now)),
        ],
    )
}

/// The statements that store the identities an event carries: linked to its visitor under the
/// rule for its provenance and match, or parked until one of them is tied to a visitor.
fn identity_statements(
    db: &D1Database,
    container_id: &ContainerId,
    row_id: &EventRowId,
    event: &NewEvent,
    visitor: Option<MatchedVisitor<'_>>,
    now: UnixMs,
) -> Result<Vec<D1PreparedStatement>> {
    let identities = carried_identities(event);
    match visitor {
        Some(v) => {
            let rule = LinkRule::for_event(event.provenance(), v.matched_by);
            link_identities(db, container_id, v.visitor_id, &identities, rule, now)
        }
        None => park_identities(db, container_id, row_id, &identities, now),
    }
}

/// Stores an event once, in one transaction, with its identities. A matched event links its
/// identities to the visitor (and late-matches earlier events); an unmatched one parks them in
/// `pending_identities` until a later identity joins it. A repeated key stores nothing and
/// answers the earlier event, marked `duplicate`. `also` joins the same batch after the event's
/// statements (the webhook's activity row), so the whole write is one round trip.
pub async fn insert(
    db: &D1Database,
    row: &NewRow<'_>,
    now: UnixMs,
    also: Vec<D1PreparedStatement>,
) -> Result<Stored> {
    let mut statements = vec![insert_row(db, row, now)?];
    statements.extend(identity_statements(
        db,
        row.container_id,
        row.row_id,
        row.event,
        row.visitor,
        now,
    )?);
    statements.extend(also);
    let results = super::batch(db, statements, "storing an event").await?;
    // The insert answers the row it wrote (`RETURNING *`), and nothing when it wrote none.
    let written = results
        .first()
        .map(|r| r.results::<EventRow>())
        .transpose()
        .map_err(|e| Error::internal("reading a stored event", e))?
        .and_then(|rows| rows.into_iter().next());
    if let Some(written) = written {
        return Ok(Stored::from_row(written, false, false));
    }
    let earlier = with_event_id(db, row.container_id, row.event_id)
        .await?
        .into_iter()
        .find(|e| {
            e.dedup_key == row.dedup_key
                || (row.sent_by.is_some() && e.sent_by.as_deref() == row.sent_by)
        })
        .ok_or_else(|| Error::internal("deduplicating an event", "the earlier event vanished"))?;
    Ok(Stored::from_row(earlier, true, false))
}

fn changed(result: Option<&worker::D1Result>) -> bool {
    result
        .and_then(|r| r.meta().ok().flatten())
        .and_then(|m| m.changes)
        .unwrap_or(0)
        > 0
}

/// A server event confirming the browser event `claim`.
#[derive(Debug, Clone, Copy)]
pub struct Confirming<'a> {
    pub claim: &'a EventRow,
    /// The server event merged over the browser event ([`NewEvent::confirmed_by`]).
    pub event: &'a NewEvent,
    pub visitor: Option<MatchedVisitor<'a>>,
}

/// Confirms a browser event: the row takes the server event's data, provenance `server` and the
/// event id as its key, and is dispatched again. Only one server event can win: `false` when
/// another already holds the key (a concurrent confirmation), and nothing changed.
pub async fn confirm(db: &D1Database, c: &Confirming<'_>, now: UnixMs) -> Result<bool> {
    let claim = c.claim;
    let event = c.event;
    let (source, topic) = source_and_topic(&event.source);
    let update = statement(
        db,
        "UPDATE events SET dedup_key = ?3, name = ?4, value = ?5, currency = ?6, visitor_id = ?7, \
         matched_by = ?8, source = ?9, topic = ?10, consent_advertising = ?11, payload = ?12, \
         provenance = 'server', confirmed_at = ?13, dispatched_at = NULL \
         WHERE id = ?1 AND container_id = ?2 AND provenance = 'browser' AND NOT EXISTS \
         (SELECT 1 FROM events WHERE container_id = ?2 AND dedup_key = ?3 AND id != ?1)",
        &[
            text(claim.id.as_str()),
            text(claim.container_id.as_str()),
            text(claim.event_id.as_str()),
            text(event.name.as_str()),
            event
                .value
                .map_or(JsValue::NULL, |v| JsValue::from_f64(v.get())),
            opt_text(event.currency.as_ref().map(|c| c.as_str())),
            opt_text(c.visitor.map(|v| v.visitor_id)),
            opt_text(c.visitor.map(|v| v.matched_by)),
            text(source),
            opt_text(topic),
            int(i64::from(event.consent.allows_advertising())),
            text(&payload_of(event)?),
            time(now),
        ],
    )?;
    let mut statements = vec![update];
    statements.extend(identity_statements(
        db,
        &claim.container_id,
        &claim.id,
        event,
        c.visitor,
        now,
    )?);
    let results = super::batch(db, statements, "confirming an event").await?;
    Ok(changed(results.first()))
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
