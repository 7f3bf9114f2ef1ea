//! User data: what the user told us about themselves (contact, identity, address), read by one
//! parser with one set of rules from every surface — `/e`'s `user`, the custom webhook's
//! `user_data` (seed 004) and `/webhook`'s flat parameters (seed 002) — into typed values.
//!
//! [`USER_FIELDS`] is the registry: each field's stored key (also its name in the JSON objects),
//! whether it may stand in seed 004's `address` object, and its `/webhook` spellings. Values
//! follow [`values`]' rules. A JSON object's other keys are kept as text in
//! [`UserExtra::other`]; `/webhook` has no such keys (its unknown parameters are event
//! attributes).
//!
//! The stored form is `{email, phone, external_id, first_name, last_name, extra: {...}}`, where
//! `extra` holds the other known fields under their keys and the unknown ones.

mod hashes;
mod parse;
mod values;

#[cfg(test)]
mod tests;

pub use hashes::{KeepRaw, UserHashes};
pub use parse::{
    json_variant_items, parse_user_object, too_many_variants, UserDataBuilder, MAX_OTHER_FIELDS,
    MAX_VARIANTS,
};
pub use values::{
    is_sha256_hex, Birthday, Email, ExternalId, Phone, Street, UserText, MAX_USER_TEXT_BYTES,
};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// A user-data field postclick knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserField {
    Email,
    Phone,
    ExternalId,
    /// The external id to try first when a sender has several (seed 002).
    PriorityExternalId,
    FirstName,
    LastName,
    Birthday,
    Gender,
    Street,
    City,
    Region,
    PostalCode,
    Country,
    /// More addresses of the same person, for matching (seed 002's `emailVariants`).
    EmailVariants,
    PhoneVariants,
}

/// One row of the registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UserFieldSpec {
    pub field: UserField,
    /// The stored key, and the key in `/e`'s `user` and the custom webhook's `user_data`.
    pub key: &'static str,
    /// Whether it may also stand in the `address` object of seed 004.
    pub in_address: bool,
    /// `/webhook`'s spellings, seed 002's first; matched regardless of case, `_` and `-`.
    /// Seed 002 has no `region`, so `/webhook` has none.
    pub tracklution_names: &'static [&'static str],
}

const fn spec(
    field: UserField,
    key: &'static str,
    in_address: bool,
    tracklution_names: &'static [&'static str],
) -> UserFieldSpec {
    UserFieldSpec {
        field,
        key,
        in_address,
        tracklution_names,
    }
}

/// Every user-data field, in stored order. `phone` and `phoneVariants` are accepted on
/// `/webhook` because seed 002's matching section calls the field `phone`.
pub static USER_FIELDS: &[UserFieldSpec] = &[
    spec(UserField::Email, "email", false, &["email"]),
    spec(UserField::Phone, "phone", false, &["phoneNumber", "phone"]),
    spec(UserField::ExternalId, "external_id", false, &["externalId"]),
    spec(
        UserField::PriorityExternalId,
        "priority_external_id",
        false,
        &["priorityExternalId"],
    ),
    spec(UserField::FirstName, "first_name", false, &["firstName"]),
    spec(UserField::LastName, "last_name", false, &["lastName"]),
    spec(UserField::Birthday, "birthday", false, &["birthday"]),
    spec(UserField::Gender, "gender", false, &["gender"]),
    spec(UserField::Street, "street", true, &["address"]),
    spec(UserField::City, "city", true, &["city"]),
    spec(UserField::Region, "region", true, &[]),
    spec(UserField::PostalCode, "postal_code", true, &["postCode"]),
    spec(UserField::Country, "country", true, &["country"]),
    spec(
        UserField::EmailVariants,
        "email_variants",
        false,
        &["emailVariants"],
    ),
    spec(
        UserField::PhoneVariants,
        "phone_variants",
        false,
        &["phoneNumberVariants", "phoneVariants"],
    ),
];

impl UserField {
    /// The field stored under `key`.
    pub fn by_key(key: &str) -> Option<Self> {
        USER_FIELDS.iter().find(|s| s.key == key).map(|s| s.field)
    }

    /// The field named `key` inside seed 004's `address` object.
    pub fn by_address_key(key: &str) -> Option<Self> {
        USER_FIELDS
            .iter()
            .find(|s| s.key == key && s.in_address)
            .map(|s| s.field)
    }

