//! The identities a visitor is known by (`identities`), the identities of events still waiting
//! for their visitor (`pending_identities`), and matching: finding the visitor for a set of
//! identities (a visitor id, a click id they arrived with, hashed email or phone, ...).

use super::{first, statement, text, time};
use crate::core::event::NewEvent;
use crate::core::ids::{ContainerId, EventRowId};
use crate::core::matching::{identities_to_store, MatchKey, MatchKeys};
use crate::core::time::UnixMs;
use crate::error::Result;
use serde::Deserialize;
use worker::{D1Database, D1PreparedStatement};

#[derive(Deserialize)]
struct VisitorHit {
    visitor_id: String,
}

/// Looks one identity up; the newest visitor that carries it wins.
async fn lookup(
    db: &D1Database,
    container_id: &ContainerId,
    key: &MatchKey,
) -> Result<Option<String>> {
    let label = key.kind.label();
    let container = text(container_id.as_str());
    let hit: Option<VisitorHit> = if label == "visitor_id" {
        first(
            db,
            "SELECT visitor_id FROM clicks WHERE container_id = ?1 AND visitor_id = ?2 \
             UNION ALL SELECT visitor_id FROM events WHERE container_id = ?1 AND visitor_id = ?2 LIMIT 1",
            &[container, text(&key.key)],
        )
        .await?
    } else if let Some(param) = label.strip_prefix("click:") {
        first(
            db,
            "SELECT visitor_id FROM clicks WHERE container_id = ?1 AND param = ?2 AND value = ?3 \
             ORDER BY created_at DESC LIMIT 1",
            &[container, text(param), text(&key.key)],
        )
        .await?
    } else {
        first(
            db,
            "SELECT visitor_id FROM identities WHERE container_id = ?1 AND kind = ?2 AND value = ?3 \
             ORDER BY created_at DESC LIMIT 1",
            &[container, text(&label), text(&key.key)],
        )
        .await?
    };
    Ok(hit.map(|h| h.visitor_id))
}

/// Finds the visitor for a set of identities, most trusted first (see `core::webhook_in`).
/// Returns the visitor id and the label of the identity that matched.
pub async fn match_visitor(
    db: &D1Database,
    container_id: &ContainerId,
    keys: &MatchKeys,
) -> Result<Option<(String, String)>> {
    for key in keys.keys() {
        if let Some(visitor) = lookup(db, container_id, key).await? {
            return Ok(Some((visitor, key.kind.label())));
        }
    }
    Ok(None)
}

/// Statements that tie identities (`(kind label, value)`) to a visitor and match earlier events
/// waiting for them.
pub fn link_identities(
    db: &D1Database,
    container_id: &ContainerId,
    visitor_id: &str,
    identities: &[(String, String)],
    now: UnixMs,
) -> Result<Vec<D1PreparedStatement>> {
    let container = container_id.as_str();
    let mut statements = Vec::new();
    for (kind, value) in identities {
        if !kind.starts_with("click:") {
            statements.push(statement(
                db,
                "INSERT OR IGNORE INTO identities (container_id, kind, value, visitor_id, created_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                &[text(container), text(kind), text(value), text(visitor_id), time(now)],
            )?);
        }
        statements.push(statement(
            db,
            "UPDATE events SET visitor_id = ?4, matched_by = ?2 WHERE visitor_id IS NULL AND id IN \
             (SELECT event_row_id FROM pending_identities WHERE container_id = ?1 AND kind = ?2 AND value = ?3)",
            &[text(container), text(kind), text(value), text(visitor_id)],
        )?);
        statements.push(statement(
            db,
            "DELETE FROM pending_identities WHERE container_id = ?1 AND kind = ?2 AND value = ?3",
            &[text(container), text(kind), text(value)],
        )?);
    }
    Ok(statements)
}

/// Statements that park the identities of an event stored without a visitor until one of them
/// is tied to a visitor ([`link_identities`] then matches the event). They do nothing when the
/// event row `row_id` was not written (a duplicate), so they can share its batch.
pub fn park_identities(
    db: &D1Database,
    container_id: &ContainerId,
    row_id: &EventRowId,
    identities: &[(String, String)],
    now: UnixMs,
) -> Result<Vec<D1PreparedStatement>> {
    identities
        .iter()
        .map(|(kind, value)| {
            statement(
                db,
                "INSERT OR IGNORE INTO pending_identities (container_id, kind, value, event_row_id, created_at) \
                 SELECT ?1, ?2, ?3, ?4, ?5 WHERE EXISTS (SELECT 1 FROM events WHERE id = ?4)",
                &[
                    text(container_id.as_str()),
                    text(kind),
                    text(value),
                    text(row_id.as_str()),
                    time(now),
                ],
            )
        })
        .collect()
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
