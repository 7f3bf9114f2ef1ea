//! `POST /webhooks/custom/{container}/{topic}`: custom JSON webhooks (seed 004), with
//! `Authorization: Bearer {api key}`.
//!
//! Order of checks: an unknown container is a 404 with nothing logged (there is nowhere to log
//! it); then the key: a missing, malformed or unknown key, or another container's, is a 401
//! counted against the keyless abuse limit (429 over it) and in the container's count of
//! unauthenticated requests, never listed; a revoked key of the container is a 401 listed as
//! `auth_error`. Then the key's rate limit (429 with `Retry-After`), the topic (404
//! `unknown_topic`), the content type (415), the size (413, as soon as the streamed body passes
//! it) and the payload (422 naming the field). Each of these is logged against the container in
//! the path; only a valid request is stored. A `refund` whose `conversion_id` names a known
//! conversion reverses it instead of storing a Refund event.

use super::activity::{refuse_keyless, ActivityLog};
use super::auth::{self, Authenticated, KeyFor};
use super::{accept_event, refund_known_conversion, utf8, Accepted};
use crate::core::ids::ContainerId;
use crate::core::time::UnixMs;
use crate::core::webhook_in::{parse_custom_body, Topic};
use crate::error::{Error, Result};
use crate::http::body::{is_json_media, media_type, read_limited, MAX_BODY_BYTES};
use crate::http::router::RouteContext;
use crate::platform::now;
use crate::store::containers;
use worker::{Request, Response};

pub async fn handle_custom_webhook(mut req: Request, ctx: RouteContext) -> Result<Response> {
    let now = now();
    let db = ctx.db()?;
    let container = containers::find(&db, &ctx.id("container")?).await?;
    let raw_topic = ctx.param("topic").to_string();
    let mut log = ActivityLog::new(&container.id, now);
    match Topic::parse(&raw_topic) {
        Ok(topic) => log.set_topic(topic.as_str()),
        Err(_) => log.set_topic(&raw_topic),
    }
    let header = req.headers().get("authorization")?;
    let key = match auth::key_for_container(&db, header.as_deref(), &container.id, now).await? {
        KeyFor::Valid(key) => key,
        KeyFor::Revoked => {
            return log
                .finish(&db, Err(Error::unauthorized(auth::REVOKED)))
                .await
        }
        KeyFor::NotOurs(refusal) => {
            return refuse_keyless(&ctx.env, &req, &db, Some(&container.id), refusal, now).await
        }
    };
    log.set_authenticated();
    let outcome = receive(&mut req, &ctx, &container.id, &key, &raw_topic, now).await;
    log.finish(&db, outcome).await
}

async fn receive(
    req: &mut Request,
    ctx: &RouteContext,
    container_id: &ContainerId,
    key: &Authenticated,
    raw_topic: &str,
    now: UnixMs,
) -> Result<Accepted> {
    auth::enforce_rate_limit(key, now)?;
    // The topic is part of the URL: one we do not know is a 404 (seed 004: a 404 means "check
    // the URL"), keeping its precise code `unknown_topic` and field `topic`.
    let topic = Topic::parse(raw_topic).map_err(Error::unknown)?;
    if !media_type(req).is_some_and(|m| is_json_media(&m)) {
        return Err(Error::unsupported_media(
            "send the body as application/json",
        ));
    }
    let body = utf8(read_limited(req, MAX_BODY_BYTES).await?)?;
    let event = parse_custom_body(topic, &body)?;
    if topic == Topic::Refund {
        if let Some(reversed) = refund_known_conversion(ctx, container_id, &event, now).await? {
            return Ok(reversed);
        }
    }
    accept_event(ctx, container_id, event, now).await
}
