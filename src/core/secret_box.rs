//! Connector signing secrets at rest: sealed with a key derived from the worker's signing keys,
//! so a copy of the database alone does not let anyone sign postbacks as us.
//!
//! - Key: HKDF-SHA256 (RFC 5869) of a signing key, no salt, with the purpose label
//!   [`PURPOSE`] as `info`: 32 bytes used only for this, never for cookies or pixel tokens.
//! - Cipher: XChaCha20-Poly1305 (the AEAD of RFC 8439 with the 24-byte nonce of
//!   draft-irtf-cfrg-xchacha), so random nonces are safe at any volume. The associated data is
//!   the owner's id (the connector's): a sealed value copied onto another connector does not open.
//! - Stored form: `pcsec1:{key id}:{base64url(nonce ‖ ciphertext ‖ tag)}`. The key id
//!   ([`crate::core::signing_keys`]) names the signing key it was sealed under, so after a
//!   rotation of `SIGNING_KEY` (old key moved to `SIGNING_KEY_PREVIOUS`) old values still open; a
//!   value whose id no longer matches is tried with every accepted key, the current one first.
//! - A value without the prefix is a legacy plain-text secret: it reads as it is, and is sealed
//!   on the connector's next write.

use crate::core::signing_keys::SigningKeys;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hkdf::Hkdf;
use sha2::Sha256;

/// The prefix of a sealed value; its version is the `1`.
pub const SEALED_PREFIX: &str = "pcsec1:";
/// HKDF `info`: binds the derived key to this one use.
pub const PURPOSE: &[u8] = b"postclick connector signing secrets at rest v1";
/// Bytes of an XChaCha20-Poly1305 nonce.
pub const NONCE_LEN: usize = 24;

/// The sealing keys derived from every accepted signing key, the current one first.
pub struct SecretBox {
    keys: Vec<(String, XChaCha20Poly1305)>,
}

impl std::fmt::Debug for SecretBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ids: Vec<&str> = self.keys.iter().map(|(id, _)| id.as_str()).collect();
        write!(f, "SecretBox({ids:?})")
    }
}

/// A stored value, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Opened {
    /// Sealed under the current signing key.
    Current(String),
    /// Sealed under an earlier key, or plain text from before sealing: reseal on the next write.
    Stale(String),
}

impl Opened {
    /// The plain-text secret.
    pub fn secret(&self) -> &str {
        match self {
            Opened::Current(s) | Opened::Stale(s) => s,
        }
    }

    pub fn into_secret(self) -> String {
        match self {
            Opened::Current(s) | Opened::Stale(s) => s,
        }
    }
}

/// Why a sealed value does not open: no accepted key opens it (the key was removed from
/// `SIGNING_KEY_PREVIOUS`), or it was altered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unopenable;

impl std::fmt::Display for Unopenable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the stored signing secret does not open with SIGNING_KEY or SIGNING_KEY_PREVIOUS \
             (the key it was sealed with was removed, or the value was altered); set it again"
        )
    }
}

impl SecretBox {
    /// One sealing key per accepted signing key, derived with HKDF-SHA256 and [`PURPOSE`].
    pub fn new(keys: &SigningKeys) -> Self {
        let keys = keys
            .accepted()
            .iter()
            .map(|key| {
                let mut okm = [0u8; 32];
                // 32 bytes is far below HKDF-SHA256's 8,160-byte limit, so expand cannot fail.
                let _ = Hkdf::<Sha256>::new(None, key.secret()).expand(PURPOSE, &mut okm);
                (key.id().to_string(), XChaCha20Poly1305::new(&okm.into()))
            })
            .collect();
        Self { keys }
    }

    /// The stored form's prefix for values sealed under the current key: `pcsec1:{key id}:`.
    /// A stored value without it is stale (plain text, or sealed under an earlier key).
    pub fn current_prefix(&self) -> String {
        format!("{SEALED_PREFIX}{}:", self.keys[0].0)
    }

    /// `plain` sealed under the current key for `owner` (the connector id), with `nonce` (24
    /// random bytes, fresh for every value), in the stored form `pcsec1:{key id}:{base64url}`.
    pub fn seal(&self, plain: &str, owner: &str, nonce: [u8; NONCE_LEN]) -> String {
        let (id, cipher) = &self.keys[0];
        let payload = Payload {
            msg: plain.as_bytes(),
            aad: owner.as_bytes(),
        };
        // Encryption fails only for messages over 256 GiB.
        let sealed = cipher
            .encrypt(XNonce::from_slice(&nonce), payload)
            .unwrap_or_default();
        let mut bytes = nonce.to_vec();
        bytes.extend_from_slice(&sealed);
        format!("{SEALED_PREFIX}{id}:{}", URL_SAFE_NO_PAD.encode(bytes))
    }

