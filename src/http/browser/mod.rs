//! The browser surface on the tracking subdomain (`t.shop.com`): the tracking script, page views,
//! the redirect for tracking links, and browser events. Glue shared by those handlers lives
//! here: reading `?id=`, the URL limit, query parameters, the consent signal and the answers
//! these endpoints share.

pub mod collect;
mod cookies;
pub mod cors;
pub mod event;
mod install_record;
pub mod redirect;
pub mod tracking_script;

use super::client_limit;
use super::router::RouteContext;
use crate::config::Config;
use crate::core::clicks::cookies::ConsentSignal;
use crate::core::clicks::is_non_human_visit;
use crate::core::clicks::Captured;
use crate::core::client_limit::Surface;
use crate::core::form;
use crate::core::ids::ContainerId;
use crate::core::time::UnixMs;
use crate::error::{Error, Result};
use crate::http::request::Request;
use crate::store::click_refusals;
use crate::store::settings_cache;
use crate::store::tracking::TrackingContainer;
use sha2::{Digest, Sha256};
use std::rc::Rc;
use subtle::ConstantTimeEq;
use worker::Response;

/// Longest request URL the browser endpoints accept. Landing URLs with long
/// click ids and UTM tags stay far below it; anything longer is refused whole, never cut.
pub const MAX_URL_BYTES: usize = 8 * 1024;

/// The request URL's raw query, or [`Error::UriTooLong`] when the URL is longer than
/// [`MAX_URL_BYTES`]. The browser endpoints read nothing else of their URL, so they never parse
/// it whole.
fn request_query(req: &Request) -> Result<&str> {
    if req.url_len() > MAX_URL_BYTES {
        return Err(Error::uri_too_long(MAX_URL_BYTES));
    }
    Ok(req.query())
}

/// The value of the parameter `name` of the raw `query`, through the one strict decoder: 422
/// `duplicate_parameter` when it is given twice (which one counts would be a guess), 422
/// `invalid_encoding` when it is not UTF-8 once percent-decoded (never replaced, so two values
/// stay two).
fn query(query: &str, name: &str) -> Result<Option<String>> {
    Ok(form::single(query, name)?)
}

fn required_query(query_: &str, name: &'static str) -> Result<String> {
    query(query_, name)?
        .filter(|v| !v.is_empty())
        .ok_or_else(|| {
            Error::bad_request(
                "missing_parameter",
                format!("the query parameter {name} is required"),
            )
        })
}

/// `?id=` resolved to its container and connectors' click parameters: 400 when missing, 404
/// when unknown (a malformed id is answered without a database read). Read through the
/// isolate's cache, so a page view of a known container usually makes no D1 call.
async fn load_container(ctx: &RouteContext, query: &str) -> Result<Rc<TrackingContainer>> {
    container_by_id(ctx, &container_id(query)?).await
}

async fn container_by_id(ctx: &RouteContext, id: &ContainerId) -> Result<Rc<TrackingContainer>> {
    let now = crate::platform::now();
    if let Some(container) = settings_cache::cached(id, now) {
        return Ok(container);
    }
    let ttl = ctx.config.settings_cache_ttl_s;
    settings_cache::tracking_container(&ctx.db()?, id, ttl, now)
        .await?
        .ok_or_else(|| Error::not_found("container"))
}

fn container_id(query: &str) -> Result<ContainerId> {
    ContainerId::parse(&required_query(query, "id")?).ok_or_else(|| Error::not_found("container"))
}

/// [`load_container`] after counting the request of `client` against `surface`'s abuse limit
/// for that container and client: a flood is refused (429) before it costs a database read.
async fn limited_container(
    ctx: &RouteContext,
    client: &Client,
    query: &str,
    surface: Surface,
) -> Result<Rc<TrackingContainer>> {
    let id = container_id(query)?;
    let ip = client.ip.as_deref();
    client_limit::check(&ctx.env, ip, surface, Some(id.as_str())).await?;
    container_by_id(ctx, &id).await
}

