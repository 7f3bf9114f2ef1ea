//! The product's identifiers as types. Ids we hand out carry a prefix naming what they identify
//! (`ctr_…` a container, `con_…` a connector, `evt_…` a stored event row, `dlv_…` a delivery,
//! `key_…` an API key) followed by 8–64 URL-safe characters; [`EventId`] is the caller's own id
//! of an event (`event_id`, `eventId`, `conversion_id`), a different thing with its own rules.
//!
//! Each type has a private field: `parse` (or `generate`) is the only way to make one, so code
//! that takes a `&ContainerId` never sees an unchecked string. A string that does not parse
//! cannot name anything we stored, so the edge answers it 404 without a storage call.

use super::error::Invalid;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Deserializer, Serialize};
use std::fmt;

/// Random bytes behind a generated id: 128 bits, so ids are unguessable.
pub const ID_RANDOM_BYTES: usize = 16;

/// An id we hand out, with a prefix naming its kind.
pub trait PrefixedId: Sized {
    /// The prefix, e.g. `ctr_`.
    const PREFIX: &'static str;
    /// What the id names, in words, for answers such as "no such container".
    const NAME: &'static str;

    /// The id in `raw`, or `None` when `raw` is not an id of this kind (wrong prefix, fewer than 8
    /// or more than 64 characters after it, or a character outside `[A-Za-z0-9_-]`).
    fn parse(raw: &str) -> Option<Self>;

    /// A new id from [`ID_RANDOM_BYTES`] random bytes supplied by the caller (the runtime owns
    /// randomness): the prefix and 22 base64url characters.
    fn generate(random: [u8; ID_RANDOM_BYTES]) -> Self;

    fn as_str(&self) -> &str;
}

/// Whether `raw` is `prefix` followed by 8–64 URL-safe characters.
fn well_formed(raw: &str, prefix: &str) -> bool {
    raw.strip_prefix(prefix).is_some_and(|rest| {
        (8..=64).contains(&rest.len())
            && rest
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    })
}

macro_rules! prefixed_id {
    ($(#[$doc:meta])* $name:ident, $prefix:literal, $what:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl PrefixedId for $name {
            const PREFIX: &'static str = $prefix;
            const NAME: &'static str = $what;

            fn parse(raw: &str) -> Option<Self> {
                well_formed(raw, $prefix).then(|| Self(raw.to_string()))
            }

            fn generate(random: [u8; ID_RANDOM_BYTES]) -> Self {
                Self(format!("{}{}", $prefix, URL_SAFE_NO_PAD.encode(random)))
            }

            fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl $name {
            /// See [`PrefixedId::parse`].
            pub fn parse(raw: &str) -> Option<Self> {
                <Self as PrefixedId>::parse(raw)
            }

            /// See [`PrefixedId::generate`].
            pub fn generate(random: [u8; ID_RANDOM_BYTES]) -> Self {
                <Self as PrefixedId>::generate(random)
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        /// Reading a stored or queued id goes through the same check as input.
        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let raw = String::deserialize(d)?;
                Self::parse(&raw).ok_or_else(|| {
                    serde::de::Error::custom(format!("{raw:?} is not a {} id", $what))
                })
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        /// The OpenAPI schema of the id: what [`PrefixedId::parse`] accepts.
        #[cfg(test)]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                id_schema($prefix, $what)
            }
        }

        #[cfg(test)]
        impl utoipa::ToSchema for $name {}
    };
}

/// The OpenAPI schema of an id with `prefix`, the rule of [`well_formed`].
#[cfg(test)]
fn id_schema(prefix: &str, what: &str) -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .pattern(Some(format!("^{prefix}[A-Za-z0-9_-]{{8,64}}$")))
        .description(Some(format!(
            "The id of {} {what}: `{prefix}` and 8 to 64 URL-safe characters",
            if what.starts_with(['a', 'e', 'i', 'o', 'u', 'A', 'E', 'I', 'O', 'U']) {
                "an"
            } else {
                "a"
            }
        )))
        .into()
}