    /// The secret in a stored value for `owner`: a sealed value opened with the key its id names,
    /// else with each accepted key in turn; a value without the prefix is legacy plain text.
    pub fn open(&self, stored: &str, owner: &str) -> Result<Opened, Unopenable> {
        let Some(rest) = stored.strip_prefix(SEALED_PREFIX) else {
            return Ok(Opened::Stale(stored.to_string()));
        };
        let (id, encoded) = rest.split_once(':').ok_or(Unopenable)?;
        let bytes = URL_SAFE_NO_PAD.decode(encoded).map_err(|_| Unopenable)?;
        if bytes.len() < NONCE_LEN {
            return Err(Unopenable);
        }
        let (nonce, sealed) = bytes.split_at(NONCE_LEN);
        let named = self.keys.iter().position(|(key_id, _)| key_id == id);
        let order = named.into_iter().chain(0..self.keys.len());
        for index in order {
            let payload = Payload {
                msg: sealed,
                aad: owner.as_bytes(),
            };
            if let Ok(plain) = self.keys[index]
                .1
                .decrypt(XNonce::from_slice(nonce), payload)
            {
                let plain = String::from_utf8(plain).map_err(|_| Unopenable)?;
                return Ok(if index == 0 {
                    Opened::Current(plain)
                } else {
                    Opened::Stale(plain)
                });
            }
        }
        Err(Unopenable)
    }
}

/// Whether a stored value is sealed (has the [`SEALED_PREFIX`]).
pub fn is_sealed(stored: &str) -> bool {
    stored.starts_with(SEALED_PREFIX)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    fn boxed(current: &str, previous: Option<&str>) -> SecretBox {
        SecretBox::new(&SigningKeys::new(current, previous).unwrap())
    }

    #[test]
    fn a_sealed_secret_opens_to_itself_and_shows_nothing_of_it() {
        let keys = boxed("key-a", None);
        let sealed = keys.seal(SECRET, "con_1", [7; NONCE_LEN]);
        assert!(sealed.starts_with(SEALED_PREFIX) && is_sealed(&sealed));
        assert!(!sealed.contains("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"));
        assert_eq!(
            keys.open(&sealed, "con_1"),
            Ok(Opened::Current(SECRET.into()))
        );
        let again = keys.seal(SECRET, "con_1", [8; NONCE_LEN]);
        assert_ne!(sealed, again, "a fresh nonce gives a different value");
        assert!(sealed.starts_with(&keys.current_prefix()));
    }

    #[test]
    fn the_wrong_key_or_another_owner_does_not_open_it() {
        let sealed = boxed("key-a", None).seal(SECRET, "con_1", [1; NONCE_LEN]);
        assert_eq!(boxed("key-b", None).open(&sealed, "con_1"), Err(Unopenable));
        assert_eq!(boxed("key-a", None).open(&sealed, "con_2"), Err(Unopenable));
    }

    #[test]
    fn any_change_to_the_stored_value_is_refused() {
        let keys = boxed("key-a", None);
        let sealed = keys.seal(SECRET, "con_1", [2; NONCE_LEN]);
        let (head, body) = sealed.rsplit_once(':').unwrap();
        let mut bytes = URL_SAFE_NO_PAD.decode(body).unwrap();
        for i in [0, NONCE_LEN, bytes.len() - 1] {
            bytes[i] ^= 1;
            let tampered = format!("{head}:{}", URL_SAFE_NO_PAD.encode(&bytes));
            assert_eq!(keys.open(&tampered, "con_1"), Err(Unopenable), "byte {i}");
            bytes[i] ^= 1;
        }
        for broken in ["pcsec1:", "pcsec1:abc", "pcsec1:abc:!!", "pcsec1:abc:AAAA"] {
            assert_eq!(keys.open(broken, "con_1"), Err(Unopenable), "{broken}");
        }
    }

    #[test]
    fn after_a_signing_key_rotation_old_values_open_as_stale() {
        let sealed = boxed("key-a", None).seal(SECRET, "con_1", [3; NONCE_LEN]);
        let rotated = boxed("key-b", Some("key-a"));
        assert_eq!(
            rotated.open(&sealed, "con_1"),
            Ok(Opened::Stale(SECRET.into()))
        );
        assert!(!sealed.starts_with(&rotated.current_prefix()));
        let resealed = rotated.seal(SECRET, "con_1", [4; NONCE_LEN]);
        assert_eq!(
            rotated.open(&resealed, "con_1"),
            Ok(Opened::Current(SECRET.into()))
        );
        // A key id that names no accepted key is still tried with each key.
        let renamed = sealed.replacen(&sealed[7..13], "zzzzzz", 1);
        assert_eq!(
            rotated.open(&renamed, "con_1").map(Opened::into_secret),
            Ok(SECRET.into())
        );
    }

    #[test]
    fn a_legacy_plain_text_secret_reads_as_it_is_and_is_stale() {
        let keys = boxed("key-a", None);
        assert_eq!(keys.open(SECRET, "con_1"), Ok(Opened::Stale(SECRET.into())));
        assert!(!is_sealed(SECRET));
    }
}
