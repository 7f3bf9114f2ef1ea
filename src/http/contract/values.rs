//! JSON Schemas of the values the core's JSON parsers share, built from their bounds and
//! registries rather than written out: attribute maps (`Attributes`), user objects
//! (`parse_user_object` over `USER_FIELDS`), consent (`Consent::from_json`) and amounts. Every
//! request body that carries one of these gets it from here, so `/e`, the custom webhook, the
//! preview sample and `/webhook` are documented with one rule each, as they are parsed.

use super::patterns;
use crate::core::event::{MAX_ATTRIBUTES, MAX_ATTRIBUTE_DEPTH, MAX_ATTRIBUTE_STRING_LEN};
use crate::core::input::MAX_FIELD_NAME_LEN;
use crate::core::user_data::{
    UserField, MAX_OTHER_FIELDS, MAX_USER_TEXT_BYTES, MAX_VARIANTS, USER_FIELDS,
};
use serde_json::{json, Map, Value};

/// The JSON integers the parsers read as whole numbers (`input::whole_number`): signed 64-bit
/// up to unsigned 64-bit.
pub fn whole_number_bounds() -> Value {
    json!({"minimum": i64::MIN, "maximum": u64::MAX})
}

/// A field name a sender chose (an attribute key, an unknown user field): 1 to 64 characters
/// (Unicode scalar values, as JSON Schema counts them), no controls (`input::check_field_name`, `Attributes::from_map`).
pub fn field_name() -> Value {
    json!({
        "minLength": 1,
        "maxLength": MAX_FIELD_NAME_LEN,
        "pattern": format!("^[^{}]+$", patterns::CONTROL),
    })
}

/// One attribute value at nesting `depth` (1 for a top-level value): a string of at most 1024
/// characters (bytes on the server), a number, a boolean, null, or, above the deepest level, an
/// array or object of at most 50 such values; at the deepest level only empty ones.
fn attribute_value(depth: usize) -> Value {
    let (items, limit) = match depth < MAX_ATTRIBUTE_DEPTH {
        true => (attribute_value(depth + 1), MAX_ATTRIBUTES),
        false => (json!({}), 0),
    };
    json!({
        "type": ["string", "number", "boolean", "null", "array", "object"],
        "maxLength": MAX_ATTRIBUTE_STRING_LEN,
        "maxItems": limit,
        "items": items,
        "maxProperties": limit,
        "additionalProperties": items,
    })
}

/// Custom event data (`Attributes::parse`): at most 50 keys of 1 to 64 printable characters,
/// values nested at most three levels.
pub fn attributes() -> Value {
    json!({
        "type": ["object", "null"],
        "description": "Custom data: at most 50 keys of 1 to 64 printable characters; strings of at most 1024 bytes; arrays and objects of at most 50 values, nested at most 3 levels",
        "maxProperties": MAX_ATTRIBUTES,
        "propertyNames": field_name(),
        "additionalProperties": attribute_value(1),
    })
}

/// One consent purpose: a boolean, null, or a consent word (`ConsentSignal::from_json`).
fn consent_signal() -> Value {
    json!({
        "type": ["boolean", "string", "null"],
        "pattern": patterns::consent_word(),
        "description": "true/false, or granted/denied (1/0) in any letter case; null says nothing",
    })
}

/// A consent object (`Consent::from_json`): `advertising` and `analytics`, nothing else.
pub fn consent() -> Value {
    json!({
        "type": ["object", "null"],
        "description": "Consent as the page or the sender knows it. advertising false (denied): the event is stored, but no ad-platform or partner postback is ever sent for it",
        "properties": {"advertising": consent_signal(), "analytics": consent_signal()},
        "additionalProperties": false,
    })
}

/// A JSON `value` (`Amount::from_json`): a number from 0 to below 10^12, or the same as decimal
/// text; null is absent, and so is blank text where the parser says so (`/webhook`).
pub fn amount(blank_ok: bool) -> Value {
    json!({
        "type": ["number", "string", "null"],
        "minimum": 0,
        "exclusiveMaximum": 1_000_000_000_000_u64,
        "pattern": patterns::amount(blank_ok),
    })
}

