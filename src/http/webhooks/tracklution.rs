//! `GET|POST /webhook`: Tracklution-compatible webhooks (seed 002). With `track` the request
//! records an event; without it, it enriches the visitor it matches (a set request).
//!
//! The key comes as `k` (query or body) or as `Authorization: Bearer`. The body is read first
//! (the key may be inside it), capped at 64 KiB while it streams in. The container is known only
//! through the key, so a missing, malformed or unknown key has no container to log against and
//! leaves no activity row; it is counted against the keyless abuse limit (429 over it). A revoked
//! key still names its container and is logged there.
//!
//! A set request that matches no visitor is acknowledged (`session_matched: false`) and keeps
//! nothing: there is no session to enrich, and it creates no event. Send `track` to record a
//! conversion that should wait for a later match.

use super::activity::{refuse_keyless, ActivityLog};
use super::auth::{self, Authenticated, KeyCheck};
use super::{
    accept_event, cached_container, change_conversion_status, named_visitor, read_partner_clicks,
    utf8, Accepted, Staged,
};
use crate::core::api_key::ApiKey;
use crate::core::ids::ContainerId;
use crate::core::matching::{IdentityKind, LinkRule};
use crate::core::provenance::Provenance;
use crate::core::time::UnixMs;
use crate::core::webhook_in::{parse_webhook, presented_key, SetData, TrackOrSet, WebhookBody};
use crate::delivery::intake::ServerReads;
use crate::error::{Error, Result};
use crate::http::body::{is_json_media, media_type, read_limited, MAX_BODY_BYTES};
use crate::http::request::Request;
use crate::http::router::RouteContext;
use crate::platform::now;
use crate::store::{identities, settings_cache, visitors};
use worker::{D1Database, D1Result, Response};

pub async fn handle_webhook_get(req: Request, ctx: RouteContext) -> Result<Response> {
    receive(req, ctx, false).await
}

pub async fn handle_webhook_post(req: Request, ctx: RouteContext) -> Result<Response> {
    receive(req, ctx, true).await
}

async fn receive(mut req: Request, ctx: RouteContext, with_body: bool) -> Result<Response> {
    let now = now();
    let db = ctx.db()?;
    let query: Vec<(String, String)> = req.url()?.query_pairs().into_owned().collect();
    // The body is read before the key is checked, because the key may be inside it.
    let body = if with_body {
        read_body(&mut req).await
    } else {
        Ok(WebhookBody::Empty)
    };
    let header = req.headers().get("authorization")?;
    let empty = WebhookBody::Empty;
    let k = presented_key(&query, body.as_ref().unwrap_or(&empty));
    let no_key_anywhere = header.is_none() && k.is_none();
    let key = match auth::header_or_k(header.as_deref(), k) {
        Ok(key) => key,
        // No key anywhere we could read: a body we could not read is the better answer.
        Err(missing) => {
            let refusal = match body {
                Err(body_error) if no_key_anywhere => body_error,
                _ => missing,
            };
            return refuse_keyless(&ctx.env, &req, &db, None, refusal, now).await;
        }
    };
    let staged = read_ahead(&ctx, &db, &key, &query, body.as_ref().ok(), now).await?;
    let ahead = staged.as_ref().map_or(Ok(Vec::new()), |s| s.reads(&db))?;
    // An unknown key names no container, so its refusal is answered but logged nowhere.
    let (key, reads) = match auth::authenticate(&db, &key, now, ahead).await {
        Ok((KeyCheck::Valid(key), reads)) => (key, reads),
        Ok((KeyCheck::Revoked { container_id }, _)) => {
            let refusal = Error::unauthorized(auth::REVOKED);
            return ActivityLog::new(&container_id, now)
                .finish(&db, Err(refusal))
                .await;
        }
        Err(refusal) if !refusal.is_internal() => {
            return refuse_keyless(&ctx.env, &req, &db, None, refusal, now).await
        }
        Err(internal) => return Err(internal),
    };
    let mut log = ActivityLog::new(&key.container_id, now);
    log.set_authenticated();
    let ahead = staged
        .filter(|s| s.container.row.id == key.container_id)
        .map(|s| (s, reads));
    let outcome = process(&ctx, &db, &key, &query, body, ahead, now, &mut log).await;
    log.finish(&db, outcome).await
}

