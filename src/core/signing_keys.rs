//! The worker's signing keys: the current one, which signs, and the earlier ones still accepted
//! while a rotation settles. Visitor cookies and pixel tokens are signed with them.
//!
//! Keys come from the secrets `SIGNING_KEY` (the current key) and `SIGNING_KEY_PREVIOUS` (earlier
//! keys, separated by commas or whitespace). Each key has a short id derived from the key itself
//! (so there is nothing else to configure), written next to every signature, so a verifier picks
//! the right key without trying them all.
//!
//! Rotation: put the old key into `SIGNING_KEY_PREVIOUS` and a new one into `SIGNING_KEY`. New
//! signatures use the new key at once; values signed with the old one keep verifying until the old
//! key is removed from `SIGNING_KEY_PREVIOUS`. Visitor cookies are re-signed on every visit, so a
//! visitor active during the overlap keeps their id.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};

/// Characters of a key id: 36 bits of SHA-256, plenty to tell a handful of keys apart.
pub const KEY_ID_LEN: usize = 6;

/// Binds the key id to this derivation, so it reveals nothing usable about the key.
const KEY_ID_PURPOSE: &[u8] = b"postclick signing key id v1\0";

/// One signing key and its id.
#[derive(Clone, PartialEq, Eq)]
pub struct SigningKey {
    id: String,
    secret: Vec<u8>,
}

impl SigningKey {
    fn new(secret: &str) -> Self {
        let digest = Sha256::new()
            .chain_update(KEY_ID_PURPOSE)
            .chain_update(secret.as_bytes())
            .finalize();
        let mut id = URL_SAFE_NO_PAD.encode(digest);
        id.truncate(KEY_ID_LEN);
        Self {
            id,
            secret: secret.as_bytes().to_vec(),
        }
    }

    /// The key id written next to a signature: [`KEY_ID_LEN`] base64url characters.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The key's bytes, for HMAC.
    pub fn secret(&self) -> &[u8] {
        &self.secret
    }
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SigningKey({})", self.id)
    }
}

/// The current key and the accepted earlier ones; never empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigningKeys {
    /// The current key first.
    keys: Vec<SigningKey>,
}

impl SigningKeys {
    /// `current` signs; `previous` (as `SIGNING_KEY_PREVIOUS` holds them: separated by commas or
    /// whitespace) still verify. `None` when `current` is blank. A previous key equal to the
    /// current one, or repeated, is kept once.
    pub fn new(current: &str, previous: Option<&str>) -> Option<Self> {
        let current = current.trim();
        if current.is_empty() {
            return None;
        }
        let mut keys = vec![SigningKey::new(current)];
        let earlier = previous
            .unwrap_or("")
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|k| !k.is_empty());
        for raw in earlier {
            let key = SigningKey::new(raw);
            if !keys.iter().any(|k| k.id == key.id) {
                keys.push(key);
            }
        }
        Some(Self { keys })
    }

    /// The key that signs.
    pub fn current(&self) -> &SigningKey {
        &self.keys[0]
    }

    /// Every key a signature may have been made with, the current one first.
    pub fn accepted(&self) -> &[SigningKey] {
        &self.keys
    }

    /// The accepted key with this id.
    pub fn by_id(&self, id: &str) -> Option<&SigningKey> {
        self.keys.iter().find(|k| k.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_current_key_signs_and_earlier_keys_are_accepted_once_each() {
        let keys =
            SigningKeys::new(" new-key ", Some("old-key, older-key\nnew-key old-key")).unwrap();
        assert_eq!(keys.current().secret(), b"new-key");
        let secrets: Vec<&[u8]> = keys.accepted().iter().map(SigningKey::secret).collect();
        assert_eq!(secrets, vec![&b"new-key"[..], b"old-key", b"older-key"]);
        assert!(SigningKeys::new("  ", Some("old-key")).is_none());
    }

    #[test]
    fn key_ids_are_short_stable_url_safe_and_differ_between_keys() {
        let a = SigningKeys::new("key-a", None).unwrap();
        let b = SigningKeys::new("key-b", None).unwrap();
        let id = a.current().id();
        assert_eq!(id.len(), KEY_ID_LEN);
        assert!(id
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'));
        assert_eq!(SigningKeys::new("key-a", None).unwrap().current().id(), id);
        assert_ne!(b.current().id(), id);
        assert_eq!(a.by_id(id).map(SigningKey::secret), Some(&b"key-a"[..]));
        assert!(a.by_id(b.current().id()).is_none());
        assert!(
            !format!("{:?}", a).contains("key-a"),
            "Debug never shows a key"
        );
    }
}
