//! API keys for the inbound webhooks: generated from caller-supplied random bytes, shown once,
//! stored only as a short prefix (to recognise a key in lists) and a SHA-256 hash (to check it).
//! A key's per-minute rate limit is [`rate_limit`]; the label an admin gives it is [`name`].
//!
//! Keys are `pck_` followed by the unpadded base64url encoding of 32 random bytes: 47 ASCII
//! characters that survive URLs (`?k=`), headers and copy-paste unchanged.
//!
//! Whitespace: [`ApiKey::parse`] does not trim. A key with a space, tab or line break around it
//! is refused like any other malformed key (401 at the edge), as seed 004's troubleshooting
//! tells users ("ensure no extra whitespace around the token"). Trimming would make the same
//! key work on one surface and fail on the next integration that compares bytes.

use super::error::Invalid;
use super::template::hex_sha256;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use sha2::{Digest, Sha256};
use std::fmt;
use subtle::ConstantTimeEq;

mod name;
mod rate_limit;

pub use name::{ApiKeyName, MAX_API_KEY_NAME_LEN};
pub use rate_limit::{
    minute_window, retry_after_seconds, RateLimit, DEFAULT_RATE_LIMIT_PER_MINUTE,
    MAX_RATE_LIMIT_PER_MINUTE,
};

pub const API_KEY_PREFIX: &str = "pck_";
/// Random bytes in a key: 256 bits, so keys cannot be guessed.
pub const API_KEY_RANDOM_BYTES: usize = 32;
/// `pck_` + 43 base64url characters.
pub const API_KEY_LEN: usize = 47;
/// Characters shown in key lists: `pck_` and 8 more (48 random bits), enough to tell keys
/// apart at a glance.
pub const API_KEY_DISPLAY_PREFIX_LEN: usize = 12;

/// A well-formed API key. It is a secret: `Debug` shows only its prefix, and there is no
/// `Serialize`; the creation answer writes [`ApiKey::as_str`] explicitly, once.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    /// A new key from 32 bytes the caller drew from a cryptographic random source.
    pub fn generate(random: &[u8; API_KEY_RANDOM_BYTES]) -> Self {
        Self(format!(
            "{API_KEY_PREFIX}{}",
            URL_SAFE_NO_PAD.encode(random)
        ))
    }

    /// Checks the format only (prefix, length, alphabet, canonical encoding); whether the key
    /// exists and is not revoked is the store's question, answered with [`verify`].
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let refuse = |why: &str| {
            Err(Invalid::new(
                "invalid_api_key",
                format!("the API key is malformed: {why}"),
            ))
        };
        let Some(encoded) = raw.strip_prefix(API_KEY_PREFIX) else {
            return refuse("it must start with pck_");
        };
        if raw.len() != API_KEY_LEN {
            return refuse("it must be 47 characters, with no whitespace around it");
        }
        let alphabet_ok = encoded
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !alphabet_ok {
            return refuse("it holds characters outside base64url");
        }
        // Decoding also refuses non-canonical trailing bits, so one key has one spelling.
        match URL_SAFE_NO_PAD.decode(encoded) {
            Ok(bytes) if bytes.len() == API_KEY_RANDOM_BYTES => Ok(Self(raw.to_string())),
            _ => refuse("it is not a key this service issued"),
        }
    }

    /// The key from an `Authorization` header value: `Bearer <key>`, the scheme in any case,
    /// one space. Anything else is refused like a malformed key.
    pub fn from_authorization(header: &str) -> Result<Self, Invalid> {
        match header.split_once(' ') {
            Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => Self::parse(token),
            _ => Err(Invalid::new(
                "invalid_api_key",
                "the Authorization header must be `Bearer pck_...`",
            )),
        }
    }

    /// The full key: only for the one answer that creates it.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// What key lists show: `pck_` and the next 8 characters.
    pub fn prefix(&self) -> &str {
        &self.0[..API_KEY_DISPLAY_PREFIX_LEN]
    }

    /// Lower-case hex SHA-256 of the whole key: the only form the store keeps, and the value to
    /// look the key's row up by. A preimage-resistant digest leaks nothing through lookup timing.
    pub fn hash(&self) -> String {
        hex_sha256(&self.0)
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ApiKey({}…)", self.prefix())
    }
}

/// Does `presented` hash to `stored_hash_hex`? The digests are compared in constant time, so
/// response timing says nothing about how much of a guess was right. A malformed stored hash
/// never verifies.
pub fn verify(presented: &ApiKey, stored_hash_hex: &str) -> bool {
    let Some(stored) = decode_hex_32(stored_hash_hex) else {
        return false;
    };
    let digest: [u8; 32] = Sha256::digest(presented.0.as_bytes()).into();
    digest.ct_eq(&stored).into()
}

