//! The browser surface on the tracking subdomain (`t.shop.com`): the tracking script, page views,
//! the redirect for tracking links, and browser events. Glue shared by those handlers lives
//! here: reading `?id=`, the URL limit, query parameters, the consent signal and the answers
//! these endpoints share.

pub mod collect;
mod cookies;
pub mod cors;
pub mod event;
pub mod redirect;
pub mod tracking_script;

use super::router::RouteContext;
use crate::core::clicks::cookies::ConsentSignal;
use crate::core::clicks::is_non_human_visit;
use crate::core::clicks::Captured;
use crate::core::ids::ContainerId;
use crate::core::time::UnixMs;
use crate::error::{Error, Result};
use crate::store::click_refusals;
use crate::store::tracking::{self, TrackingContainer};
use url::Url;
use worker::{Headers, Request};

/// Longest request URL the browser endpoints accept. Landing URLs with long
/// click ids and UTM tags stay far below it; anything longer is refused whole, never cut.
pub const MAX_URL_BYTES: usize = 8 * 1024;

/// The request URL, or [`Error::UriTooLong`] when it is longer than [`MAX_URL_BYTES`].
fn request_url(req: &Request) -> Result<Url> {
    let url = req.url()?;
    if url.as_str().len() > MAX_URL_BYTES {
        return Err(Error::uri_too_long(MAX_URL_BYTES));
    }
    Ok(url)
}

/// The first value of a query parameter.
fn query(url: &Url, name: &str) -> Option<String> {
    url.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

fn required_query(url: &Url, name: &'static str) -> Result<String> {
    query(url, name).filter(|v| !v.is_empty()).ok_or_else(|| {
        Error::bad_request(
            "missing_parameter",
            format!("the query parameter {name} is required"),
        )
    })
}

/// `?id=` resolved to its container and connectors' click parameters: 400 when missing, 404
/// when unknown (a malformed id is answered without a database read).
async fn load_container(ctx: &RouteContext, url: &Url) -> Result<TrackingContainer> {
    let id = ContainerId::parse(&required_query(url, "id")?)
        .ok_or_else(|| Error::not_found("container"))?;
    tracking::get(&ctx.db()?, &id)
        .await?
        .ok_or_else(|| Error::not_found("container"))
}

/// The consent signal a page passes in `?consent=`: `t.js` sends what `postclick.consent(...)`
/// was told. Unknown words are refused, so a typo never reads as "no signal".
fn consent_query(url: &Url) -> Result<ConsentSignal> {
    let word = query(url, "consent").unwrap_or_default();
    ConsentSignal::parse_word(&word, "consent")
        .map_err(|e| Error::bad_request(e.code, format!("consent {}", e.message)))
}

/// A `HEAD`, a prefetch or a link-preview crawler: it must create no click and set no cookie.
fn is_not_a_visit(req: &Request) -> bool {
    let method = req.method();
    is_non_human_visit(method.as_ref(), &|name| header(req, name))
}

/// A request header by name; the header map is case-insensitive, as hygiene checks need.
fn header(req: &Request, name: &str) -> Option<String> {
    req.headers().get(name).ok().flatten()
}

/// Headers every browser answer carries: never cached, because each answer sets this
/// visitor's cookies.
fn no_store_headers() -> Result<Headers> {
    let headers = Headers::new();
    headers.set("cache-control", "no-store")?;
    Ok(headers)
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
