//! `POST /webhooks/custom/{container}/{topic}`: custom JSON webhooks (seed 004), with
//! `Authorization: Bearer {api key}`.
//!
//! Order of checks: an unknown container is a 404 with nothing logged (there is nowhere to log
//! it); then the key (401), the key's rate limit (429 with `Retry-After`), the topic (404
//! `unknown_topic`), the content type (415), the size (413) and the payload (422 naming the
//! field). Each of these is logged against the container in the path; only a valid request is
//! stored.

use super::activity::ActivityLog;
use super::auth;
use super::{accept_event, utf8, Accepted};
use crate::core::webhook_in::{parse_custom_body, Topic};
use crate::http::admin::containers::find as find_container;
use crate::http::admin::db;
use crate::http::body::{is_json_media, media_type, read_limited, MAX_BODY_BYTES};
use crate::http::error::{ApiError, ApiResult};
use crate::http::respond::{now_ms, param};
use worker::{Request, Response, RouteContext};

pub async fn handle_custom_webhook(mut req: Request, ctx: RouteContext<()>) -> ApiResult<Response> {
    let now = now_ms();
    let container = find_container(&ctx, param(&ctx, "container")).await?;
    let raw_topic = param(&ctx, "topic").to_string();
    let mut log = ActivityLog::new(&container.id, now);
    match Topic::parse(&raw_topic) {
        Ok(topic) => log.set_topic(topic.as_str()),
        Err(_) => log.set_topic(&raw_topic),
    }
    let outcome = receive(&mut req, &ctx, &container.id, &raw_topic, now).await;
    log.finish(&db(&ctx)?, outcome).await
}

async fn receive(
    req: &mut Request,
    ctx: &RouteContext<()>,
    container_id: &str,
    raw_topic: &str,
    now: i64,
) -> ApiResult<Accepted> {
    let db = db(ctx)?;
    let header = req.headers().get("authorization")?;
    let key = auth::bearer_key(header.as_deref())?;
    let key = auth::authenticate(&db, &key, now)
        .await
        .map_err(|refusal| refusal.error)?;
    if key.container_id != container_id {
        return Err(ApiError::Unauthorized(auth::OTHER_CONTAINER));
    }
    auth::enforce_rate_limit(&key, now)?;
    let topic = Topic::parse(raw_topic)?;
    if !media_type(req).is_some_and(|m| is_json_media(&m)) {
        return Err(ApiError::UnsupportedMediaType(
            "send the body as application/json",
        ));
    }
    let body = utf8(read_limited(req, MAX_BODY_BYTES).await?)?;
    let event = parse_custom_body(topic, &body)?;
    accept_event(ctx, container_id, &event, now).await
}
