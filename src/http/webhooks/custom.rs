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
//! conversion reverses it instead of storing a Refund event; one naming a conversion not known
//! yet is stored as a Refund that leaves the id to the conversion, which is reversed when it
//! arrives (`delivery::intake`).

use super::activity::{refuse_keyless, ActivityLog};
use super::auth::{self, Authenticated, KeyFor};
use super::status::{refund_known_conversion, refund_reads};
use super::{accept_event, cached_container, utf8, Accepted, Staged};
use crate::core::event::NewEvent;
use crate::core::time::UnixMs;
use crate::core::webhook_in::{parse_custom_body, Topic};
use crate::delivery::intake::ServerReads;
use crate::error::{Error, Result};
use crate::http::body::{is_json_media, media_type, read_limited, MAX_BODY_BYTES};
use crate::http::request::Request;
use crate::http::router::RouteContext;
use crate::platform::now;
use crate::store::tracking::TrackingContainer;
use std::rc::Rc;
use worker::{D1Result, Response};

pub async fn handle_custom_webhook(mut req: Request, ctx: RouteContext) -> Result<Response> {
    let now = now();
    let db = ctx.db()?;
    let container = cached_container(&ctx, &db, &ctx.id("container")?, now).await?;
    let raw_topic = ctx.param("topic").to_string();
    let mut log = ActivityLog::new(&container.row.id, now);
    match Topic::parse(&raw_topic) {
        Ok(topic) => log.set_topic(topic.as_str()),
        Err(_) => log.set_topic(&raw_topic),
    }
    // The payload is read before the key, so that what storing it reads shares the key's round
    // trip; its refusals still come after the key's, in the order of the module's doc.
    let payload = read_payload(&mut req, &raw_topic).await;
    let staged = staged_event(&ctx, &container, &payload);
    let ahead = match &staged {
        // A refund reads the conversion it reverses, and what storing it as a Refund needs.
        Some(staged) if staged.event.is_refund() => {
            let mut reads = refund_reads(&db, &container.row.id, &staged.event)?;
            reads.extend(staged.reads(&db)?);
            reads
        }
        Some(staged) => staged.reads(&db)?,
        None => Vec::new(),
    };
    let header = req.headers().get("authorization")?;
    let (check, reads) =
        auth::key_for_container(&db, header.as_deref(), &container.row.id, now, ahead).await?;
    let key = match check {
        KeyFor::Valid(key) => key,
        KeyFor::Revoked => {
            return log
                .finish(&db, Err(Error::unauthorized(auth::REVOKED)))
                .await
        }
        KeyFor::NotOurs(refusal) => {
            let id = &container.row.id;
            return refuse_keyless(&ctx.env, &req, &db, Some(id), refusal, now).await;
        }
    };
    log.set_authenticated();
    let outcome = receive(&ctx, &key, payload, staged, reads, &mut log, now).await;
    log.finish(&db, outcome).await
}

/// The topic, content type, size and payload checks, in that order, made on the request before
/// its key is checked (and answered after it).
async fn read_payload(req: &mut Request, raw_topic: &str) -> Result<NewEvent> {
    // The topic is part of the URL: one we do not know is a 404 (seed 004: a 404 means "check
    // the URL"), keeping its precise code `unknown_topic` and field `topic`.
    let topic = Topic::parse(raw_topic).map_err(Error::unknown)?;
    if !media_type(req).is_some_and(|m| is_json_media(&m)) {
        return Err(Error::unsupported_media(
            "send the body as application/json",
        ));
    }
    let body = utf8(read_limited(req, MAX_BODY_BYTES).await?)?;
    Ok(parse_custom_body(topic, &body)?)
}

/// The event of a payload that parsed, staged for `container`.
fn staged_event(
    ctx: &RouteContext,
    container: &Rc<TrackingContainer>,
    payload: &Result<NewEvent>,
) -> Option<Staged> {
    let event = payload.as_ref().ok()?;
    Staged::new(&ctx.env, Rc::clone(container), event.clone()).ok()
}

async fn receive(
    ctx: &RouteContext,
    key: &Authenticated,
    payload: Result<NewEvent>,
    staged: Option<Staged>,
    reads: Vec<D1Result>,
    log: &mut ActivityLog,
    now: UnixMs,
) -> Result<Accepted> {
    auth::enforce_rate_limit(key, now)?;
    let event = payload?;
    if let Some(staged) = staged {
        let mut reads = &reads[..];
        if staged.event.is_refund() {
            let conversion = staged.event.event_id.as_ref().and(reads.first());
            if let Some(reversed) =
                refund_known_conversion(ctx, &key.container_id, &event, conversion, log, now)
                    .await?
            {
                return Ok(reversed);
            }
            // Without a conversion id there was no conversion to read.
            if conversion.is_some() {
                reads = &reads[1..];
            }
        }
        let reads = ServerReads::from_results(&staged.event, reads)?;
        return accept_event(ctx, staged, Some(reads), log, now).await;
    }
    if event.is_refund() {
        if let Some(reversed) =
            refund_known_conversion(ctx, &key.container_id, &event, None, log, now).await?
        {
            return Ok(reversed);
        }
    }
    let container = cached_container(ctx, &ctx.db()?, &key.container_id, now).await?;
    accept_event(
        ctx,
        Staged::new(&ctx.env, container, event)?,
        None,
        log,
        now,
    )
    .await
}
