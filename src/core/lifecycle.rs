//! The conversion lifecycle as pure rules: an event's status, the transitions between statuses,
//! the status-change requests every surface shares, and the connector settings that follow the
//! status (`fire_on_status`, `send_reversals` with `status_map`, `duplicate_policy`).
//!
//! Affiliate networks (Everflow, TUNE, Impact) keep a conversion pending, then approve, reject
//! or reverse it. Here an event arrives `received`; the transitions are
//! `received → approved | rejected | reversed`, `approved → rejected | reversed` and
//! `rejected → approved`. `reversed` (a refund or chargeback) is final.

use super::error::Invalid;
use super::ids::EventId;
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;

mod follow_up;
pub use follow_up::{
    status_follow_up, status_suffix_order, StatusFollowUp, StatusFollowUpKind, StatusStep,
};

/// Most characters of a status change's reason.
pub const MAX_REASON_CHARS: usize = 256;
/// Most items of one bulk status change.
pub const MAX_BULK_ITEMS: usize = 1000;
/// The reason the cron sweep records when a lock period approves a conversion.
pub const LOCK_PERIOD_REASON: &str = "lock_period";
/// The reason recorded when a conversion arrives after its refund and is reversed at once.
pub const REFUND_BEFORE_CONVERSION_REASON: &str = "refund_before_conversion";

/// Where a conversion stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[cfg_attr(test, derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ConversionStatus {
    /// On arrival.
    Received,
    /// Validated: pays connectors with `fire_on_status: approved`.
    Approved,
    /// Not valid (a fraud check, a cancelled order); may still be approved later.
    Rejected,
    /// Refunded or charged back. Final.
    Reversed,
}

impl ConversionStatus {
    pub const ALL: [ConversionStatus; 4] = [
        ConversionStatus::Received,
        ConversionStatus::Approved,
        ConversionStatus::Rejected,
        ConversionStatus::Reversed,
    ];

    /// The stored and shown name.
    pub fn as_str(self) -> &'static str {
        match self {
            ConversionStatus::Received => "received",
            ConversionStatus::Approved => "approved",
            ConversionStatus::Rejected => "rejected",
            ConversionStatus::Reversed => "reversed",
        }
    }

    /// Reads a name, exactly as written.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// Whether a conversion in this status may move to `next`.
    pub fn can_become(self, next: ConversionStatus) -> bool {
        use ConversionStatus::{Approved, Received, Rejected, Reversed};
        matches!(
            (self, next),
            (Received, Approved | Rejected | Reversed)
                | (Approved, Rejected | Reversed)
                | (Rejected, Approved)
        )
    }

    /// Whether the conversion no longer stands: a connector that sent it is owed a reversal
    /// (see [`status_follow_up`]).
    pub fn is_withdrawn(self) -> bool {
        matches!(
            self,
            ConversionStatus::Rejected | ConversionStatus::Reversed
        )
    }
}

/// Why a status change is refused although it is well-formed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IllegalTransition {
    pub from: ConversionStatus,
    pub to: ConversionStatus,
}

impl IllegalTransition {
    /// The code every surface answers (409).
    pub const CODE: &'static str = "illegal_transition";

    pub fn message(&self) -> String {
        let allowed: Vec<&str> = ConversionStatus::ALL
            .into_iter()
            .filter(|s| self.from.can_become(*s))
            .map(ConversionStatus::as_str)
            .collect();
        let allowed = match allowed.is_empty() {
            true => "nothing: it is final".to_string(),
            false => allowed.join(" or "),
        };
        format!(
            "a {} conversion cannot become {}; it can become {allowed}",
            self.from.as_str(),
            self.to.as_str()
        )
    }
}

/// Checks the move from `from` to `to`.
pub fn transition(from: ConversionStatus, to: ConversionStatus) -> Result<(), IllegalTransition> {
    match from.can_become(to) {
        true => Ok(()),
        false => Err(IllegalTransition { from, to }),
    }
}

