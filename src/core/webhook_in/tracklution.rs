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
//! - A set request (no `track`) refuses `value`, `currency` and `eventId` (`track_required`):
//!   they only mean something for an event, and ignoring them would lose a conversion silently.
//! - `email`, `phoneNumber` and their variants are kept as sent even when they do not normalise;
//!   such a value yields no hash, so it never matches (see [`super::fields::email`]).
//! - `birthday` must be a real date written YYYY-MM-DD; `url` an absolute http(s) URL; `ip` an
//!   IPv4/IPv6 address; click ids free of whitespace.

use super::fields::{self, extra, Raw, CARRIED_CLICK_PARAMS};
use super::matching::MatchKeys;
use crate::core::error::Invalid;
use crate::core::event::{
    Attributes, CarriedClick, Consent, EventId, EventName, EventSource, NewEvent, UserData,
};
use crate::core::money::{Amount, Currency};
use serde::Serialize;
use serde_json::{Map, Value};

mod names;
mod values;

use names::{squash, Collected, Param};
use values::{attribute_object, attribute_value, put, timestamp_ms, variants};

/// Most parameters one request may carry, query and body together.
pub const MAX_PARAMETERS: usize = 150;
/// Longest parameter name; also the longest attribute name an unknown parameter can become.
pub const MAX_PARAMETER_NAME_LEN: usize = 64;
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
        fields::check_json_depth(&value)?;
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
}

impl TrackOrSet {
    /// The topic column of the activity log: the event name, or `set`.
    pub fn activity_topic(&self) -> &str {
        match self {
            TrackOrSet::Track(event) => event.name.as_str(),
            TrackOrSet::Set(_) => "set",
        }
    }
}

/// A set request: identities and attributes to add to the visitor it matches. It always holds
/// at least one identity to match on (see [`MatchKeys::from_set`]).
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
            fields::check_json_depth(value)?;
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

impl<'a> Collected<'a> {
    fn build(self) -> Result<TrackOrSet, Invalid> {
        let track = match self.text(Param::Track)? {
            Some((text, name)) => Some(EventName::parse(&text, name)?),
            None => None,
        };
        let value = self.amount()?;
        let currency = match self.text(Param::Currency)? {
            Some((text, _)) if text.trim().is_empty() => None,
            Some((text, name)) => {
                Some(Currency::parse(&text).map_err(|e| Invalid::field(e.code, name, e.message))?)
            }
            None => None,
        };
        let event_id = match self.text(Param::EventId)? {
            Some((text, _)) if text.trim().is_empty() => None,
            Some((text, name)) => Some(EventId::parse(&text, name)?),
            None => None,
        };
        let url = self.read(Param::Url, fields::url)?;
        let ip = self.read(Param::Ip, fields::ip)?;
        let user_agent = self.read(Param::UserAgent, fields::text)?;
        let visitor_id = self.read(Param::VisitorId, fields::visitor_id)?;
        let user = self.user()?;
        let clicks = self.clicks()?;
        let attributes = self.attributes()?;
        let force_send = match self.singles.get(&Param::PcTest) {
            Some(entry) => fields::boolean(entry.raw, entry.name)?.unwrap_or(false),
            None => false,
        };

        let Some(name) = track else {
            let event_only = [
                (value.is_some(), Param::Value),
                (currency.is_some(), Param::Currency),
                (event_id.is_some(), Param::EventId),
            ];
            if let Some((_, param)) = event_only.into_iter().find(|(given, _)| *given) {
                let field = self.singles.get(&param).map_or("track", |e| e.name);
                return Err(Invalid::field(
                    "track_required",
                    field,
                    "value, currency and eventId belong to an event: add track=EventName",
                ));
            }
            let set = SetData {
                user,
                clicks,
                visitor_id,
                attributes,
                url,
                ip,
                user_agent,
            };
            if MatchKeys::from_set(&set).is_empty() {
                return Err(Invalid::new(
                    "no_identity",
                    "a request without track enriches a visitor, so it needs visitorId, a click \
                     id, externalId, email or phoneNumber to find them",
                ));
            }
            return Ok(TrackOrSet::Set(set));
        };
        if value.is_some() && currency.is_none() {
            return Err(Invalid::field(
                "currency_required",
                "currency",
                "value needs a currency, such as EUR",
            ));
        }
        Ok(TrackOrSet::Track(NewEvent {
            name,
            event_id,
            value,
            currency,
            url,
            attributes,
            user,
            clicks,
            visitor_id,
            consent: Consent::default(),
            force_send,
            source: EventSource::Webhook,
            ip,
            user_agent,
        }))
    }

