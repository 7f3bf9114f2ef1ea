//! Connectors: create, list, read, change, delete, approve the pixel.

use super::containers::find as find_container;
use super::{db, limit_param, query_param, require_admin};
use crate::core::connector::{merge_patch, parse_connector, ConnectorConfig};
use crate::core::ids::IdKind;
use crate::http::body::{read_json, MAX_BODY_BYTES};
use crate::http::error::{ApiError, ApiResult};
use crate::http::respond::{iso8601, json, no_content, now_ms, param, random16};
use crate::store::connectors::{self, ConnectorRow};
use serde_json::{json, Value};
use worker::{Request, Response, RouteContext};

/// Request bodies may be a little larger than the pixel HTML limit, which `parse_connector`
/// enforces with a field error of its own.
const CONNECTOR_BODY_LIMIT: usize = MAX_BODY_BYTES + 16 * 1024;

fn connector_out(row: &ConnectorRow, config: &ConnectorConfig) -> ApiResult<Value> {
    let mut out = serde_json::to_value(config).map_err(|e| ApiError::internal("serialising", e))?;
    out["id"] = json!(row.id);
    out["container_id"] = json!(row.container_id);
    out["created_at"] = json!(iso8601(row.created_at));
    out["updated_at"] = json!(iso8601(row.updated_at));
    // Why the pixel rules refuse a pixel saved under earlier rules, for the console's card.
    out["pixel"]["refused"] = match &config.pixel.refused {
        Some(e) => json!({"message": e.message, "line": e.line, "column": e.column}),
        None => Value::Null,
    };
    Ok(out)
}

pub async fn find(ctx: &RouteContext<()>, id: &str) -> ApiResult<(ConnectorRow, ConnectorConfig)> {
    if !IdKind::Connector.matches(id) {
        return Err(ApiError::NotFound("no such connector"));
    }
    let row = connectors::get(&db(ctx)?, id)
        .await?
        .ok_or(ApiError::NotFound("no such connector"))?;
    let config = row.config()?;
    Ok((row, config))
}

async fn answer(ctx: &RouteContext<()>, id: &str, status: u16) -> ApiResult<Response> {
    let (row, config) = find(ctx, id).await?;
    json(status, &connector_out(&row, &config)?)
}

pub async fn handle_create_connector(
    mut req: Request,
    ctx: RouteContext<()>,
) -> ApiResult<Response> {
    require_admin(&req, &ctx)?;
    let container = find_container(&ctx, param(&ctx, "id")).await?;
    let body = read_json(&mut req, CONNECTOR_BODY_LIMIT).await?;
    let config = parse_connector(&body, None)?;
    let id = IdKind::Connector.new_id(random16()?);
    connectors::insert(&db(&ctx)?, &id, &container.id, &config, now_ms()).await?;
    answer(&ctx, &id, 201).await
}

pub async fn handle_list_connectors(req: Request, ctx: RouteContext<()>) -> ApiResult<Response> {
    require_admin(&req, &ctx)?;
    let container = find_container(&ctx, param(&ctx, "id")).await?;
    let limit = limit_param(&req, 50, 200)?;
    let after = query_param(&req, "after")?;
    let rows = connectors::list(&db(&ctx)?, &container.id, after.as_deref(), limit).await?;
    let data = rows
        .iter()
        .map(|row| connector_out(row, &row.config()?))
        .collect::<ApiResult<Vec<_>>>()?;
    let next = (rows.len() == limit as usize)
        .then(|| rows.last().map(|r| r.id.clone()))
        .flatten();
    json(200, &json!({"data": data, "next_after": next}))
}

pub async fn handle_get_connector(req: Request, ctx: RouteContext<()>) -> ApiResult<Response> {
    require_admin(&req, &ctx)?;
    answer(&ctx, param(&ctx, "id"), 200).await
}

pub async fn handle_patch_connector(
    mut req: Request,
    ctx: RouteContext<()>,
) -> ApiResult<Response> {
    require_admin(&req, &ctx)?;
    let patch = read_json(&mut req, CONNECTOR_BODY_LIMIT).await?;
    if !patch.is_object() {
        return Err(ApiError::bad_request(
            "invalid_body",
            "a patch is a JSON object",
        ));
    }
    let (row, current) = find(&ctx, param(&ctx, "id")).await?;
    let mut merged =
        serde_json::to_value(&current).map_err(|e| ApiError::internal("serialising", e))?;
    merge_patch(&mut merged, &patch);
    let config = parse_connector(&merged, Some(&current))?;
    connectors::update(&db(&ctx)?, &row.id, &config, now_ms()).await?;
    answer(&ctx, &row.id, 200).await
}

pub async fn handle_delete_connector(req: Request, ctx: RouteContext<()>) -> ApiResult<Response> {
    require_admin(&req, &ctx)?;
    let (row, _) = find(&ctx, param(&ctx, "id")).await?;
    connectors::delete(&db(&ctx)?, &row.id).await?;
    no_content()
}

pub async fn handle_approve_pixel(req: Request, ctx: RouteContext<()>) -> ApiResult<Response> {
    require_admin(&req, &ctx)?;
    let (row, mut config) = find(&ctx, param(&ctx, "id")).await?;
    if config.pixel.html.trim().is_empty() {
        return Err(crate::core::error::Invalid::field(
            "nothing_to_approve",
            "pixel.html",
            "the connector has no pixel HTML to approve",
        )
        .into());
    }
    if let Some(refused) = &config.pixel.refused {
        return Err(crate::core::error::Invalid::field(
            "invalid_placeholder",
            "pixel.html",
            refused.to_string(),
        )
        .into());
    }
    let now = now_ms();
    config.pixel.approved_at = Some(iso8601(now as f64));
    connectors::update(&db(&ctx)?, &row.id, &config, now).await?;
    answer(&ctx, &row.id, 200).await
}
