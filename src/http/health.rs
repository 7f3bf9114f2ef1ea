//! `GET /healthz`: the worker answers; it touches no binding, so it also serves as the bench probe.

use super::error::ApiResult;
use super::respond::json;
use serde_json::json;
use worker::{Request, Response, RouteContext};

pub async fn handle_healthz(_: Request, _: RouteContext<()>) -> ApiResult<Response> {
    json(
        200,
        &json!({"status": "ok", "service": "postclick", "version": env!("CARGO_PKG_VERSION")}),
    )
}
