//! The `api_keys` and `rate_limit_windows` tables: keys stored as prefix and SHA-256 only, and
//! the per-key, per-minute request counter.

use super::{all, first, int, run, statement, text, time};
use crate::core::api_key::{ApiKey, ApiKeyName, RateLimit};
use crate::core::ids::{ApiKeyId, ContainerId};
use crate::core::time::UnixMs;
use crate::error::{Error, Result};
use serde::Deserialize;
use worker::{D1Database, D1PreparedStatement, D1Result};

/// A key as lists show it: never the key, never its hash.
#[derive(Debug, Clone, Deserialize)]
pub struct ApiKeyRow {
    pub id: ApiKeyId,
    pub container_id: ContainerId,
    pub name: String,
    pub prefix: String,
    pub rate_limit_per_minute: i64,
    pub created_at: UnixMs,
    pub last_used_at: Option<UnixMs>,
    pub revoked_at: Option<UnixMs>,
}

/// What checking a presented key needs: the stored hash and the key's state.
#[derive(Debug, Clone, Deserialize)]
pub struct KeyCredentials {
    pub id: ApiKeyId,
    pub container_id: ContainerId,
    pub key_hash: String,
    pub rate_limit_per_minute: i64,
    pub revoked_at: Option<UnixMs>,
}

const LISTED: &str = "id, container_id, name, prefix, rate_limit_per_minute, created_at, \
                      last_used_at, revoked_at";

pub async fn insert(
    db: &D1Database,
    id: &ApiKeyId,
    container_id: &ContainerId,
    name: &ApiKeyName,
    key: &ApiKey,
    rate_limit: RateLimit,
    now: UnixMs,
) -> Result<()> {
    run(
        db,
        "INSERT INTO api_keys (id, container_id, name, prefix, key_hash, rate_limit_per_minute, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        &[
            text(id.as_str()),
            text(container_id.as_str()),
            text(name.as_str()),
            text(key.prefix()),
            text(&key.hash()),
            int(i64::from(rate_limit.per_minute())),
            time(now),
        ],
    )
    .await?;
    Ok(())
}

pub async fn get(db: &D1Database, id: &ApiKeyId) -> Result<Option<ApiKeyRow>> {
    first(
        db,
        &format!("SELECT {LISTED} FROM api_keys WHERE id = ?1"),
        &[text(id.as_str())],
    )
    .await
}

/// A container's keys, newest first, revoked ones included (bounded).
pub async fn list(db: &D1Database, container_id: &ContainerId) -> Result<Vec<ApiKeyRow>> {
    all(
        db,
        &format!(
            "SELECT {LISTED} FROM api_keys WHERE container_id = ?1 \
             ORDER BY created_at DESC, id DESC LIMIT 500"
        ),
        &[text(container_id.as_str())],
    )
    .await
}

/// Marks a key revoked; revoking twice keeps the first time.
pub async fn revoke(db: &D1Database, id: &ApiKeyId, now: UnixMs) -> Result<()> {
    run(
        db,
        "UPDATE api_keys SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
        &[text(id.as_str()), time(now)],
    )
    .await?;
    Ok(())
}

#[derive(Deserialize)]
struct Count {
    count: i64,
}

/// What one request with a key found: the key's row (if the key exists) and, for a key that is
/// not revoked, the request count of the current minute including this request.
#[derive(Debug, Clone)]
pub struct KeyUse {
    pub credentials: Option<KeyCredentials>,
    pub count: Option<u64>,
}

/// Looks a presented key up and counts the request against it, in one round trip (webhooks are
/// the hot path): the row by hash (a preimage-resistant digest, so lookup timing says nothing
/// about the key); the upsert that counts the request in `window` and returns the count; the
/// key's earlier windows dropped, so the table holds one row per active key and needs no sweep;
/// and `last_used_at`. A revoked or unknown key changes nothing.
///
/// `also` are read-only statements that join the same round trip (what the request will need
/// once its key is known to be valid); their results come back in order after the key's.
pub async fn use_key(
    db: &D1Database,
    key: &ApiKey,
    window: i64,
    now: UnixMs,
    also: Vec<D1PreparedStatement>,
) -> Result<(KeyUse, Vec<D1Result>)> {
    let hash = key.hash();
    let mut statements = vec![
        statement(
            db,
            "SELECT id, container_id, key_hash, rate_limit_per_minute, revoked_at \
             FROM api_keys WHERE key_hash = ?1",
            &[text(&hash)],
        )?,
        statement(
            db,
            "INSERT INTO rate_limit_windows (key_id, window, count) \
             SELECT id, ?2, 1 FROM api_keys WHERE key_hash = ?1 AND revoked_at IS NULL \
             ON CONFLICT (key_id, window) DO UPDATE SET count = count + 1 RETURNING count",
            &[text(&hash), int(window)],
        )?,
        statement(
            db,
            "DELETE FROM rate_limit_windows WHERE window < ?2 AND key_id = \
             (SELECT id FROM api_keys WHERE key_hash = ?1)",
            &[text(&hash), int(window)],
        )?,
        statement(
            db,
            "UPDATE api_keys SET last_used_at = ?2 WHERE key_hash = ?1 AND revoked_at IS NULL",
            &[text(&hash), time(now)],
        )?,
    ];
    let own = statements.len();
    statements.extend(also);
    let mut results = super::batch(db, statements, "checking an API key").await?;
    let read = |i: usize| results.get(i).ok_or("a missing batch result");
    let credentials = read(0)
        .and_then(|r| {
            r.results::<KeyCredentials>()
                .map_err(|_| "an unreadable key row")
        })
        .map_err(|e| Error::internal("checking an API key", e))?
        .into_iter()
        .next();
    let count = read(1)
        .and_then(|r| r.results::<Count>().map_err(|_| "an unreadable count"))
        .map_err(|e| Error::internal("counting a webhook request", e))?
        .into_iter()
        .next()
        .map(|c| u64::try_from(c.count).unwrap_or(0));
    let also = results.split_off(own.min(results.len()));
    Ok((KeyUse { credentials, count }, also))
}
