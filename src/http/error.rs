//! The edge's one error type, and the one place it becomes an HTTP answer:
//! `{"error": {"code", "message", "field"?}}`. Client errors keep their message; anything else is
//! logged with context and answered as an opaque 500.

use crate::core::error::Invalid;
use serde::Serialize;
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
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<&'a str>,
}

pub type ApiResult<T> = Result<T, ApiError>;

#[derive(Debug)]
pub enum ApiError {
    /// Well-formed input that fails a rule (422), naming the field.
    Invalid(Invalid),
    /// Malformed input: bad JSON, a missing query parameter (400).
    BadRequest {
        code: &'static str,
        message: String,
    },
    Unauthorized(&'static str),
    NotFound(&'static str),
    PayloadTooLarge {
        limit: usize,
    },
    UnsupportedMediaType(&'static str),
    TooManyRequests {
        retry_after_s: u32,
    },
    /// Something on our side; the message is logged, never shown.
    Internal(String),
}

impl ApiError {
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        ApiError::BadRequest {
            code,
            message: message.into(),
        }
    }

    /// Wrap an unexpected failure with what we were doing.
    pub fn internal(context: &str, err: impl std::fmt::Display) -> Self {
        ApiError::Internal(format!("{context}: {err}"))
    }

    pub fn status(&self) -> u16 {
        match self {
            ApiError::Invalid(_) => 422,
            ApiError::BadRequest { .. } => 400,
            ApiError::Unauthorized(_) => 401,
            ApiError::NotFound(_) => 404,
            ApiError::PayloadTooLarge { .. } => 413,
            ApiError::UnsupportedMediaType(_) => 415,
            ApiError::TooManyRequests { .. } => 429,
            ApiError::Internal(_) => 500,
        }
    }

    pub fn code(&self) -> &str {
        match self {
            ApiError::Invalid(i) => i.code,
            ApiError::BadRequest { code, .. } => code,
            ApiError::Unauthorized(_) => "unauthorized",
            ApiError::NotFound(_) => "not_found",
            ApiError::PayloadTooLarge { .. } => "payload_too_large",
            ApiError::UnsupportedMediaType(_) => "unsupported_media_type",
            ApiError::TooManyRequests { .. } => "rate_limited",
            ApiError::Internal(_) => "internal_error",
        }
    }

    fn message(&self) -> String {
        match self {
            ApiError::Invalid(i) => i.message.clone(),
            ApiError::BadRequest { message, .. } => message.clone(),
            ApiError::Unauthorized(m)
            | ApiError::NotFound(m)
            | ApiError::UnsupportedMediaType(m) => (*m).to_string(),
            ApiError::PayloadTooLarge { limit } => format!("the body is larger than {limit} bytes"),
            ApiError::TooManyRequests { retry_after_s } => {
                format!("rate limit exceeded; retry after {retry_after_s} s")
            }
            ApiError::Internal(_) => "something went wrong on our side".to_string(),
        }
    }

    pub fn to_response(&self) -> worker::Result<Response> {
        if let ApiError::Internal(detail) = self {
            worker::console_error!("internal error: {detail}");
        }
        let field = match self {
            ApiError::Invalid(invalid) => invalid.field.as_deref(),
            _ => None,
        };
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code(),
                message: self.message(),
                field,
            },
        };
        let headers = Headers::new();
        headers.set("content-type", "application/json")?;
        headers.set("cache-control", "no-store")?;
        if let ApiError::TooManyRequests { retry_after_s } = self {
            headers.set("retry-after", &retry_after_s.to_string())?;
        }
        if let ApiError::Unauthorized(_) = self {
            headers.set("www-authenticate", "Bearer")?;
        }
        Ok(Response::from_json(&body)?
            .with_status(self.status())
            .with_headers(headers))
    }
}

impl From<Invalid> for ApiError {
    fn from(invalid: Invalid) -> Self {
        ApiError::Invalid(invalid)
    }
}

impl From<worker::Error> for ApiError {
    fn from(err: worker::Error) -> Self {
        ApiError::Internal(format!("runtime: {err}"))
    }
}
