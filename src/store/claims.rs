//! What the postbacks-queue consumer reads and takes for a whole batch: the claim of every
//! message's attempt, with each destination's state and connector's secrets read once per
//! connector in the same round trip, and which claimed deliveries' events were erased, in one
//! query for the batch.

use super::deliveries::{DeliveryRow, CLAIMED_DESTINATION};
use super::sealing::CLAIMED_SIGNING;
use super::{all, int, statement, text, time};
use crate::core::ids::DeliveryId;
use crate::core::privacy::subject::subject_hash;
use crate::core::time::UnixMs;
use crate::error::{Error, Result};
use serde::Deserialize;
use std::collections::{HashMap, HashSet};
use worker::D1Database;

/// The conditional write of one claim, returning the row alone (see [`claim_batch`]).
fn claim_row_sql() -> &'static str {
    "UPDATE deliveries SET attempt = ?2, next_attempt_at = ?3, updated_at = ?3 \
     WHERE id = ?1 AND attempt = ?2 - 1 AND status IN ('queued', 'retrying') RETURNING *"
}

/// The destination and signing secrets of each connector the batch's deliveries (a JSON array
/// of ids in `?1`) belong to: the claim's own expressions, evaluated once per connector.
fn connectors_sql() -> String {
    let per_connector = |expr: &str| expr.replace("deliveries.connector_id", "c0.id");
    format!(
        "SELECT c0.id AS connector_id, json_object({}) AS destination, {} AS signing \
         FROM connectors c0 WHERE c0.id IN (SELECT connector_id FROM deliveries \
         WHERE id IN (SELECT value FROM json_each(?1)))",
        per_connector(CLAIMED_DESTINATION),
        per_connector(CLAIMED_SIGNING)
    )
}

/// One connector's part of a batch claim.
#[derive(Deserialize)]
struct ClaimedConnector {
    connector_id: String,
    destination: Option<String>,
    signing: Option<String>,
}

/// The claim ([`super::deliveries::claim_attempt`]) of every message of a queue batch, in one
/// D1 round trip (one transaction): per claim, its row with its destination and secrets as
/// read after the claims, or `None` where that attempt is gone, settled or taken. The
/// destination and the secrets are read once per connector, not once per row.
pub async fn claim_batch(
    db: &D1Database,
    claims: &[(DeliveryId, u32)],
    now: UnixMs,
) -> Result<Vec<Option<DeliveryRow>>> {
    if claims.is_empty() {
        return Ok(Vec::new());
    }
    let mut statements = claims
        .iter()
        .map(|(id, attempt)| {
            statement(
                db,
                claim_row_sql(),
                &[text(id.as_str()), int(i64::from(*attempt)), time(now)],
            )
        })
        .collect::<Result<Vec<_>>>()?;
    let ids: Vec<&str> = claims.iter().map(|(id, _)| id.as_str()).collect();
    let ids = serde_json::to_string(&ids).map_err(|e| Error::internal("listing a batch", e))?;
    statements.push(statement(db, &connectors_sql(), &[text(&ids)])?);
    let mut results = super::batch(db, statements, "claiming attempts").await?;
    let connectors: HashMap<String, ClaimedConnector> = results
        .pop()
        .map(|r| r.results::<ClaimedConnector>())
        .transpose()
        .map_err(|e| Error::internal("reading a claim's destinations", e))?
        .unwrap_or_default()
        .into_iter()
        .map(|c| (c.connector_id.clone(), c))
        .collect();
    results
        .into_iter()
        .map(|result| {
            let row = result
                .results::<DeliveryRow>()
                .map_err(|e| Error::internal("reading a claim", e))?
                .into_iter()
                .next();
            Ok(row.map(|mut row| {
                if let Some(c) = connectors.get(row.connector_id.as_str()) {
                    row.destination.clone_from(&c.destination);
                    row.signing.clone_from(&c.signing);
                }
                row
            }))
        })
        .collect()
}

/// An erasure record found for a claimed delivery's event.
#[derive(Deserialize)]
struct Erased {
    container_id: String,
    subject_hash: String,
}

/// Which of the claimed `rows` belong to an event erased since they were written (queue
/// messages cannot be cancelled, so an erasure is found in its hashed record): their ids, in
/// one query for the whole batch, none when no row has an event.
pub async fn erased_among(db: &D1Database, rows: &[&DeliveryRow]) -> Result<HashSet<DeliveryId>> {
    let hashed: Vec<(&DeliveryRow, String)> = rows
        .iter()
        .filter_map(|row| {
            let event = row.event_row_id.as_ref()?;
            Some((*row, subject_hash("event", event.as_str())))
        })
        .collect();
    if hashed.is_empty() {
        return Ok(HashSet::new());
    }
    let pairs: Vec<(&str, &str)> = (hashed.iter())
        .map(|(row, hash)| (row.container_id.as_str(), hash.as_str()))
        .collect();
    let pairs = serde_json::to_string(&pairs).map_err(|e| Error::internal("listing events", e))?;
    let found: Vec<Erased> = all(
        db,
        "SELECT e.container_id, e.subject_hash FROM json_each(?1) j JOIN erased_subjects e \
         ON e.container_id = json_extract(j.value, '$[0]') \
         AND e.subject_hash = json_extract(j.value, '$[1]')",
        &[text(&pairs)],
    )
    .await?;
    let found: HashSet<(String, String)> = found
        .into_iter()
        .map(|e| (e.container_id, e.subject_hash))
        .collect();
    Ok(hashed
        .into_iter()
        .filter(|(row, hash)| {
            found.contains(&(row.container_id.as_str().to_string(), hash.clone()))
        })
        .map(|(row, _)| row.id.clone())
        .collect())
}
