//! Session matching as pure logic, for every surface: which identities an event offers, in the
//! order the product trusts them, and which identities an event leaves behind for later matches.
//!
//! Order: 1. visitor id, 2. click ids in the payload, 3. external id (the priority one first),
//! 4. hashed email (then its variants), 5. hashed phone (then its variants). The first key the
//! store knows wins. Whether a carried click names a person is the click-parameter registry's
//! call ([`identifies_click`]): UTM tags and Tracklution's `trls` source travel with clicks but
//! name a campaign, not a person, so they never match.

use super::confirmation::MATCHED_BY_BROWSER_EVENT;
use crate::core::click_params::identifies_click;
use crate::core::event::{CarriedClick, NewEvent};
use crate::core::provenance::Provenance;
use crate::core::user_data::UserData;
use serde::{Serialize, Serializer};

/// What kind of identifier a match key is.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum IdentityKind {
    VisitorId,
    /// A carried click id, by lower-case parameter name (`gclid`, `click_id`, ...).
    Click {
        param: String,
    },
    ExternalId,
    EmailSha256,
    PhoneSha256,
}

impl IdentityKind {
    /// Stable text for storage and the activity log: `visitor_id`, `click:gclid`,
    /// `external_id`, `email_sha256`, `phone_sha256`.
    pub fn label(&self) -> String {
        match self {
            IdentityKind::VisitorId => "visitor_id".to_string(),
            IdentityKind::Click { param } => format!("click:{param}"),
            IdentityKind::ExternalId => "external_id".to_string(),
            IdentityKind::EmailSha256 => "email_sha256".to_string(),
            IdentityKind::PhoneSha256 => "phone_sha256".to_string(),
        }
    }

    /// Reads a [`IdentityKind::label`] back.
    pub fn from_label(label: &str) -> Option<Self> {
        match label {
            "visitor_id" => Some(IdentityKind::VisitorId),
            "external_id" => Some(IdentityKind::ExternalId),
            "email_sha256" => Some(IdentityKind::EmailSha256),
            "phone_sha256" => Some(IdentityKind::PhoneSha256),
            other => other
                .strip_prefix("click:")
                .filter(|p| !p.is_empty())
                .map(|param| IdentityKind::Click {
                    param: param.to_string(),
                }),
        }
    }
}

impl Serialize for IdentityKind {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.label())
    }
}

/// One identity to look up: its kind and the value the store indexes (hashes for email/phone).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct MatchKey {
    pub kind: IdentityKind,
    pub key: String,
}

/// The identities of one inbound event, most trusted first, without repeats.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MatchKeys(Vec<MatchKey>);

impl MatchKeys {
    pub fn from_event(event: &NewEvent) -> Self {
        Self::from_parts(event.visitor_id.as_deref(), &event.clicks, &event.user)
    }

    /// The keys of any payload: its visitor id, carried clicks and user data.
    pub fn from_parts(visitor_id: Option<&str>, clicks: &[CarriedClick], user: &UserData) -> Self {
        let mut keys = Self::default();
        if let Some(visitor) = visitor_id {
            keys.push(IdentityKind::VisitorId, visitor.to_string());
        }
        for click in clicks.iter().filter(|c| identifies_click(&c.param)) {
            let kind = IdentityKind::Click {
                param: click.param.clone(),
            };
            keys.push(kind, click.value.clone());
        }
        for (kind, key) in identities_to_store(user) {
            keys.push(kind, key);
        }
        keys
    }

    fn push(&mut self, kind: IdentityKind, key: String) {
        let candidate = MatchKey { kind, key };
        if !candidate.key.is_empty() && !self.0.contains(&candidate) {
            self.0.push(candidate);
        }
    }

    pub fn keys(&self) -> &[MatchKey] {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// A matched visitor and the identity that found it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Match {
    pub visitor: String,
    pub by: IdentityKind,
}

/// The first key, in trust order, for which `found` names a visitor. `found` is asked lazily
/// and not again after a hit, so it may run one query per key; or the caller fetches all keys
/// in one batch and answers from a map.
pub fn choose_match(
    keys: &MatchKeys,
    found: impl Fn(&MatchKey) -> Option<String>,
) -> Option<Match> {
    keys.keys().iter().find_map(|key| {
        found(key).map(|visitor| Match {
            visitor,
            by: key.kind.clone(),
        })
    })
}

/// How an event's identities are tied to its visitor. Links carry the provenance of what made
/// them, and a browser-supplied identity never moves one already linked to another visitor:
/// otherwise anyone could post a victim's email from their own browser and collect the victim's
/// later conversions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkRule {
    /// The site's server named both the visitor (`visitor_id`) and the identity: the link is
    /// made whoever else holds the identity, and matching prefers it to every browser link (the
    /// newest asserted link wins).
    Asserted,
    /// Any other link (a browser event's, or a server event's matched through another
    /// identity): made only while no other visitor holds the identity.
    IfUnclaimed(Provenance),
}

impl LinkRule {
    /// The rule for an event of `provenance` matched by the identity labelled `matched_by`. A
    /// server event whose visitor was found only through the browser event that sent its id
    /// ([`MATCHED_BY_BROWSER_EVENT`]) links as that browser event would: the visitor is only as
    /// sure as the anonymous browser's claim, so its links never outrank another's.
    pub fn for_event(provenance: Provenance, matched_by: &str) -> Self {
        let named_visitor = matched_by == IdentityKind::VisitorId.label();
        match provenance {
            Provenance::Server if named_visitor => LinkRule::Asserted,
            _ if matched_by == MATCHED_BY_BROWSER_EVENT => {
                LinkRule::IfUnclaimed(Provenance::Browser)
            }
            other => LinkRule::IfUnclaimed(other),
        }
    }

    /// The provenance stored with the link: `server` or `browser`.
    pub fn stored_provenance(self) -> &'static str {
        match self {
            LinkRule::Asserted | LinkRule::IfUnclaimed(Provenance::Server) => "server",
            LinkRule::IfUnclaimed(Provenance::Admin) => "server",
            LinkRule::IfUnclaimed(Provenance::Browser) => "browser",
        }
    }
}

/// The person-level identities an event leaves behind so later events can match it (the late
/// match of an unmatched webhook when a browser event brings the same email): external ids,
/// then hashed emails, then hashed phones, variants included. Browser events and webhooks
/// both store these.
pub fn identities_to_store(user: &UserData) -> Vec<(IdentityKind, String)> {
    let external_ids = user
        .external_ids()
        .map(|id| (IdentityKind::ExternalId, Some(id.as_str().to_string())));
    let emails = user
        .email_hashes()
        .into_iter()
        .map(|hash| (IdentityKind::EmailSha256, Some(hash)));
    let phones = user
        .phone_hashes()
        .into_iter()
        .map(|hash| (IdentityKind::PhoneSha256, Some(hash)));
    let mut out: Vec<(IdentityKind, String)> = Vec::new();
    for (kind, key) in external_ids.chain(emails).chain(phones) {
        let Some(key) = key.filter(|k| !k.is_empty()) else {
            continue;
        };
        if !out.iter().any(|(k, v)| *k == kind && *v == key) {
            out.push((kind, key));
        }
    }
    out
}

#[cfg(test)]
mod tests;
