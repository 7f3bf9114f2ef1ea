//! The identities a visitor is known by (`identities`), the identities of events still waiting
//! for their visitor (`pending_identities`), and matching: finding the visitor for a set of
//! identities (a visitor id, a click id they arrived with, hashed email or phone, ...).
//!
//! Links follow [`LinkRule`]: a link that is not asserted by the site's server is made only
//! while no other visitor holds the identity, and a lookup prefers server links (newest first)
//! to browser links (oldest first, so the first visitor to link an identity keeps it).

use super::{statement, text, time};
use crate::core::event::NewEvent;
use crate::core::ids::{ContainerId, EventRowId};
use crate::core::matching::{identities_to_store, LinkRule, MatchKey, MatchKeys};
use crate::core::time::UnixMs;
use crate::error::{Error, Result};
use serde::Deserialize;
use worker::{D1Database, D1PreparedStatement, D1Result};

#[derive(Deserialize)]
struct VisitorHit {
    visitor_id: String,
}

/// The lookup of one identity, as a statement that can share a batch: the newest visitor that
/// carries it wins. It returns at most one `visitor_id` row.
pub fn lookup_statement(
    db: &D1Database,
    container_id: &ContainerId,
    key: &MatchKey,
) -> Result<D1PreparedStatement> {
    let label = key.kind.label();
    let container = text(container_id.as_str());
    if label == "visitor_id" {
        statement(
            db,
            "SELECT visitor_id FROM clicks WHERE container_id = ?1 AND visitor_id = ?2 \
             UNION ALL SELECT visitor_id FROM events WHERE container_id = ?1 AND visitor_id = ?2 LIMIT 1",
            &[container, text(&key.key)],
        )
    } else if let Some(param) = label.strip_prefix("click:") {
        statement(
            db,
            "SELECT visitor_id FROM clicks WHERE container_id = ?1 AND param = ?2 AND value = ?3 \
             ORDER BY created_at DESC LIMIT 1",
            &[container, text(param), text(&key.key)],
        )
    } else {
        statement(
            db,
            "SELECT visitor_id FROM identities WHERE container_id = ?1 AND kind = ?2 AND value = ?3 \
             ORDER BY provenance = 'server' DESC, \
             CASE WHEN provenance = 'server' THEN -created_at ELSE created_at END LIMIT 1",
            &[container, text(&label), text(&key.key)],
        )
    }
}

/// The lookups of every key of `keys`, in their order of trust ([`matched_in`] reads them).
pub fn match_statements(
    db: &D1Database,
    container_id: &ContainerId,
    keys: &MatchKeys,
) -> Result<Vec<D1PreparedStatement>> {
    keys.keys()
        .iter()
        .map(|key| lookup_statement(db, container_id, key))
        .collect()
}

/// The visitor the results of [`match_statements`] found for the most trusted key that has
/// one, and that key's label.
pub fn matched_in(keys: &MatchKeys, results: &[D1Result]) -> Result<Option<(String, String)>> {
    for (key, result) in keys.keys().iter().zip(results) {
        let hits = result
            .results::<VisitorHit>()
            .map_err(|e| Error::internal("reading a visitor lookup", e))?;
        if let Some(hit) = hits.into_iter().next() {
            return Ok(Some((hit.visitor_id, key.kind.label())));
        }
    }
    Ok(None)
}

/// Finds the visitor for a set of identities, most trusted first (see `core::webhook_in`), all
/// looked up in one round trip. Returns the visitor id and the label of the identity that
/// matched.
pub async fn match_visitor(
    db: &D1Database,
    container_id: &ContainerId,
    keys: &MatchKeys,
) -> Result<Option<(String, String)>> {
    if keys.keys().is_empty() {
        return Ok(None);
    }
    let statements = match_statements(db, container_id, keys)?;
    let results = super::batch(db, statements, "matching a visitor").await?;
    matched_in(keys, &results)
}

/// Statements that tie identities (`(kind label, value)`) to a visitor under `rule`, and match
/// earlier events waiting for them to that visitor when the link holds. A link the rule refuses
/// (another visitor holds the identity) changes nothing, and the waiting events keep waiting.
///
/// An event matched this late is marked not dispatched, so that its connectors are decided
/// again now that its visitor's clicks are known (the cron sweep does it if nothing sooner
/// does); the match returns its row as `late_matched` and `container_id` ([`late_matched_in`]).
pub fn link_identities(
    db: &D1Database,
    container_id: &ContainerId,
    visitor_id: &str,
    identities: &[(String, String)],
    rule: LinkRule,
    now: UnixMs,
) -> Result<Vec<D1PreparedStatement>> {
    let container = container_id.as_str();
    let provenance = rule.stored_provenance();
    let mut statements = Vec::new();
    for (kind, value) in identities {
        let args = [
            text(container),
            text(kind),
            text(value),
            text(visitor_id),
            time(now),
            text(provenance),
        ];
        // Click ids are matched through the clicks table, not linked here.
        let is_click = kind.starts_with("click:");
        if !is_click {
            statements.push(statement(db, link_sql(rule), &args)?);
        }
        let holds = if is_click {
            ""
        } else {
            " AND EXISTS (SELECT 1 FROM identities WHERE container_id = ?1 AND kind = ?2 \
              AND value = ?3 AND visitor_id = ?4)"
        };
        statements.push(statement(
            db,
            &format!(
                "UPDATE events SET visitor_id = ?4, matched_by = ?2, dispatched_at = NULL \
                 WHERE visitor_id IS NULL AND id IN \
                 (SELECT event_row_id FROM pending_identities WHERE container_id = ?1 AND kind = ?2 \
                 AND value = ?3){holds} RETURNING id AS late_matched, container_id"
            ),
            &args[..4],
        )?);
        // D1 wants exactly as many bindings as the statement uses: `?4` only with `holds`.
        let bound = if is_click { 3 } else { 4 };
        statements.push(statement(
            db,
            &format!(
                "DELETE FROM pending_identities WHERE container_id = ?1 AND kind = ?2 AND value = ?3{holds}"
            ),
            &args[..bound],
        )?);
    }
    Ok(statements)
}

/// An event that [`link_identities`] matched to its visitor late.
#[derive(Debug, Clone, Deserialize)]
pub struct LateMatched {
    #[serde(rename = "late_matched")]
    pub event_row_id: EventRowId,
    pub container_id: ContainerId,
}

/// The events that the [`link_identities`] statements among `results` matched late (other
/// statements return no such rows).
pub fn late_matched_in(results: &[D1Result]) -> Vec<LateMatched> {
    results
        .iter()
        .filter_map(|r| r.results::<LateMatched>().ok())
        .flatten()
        .collect()
}

/// The insert of one link (`?1` container, `?2` kind, `?3` value, `?4` visitor, `?5` time, `?6`
/// provenance) under `rule`.
fn link_sql(rule: LinkRule) -> &'static str {
    match rule {
        // Asserted: made or refreshed, so the newest asserted link is the one matching uses.
        LinkRule::Asserted => {
            "INSERT INTO identities (container_id, kind, value, visitor_id, created_at, provenance) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (container_id, kind, value, visitor_id) \
             DO UPDATE SET provenance = 'server', created_at = excluded.created_at"
        }
        LinkRule::IfUnclaimed(_) => {
            "INSERT OR IGNORE INTO identities (container_id, kind, value, visitor_id, created_at, provenance) \
             SELECT ?1, ?2, ?3, ?4, ?5, ?6 WHERE NOT EXISTS (SELECT 1 FROM identities \
             WHERE container_id = ?1 AND kind = ?2 AND value = ?3 AND visitor_id != ?4)"
        }
    }
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
