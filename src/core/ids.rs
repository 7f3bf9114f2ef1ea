//! Prefixed, random resource ids (`ctr_…`, `con_…`): the prefix tells a reader what an id names.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

/// The kinds of id the product hands out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdKind {
    Container,
    Connector,
    ApiKey,
    Event,
    Delivery,
}

impl IdKind {
    pub fn prefix(self) -> &'static str {
        match self {
            IdKind::Container => "ctr_",
            IdKind::Connector => "con_",
            IdKind::ApiKey => "key_",
            IdKind::Event => "evt_",
            IdKind::Delivery => "dlv_",
        }
    }

    /// Make an id from 16 random bytes supplied by the caller.
    pub fn new_id(self, random: [u8; 16]) -> String {
        format!("{}{}", self.prefix(), URL_SAFE_NO_PAD.encode(random))
    }

    /// Whether `raw` looks like an id of this kind. Anything else cannot exist, so callers answer
    /// 404 without a database round trip.
    pub fn matches(self, raw: &str) -> bool {
        raw.strip_prefix(self.prefix()).is_some_and(|rest| {
            (8..=64).contains(&rest.len())
                && rest
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_carry_their_prefix_and_round_trip_the_format_check() {
        let id = IdKind::Container.new_id([7; 16]);
        assert!(id.starts_with("ctr_"));
        assert_eq!(id.len(), 4 + 22);
        assert!(IdKind::Container.matches(&id));
        assert!(!IdKind::Connector.matches(&id));
    }

    #[test]
    fn hostile_ids_never_match() {
        for bad in [
            "",
            "ctr_",
            "ctr_abc",
            "ctr_' OR 1=1 --xx",
            "ctr_../../etc",
            "CTR_abcdefghij",
        ] {
            assert!(!IdKind::Container.matches(bad), "{bad}");
        }
    }
}
