//! The token in `GET /px/{token}`: it names the event and the connector whose sandboxed pixel
//! document to serve, is signed with `SIGNING_KEY`, expires after two minutes, and is bound to
//! the visitor it was issued for. A token that was altered, signed with another key, malformed,
//! oversized, expired, or presented by another visitor is refused.
//!
//! Format: `base64url(payload) "." base64url(HMAC-SHA256(purpose || visitor || NUL ||
//! base64url(payload)))`, where the payload is the JSON array `[event_row_id, connector_id,
//! expires_at, bound]`. `bound` is 1 when the event had a visitor (`pc_vid`): the MAC then covers
//! that visitor id, which is not in the token (page scripts can read the token, and `pc_vid` is
//! HttpOnly so that they cannot learn the id). The server checks it against the visitor of the
//! request for `/px/...`, so another client replaying the URL is refused. The MAC is checked, in
//! constant time, before the payload is decoded, and the ids in it are parsed like any others.

use super::ids::{ConnectorId, EventRowId};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// How long a pixel token stays valid: long enough for a slow page to load the iframe it was
/// issued for, short enough that a leaked URL is soon useless.
pub const PIXEL_TOKEN_TTL_S: i64 = 120;

/// Longest token accepted; anything longer is refused before any decoding.
pub const MAX_PIXEL_TOKEN_LEN: usize = 1024;

/// Binds the MAC to this use, so a signature made with the same key for something else never
/// passes as a pixel token.
const PURPOSE: &[u8] = b"postclick pixel token v2\0";

type HmacSha256 = Hmac<Sha256>;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PixelToken {
    /// The stored event's row id (not the caller's event id).
    pub event_row_id: EventRowId,
    pub connector_id: ConnectorId,
    /// Unix seconds from which the token is refused.
    pub expires_at: i64,
    /// The visitor id the token is bound to: the event's visitor when it was issued, the
    /// requesting visitor once verified. `None` for an event without a visitor.
    pub visitor: Option<String>,
}

impl PixelToken {
    /// A token for the event row and connector, bound to `visitor` when the event has one, that
    /// expires [`PIXEL_TOKEN_TTL_S`] after `now_s`.
    pub fn issue(
        event_row_id: &EventRowId,
        connector_id: &ConnectorId,
        visitor: Option<&str>,
        now_s: i64,
    ) -> Self {
        Self {
            event_row_id: event_row_id.clone(),
            connector_id: connector_id.clone(),
            expires_at: now_s.saturating_add(PIXEL_TOKEN_TTL_S),
            visitor: visitor.map(str::to_string),
        }
    }

    /// The compact, URL-safe signed form.
    pub fn sign(&self, key: &[u8]) -> String {
        let bound = u8::from(self.visitor.is_some());
        let payload =
            serde_json::json!([self.event_row_id, self.connector_id, self.expires_at, bound])
                .to_string();
        let body = URL_SAFE_NO_PAD.encode(payload);
        let visitor = self.visitor.as_deref().unwrap_or("");
        let tag = URL_SAFE_NO_PAD.encode(mac(key, visitor, &body).finalize().into_bytes());
        format!("{body}.{tag}")
    }

    /// The token's contents if it was signed with `key`, has not expired at `now_s`, and, when
    /// it is bound, `visitor` (the requester's verified `pc_vid`) is the visitor it was issued
    /// for. A bound token presented without a visitor is refused.
    pub fn verify(
        token: &str,
        key: &[u8],
        now_s: i64,
        visitor: Option<&str>,
    ) -> Option<PixelToken> {
        if token.len() > MAX_PIXEL_TOKEN_LEN {
            return None;
        }
        let (body, tag) = token.split_once('.')?;
        let tag = URL_SAFE_NO_PAD.decode(tag).ok()?;
        // Which visitor the MAC covers depends on the payload's flag, which is only trusted
        // once the MAC passes: try as bound to the requester, then as unbound.
        let bound_ok = visitor.is_some_and(|v| mac(key, v, body).verify_slice(&tag).is_ok());
        let unbound_ok = !bound_ok && mac(key, "", body).verify_slice(&tag).is_ok();
        if !bound_ok && !unbound_ok {
            return None;
        }
        let payload = URL_SAFE_NO_PAD.decode(body).ok()?;
        let (event_row_id, connector_id, expires_at, bound): (EventRowId, ConnectorId, i64, u8) =
            serde_json::from_slice(&payload).ok()?;
        let consistent = match bound {
            1 => bound_ok,
            0 => unbound_ok,
            _ => false,
        };
        (consistent && now_s < expires_at).then(|| PixelToken {
            event_row_id,
            connector_id,
            expires_at,
            visitor: bound_ok.then(|| visitor.unwrap_or_default().to_string()),
        })
    }
}

