//! The `events` table, with the identities an event leaves behind and late matching.

use super::{all, first, int, opt_text, statement, text};
use crate::core::event::NewEvent;
use crate::core::matching::{identities_to_store, MatchKey, MatchKeys};
use crate::http::error::{ApiError, ApiResult};
use serde::Deserialize;
use wasm_bindgen::JsValue;
use worker::D1Database;

#[derive(Debug, Clone, Deserialize)]
pub struct EventRow {
    pub id: String,
    pub container_id: String,
    pub event_id: String,
    pub name: String,
    pub value: Option<f64>,
    pub currency: Option<String>,
    pub visitor_id: Option<String>,
    pub matched_by: Option<String>,
    pub source: String,
    pub topic: Option<String>,
    pub consent_advertising: i64,
    pub payload: String,
    pub created_at: i64,
}

/// What storing an event did.
#[derive(Debug, Clone)]
pub struct Stored {
    /// `events.id` of the stored event, or of the earlier one it duplicates.
    pub row_id: String,
    pub event_id: String,
    pub duplicate: bool,
    pub visitor_id: Option<String>,
    /// Which identity matched the visitor: `cookie`, `visitor_id`, `click:gclid`, `email_sha256`...
    pub matched_by: Option<String>,
}

pub async fn get(db: &D1Database, container_id: &str, row_id: &str) -> ApiResult<Option<EventRow>> {
    first(
        db,
        "SELECT * FROM events WHERE id = ?1 AND container_id = ?2",
        &[text(row_id), text(container_id)],
    )
    .await
}

pub async fn find_by_event_id(
    db: &D1Database,
    container_id: &str,
    event_id: &str,
) -> ApiResult<Option<EventRow>> {
    first(
        db,
        "SELECT * FROM events WHERE container_id = ?1 AND event_id = ?2",
        &[text(container_id), text(event_id)],
    )
    .await
}

#[derive(Deserialize)]
struct VisitorHit {
    visitor_id: String,
}

/// Looks one identity up; the newest visitor that carries it wins.
async fn lookup(db: &D1Database, container_id: &str, key: &MatchKey) -> ApiResult<Option<String>> {
    let label = key.kind.label();
    let hit: Option<VisitorHit> = if label == "visitor_id" {
        first(
            db,
            "SELECT visitor_id FROM clicks WHERE container_id = ?1 AND visitor_id = ?2 \
             UNION ALL SELECT visitor_id FROM events WHERE container_id = ?1 AND visitor_id = ?2 LIMIT 1",
            &[text(container_id), text(&key.key)],
        )
        .await?
    } else if let Some(param) = label.strip_prefix("click:") {
        first(
            db,
            "SELECT visitor_id FROM clicks WHERE container_id = ?1 AND param = ?2 AND value = ?3 \
             ORDER BY created_at DESC LIMIT 1",
            &[text(container_id), text(param), text(&key.key)],
        )
        .await?
    } else {
        first(
            db,
            "SELECT visitor_id FROM identities WHERE container_id = ?1 AND kind = ?2 AND value = ?3 \
             ORDER BY created_at DESC LIMIT 1",
            &[text(container_id), text(&label), text(&key.key)],
        )
        .await?
    };
    Ok(hit.map(|h| h.visitor_id))
}

/// Finds the visitor for a set of identities, most trusted first (see `core::webhook_in`).
pub async fn match_visitor(
    db: &D1Database,
    container_id: &str,
    keys: &MatchKeys,
) -> ApiResult<Option<(String, String)>> {
    for key in keys.keys() {
        if let Some(visitor) = lookup(db, container_id, key).await? {
            return Ok(Some((visitor, key.kind.label())));
        }
    }
    Ok(None)
}

/// Statements that tie identities to a visitor and match earlier events waiting for them.
pub fn link_identities(
    db: &D1Database,
    container_id: &str,
    visitor_id: &str,
    identities: &[(String, String)],
    now_ms: i64,
) -> ApiResult<Vec<worker::D1PreparedStatement>> {
    let mut statements = Vec::new();
    for (kind, value) in identities {
        if !kind.starts_with("click:") {
            statements.push(statement(
                db,
                "INSERT OR IGNORE INTO identities (container_id, kind, value, visitor_id, created_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                &[text(container_id), text(kind), text(value), text(visitor_id), int(now_ms)],
            )?);
        }
        statements.push(statement(
            db,
            "UPDATE events SET visitor_id = ?4, matched_by = ?2 WHERE visitor_id IS NULL AND id IN \
             (SELECT event_row_id FROM pending_identities WHERE container_id = ?1 AND kind = ?2 AND value = ?3)",
            &[text(container_id), text(kind), text(value), text(visitor_id)],
        )?);
        statements.push(statement(
            db,
            "DELETE FROM pending_identities WHERE container_id = ?1 AND kind = ?2 AND value = ?3",
            &[text(container_id), text(kind), text(value)],
        )?);
    }
    Ok(statements)
}

/// The identities an event carries, as `(kind label, value)`: user identities and click ids.
pub fn carried_identities(event: &NewEvent) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = identities_to_store(&event.user)
        .into_iter()
        .map(|(kind, value)| (kind.label(), value))
        .collect();
    for key in MatchKeys::from_event(event).keys() {
        let label = key.kind.label();
        if label.starts_with("click:") && !out.iter().any(|(k, v)| *k == label && *v == key.key) {
            out.push((label, key.key.clone()));
        }
    }
    out
}

