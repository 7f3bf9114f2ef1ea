//! Signed cookie values: a layer around the encodings of `pc_vid` and `pc_clk` that makes a value
//! we did not write unreadable. Anyone can send any `Cookie` header; without this, a partner who
//! learnt a visitor id could plant it in their own browser and collect that visitor's conversions.
//!
//! Format: `{value}.{key id}.{tag}`, where `tag` is the first 16 bytes of
//! `HMAC-SHA256(key, "postclick cookie v1" NUL name NUL bound_to NUL value)` in base64url (RFC 4648
//! §5, no padding), and the key id names the key ([`crate::core::signing_keys`]). The value itself
//! is unchanged, and it may contain dots: a signed value is split at its last two dots.
//!
//! `bound_to` ties a value to another: `pc_clk` is bound to the visitor id of its `pc_vid`, so a
//! history only counts with the visitor it was written for. A value that fails the check reads as
//! absent. Tags are compared in constant time.

use super::visitor::VisitorId;
use crate::core::signing_keys::{SigningKey, SigningKeys, KEY_ID_LEN};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Bytes of the HMAC kept: 128 bits, as truncated HMAC-SHA256 is commonly used (RFC 2104 §5
/// recommends at least half the output).
pub const TAG_BYTES: usize = 16;
/// Base64url characters of a 16-byte tag.
const TAG_LEN: usize = 22;
/// What the signature adds to a value: two dots, the key id and the tag.
pub const SIGNATURE_LEN: usize = 2 + KEY_ID_LEN + TAG_LEN;

const PURPOSE: &[u8] = b"postclick cookie v1\0";
/// Characters of a visitor id: `v1.` and 22 base64url characters.
const VISITOR_ID_TEXT_LEN: usize = 25;

type HmacSha256 = Hmac<Sha256>;

fn mac(key: &SigningKey, name: &str, bound_to: &str, value: &str) -> HmacSha256 {
    // HMAC takes keys of any length, so this cannot fail.
    let mut mac = HmacSha256::new_from_slice(key.secret()).expect("HMAC takes keys of any length");
    for part in [
        PURPOSE,
        name.as_bytes(),
        b"\0",
        bound_to.as_bytes(),
        b"\0",
        value.as_bytes(),
    ] {
        mac.update(part);
    }
    mac
}

/// `value` signed with the current key for cookie `name`, bound to `bound_to` (empty for none).
pub fn sign(keys: &SigningKeys, name: &str, bound_to: &str, value: &str) -> String {
    let key = keys.current();
    let tag = mac(key, name, bound_to, value).finalize().into_bytes();
    format!(
        "{value}.{}.{}",
        key.id(),
        URL_SAFE_NO_PAD.encode(&tag[..TAG_BYTES])
    )
}

/// The value inside `signed` if an accepted key signed it for cookie `name` and `bound_to`;
/// `None` for an unsigned, altered, foreign or malformed value.
pub fn verify<'a>(
    keys: &SigningKeys,
    name: &str,
    bound_to: &str,
    signed: &'a str,
) -> Option<&'a str> {
    let (rest, tag) = signed.rsplit_once('.')?;
    let (value, key_id) = rest.rsplit_once('.')?;
    if tag.len() != TAG_LEN || key_id.len() != KEY_ID_LEN {
        return None;
    }
    let key = keys.by_id(key_id)?;
    let tag = URL_SAFE_NO_PAD.decode(tag).ok()?;
    mac(key, name, bound_to, value)
        .verify_truncated_left(&tag)
        .ok()?;
    Some(value)
}

