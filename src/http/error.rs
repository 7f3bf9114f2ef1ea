//! The one place an [`Error`] becomes an HTTP answer: its status, and the JSON error shape
//! `{"error": {"code", "message", "field"?}}` every surface shares. Client errors keep their
//! message; an internal error is logged with its context and answered as an opaque 500.

use crate::error::Error;
use serde::Serialize;
use std::borrow::Cow;
use worker::{Headers, Response};

/// The JSON body of every error answer: `{"error": {"code", "message", "field"?}}`.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(utoipa::ToSchema))]
pub struct ErrorBody<'a> {
    pub error: ErrorDetail<'a>,
}

/// What went wrong: a stable machine-readable `code`, a sentence for people, and for invalid
/// input the field at fault (`user_data.email`, `allowed_origins[0]`, ...).
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(utoipa::ToSchema))]
pub struct ErrorDetail<'a> {
    pub code: &'a str,
    #[cfg_attr(test, schema(value_type = String))]
    pub message: Cow<'a, str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<&'a str>,
}

/// The HTTP status a category of error is answered with.
pub fn status_of(error: &Error) -> u16 {
    match error {
        Error::Invalid(_) => 422,
        Error::BadRequest { .. } => 400,
        Error::NotFound { .. } => 404,
        Error::Unauthorized { .. } => 401,
        Error::Forbidden { .. } => 403,
        Error::Conflict { .. } => 409,
        Error::RateLimited { .. } => 429,
        Error::PayloadTooLarge { .. } => 413,
        // 413, not 414: the browser endpoints carry their payload in the URL, and their callers
        // (t.js, tracking links) have always been told 413 `url_too_long`.
        Error::UriTooLong { .. } => 413,
        Error::UnsupportedMedia { .. } => 415,
        Error::MethodNotAllowed { .. } => 405,
        Error::Internal { .. } => 500,
    }
}

/// The answer to `error`: status, `{"error": {...}}`, and the headers its category calls for
/// (`Retry-After` on 429, `WWW-Authenticate: Bearer` on 401, `Allow` on 405). Never cached.
pub fn error_response(error: &Error) -> worker::Result<Response> {
    if let Error::Internal { context } = error {
        worker::console_error!("internal error: {context}");
    }
    let status = status_of(error);
    let body = ErrorBody {
        error: ErrorDetail {
            code: error.code(),
            message: error.message(),
            field: error.field(),
        },
    };
    let headers = Headers::new();
    headers.set("content-type", "application/json")?;
    headers.set("cache-control", "no-store")?;
    match error {
        Error::RateLimited { retry_after_s } => {
            headers.set("retry-after", &retry_after_s.to_string())?
        }
        Error::Unauthorized { .. } => headers.set("www-authenticate", "Bearer")?,
        Error::MethodNotAllowed { allow } => headers.set("allow", &allow.join(", "))?,
        _ => {}
    }
    Ok(Response::from_json(&body)?
        .with_status(status)
        .with_headers(headers))
}
