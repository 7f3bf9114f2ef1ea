//! The one parser of user data. Every surface hands it raw values field by field
//! ([`UserDataBuilder`]); the JSON surfaces hand it their whole object ([`parse_user_object`]).
//!
//! Rules, the same on every surface:
//! - a value is a string, or a whole number read as its digits (phones and ids are often stored
//!   as numbers); booleans, fractions, objects and arrays are `invalid_type`;
//! - each field's value follows its type ([`super::values`]): trimmed, at most
//!   [`super::MAX_USER_TEXT_BYTES`], printable, birthdays a real `YYYY-MM-DD` date;
//! - a field given twice (`address.city` and `city`) must agree (`conflicting_fields`);
//! - variants are lists of at most [`MAX_VARIANTS`] distinct values, each checked like the main
//!   value;
//! - a JSON object's unknown keys are kept as text in [`super::UserExtra::other`] (booleans as
//!   `true`/`false`), at most [`MAX_OTHER_FIELDS`] of them, with names of 1 to 64 printable
//!   characters.

use super::values::{Birthday, Email, ExternalId, Phone, Street, UserText};
use super::{UserData, UserField};
use crate::core::error::Invalid;
use crate::core::input::{check_field_name, whole_number, Raw};
use serde_json::Value;
use std::borrow::Cow;

/// Most email or phone variants one request may carry.
pub const MAX_VARIANTS: usize = 10;
/// Most unknown fields one user object may carry.
pub const MAX_OTHER_FIELDS: usize = 50;

/// User data collected field by field. Errors name the field as the caller spelled it.
#[derive(Debug, Default)]
pub struct UserDataBuilder {
    user: UserData,
}

/// A string or a whole number (`30` or `30.0`), as text; null is absent.
fn value_text<'a>(raw: Raw<'a>, path: &str) -> Result<Option<Cow<'a, str>>, Invalid> {
    match raw {
        Raw::Text(s) => Ok(Some(Cow::Borrowed(s))),
        Raw::Json(Value::String(s)) => Ok(Some(Cow::Borrowed(s))),
        Raw::Json(Value::Number(n)) => match whole_number(n) {
            Some(whole) => Ok(Some(Cow::Owned(whole.to_string()))),
            None => Err(Invalid::field(
                "invalid_type",
                path,
                "must be a string or a whole number",
            )),
        },
        Raw::Json(Value::Null) => Ok(None),
        Raw::Json(_) => Err(Invalid::field("invalid_type", path, "must be a string")),
    }
}

/// Put a parsed value into its slot; a different value already there is a conflict.
fn put<T: PartialEq>(slot: &mut Option<T>, value: Option<T>, path: &str) -> Result<(), Invalid> {
    match (slot.as_ref(), value) {
        (_, None) => Ok(()),
        (Some(existing), Some(value)) if *existing != value => Err(conflict(path)),
        (_, value) => {
            *slot = value;
            Ok(())
        }
    }
}

fn conflict(path: &str) -> Invalid {
    Invalid::field(
        "conflicting_fields",
        path,
        "was already given with another value",
    )
}

impl UserDataBuilder {
    pub fn new() -> Self {
        Self::default()
    }

    /// One field from one raw value. A list field takes a JSON array, or a single value.
    pub fn set(&mut self, field: UserField, raw: Raw<'_>, path: &str) -> Result<(), Invalid> {
        if field.is_list() {
            return self.set_list_value(field, raw, path);
        }
        let Some(text) = value_text(raw, path)? else {
            return Ok(());
        };
        let (user, text) = (&mut self.user, text.as_ref());
        let extra = &mut user.extra;
        match field {
            UserField::Email => put(&mut user.email, Email::parse(text, path)?, path),
            UserField::Phone => put(&mut user.phone, Phone::parse(text, path)?, path),
            UserField::ExternalId => {
                put(&mut user.external_id, ExternalId::parse(text, path)?, path)
            }
            UserField::PriorityExternalId => put(
                &mut extra.priority_external_id,
                ExternalId::parse(text, path)?,
                path,
            ),
            UserField::FirstName => put(&mut user.first_name, UserText::parse(text, path)?, path),
            UserField::LastName => put(&mut user.last_name, UserText::parse(text, path)?, path),
            UserField::Birthday => put(&mut extra.birthday, Birthday::parse(text, path)?, path),
            UserField::Gender => put(&mut extra.gender, UserText::parse(text, path)?, path),
            UserField::Street => put(&mut extra.street, Street::parse(text, path)?, path),
            UserField::City => put(&mut extra.city, UserText::parse(text, path)?, path),
            UserField::Region => put(&mut extra.region, UserText::parse(text, path)?, path),
            UserField::PostalCode => {
                put(&mut extra.postal_code, UserText::parse(text, path)?, path)
            }
            UserField::Country => put(&mut extra.country, UserText::parse(text, path)?, path),
            UserField::EmailVariants | UserField::PhoneVariants => Ok(()),
        }
    }

    fn set_list_value(
        &mut self,
        field: UserField,
        raw: Raw<'_>,
        path: &str,
    ) -> Result<(), Invalid> {
        let items = match raw {
            Raw::Json(Value::Array(list)) => json_variant_items(list, path)?,
            single => value_text(single, path)?
                .map(|t| vec![t.into_owned()])
                .unwrap_or_default(),
        };
        self.set_variants(field, items, path)
    }

