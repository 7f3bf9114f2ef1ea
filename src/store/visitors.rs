//! The `visitors` table: what set-type webhooks told us about a visitor, merged over time.
//!
//! The stored document is `{"user": {...}, "attributes": {...}, "clicks": {...}, "url"}`, merged with SQLite's `json_patch` (RFC 7396), so a later value replaces an
//! earlier one key by key, and an explicit `null` in `eventAttributes` removes that attribute.
//! Each set request is bounded by the parser; the merged document is bounded here: a set that
//! would grow it past [`MAX_VISITOR_DOCUMENT_BYTES`] replaces it instead of growing it further.

use super::{int, statement, text, time};
use crate::core::ids::ContainerId;
use crate::core::time::UnixMs;
use crate::core::user_data::KeepRaw;
use crate::core::webhook_in::SetData;
use crate::error::{Error, Result};
use serde_json::{Map, Value};
use worker::{D1Database, D1PreparedStatement};

/// Largest merged attribute document one visitor keeps.
pub const MAX_VISITOR_DOCUMENT_BYTES: i64 = 64 * 1024;

/// The document one set request contributes: only what it carries, so absent fields never
/// erase what earlier requests stored. No connector reads this document, so its email, phone,
/// names and address are kept as hashes only, and the IP address and user agent not at all
/// (`core::privacy`).
pub fn set_document(set: &SetData) -> Value {
    let mut doc = Map::new();
    let user = set.user.minimised(KeepRaw::default()).to_document();
    if !user.is_empty() {
        doc.insert("user".to_string(), Value::Object(user));
    }
    if !set.attributes.is_empty() {
        doc.insert(
            "attributes".to_string(),
            Value::Object(set.attributes.as_map().clone()),
        );
    }
    let clicks: Map<String, Value> = set
        .clicks
        .iter()
        .map(|c| (c.param.clone(), Value::String(c.value.clone())))
        .collect();
    if !clicks.is_empty() {
        doc.insert("clicks".to_string(), Value::Object(clicks));
    }
    if let Some(url) = &set.url {
        doc.insert("url".to_string(), Value::String(url.clone()));
    }
    Value::Object(doc)
}

/// The statement that merges `document` into the visitor's stored attributes.
pub fn merge(
    db: &D1Database,
    container_id: &ContainerId,
    visitor_id: &str,
    document: &Value,
    now: UnixMs,
) -> Result<D1PreparedStatement> {
    let json = serde_json::to_string(document)
        .map_err(|e| Error::internal("serialising visitor attributes", e))?;
    statement(
        db,
        "INSERT INTO visitors (container_id, visitor_id, attributes, updated_at) VALUES (?1, ?2, ?3, ?4) \
         ON CONFLICT (container_id, visitor_id) DO UPDATE SET \
         attributes = CASE WHEN length(json_patch(attributes, excluded.attributes)) <= ?5 \
         THEN json_patch(attributes, excluded.attributes) ELSE excluded.attributes END, \
         updated_at = excluded.updated_at",
        &[
            text(container_id.as_str()),
            text(visitor_id),
            text(&json),
            time(now),
            int(MAX_VISITOR_DOCUMENT_BYTES),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::webhook_in::{parse_webhook, TrackOrSet, WebhookBody};
    use serde_json::json;

    fn set_from(query: &[(&str, &str)]) -> SetData {
        let pairs: Vec<(String, String)> = query
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect();
        match parse_webhook(&pairs, &WebhookBody::Empty) {
            Ok(TrackOrSet::Set(set)) => set,
            other => panic!("expected a set request, got {other:?}"),
        }
    }

    #[test]
    fn a_set_document_holds_only_what_the_request_carried() {
        let set = set_from(&[
            ("externalId", "crm-1"),
            ("phoneNumber", "+358401234567"),
            ("city", "Helsinki"),
            ("utmSource", "google"),
            ("eventAttributes[plan]", "Premium"),
        ]);
        assert_eq!(
            set_document(&set),
            json!({
                "user": {"external_id": "crm-1", "hashes": {
                    "phone": crate::core::template::hex_sha256("358401234567"),
                    "phone_e164": crate::core::template::hex_sha256("+358401234567"),
                    "fields": {"city": crate::core::template::hex_sha256("helsinki")}}},
                "attributes": {"plan": "Premium"},
                "clicks": {"utm_source": "google"},
            })
        );
    }

    #[test]
    fn a_set_with_only_an_identity_contributes_no_nulls() {
        let set = set_from(&[("visitorId", "v_1")]);
        assert_eq!(set_document(&set), json!({}));
    }
}
