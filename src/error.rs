//! The crate's one error type. Its variants are categories of failure (the input breaks a rule,
//! names nothing, lacks a credential, our own side failed, ...), never HTTP statuses: storage,
//! delivery and the edge all return it, and only `http::error` decides what a category is
//! answered with. Client categories carry the code, message and field the caller is shown;
//! [`Error::Internal`] carries context for the log, and the caller only ever learns that
//! something went wrong on our side.
//!
//! The core keeps its own parse error, [`Invalid`]; it becomes [`Error::Invalid`] with `?`.

use crate::core::error::Invalid;
use std::borrow::Cow;
use std::fmt;

/// `Result` with the crate's error as the default error type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What went wrong, by category. Construct it with the constructor of its category.
#[derive(Debug)]
pub enum Error {
    /// Well-formed input that breaks a rule, naming the field when there is one.
    Invalid(Invalid),
    /// Input that cannot be read as what the route takes: bad JSON, a missing query parameter,
    /// a redirect target that is not allowed.
    BadRequest {
        code: &'static str,
        message: String,
        field: Option<String>,
    },
    /// The request names something that does not exist (a route, a resource, a topic).
    NotFound {
        code: &'static str,
        message: Cow<'static, str>,
        field: Option<String>,
    },
    /// A missing, malformed, unknown or revoked credential.
    Unauthorized { message: &'static str },
    /// A caller we know but do not serve here (a page on an origin the container does not allow).
    Forbidden {
        code: &'static str,
        message: &'static str,
    },
    /// The request clashes with the resource's current state; `field` names the part of the
    /// request that does, when one does.
    Conflict {
        code: &'static str,
        message: String,
        field: Option<String>,
    },
    /// Over a rate limit; the caller may retry after `retry_after_s` seconds.
    RateLimited { retry_after_s: u32 },
    /// A body over `limit` bytes.
    PayloadTooLarge { limit: usize },
    /// A request URL over `limit` bytes.
    UriTooLong { limit: usize },
    /// A body in a media type the route does not take; the message says which it takes.
    UnsupportedMedia { message: &'static str },
    /// A route that exists, asked with a method it does not take; `allow` lists the ones it does.
    MethodNotAllowed { allow: Vec<&'static str> },
    /// Our side failed (storage, the runtime, a stored value that no longer reads). `context`
    /// says what we were doing, for the log only.
    Internal { context: String },
}

impl Error {
    /// See [`Error::BadRequest`].
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Error::BadRequest {
            code,
            message: message.into(),
            field: None,
        }
    }

    /// A core refusal of malformed input, kept whole (code, message, field) as a
    /// [`Error::BadRequest`] rather than a broken rule.
    pub fn malformed(invalid: Invalid) -> Self {
        Error::BadRequest {
            code: invalid.code,
            message: invalid.message,
            field: invalid.field,
        }
    }

    /// Nothing we know of is named `what`: "no such container", code `not_found`.
    pub fn not_found(what: &str) -> Self {
        Error::NotFound {
            code: "not_found",
            message: Cow::Owned(format!("no such {what}")),
            field: None,
        }
    }

    /// A part of the path that names nothing we know (an unknown webhook topic): a
    /// [`Error::NotFound`] that keeps the parser's precise code and field.
    pub fn unknown(invalid: Invalid) -> Self {
        Error::NotFound {
            code: invalid.code,
            message: Cow::Owned(invalid.message),
            field: invalid.field,
        }
    }

    /// See [`Error::Unauthorized`]; `message` says what to fix.
    pub fn unauthorized(message: &'static str) -> Self {
        Error::Unauthorized { message }
    }

    /// See [`Error::Forbidden`].
    pub fn forbidden(code: &'static str, message: &'static str) -> Self {
        Error::Forbidden { code, message }
    }

    /// See [`Error::Conflict`].
    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Error::Conflict {
            code,
            message: message.into(),
            field: None,
        }
    }

    /// A [`Error::Conflict`] with the parser's precise code, message and field.
    pub fn conflict_on(invalid: Invalid) -> Self {
        Error::Conflict {
            code: invalid.code,
            message: invalid.message,
            field: invalid.field,
        }
    }

    /// See [`Error::RateLimited`].
    pub fn rate_limited(retry_after_s: u32) -> Self {
        Error::RateLimited { retry_after_s }
    }

    /// See [`Error::PayloadTooLarge`].
    pub fn payload_too_large(limit: usize) -> Self {
        Error::PayloadTooLarge { limit }
    }

    /// See [`Error::UriTooLong`].
    pub fn uri_too_long(limit: usize) -> Self {
        Error::UriTooLong { limit }
    }

    /// See [`Error::UnsupportedMedia`].
    pub fn unsupported_media(message: &'static str) -> Self {
        Error::UnsupportedMedia { message }
    }

    /// See [`Error::MethodNotAllowed`].
    pub fn method_not_allowed(allow: Vec<&'static str>) -> Self {
        Error::MethodNotAllowed { allow }
    }

    /// Our side failed while doing `context` ("storing an event"), because of `err`.
    pub fn internal(context: &str, err: impl fmt::Display) -> Self {
        Error::Internal {
            context: format!("{context}: {err}"),
        }
    }

    /// Whether the failure is ours rather than the caller's.
    pub fn is_internal(&self) -> bool {
        matches!(self, Error::Internal { .. })
    }

    /// The machine-readable code the caller is shown, e.g. `invalid_url` or `not_found`.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Invalid(invalid) => invalid.code,
            Error::BadRequest { code, .. }
            | Error::NotFound { code, .. }
            | Error::Forbidden { code, .. }
            | Error::Conflict { code, .. } => code,
            Error::Unauthorized { .. } => "unauthorized",
            Error::RateLimited { .. } => "rate_limited",
            Error::PayloadTooLarge { .. } => "payload_too_large",
            Error::UriTooLong { .. } => "url_too_long",
            Error::UnsupportedMedia { .. } => "unsupported_media_type",
            Error::MethodNotAllowed { .. } => "method_not_allowed",
            Error::Internal { .. } => "internal_error",
        }
    }

    /// The sentence the caller is shown. An internal error's context is never part of it.
    pub fn message(&self) -> Cow<'_, str> {
        match self {
            Error::Invalid(invalid) => Cow::Borrowed(&invalid.message),
            Error::BadRequest { message, .. } | Error::Conflict { message, .. } => {
                Cow::Borrowed(message)
            }
            Error::NotFound { message, .. } => Cow::Borrowed(message),
            Error::Unauthorized { message }
            | Error::Forbidden { message, .. }
            | Error::UnsupportedMedia { message } => Cow::Borrowed(message),
            Error::RateLimited { retry_after_s } => Cow::Owned(format!(
                "rate limit exceeded; retry after {retry_after_s} s"
            )),
            Error::PayloadTooLarge { limit } => {
                Cow::Owned(format!("the body is larger than {limit} bytes"))
            }
            Error::UriTooLong { limit } => {
                Cow::Owned(format!("the request URL is longer than {limit} bytes"))
            }
            Error::MethodNotAllowed { .. } => Cow::Borrowed("this route does not take that method"),
            Error::Internal { .. } => Cow::Borrowed("something went wrong on our side"),
        }
    }

    /// The dotted path of the offending field, when the error names one.
    pub fn field(&self) -> Option<&str> {
        match self {
            Error::Invalid(invalid) => invalid.field.as_deref(),
            Error::BadRequest { field, .. }
            | Error::NotFound { field, .. }
            | Error::Conflict { field, .. } => field.as_deref(),
            _ => None,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Internal { context } => write!(f, "internal error: {context}"),
            other => match other.field() {
                Some(field) => write!(f, "{} ({field}): {}", other.code(), other.message()),
                None => write!(f, "{}: {}", other.code(), other.message()),
            },
        }
    }
}

