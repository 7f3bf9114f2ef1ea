//! From a request's parameters, sorted by meaning, to a track event or a set request: each
//! value through its parser, user data through the one user-data parser, click parameters
//! through the registry's click-value rule, consent through the consent parser.

use super::names::{Collected, Entry, Param};
use super::values::{attribute_object, attribute_value, put, timestamp_ms, variant_items};
use super::{SetData, TrackOrSet};
use crate::core::click_params::CLICK_PARAMS;
use crate::core::consent::{Consent, ConsentSignal};
use crate::core::error::Invalid;
use crate::core::event::{Attributes, CarriedClick, EventId, EventName, EventSource, NewEvent};
use crate::core::form;
use crate::core::input::{self, Raw};
use crate::core::lifecycle::{parse_reason, parse_target, StatusChange};
use crate::core::money::{Amount, Currency};
use crate::core::user_data::{UserData, UserDataBuilder};
use serde_json::{Map, Value};

/// The parts every request may carry, track or set.
struct Common {
    url: Option<String>,
    ip: Option<String>,
    user_agent: Option<String>,
    visitor_id: Option<String>,
    user: UserData,
    clicks: Vec<CarriedClick>,
    attributes: Attributes,
}

/// The parts only an event has.
struct EventOnly {
    value: Option<Amount>,
    currency: Option<Currency>,
    event_id: Option<EventId>,
    consent: Consent,
    /// `pcTest`: the event is sent to connectors in test mode. Read on every request, so an
    /// invalid value is refused even where it has no effect (a set request ignores it).
    force_send: bool,
}

impl<'a> Collected<'a> {
    pub(super) fn build(self) -> Result<TrackOrSet, Invalid> {
        let track = match self.text(Param::Track)? {
            Some((text, name)) => Some(EventName::parse(&text, name)?),
            None => None,
        };
        if track.is_none() {
            self.refuse_repeated_status()?;
        }
        let only = self.event_only()?;
        let common = Common {
            url: self.read(Param::Url, input::page_url)?,
            ip: self.read(Param::Ip, input::ip)?,
            user_agent: self.read(Param::UserAgent, input::text)?,
            visitor_id: self.read(Param::VisitorId, input::visitor_id)?,
            user: self.user()?,
            clicks: self.clicks()?,
            attributes: self.attributes()?,
        };
        // Every parameter is read (and refused if invalid) before a status change is taken.
        if let (None, Some(event_id)) = (&track, &only.event_id) {
            if let Some(change) = self.status_change()? {
                return Ok(TrackOrSet::Status(event_id.clone(), change));
            }
        }
        match track {
            Some(name) => self.track(name, only, common).map(TrackOrSet::Track),
            None => self.set(&only, common).map(TrackOrSet::Set),
        }
    }

    /// Without `track`, `status` and `reason` given twice with different values are one
    /// parameter given twice, not two attributes that collide: which status to take is a guess.
    fn refuse_repeated_status(&self) -> Result<(), Invalid> {
        for wanted in ["status", "reason"] {
            let mut given = (self.unknown.iter()).filter(|e| e.name.eq_ignore_ascii_case(wanted));
            let Some(first) = given.next() else {
                continue;
            };
            let first = first.raw.as_text(first.name).ok().flatten();
            if given.any(|other| other.raw.as_text(other.name).ok().flatten() != first) {
                return Err(form::given_twice(wanted));
            }
        }
        Ok(())
    }

    /// `status` (and `reason`) of a request without `track`: a status change. With `track`
    /// both stay ordinary attributes of the event.
    fn status_change(&self) -> Result<Option<StatusChange>, Invalid> {
        let named = |wanted: &str| {
            self.unknown
                .iter()
                .find(|entry| entry.name.eq_ignore_ascii_case(wanted))
        };
        let Some(status) = named("status") else {
            return Ok(None);
        };
        // A status change names the conversion and its status; anything else belongs to an
        // event or a visitor and would be silently dropped, so it is refused.
        let other = (self.singles.iter())
            .find(|(param, _)| **param != Param::EventId)
            .map(|(_, entry)| entry.name)
            .or(self.variants.values().flatten().next().map(|e| e.name))
            .or(self.consent_items.first().map(|(_, e)| e.name))
            .or(self.attribute_objects.first().map(|e| e.name))
            .or(self.attribute_items.first().map(|(_, e)| e.name))
            .or(self.unknown.iter().map(|e| e.name).find(|name| {
                !name.eq_ignore_ascii_case("status") && !name.eq_ignore_ascii_case("reason")
            }));
        if let Some(name) = other {
            return Err(Invalid::field(
                "status_change_only",
                name,
                "a request without track that names eventId and status changes that \
                 conversion's status and takes only reason besides them",
            ));
        }
        let text = status.raw.as_text(status.name)?.unwrap_or_default();
        let status = parse_target(&text, status.name)?;
        let reason = match named("reason") {
            Some(entry) => match entry.raw.as_text(entry.name)? {
                Some(text) => parse_reason(&text, entry.name)?,
                None => None,
            },
            None => None,
        };
        Ok(Some(StatusChange { status, reason }))
    }

