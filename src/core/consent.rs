//! Consent: the one parser for every way a surface states it, and the typed values the rest of
//! the product reads.
//!
//! Surfaces and their shapes, all read through [`ConsentSignal::parse_word`] and
//! [`Consent::from_json`]:
//! - `/collect?consent=granted` and `/webhook`'s `consent=denied` (query or form): one word, the
//!   advertising signal (the page's banner answer that decides whether cookies are set);
//! - `/e`'s `consent`, the custom webhook's `consent` (seed 004) and a JSON `/webhook` body's
//!   `consent`: an object `{advertising?, analytics?}`; `/webhook` also takes
//!   `consent[advertising]=...` in a query or form.
//!
//! One set of words for every surface: `true`/`false` (JSON booleans, or as text), `granted`/
//! `denied` (Google Consent Mode's words, as banners hand them over) and `1`/`0`, in any letter
//! case. Anything else is refused with `invalid_consent`, so a typo never reads as "no signal";
//! a key other than `advertising` or `analytics` is refused with `unknown_field`: pretending to
//! honour a purpose we do not know is worse than a 422.

use crate::core::error::Invalid;
use crate::core::input::Raw;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One purpose's consent, as the caller stated it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "Option<bool>", into = "Option<bool>")]
pub enum ConsentSignal {
    Granted,
    /// An explicit refusal: honoured even by containers that do not require consent.
    Denied,
    /// Nothing was said.
    #[default]
    Absent,
}

impl From<Option<bool>> for ConsentSignal {
    fn from(stated: Option<bool>) -> Self {
        match stated {
            Some(true) => ConsentSignal::Granted,
            Some(false) => ConsentSignal::Denied,
            None => ConsentSignal::Absent,
        }
    }
}

impl From<ConsentSignal> for Option<bool> {
    fn from(signal: ConsentSignal) -> Self {
        match signal {
            ConsentSignal::Granted => Some(true),
            ConsentSignal::Denied => Some(false),
            ConsentSignal::Absent => None,
        }
    }
}

fn invalid(field: &str) -> Invalid {
    Invalid::field(
        "invalid_consent",
        field,
        "must be granted or denied (true/false, 1/0)",
    )
}

impl ConsentSignal {
    /// One word: `granted`, `true`, `1` or `denied`, `false`, `0`, in any case; empty text is
    /// [`ConsentSignal::Absent`].
    pub fn parse_word(raw: &str, field: &str) -> Result<Self, Invalid> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "" => Ok(ConsentSignal::Absent),
            "granted" | "true" | "1" => Ok(ConsentSignal::Granted),
            "denied" | "false" | "0" => Ok(ConsentSignal::Denied),
            _ => Err(invalid(field)),
        }
    }

    /// A JSON boolean, one of the words as a JSON string, or null (absent). Numbers are refused:
    /// JSON has booleans, and `2` has no meaning.
    pub fn from_json(value: &Value, field: &str) -> Result<Self, Invalid> {
        match value {
            Value::Null => Ok(ConsentSignal::Absent),
            Value::Bool(b) => Ok(Some(*b).into()),
            Value::String(word) => Self::parse_word(word, field),
            _ => Err(invalid(field)),
        }
    }

    /// Text through [`Self::parse_word`], JSON through [`Self::from_json`].
    pub fn from_raw(raw: Raw<'_>, field: &str) -> Result<Self, Invalid> {
        match raw {
            Raw::Text(word) => Self::parse_word(word, field),
            Raw::Json(value) => Self::from_json(value, field),
        }
    }

    pub fn is_denied(self) -> bool {
        self == ConsentSignal::Denied
    }
}

/// The purposes an event's consent speaks of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Advertising,
    Analytics,
}

impl Purpose {
    pub const ALL: [Purpose; 2] = [Purpose::Advertising, Purpose::Analytics];

    /// The key in a consent object.
    pub fn key(self) -> &'static str {
        match self {
            Purpose::Advertising => "advertising",
            Purpose::Analytics => "analytics",
        }
    }

    /// The purpose a consent object's key names.
    pub fn parse(key: &str, field: &str) -> Result<Self, Invalid> {
        Self::ALL
            .into_iter()
            .find(|p| p.key() == key)
            .ok_or_else(|| {
                Invalid::field(
                    "unknown_field",
                    field.chars().take(200).collect::<String>(),
                    "consent takes advertising and analytics only",
                )
            })
    }
}

/// Consent as an event states it; stored as `{advertising, analytics}` of `true`, `false` or
/// `null`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Consent {
    pub advertising: ConsentSignal,
    pub analytics: ConsentSignal,
}

