//! CORS for the browser endpoints. The site's pages (`https://www.shop.com`) call the tracking
//! subdomain with credentials, so the answer names the exact origin, never `*`, and only for
//! the container's allowed origins. A request from any other origin is refused whole (403, no
//! CORS headers, no cookie, nothing stored): otherwise any site could make its visitors' browsers
//! plant clicks in this container. A request without `Origin` (the image fallback of `t.js`, a
//! server-side caller, a top-level navigation to `/c`) is not a cross-origin call and passes.

use super::{load_container, request_query};
use crate::core::container::ContainerSettings;
use crate::error::{Error, Result};
use crate::http::error::error_response;
use crate::http::request::Request;
use crate::http::router::RouteContext;
use worker::{Headers, Response};

/// How long a browser may reuse a preflight answer (Chromium caps it at two hours).
const PREFLIGHT_MAX_AGE_S: u32 = 7200;

/// Who is calling, as far as CORS is concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    /// No `Origin` header.
    NoOrigin,
    /// One of the container's allowed origins, as the browser sent it.
    Allowed(String),
    /// Any other origin, including the opaque `null`.
    Foreign,
}

impl Caller {
    /// The caller of `req`, judged by `settings`' allowed origins.
    pub fn of(req: &Request, settings: &ContainerSettings) -> Self {
        Self::from_origin(super::header(req, "origin").as_deref(), settings)
    }

    /// The caller whose request carried `origin` (its `Origin` header, already read).
    pub fn from_origin(origin: Option<&str>, settings: &ContainerSettings) -> Self {
        match origin.map(str::trim) {
            None => Caller::NoOrigin,
            Some(origin) if settings.allows_origin(origin) => Caller::Allowed(origin.to_string()),
            Some(_) => Caller::Foreign,
        }
    }

    /// [`Error::Forbidden`] for a foreign origin, before anything is read or written.
    pub fn refuse_foreign(&self) -> Result<()> {
        match self {
            Caller::Foreign => Err(Error::forbidden(
                "origin_not_allowed",
                "this origin is not among the container's allowed origins",
            )),
            _ => Ok(()),
        }
    }

    /// Adds the CORS headers to an answer, errors included, so the page's script can read why
    /// a call failed. `Vary: Origin` goes on every answer: it differs by origin.
    pub fn decorate(&self, result: Result<Response>) -> Result<Response> {
        let mut response = match result {
            Ok(response) => response,
            Err(error) => error_response(&error)?,
        };
        let headers = response.headers_mut();
        headers.append("vary", "Origin")?;
        if let Caller::Allowed(origin) = self {
            headers.set("access-control-allow-origin", origin)?;
            headers.set("access-control-allow-credentials", "true")?;
        }
        Ok(response)
    }
}

/// `OPTIONS /collect` and `OPTIONS /e`: the preflight of a credentialed call from an allowed
/// origin gets 204 with the method and `Content-Type` allowed; any other origin gets 403 without
/// CORS headers, so the browser never sends the real request.
pub async fn handle_preflight(req: Request, ctx: RouteContext) -> Result<Response> {
    let container = load_container(&ctx, request_query(&req)?).await?;
    let caller = Caller::of(&req, &container.settings);
    caller.refuse_foreign()?;
    // The same route answers under the same-origin prefix too (`/_pc/e`).
    let methods = if req.path().ends_with("/e") {
        "POST, OPTIONS"
    } else {
        "GET, HEAD, OPTIONS"
    };
    let headers = Headers::new();
    headers.set("allow", methods)?;
    headers.set("cache-control", "no-store")?;
    if let Caller::Allowed(_) = caller {
        headers.set("access-control-allow-methods", methods)?;
        headers.set("access-control-allow-headers", "content-type")?;
        headers.set("access-control-max-age", &PREFLIGHT_MAX_AGE_S.to_string())?;
    }
    let response = Response::empty()?.with_status(204).with_headers(headers);
    caller.decorate(Ok(response))
}
