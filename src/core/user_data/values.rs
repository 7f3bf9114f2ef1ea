//! The typed values of user data, with the one rule each follows on every surface, and the one
//! normalisation for hashing (Meta's, in the reference: emails trimmed and lower-cased; phones as
//! digits with the country code, without leading zeros or `+`).
//!
//! Every value is trimmed, at most [`MAX_USER_TEXT_BYTES`], and free of control characters
//! (a street address may span lines). Emails and phones are kept as sent even when they do not
//! normalise: a CRM's damaged contact field must not cost the conversion (seed 004's own examples
//! carry `"[email protected]"`). Such a value has no hash, so it never matches anyone and never
//! fills `{{EMAIL_SHA256}}`.

use crate::core::error::Invalid;
use crate::core::input::bounded;
use crate::core::template::hex_sha256;
use serde::{Deserialize, Deserializer, Serialize};

/// Longest value of any user field, in bytes: an email address is at most 254.
pub const MAX_USER_TEXT_BYTES: usize = 256;

/// Defines a string newtype whose only constructor is `parse`, serialised as its text and read
/// back from storage through the same `parse`.
macro_rules! user_value {
    ($(#[$doc:meta])* $name:ident, multiline: $multiline:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Trimmed; empty is `None`; too long or with control characters is refused,
            /// naming `field`.
            pub fn parse(raw: &str, field: &str) -> Result<Option<Self>, Invalid> {
                Ok(bounded(raw, field, MAX_USER_TEXT_BYTES, $multiline)?.map(Self))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        /// Read-only access to the checked text, so `Option<Email>::as_deref()` gives the
        /// `&str` a template or a log needs.
        impl std::ops::Deref for $name {
            type Target = str;

            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let raw = String::deserialize(d)?;
                Self::parse(&raw, stringify!($name))
                    .map_err(serde::de::Error::custom)?
                    .ok_or_else(|| serde::de::Error::custom("an empty user field"))
            }
        }
    };
}

user_value!(
    /// An email address as the user gave it. See [`Email::sha256`] for what identifies them.
    Email,
    multiline: false
);
user_value!(
    /// A phone number as the user gave it. See [`Phone::sha256`] for what identifies them.
    Phone,
    multiline: false
);
user_value!(
    /// The site's own id for the user (a customer or CRM id): an identity, matched exactly.
    ExternalId,
    multiline: false
);
user_value!(
    /// A name or a single-line detail: first and last name, gender, city, region, postal code,
    /// country.
    UserText,
    multiline: false
);
user_value!(
    /// A street address, which may span lines.
    Street,
    multiline: true
);

impl Email {
    /// Meta's normalisation, when the value is plausibly an address: trimmed and lower-cased.
    pub fn normalised(&self) -> Option<String> {
        let email = self.0.trim().to_lowercase();
        let (local, domain) = email.split_once('@')?;
        let plausible = !local.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && email.len() <= 254
            && !email.chars().any(|c| c.is_whitespace() || c.is_control());
        plausible.then_some(email)
    }

    /// What matching stores and `{{EMAIL_SHA256}}` sends: the value itself when the sender
    /// hashed it already, else the SHA-256 of [`Email::normalised`], else nothing.
    pub fn sha256(&self) -> Option<String> {
        prehashed(&self.0).or_else(|| self.normalised().map(|e| hex_sha256(&e)))
    }

    /// Google's normalisation for enhanced conversions: [`Email::normalised`], with the dots
    /// removed from the local part of `gmail.com` and `googlemail.com` addresses (Google Ads
    /// help, "Prepare your data for enhanced conversions").
    pub fn normalised_google(&self) -> Option<String> {
        let email = self.normalised()?;
        let (local, domain) = email.split_once('@')?;
        Some(match domain {
            "gmail.com" | "googlemail.com" => format!("{}@{domain}", local.replace('.', "")),
            _ => email,
        })
    }

    /// What `{{EMAIL_SHA256_GOOGLE}}` sends: a value the sender hashed already, else the SHA-256
    /// of [`Email::normalised_google`], else nothing.
    pub fn sha256_google(&self) -> Option<String> {
        prehashed(&self.0).or_else(|| self.normalised_google().map(|e| hex_sha256(&e)))
    }
}

impl Phone {
    /// Digits only, with the country code and without leading zeros or `+`; `None` unless 7 to
    /// 15 digits remain (E.164's longest number is 15 digits).
    pub fn normalised(&self) -> Option<String> {
        let digits: String = self.0.chars().filter(char::is_ascii_digit).collect();
        let digits = digits.trim_start_matches('0');
        (7..=15).contains(&digits.len()).then(|| digits.to_string())
    }

    /// As [`Email::sha256`], with phone normalisation: Meta's form.
    pub fn sha256(&self) -> Option<String> {
        prehashed(&self.0).or_else(|| self.normalised().map(|p| hex_sha256(&p)))
    }

    /// Google's form, E.164 with the `+` (`+16505551212`): [`Phone::normalised`] after a `+`.
    pub fn e164(&self) -> Option<String> {
        self.normalised().map(|digits| format!("+{digits}"))
    }

    /// What `{{PHONE_E164_SHA256}}` sends: a value the sender hashed already, else the SHA-256
    /// of [`Phone::e164`], else nothing.
    pub fn e164_sha256(&self) -> Option<String> {
        prehashed(&self.0).or_else(|| self.e164().map(|p| hex_sha256(&p)))
    }
}

/// A value the sender hashed already (64 hex digits, any case), lower-cased as the platforms
/// expect it.
fn prehashed(raw: &str) -> Option<String> {
    let candidate = raw.trim().to_ascii_lowercase();
    is_sha256_hex(&candidate).then_some(candidate)
}

/// 64 lower-case hex characters: the form of every SHA-256 we store or send.
pub fn is_sha256_hex(raw: &str) -> bool {
    raw.len() == 64
        && raw
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// A birthday: a real calendar date written `YYYY-MM-DD`, such as 1985-06-17 (seed 002).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Birthday(String);

impl Birthday {
    pub fn parse(raw: &str, field: &str) -> Result<Option<Self>, Invalid> {
        let Some(value) = bounded(raw, field, MAX_USER_TEXT_BYTES, false)? else {
            return Ok(None);
        };
        let shaped = value.len() == 10
            && value.bytes().enumerate().all(|(i, b)| match i {
                4 | 7 => b == b'-',
                _ => b.is_ascii_digit(),
            });
        let real = shaped && chrono::NaiveDate::parse_from_str(&value, "%Y-%m-%d").is_ok();
        if real {
            Ok(Some(Self(value)))
        } else {
            Err(Invalid::field(
                "invalid_date",
                field,
                "must be a date written YYYY-MM-DD, such as 1985-06-17",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for Birthday {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        Self::parse(&raw, "birthday")
            .map_err(serde::de::Error::custom)?
            .ok_or_else(|| serde::de::Error::custom("an empty birthday"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn email(raw: &str) -> Email {
        Email::parse(raw, "email").unwrap().unwrap()
    }

    fn phone(raw: &str) -> Phone {
        Phone::parse(raw, "phone").unwrap().unwrap()
    }

    #[test]
    fn emails_are_trimmed_and_lowercased_before_hashing() {
        assert_eq!(email("  A@B.COM ").sha256(), email("a@b.com").sha256());
        assert_eq!(
            email("a@b.com").sha256().unwrap(),
            "fb98d44ad7501a959f3f4f4a3f004fe2d9e581ea6207e218c4b02c08a4d75adf"
        );
        assert_eq!(email("not-an-email").sha256(), None);
        assert_eq!(email("a@b").sha256(), None);
    }

    #[test]
    fn phones_keep_digits_with_country_code_and_no_leading_zero() {
        assert_eq!(
            phone("+1 (555) 123-4567").normalised().as_deref(),
            Some("15551234567")
        );
        assert_eq!(
            phone("00358 40 1234567").normalised().as_deref(),
            Some("358401234567")
        );
        assert_eq!(phone("12").normalised(), None);
        assert_eq!(
            phone("+15551234567").sha256(),
            phone("1 555 123 4567").sha256()
        );
    }

    #[test]
    fn google_hashes_drop_gmail_dots_and_keep_the_plus_of_e164() {
        // Fixed digests: sha256 of the normalised text, computed independently
        // (`printf %s 'johnsmith@gmail.com' | sha256sum`).
        assert_eq!(
            email(" John.Smith@Gmail.com ")
                .normalised_google()
                .as_deref(),
            Some("johnsmith@gmail.com")
        );
        assert_eq!(
            email("John.Smith@Gmail.com").sha256_google().unwrap(),
            "3586de92bb3636d0885a12eff961429a32e4ebd764b96f50d85d016f9338d586"
        );
        assert_eq!(
            email("j.smith@googlemail.com")
                .normalised_google()
                .as_deref(),
            Some("jsmith@googlemail.com")
        );
        assert_eq!(
            email("j.smith@example.com").normalised_google().as_deref(),
            Some("j.smith@example.com")
        );
        assert_eq!(
            email("John.Smith@Gmail.com").sha256().unwrap(),
            "d0c648bc36f12061bec770df216cea2ab95851b9350fd54b658de53b0407767a",
            "Meta's form keeps the dots"
        );
        let google = phone("+1 (650) 555-1212");
        assert_eq!(google.e164().as_deref(), Some("+16505551212"));
        assert_eq!(
            google.e164_sha256().unwrap(),
            "1e231c66011e7a2d867a9cfae267a6aff103cf4913640b6e71a99850fc0ffbc8"
        );
        assert_eq!(
            google.sha256().unwrap(),
            "e323ec626319ca94ee8bff2e4c87cf613be6ea19919ed1364124e16807ab3176",
            "Meta's form has no +"
        );
        assert_eq!(phone("not a phone").e164_sha256(), None);
    }

    #[test]
    fn prehashed_values_pass_through_lower_cased() {
        let digest = "AB".repeat(32);
        assert_eq!(email(&digest).sha256(), Some("ab".repeat(32)));
        assert_eq!(phone(&digest).sha256(), Some("ab".repeat(32)));
        assert!(is_sha256_hex(&"a".repeat(64)));
        assert!(!is_sha256_hex(&"A".repeat(64)));
        assert!(!is_sha256_hex("abc"));
    }

    #[test]
    fn an_unusable_email_is_kept_as_sent_without_a_hash() {
        let kept = email("[email protected]");
        assert_eq!(kept.as_str(), "[email protected]");
        assert_eq!(kept.sha256(), None);
    }

    #[test]
    fn every_value_is_trimmed_bounded_and_printable() {
        assert_eq!(Email::parse("   ", "email").unwrap(), None);
        let long = "x".repeat(MAX_USER_TEXT_BYTES + 1);
        let err = UserText::parse(&long, "first_name").unwrap_err();
        assert_eq!(
            (err.code, err.field.as_deref()),
            ("too_long", Some("first_name"))
        );
        assert_eq!(
            ExternalId::parse("a\nb", "external_id").unwrap_err().code,
            "invalid_text"
        );
        let street = Street::parse("1 Main St\nApt 4", "street")
            .unwrap()
            .unwrap();
        assert_eq!(street.as_str(), "1 Main St\nApt 4");
    }

    #[test]
    fn birthdays_are_real_calendar_days_written_yyyy_mm_dd() {
        assert!(Birthday::parse("1985-06-17", "birthday").unwrap().is_some());
        assert!(Birthday::parse("2024-02-29", "birthday").unwrap().is_some());
        for bad in [
            "2023-02-29",
            "1985-13-01",
            "85-06-17",
            "1985/06/17",
            "19850617",
            "1985-06-17T00:00",
        ] {
            let err = Birthday::parse(bad, "birthday").unwrap_err();
            assert_eq!(
                (err.code, err.field.as_deref()),
                ("invalid_date", Some("birthday")),
                "{bad}"
            );
        }
    }

    #[test]
    fn stored_values_are_read_back_through_the_same_rules() {
        let read: Email = serde_json::from_str("\"a@b.com\"").unwrap();
        assert_eq!(read, email("a@b.com"));
        assert!(serde_json::from_str::<Email>("\"a\\u0000b\"").is_err());
        assert!(serde_json::from_str::<Birthday>("\"1985-13-01\"").is_err());
    }
}