/// A track request from a key this isolate has seen, staged for the key's container (from the
/// settings cache) before the key is checked, so the reads that storing it needs go with the
/// key's own round trip. `None` for anything else, which reads what it needs after the check.
async fn read_ahead(
    ctx: &RouteContext,
    db: &D1Database,
    key: &ApiKey,
    query: &[(String, String)],
    body: Option<&WebhookBody>,
    now: UnixMs,
) -> Result<Option<Staged>> {
    let Some(owner) = settings_cache::key_owner(&key.hash()) else {
        return Ok(None);
    };
    let Some(Ok(TrackOrSet::Track(event))) = body.map(|body| parse_webhook(query, body)) else {
        return Ok(None);
    };
    let container = cached_container(ctx, db, &owner, now).await?;
    Ok(Staged::new(&ctx.env, container, event).ok())
}

/// Everything after the key: the rate limit, the payload, and storing it.
#[allow(clippy::too_many_arguments)]
async fn process(
    ctx: &RouteContext,
    db: &D1Database,
    key: &Authenticated,
    query: &[(String, String)],
    body: Result<WebhookBody>,
    ahead: Option<(Staged, Vec<D1Result>)>,
    now: UnixMs,
    log: &mut ActivityLog,
) -> Result<Accepted> {
    auth::enforce_rate_limit(key, now)?;
    let parsed = parse_webhook(query, &body?)?;
    log.set_topic(parsed.activity_topic());
    match parsed {
        TrackOrSet::Track(event) => {
            let (staged, reads) = match ahead {
                Some((staged, results)) => {
                    let reads = ServerReads::from_results(&staged.event, &results)?;
                    (staged, Some(reads))
                }
                None => {
                    let container = cached_container(ctx, db, &key.container_id, now).await?;
                    (Staged::new(&ctx.env, container, event)?, None)
                }
            };
            accept_event(ctx, staged, reads, log, now).await
        }
        TrackOrSet::Status(event_id, change) => {
            change_conversion_status(ctx, &key.container_id, &event_id, &change, now).await
        }
        TrackOrSet::Set(mut set) => {
            set.visitor_id = named_visitor(&ctx.env, set.visitor_id.take());
            let container = cached_container(ctx, db, &key.container_id, now).await?;
            read_partner_clicks(&container, &set.attributes, &mut set.clicks)?;
            enrich_visitor(db, &key.container_id, &set, now).await
        }
    }
}

/// A form or JSON body (415 for anything else that is not empty), at most 64 KiB (413).
async fn read_body(req: &mut Request) -> Result<WebhookBody> {
    let media = media_type(req);
    let bytes = read_limited(req, MAX_BODY_BYTES).await?;
    if bytes.is_empty() {
        return Ok(WebhookBody::Empty);
    }
    match media.as_deref() {
        Some(m) if is_json_media(m) => Ok(WebhookBody::json(&utf8(bytes)?)?),
        Some("application/x-www-form-urlencoded") => Ok(WebhookBody::form(&utf8(bytes)?)),
        _ => Err(Error::unsupported_media(
            "send the body as application/json or application/x-www-form-urlencoded",
        )),
    }
}

/// A set request: find the visitor, tie the request's identities to them (which also
/// late-matches earlier events waiting for those identities), and merge its data into the
/// visitor's attributes, all in one transaction. No event is created.
async fn enrich_visitor(
    db: &D1Database,
    container_id: &ContainerId,
    set: &SetData,
    now: UnixMs,
) -> Result<Accepted> {
    let keys = set.match_keys();
    let matched = identities::match_visitor(db, container_id, &keys).await?;
    let Some((visitor_id, matched_by)) = matched else {
        return Ok(Accepted {
            kind: "set",
            event_id: None,
            session_matched: false,
            duplicate: false,
            confirmed: false,
        });
    };
    let carried: Vec<(String, String)> = keys
        .keys()
        .iter()
        .filter(|key| key.kind != IdentityKind::VisitorId)
        .map(|key| (key.kind.label(), key.key.clone()))
        .collect();
    let rule = LinkRule::for_event(Provenance::Server, &matched_by);
    let mut statements =
        identities::link_identities(db, container_id, &visitor_id, &carried, rule, now)?;
    statements.push(visitors::merge(
        db,
        container_id,
        &visitor_id,
        &visitors::set_document(set),
        now,
    )?);
    crate::store::batch(db, statements, "enriching a visitor").await?;
    Ok(Accepted {
        kind: "set",
        event_id: None,
        session_matched: true,
        duplicate: false,
        confirmed: false,
    })
}