    fn amount(&self) -> Result<Option<Amount>, Invalid> {
        let Some(entry) = self.singles.get(&Param::Value) else {
            return Ok(None);
        };
        match (entry.raw, entry.raw.as_str()) {
            (_, Some(s)) if s.trim().is_empty() => Ok(None),
            (_, Some(s)) => Amount::parse(s, entry.name).map(Some),
            (Raw::Json(Value::Null), _) => Ok(None),
            (raw, None) => Amount::from_json(&raw.to_json(), entry.name).map(Some),
        }
    }

    fn user(&self) -> Result<UserData, Invalid> {
        let mut extras = Map::new();
        let extra_fields = [
            (
                Param::Birthday,
                extra::BIRTHDAY,
                fields::date as fn(&str, &str) -> _,
            ),
            (Param::Gender, extra::GENDER, fields::text),
            (Param::Street, extra::STREET, fields::text),
            (Param::PostCode, extra::POSTAL_CODE, fields::text),
            (Param::City, extra::CITY, fields::text),
            (Param::Country, extra::COUNTRY, fields::text),
            (
                Param::PriorityExternalId,
                extra::PRIORITY_EXTERNAL_ID,
                fields::text,
            ),
        ];
        for (param, key, parser) in extra_fields {
            if let Some(value) = self.read(param, parser)? {
                extras.insert(key.to_string(), Value::String(value));
            }
        }
        let emails = variants(&self.email_variants, "emailVariants", fields::email)?;
        if !emails.is_empty() {
            extras.insert(extra::EMAIL_VARIANTS.to_string(), emails.into());
        }
        let phones = variants(&self.phone_variants, "phoneNumberVariants", fields::phone)?;
        if !phones.is_empty() {
            extras.insert(extra::PHONE_VARIANTS.to_string(), phones.into());
        }
        Ok(UserData {
            email: self.read(Param::Email, fields::email)?,
            phone: self.read(Param::Phone, fields::phone)?,
            external_id: self.read(Param::ExternalId, fields::text)?,
            first_name: self.read(Param::FirstName, fields::text)?,
            last_name: self.read(Param::LastName, fields::text)?,
            extra: Attributes::from_map(extras, "user")?,
        })
    }

    fn clicks(&self) -> Result<Vec<CarriedClick>, Invalid> {
        let mut clicks = Vec::new();
        for param in CARRIED_CLICK_PARAMS {
            // UTM values are campaign words and may hold spaces; click ids may not.
            let parser = if param.starts_with("utm_") {
                fields::text
            } else {
                fields::identifier
            };
            if let Some(value) = self.read(Param::Click(param), parser)? {
                clicks.push(CarriedClick {
                    param: param.to_string(),
                    value,
                });
            }
        }
        Ok(clicks)
    }

    fn attributes(&self) -> Result<Attributes, Invalid> {
        let mut map = Map::new();
        let derived = [
            (Param::Source, "source"),
            (Param::ActionSource, "action_source"),
            (Param::EventSourceDomain, "event_source_domain"),
        ];
        for (param, key) in derived {
            if let Some((value, name)) = self.text(param)? {
                if let Some(value) = fields::text(&value, name)? {
                    put(&mut map, key, Value::String(value), name)?;
                }
            }
        }
        if let Some(entry) = self.singles.get(&Param::IsPartial) {
            if let Some(partial) = fields::boolean(entry.raw, entry.name)? {
                put(&mut map, "is_partial", Value::Bool(partial), entry.name)?;
            }
        }
        if let Some(entry) = self.singles.get(&Param::ForceNewSessionCreatedAt) {
            if let Some(ms) = timestamp_ms(entry.raw, entry.name)? {
                put(
                    &mut map,
                    "force_new_session_created_at",
                    ms.into(),
                    entry.name,
                )?;
            }
        }
        for entry in &self.attribute_objects {
            for (key, value) in attribute_object(entry)?.as_map() {
                put(
                    &mut map,
                    key,
                    value.clone(),
                    &format!("{}.{key}", entry.name),
                )?;
            }
        }
        for (key, entry) in &self.attribute_items {
            if let Some(value) = attribute_value(key, entry)? {
                put(&mut map, key, value, entry.name)?;
            }
        }
        for entry in &self.unknown {
            if let Some(value) = attribute_value(entry.name, entry)? {
                put(&mut map, entry.name, value, entry.name)?;
            }
        }
        Attributes::from_map(map, "eventAttributes")
    }
}

#[cfg(test)]
mod tests;