    /// Whether the field holds a list of values (variants).
    pub fn is_list(self) -> bool {
        matches!(self, UserField::EmailVariants | UserField::PhoneVariants)
    }
}

/// What the user told us about themselves. Raw values feed `{{EMAIL}}` and friends; the hashed
/// forms ([`Email::sha256`], [`Phone::sha256`]) are what identity matching stores.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct UserData {
    pub email: Option<Email>,
    pub phone: Option<Phone>,
    pub external_id: Option<ExternalId>,
    pub first_name: Option<UserText>,
    pub last_name: Option<UserText>,
    /// Everything else.
    pub extra: UserExtra,
    /// The hashes of values whose raw form was not kept (see [`UserData::minimised`]).
    #[serde(skip_serializing_if = "UserHashes::is_empty")]
    pub hashes: UserHashes,
}

/// The user's other fields. Stored under `extra`, each under its registry key, absent ones left
/// out; reading a stored `extra` back runs it through the same parser ([`UserDataBuilder`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UserExtra {
    pub priority_external_id: Option<ExternalId>,
    pub birthday: Option<Birthday>,
    pub gender: Option<UserText>,
    pub street: Option<Street>,
    pub city: Option<UserText>,
    pub region: Option<UserText>,
    pub postal_code: Option<UserText>,
    pub country: Option<UserText>,
    pub email_variants: Vec<Email>,
    pub phone_variants: Vec<Phone>,
    /// Fields postclick gives no meaning to (a shop's `loyalty_tier`), as text, at most
    /// [`MAX_OTHER_FIELDS`].
    pub other: BTreeMap<String, String>,
}

impl UserExtra {
    /// The stored form: every given field under its key.
    pub fn to_map(&self) -> Map<String, Value> {
        let mut map = Map::new();
        let mut text = |key: &str, value: Option<&str>| {
            if let Some(value) = value {
                map.insert(key.to_string(), Value::String(value.to_string()));
            }
        };
        text("priority_external_id", self.priority_external_id.as_deref());
        text("birthday", self.birthday.as_ref().map(Birthday::as_str));
        text("gender", self.gender.as_deref());
        text("street", self.street.as_deref());
        text("city", self.city.as_deref());
        text("region", self.region.as_deref());
        text("postal_code", self.postal_code.as_deref());
        text("country", self.country.as_deref());
        let list = |items: Vec<&str>| Value::from(items);
        if !self.email_variants.is_empty() {
            let emails = self.email_variants.iter().map(|e| e.as_str()).collect();
            map.insert("email_variants".to_string(), list(emails));
        }
        if !self.phone_variants.is_empty() {
            let phones = self.phone_variants.iter().map(|p| p.as_str()).collect();
            map.insert("phone_variants".to_string(), list(phones));
        }
        for (key, value) in &self.other {
            map.insert(key.clone(), Value::String(value.clone()));
        }
        map
    }
}

impl Serialize for UserExtra {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_map().serialize(s)
    }
}

impl<'de> Deserialize<'de> for UserExtra {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let map = Map::<String, Value>::deserialize(d)?;
        let mut builder = UserDataBuilder::new();
        for (key, value) in &map {
            let raw = crate::core::input::Raw::Json(value);
            match UserField::by_key(key) {
                Some(field) => builder.set(field, raw, key),
                None => builder.set_other(key, raw, key),
            }
            .map_err(serde::de::Error::custom)?;
        }
        Ok(builder.finish().extra)
    }
}

impl UserData {
    /// Every field that was given, flat, under its stored key: the `user` part of a visitor's
    /// enrichment document.
    pub fn to_document(&self) -> Map<String, Value> {
        let Ok(Value::Object(mut doc)) = serde_json::to_value(self) else {
            return Map::new();
        };
        let extra = doc.remove("extra");
        doc.retain(|_, v| !v.is_null());
        if let Some(Value::Object(extra)) = extra {
            doc.extend(extra);
        }
        doc
    }

    /// The external ids to match on, the priority one first.
    pub fn external_ids(&self) -> impl Iterator<Item = &ExternalId> {
        self.extra
            .priority_external_id
            .iter()
            .chain(self.external_id.as_ref())
    }

    /// The email and its variants.
    pub fn emails(&self) -> impl Iterator<Item = &Email> {
        self.email.iter().chain(&self.extra.email_variants)
    }

    /// The phone and its variants.
    pub fn phones(&self) -> impl Iterator<Item = &Phone> {
        self.phone.iter().chain(&self.extra.phone_variants)
    }
}
