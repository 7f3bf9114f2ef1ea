//! What the postbacks-queue consumer reads and takes for a whole batch: the claim of every
//! message's attempt, with each destination's state and connector's secrets read once per
//! connector in the same round trip; each claimed row also says whether its event was erased
//! (see [`super::deliveries::CLAIMED_ERASED`]).

use super::deliveries::{DeliveryRow, CLAIMED_DESTINATION, CLAIMED_ERASED};
use super::sealing::CLAIMED_SIGNING;
use super::{int, statement, text, time};
use crate::core::ids::DeliveryId;
use crate::core::time::UnixMs;
use crate::error::{Error, Result};
use serde::Deserialize;
use std::collections::HashMap;
use worker::D1Database;

/// The conditional write of one claim, returning the row and whether its event was erased (see
/// [`claim_batch`]).
fn claim_row_sql() -> String {
    format!(
        "UPDATE deliveries SET attempt = ?2, next_attempt_at = ?3, updated_at = ?3 \
         WHERE id = ?1 AND attempt = ?2 - 1 AND status IN ('queued', 'retrying') \
         RETURNING *, {CLAIMED_ERASED} AS erased"
    )
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
/// read after the claims and whether its event was erased ([`DeliveryRow::event_erased`]), or
/// `None` where that attempt is gone, settled or taken. The destination and the secrets are
/// read once per connector, not once per row.
pub async fn claim_batch(
    db: &D1Database,
    claims: &[(DeliveryId, u32)],
    now: UnixMs,
) -> Result<Vec<Option<DeliveryRow>>> {
    if claims.is_empty() {
        return Ok(Vec::new());
    }
    let claim = claim_row_sql();
    let mut statements = claims
        .iter()
        .map(|(id, attempt)| {
            statement(
                db,
                &claim,
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
