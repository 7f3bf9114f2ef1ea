//! Small helpers shared by handlers: JSON answers and empty ones.

use crate::error::Result;
use serde::Serialize;
use worker::{Headers, Response};

/// `value` as JSON with `status`, never cached.
pub fn json<T: Serialize>(status: u16, value: &T) -> Result<Response> {
    let headers = Headers::new();
    headers.set("content-type", "application/json")?;
    headers.set("cache-control", "no-store")?;
    Ok(Response::from_json(value)?
        .with_status(status)
        .with_headers(headers))
}

/// 204 without a body.
pub fn no_content() -> Result<Response> {
    Ok(Response::empty()?.with_status(204))
}