/// A requested status change: one of the statuses a conversion can move to, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusChange {
    pub status: ConversionStatus,
    pub reason: Option<String>,
}

/// Reads a target status named by `field`: `approved`, `rejected` or `reversed` (nothing goes
/// back to `received`).
pub fn parse_target(text: &str, field: &str) -> Result<ConversionStatus, Invalid> {
    match ConversionStatus::parse(text.trim()) {
        Some(ConversionStatus::Received) | None => Err(Invalid::field(
            "invalid_status",
            field,
            format!("{text:?} is not approved, rejected or reversed"),
        )),
        Some(status) => Ok(status),
    }
}

/// Reads a reason: trimmed text of at most 256 characters without control characters; blank is
/// none.
pub fn parse_reason(text: &str, field: &str) -> Result<Option<String>, Invalid> {
    let text = text.trim();
    if text.chars().count() > MAX_REASON_CHARS {
        return Err(Invalid::field(
            "too_long",
            field,
            "is longer than 256 characters",
        ));
    }
    if text.chars().any(char::is_control) {
        return Err(Invalid::field(
            "invalid_reason",
            field,
            "must not contain control characters",
        ));
    }
    Ok((!text.is_empty()).then(|| text.to_string()))
}

/// Reads `{status, reason?}`; `prefix` names the object in error fields (`""` at the top).
pub fn parse_status_change(value: &Value, prefix: &str) -> Result<StatusChange, Invalid> {
    let path = |key: &str| match prefix {
        "" => key.to_string(),
        p => format!("{p}.{key}"),
    };
    let Value::Object(map) = value else {
        return Err(match prefix {
            "" => Invalid::new("invalid_body", "the body must be a JSON object"),
            p => Invalid::field("invalid_type", p, "must be an object"),
        });
    };
    let status = match map.get("status") {
        Some(Value::String(text)) => parse_target(text, &path("status"))?,
        None | Some(Value::Null) => {
            return Err(Invalid::field("required", path("status"), "is required"))
        }
        Some(_) => {
            return Err(Invalid::field(
                "invalid_type",
                path("status"),
                "must be a string",
            ))
        }
    };
    let reason = match map.get("reason") {
        None | Some(Value::Null) => None,
        Some(Value::String(text)) => parse_reason(text, &path("reason"))?,
        Some(_) => {
            return Err(Invalid::field(
                "invalid_type",
                path("reason"),
                "must be a string",
            ))
        }
    };
    Ok(StatusChange { status, reason })
}

/// The items of a bulk change: the body is `{items: [...]}` with 1 to 1,000 items, each
/// `{event_id, status, reason?}`. The body is parsed whole, so a malformed item refuses it
/// (naming `items[i].field`) and nothing is changed; what depends on the stored events (an
/// unknown id, a forbidden transition) is answered per item.
pub fn parse_bulk(value: &Value) -> Result<Vec<(EventId, StatusChange)>, Invalid> {
    let items = match value.get("items") {
        Some(Value::Array(items)) if (1..=MAX_BULK_ITEMS).contains(&items.len()) => items,
        Some(Value::Array(_)) => {
            return Err(Invalid::field(
                "invalid_length",
                "items",
                "must hold 1 to 1000 items",
            ))
        }
        None if value.is_object() => {
            return Err(Invalid::field("required", "items", "is required"))
        }
        None => {
            return Err(Invalid::new(
                "invalid_body",
                "the body must be a JSON object",
            ))
        }
        Some(_) => {
            return Err(Invalid::field(
                "invalid_type",
                "items",
                "must be a list of {event_id, status, reason?}",
            ))
        }
    };
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let prefix = format!("items[{i}]");
            let change = parse_status_change(item, &prefix)?;
            let field = format!("{prefix}.event_id");
            match item.get("event_id") {
                Some(Value::String(id)) => Ok((EventId::parse(id, &field)?, change)),
                None | Some(Value::Null) => Err(Invalid::field("required", field, "is required")),
                Some(_) => Err(Invalid::field("invalid_type", field, "must be a string")),
            }
        })
        .collect()
}

