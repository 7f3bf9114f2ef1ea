//! `GET /healthz`: the worker answers; it touches no binding, so it also serves as the bench probe.

use super::respond::json;
use super::router::RouteContext;
use crate::error::Result;
use crate::http::request::Request;
use serde::Serialize;
use worker::Response;

/// The liveness answer.
#[derive(Serialize)]
#[cfg_attr(test, derive(utoipa::ToSchema))]
pub struct HealthOut {
    #[cfg_attr(test, schema(value_type = String, pattern = "^ok$"))]
    pub status: &'static str,
    #[cfg_attr(test, schema(value_type = String, pattern = "^postclick$"))]
    pub service: &'static str,
    /// The worker's version, e.g. `0.1.0`.
    #[cfg_attr(test, schema(value_type = String))]
    pub version: &'static str,
}

pub async fn handle_healthz(_: Request, _: RouteContext) -> Result<Response> {
    let out = HealthOut {
        status: "ok",
        service: "postclick",
        version: env!("CARGO_PKG_VERSION"),
    };
    json(200, &out)
}