/// What a user field is, for the document.
pub fn user_field_description(field: UserField) -> &'static str {
    match field {
        UserField::Email => {
            "Email address; matched and sent hashed (SHA-256 of the trimmed, lower-cased address)"
        }
        UserField::Phone => {
            "Phone number with its country code; matched and sent hashed (digits only)"
        }
        UserField::ExternalId => {
            "Your own id for the person (a customer or CRM id), matched exactly"
        }
        UserField::PriorityExternalId => {
            "An external id to try before the external id when matching"
        }
        UserField::FirstName => "First name",
        UserField::LastName => "Last name",
        UserField::Birthday => "Date of birth, YYYY-MM-DD (a real calendar day)",
        UserField::Gender => "Gender, e.g. female",
        UserField::Street => "Street address; may span lines",
        UserField::City => "City",
        UserField::Region => "Region or state",
        UserField::PostalCode => "Postal code",
        UserField::Country => "Country",
        UserField::EmailVariants => "More email addresses of the person, for matching: at most 10",
        UserField::PhoneVariants => "More phone numbers of the person, for matching: at most 10",
    }
}

/// One user field's text rule (`user_data::values`): at most 256 characters, no controls (a
/// street may span lines), a birthday a real `YYYY-MM-DD` day.
pub fn user_text_pattern(field: UserField) -> String {
    match field {
        UserField::Birthday => patterns::birthday(),
        UserField::Street => patterns::text(MAX_USER_TEXT_BYTES, true),
        _ => patterns::text(MAX_USER_TEXT_BYTES, false),
    }
}

/// One user field in a JSON object (`UserDataBuilder::set`): text, or a whole number read as
/// its digits (not for a birthday); null is absent. A variants field takes a list of such values
/// or a single one.
pub fn user_field(field: UserField) -> Value {
    let types: &[&str] = match field {
        UserField::Birthday => &["string", "null"],
        _ => &["string", "integer", "null"],
    };
    let mut single = json!({"type": types, "pattern": user_text_pattern(field)});
    if field != UserField::Birthday {
        merge(&mut single, whole_number_bounds());
    }
    if field.is_list() {
        let mut list = single.clone();
        list["type"] = json!(["string", "integer", "null", "array"]);
        list["items"] = single;
        list["maxItems"] = json!(MAX_VARIANTS);
        single = list;
    }
    single["description"] = json!(user_field_description(field));
    single
}

fn merge(target: &mut Value, extra: Value) {
    if let (Value::Object(target), Value::Object(extra)) = (target, extra) {
        target.extend(extra);
    }
}

/// A key the user object's parser gives no meaning to: kept as text, booleans as `true` or
/// `false` (`UserDataBuilder::set_other`).
fn other_user_field() -> Value {
    let mut other = json!({
        "type": ["string", "integer", "boolean", "null"],
        "pattern": patterns::text(MAX_USER_TEXT_BYTES, false),
    });
    merge(&mut other, whole_number_bounds());
    other
}

/// A user object as `/e`'s `user`, the custom webhook's `user_data` and a sample's `user` take
/// it (`parse_user_object`): every field of the registry under its key, seed 004's `address`
/// object for the address fields, and up to 50 other keys kept as text. An address field is
/// written either flat or in `address`: the server refuses the two with different values, which
/// a schema cannot compare, so the document offers one place or the other.
pub fn user_object(description: &str) -> Value {
    let mut flat = Map::new();
    let mut address = Map::new();
    for spec in USER_FIELDS {
        if spec.in_address {
            address.insert(spec.key.to_string(), user_field(spec.field));
        }
        flat.insert(spec.key.to_string(), user_field(spec.field));
    }
    let address_keys: Vec<&str> = USER_FIELDS
        .iter()
        .filter(|s| s.in_address)
        .map(|s| s.key)
        .collect();
    let absent = |keys: &[&str]| -> Map<String, Value> {
        keys.iter().map(|k| (k.to_string(), json!(false))).collect()
    };
    let mut address_schema = json!({
        "type": ["object", "null"],
        "description": "The postal address (seed 004); other keys are kept as text",
        "properties": address,
        "maxProperties": MAX_OTHER_FIELDS,
        "propertyNames": field_name(),
        "additionalProperties": other_user_field(),
    });
    let mut flat_address = address_schema.clone();
    flat_address["properties"] = Value::Object(absent(&address_keys));
    flat.insert("address".into(), address_schema.take());
    json!({
        "type": ["object", "null"],
        "description": description,
        "properties": flat,
        "maxProperties": MAX_OTHER_FIELDS,
        "propertyNames": field_name(),
        "additionalProperties": other_user_field(),
        "anyOf": [
            {"properties": {"address": flat_address}},
            {"properties": absent(&address_keys)},
        ],
    })
}
