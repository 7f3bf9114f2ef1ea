//! D1 access, one module per table group. Everything here is edge: it binds checked values from
//! `core` types and maps rows back.

pub mod api_keys;
pub mod clicks;
pub mod connectors;
pub mod containers;
pub mod deliveries;
pub mod events;
pub mod tracking;
pub mod visitors;
pub mod webhook_requests;

use crate::http::error::{ApiError, ApiResult};
use serde::de::DeserializeOwned;
use wasm_bindgen::JsValue;
use worker::{D1Database, D1PreparedStatement};

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

pub fn flag(v: bool) -> JsValue {
    int(i64::from(v))
}

pub fn statement(db: &D1Database, sql: &str, args: &[JsValue]) -> ApiResult<D1PreparedStatement> {
    db.prepare(sql)
        .bind(args)
        .map_err(|e| ApiError::internal("binding a query", e))
}

pub async fn all<T: DeserializeOwned>(
    db: &D1Database,
    sql: &str,
    args: &[JsValue],
) -> ApiResult<Vec<T>> {
    let result = statement(db, sql, args)?
        .all()
        .await
        .map_err(|e| ApiError::internal("running a query", e))?;
    result
        .results::<T>()
        .map_err(|e| ApiError::internal("reading rows", e))
}

pub async fn first<T: DeserializeOwned>(
    db: &D1Database,
    sql: &str,
    args: &[JsValue],
) -> ApiResult<Option<T>> {
    statement(db, sql, args)?
        .first::<T>(None)
        .await
        .map_err(|e| ApiError::internal("running a query", e))
}

/// Run a write; returns the number of rows changed.
pub async fn run(db: &D1Database, sql: &str, args: &[JsValue]) -> ApiResult<usize> {
    let result = statement(db, sql, args)?
        .run()
        .await
        .map_err(|e| ApiError::internal("running a write", e))?;
    let changes = result
        .meta()
        .map_err(|e| ApiError::internal("reading write meta", e))?
        .and_then(|m| m.changes)
        .unwrap_or(0);
    Ok(changes)
}
