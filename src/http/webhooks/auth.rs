//! Checking a webhook's API key, and counting it against the key's per-minute limit.
//!
//! Every refusal is [`Error::Unauthorized`] (code `unauthorized`) with a message saying what to
//! fix: the key is missing, malformed, unknown, revoked, or belongs to another container.

use crate::core::api_key::{
    minute_window, retry_after_seconds, verify, ApiKey, RateLimit, MAX_RATE_LIMIT_PER_MINUTE,
};
use crate::core::ids::{ApiKeyId, ContainerId};
use crate::core::time::UnixMs;
use crate::error::{Error, Result};
use crate::store::{api_keys, settings_cache};
use worker::{D1Database, D1PreparedStatement, D1Result};

/// A key that passed: whose it is and how fast it may send.
#[derive(Debug, Clone)]
pub struct Authenticated {
    pub key_id: ApiKeyId,
    pub container_id: ContainerId,
    pub rate_limit: RateLimit,
    /// Requests in the key's current minute, this one included.
    pub count: u64,
}

/// What a known key turned out to be. (An unknown key is an error: it names no container, so
/// its refusal is logged nowhere.)
#[derive(Debug, Clone)]
pub enum KeyCheck {
    Valid(Authenticated),
    /// Refused, but the key still says whose it was, so the refusal is logged against that
    /// container.
    Revoked {
        container_id: ContainerId,
    },
}

impl KeyCheck {
    /// The key, or the 401 a revoked key gets.
    pub fn into_valid(self) -> Result<Authenticated> {
        match self {
            KeyCheck::Valid(key) => Ok(key),
            KeyCheck::Revoked { .. } => Err(Error::unauthorized(REVOKED)),
        }
    }
}

pub const MISSING: &str = "missing API key: send Authorization: Bearer pck_...";
const MALFORMED: &str =
    "malformed API key: send Authorization: Bearer pck_... with no whitespace around the key";
const UNKNOWN: &str = "unknown API key: check it, or create a new one";
pub const REVOKED: &str = "this API key was revoked: create a new one";
pub const OTHER_CONTAINER: &str = "this API key belongs to another container";
const TWO_KEYS: &str = "k and the Authorization header name different API keys: send one";

/// The key from an `Authorization: Bearer` header, the only way `/webhooks/custom` takes it.
pub fn bearer_key(header: Option<&str>) -> Result<ApiKey> {
    let header = header.ok_or_else(|| Error::unauthorized(MISSING))?;
    ApiKey::from_authorization(header).map_err(|_| Error::unauthorized(MALFORMED))
}

/// The key of a `/webhook` request: a Bearer header, or `k` in the query or body. A header
/// that is not Bearer is ignored when `k` is given (proxies add their own); both together must
/// name the same key.
pub fn header_or_k(header: Option<&str>, k: Option<&str>) -> Result<ApiKey> {
    let bearer = header.filter(|h| {
        h.get(..7)
            .is_some_and(|scheme| scheme.eq_ignore_ascii_case("bearer "))
            || k.is_none()
    });
    let parse_k = |k: &str| ApiKey::parse(k).map_err(|_| Error::unauthorized(MALFORMED));
    match (bearer, k) {
        (None, None) => Err(Error::unauthorized(MISSING)),
        (Some(header), None) => bearer_key(Some(header)),
        (None, Some(k)) => parse_k(k),
        (Some(header), Some(k)) => {
            let from_header = bearer_key(Some(header))?;
            if from_header == parse_k(k)? {
                Ok(from_header)
            } else {
                Err(Error::unauthorized(TWO_KEYS))
            }
        }
    }
}

/// Checks the key (looked up by its hash, then compared in constant time) and counts the request
/// in the key's current minute, in one round trip. An unknown key is refused here; a revoked one
/// comes back as [`KeyCheck::Revoked`]. The count is enforced by [`enforce_rate_limit`], after
/// the caller's own checks of who the key is for.
///
/// `also` are reads that share the round trip (see [`api_keys::use_key`]); their results come
/// back with the check. A valid key's container is remembered in the isolate
/// ([`settings_cache::remember_key_owner`]) so the next request can send its reads along.
pub async fn authenticate(
    db: &D1Database,
    key: &ApiKey,
    now: UnixMs,
    also: Vec<D1PreparedStatement>,
) -> Result<(KeyCheck, Vec<D1Result>)> {
    let (used, also) = api_keys::use_key(db, key, minute_window(now.millis()), now, also).await?;
    let row = used
        .credentials
        .filter(|row| verify(key, &row.key_hash))
        .ok_or_else(|| Error::unauthorized(UNKNOWN))?;
    let Some(count) = used.count.filter(|_| row.revoked_at.is_none()) else {
        let revoked = KeyCheck::Revoked {
            container_id: row.container_id,
        };
        return Ok((revoked, also));
    };
    settings_cache::remember_key_owner(row.key_hash, &row.container_id);
    // The admin API only stores limits in range; clamp in case a row was written otherwise.
    let per_minute = row
        .rate_limit_per_minute
        .clamp(1, i64::from(MAX_RATE_LIMIT_PER_MINUTE)) as u32;
    let rate_limit = RateLimit::new(per_minute, "rate_limit_per_minute").unwrap_or_default();
    let valid = KeyCheck::Valid(Authenticated {
        key_id: row.id,
        container_id: row.container_id,
        rate_limit,
        count,
    });
    Ok((valid, also))
}

/// What a key presented to one container's custom webhook is to that container.
#[derive(Debug)]
pub enum KeyFor {
    /// One of its keys, still valid.
    Valid(Authenticated),
    /// One of its keys, revoked: refused, and listed in its activity as `auth_error`.
    Revoked,
    /// No key, a malformed or unknown one, or another container's: refused with this error,
    /// counted rather than listed (it is not the container's own caller).
    NotOurs(Error),
}

/// Checks the `Authorization: Bearer` key of a request to `container_id`'s custom webhook, with
/// `also` sharing its round trip; their results come back only with a valid key of the
/// container. Only our own failures (storage) are an `Err`.
pub async fn key_for_container(
    db: &D1Database,
    header: Option<&str>,
    container_id: &ContainerId,
    now: UnixMs,
    also: Vec<D1PreparedStatement>,
) -> Result<(KeyFor, Vec<D1Result>)> {
    let key = match bearer_key(header) {
        Ok(key) => key,
        Err(refusal) => return Ok((KeyFor::NotOurs(refusal), Vec::new())),
    };
    Ok(match authenticate(db, &key, now, also).await {
        Ok((KeyCheck::Valid(key), also)) if key.container_id == *container_id => {
            (KeyFor::Valid(key), also)
        }
        Ok((
            KeyCheck::Revoked {
                container_id: owner,
            },
            _,
        )) if owner == *container_id => (KeyFor::Revoked, Vec::new()),
        Ok(_) => (
            KeyFor::NotOurs(Error::unauthorized(OTHER_CONTAINER)),
            Vec::new(),
        ),
        Err(error) if error.is_internal() => return Err(error),
        Err(refusal) => (KeyFor::NotOurs(refusal), Vec::new()),
    })
}

/// Over the key's per-minute limit is [`Error::RateLimited`] until the next minute. Other keys
/// have counters of their own.
pub fn enforce_rate_limit(key: &Authenticated, now: UnixMs) -> Result<()> {
    if key.rate_limit.allows(key.count) {
        Ok(())
    } else {
        Err(Error::rate_limited(retry_after_seconds(now.millis())))
    }
}
