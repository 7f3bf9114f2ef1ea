//! The person an erasure or an export is about: exactly one of `visitor_id`, `email`, `phone`
//! or `external_id`, turned into the key the identity tables index (emails and phones by their
//! normalised SHA-256, as matching stores them). Erasures are recorded by [`subject_hash`]es
//! only, never by the value itself, so the record of an erasure holds no personal data.

use crate::core::error::Invalid;
use crate::core::template::hex_sha256;
use crate::core::user_data::{Email, ExternalId, Phone};
use serde::Serialize;

/// What kind of identifier names the person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SubjectKind {
    VisitorId,
    Email,
    Phone,
    ExternalId,
}

impl SubjectKind {
    pub const ALL: [SubjectKind; 4] = [
        SubjectKind::VisitorId,
        SubjectKind::Email,
        SubjectKind::Phone,
        SubjectKind::ExternalId,
    ];

    /// The request field (body key or query parameter).
    pub fn field(self) -> &'static str {
        match self {
            SubjectKind::VisitorId => "visitor_id",
            SubjectKind::Email => "email",
            SubjectKind::Phone => "phone",
            SubjectKind::ExternalId => "external_id",
        }
    }

    /// The `identities.kind` that indexes this kind; `None` for a visitor id.
    pub fn identity_kind(self) -> Option<&'static str> {
        match self {
            SubjectKind::VisitorId => None,
            SubjectKind::Email => Some("email_sha256"),
            SubjectKind::Phone => Some("phone_sha256"),
            SubjectKind::ExternalId => Some("external_id"),
        }
    }
}

/// A person, by one identifier, as the identity tables index it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    pub kind: SubjectKind,
    /// The visitor id or external id as given; the email's or phone's SHA-256.
    pub key: String,
}

impl Subject {
    /// Reads the one identifier among `fields` (`(name, value)` pairs from a JSON body or a
    /// query). None, or more than one, is refused; so is an email or phone that does not
    /// normalise (it could never have been matched, so nothing would be found by it).
    pub fn parse<'a>(
        fields: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Self, Invalid> {
        let mut found: Option<(SubjectKind, &str)> = None;
        for (name, value) in fields {
            let Some(kind) = SubjectKind::ALL.into_iter().find(|k| k.field() == name) else {
                continue;
            };
            if found.is_some() {
                return Err(Invalid::field(
                    "one_identifier",
                    name,
                    "name the person by exactly one of visitor_id, email, phone or external_id",
                ));
            }
            found = Some((kind, value));
        }
        let Some((kind, raw)) = found else {
            return Err(Invalid::new(
                "missing_identifier",
                "name the person by one of visitor_id, email, phone or external_id",
            ));
        };
        let field = kind.field();
        let unusable = || Invalid::field("invalid_identifier", field, "is not a usable value");
        let key = match kind {
            SubjectKind::VisitorId => {
                let id = raw.trim();
                let ok = !id.is_empty() && id.len() <= 128 && !id.chars().any(char::is_control);
                ok.then(|| id.to_string()).ok_or_else(unusable)?
            }
            SubjectKind::Email => Email::parse(raw, field)?
                .and_then(|e| e.sha256())
                .ok_or_else(unusable)?,
            SubjectKind::Phone => Phone::parse(raw, field)?
                .and_then(|p| p.sha256())
                .ok_or_else(unusable)?,
            SubjectKind::ExternalId => ExternalId::parse(raw, field)?
                .map(|id| id.as_str().to_string())
                .ok_or_else(unusable)?,
        };
        Ok(Self { kind, key })
    }

    /// The hash this subject is recorded under.
    pub fn hash(&self) -> String {
        subject_hash(self.kind.field(), &self.key)
    }
}

/// The SHA-256 an erasure record keeps for one identifier: of `"{kind}:{key}"`, where kind is
/// `visitor_id`, `email`, `phone`, `external_id` or `event` (a stored event's row id) and key
/// is what the identity tables index. Queue consumers hash what a message names the same way and
/// drop it when the record has that hash.
pub fn subject_hash(kind: &str, key: &str) -> String {
    hex_sha256(&format!("{kind}:{key}"))
}

/// The URL of a logged request with its query values removed (names kept, so the log still
/// shows which parameters were sent): `https://p.example/pb?cid=&value=`.
pub fn url_without_query_values(url: &str) -> String {
    let Some((base, query)) = url.split_once('?') else {
        return url.to_string();
    };
    let query = query.split_once('#').map_or(query, |(q, _)| q);
    let names: Vec<String> = query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| format!("{}=", pair.split_once('=').map_or(pair, |(name, _)| name)))
        .collect();
    format!("{base}?{}", names.join("&"))
}