impl Consent {
    /// Partner and ad-platform postbacks are sent unless advertising was explicitly refused.
    pub fn allows_advertising(&self) -> bool {
        !self.advertising.is_denied()
    }

    /// The consent object `{advertising?, analytics?}`; null is no statement at all. `field`
    /// names the object in errors (`consent`, so a bad value is `consent.advertising`).
    pub fn from_json(value: &Value, field: &str) -> Result<Self, Invalid> {
        let map = match value {
            Value::Null => return Ok(Self::default()),
            Value::Object(map) => map,
            _ => {
                return Err(Invalid::field(
                    "invalid_consent",
                    field,
                    "must be an object such as {\"advertising\": true}",
                ))
            }
        };
        let mut consent = Self::default();
        for (key, value) in map {
            consent.set(key, Raw::Json(value), &format!("{field}.{key}"))?;
        }
        Ok(consent)
    }

    /// One purpose by its key, e.g. `/webhook`'s `consent[advertising]=denied`.
    pub fn set(&mut self, key: &str, raw: Raw<'_>, field: &str) -> Result<(), Invalid> {
        let signal = ConsentSignal::from_raw(raw, field)?;
        match Purpose::parse(key, field)? {
            Purpose::Advertising => self.advertising = signal,
            Purpose::Analytics => self.analytics = signal,
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_surface_shares_one_set_of_words() {
        for granted in ["granted", "GRANTED", "true", "1", " granted "] {
            assert_eq!(
                ConsentSignal::parse_word(granted, "c").unwrap(),
                ConsentSignal::Granted
            );
        }
        for denied in ["denied", "false", "0", "Denied"] {
            assert_eq!(
                ConsentSignal::parse_word(denied, "c").unwrap(),
                ConsentSignal::Denied
            );
        }
        assert_eq!(
            ConsentSignal::parse_word("", "c").unwrap(),
            ConsentSignal::Absent
        );
        for typo in ["grantd", "yes", "no", "2"] {
            let err = ConsentSignal::parse_word(typo, "consent").unwrap_err();
            assert_eq!(
                (err.code, err.field.as_deref()),
                ("invalid_consent", Some("consent"))
            );
        }
    }

    #[test]
    fn json_takes_booleans_words_and_null_but_not_numbers() {
        let read = |v| ConsentSignal::from_json(&v, "c");
        assert_eq!(read(json!(true)).unwrap(), ConsentSignal::Granted);
        assert_eq!(read(json!("denied")).unwrap(), ConsentSignal::Denied);
        assert_eq!(read(json!(null)).unwrap(), ConsentSignal::Absent);
        for bad in [json!(1), json!([true]), json!({})] {
            assert_eq!(read(bad).unwrap_err().code, "invalid_consent");
        }
    }

    #[test]
    fn a_consent_object_names_the_bad_purpose_and_refuses_unknown_ones() {
        let consent = Consent::from_json(
            &json!({"advertising": false, "analytics": "granted"}),
            "consent",
        )
        .unwrap();
        assert_eq!(consent.advertising, ConsentSignal::Denied);
        assert_eq!(consent.analytics, ConsentSignal::Granted);
        assert!(!consent.allows_advertising());
        let err = Consent::from_json(&json!({"advertising": "no"}), "consent").unwrap_err();
        assert_eq!(
            (err.code, err.field.as_deref()),
            ("invalid_consent", Some("consent.advertising"))
        );
        let err = Consent::from_json(&json!({"ad_storage": true}), "consent").unwrap_err();
        assert_eq!(
            (err.code, err.field.as_deref()),
            ("unknown_field", Some("consent.ad_storage"))
        );
        let err = Consent::from_json(&json!(true), "consent").unwrap_err();
        assert_eq!(
            (err.code, err.field.as_deref()),
            ("invalid_consent", Some("consent"))
        );
    }

    #[test]
    fn consent_is_stored_as_nullable_booleans() {
        let consent = Consent {
            advertising: ConsentSignal::Denied,
            analytics: ConsentSignal::Absent,
        };
        let stored = serde_json::to_value(consent).unwrap();
        assert_eq!(stored, json!({"advertising": false, "analytics": null}));
        assert_eq!(serde_json::from_value::<Consent>(stored).unwrap(), consent);
        let old: Consent = serde_json::from_value(json!({})).unwrap();
        assert_eq!(old, Consent::default());
    }

    #[test]
    fn only_an_explicit_refusal_blocks_advertising() {
        assert!(Consent::default().allows_advertising());
        let granted = Consent {
            advertising: ConsentSignal::Granted,
            ..Consent::default()
        };
        assert!(granted.allows_advertising());
    }
}
