//! The text rules many fields share, as named components: a field whose pattern is one of them
//! refers to it (`allOf: [{"$ref": ...}]`) instead of repeating it. The document reads better
//! (a field is an `EventName` or a `UserText`), and it is a third of the size the worker embeds.
//! A named rule is a bare `pattern`, which constrains strings only, so a field keeps its own
//! `type` (a JSON body's field may also take a number, a boolean or null).

use super::{patterns, rules};
use crate::core::input::MAX_TEXT_LEN;
use crate::core::user_data::MAX_USER_TEXT_BYTES;
use serde_json::{json, Map, Value};

/// The shared rules: component name, what it is, and its pattern.
fn rules() -> Vec<(&'static str, &'static str, String)> {
    vec![
        ("EventName", "An event name such as Purchase: 1 to 64 characters once trimmed, no control characters", patterns::event_name()),
        ("EventIdText", "A caller's event id: 1 to 128 printable characters once trimmed", patterns::event_id(false)),
        ("EventIdTextOrBlank", "A caller's event id, or blank for none", patterns::event_id(true)),
        ("Text", "Text of at most 1024 bytes once trimmed; tabs and line breaks allowed, other control characters not; blank is absent", patterns::text(MAX_TEXT_LEN, true)),
        ("UserText", "A user field: at most 256 bytes once trimmed, no control characters; blank is absent", patterns::text(MAX_USER_TEXT_BYTES, false)),
        ("UserTextLines", "A user field that may span lines (a street): at most 256 bytes once trimmed; blank is absent", patterns::text(MAX_USER_TEXT_BYTES, true)),
        ("Birthday", "A real calendar day written YYYY-MM-DD; blank is absent", patterns::birthday()),
        ("Variants", "Up to 10 values separated by commas, each at most 256 bytes; blank is absent", patterns::variants()),
        ("CurrencyCode", "An ISO 4217 code such as EUR, in any letter case", patterns::currency(false)),
        ("CurrencyCodeOrBlank", "An ISO 4217 code such as EUR, in any letter case, or blank for none", patterns::currency(true)),
        ("Amount", "A decimal from 0 to below 10^12 such as 49.90 (or 49,90); no grouping separators, signs or exponents, and a comma before exactly three digits (1,250) is ambiguous and refused", patterns::amount(false)),
        ("AmountOrBlank", "A decimal from 0 to below 10^12 such as 49.90 (or 49,90), or blank for none; no grouping separators, signs or exponents, and a comma before exactly three digits (1,250) is ambiguous and refused", patterns::amount(true)),
        ("ClickIdValue", "A click id, kept byte for byte: at most 512 bytes once trimmed, no controls (inner spaces, / and + are kept); blank or an unfilled macro ({clickid}, %%CID%%, [[cid]], undefined, null) is absent", patterns::click_value(true)),
        ("CampaignTagValue", "A campaign tag: at most 512 bytes once trimmed, no controls; blank is absent", patterns::click_value(false)),
        ("PageUrl", "An absolute http(s) URL of at most 4096 bytes; blank is absent", patterns::page_url()),
        ("SessionTimestamp", "Unix seconds, unix milliseconds or an RFC 3339 time between 2000 and 2100; blank is absent", patterns::timestamp()),
        ("VisitorIdText", "The pc_vid visitor id: 1 to 128 of A-Z a-z 0-9 . _ - :; blank is absent", patterns::visitor_id()),
        ("ConsentWord", "granted, true or 1; denied, false or 0; in any letter case; blank is absent", patterns::consent_word()),
        ("BooleanWord", "true, 1 or yes; false, 0 or no; in any letter case; blank is absent", patterns::boolean_word()),
        ("AttributesJson", "A JSON object of plain string attributes such as {\"plan\":\"Premium\"}; blank is absent", patterns::attributes_json()),
        ("Template", "Text with {{PLACEHOLDERS}}: every {{ opens a placeholder {{NAME}} or {{NAME|filter|...}} (filters sha256, lower, upper, default:TEXT)", patterns::template("")),
        ("Name120", "1 to 120 characters once trimmed, no control characters", patterns::printable(120)),
        ("FilledText", "Text of 1 to 1024 bytes once trimmed; tabs and line breaks allowed, other control characters not", patterns::trimmed_text(patterns::CONTROL_BUT_LINES, Some(MAX_TEXT_LEN), false)),
        ("QueryParamName", "A query parameter name: 1 to 64 of letters, digits, _ - . [ ] once trimmed; blank is none", patterns::query_param_name()),
        ("SubjectEmail", "A person's email address (erasure, export): matched by its normalised SHA-256", patterns::subject_identifier("email")),
        ("SubjectPhone", "A person's phone number with its country code (erasure, export): 7 to 15 digits, matched by their SHA-256", patterns::subject_identifier("phone")),
        ("SubjectExternalId", "A person's external id (erasure, export): 1 to 256 characters once trimmed, no control characters", patterns::subject_identifier("external_id")),
        ("SubjectVisitorId", "A person's pc_vid visitor id (erasure, export): 1 to 128 of A-Z a-z 0-9 . _ - :", patterns::subject_identifier("visitor_id")),
        ("StatusTarget", "A conversion status a change may name: approved, rejected or reversed", super::lifecycle_bodies::target_pattern()),
        ("Origin", "An origin such as https://www.shop.com", rules::origin_pattern()),
        ("RegistrableDomain", "A registrable domain such as shop.com: no scheme, port or path", rules::host_pattern(2)),
    ]
}

/// Replaces every `pattern` that is one of the shared rules with a reference to it, and adds the
/// rules that are used as components.
pub fn share(doc: &mut Value) {
    let rules = rules();
    let mut used = Map::new();
    refer(&mut doc["paths"], &rules, &mut used);
    refer(&mut doc["components"]["schemas"], &rules, &mut used);
    if let Value::Object(schemas) = &mut doc["components"]["schemas"] {
        schemas.extend(used);
        schemas.sort_keys();
    }
}

fn refer(value: &mut Value, rules: &[(&str, &str, String)], used: &mut Map<String, Value>) {
    match value {
        Value::Object(map) => {
            let shared = map
                .get("pattern")
                .and_then(Value::as_str)
                .and_then(|p| rules.iter().find(|(_, _, rule)| rule == p));
            if let Some((name, description, pattern)) = shared {
                map.remove("pattern");
                let reference = json!({"$ref": format!("#/components/schemas/{name}")});
                match map.get_mut("allOf").and_then(Value::as_array_mut) {
                    Some(all) => all.push(reference),
                    None => {
                        map.insert("allOf".into(), json!([reference]));
                    }
                }
                used.insert(
                    name.to_string(),
                    json!({"description": description, "pattern": pattern}),
                );
            }
            for child in map.values_mut() {
                refer(child, rules, used);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| refer(v, rules, used)),
        _ => {}
    }
}