prefixed_id!(
    /// A container (`ctr_…`): one site's settings, connectors and keys.
    ContainerId, "ctr_", "container"
);
prefixed_id!(
    /// A connector (`con_…`): one partner's postback and pixel.
    ConnectorId, "con_", "connector"
);
prefixed_id!(
    /// Our row id of a stored event (`evt_…`), never the caller's [`EventId`].
    EventRowId, "evt_", "event"
);
prefixed_id!(
    /// A delivery (`dlv_…`): one postback to one partner, with its attempts.
    DeliveryId, "dlv_", "delivery"
);
prefixed_id!(
    /// An API key's id (`key_…`), which lists and revocation use; never the key itself.
    ApiKeyId, "key_", "API key"
);
prefixed_id!(
    /// An erasure's id (`era_…`): the record that one person's data was erased.
    ErasureId, "era_", "erasure"
);

/// Longest caller event id accepted.
pub const MAX_EVENT_ID_LEN: usize = 128;

/// The caller's id of an event (`event_id` on `/e`, `eventId` on `/webhook`, `conversion_id` on
/// the custom webhook), used for deduplication: 1–128 printable characters, trimmed. An event
/// stored without one gets its row id as its event id ([`EventId::from_row_id`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct EventId(String);

impl<'de> Deserialize<'de> for EventId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        Self::parse(&raw, "event_id").map_err(serde::de::Error::custom)
    }
}

impl EventId {
    /// The event id in `raw`; refused with `invalid_event_id` naming `field` when it is empty,
    /// longer than [`MAX_EVENT_ID_LEN`] bytes or holds a control character.
    pub fn parse(raw: &str, field: &str) -> Result<Self, Invalid> {
        let id = raw.trim();
        if id.is_empty() || id.len() > MAX_EVENT_ID_LEN || id.chars().any(char::is_control) {
            return Err(Invalid::field(
                "invalid_event_id",
                field,
                "must be 1 to 128 printable characters",
            ));
        }
        Ok(Self(id.to_string()))
    }

    /// The event id of an event the caller gave none: its row id.
    pub fn from_row_id(row_id: &EventRowId) -> Self {
        Self(row_id.as_str().to_string())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EventId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The OpenAPI schema of a caller's event id, as [`EventId::parse`] leaves it.
#[cfg(test)]
impl utoipa::PartialSchema for EventId {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .min_length(Some(1))
            .max_length(Some(MAX_EVENT_ID_LEN))
            .description(Some(
                "The caller's event id (or, when it gave none, the event's `evt_` row id): 1 to 128 printable characters",
            ))
            .into()
    }
}

#[cfg(test)]
impl utoipa::ToSchema for EventId {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_carry_their_prefix_and_round_trip_the_format_check() {
        let id = ContainerId::generate([7; 16]);
        assert!(id.as_str().starts_with("ctr_"));
        assert_eq!(id.as_str().len(), 4 + 22);
        assert_eq!(ContainerId::parse(id.as_str()), Some(id.clone()));
        assert_eq!(ConnectorId::parse(id.as_str()), None);
        assert_eq!(DeliveryId::NAME, "delivery");
        assert_eq!(<ApiKeyId as PrefixedId>::PREFIX, "key_");
    }

    #[test]
    fn hostile_ids_never_parse() {
        for bad in [
            "",
            "ctr_",
            "ctr_abc",
            "ctr_' OR 1=1 --xx",
            "ctr_../../etc",
            "CTR_abcdefghij",
            &format!("ctr_{}", "a".repeat(65)),
        ] {
            assert_eq!(ContainerId::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_stored_id_that_does_not_parse_does_not_deserialize() {
        let ok: EventRowId = serde_json::from_str("\"evt_abcdefgh\"").unwrap();
        assert_eq!(ok.as_str(), "evt_abcdefgh");
        assert!(serde_json::from_str::<EventRowId>("\"dlv_abcdefgh\"").is_err());
        assert_eq!(serde_json::to_string(&ok).unwrap(), "\"evt_abcdefgh\"");
    }

    #[test]
    fn a_caller_event_id_is_trimmed_printable_and_bounded() {
        assert_eq!(
            EventId::parse(" order-1 ", "event_id").unwrap().as_str(),
            "order-1"
        );
        let refused = EventId::parse("a\nb", "eventId").unwrap_err();
        assert_eq!(
            (refused.code, refused.field.as_deref()),
            ("invalid_event_id", Some("eventId"))
        );
        assert!(EventId::parse("", "event_id").is_err());
        assert!(EventId::parse(&"x".repeat(129), "event_id").is_err());
        let row = EventRowId::generate([1; 16]);
        assert_eq!(EventId::from_row_id(&row).as_str(), row.as_str());
    }
}