    fn event_only(&self) -> Result<EventOnly, Invalid> {
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
        let force_send = match self.singles.get(&Param::PcTest) {
            Some(entry) => input::boolean(entry.raw, entry.name)?.unwrap_or(false),
            None => false,
        };
        Ok(EventOnly {
            value: self.amount()?,
            currency,
            event_id,
            consent: self.consent()?,
            force_send,
        })
    }

    fn track(&self, name: EventName, only: EventOnly, common: Common) -> Result<NewEvent, Invalid> {
        if only.value.is_some() && only.currency.is_none() {
            return Err(Invalid::field(
                "currency_required",
                "currency",
                "value needs a currency, such as EUR",
            ));
        }
        Ok(NewEvent {
            name,
            event_id: only.event_id,
            value: only.value,
            currency: only.currency,
            url: common.url,
            attributes: common.attributes,
            user: common.user,
            clicks: common.clicks,
            visitor_id: common.visitor_id,
            consent: only.consent,
            force_send: only.force_send,
            source: EventSource::Webhook,
            ip: common.ip,
            user_agent: common.user_agent,
            cookie_history: Vec::new(),
        })
    }

    /// A set request refuses what only an event can use, and needs an identity to match on.
    fn set(&self, only: &EventOnly, common: Common) -> Result<SetData, Invalid> {
        let event_only = [
            (only.value.is_some(), Param::Value),
            (only.currency.is_some(), Param::Currency),
            (only.event_id.is_some(), Param::EventId),
            (only.consent != Consent::default(), Param::Consent),
        ];
        if let Some((_, param)) = event_only.into_iter().find(|(given, _)| *given) {
            let field = (self.singles.get(&param).map(|e| e.name))
                .or(self.consent_items.first().map(|(_, e)| e.name))
                .unwrap_or("track");
            return Err(Invalid::field(
                "track_required",
                field,
                "value, currency, eventId and consent belong to an event: add track=EventName",
            ));
        }
        let set = SetData {
            user: common.user,
            clicks: common.clicks,
            visitor_id: common.visitor_id,
            attributes: common.attributes,
            url: common.url,
            ip: common.ip,
            user_agent: common.user_agent,
        };
        if set.match_keys().is_empty() {
            return Err(Invalid::new(
                "no_identity",
                "a request without track enriches a visitor, so it needs visitorId, a click \
                 id, externalId, email or phoneNumber to find them",
            ));
        }
        Ok(set)
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

    /// Every user-data parameter through the one user-data parser, named as sent.
    fn user(&self) -> Result<UserData, Invalid> {
        let mut builder = UserDataBuilder::new();
        for (param, entry) in &self.singles {
            if let Param::User(key) = param {
                builder.set(key.field(), entry.raw, entry.name)?;
            }
        }
        for (key, entries) in &self.variants {
            builder.set_variants(key.field(), variant_items(entries)?, key.documented())?;
        }
        Ok(builder.finish())
    }

    /// The click parameters, in the registry's order, by its one click-value rule.
    fn clicks(&self) -> Result<Vec<CarriedClick>, Invalid> {
        let mut clicks = Vec::new();
        for param in CLICK_PARAMS {
            if let Some((text, name)) = self.text(Param::Click(param.name))? {
                clicks.extend(CarriedClick::read(param.name, &text, name)?);
            }
        }
        Ok(clicks)
    }

    /// `consent` (a word or an object) and `consent[purpose]` items.
    fn consent(&self) -> Result<Consent, Invalid> {
        let mut consent = match self.singles.get(&Param::Consent) {
            Some(Entry {
                raw: Raw::Json(value @ Value::Object(_)),
                name,
            }) => Consent::from_json(value, name)?,
            Some(entry) => Consent {
                advertising: ConsentSignal::from_raw(entry.raw, entry.name)?,
                ..Consent::default()
            },
            None => Consent::default(),
        };
        for (purpose, entry) in &self.consent_items {
            consent.set(purpose, entry.raw, entry.name)?;
        }
        Ok(consent)
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
                if let Some(value) = input::text(&value, name)? {
                    put(&mut map, key, Value::String(value), name)?;
                }
            }
        }
        if let Some(entry) = self.singles.get(&Param::IsPartial) {
            if let Some(partial) = input::boolean(entry.raw, entry.name)? {
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
        self.free_attributes(&mut map)?;
        Attributes::from_map(map, "eventAttributes")
    }

    /// `eventAttributes` objects, `eventAttributes[key]` items and unknown parameters.
    fn free_attributes(&self, map: &mut Map<String, Value>) -> Result<(), Invalid> {
        for entry in &self.attribute_objects {
            for (key, value) in attribute_object(entry)?.as_map() {
                put(map, key, value.clone(), &format!("{}.{key}", entry.name))?;
            }
        }
        for (key, entry) in &self.attribute_items {
            if let Some(value) = attribute_value(key, entry)? {
                put(map, key, value, entry.name)?;
            }
        }
        for entry in &self.unknown {
            if let Some(value) = attribute_value(entry.name, entry)? {
                put(map, entry.name, value, entry.name)?;
            }
        }
        Ok(())
    }
}
