//! The token in `GET /px/{token}`: it names the event and the connector whose sandboxed pixel
//! document to serve, is signed with `SIGNING_KEY`, and expires after a few minutes. A token
//! that was altered, signed with another key, malformed, oversized or expired is refused.
//!
//! Format: `base64url(payload) "." base64url(HMAC-SHA256(purpose || base64url(payload)))`, where
//! the payload is the JSON array `[event_row_id, connector_id, expires_at]`. The MAC is checked,
//! in constant time, before the payload is decoded, and the ids in it are parsed like any others.

use super::ids::{ConnectorId, EventRowId};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// How long a pixel token stays valid: long enough for a slow page to load the iframe.
pub const PIXEL_TOKEN_TTL_S: i64 = 600;

/// Longest token accepted; anything longer is refused before any decoding.
pub const MAX_PIXEL_TOKEN_LEN: usize = 1024;

/// Binds the MAC to this use, so a signature made with the same key for something else never
/// passes as a pixel token.
const PURPOSE: &[u8] = b"postclick pixel token v1\0";

type HmacSha256 = Hmac<Sha256>;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PixelToken {
    /// The stored event's row id (not the caller's event id).
    pub event_row_id: EventRowId,
    pub connector_id: ConnectorId,
    /// Unix seconds from which the token is refused.
    pub expires_at: i64,
}

impl PixelToken {
    /// A token for the event row and connector that expires [`PIXEL_TOKEN_TTL_S`] after `now_s`.
    pub fn issue(event_row_id: &EventRowId, connector_id: &ConnectorId, now_s: i64) -> Self {
        Self {
            event_row_id: event_row_id.clone(),
            connector_id: connector_id.clone(),
            expires_at: now_s.saturating_add(PIXEL_TOKEN_TTL_S),
        }
    }

    /// The compact, URL-safe signed form.
    pub fn sign(&self, key: &[u8]) -> String {
        let payload =
            serde_json::json!([self.event_row_id, self.connector_id, self.expires_at]).to_string();
        let body = URL_SAFE_NO_PAD.encode(payload);
        let tag = URL_SAFE_NO_PAD.encode(mac(key, &body).finalize().into_bytes());
        format!("{body}.{tag}")
    }

    /// The token's contents if it was signed with `key` and has not expired at `now_s`.
    pub fn verify(token: &str, key: &[u8], now_s: i64) -> Option<PixelToken> {
        if token.len() > MAX_PIXEL_TOKEN_LEN {
            return None;
        }
        let (body, tag) = token.split_once('.')?;
        let tag = URL_SAFE_NO_PAD.decode(tag).ok()?;
        mac(key, body).verify_slice(&tag).ok()?;
        let payload = URL_SAFE_NO_PAD.decode(body).ok()?;
        let (event_row_id, connector_id, expires_at): (EventRowId, ConnectorId, i64) =
            serde_json::from_slice(&payload).ok()?;
        (now_s < expires_at).then_some(PixelToken {
            event_row_id,
            connector_id,
            expires_at,
        })
    }
}