/// Stores an event once per `(container, event_id)` in one transaction, with its identities.
/// A matched event links its identities to the visitor (and late-matches earlier events); an
/// unmatched one parks them in `pending_identities` until a later identity joins it.
pub async fn insert(
    db: &D1Database,
    row_id: &str,
    container_id: &str,
    event_id: &str,
    event: &NewEvent,
    visitor: Option<(&str, &str)>,
    now_ms: i64,
) -> ApiResult<Stored> {
    let payload =
        serde_json::to_string(event).map_err(|e| ApiError::internal("serialising an event", e))?;
    let (source, topic) = match &event.source {
        crate::core::event::EventSource::Browser => ("browser", None),
        crate::core::event::EventSource::Webhook => ("webhook", None),
        crate::core::event::EventSource::CustomWebhook { topic } => {
            ("custom_webhook", Some(topic.as_str()))
        }
    };
    let mut statements = vec![statement(
        db,
        "INSERT INTO events (id, container_id, event_id, name, value, currency, visitor_id, matched_by, \
         source, topic, consent_advertising, payload, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13) \
         ON CONFLICT (container_id, event_id) DO NOTHING",
        &[
            text(row_id),
            text(container_id),
            text(event_id),
            text(event.name.as_str()),
            event.value.map_or(JsValue::NULL, |v| JsValue::from_f64(v.get())),
            opt_text(event.currency.as_ref().map(|c| c.as_str())),
            opt_text(visitor.map(|v| v.0)),
            opt_text(visitor.map(|v| v.1)),
            text(source),
            opt_text(topic),
            int(i64::from(event.consent.allows_advertising())),
            text(&payload),
            int(now_ms),
        ],
    )?];
    let identities = carried_identities(event);
    match visitor {
        Some((visitor_id, _)) => {
            statements.extend(link_identities(
                db,
                container_id,
                visitor_id,
                &identities,
                now_ms,
            )?);
        }
        None => {
            for (kind, value) in &identities {
                // Only when the event row above was really inserted (not a duplicate).
                statements.push(statement(
                    db,
                    "INSERT OR IGNORE INTO pending_identities (container_id, kind, value, event_row_id, created_at) \
                     SELECT ?1, ?2, ?3, ?4, ?5 WHERE EXISTS (SELECT 1 FROM events WHERE id = ?4)",
                    &[text(container_id), text(kind), text(value), text(row_id), int(now_ms)],
                )?);
            }
        }
    }
    let results = db
        .batch(statements)
        .await
        .map_err(|e| ApiError::internal("storing an event", e))?;
    let inserted = results
        .first()
        .and_then(|r| r.meta().ok().flatten())
        .and_then(|m| m.changes)
        .unwrap_or(0)
        > 0;
    if inserted {
        return Ok(Stored {
            row_id: row_id.to_string(),
            event_id: event_id.to_string(),
            duplicate: false,
            visitor_id: visitor.map(|v| v.0.to_string()),
            matched_by: visitor.map(|v| v.1.to_string()),
        });
    }
    let existing = find_by_event_id(db, container_id, event_id)
        .await?
        .ok_or_else(|| {
            ApiError::internal("deduplicating an event", "the earlier event vanished")
        })?;
    Ok(Stored {
        row_id: existing.id,
        event_id: existing.event_id,
        duplicate: true,
        visitor_id: existing.visitor_id,
        matched_by: existing.matched_by,
    })
}

/// Recent events of a container, newest first (the console's event picker uses the names).
pub async fn recent_names(db: &D1Database, container_id: &str) -> ApiResult<Vec<String>> {
    #[derive(Deserialize)]
    struct Name {
        name: String,
    }
    let rows: Vec<Name> = all(
        db,
        "SELECT name FROM events WHERE container_id = ?1 GROUP BY name ORDER BY MAX(created_at) DESC LIMIT 100",
        &[text(container_id)],
    )
    .await?;
    Ok(rows.into_iter().map(|r| r.name).collect())
}

/// Records that an event's connectors were dispatched; the sweep re-dispatches events that
/// were stored but never got here (the outbox write failed or the worker stopped in between).
pub async fn mark_dispatched(db: &D1Database, row_id: &str, now_ms: i64) -> ApiResult<()> {
    super::run(
        db,
        "UPDATE events SET dispatched_at = ?2 WHERE id = ?1",
        &[text(row_id), int(now_ms)],
    )
    .await?;
    Ok(())
}

#[derive(Debug, Clone, Deserialize)]
pub struct Undispatched {
    pub id: String,
    pub container_id: String,
}

/// Events stored before `before_ms` whose dispatch never completed, oldest first.
pub async fn undispatched(
    db: &D1Database,
    before_ms: i64,
    limit: u32,
) -> ApiResult<Vec<Undispatched>> {
    all(
        db,
        "SELECT id, container_id FROM events WHERE dispatched_at IS NULL AND created_at < ?1 \
         ORDER BY created_at LIMIT ?2",
        &[int(before_ms), int(i64::from(limit))],
    )
    .await
}

/// An event by its row id, whatever its container (the row id is unguessable and comes from a
/// signed token).
pub async fn get_any(db: &D1Database, row_id: &str) -> ApiResult<Option<EventRow>> {
    first(db, "SELECT * FROM events WHERE id = ?1", &[text(row_id)]).await
}
