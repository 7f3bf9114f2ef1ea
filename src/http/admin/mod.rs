//! `/admin/api/*`: JSON behind `Authorization: Bearer {ADMIN_TOKEN}`. The router authenticates
//! every admin route with [`authenticate`] before its handler runs; handlers never check it.

pub mod api_keys;
pub mod connectors;
pub mod containers;
pub mod deliveries;
pub mod destination;
pub mod events;
pub mod explain;
pub mod model;
pub mod openapi;
pub mod parameters;
pub mod previews;
pub mod privacy;
pub mod reconciliation;
pub mod recovery;
pub mod reevaluate;
pub mod rotation;
pub mod test_webhook;
pub mod webhook_activity;

use crate::config::Config;
use crate::core::form;
use crate::error::{Error, Result};
use crate::http::request::Request;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Checks the bearer token in constant time: [`Error::Unauthorized`] when it is missing or
/// wrong, or when `ADMIN_TOKEN` is not set (the admin API never runs open). Comparing digests
/// keeps the time independent of both the token's content and its length.
pub fn authenticate(req: &Request, config: &Config) -> Result<()> {
    let Some(expected) = config.admin_token.as_deref() else {
        worker::console_error!("ADMIN_TOKEN is not set; refusing every admin request");
        return Err(Error::unauthorized("the admin API is not configured"));
    };
    let header = req.headers().get("authorization")?.unwrap_or_default();
    let presented = header.strip_prefix("Bearer ").unwrap_or_default();
    let equal = Sha256::digest(presented.as_bytes()).ct_eq(&Sha256::digest(expected.as_bytes()));
    if presented.is_empty() || !bool::from(equal) {
        return Err(Error::unauthorized("missing or wrong admin token"));
    }
    Ok(())
}

/// `?limit=` for list endpoints: 1..=max, default `default`.
pub fn limit_param(req: &Request, default: u32, max: u32) -> Result<u32> {
    match query_param(req, "limit")? {
        None => Ok(default),
        Some(v) => match v.parse::<u32>() {
            Ok(n) if (1..=max).contains(&n) => Ok(n),
            _ => Err(Error::bad_request(
                "invalid_limit",
                format!("limit must be 1 to {max}"),
            )),
        },
    }
}

/// One query parameter, through the one strict decoder: 422 `duplicate_parameter` when it is
/// given twice, 422 `invalid_encoding` when it is not UTF-8 once percent-decoded.
pub fn query_param(req: &Request, name: &str) -> Result<Option<String>> {
    Ok(form::single(req.url()?.query().unwrap_or(""), name)?)
}