fn mac(key: &[u8], body: &str) -> HmacSha256 {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(PURPOSE);
    mac.update(body.as_bytes());
    mac
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &[u8] = b"a signing key of the worker, 32+";
    const NOW: i64 = 1_790_000_000;

    fn event(raw: &str) -> EventRowId {
        EventRowId::parse(raw).unwrap()
    }

    fn connector(raw: &str) -> ConnectorId {
        ConnectorId::parse(raw).unwrap()
    }

    fn token() -> PixelToken {
        PixelToken::issue(&event("evt_01HXABCDEF"), &connector("con_42424242"), NOW)
    }

    fn sealed(body: &str) -> String {
        let tag = URL_SAFE_NO_PAD.encode(mac(KEY, body).finalize().into_bytes());
        format!("{body}.{tag}")
    }

    #[test]
    fn a_signed_token_verifies_to_the_same_event_and_connector_until_it_expires() {
        let signed = token().sign(KEY);
        assert_eq!(PixelToken::verify(&signed, KEY, NOW), Some(token()));
        assert_eq!(token().expires_at, NOW + 600);
        assert!(PixelToken::verify(&signed, KEY, NOW + 599).is_some());
        assert_eq!(PixelToken::verify(&signed, KEY, NOW + 600), None);
        assert_eq!(PixelToken::verify(&signed, KEY, NOW + 86_400), None);
    }

    #[test]
    fn the_token_is_url_safe_whatever_the_ids_hold() {
        let odd = PixelToken::issue(
            &event(&format!("evt_{}", "-_".repeat(32))),
            &connector("con_--__--__"),
            NOW,
        );
        let signed = odd.sign(KEY);
        assert!(signed
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')));
        assert_eq!(PixelToken::verify(&signed, KEY, NOW), Some(odd));
    }

    #[test]
    fn a_tampered_token_is_refused() {
        let signed = token().sign(KEY);
        let (body, tag) = signed.split_once('.').unwrap();
        for i in 0..signed.len() {
            let mut bytes = signed.clone().into_bytes();
            bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
            let tampered = String::from_utf8(bytes).unwrap();
            if tampered != signed {
                assert_eq!(PixelToken::verify(&tampered, KEY, NOW), None, "byte {i}");
            }
        }
        let other =
            PixelToken::issue(&event("evt_otherother"), &connector("con_42424242"), NOW).sign(KEY);
        let (other_body, _) = other.split_once('.').unwrap();
        assert_eq!(
            PixelToken::verify(&format!("{other_body}.{tag}"), KEY, NOW),
            None
        );
        let longer = PixelToken {
            expires_at: NOW + 1_000_000,
            ..token()
        };
        let longer_signed = longer.sign(KEY);
        let (longer_body, _) = longer_signed.split_once('.').unwrap();
        assert_eq!(
            PixelToken::verify(&format!("{longer_body}.{tag}"), KEY, NOW),
            None,
            "an extended expiry needs a new signature"
        );
        assert_eq!(
            PixelToken::verify(&format!("{body}.{tag}="), KEY, NOW),
            None
        );
        assert_eq!(
            PixelToken::verify(&format!("{body}.{tag}.x"), KEY, NOW),
            None
        );
    }

    #[test]
    fn a_token_signed_with_another_key_is_refused() {
        let signed = token().sign(b"another key");
        assert_eq!(PixelToken::verify(&signed, KEY, NOW), None);
        assert_eq!(PixelToken::verify(&token().sign(b""), KEY, NOW), None);
    }

    #[test]
    fn garbage_and_oversized_tokens_are_refused() {
        let huge = sealed(&URL_SAFE_NO_PAD.encode(format!(
            "[\"evt_{}\", \"con_42424242\", {}]",
            "e".repeat(2_000),
            NOW + 60
        )));
        for garbage in [
            "",
            ".",
            "..",
            "abc",
            "abc.",
            ".abc",
            "!!!.???",
            "a.b.c",
            "eyJ9.AAAA",
            huge.as_str(),
        ] {
            assert_eq!(PixelToken::verify(garbage, KEY, NOW), None, "{garbage:.40}");
        }
    }

    #[test]
    fn a_correctly_signed_payload_that_is_not_a_token_is_refused() {
        for payload in [
            "not json",
            "[]",
            "[\"evt\", \"con\"]",
            "[\"evt\", \"con\", \"soon\"]",
            "{\"event_id\": \"evt\"}",
            "[1, 2, 3]",
        ] {
            let forged = sealed(&URL_SAFE_NO_PAD.encode(payload));
            assert_eq!(PixelToken::verify(&forged, KEY, NOW), None, "{payload}");
        }
        let valid =
            sealed(&URL_SAFE_NO_PAD.encode("[\"evt_abcdefgh\", \"con_abcdefgh\", 1790000001]"));
        assert!(PixelToken::verify(&valid, KEY, NOW).is_some());
        let not_ids =
            sealed(&URL_SAFE_NO_PAD.encode("[\"dlv_abcdefgh\", \"con_abcdefgh\", 1790000001]"));
        assert_eq!(
            PixelToken::verify(&not_ids, KEY, NOW),
            None,
            "a row id of another kind"
        );
    }
}