impl std::error::Error for Error {}

impl From<Invalid> for Error {
    fn from(invalid: Invalid) -> Self {
        Error::Invalid(invalid)
    }
}

/// Failures of the runtime and its bindings (D1, queues, fetch, headers) are ours.
impl From<worker::Error> for Error {
    fn from(err: worker::Error) -> Self {
        Error::internal("runtime", err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_errors_keep_their_code_message_and_field() {
        let invalid = Error::from(Invalid::field("invalid_url", "webhook.url", "not a URL"));
        assert_eq!(
            (invalid.code(), invalid.message().as_ref(), invalid.field()),
            ("invalid_url", "not a URL", Some("webhook.url"))
        );
        let topic = Error::unknown(Invalid::field("unknown_topic", "topic", "no such topic"));
        assert!(matches!(topic, Error::NotFound { .. }));
        assert_eq!(
            (topic.code(), topic.field()),
            ("unknown_topic", Some("topic"))
        );
        let missing = Error::not_found("container");
        assert_eq!(
            (missing.code(), missing.message().as_ref()),
            ("not_found", "no such container")
        );
        let refused = Error::malformed(Invalid::field("redirect_not_allowed", "to", "not here"));
        assert!(matches!(refused, Error::BadRequest { .. }));
        assert_eq!(refused.field(), Some("to"));
    }

    #[test]
    fn an_internal_error_shows_the_caller_nothing_of_its_context() {
        let error = Error::internal("storing an event", "D1_ERROR: disk full at row 12");
        assert!(error.is_internal());
        assert_eq!(error.code(), "internal_error");
        assert!(!error.message().contains("D1"));
        assert!(error.to_string().contains("storing an event: D1_ERROR"));
    }
}
