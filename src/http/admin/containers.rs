//! Containers: create, list, read, change, and the event names each has seen.

use super::limit_param;
use super::model::install::InstallCheckOut;
use super::model::{ContainerList, ContainerOut, EventNameList, InstallOut};
use crate::config::DeliveryConfig;
use crate::core::connector::merge_patch;
use crate::core::container::ContainerSettings;
use crate::core::ids::ContainerId;
use crate::core::install::install_modes;
use crate::error::{Error, Result};
use crate::http::body::{read_json, MAX_BODY_BYTES};
use crate::http::request::Request;
use crate::http::respond::json;
use crate::http::router::RouteContext;
use crate::platform::{new_id, now, RuntimeZones};
use crate::store::containers::{self, ContainerRow};
use worker::Response;

/// A container as the API answers it. `retention_days` lists every kind with the days it is
/// kept (set, or the default; `log_days` is the worker's `LOG_RETENTION_DAYS`).
pub fn container_out(row: &ContainerRow, log_days: u32) -> ContainerOut {
    ContainerOut {
        id: row.id.clone(),
        settings: row.settings(),
        retention_days: row.retention().effective(log_days, row.longest_window()),
        created_at: row.created_at.iso8601(),
        updated_at: row.updated_at.iso8601(),
    }
}

pub async fn handle_create_container(mut req: Request, ctx: RouteContext) -> Result<Response> {
    let body = read_json(&mut req, MAX_BODY_BYTES).await?;
    let settings = ContainerSettings::parse(&body, &RuntimeZones)?;
    let id: ContainerId = new_id()?;
    let db = ctx.db()?;
    containers::insert(&db, &id, &settings, now()).await?;
    let row = containers::get(&db, &id)
        .await?
        .ok_or_else(|| Error::internal("create", "row vanished"))?;
    json(201, &container_out(&row, log_days(&ctx)))
}

pub async fn handle_list_containers(req: Request, ctx: RouteContext) -> Result<Response> {
    let limit = limit_param(&req, 100, 500)?;
    let rows = containers::list(&ctx.db()?, limit).await?;
    let log_days = log_days(&ctx);
    let data = rows.iter().map(|r| container_out(r, log_days)).collect();
    json(200, &ContainerList { data })
}

pub async fn handle_get_container(_: Request, ctx: RouteContext) -> Result<Response> {
    let row = containers::find(&ctx.db()?, &ctx.id("id")?).await?;
    json(200, &container_out(&row, log_days(&ctx)))
}

pub async fn handle_patch_container(mut req: Request, ctx: RouteContext) -> Result<Response> {
    let patch = read_json(&mut req, MAX_BODY_BYTES).await?;
    if !patch.is_object() {
        return Err(Error::bad_request(
            "invalid_body",
            "a patch is a JSON object",
        ));
    }
    let db = ctx.db()?;
    let row = containers::find(&db, &ctx.id("id")?).await?;
    let mut merged = row.settings().to_json();
    merge_patch(&mut merged, &patch);
    let settings = ContainerSettings::parse(&merged, &RuntimeZones)?;
    containers::update(&db, &row.id, &settings, now()).await?;
    let row = containers::find(&db, &row.id).await?;
    json(200, &container_out(&row, log_days(&ctx)))
}

/// The worker's `LOG_RETENTION_DAYS`: the default retention of deliveries and activity.
fn log_days(ctx: &RouteContext) -> u32 {
    DeliveryConfig::from_env(&ctx.env).log_retention_days
}

/// Names of the events this container has seen, most recent first, for the trigger picker.
pub async fn handle_list_event_names(_: Request, ctx: RouteContext) -> Result<Response> {
    let db = ctx.db()?;
    let row = containers::find(&db, &ctx.id("id")?).await?;
    let names = crate::store::events::recent_names(&db, &row.id).await?;
    json(200, &EventNameList { data: names })
}

/// `GET /admin/api/containers/{id}/install`: the install snippet for each way of serving the
/// browser routes (see `core::install`): from this worker's host (the tracking subdomain), and
/// same-origin under the site's own origin (the first allowed origin, else the cookie domain).
pub async fn handle_install(req: Request, ctx: RouteContext) -> Result<Response> {
    let row = containers::find(&ctx.db()?, &ctx.id("id")?).await?;
    let settings = row.settings();
    let tracking = req.url()?.origin().ascii_serialization();
    let site = settings
        .allowed_origins
        .first()
        .cloned()
        .unwrap_or_else(|| format!("https://{}", settings.cookie_domain));
    let path = ctx.config.same_origin_path.clone();
    let modes = install_modes(row.id.as_str(), &tracking, &site, &path);
    json(
        200,
        &InstallOut {
            same_origin_path: path,
            modes,
        },
    )
}

/// `GET /admin/api/containers/{id}/install-check`: the last page view the container saw (when,
/// from which page origin, through which host, whether its cookies could be set), the tracking
/// host the snippet should use and what is wrong, in plain words (`core::install_check`).
pub async fn handle_install_check(_: Request, ctx: RouteContext) -> Result<Response> {
    let db = ctx.db()?;
    let row = containers::find(&db, &ctx.id("id")?).await?;
    let last = crate::store::install::last(&db, &row.id).await?;
    json(200, &InstallCheckOut::new(last, &row.cookie_domain))
}
