//! Connectors: create, list, read, change, delete, approve the pixel.

use super::model::{ConnectorOut, ConnectorPage, UnreadableConnector};
use super::{limit_param, query_param};
use crate::core::connector::{merge_patch, parse_connector, ConnectorConfig};
use crate::core::ids::ConnectorId;
use crate::error::{Error, Result};
use crate::http::body::{read_json, MAX_BODY_BYTES};
use crate::http::request::Request;
use crate::http::respond::{json, no_content};
use crate::http::router::RouteContext;
use crate::platform::{new_id, now};
use crate::store::connectors::{self, ConnectorRow};
use crate::store::containers;
use worker::Response;

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

/// The connector `id` with its parsed config, or [`Error::NotFound`]; a stored config that no
/// longer passes validation is a 409 `connector_unreadable` naming why (it can still be deleted,
/// and its log and recovery still work).
pub async fn find(ctx: &RouteContext, id: &ConnectorId) -> Result<(ConnectorRow, ConnectorConfig)> {
    let row = find_row(ctx, id).await?;
    match readable(&row)? {
        Ok(config) => Ok((row, config)),
        Err(reason) => Err(Error::conflict(
            "connector_unreadable",
            format!("{reason}; delete it and create it again with valid settings"),
        )),
    }
}

/// The row's config, or why it no longer passes validation (parsed once when it reads back).
fn readable(row: &ConnectorRow) -> Result<std::result::Result<ConnectorConfig, String>> {
    match row.config() {
        Ok(config) => Ok(Ok(config)),
        Err(e) => row.refusal().map(Err).ok_or(e),
    }
}

/// The name a stored connector was saved with, even one that no longer reads back; its id when
/// the stored config has no name.
pub fn stored_name(row: &ConnectorRow) -> String {
    serde_json::from_str::<serde_json::Value>(&row.config)
        .ok()
        .and_then(|v| v["name"].as_str().map(str::to_string))
        .unwrap_or_else(|| row.id.to_string())
}

/// A stored connector that no longer reads back, with the reason, for the list.
fn unreadable(row: &ConnectorRow, reason: String) -> UnreadableConnector {
    UnreadableConnector {
        id: row.id.clone(),
        container_id: row.container_id.clone(),
        name: stored_name(row),
        reason,
        created_at: row.created_at.iso8601(),
        updated_at: row.updated_at.iso8601(),
    }
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
    let mut data = Vec::with_capacity(rows.len());
    let mut unreadable_rows = Vec::new();
    for row in &rows {
        match readable(row)? {
            Ok(config) => data.push(connector_out(row, config)),
            Err(reason) => unreadable_rows.push(unreadable(row, reason)),
        }
    }
    let next = (rows.len() == limit as usize)
        .then(|| rows.last().map(|r| r.id.clone()))
        .flatten();
    json(
        200,
        &ConnectorPage {
            data,
            unreadable: unreadable_rows,
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
    let secret_changed = config.webhook.signing_secret != current.webhook.signing_secret;
    connectors::update(&ctx.db()?, &row.id, &config, true, secret_changed, now()).await?;
    answer(&ctx, &row.id, 200).await
}

/// `DELETE`: works for a connector whose stored config no longer reads back too.
pub async fn handle_delete_connector(_: Request, ctx: RouteContext) -> Result<Response> {
    let row = find_row(&ctx, &ctx.id("id")?).await?;
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
    connectors::update(&ctx.db()?, &row.id, &config, false, false, now).await?;
    answer(&ctx, &row.id, 200).await
}
