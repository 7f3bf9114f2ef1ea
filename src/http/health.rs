//! `GET /healthz`: the worker answers; it touches no binding, so it also serves as the bench probe.

use super::respond::json;
use super::router::RouteContext;
use crate::error::Result;
use serde_json::json;
use worker::{Request, Response};

pub async fn handle_healthz(_: Request, _: RouteContext) -> Result<Response> {
    json(
        200,
        &json!({"status": "ok", "service": "postclick", "version": env!("CARGO_PKG_VERSION")}),
    )
}
