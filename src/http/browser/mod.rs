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

use super::admin::db;
use super::error::{ApiError, ApiResult};
use crate::core::clicks::cookies::ConsentSignal;
use crate::core::clicks::is_non_human_visit;
use crate::core::ids::IdKind;
use crate::store::tracking::{self, TrackingContainer};
use url::Url;
use worker::{Headers, Request, Response, RouteContext};

/// Longest request URL the browser endpoints accept. Landing URLs with long
/// click ids and UTM tags stay far below it; anything longer is refused whole, never cut.
pub const MAX_URL_BYTES: usize = 8 * 1024;

/// The request URL, or a 413 refusal when it is longer than [`MAX_URL_BYTES`].
fn request_url(req: &Request) -> Result<Url, Refusal> {
    let url = req.url().map_err(|e| Refusal::Error(e.into()))?;
    if url.as_str().len() > MAX_URL_BYTES {
        return Err(Refusal::Status(
            413,
            ApiError::bad_request(
                "url_too_long",
                format!("the request URL is longer than {MAX_URL_BYTES} bytes"),
            ),
        ));
    }
    Ok(url)
}

/// An answer that is an error, with the status it must have. `ApiError` fixes one status per
/// kind; a few browser answers need another (413 for a URL, 403 for a foreign origin, 400 for a
/// refused redirect), with the same JSON error shape.
pub enum Refusal {
    Error(ApiError),
    Status(u16, ApiError),
}

impl From<ApiError> for Refusal {
    fn from(err: ApiError) -> Self {
        Refusal::Error(err)
    }
}

impl From<worker::Error> for Refusal {
    fn from(err: worker::Error) -> Self {
        Refusal::Error(err.into())
    }
}

impl From<crate::core::error::Invalid> for Refusal {
    fn from(err: crate::core::error::Invalid) -> Self {
        Refusal::Error(err.into())
    }
}

impl Refusal {
    pub fn into_response(self) -> ApiResult<Response> {
        match self {
            Refusal::Error(err) => Ok(err.to_response()?),
            Refusal::Status(status, err) => Ok(err.to_response()?.with_status(status)),
        }
    }
}

/// Runs a browser handler body, turning a refusal into its JSON answer.
pub async fn answer(
    handler: impl std::future::Future<Output = Result<Response, Refusal>>,
) -> ApiResult<Response> {
    match handler.await {
        Ok(response) => Ok(response),
        Err(refusal) => refusal.into_response(),
    }
}

/// The first value of a query parameter.
fn query(url: &Url, name: &str) -> Option<String> {
    url.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

fn required_query(url: &Url, name: &'static str) -> Result<String, Refusal> {
    query(url, name).filter(|v| !v.is_empty()).ok_or_else(|| {
        Refusal::Error(ApiError::bad_request(
            "missing_parameter",
            format!("the query parameter {name} is required"),
        ))
    })
}

/// `?id=` resolved to its container and connectors' click parameters: 400 when missing, 404
/// when unknown (a malformed id is answered without a database read).
async fn load_container(ctx: &RouteContext<()>, url: &Url) -> Result<TrackingContainer, Refusal> {
    let id = required_query(url, "id")?;
    if !IdKind::Container.matches(&id) {
        return Err(ApiError::NotFound("no such container").into());
    }
    tracking::get(&db(ctx)?, &id)
        .await?
        .ok_or_else(|| ApiError::NotFound("no such container").into())
}

/// The consent signal a page passes in `?consent=`: `t.js` sends what `postclick.consent(...)`
/// was told. Unknown words are refused, so a typo never reads as "no signal".
fn consent_query(url: &Url) -> Result<ConsentSignal, Refusal> {
    let word = query(url, "consent").unwrap_or_default();
    ConsentSignal::parse_word(&word, "consent")
        .map_err(|e| ApiError::bad_request(e.code, format!("consent {}", e.message)).into())
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
fn no_store_headers() -> Result<Headers, Refusal> {
    let headers = Headers::new();
    headers.set("cache-control", "no-store")?;
    Ok(headers)
}
