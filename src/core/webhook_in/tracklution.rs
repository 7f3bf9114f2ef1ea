//! `GET|POST /webhook`: Tracklution-compatible parameters (seed 002) from a query string, a form
//! body or a JSON body, parsed into a track event or a set (enrichment) request.
//!
//! Names are matched without regard to case, `_` or `-`, so `phoneNumber`, `phone_number` and
//! `PHONENUMBER` are one parameter; `phone` is accepted for `phoneNumber` as seed 002's matching
//! section calls it that. The same parameter twice (query and body, or two spellings) is fine
//! with the same value and refused with different ones.
//!
//! Decisions, beyond the seed:
//! - Unknown parameters are kept as event attributes under the name sent, if they fit the
//!   attribute bounds; otherwise the request is refused naming them. Tracklution drops them, but
//!   CRMs put useful fields there (`lead_type`), and dropping data silently is worse than a 422.
//! - UTM fields travel as carried clicks (`utm_source`, ...), as they do in the click history,
//!   so `{{UTM_SOURCE}}` resolves the same way for every surface. They never match a visitor.
//! - `source` (e.g. `stripe`), `actionSource`, `eventSourceDomain`, `isPartial` and
//!   `forceNewSessionCreatedAt` (as unix milliseconds) are recorded as attributes `source`,
//!   `action_source`, `event_source_domain`, `is_partial`, `force_new_session_created_at`.
//! - `visitorId` is accepted as an extension: it is the first matching signal.
//! - A set request (no `track`) refuses `value`, `currency`, `eventId` and `consent`
//!   (`track_required`): they only mean something for an event, and ignoring them would lose a
//!   conversion (or a refusal) silently.
//! - User data (`email`, `phoneNumber`, `address`, ..., the variants) goes through the one
//!   user-data parser ([`crate::core::user_data`]), whose registry holds these spellings; click
//!   parameters through the click-parameter registry ([`crate::core::click_params`]), whose
//!   rule refuses a damaged click id and treats an unfilled macro as absent.
//! - `consent` is an extension for senders that know the visitor's consent: a word (`denied`,
//!   the advertising signal, as `/collect` takes it), `consent[advertising]=denied`, or a JSON
//!   object, all read by [`crate::core::consent`].
//! - `url` is an absolute http(s) URL; `ip` an IPv4/IPv6 address.

use crate::core::error::Invalid;
use crate::core::event::{Attributes, CarriedClick, EventId, NewEvent};
use crate::core::input::{self, Raw};
use crate::core::lifecycle::StatusChange;
use crate::core::matching::MatchKeys;
use crate::core::user_data::UserData;
use serde::Serialize;
use serde_json::Value;

mod build;
mod names;
mod values;

pub use names::{documented_parameters, Param, UserFieldKey};
use names::{squash, Collected};

/// Most parameters one request may carry, query and body together.
pub const MAX_PARAMETERS: usize = 150;
/// Longest parameter name; also the longest attribute name an unknown parameter can become.
pub const MAX_PARAMETER_NAME_LEN: usize = crate::core::input::MAX_FIELD_NAME_LEN;
/// Longest JSON-encoded `eventAttributes` string in a query or form.
pub const MAX_ENCODED_ATTRIBUTES_LEN: usize = 16 * 1024;

/// The body of a `/webhook` request, as the edge read it.
#[derive(Debug, Clone, PartialEq)]
pub enum WebhookBody {
    Empty,
    Form(Vec<(String, String)>),
    Json(Value),
}

impl WebhookBody {
    /// An `application/x-www-form-urlencoded` body.
    pub fn form(body: &str) -> Self {
        WebhookBody::Form(
            url::form_urlencoded::parse(body.as_bytes())
                .into_owned()
                .collect(),
        )
    }

    /// An `application/json` body: a JSON object no deeper than the bound.
    pub fn json(body: &str) -> Result<Self, Invalid> {
        let value: Value = serde_json::from_str(body)
            .map_err(|e| Invalid::new("invalid_json", format!("the body is not JSON: {e}")))?;
        if !value.is_object() {
            return Err(Invalid::new(
                "invalid_body",
                "the body must be a JSON object",
            ));
        }
        input::check_json_depth(&value)?;
        Ok(WebhookBody::Json(value))
    }
}

/// What a `/webhook` request asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum TrackOrSet {
    /// `track` present: a new event (source `Webhook`).
    Track(NewEvent),
    /// No `track`: enrich the matched visitor, create no event.
    Set(SetData),
    /// No `track`, with `eventId` and `status=approved|rejected|reversed`: change the status of
    /// that conversion; no event is created.
    Status(EventId, StatusChange),
}

impl TrackOrSet {
    /// The topic column of the activity log: the event name, or `set`.
    pub fn activity_topic(&self) -> &str {
        match self {
            TrackOrSet::Track(event) => event.name.as_str(),
            TrackOrSet::Set(_) => "set",
            TrackOrSet::Status(..) => "status",
        }
    }
}

/// A set request: identities and attributes to add to the visitor it matches. It always holds
/// at least one identity to match on (see [`SetData::match_keys`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SetData {
    pub user: UserData,
    pub clicks: Vec<CarriedClick>,
    pub visitor_id: Option<String>,
    pub attributes: Attributes,
    pub url: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

impl SetData {
    /// The identities that find the visitor to enrich, in trust order.
    pub fn match_keys(&self) -> MatchKeys {
        MatchKeys::from_parts(self.visitor_id.as_deref(), &self.clicks, &self.user)
    }
}

/// The `k` parameter, from the query first, then the body; the edge checks it (or the Bearer
/// header) before parsing anything else. The parser itself ignores `k`.
pub fn presented_key<'a>(query: &'a [(String, String)], body: &'a WebhookBody) -> Option<&'a str> {
    let in_pairs = |pairs: &'a [(String, String)]| {
        pairs
            .iter()
            .find(|(name, _)| squash(name) == "k")
            .map(|(_, v)| v.as_str())
    };
    in_pairs(query).or_else(|| match body {
        WebhookBody::Form(pairs) => in_pairs(pairs),
        WebhookBody::Json(Value::Object(map)) => map
            .iter()
            .find(|(name, _)| squash(name) == "k")
            .and_then(|(_, v)| v.as_str()),
        _ => None,
    })
}

/// Parse a `/webhook` request: query pairs plus the body, into a track event or a set request.
pub fn parse_webhook(
    query: &[(String, String)],
    body: &WebhookBody,
) -> Result<TrackOrSet, Invalid> {
    let mut entries: Vec<(&str, Raw<'_>)> = query
        .iter()
        .map(|(n, v)| (n.as_str(), Raw::Text(v)))
        .collect();
    match body {
        WebhookBody::Empty => {}
        WebhookBody::Form(pairs) => {
            entries.extend(pairs.iter().map(|(n, v)| (n.as_str(), Raw::Text(v))));
        }
        WebhookBody::Json(value @ Value::Object(map)) => {
            input::check_json_depth(value)?;
            entries.extend(map.iter().map(|(n, v)| (n.as_str(), Raw::Json(v))));
        }
        WebhookBody::Json(_) => {
            return Err(Invalid::new(
                "invalid_body",
                "the body must be a JSON object",
            ));
        }
    }
    let collected = Collected::from_entries(entries)?;
    collected.build()
}

#[cfg(test)]
mod tests;
