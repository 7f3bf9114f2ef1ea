//! `GET|POST /webhook`: Tracklution-compatible webhooks (seed 002). With `track` the request
//! records an event; without it, it enriches the visitor it matches (a set request).
//!
//! The query and a form body go through the one strict decoder (`core::form`): a parameter that
//! is not UTF-8 once percent-decoded is refused (422 `invalid_encoding`), after the key is read
//! from the other parameters, so the refusal is logged against the key's container. A `k` that
//! does not decode or is given twice is refused keyless (422).
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
use super::status::change_conversion_status;
use super::{
    accept_event, cached_container, named_visitor, read_partner_clicks, utf8, Accepted, Staged,
};
use crate::core::api_key::ApiKey;
use crate::core::ids::{ContainerId, EventId};
use crate::core::matching::{IdentityKind, LinkRule, MatchKeys};
use crate::core::provenance::Provenance;
use crate::core::time::UnixMs;
use crate::core::webhook_in::{
    parse_webhook, presented_key, SetData, TrackOrSet, WebhookBody, WebhookQuery,
};
use crate::delivery::intake::ServerReads;
use crate::error::{Error, Result};
use crate::http::body::{is_json_media, media_type, read_limited, MAX_BODY_BYTES};
use crate::http::request::Request;
use crate::http::router::RouteContext;
use crate::platform::now;
use crate::store::lifecycle::{self, by_event_id_in};
use crate::store::tracking::TrackingContainer;
use crate::store::{identities, settings_cache, visitors};
use worker::{D1Database, D1PreparedStatement, D1Result, Response};

pub async fn handle_webhook_get(req: Request, ctx: RouteContext) -> Result<Response> {
    receive(req, ctx, false).await
}

pub async fn handle_webhook_post(req: Request, ctx: RouteContext) -> Result<Response> {
    receive(req, ctx, true).await
}

