//! Why a connector's request could not be built: configuration faults, recorded on the delivery.

use crate::core::error::Invalid;
use std::fmt;

/// Why no request could be built. These are configuration faults, not partner faults: a
/// delivery that hits one is recorded as failed with this message, never silently dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BuildError {
    MissingUrl,
    PlaceholderInHost,
    /// A value made a path segment `.` or `..` (in any spelling).
    DotSegment,
    InvalidUrl(String),
    InvalidIdempotencyKey,
    InvalidSigningSecret,
}

impl BuildError {
    pub fn code(&self) -> &'static str {
        match self {
            BuildError::MissingUrl => "missing_url",
            BuildError::PlaceholderInHost => "placeholder_in_host",
            BuildError::DotSegment => "dot_segment",
            BuildError::InvalidUrl(_) => "invalid_url",
            BuildError::InvalidIdempotencyKey => "invalid_idempotency_key",
            BuildError::InvalidSigningSecret => "invalid_signing_secret",
        }
    }

    /// As a client error, for the preview endpoint.
    pub fn to_invalid(&self) -> Invalid {
        let field = match self {
            BuildError::InvalidSigningSecret => "webhook.signing_secret",
            BuildError::InvalidIdempotencyKey => "idempotency_key",
            _ => "webhook.url",
        };
        Invalid::field(self.code(), field, self.to_string())
    }
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::MissingUrl => write!(f, "the webhook has no URL"),
            BuildError::PlaceholderInHost => {
                write!(f, "a placeholder may not stand in the URL's scheme or host")
            }
            BuildError::DotSegment => write!(
                f,
                "a value made a URL path segment '.' or '..', which would send the request to another path"
            ),
            BuildError::InvalidUrl(why) => write!(f, "the rendered URL is not valid: {why}"),
            BuildError::InvalidIdempotencyKey => write!(
                f,
                "the idempotency key must be 1 to 128 characters of A-Z a-z 0-9 _ - . :"
            ),
            BuildError::InvalidSigningSecret => {
                write!(f, "the signing secret is not whsec_ followed by base64")
            }
        }
    }
}

impl std::error::Error for BuildError {}