/// Which status of a conversion fires a connector's postback.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FireOnStatus {
    /// On arrival (the default).
    #[default]
    Received,
    /// Only once approved: a connector that pays validated conversions only.
    Approved,
}

impl FireOnStatus {
    pub const ALL: [FireOnStatus; 2] = [FireOnStatus::Received, FireOnStatus::Approved];

    pub fn as_str(self) -> &'static str {
        match self {
            FireOnStatus::Received => "received",
            FireOnStatus::Approved => "approved",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == text)
    }

    /// Whether a conversion in `status` is ready for this connector. `None` when it is not yet
    /// (`received` while approval is awaited); `Some(false)` when it never will be on this
    /// status (rejected or reversed before approval).
    pub fn ready(self, status: ConversionStatus) -> Option<bool> {
        match (self, status) {
            (FireOnStatus::Received, _) => Some(true),
            (FireOnStatus::Approved, ConversionStatus::Approved) => Some(true),
            (FireOnStatus::Approved, ConversionStatus::Received) => None,
            (FireOnStatus::Approved, _) => Some(false),
        }
    }
}

/// What a server event repeating a known conversion id with another value does.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DuplicatePolicy {
    /// Acknowledged as a duplicate; nothing is sent (the default).
    #[default]
    Ignore,
    /// A changed value (a partial refund) sends an update postback.
    Update,
}

impl DuplicatePolicy {
    pub const ALL: [DuplicatePolicy; 2] = [DuplicatePolicy::Ignore, DuplicatePolicy::Update];

    pub fn as_str(self) -> &'static str {
        match self {
            DuplicatePolicy::Ignore => "ignore",
            DuplicatePolicy::Update => "update",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.as_str() == text)
    }
}

/// Status names as a partner expects them (`{"approved": "1", "reversed": "2"}`): what
/// `{{CONVERSION_STATUS}}` renders. A status left out renders as its own name.
pub type StatusMap = BTreeMap<ConversionStatus, String>;

/// `{{CONVERSION_STATUS}}` for `status` through `map`.
pub fn mapped_status(map: &StatusMap, status: ConversionStatus) -> String {
    map.get(&status)
        .cloned()
        .unwrap_or_else(|| status.as_str().to_string())
}

/// Reads a connector's `status_map` object: keys are statuses, values strings of at most 64
/// characters.
pub fn parse_status_map(value: Option<&Value>, field: &str) -> Result<StatusMap, Invalid> {
    let map = match value {
        None | Some(Value::Null) => return Ok(StatusMap::new()),
        Some(Value::Object(map)) => map,
        Some(_) => {
            return Err(Invalid::field(
                "invalid_type",
                field,
                "must be an object mapping statuses to the partner's values",
            ))
        }
    };
    map.iter()
        .map(|(key, to)| {
            let path = format!("{field}.{key}");
            let status = ConversionStatus::parse(key).ok_or_else(|| {
                Invalid::field(
                    "invalid_status",
                    path.as_str(),
                    "must be received, approved, rejected or reversed",
                )
            })?;
            match to {
                Value::String(s) if s.chars().count() <= 64 && !s.chars().any(char::is_control) => {
                    Ok((status, s.clone()))
                }
                _ => Err(Invalid::field(
                    "invalid_type",
                    path,
                    "must be a string of at most 64 characters",
                )),
            }
        })
        .collect()
}

/// The suffix of the `n`th update postback: `update:{n}`.
pub fn update_suffix(n: i64) -> String {
    format!("update:{n}")
}

/// A follow-up postback's key: the original delivery's key `original` (its idempotency key, or
/// its origin key) extended by the follow-up's suffix (`reversal`, `status:{n}`, `update:{n}`).
/// The extended idempotency key is also the follow-up's `webhook-id`.
pub fn follow_up_key(original: &str, suffix: &str) -> String {
    format!("{original}:{suffix}")
}

#[cfg(test)]
mod tests;
