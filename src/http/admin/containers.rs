//! Containers: create, list, read, change.

use super::model::{ContainerList, ContainerOut, EventNameList};
use super::{db, limit_param, require_admin};
use crate::core::connector::merge_patch;
use crate::core::container::ContainerSettings;
use crate::core::ids::IdKind;
use crate::http::body::{read_json, MAX_BODY_BYTES};
use crate::http::error::{ApiError, ApiResult};
use crate::http::respond::{iso8601, json, now_ms, param, random16};
use crate::store::containers::{self, ContainerRow};
use worker::{Request, Response, RouteContext};

pub fn container_out(row: &ContainerRow) -> ContainerOut {
    ContainerOut {
        id: row.id.clone(),
        settings: row.settings(),
        created_at: iso8601(row.created_at),
        updated_at: iso8601(row.updated_at),
    }
}

/// Loads a container by id, or 404.
pub async fn find(ctx: &RouteContext<()>, id: &str) -> ApiResult<ContainerRow> {
    if !IdKind::Container.matches(id) {
        return Err(ApiError::NotFound("no such container"));
    }
    containers::get(&db(ctx)?, id)
        .await?
        .ok_or(ApiError::NotFound("no such container"))
}

pub async fn handle_create_container(
    mut req: Request,
    ctx: RouteContext<()>,
) -> ApiResult<Response> {
    require_admin(&req, &ctx)?;
    let body = read_json(&mut req, MAX_BODY_BYTES).await?;
    let settings = ContainerSettings::parse(&body)?;
    let id = IdKind::Container.new_id(random16()?);
    let db = db(&ctx)?;
    containers::insert(&db, &id, &settings, now_ms()).await?;
    let row = containers::get(&db, &id)
        .await?
        .ok_or_else(|| ApiError::internal("create", "row vanished"))?;
    json(201, &container_out(&row))
}

pub async fn handle_list_containers(req: Request, ctx: RouteContext<()>) -> ApiResult<Response> {
    require_admin(&req, &ctx)?;
    let limit = limit_param(&req, 100, 500)?;
    let rows = containers::list(&db(&ctx)?, limit).await?;
    let data = rows.iter().map(container_out).collect();
    json(200, &ContainerList { data })
}

pub async fn handle_get_container(req: Request, ctx: RouteContext<()>) -> ApiResult<Response> {
    require_admin(&req, &ctx)?;
    let row = find(&ctx, param(&ctx, "id")).await?;
    json(200, &container_out(&row))
}

pub async fn handle_patch_container(
    mut req: Request,
    ctx: RouteContext<()>,
) -> ApiResult<Response> {
    require_admin(&req, &ctx)?;
    let patch = read_json(&mut req, MAX_BODY_BYTES).await?;
    if !patch.is_object() {
        return Err(ApiError::bad_request(
            "invalid_body",
            "a patch is a JSON object",
        ));
    }
    let row = find(&ctx, param(&ctx, "id")).await?;
    let mut merged = row.settings().to_json();
    merge_patch(&mut merged, &patch);
    let settings = ContainerSettings::parse(&merged)?;
    let db = db(&ctx)?;
    containers::update(&db, &row.id, &settings, now_ms()).await?;
    let row = find(&ctx, &row.id).await?;
    json(200, &container_out(&row))
}

/// Names of the events this container has seen, most recent first, for the trigger picker.
pub async fn handle_list_event_names(req: Request, ctx: RouteContext<()>) -> ApiResult<Response> {
    require_admin(&req, &ctx)?;
    let row = find(&ctx, param(&ctx, "id")).await?;
    let names = crate::store::events::recent_names(&db(&ctx)?, &row.id).await?;
    json(200, &EventNameList { data: names })
}