/// A visitor id as a webhook names it: the bare id (`v1.` and 22 characters), or the whole signed
/// `pc_vid` value the site's server read from the browser's cookie. A signed value gives its id
/// when an accepted key signed it, and nothing when not (a forged cookie the site passed on must
/// not name a visitor); any other value is kept as sent.
pub fn webhook_visitor_id(keys: Option<&SigningKeys>, raw: &str) -> Option<String> {
    let looks_signed = raw.len() == VISITOR_ID_TEXT_LEN + SIGNATURE_LEN
        && raw.as_bytes().get(VISITOR_ID_TEXT_LEN) == Some(&b'.')
        && VisitorId::parse(&raw[..VISITOR_ID_TEXT_LEN], "visitor_id").is_ok();
    if !looks_signed {
        return Some(raw.to_string());
    }
    let id = verify(keys?, super::VISITOR_COOKIE, "", raw)?;
    Some(id.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(current: &str, previous: Option<&str>) -> SigningKeys {
        SigningKeys::new(current, previous).unwrap()
    }

    const VID: &str = "v1.q6urq6urq6urq6urq6urqw";

    #[test]
    fn a_signed_value_is_the_value_a_key_id_and_a_tag_and_verifies_to_the_value() {
        let k = keys("key-one", None);
        let signed = sign(&k, "pc_vid", "", VID);
        let (value, rest) = signed.split_at(VID.len());
        assert_eq!(value, VID);
        assert_eq!(rest.len(), SIGNATURE_LEN);
        let parts: Vec<&str> = rest[1..].split('.').collect();
        assert_eq!(parts[0], k.current().id());
        assert_eq!(parts[1].len(), TAG_LEN);
        assert!(signed
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b)));
        assert_eq!(verify(&k, "pc_vid", "", &signed), Some(VID));
        // The same inputs sign the same way: the signature is deterministic.
        assert_eq!(sign(&k, "pc_vid", "", VID), signed);
    }

    #[test]
    fn an_unsigned_altered_or_foreign_value_does_not_verify() {
        let k = keys("key-one", None);
        let signed = sign(&k, "pc_vid", "", VID);
        let other = VID.replace('q', "r");
        let cases = [
            VID.to_string(),
            signed.replacen(VID, &other, 1),
            format!("{}A", &signed[..signed.len() - 1]),
            signed[..signed.len() - 1].to_string(),
            sign(&keys("another-key", None), "pc_vid", "", VID),
            signed.replace(k.current().id(), "AAAAAA"),
            format!("{signed}.x"),
            String::new(),
            "..".to_string(),
        ];
        for case in cases {
            assert_eq!(verify(&k, "pc_vid", "", &case), None, "{case:?}");
        }
    }

    #[test]
    fn a_signature_is_bound_to_its_cookie_name_and_to_what_it_is_bound_to() {
        let k = keys("key-one", None);
        let history = "v1!gclid*Cj0**1718000000";
        let signed = sign(&k, "pc_clk", VID, history);
        assert_eq!(verify(&k, "pc_clk", VID, &signed), Some(history));
        assert_eq!(
            verify(&k, "pc_clk", "v1.AAAAAAAAAAAAAAAAAAAAAA", &signed),
            None
        );
        assert_eq!(verify(&k, "pc_vid", VID, &signed), None);
    }

    #[test]
    fn after_a_rotation_old_signatures_verify_until_the_old_key_is_dropped() {
        let old = keys("old-key", None);
        let signed_before = sign(&old, "pc_vid", "", VID);
        let rotated = keys("new-key", Some("old-key"));
        assert_eq!(verify(&rotated, "pc_vid", "", &signed_before), Some(VID));
        let signed_after = sign(&rotated, "pc_vid", "", VID);
        assert_ne!(
            signed_after, signed_before,
            "new signatures use the new key"
        );
        assert!(signed_after.contains(rotated.current().id()));
        let settled = keys("new-key", None);
        assert_eq!(verify(&settled, "pc_vid", "", &signed_before), None);
        assert_eq!(verify(&settled, "pc_vid", "", &signed_after), Some(VID));
    }

    #[test]
    fn a_webhook_visitor_id_may_be_bare_or_signed_and_a_forged_signature_names_nobody() {
        let k = keys("key-one", None);
        assert_eq!(webhook_visitor_id(Some(&k), VID).as_deref(), Some(VID));
        let signed = sign(&k, "pc_vid", "", VID);
        assert_eq!(webhook_visitor_id(Some(&k), &signed).as_deref(), Some(VID));
        let forged = sign(&keys("not our key", None), "pc_vid", "", VID);
        assert_eq!(webhook_visitor_id(Some(&k), &forged), None);
        assert_eq!(webhook_visitor_id(None, &signed), None);
        assert_eq!(
            webhook_visitor_id(Some(&k), "crm-visitor-7").as_deref(),
            Some("crm-visitor-7")
        );
    }
}
