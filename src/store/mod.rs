//! D1 access, one module per table group. It binds checked values from `core` types (typed ids,
//! [`UnixMs`] times) and maps rows back into them; failures are [`Error::Internal`] with what was
//! being done. Nothing here knows about HTTP.

pub mod api_keys;
pub mod attempts;
pub mod claims;
pub mod click_refusals;
pub mod clicks;
pub mod connectors;
pub mod containers;
pub mod deliveries;
pub mod destinations;
pub mod dispatch_marks;
pub mod erasure;
pub mod events;
pub mod explain;
pub mod follow_ups;
pub mod identities;
pub mod install;
pub mod lifecycle;
pub mod log_search;
pub mod reconciliation;
pub mod recovery;
pub mod retention;
pub mod sealing;
pub mod settings_cache;
pub mod subjects;
pub mod tracking;
pub mod visitors;
pub mod webhook_requests;

use crate::core::time::UnixMs;
use crate::error::{Error, Result};
use serde::de::DeserializeOwned;
use wasm_bindgen::JsValue;
use worker::{D1Database, D1PreparedStatement, D1Result};

/// D1 rejects BigInt, so integers travel as f64 (exact below 2^53; ids and times fit).
pub fn int(v: i64) -> JsValue {
    JsValue::from_f64(v as f64)
}

pub fn text(v: &str) -> JsValue {
    JsValue::from_str(v)
}

pub fn opt_text(v: Option<&str>) -> JsValue {
    v.map_or(JsValue::NULL, JsValue::from_str)
}

/// A stored time: INTEGER milliseconds.
pub fn time(t: UnixMs) -> JsValue {
    int(t.millis())
}

pub fn opt_time(t: Option<UnixMs>) -> JsValue {
    t.map_or(JsValue::NULL, time)
}

pub fn flag(v: bool) -> JsValue {
    int(i64::from(v))
}

pub fn statement(db: &D1Database, sql: &str, args: &[JsValue]) -> Result<D1PreparedStatement> {
    crate::query_log::prepared(sql);
    db.prepare(sql)
        .bind(args)
        .map_err(|e| Error::internal("binding a query", e))
}

pub async fn all<T: DeserializeOwned>(
    db: &D1Database,
    sql: &str,
    args: &[JsValue],
) -> Result<Vec<T>> {
    let statement = statement(db, sql, args)?;
    crate::metering::d1_round_trip();
    let result = statement
        .all()
        .await
        .map_err(|e| Error::internal("running a query", e))?;
    result
        .results::<T>()
        .map_err(|e| Error::internal("reading rows", e))
}

pub async fn first<T: DeserializeOwned>(
    db: &D1Database,
    sql: &str,
    args: &[JsValue],
) -> Result<Option<T>> {
    let statement = statement(db, sql, args)?;
    crate::metering::d1_round_trip();
    statement
        .first::<T>(None)
        .await
        .map_err(|e| Error::internal("running a query", e))
}

/// Run a write; returns the number of rows changed.
pub async fn run(db: &D1Database, sql: &str, args: &[JsValue]) -> Result<usize> {
    let statement = statement(db, sql, args)?;
    crate::metering::d1_round_trip();
    let result = statement
        .run()
        .await
        .map_err(|e| Error::internal("running a write", e))?;
    let changes = result
        .meta()
        .map_err(|e| Error::internal("reading write meta", e))?
        .and_then(|m| m.changes)
        .unwrap_or(0);
    Ok(changes)
}

/// Statements per D1 batch: well inside D1's limits, and one round trip for a typical event.
const BATCH: usize = 50;

/// Run statements in batches (each batch is one transaction); the changed-row count of each.
pub async fn batch_changes(
    db: &D1Database,
    statements: Vec<D1PreparedStatement>,
) -> Result<Vec<usize>> {
    let mut changes = Vec::with_capacity(statements.len());
    let mut statements = statements.into_iter().peekable();
    while statements.peek().is_some() {
        let chunk: Vec<_> = statements.by_ref().take(BATCH).collect();
        let results = batch(db, chunk, "running a batch").await?;
        for result in results {
            let meta = result
                .meta()
                .map_err(|e| Error::internal("reading batch meta", e))?;
            changes.push(meta.and_then(|m| m.changes).unwrap_or(0));
        }
    }
    Ok(changes)
}

/// Runs `statements` as one D1 batch: one round trip and one transaction. `doing` names the
/// work for the error.
pub async fn batch(
    db: &D1Database,
    statements: Vec<D1PreparedStatement>,
    doing: &str,
) -> Result<Vec<D1Result>> {
    crate::metering::d1_round_trip();
    db.batch(statements)
        .await
        .map_err(|e| Error::internal(doing, e))
}
