//! Standard Webhooks signatures: `webhook-signature: v1,{base64(HMAC-SHA256(key, "id.ts.body"))}`.
//!
//! The key is the base64 part of a `whsec_…` secret, decoded. A receiver's existing Standard
//! Webhooks (or Svix) library must accept what we send, so the signed content and encodings
//! follow the reference implementations byte for byte.

use crate::core::error::Invalid;
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::fmt;

type HmacSha256 = Hmac<Sha256>;

pub const HEADER_ID: &str = "webhook-id";
pub const HEADER_TIMESTAMP: &str = "webhook-timestamp";
pub const HEADER_SIGNATURE: &str = "webhook-signature";

const SECRET_PREFIX: &str = "whsec_";

/// A decoded signing key. Its `Debug` never shows the key.
#[derive(Clone, PartialEq, Eq)]
pub struct SigningSecret {
    key: Vec<u8>,
}

impl fmt::Debug for SigningSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SigningSecret({} bytes)", self.key.len())
    }
}

impl SigningSecret {
    /// `whsec_` + base64. Like the reference libraries, the prefix is optional here; the
    /// connector config is stricter (24–64 bytes) when a secret is first saved.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let encoded = raw.trim();
        let encoded = encoded.strip_prefix(SECRET_PREFIX).unwrap_or(encoded);
        match BASE64.decode(encoded) {
            Ok(key) if !key.is_empty() => Ok(Self { key }),
            _ => Err(Invalid::field(
                "invalid_signing_secret",
                "webhook.signing_secret",
                "must be whsec_ followed by base64 of 24 to 64 random bytes",
            )),
        }
    }

    fn mac(&self, id: &str, timestamp_s: i64, body: &[u8]) -> HmacSha256 {
        // HMAC accepts keys of any length, so this cannot fail for a non-empty key.
        let mut mac = HmacSha256::new_from_slice(&self.key).unwrap_or_else(|_| {
            unreachable!("HMAC-SHA256 takes keys of any length");
        });
        mac.update(id.as_bytes());
        mac.update(b".");
        mac.update(timestamp_s.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        mac
    }

    /// One `v1,{base64}` signature over `"{id}.{timestamp}.{body}"`.
    pub fn sign(&self, id: &str, timestamp_s: i64, body: &[u8]) -> String {
        let tag = self.mac(id, timestamp_s, body).finalize().into_bytes();
        format!("v1,{}", BASE64.encode(tag))
    }

    /// The three Standard Webhooks headers, in the order they are sent.
    pub fn headers(&self, id: &str, timestamp_s: i64, body: &[u8]) -> [(String, String); 3] {
        [
            (HEADER_ID.to_string(), id.to_string()),
            (HEADER_TIMESTAMP.to_string(), timestamp_s.to_string()),
            (
                HEADER_SIGNATURE.to_string(),
                self.sign(id, timestamp_s, body),
            ),
        ]
    }

    /// True when any `v1,` entry of a (space-separated) signature header matches, compared in
    /// constant time. Entries of other versions are ignored, as receivers do. Checking the
    /// timestamp's age is the caller's job: it needs a clock.
    pub fn verify(&self, id: &str, timestamp_s: i64, body: &[u8], header: &str) -> bool {
        header.split(' ').filter(|s| !s.is_empty()).any(|entry| {
            let Some(encoded) = entry.strip_prefix("v1,") else {
                return false;
            };
            let Ok(tag) = BASE64.decode(encoded) else {
                return false;
            };
            self.mac(id, timestamp_s, body).verify_slice(&tag).is_ok()
        })
    }
}

/// Receiver-side check, as the test harness does it: parse the secret, then verify.
/// A malformed secret verifies nothing.
pub fn verify_signature(
    secret: &str,
    id: &str,
    timestamp_s: i64,
    body: &[u8],
    header: &str,
) -> bool {
    SigningSecret::parse(secret).is_ok_and(|s| s.verify(id, timestamp_s, body, header))
}
