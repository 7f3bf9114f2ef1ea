//! Checking a webhook's API key, and counting it against the key's per-minute limit.
//!
//! Every refusal is a 401 with code `unauthorized` and a message saying what to fix: the key is
//! missing, malformed, unknown, revoked, or belongs to another container.

use crate::core::api_key::{
    minute_window, retry_after_seconds, verify, ApiKey, RateLimit, MAX_RATE_LIMIT_PER_MINUTE,
};
use crate::http::error::{ApiError, ApiResult};
use crate::store::api_keys;
use worker::D1Database;

/// A key that passed: whose it is and how fast it may send.
#[derive(Debug, Clone)]
pub struct Authenticated {
    pub key_id: String,
    pub container_id: String,
    pub rate_limit: RateLimit,
    /// Requests in the key's current minute, this one included.
    pub count: u64,
}

/// A refused key, with the container the refusal is logged against when the key names one (a
/// revoked key still says whose it was; an unknown key says nothing).
#[derive(Debug)]
pub struct Refusal {
    pub error: ApiError,
    pub container_id: Option<String>,
}

impl From<ApiError> for Refusal {
    fn from(error: ApiError) -> Self {
        Refusal {
            error,
            container_id: None,
        }
    }
}

pub const MISSING: &str = "missing API key: send Authorization: Bearer pck_...";
const MALFORMED: &str =
    "malformed API key: send Authorization: Bearer pck_... with no whitespace around the key";
const UNKNOWN: &str = "unknown API key: check it, or create a new one";
const REVOKED: &str = "this API key was revoked: create a new one";
pub const OTHER_CONTAINER: &str = "this API key belongs to another container";
const TWO_KEYS: &str = "k and the Authorization header name different API keys: send one";

/// The key from an `Authorization: Bearer` header, the only way `/webhooks/custom` takes it.
pub fn bearer_key(header: Option<&str>) -> ApiResult<ApiKey> {
    let header = header.ok_or(ApiError::Unauthorized(MISSING))?;
    ApiKey::from_authorization(header).map_err(|_| ApiError::Unauthorized(MALFORMED))
}

/// The key of a `/webhook` request: a Bearer header, or `k` in the query or body. A header
/// that is not Bearer is ignored when `k` is given (proxies add their own); both together must
/// name the same key.
pub fn header_or_k(header: Option<&str>, k: Option<&str>) -> ApiResult<ApiKey> {
    let bearer = header.filter(|h| {
        h.get(..7)
            .is_some_and(|scheme| scheme.eq_ignore_ascii_case("bearer "))
            || k.is_none()
    });
    let parse_k = |k: &str| ApiKey::parse(k).map_err(|_| ApiError::Unauthorized(MALFORMED));
    match (bearer, k) {
        (None, None) => Err(ApiError::Unauthorized(MISSING)),
        (Some(header), None) => bearer_key(Some(header)),
        (None, Some(k)) => parse_k(k),
        (Some(header), Some(k)) => {
            let from_header = bearer_key(Some(header))?;
            if from_header == parse_k(k)? {
                Ok(from_header)
            } else {
                Err(ApiError::Unauthorized(TWO_KEYS))
            }
        }
    }
}

/// Checks the key (looked up by its hash, then compared in constant time) and counts the request
/// in the key's current minute, in one round trip. A revoked key is refused; the count is
/// enforced by [`enforce_rate_limit`], after the caller's own checks of who the key is for.
pub async fn authenticate(
    db: &D1Database,
    key: &ApiKey,
    now_ms: i64,
) -> Result<Authenticated, Refusal> {
    let used = api_keys::use_key(db, key, minute_window(now_ms), now_ms).await?;
    let row = used
        .credentials
        .filter(|row| verify(key, &row.key_hash))
        .ok_or(ApiError::Unauthorized(UNKNOWN))?;
    let Some(count) = used.count.filter(|_| row.revoked_at.is_none()) else {
        return Err(Refusal {
            error: ApiError::Unauthorized(REVOKED),
            container_id: Some(row.container_id),
        });
    };
    // The admin API only stores limits in range; clamp in case a row was written otherwise.
    let per_minute = row
        .rate_limit_per_minute
        .clamp(1.0, f64::from(MAX_RATE_LIMIT_PER_MINUTE)) as u32;
    let rate_limit = RateLimit::new(per_minute, "rate_limit_per_minute").unwrap_or_default();
    Ok(Authenticated {
        key_id: row.id,
        container_id: row.container_id,
        rate_limit,
        count,
    })
}

/// Over the key's per-minute limit is a 429 whose `Retry-After` points at the next minute.
/// Other keys have counters of their own.
pub fn enforce_rate_limit(key: &Authenticated, now_ms: i64) -> ApiResult<()> {
    if key.rate_limit.allows(key.count) {
        Ok(())
    } else {
        Err(ApiError::TooManyRequests {
            retry_after_s: retry_after_seconds(now_ms),
        })
    }
}
