//! Connectors: create, list, read, change, delete, approve the pixel.

use super::model::{ConnectorOut, ConnectorPage};
use super::{limit_param, query_param};
use crate::core::connector::{merge_patch, parse_connector, ConnectorConfig};
use crate::core::ids::ConnectorId;
use crate::error::{Error, Result};
use crate::http::body::{read_json, MAX_BODY_BYTES};
use crate::http::respond::{json, no_content};
use crate::http::router::RouteContext;
use crate::platform::{new_id, now};
use crate::store::connectors::{self, ConnectorRow};
use crate::store::containers;
use worker::{Request, Response};

/// Request bodies may be a little larger than the pixel HTML limit, which `parse_connector`
/// enforces with a field error of its own.
const CONNECTOR_BODY_LIMIT: usize = MAX_BODY_BYTES + 16 * 1024;

/// A connector as the admin API shows it: its config without the signing secret (write-only),
/// and its pending notice.
fn connector_out(row: &ConnectorRow, config: ConnectorConfig) -> ConnectorOut {
    ConnectorOut::new(
        row.id.clone(),
        row.container_id.clone(),
        config,
        row.notice(),
        row.created_at.iso8601(),
        row.updated_at.iso8601(),
    )
}

/// The connector `id` with its parsed config, or [`Error::NotFound`].
pub async fn find(ctx: &RouteContext, id: &ConnectorId) -> Result<(ConnectorRow, ConnectorConfig)> {
    let row = find_row(ctx, id).await?;
    let config = row.config()?;
    Ok((row, config))
}

/// The stored connector without reading its config, for what needs only the row (its log, its
/// recovery): those work even for a connector that no longer passes validation.
pub async fn find_row(ctx: &RouteContext, id: &ConnectorId) -> Result<ConnectorRow> {
    connectors::get(&ctx.db()?, id)
        .await?
        .ok_or_else(|| Error::not_found("connector"))
}

async fn answer(ctx: &RouteContext, id: &ConnectorId, status: u16) -> Result<Response> {
    let (row, config) = find(ctx, id).await?;
    json(status, &connector_out(&row, config))
}

pub async fn handle_create_connector(mut req: Request, ctx: RouteContext) -> Result<Response> {
    let container = containers::find(&ctx.db()?, &ctx.id("id")?).await?;
    let body = read_json(&mut req, CONNECTOR_BODY_LIMIT).await?;
    let config = parse_connector(&body, None)?;
    let id: ConnectorId = new_id()?;
    connectors::insert(&ctx.db()?, &id, &container.id, &config, now()).await?;
    answer(&ctx, &id, 201).await
}

pub async fn handle_list_connectors(req: Request, ctx: RouteContext) -> Result<Response> {
    let db = ctx.db()?;
    let container = containers::find(&db, &ctx.id("id")?).await?;
    let limit = limit_param(&req, 50, 200)?;
    let rows = match query_param(&req, "after")? {
        None => connectors::list(&db, &container.id, None, limit).await?,
        Some(after) => match ConnectorId::parse(&after) {
            Some(after) => connectors::list(&db, &container.id, Some(&after), limit).await?,
            // No connector has that id, so nothing comes after it.
            None => Vec::new(),
        },
    };
    let data = rows
        .iter()
        .map(|row| Ok(connector_out(row, row.config()?)))
        .collect::<Result<Vec<_>>>()?;
    let next = (rows.len() == limit as usize)
        .then(|| rows.last().map(|r| r.id.clone()))
        .flatten();
    json(
        200,
        &ConnectorPage {
            data,
            next_after: next,
        },
    )
}

pub async fn handle_get_connector(_: Request, ctx: RouteContext) -> Result<Response> {
    answer(&ctx, &ctx.id("id")?, 200).await
}

/// `PATCH`: a JSON merge patch of the connector (RFC 7396). A key left out keeps its value, the
/// write-only signing secret included; `null` removes it. A patch clears the connector's
/// one-time notice: whoever edits the connector has seen it.
pub async fn handle_patch_connector(mut req: Request, ctx: RouteContext) -> Result<Response> {
    let patch = read_json(&mut req, CONNECTOR_BODY_LIMIT).await?;
    if !patch.is_object() {
        return Err(Error::bad_request(
            "invalid_body",
            "a patch is a JSON object",
        ));
    }
    let (row, current) = find(&ctx, &ctx.id("id")?).await?;
    let mut merged =
        serde_json::to_value(&current).map_err(|e| Error::internal("serialising", e))?;
    merge_patch(&mut merged, &patch);
    let config = parse_connector(&merged, Some(&current))?;
    connectors::update(&ctx.db()?, &row.id, &config, true, now()).await?;
    answer(&ctx, &row.id, 200).await
}

pub async fn handle_delete_connector(_: Request, ctx: RouteContext) -> Result<Response> {
    let (row, _) = find(&ctx, &ctx.id("id")?).await?;
    connectors::delete(&ctx.db()?, &row.id).await?;
    no_content()
}

pub async fn handle_approve_pixel(_: Request, ctx: RouteContext) -> Result<Response> {
    let (row, mut config) = find(&ctx, &ctx.id("id")?).await?;
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
    let now = now();
    config.pixel.approved_at = Some(now.iso8601());
    connectors::update(&ctx.db()?, &row.id, &config, false, now).await?;
    answer(&ctx, &row.id, 200).await
}
