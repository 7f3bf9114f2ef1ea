//! `GET|POST /webhook`: Tracklution-compatible parameters (seed 002) from a query string, a form
//! body or a JSON body, parsed into a track event or a set (enrichment) request.
//!
//! Names are matched without regard to case, `_` or `-`, so `phoneNumber`, `phone_number` and
//! `PHONENUMBER` are one parameter; `phone` is accepted for `phoneNumber` as seed 002's matching
//! section calls it that. The same parameter twice (query and body, or two spellings) is fine
//! with the same value and refused with different ones; `k` is refused when given twice at all
//! ([`presented_key`]), and without `track`, `status` or `reason` twice with different values is
//! named as given twice.
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
use crate::core::form;
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
    /// An `application/x-www-form-urlencoded` body, through the one strict decoder: a value
    /// that is not UTF-8 once percent-decoded is refused (`invalid_encoding`), never replaced.
    pub fn form(body: &str) -> Result<Self, Invalid> {
        form::parse_pairs(body).map(WebhookBody::Form)
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

/// The query string of a `/webhook` request, decoded pair by pair through the one strict
/// decoder ([`form::each_pair`]). A parameter that does not decode refuses the request, but the
/// key is still found among the others, so the refusal is logged against the key's container
/// like any other refused payload.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WebhookQuery {
    pairs: Vec<(String, String)>,
    /// The first parameter that is not UTF-8 once percent-decoded.
    refused: Option<Invalid>,
}

impl WebhookQuery {
    /// `raw` is the query string without its `?`.
    pub fn parse(raw: &str) -> Self {
        let mut query = WebhookQuery::default();
        for pair in form::each_pair(raw) {
            match pair {
                Ok(pair) => query.pairs.push(pair),
                Err(refusal) => {
                    query.refused.get_or_insert(refusal);
                }
            }
        }
        query
    }

    /// The decoded pairs, or the refusal of the first parameter that did not decode.
    pub fn pairs(&self) -> Result<&[(String, String)], Invalid> {
        match &self.refused {
            Some(refusal) => Err(refusal.clone()),
            None => Ok(&self.pairs),
        }
    }
}

/// The `k` parameter, from the query or the body; the edge checks it (or the Bearer header)
/// before parsing anything else. The parser itself ignores `k`. A `k` that does not decode, or
/// a `k` given more than once (query and body together), is refused: which key would count is
/// a guess, and the request has no container to be logged against.
pub fn presented_key<'a>(
    query: &'a WebhookQuery,
    body: &'a WebhookBody,
) -> Result<Option<&'a str>, Invalid> {
    let is_k = |name: &str| squash(name) == "k";
    if let Some(refusal) = (query.refused.as_ref()).filter(|r| r.field.as_deref().is_some_and(is_k))
    {
        return Err(refusal.clone());
    }
    let in_pairs = |pairs: &'a [(String, String)]| {
        pairs
            .iter()
            .filter(|(name, _)| is_k(name))
            .map(|(_, v)| Some(v.as_str()))
            .collect::<Vec<_>>()
    };
    let mut given = in_pairs(&query.pairs);
    match body {
        WebhookBody::Form(pairs) => given.extend(in_pairs(pairs)),
        WebhookBody::Json(Value::Object(map)) => given.extend(
            map.iter()
                .filter(|(name, _)| is_k(name))
                .map(|(_, v)| v.as_str()),
        ),
        _ => {}
    }
    match given.as_slice() {
        [] => Ok(None),
        [k] => Ok(*k),
        _ => Err(form::given_twice("k")),
    }
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
