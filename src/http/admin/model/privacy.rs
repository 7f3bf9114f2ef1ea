//! The answers about a person's data (an erasure, an export) and about the click values
//! landings refused. Built from the store's rows; the contract derives their schemas.

use crate::core::privacy::subject::{Subject, SubjectKind};
use crate::store::click_refusals::RefusalCount;
use crate::store::erasure::{ErasureOutcome, Removed};
use serde::Serialize;
use serde_json::{Map, Value};

/// The person an answer is about, without the personal data: the kind of identifier and the
/// SHA-256 the erasure is recorded under (`core::privacy::subject::subject_hash`).
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(utoipa::ToSchema))]
pub struct SubjectOut {
    pub kind: SubjectKind,
    /// 64 lower-case hex characters.
    pub hash: String,
}

impl From<&Subject> for SubjectOut {
    fn from(subject: &Subject) -> Self {
        Self {
            kind: subject.kind,
            hash: subject.hash(),
        }
    }
}

/// `POST /admin/api/containers/{id}/erasures`: what one erasure removed.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(utoipa::ToSchema))]
pub struct ErasureOut {
    /// `era_…`; a repeat answers the first erasure's id.
    pub id: String,
    pub subject: SubjectOut,
    /// When this person was first erased.
    pub requested_at: String,
    /// Rows removed, or emptied of personal data, per table (clicks, identities,
    /// pending_identities, visitors, events, webhook_activity, deliveries); a repeat counts
    /// only what arrived since.
    #[cfg_attr(test, schema(value_type = std::collections::BTreeMap<String, u64>))]
    pub removed: Removed,
}

impl ErasureOut {
    pub fn new(subject: &Subject, outcome: ErasureOutcome) -> Self {
        Self {
            id: outcome.id,
            subject: subject.into(),
            requested_at: outcome.requested_at.iso8601(),
            removed: outcome.removed,
        }
    }
}

/// `GET /admin/api/containers/{id}/subjects`: everything held about one person (a data subject
/// access request). Each list holds the stored rows as they are, at most 1,000 per list; stored
/// JSON columns (an event's `payload`, a profile's `attributes`, a delivery's `headers`) are
/// shown as JSON.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(utoipa::ToSchema))]
pub struct SubjectExport {
    pub subject: SubjectOut,
    /// The visitor ids (`pc_vid`) the identifier resolved to.
    pub visitors: Vec<String>,
    /// Rows of each table about the person: `identities`, `clicks`, `visitor_profiles`,
    /// `events`, `pending_identities`, `deliveries` (the logged, masked requests) and
    /// `webhook_activity`.
    #[serde(flatten)]
    #[cfg_attr(test, schema(value_type = std::collections::BTreeMap<String, Vec<Object>>))]
    pub tables: Map<String, Value>,
}

/// One counter of refused click values.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(utoipa::ToSchema))]
pub struct ClickRefusalOut {
    /// The UTC day, `YYYY-MM-DD`.
    pub day: String,
    /// The click parameter, lower-case (`gclid`, a connector's `click_id`, ...).
    pub param: String,
    /// Why the values were refused (`core::clicks::Malformed::code`).
    #[cfg_attr(
        test,
        schema(pattern = "^(empty|unfilled_macro|too_long|invalid_text|invalid_encoding)$")
    )]
    pub reason: String,
    pub count: u64,
    /// The last refusal that day.
    pub last_at: String,
}

impl From<&RefusalCount> for ClickRefusalOut {
    fn from(row: &RefusalCount) -> Self {
        Self {
            day: row.day.clone(),
            param: row.param.clone(),
            reason: row.reason.clone(),
            count: u64::try_from(row.count).unwrap_or(0),
            last_at: row.last_at.iso8601(),
        }
    }
}

/// `GET /admin/api/containers/{id}/click-refusals`: newest day first.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(utoipa::ToSchema))]
pub struct ClickRefusalList {
    pub data: Vec<ClickRefusalOut>,
}

#[cfg(test)]
mod tests {
    use crate::core::clicks::Malformed;

    #[test]
    fn the_documented_refusal_reasons_are_the_codes_capture_counts() {
        let documented =
            regex::Regex::new("^(empty|unfilled_macro|too_long|invalid_text|invalid_encoding)$")
                .unwrap();
        for reason in Malformed::ALL {
            assert!(documented.is_match(reason.code()), "{}", reason.code());
        }
        assert_eq!(Malformed::ALL.len(), 5);
    }
}
