//! Provenance: who stands behind an event, an identity link or a delivery. It is separate from
//! an event's source (the surface it came through) because it answers another question: could
//! anyone have sent this?
//!
//! - `browser`: anonymous, from `POST /e`. Anyone can send one, with any value, so it may fire
//!   pixels (they run in the browser anyway) but a connector's server-side postback only when the
//!   connector opts in (`webhook.fire_on: server_and_browser`), never a live send forced with
//!   `pc_test`, and its identities never move one already linked to another visitor.
//! - `server`: authenticated by one of the container's API keys (`/webhook`,
//!   `/webhooks/custom/...`). A server event with the id of an earlier browser event confirms it.
//! - `admin`: authenticated by the admin token (Test Webhook, preview).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(test, derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Provenance {
    Browser,
    Server,
    Admin,
}

impl Provenance {
    pub const ALL: [Provenance; 3] = [Provenance::Browser, Provenance::Server, Provenance::Admin];

    /// The stored and shown name: `browser`, `server` or `admin`.
    pub fn as_str(self) -> &'static str {
        match self {
            Provenance::Browser => "browser",
            Provenance::Server => "server",
            Provenance::Admin => "admin",
        }
    }

    /// Reads a stored name back.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == text)
    }

    /// Whether `pc_test` from this caller may force a live postback from a connector in test
    /// mode: only authenticated callers may.
    pub fn may_force_send(self) -> bool {
        self != Provenance::Browser
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provenance_names_round_trip_and_only_authenticated_callers_force_a_send() {
        for p in Provenance::ALL {
            assert_eq!(Provenance::parse(p.as_str()), Some(p));
            assert_eq!(serde_json::to_value(p).unwrap(), p.as_str());
        }
        assert_eq!(Provenance::parse("webhook"), None);
        assert!(!Provenance::Browser.may_force_send());
        assert!(Provenance::Server.may_force_send() && Provenance::Admin.may_force_send());
    }
}