async fn receive(mut req: Request, ctx: RouteContext, with_body: bool) -> Result<Response> {
    let now = now();
    let db = ctx.db()?;
    let query = WebhookQuery::parse(req.url()?.query().unwrap_or(""));
    // The body is read before the key is checked, because the key may be inside it.
    let body = if with_body {
        read_body(&mut req).await
    } else {
        Ok(WebhookBody::Empty)
    };
    let header = req.headers().get("authorization")?;
    let empty = WebhookBody::Empty;
    // A `k` that does not decode or comes twice names no key to log the refusal against.
    let k = match presented_key(&query, body.as_ref().unwrap_or(&empty)) {
        Ok(k) => k,
        Err(refusal) => {
            return refuse_keyless(&ctx.env, &req, &db, None, refusal.into(), now).await;
        }
    };
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
    let ahead = read_ahead(&ctx, &db, &key, &query, body.as_ref().ok(), now).await?;
    let statements = ahead
        .as_ref()
        .map_or(Ok(Vec::new()), |a| a.statements(&db))?;
    // An unknown key names no container, so its refusal is answered but logged nowhere.
    let (key, reads) = match auth::authenticate(&db, &key, now, statements).await {
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
    let ahead = ahead
        .filter(|a| a.container_id() == &key.container_id)
        .map(|a| (a, reads));
    let outcome = process(&ctx, &db, &key, &query, body, ahead, now, &mut log).await;
    log.finish(&db, outcome).await
}

/// What a request from a key this isolate has seen reads with the key check, for the key's
/// container (from the settings cache), so that it answers after two D1 round trips.
enum Ahead {
    /// A track request's event, staged: what storing it reads ([`ServerReads`]).
    Track(Box<Staged>),
    /// A status change: the conversion its event id names.
    Status(ContainerId, EventId),
    /// A set request, staged ([`staged_set`]), and its identities: the visitor they match.
    Set(ContainerId, Box<SetData>, MatchKeys),
}

impl Ahead {
    fn container_id(&self) -> &ContainerId {
        match self {
            Ahead::Track(staged) => &staged.container.row.id,
            Ahead::Status(container_id, _) | Ahead::Set(container_id, ..) => container_id,
        }
    }

    fn statements(&self, db: &D1Database) -> Result<Vec<D1PreparedStatement>> {
        match self {
            Ahead::Track(staged) => staged.reads(db),
            Ahead::Status(container_id, event_id) => Ok(vec![lifecycle::by_event_id_statement(
                db,
                container_id,
                event_id,
            )?]),
            Ahead::Set(container_id, _, keys) => {
                identities::match_statements(db, container_id, keys)
            }
        }
    }
}

/// The [`Ahead`] of a request whose key this isolate has seen; `None` for anything else (a
/// first request, a payload that does not parse), which reads what it needs after the check.
async fn read_ahead(
    ctx: &RouteContext,
    db: &D1Database,
    key: &ApiKey,
    query: &WebhookQuery,
    body: Option<&WebhookBody>,
    now: UnixMs,
) -> Result<Option<Ahead>> {
    let Some(owner) = settings_cache::key_owner(&key.hash()) else {
        return Ok(None);
    };
    let (Ok(query), Some(body)) = (query.pairs(), body) else {
        return Ok(None);
    };
    let Ok(parsed) = parse_webhook(query, body) else {
        return Ok(None);
    };
    Ok(match parsed {
        TrackOrSet::Track(event) => {
            let container = cached_container(ctx, db, &owner, now).await?;
            Staged::new(&ctx.env, container, event)
                .ok()
                .map(|staged| Ahead::Track(Box::new(staged)))
        }
        TrackOrSet::Status(event_id, _) => Some(Ahead::Status(owner, event_id)),
        TrackOrSet::Set(set) => {
            let container = cached_container(ctx, db, &owner, now).await?;
            staged_set(ctx, &container, set).ok().map(|set| {
                let keys = set.match_keys();
                Ahead::Set(owner, Box::new(set), keys)
            })
        }
    })
}

/// A set request made ready for `container`: its visitor id read ([`named_visitor`]) and its
/// partner click ids promoted ([`read_partner_clicks`]).
fn staged_set(
    ctx: &RouteContext,
    container: &TrackingContainer,
    mut set: SetData,
) -> Result<SetData> {
    set.visitor_id = named_visitor(&ctx.env, set.visitor_id.take());
    read_partner_clicks(container, &set.attributes, &mut set.clicks)?;
    Ok(set)
}

/// Everything after the key: the rate limit, the payload, and storing it.
#[allow(clippy::too_many_arguments)]
async fn process(
    ctx: &RouteContext,
    db: &D1Database,
    key: &Authenticated,
    query: &WebhookQuery,
    body: Result<WebhookBody>,
    ahead: Option<(Ahead, Vec<D1Result>)>,
    now: UnixMs,
    log: &mut ActivityLog,
) -> Result<Accepted> {
    auth::enforce_rate_limit(key, now)?;
    let parsed = parse_webhook(query.pairs()?, &body?)?;
    log.set_topic(parsed.activity_topic());
    match (parsed, ahead) {
        (TrackOrSet::Track(event), ahead) => {
            let (staged, reads) = match ahead {
                Some((Ahead::Track(staged), results)) => {
                    let reads = ServerReads::from_results(&staged.event, &results)?;
                    (*staged, Some(reads))
                }
                _ => {
                    let container = cached_container(ctx, db, &key.container_id, now).await?;
                    (Staged::new(&ctx.env, container, event)?, None)
                }
            };
            accept_event(ctx, staged, reads, log, now).await
        }
        (TrackOrSet::Status(event_id, change), ahead) => {
            let known = match ahead {
                Some((Ahead::Status(..), results)) => Some(by_event_id_in(results.first())?),
                _ => None,
            };
            let container_id = &key.container_id;
            change_conversion_status(ctx, container_id, &event_id, &change, known, log, now).await
        }
        (TrackOrSet::Set(set), ahead) => {
            let (set, keys, matched) = match ahead {
                // Staged, and its visitor read, with the key check.
                Some((Ahead::Set(_, staged, keys), results)) => {
                    let matched = identities::matched_in(&keys, &results)?;
                    (*staged, keys, Some(matched))
                }
                _ => {
                    let container = cached_container(ctx, db, &key.container_id, now).await?;
                    let set = staged_set(ctx, &container, set)?;
                    let keys = set.match_keys();
                    (set, keys, None)
                }
            };
            enrich_visitor(db, &key.container_id, &set, (keys, matched), log, now).await
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
        Some("application/x-www-form-urlencoded") => Ok(WebhookBody::form(&utf8(bytes)?)?),
        _ => Err(Error::unsupported_media(
            "send the body as application/json or application/x-www-form-urlencoded",
        )),
    }
}

/// A set request: find the visitor, tie the request's identities to them (which also
/// late-matches earlier events waiting for those identities), and merge its data into the
/// visitor's attributes, in one transaction with the request's activity row. No event is
/// created. `keys` are its identities, and the visitor they match when that was read with the
/// key check (`None` reads it now).
async fn enrich_visitor(
    db: &D1Database,
    container_id: &ContainerId,
    set: &SetData,
    (keys, matched): (MatchKeys, Option<Option<(String, String)>>),
    log: &mut ActivityLog,
    now: UnixMs,
) -> Result<Accepted> {
    let matched = match matched {
        Some(matched) => matched,
        None => identities::match_visitor(db, container_id, &keys).await?,
    };
    let Some((visitor_id, matched_by)) = matched else {
        return Ok(set_answer(false));
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
    let accepted = set_answer(true);
    statements.extend(log.accepted_statements(db, &accepted)?);
    crate::store::batch(db, statements, "enriching a visitor").await?;
    Ok(accepted)
}

/// The answer to a set request: `session_matched` when it found the visitor to enrich.
fn set_answer(session_matched: bool) -> Accepted {
    Accepted {
        kind: "set",
        event_id: None,
        session_matched,
        duplicate: false,
        confirmed: false,
    }
}
