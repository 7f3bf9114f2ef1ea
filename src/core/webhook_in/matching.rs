//! Session matching as pure logic: which identities an inbound event offers, in the order the
//! product trusts them, and which identities an event leaves behind for later matches.
//!
//! Order: 1. visitor id, 2. click ids in the payload, 3. external id (the priority one first),
//! 4. hashed email (then its variants), 5. hashed phone (then its variants). The first key the
//! store knows wins. UTM tags and Tracklution's `trls` source tag travel with clicks but name a
//! campaign, not a person, so they never match.

use super::fields::extra;
use super::tracklution::SetData;
use crate::core::event::{CarriedClick, NewEvent, UserData};
use crate::core::identity::{email_sha256, is_sha256_hex, phone_sha256};
use serde::{Serialize, Serializer};
use serde_json::Value;

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

    pub fn from_set(set: &SetData) -> Self {
        Self::from_parts(set.visitor_id.as_deref(), &set.clicks, &set.user)
    }

    pub fn from_parts(visitor_id: Option<&str>, clicks: &[CarriedClick], user: &UserData) -> Self {
        let mut keys = Self::default();
        if let Some(visitor) = visitor_id {
            keys.push(IdentityKind::VisitorId, visitor.to_string());
        }
        for click in clicks.iter().filter(|c| is_identifying_click(&c.param)) {
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

/// The person-level identities an event leaves behind so later events can match it (the late
/// match of an unmatched webhook when a browser event brings the same email): external ids,
/// then hashed emails, then hashed phones, variants included. Browser events and webhooks
/// both store these.
pub fn identities_to_store(user: &UserData) -> Vec<(IdentityKind, String)> {
    let mut out: Vec<(IdentityKind, String)> = Vec::new();
    let mut add = |kind: IdentityKind, key: Option<String>| {
        if let Some(key) = key.filter(|k| !k.is_empty()) {
            if !out.iter().any(|(k, v)| *k == kind && *v == key) {
                out.push((kind, key));
            }
        }
    };
    let extra_text = |name: &str| user.extra.as_map().get(name).and_then(Value::as_str);
    let extra_list = |name: &str| -> Vec<&str> {
        match user.extra.as_map().get(name) {
            Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        }
    };

    add(
        IdentityKind::ExternalId,
        extra_text(extra::PRIORITY_EXTERNAL_ID).map(|s| s.trim().to_string()),
    );
    add(
        IdentityKind::ExternalId,
        user.external_id.as_deref().map(|s| s.trim().to_string()),
    );
    let emails = user
        .email
        .as_deref()
        .into_iter()
        .chain(extra_list(extra::EMAIL_VARIANTS));
    for email in emails {
        add(IdentityKind::EmailSha256, email_key(email));
    }
    let phones = user
        .phone
        .as_deref()
        .into_iter()
        .chain(extra_list(extra::PHONE_VARIANTS));
    for phone in phones {
        add(IdentityKind::PhoneSha256, phone_key(phone));
    }
    out
}

/// The stored form of an email: its SHA-256 after normalising, or the digest itself when the
/// sender hashed it already.
pub fn email_key(raw: &str) -> Option<String> {
    prehashed(raw).or_else(|| email_sha256(raw))
}

/// The stored form of a phone: as [`email_key`], with phone normalisation.
pub fn phone_key(raw: &str) -> Option<String> {
    prehashed(raw).or_else(|| phone_sha256(raw))
}

fn prehashed(raw: &str) -> Option<String> {
    let candidate = raw.trim().to_ascii_lowercase();
    is_sha256_hex(&candidate).then_some(candidate)
}

/// Whether a carried click parameter names a person's click (and so may match a visitor).
/// UTM tags and `trls` name a campaign or source shared by many visitors.
pub fn is_identifying_click(param: &str) -> bool {
    !(param.starts_with("utm_") || param == "trls")
}

#[cfg(test)]
mod tests;
