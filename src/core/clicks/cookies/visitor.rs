//! The visitor id carried in `pc_vid`.

use crate::core::error::Invalid;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::Serialize;

const PREFIX: &str = "v1.";
/// Random bytes in a visitor id.
pub const VISITOR_ID_BYTES: usize = 16;
/// `v1.` + 22 base64url characters.
const ENCODED_LEN: usize = 25;

/// `v1.` followed by base64url (no padding) of 16 random bytes. The prefix versions the format.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct VisitorId(String);

impl VisitorId {
    /// A new id from the caller's fresh random bytes.
    pub fn from_random(bytes: [u8; VISITOR_ID_BYTES]) -> Self {
        Self(format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes)))
    }

    /// Strict: exactly the format [`VisitorId::from_random`] writes, canonical base64 included,
    /// so a forged or damaged cookie never becomes an id.
    pub fn parse(raw: &str, field: &str) -> Result<Self, Invalid> {
        let canonical = raw.len() == ENCODED_LEN
            && raw
                .strip_prefix(PREFIX)
                .and_then(|b64| URL_SAFE_NO_PAD.decode(b64).ok())
                .is_some_and(|bytes| bytes.len() == VISITOR_ID_BYTES);
        if !canonical {
            return Err(Invalid::field(
                "invalid_visitor_id",
                field,
                "is not a postclick visitor id (v1. followed by 22 base64url characters)",
            ));
        }
        Ok(Self(raw.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_visitor_id_round_trips_through_parse() {
        let id = VisitorId::from_random([0xAB; 16]);
        assert_eq!(id.as_str(), "v1.q6urq6urq6urq6urq6urqw");
        assert_eq!(VisitorId::parse(id.as_str(), "visitor_id").unwrap(), id);
        let other = VisitorId::from_random(*b"0123456789abcdef");
        assert_ne!(other, id);
        assert!(other
            .as_str()
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b)));
    }

    #[test]
    fn malformed_visitor_ids_are_refused() {
        let good = VisitorId::from_random([7; 16]);
        let cases = [
            String::new(),
            "v1.".to_string(),
            good.as_str().to_uppercase(),
            good.as_str().replace("v1.", "v2."),
            format!("{}A", good.as_str()),
            good.as_str()[..24].to_string(),
            // Non-canonical trailing bits: same bytes, different text.
            format!("{}x", &good.as_str()[..24]),
            "v1.AAAAAAAAAAAAAAAAAAAA+A".to_string(),
            "v1.AAAAAAAAAAAAAAAAAAAA=A".to_string(),
            "v1.AAAAAAAAAAAAAAAAAAAAA\u{0}".to_string(),
            "v1.ÄAAAAAAAAAAAAAAAAAAA".to_string(),
        ];
        for raw in cases {
            let err = VisitorId::parse(&raw, "visitor_id").unwrap_err();
            assert_eq!(err.field.as_deref(), Some("visitor_id"), "{raw:?}");
        }
    }
}
