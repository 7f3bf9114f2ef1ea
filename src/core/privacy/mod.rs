//! Personal data: which raw values a container keeps ([`PiiPolicy`], from its connectors'
//! placeholders), minimising an event before it is stored ([`minimise_event`]), and the
//! subjects of erasure and export requests ([`subject`]).
//!
//! The rule: raw email, phone and names are stored only while a connector of the container uses
//! the matching raw placeholder (`{{EMAIL}}`, `{{PHONE}}`, `{{FIRST_NAME}}`, `{{LAST_NAME}}`,
//! with or without filters, in its URL, params, headers or pixel); otherwise only their
//! normalised SHA-256 (see `core::user_data::UserHashes`). Address details have no raw
//! placeholder and are always hashed. The IP address and user agent are kept only while a
//! connector uses `{{IP}}` or `{{USER_AGENT}}`, and never hashed. A connector added later
//! therefore cannot send raw values of events stored before it existed. Connectors count
//! whatever their mode, as for click capture: a paused connector still gets what it will send.

pub mod subject;

use crate::core::connector::ConnectorConfig;
use crate::core::event::NewEvent;
use crate::core::user_data::KeepRaw;

/// What a container keeps raw, from the placeholders its connectors use.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PiiPolicy {
    pub user: KeepRaw,
    /// `{{IP}}`.
    pub ip: bool,
    /// `{{USER_AGENT}}`.
    pub user_agent: bool,
}

impl PiiPolicy {
    /// Keep everything raw: for callers that must not lose what they were given (previews).
    pub const KEEP_ALL: PiiPolicy = PiiPolicy {
        user: KeepRaw {
            email: true,
            phone: true,
            first_name: true,
            last_name: true,
        },
        ip: true,
        user_agent: true,
    };

    /// The union of what `connectors` send raw.
    pub fn of_connectors<'a>(connectors: impl IntoIterator<Item = &'a ConnectorConfig>) -> Self {
        let stored: Vec<String> = connectors
            .into_iter()
            .filter_map(|c| serde_json::to_string(c).ok())
            .collect();
        Self::of_stored(stored.iter().map(String::as_str))
    }

    /// The union of what stored connector configs (their JSON text) send raw, read without
    /// parsing each connector: every `{{NAME ...}}` in the text counts, wherever it stands (its
    /// URL, params, headers or pixel). Text that only looks like a placeholder (in a name, say)
    /// can only keep more raw, never less, so a connector never lacks a value it sends.
    pub fn of_stored<'a>(configs: impl IntoIterator<Item = &'a str>) -> Self {
        let mut policy = PiiPolicy::default();
        for config in configs {
            for name in placeholder_names(config) {
                policy.note(name);
            }
        }
        policy
    }

    fn note(&mut self, name: &str) {
        match name {
            "EMAIL" => self.user.email = true,
            "PHONE" => self.user.phone = true,
            "FIRST_NAME" => self.user.first_name = true,
            "LAST_NAME" => self.user.last_name = true,
            "IP" => self.ip = true,
            "USER_AGENT" => self.user_agent = true,
            _ => {}
        }
    }
}

/// The names of every `{{NAME | filters}}` in `text`, as the template grammar spells them
/// (`core::template`), read tolerantly: an unclosed `{{` ends the scan.
fn placeholder_names(text: &str) -> impl Iterator<Item = &str> {
    text.split("{{").skip(1).filter_map(|rest| {
        let inside = rest.split_once("}}")?.0;
        Some(inside.split('|').next().unwrap_or("").trim())
    })
}

/// The form of `event` to store under `policy`: user data minimised, the IP address and user
/// agent dropped unless a connector sends them.
pub fn minimise_event(event: &NewEvent, policy: PiiPolicy) -> NewEvent {
    let mut stored = event.clone();
    stored.user = event.user.minimised(policy.user);
    if !policy.ip {
        stored.ip = None;
    }
    if !policy.user_agent {
        stored.user_agent = None;
    }
    stored
}

#[cfg(test)]
mod tests;
