//! `/admin/api/*`: JSON behind `Authorization: Bearer {ADMIN_TOKEN}`.

pub mod api_keys;
pub mod connectors;
pub mod containers;
pub mod deliveries;
pub mod model;
pub mod openapi;
pub mod parameters;
pub mod webhook_activity;

use super::error::{ApiError, ApiResult};
use crate::config::{Config, DB};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use worker::{D1Database, Request, RouteContext};

/// Checks the bearer token in constant time. Comparing digests keeps the time independent of
/// both the token's content and its length.
pub fn require_admin(req: &Request, ctx: &RouteContext<()>) -> ApiResult<()> {
    let config = Config::from_env(&ctx.env);
    let Some(expected) = config.admin_token else {
        worker::console_error!("ADMIN_TOKEN is not set; refusing every admin request");
        return Err(ApiError::Unauthorized("the admin API is not configured"));
    };
    let header = req.headers().get("authorization")?.unwrap_or_default();
    let presented = header.strip_prefix("Bearer ").unwrap_or_default();
    let equal = Sha256::digest(presented.as_bytes()).ct_eq(&Sha256::digest(expected.as_bytes()));
    if presented.is_empty() || !bool::from(equal) {
        return Err(ApiError::Unauthorized("missing or wrong admin token"));
    }
    Ok(())
}

pub fn db(ctx: &RouteContext<()>) -> ApiResult<D1Database> {
    ctx.env
        .d1(DB)
        .map_err(|e| ApiError::internal("opening the D1 binding", e))
}

/// `?limit=` for list endpoints: 1..=max, default `default`.
pub fn limit_param(req: &Request, default: u32, max: u32) -> ApiResult<u32> {
    let url = req.url()?;
    match url.query_pairs().find(|(k, _)| k == "limit") {
        None => Ok(default),
        Some((_, v)) => match v.parse::<u32>() {
            Ok(n) if (1..=max).contains(&n) => Ok(n),
            _ => Err(ApiError::bad_request(
                "invalid_limit",
                format!("limit must be 1 to {max}"),
            )),
        },
    }
}

pub fn query_param(req: &Request, name: &str) -> ApiResult<Option<String>> {
    Ok(req
        .url()?
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned()))
}
