//! The topics of the custom webhook (seed 004): the path segment that names the event type, and
//! the event name each one stores.

use crate::core::error::Invalid;
use serde::Serialize;

/// The event type named by the URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(test, derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Topic {
    Purchase,
    Lead,
    Signup,
    Refund,
    Subscription,
    Custom,
}

impl Topic {
    pub const ALL: [Topic; 6] = [
        Topic::Purchase,
        Topic::Lead,
        Topic::Signup,
        Topic::Refund,
        Topic::Subscription,
        Topic::Custom,
    ];

    /// The path segment, in any letter case.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        Self::ALL
            .into_iter()
            .find(|t| t.as_str().eq_ignore_ascii_case(raw))
            .ok_or_else(|| {
                Invalid::field(
                    "unknown_topic",
                    "topic",
                    "the topic must be purchase, lead, signup, refund, subscription or custom",
                )
            })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Topic::Purchase => "purchase",
            Topic::Lead => "lead",
            Topic::Signup => "signup",
            Topic::Refund => crate::core::event::REFUND_TOPIC,
            Topic::Subscription => "subscription",
            Topic::Custom => "custom",
        }
    }

    /// The stored event name; `None` for `custom`, whose body names the event.
    pub fn event_name(self) -> Option<&'static str> {
        match self {
            Topic::Purchase => Some("Purchase"),
            Topic::Lead => Some("Lead"),
            Topic::Signup => Some("CompleteRegistration"),
            Topic::Refund => Some("Refund"),
            Topic::Subscription => Some("Subscribe"),
            Topic::Custom => None,
        }
    }
}
