//! API keys for the inbound webhooks: create (the only answer that shows the key), list
//! (prefix, name, times, never the key or its hash), revoke.

use super::model::{ApiKeyCreated, ApiKeyList, ApiKeyOut};
use crate::core::api_key::{ApiKey, ApiKeyName, RateLimit, API_KEY_RANDOM_BYTES};
use crate::core::error::Invalid;
use crate::core::ids::ApiKeyId;
use crate::core::time::UnixMs;
use crate::error::{Error, Result};
use crate::http::body::{read_json, MAX_BODY_BYTES};
use crate::http::request::Request;
use crate::http::respond::{json, no_content};
use crate::http::router::RouteContext;
use crate::platform::{new_id, now, random};
use crate::store::api_keys::{self, ApiKeyRow};
use crate::store::containers;
use serde_json::Value;
use worker::Response;

fn key_out(row: &ApiKeyRow) -> ApiKeyOut {
    ApiKeyOut {
        id: row.id.clone(),
        container_id: row.container_id.clone(),
        name: row.name.clone(),
        prefix: row.prefix.clone(),
        rate_limit_per_minute: row.rate_limit_per_minute as u32,
        created_at: row.created_at.iso8601(),
        last_used_at: row.last_used_at.map(UnixMs::iso8601),
        revoked_at: row.revoked_at.map(UnixMs::iso8601),
        revoked: row.revoked_at.is_some(),
    }
}

/// `{name, rate_limit_per_minute?}`.
fn parse_new_key(body: &Value) -> Result<(ApiKeyName, RateLimit), Invalid> {
    let Value::Object(fields) = body else {
        return Err(Invalid::new(
            "invalid_body",
            "the body must be a JSON object",
        ));
    };
    let name = match fields.get("name") {
        Some(Value::String(name)) => ApiKeyName::parse(name, "name")?,
        None | Some(Value::Null) => {
            return Err(Invalid::field(
                "missing_field",
                "name",
                "name the key, e.g. Backend prod",
            ))
        }
        Some(_) => return Err(Invalid::field("invalid_type", "name", "must be a string")),
    };
    let rate_limit =
        RateLimit::from_json(fields.get("rate_limit_per_minute"), "rate_limit_per_minute")?;
    Ok((name, rate_limit))
}

pub async fn handle_create_api_key(mut req: Request, ctx: RouteContext) -> Result<Response> {
    let db = ctx.db()?;
    let container = containers::find(&db, &ctx.id("id")?).await?;
    let body = read_json(&mut req, MAX_BODY_BYTES).await?;
    let (name, rate_limit) = parse_new_key(&body)?;
    let key = ApiKey::generate(&random::<API_KEY_RANDOM_BYTES>()?);
    let id: ApiKeyId = new_id()?;
    api_keys::insert(&db, &id, &container.id, &name, &key, rate_limit, now()).await?;
    let row = api_keys::get(&db, &id)
        .await?
        .ok_or_else(|| Error::internal("creating an API key", "the row vanished"))?;
    // The one time the key is shown: only its prefix and hash are kept.
    let out = ApiKeyCreated {
        key_info: key_out(&row),
        key: key.as_str().to_string(),
    };
    json(201, &out)
}

pub async fn handle_list_api_keys(_: Request, ctx: RouteContext) -> Result<Response> {
    let db = ctx.db()?;
    let container = containers::find(&db, &ctx.id("id")?).await?;
    let rows = api_keys::list(&db, &container.id).await?;
    let data = rows.iter().map(key_out).collect();
    json(200, &ApiKeyList { data })
}

/// Revokes a key: from now on it gets 401. Revoking a revoked key is a no-op.
pub async fn handle_revoke_api_key(_: Request, ctx: RouteContext) -> Result<Response> {
    let id: ApiKeyId = ctx.id("id")?;
    let db = ctx.db()?;
    let row = api_keys::get(&db, &id)
        .await?
        .ok_or_else(|| Error::not_found("API key"))?;
    api_keys::revoke(&db, &row.id, now()).await?;
    no_content()
}
