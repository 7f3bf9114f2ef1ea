//! Small helpers shared by handlers: JSON answers, the clock, randomness and path parameters.

use super::error::{ApiError, ApiResult};
use serde::Serialize;
use worker::{Headers, Response, RouteContext};

pub fn json<T: Serialize>(status: u16, value: &T) -> ApiResult<Response> {
    let headers = Headers::new();
    headers.set("content-type", "application/json")?;
    headers.set("cache-control", "no-store")?;
    Ok(Response::from_json(value)?
        .with_status(status)
        .with_headers(headers))
}

pub fn no_content() -> ApiResult<Response> {
    Ok(Response::empty()?.with_status(204))
}

pub fn now_ms() -> i64 {
    worker::Date::now().as_millis() as i64
}

pub fn iso8601(ms: f64) -> String {
    chrono::DateTime::from_timestamp_millis(ms as i64)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
        .unwrap_or_default()
}

pub fn random16() -> ApiResult<[u8; 16]> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| ApiError::internal("drawing random bytes", e))?;
    Ok(bytes)
}

pub fn param<'a>(ctx: &'a RouteContext<()>, name: &str) -> &'a str {
    ctx.param(name).map(String::as_str).unwrap_or_default()
}
