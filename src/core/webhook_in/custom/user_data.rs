//! The `user_data` object: contact fields, the address, and unknown scalars kept in `extra`.

use super::{fields, not_an_object, read, Obj};
use crate::core::error::Invalid;
use crate::core::event::{Attributes, UserData, MAX_ATTRIBUTE_KEY_LEN};
use crate::core::webhook_in::fields::extra;
use serde_json::{Map, Value};

pub(super) fn user_data(o: &Obj) -> Result<UserData, Invalid> {
    let mut extras = Map::new();
    if let Some(date) = read(o, "birthday", "user_data.birthday", fields::date)? {
        extras.insert(extra::BIRTHDAY.to_string(), Value::String(date));
    }
    match o.get("address") {
        None | Some(Value::Null) => {}
        Some(Value::Object(address)) => {
            let named = [
                ("street", extra::STREET),
                ("city", extra::CITY),
                ("region", extra::REGION),
                ("postal_code", extra::POSTAL_CODE),
                ("country", extra::COUNTRY),
            ];
            for key in address.keys() {
                let path = format!("user_data.address.{key}");
                let target = named
                    .iter()
                    .find(|(k, _)| k == key)
                    .map_or(key.as_str(), |n| n.1);
                if let Some(text) = read(address, key, &path, fields::text)? {
                    put_extra(&mut extras, target, text, &path)?;
                }
            }
        }
        Some(_) => return Err(not_an_object("user_data.address")),
    }
    const TYPED: &[&str] = &[
        "email",
        "phone",
        "first_name",
        "last_name",
        "external_id",
        "address",
        "birthday",
    ];
    for key in o.keys().filter(|k| !TYPED.contains(&k.as_str())) {
        let path = format!("user_data.{key}");
        if let Some(text) = read(o, key, &path, fields::text)? {
            put_extra(&mut extras, key, text, &path)?;
        }
    }
    Ok(UserData {
        email: read(o, "email", "user_data.email", fields::email)?,
        phone: read(o, "phone", "user_data.phone", fields::phone)?,
        external_id: read(o, "external_id", "user_data.external_id", fields::text)?,
        first_name: read(o, "first_name", "user_data.first_name", fields::text)?,
        last_name: read(o, "last_name", "user_data.last_name", fields::text)?,
        extra: Attributes::from_map(extras, "user_data")?,
    })
}

fn put_extra(extras: &mut Obj, key: &str, text: String, path: &str) -> Result<(), Invalid> {
    check_key(key, path)?;
    match extras.get(key) {
        Some(Value::String(existing)) if *existing != text => Err(Invalid::field(
            "conflicting_fields",
            path,
            format!("{key} was already given with another value"),
        )),
        _ => {
            extras.insert(key.to_string(), Value::String(text));
            Ok(())
        }
    }
}

pub(super) fn check_key(key: &str, path: &str) -> Result<(), Invalid> {
    let ok =
        !key.is_empty() && key.len() <= MAX_ATTRIBUTE_KEY_LEN && !key.chars().any(char::is_control);
    if ok {
        Ok(())
    } else {
        Err(Invalid::field(
            "invalid_field",
            path.chars().take(200).collect::<String>(),
            format!("field names are 1 to {MAX_ATTRIBUTE_KEY_LEN} printable characters"),
        ))
    }
}
