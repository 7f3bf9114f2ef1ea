//! What a conversion's follow-up postbacks are decided from, in D1: the delivery rows its event
//! made (the conversion's and every follow-up's, by `origin_key`) and its status history, read
//! together in one round trip (`delivery::lifecycle::follow_up_rows` decides).

use super::{batch, statement, text};
use crate::core::ids::EventRowId;
use crate::core::lifecycle::{ConversionStatus, StatusStep};
use crate::error::{Error, Result};
use serde::Deserialize;
use worker::D1Database;

/// A delivery row an event made, as its follow-ups read it: the connector's delivery of the
/// conversion (`origin_key = '{connector}:{event}'`) or a follow-up of it (the origin key
/// extended by `:reversal`, `:status:{n}`, `:update:{n}`).
#[derive(Debug, Clone, Deserialize)]
pub struct EventDelivery {
    pub connector_id: String,
    pub idempotency_key: String,
    pub origin_key: String,
    pub status: String,
}

/// One change of an event's status history, as the follow-up decision reads it.
#[derive(Debug, Clone, Deserialize)]
struct StepRow {
    seq: i64,
    status: String,
}

/// The deliveries the event `row_id` made, and (with `with_history`) its status history oldest
/// first: one round trip. The whole history is read, since whether the conversion stands
/// follows from every change.
pub async fn follow_up_state(
    db: &D1Database,
    row_id: &EventRowId,
    with_history: bool,
) -> Result<(Vec<EventDelivery>, Vec<StatusStep>)> {
    let id = text(row_id.as_str());
    let mut statements = vec![statement(
        db,
        "SELECT connector_id, idempotency_key, origin_key, status FROM deliveries \
         WHERE event_row_id = ?1 AND origin_key IS NOT NULL",
        std::slice::from_ref(&id),
    )?];
    if with_history {
        statements.push(statement(
            db,
            "SELECT seq, status FROM event_status_history WHERE event_row_id = ?1 ORDER BY seq",
            &[id],
        )?);
    }
    let results = batch(db, statements, "reading an event's deliveries").await?;
    let read = |e| Error::internal("reading an event's deliveries", e);
    let deliveries = match results.first() {
        Some(result) => result.results::<EventDelivery>().map_err(read)?,
        None => Vec::new(),
    };
    let steps = match results.get(1) {
        Some(result) => result
            .results::<StepRow>()
            .map_err(read)?
            .into_iter()
            .filter_map(|s| {
                ConversionStatus::parse(&s.status).map(|status| StatusStep { seq: s.seq, status })
            })
            .collect(),
        None => Vec::new(),
    };
    Ok((deliveries, steps))
}