/// The consent signal a page passes in `?consent=`: `t.js` sends what `postclick.consent(...)`
/// was told. Unknown words are refused, so a typo never reads as "no signal".
fn consent_query(query_: &str) -> Result<ConsentSignal> {
    let word = query(query_, "consent")?.unwrap_or_default();
    ConsentSignal::parse_word(&word, "consent")
        .map_err(|e| Error::bad_request(e.code, format!("consent {}", e.message)))
}

/// A `HEAD`, a prefetch or a link-preview crawler: it must create no click and set no cookie.
fn is_not_a_visit(req: &Request) -> bool {
    is_non_human_visit(req.raw_method(), &|name| header(req, name))
}

/// A request header by name; the header map is case-insensitive, as hygiene checks need.
fn header(req: &Request, name: &str) -> Option<String> {
    req.header(name)
}

/// An empty answer with `status` and what every browser answer carries: never cached, because
/// each answer sets this visitor's cookies. Its headers are the answer's own (a headers object
/// made for it and then replaced would cost another call into the runtime).
fn no_store_answer(status: u16) -> Result<Response> {
    let mut response = Response::empty()?.with_status(status);
    response.headers_mut().set("cache-control", "no-store")?;
    Ok(response)
}

/// Counts and logs the click values a landing refused: the visitor's landing never fails over
/// them, but none is dropped unseen. A failure to count is logged, not answered.
async fn count_refusals(
    ctx: &RouteContext,
    container: &ContainerId,
    captured: &Captured,
    now: UnixMs,
) {
    let refused = captured.refused();
    if refused.is_empty() {
        return;
    }
    for r in refused {
        worker::console_warn!(
            "click value refused: container={container} param={} reason={}",
            r.param,
            r.reason.code()
        );
    }
    let result = async { click_refusals::record(&ctx.db()?, container, refused, now).await };
    if let Err(e) = result.await {
        worker::console_error!("counting refused click values of {container}: {e}");
    }
}

/// The header a site's reverse proxy sends with the shared secret (`PROXY_SECRET`).
pub const PROXY_SECRET_HEADER: &str = "x-postclick-proxy-secret";

/// Who is asking, as the cookie plan and events need it.
pub struct Client {
    /// The host the browser asked for, port included: the site's own host when a trusted
    /// reverse proxy forwards same-origin mode (its `X-Forwarded-Host`), else `Host`.
    pub host: String,
    /// The browser's address: a trusted proxy's first `X-Forwarded-For` entry (or
    /// `X-Real-IP`), else Cloudflare's `CF-Connecting-IP`.
    pub ip: Option<String>,
}

/// The client of `req`, read once per request (each header read is a call into the runtime).
/// Forwarded headers count only when the request carries the configured `PROXY_SECRET`
/// (compared in constant time): anyone can send `X-Forwarded-Host`, and trusting it would let
/// any site set cookies as another.
fn client(req: &Request, config: &Config) -> Client {
    let own_host = || {
        header(req, "host")
            .or_else(|| {
                let url = req.url().ok()?;
                let host = url.host_str()?.to_string();
                Some(match url.port() {
                    Some(port) => format!("{host}:{port}"),
                    None => host,
                })
            })
            .unwrap_or_default()
    };
    let forwarded = config
        .proxy_secret
        .as_deref()
        .and_then(|expected| Some((expected, header(req, PROXY_SECRET_HEADER)?)))
        .is_some_and(|(expected, presented)| {
            bool::from(
                Sha256::digest(expected.as_bytes()).ct_eq(&Sha256::digest(presented.as_bytes())),
            )
        });
    if !forwarded {
        return Client {
            host: own_host(),
            ip: header(req, "cf-connecting-ip"),
        };
    }
    let first = |value: String| value.split(',').next().map(|v| v.trim().to_string());
    Client {
        host: header(req, "x-forwarded-host")
            .and_then(first)
            .filter(|h| !h.is_empty())
            .unwrap_or_else(own_host),
        ip: header(req, "x-forwarded-for")
            .and_then(first)
            .or_else(|| header(req, "x-real-ip"))
            .filter(|ip| !ip.is_empty())
            .or_else(|| header(req, "cf-connecting-ip")),
    }
}