fn mac(key: &[u8], visitor: &str, body: &str) -> HmacSha256 {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(PURPOSE);
    mac.update(visitor.as_bytes());
    mac.update(b"\0");
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
        PixelToken::issue(
            &event("evt_01HXABCDEF"),
            &connector("con_42424242"),
            None,
            NOW,
        )
    }

    fn sealed(body: &str) -> String {
        let tag = URL_SAFE_NO_PAD.encode(mac(KEY, "", body).finalize().into_bytes());
        format!("{body}.{tag}")
    }

    #[test]
    fn a_signed_token_verifies_to_the_same_event_and_connector_until_it_expires() {
        let signed = token().sign(KEY);
        assert_eq!(PixelToken::verify(&signed, KEY, NOW, None), Some(token()));
        assert_eq!(token().expires_at, NOW + 120);
        assert!(PixelToken::verify(&signed, KEY, NOW + 119, None).is_some());
        assert_eq!(PixelToken::verify(&signed, KEY, NOW + 120, None), None);
        assert_eq!(PixelToken::verify(&signed, KEY, NOW + 86_400, None), None);
    }

    #[test]
    fn the_token_is_url_safe_whatever_the_ids_hold() {
        let odd = PixelToken::issue(
            &event(&format!("evt_{}", "-_".repeat(32))),
            &connector("con_--__--__"),
            None,
            NOW,
        );
        let signed = odd.sign(KEY);
        assert!(signed
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')));
        assert_eq!(PixelToken::verify(&signed, KEY, NOW, None), Some(odd));
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
                assert_eq!(
                    PixelToken::verify(&tampered, KEY, NOW, None),
                    None,
                    "byte {i}"
                );
            }
        }
        let other = PixelToken::issue(
            &event("evt_otherother"),
            &connector("con_42424242"),
            None,
            NOW,
        )
        .sign(KEY);
        let (other_body, _) = other.split_once('.').unwrap();
        assert_eq!(
            PixelToken::verify(&format!("{other_body}.{tag}"), KEY, NOW, None),
            None
        );
        let longer = PixelToken {
            expires_at: NOW + 1_000_000,
            ..token()
        };
        let longer_signed = longer.sign(KEY);
        let (longer_body, _) = longer_signed.split_once('.').unwrap();
        assert_eq!(
            PixelToken::verify(&format!("{longer_body}.{tag}"), KEY, NOW, None),
            None,
            "an extended expiry needs a new signature"
        );
        assert_eq!(
            PixelToken::verify(&format!("{body}.{tag}="), KEY, NOW, None),
            None
        );
        assert_eq!(
            PixelToken::verify(&format!("{body}.{tag}.x"), KEY, NOW, None),
            None
        );
    }

    #[test]
    fn a_token_issued_for_a_visitor_is_served_to_that_visitor_only() {
        let visitor = "v1.q6urq6urq6urq6urq6urqw";
        let bound = PixelToken::issue(
            &event("evt_01HXABCDEF"),
            &connector("con_42424242"),
            Some(visitor),
            NOW,
        );
        let signed = bound.sign(KEY);
        assert!(
            !signed.contains(visitor),
            "the token never shows the visitor id"
        );
        assert_eq!(
            PixelToken::verify(&signed, KEY, NOW, Some(visitor)),
            Some(bound)
        );
        for other in [None, Some("v1.AAAAAAAAAAAAAAAAAAAAAA"), Some("")] {
            assert_eq!(
                PixelToken::verify(&signed, KEY, NOW, other),
                None,
                "{other:?}"
            );
        }
        // A token issued without a visitor binds nobody, whoever presents it.
        let unbound = token().sign(KEY);
        assert!(PixelToken::verify(&unbound, KEY, NOW, Some(visitor)).is_some());
    }

    #[test]
    fn a_token_signed_with_another_key_is_refused() {
        let signed = token().sign(b"another key");
        assert_eq!(PixelToken::verify(&signed, KEY, NOW, None), None);
        assert_eq!(PixelToken::verify(&token().sign(b""), KEY, NOW, None), None);
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
            assert_eq!(
                PixelToken::verify(garbage, KEY, NOW, None),
                None,
                "{garbage:.40}"
            );
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
            "[\"evt_abcdefgh\", \"con_abcdefgh\", 1790000001]",
            "[\"evt_abcdefgh\", \"con_abcdefgh\", 1790000001, 1]",
            "[\"evt_abcdefgh\", \"con_abcdefgh\", 1790000001, 2]",
        ] {
            let forged = sealed(&URL_SAFE_NO_PAD.encode(payload));
            assert_eq!(
                PixelToken::verify(&forged, KEY, NOW, None),
                None,
                "{payload}"
            );
        }
        let valid =
            sealed(&URL_SAFE_NO_PAD.encode("[\"evt_abcdefgh\", \"con_abcdefgh\", 1790000001, 0]"));
        assert!(PixelToken::verify(&valid, KEY, NOW, None).is_some());
        let not_ids =
            sealed(&URL_SAFE_NO_PAD.encode("[\"dlv_abcdefgh\", \"con_abcdefgh\", 1790000001, 0]"));
        assert_eq!(
            PixelToken::verify(&not_ids, KEY, NOW, None),
            None,
            "a row id of another kind"
        );
    }
}