fn decode_hex_32(hex: &str) -> Option<[u8; 32]> {
    let bytes = hex.as_bytes();
    if bytes.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (slot, pair) in out.iter_mut().zip(bytes.chunks_exact(2)) {
        *slot = (hex_digit(pair[0])? << 4) | hex_digit(pair[1])?;
    }
    Some(out)
}

fn hex_digit(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key_from(byte: u8) -> ApiKey {
        ApiKey::generate(&[byte; API_KEY_RANDOM_BYTES])
    }

    #[test]
    fn generated_keys_are_pck_and_unpadded_base64url_of_the_bytes() {
        let key = ApiKey::generate(&[0xfb; 32]);
        assert_eq!(key.as_str().len(), API_KEY_LEN);
        assert!(key.as_str().starts_with("pck_-_v7"));
        assert!(!key.as_str().contains('='));
        assert_eq!(ApiKey::parse(key.as_str()).unwrap(), key);
        assert_ne!(key_from(1), key_from(2));
    }

    #[test]
    fn the_prefix_is_the_first_twelve_characters() {
        let key = key_from(7);
        assert_eq!(key.prefix().len(), 12);
        assert!(key.as_str().starts_with(key.prefix()));
        assert!(key.prefix().starts_with(API_KEY_PREFIX));
    }

    #[test]
    fn debug_output_never_shows_the_whole_key() {
        let key = key_from(9);
        let shown = format!("{key:?}");
        assert!(shown.contains(key.prefix()));
        assert!(!shown.contains(key.as_str()));
    }

    #[test]
    fn the_hash_is_lower_hex_sha256_of_the_whole_key() {
        let key = key_from(3);
        assert_eq!(key.hash(), hex_sha256(key.as_str()));
        assert_eq!(key.hash().len(), 64);
        assert!(key.hash().bytes().all(|b| !b.is_ascii_uppercase()));
    }

    #[test]
    fn verify_accepts_the_stored_hash_in_either_hex_case_and_nothing_else() {
        let key = key_from(4);
        assert!(verify(&key, &key.hash()));
        assert!(verify(&key, &key.hash().to_uppercase()));
        assert!(!verify(&key_from(5), &key.hash()));
        assert!(!verify(&key, ""));
        assert!(!verify(&key, &key.hash()[..63]));
        assert!(!verify(&key, &format!("{}0", key.hash())));
        assert!(!verify(&key, &"zz".repeat(32)));
        assert!(!verify(&key, &"é".repeat(32)));
    }

    #[test]
    fn parse_refuses_whitespace_around_the_key_instead_of_trimming() {
        let key = key_from(6);
        for padded in [
            format!(" {}", key.as_str()),
            format!("{} ", key.as_str()),
            format!("{}\n", key.as_str()),
            format!("\t{}", key.as_str()),
        ] {
            let err = ApiKey::parse(&padded).unwrap_err();
            assert_eq!(err.code, "invalid_api_key", "{padded:?}");
        }
    }

    /// The key with its tenth character replaced.
    fn swap_tenth(key: &str, with: &str) -> String {
        format!("{}{with}{}", &key[..10], &key[11..])
    }

    #[test]
    fn parse_refuses_malformed_keys() {
        let good = key_from(8).as_str().to_string();
        let hostile = [
            String::new(),
            "pck_".to_string(),
            good.replacen("pck_", "td_wh_", 1),
            good.replacen("pck_", "PCK_", 1),
            good[..API_KEY_LEN - 1].to_string(),
            format!("{good}A"),
            swap_tenth(&good, "+"),
            swap_tenth(&good, "/"),
            swap_tenth(&good, "="),
            swap_tenth(&good, "é"),
            format!("pck_{}", "A".repeat(42) + "\u{0}"),
            // 43 characters whose last one carries non-zero padding bits.
            format!("pck_{}B", "A".repeat(42)),
        ];
        for raw in hostile {
            assert!(ApiKey::parse(&raw).is_err(), "{raw:?}");
        }
    }

    #[test]
    fn bearer_headers_give_the_key_and_other_schemes_are_refused() {
        let key = key_from(10);
        let header = format!("Bearer {}", key.as_str());
        assert_eq!(ApiKey::from_authorization(&header).unwrap(), key);
        let lower = format!("bearer {}", key.as_str());
        assert_eq!(ApiKey::from_authorization(&lower).unwrap(), key);
        for bad in [
            key.as_str().to_string(),
            format!("Basic {}", key.as_str()),
            format!("Bearer  {}", key.as_str()),
            format!("Bearer {} ", key.as_str()),
            "Bearer".to_string(),
            String::new(),
        ] {
            assert!(ApiKey::from_authorization(&bad).is_err(), "{bad:?}");
        }
    }
}