    /// A variants list: empty items dropped, repeats folded, at most [`MAX_VARIANTS`], each item
    /// checked like the main value and named `path[i]`.
    pub fn set_variants(
        &mut self,
        field: UserField,
        items: Vec<String>,
        path: &str,
    ) -> Result<(), Invalid> {
        let mut unique: Vec<String> = Vec::new();
        for item in items.into_iter().map(|i| i.trim().to_string()) {
            if !item.is_empty() && !unique.contains(&item) {
                unique.push(item);
            }
        }
        if unique.len() > MAX_VARIANTS {
            return Err(too_many_variants(path));
        }
        for (i, item) in unique.iter().enumerate() {
            let item_path = format!("{path}[{i}]");
            let extra = &mut self.user.extra;
            match field {
                UserField::EmailVariants => {
                    extra.email_variants.extend(Email::parse(item, &item_path)?);
                }
                UserField::PhoneVariants => {
                    extra.phone_variants.extend(Phone::parse(item, &item_path)?);
                }
                // A list given for a single field must agree with itself.
                single => self.set(single, Raw::Text(item), &item_path)?,
            }
        }
        Ok(())
    }

    /// A field postclick gives no meaning to, kept as text under its own name. Besides
    /// strings and whole numbers it takes a boolean, as its JSON text (a shop's
    /// `"newsletter": true`).
    pub fn set_other(&mut self, key: &str, raw: Raw<'_>, path: &str) -> Result<(), Invalid> {
        check_field_name(key, path)?;
        let text = match raw {
            Raw::Json(Value::Bool(flag)) => {
                Some(Cow::Borrowed(if *flag { "true" } else { "false" }))
            }
            other => value_text(other, path)?,
        };
        let Some(text) = text else {
            return Ok(());
        };
        let Some(text) = UserText::parse(&text, path)? else {
            return Ok(());
        };
        let other = &mut self.user.extra.other;
        match other.get(key) {
            Some(existing) if existing != text.as_str() => return Err(conflict(path)),
            Some(_) => return Ok(()),
            None if other.len() >= MAX_OTHER_FIELDS => {
                return Err(Invalid::field(
                    "too_many_attributes",
                    path,
                    format!("at most {MAX_OTHER_FIELDS} other user fields"),
                ))
            }
            None => {}
        }
        other.insert(key.to_string(), text.as_str().to_string());
        Ok(())
    }

    pub fn finish(self) -> UserData {
        self.user
    }
}

/// The JSON form: `/e`'s `user` and the custom webhook's `user_data`, with seed 004's `address`
/// object (`street`, `city`, `region`, `postal_code`, `country`, or other keys) allowed beside
/// the same fields written flat. `path` names the object in errors (`user_data`); null is no
/// user data.
pub fn parse_user_object(value: &Value, path: &str) -> Result<UserData, Invalid> {
    let map = match value {
        Value::Null => return Ok(UserData::default()),
        Value::Object(map) => map,
        _ => return Err(not_an_object(path)),
    };
    let mut builder = UserDataBuilder::new();
    for (key, value) in map {
        let field_path = format!("{path}.{key}");
        if key == "address" {
            let address = match value {
                Value::Null => continue,
                Value::Object(address) => address,
                _ => return Err(not_an_object(&field_path)),
            };
            for (key, value) in address {
                let item_path = format!("{field_path}.{key}");
                match UserField::by_address_key(key) {
                    Some(field) => builder.set(field, Raw::Json(value), &item_path)?,
                    None => builder.set_other(key, Raw::Json(value), &item_path)?,
                }
            }
            continue;
        }
        match UserField::by_key(key) {
            Some(field) => builder.set(field, Raw::Json(value), &field_path)?,
            None => builder.set_other(key, Raw::Json(value), &field_path)?,
        }
    }
    Ok(builder.finish())
}

fn not_an_object(path: &str) -> Invalid {
    Invalid::field("invalid_type", path, "must be a JSON object")
}

/// The items of a JSON variants list as text, for every surface that takes one. The list counts
/// every item, nulls and repeats included, as its schema's `maxItems` does (more than
/// [`MAX_VARIANTS`] is `too_many_variants`); each item is read as a single value is (a string, or a
/// whole number in the 64-bit range), nulls are dropped, and a refused item is named `path[i]`.
pub fn json_variant_items(list: &[Value], path: &str) -> Result<Vec<String>, Invalid> {
    if list.len() > MAX_VARIANTS {
        return Err(too_many_variants(path));
    }
    let mut items = Vec::with_capacity(list.len());
    for (i, item) in list.iter().enumerate() {
        if let Some(text) = value_text(Raw::Json(item), &format!("{path}[{i}]"))? {
            items.push(text.into_owned());
        }
    }
    Ok(items)
}

/// The refusal of a variants list longer than [`MAX_VARIANTS`], naming the field at `path`.
pub fn too_many_variants(path: &str) -> Invalid {
    Invalid::field(
        "too_many_variants",
        path,
        format!("at most {MAX_VARIANTS} variants"),
    )
}
