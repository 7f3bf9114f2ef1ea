//! The recent-activity log of a container's inbound webhooks: what happened to each request.

use serde::{Deserialize, Serialize};

/// How many requests the log keeps per container.
pub const RECENT_ACTIVITY_LIMIT: usize = 20;

/// The outcome of one inbound webhook request, as the Recent Activity list shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(test, derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ActivityStatus {
    /// Stored (or, for a set event, applied).
    Success,
    /// Missing, malformed, unknown or revoked API key (401).
    AuthError,
    /// The payload was refused (422); nothing but this row was stored.
    ValidationError,
    /// Over the key's per-minute limit (429).
    RateLimited,
    /// A repeated `eventId` / `conversion_id`: acknowledged, not stored twice.
    Duplicate,
}

impl ActivityStatus {
    pub const ALL: [ActivityStatus; 5] = [
        ActivityStatus::Success,
        ActivityStatus::AuthError,
        ActivityStatus::ValidationError,
        ActivityStatus::RateLimited,
        ActivityStatus::Duplicate,
    ];

    /// The stored and served spelling, e.g. `auth_error`.
    pub fn as_str(self) -> &'static str {
        match self {
            ActivityStatus::Success => "success",
            ActivityStatus::AuthError => "auth_error",
            ActivityStatus::ValidationError => "validation_error",
            ActivityStatus::RateLimited => "rate_limited",
            ActivityStatus::Duplicate => "duplicate",
        }
    }

    /// Reads a stored spelling back; `None` for anything else.
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_serialise_in_snake_case_and_read_back() {
        for status in ActivityStatus::ALL {
            let json = serde_json::to_string(&status).unwrap();
            assert_eq!(json, format!("\"{}\"", status.as_str()));
            assert_eq!(ActivityStatus::parse(status.as_str()), Some(status));
            let back: ActivityStatus = serde_json::from_str(&json).unwrap();
            assert_eq!(back, status);
        }
        assert_eq!(ActivityStatus::AuthError.as_str(), "auth_error");
        assert_eq!(ActivityStatus::parse("Success"), None);
        assert_eq!(ActivityStatus::parse(""), None);
    }
}
