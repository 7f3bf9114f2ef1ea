//! User data kept as hashes only. A raw email, phone, name or address is stored only while a
//! connector of the container sends it raw (see `core::privacy`); otherwise the stored event
//! keeps the SHA-256 of its normalised form here and the raw value is dropped. Matching and the
//! hashed placeholders (`{{EMAIL_SHA256}}`, `{{PHONE_E164_SHA256}}`, ...) read these, so they work
//! the same whether the raw value was kept or not.
//!
//! Normalisation before hashing follows Meta's Conversions API customer-information rules
//! (lower case, trimmed; city and postal code without spaces; birthday as `YYYYMMDD`), and
//! Google's enhanced-conversions rules for the `_google` and `_e164` forms.

use super::{Birthday, Email, Phone, UserData, UserText};
use crate::core::template::hex_sha256;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The hashes of user data whose raw value was not kept. Empty when nothing was dropped.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct UserHashes {
    /// [`Email::sha256`] (Meta's form).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// [`Email::sha256_google`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email_google: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub email_variants: Vec<String>,
    /// [`Phone::sha256`] (Meta's form, digits with country code).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// [`Phone::e164_sha256`] (Google's form, with `+`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone_e164: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub phone_variants: Vec<String>,
    /// Names, birthday, gender and address, by their user-data key (`first_name`, `city`, ...).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub fields: BTreeMap<String, String>,
}

impl UserHashes {
    pub fn is_empty(&self) -> bool {
        *self == UserHashes::default()
    }
}

/// Which raw values a container's connectors send, so they must be kept raw.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct KeepRaw {
    /// `{{EMAIL}}`.
    pub email: bool,
    /// `{{PHONE}}`.
    pub phone: bool,
    /// `{{FIRST_NAME}}`.
    pub first_name: bool,
    /// `{{LAST_NAME}}`.
    pub last_name: bool,
}

/// Lower case and trimmed; `squeeze` also removes inner spaces (city, postal code).
fn normalise_text(raw: &str, squeeze: bool) -> String {
    let lower = raw.trim().to_lowercase();
    match squeeze {
        true => lower.chars().filter(|c| !c.is_whitespace()).collect(),
        false => lower,
    }
}

fn text_hash(value: Option<&UserText>, squeeze: bool) -> Option<String> {
    let normalised = normalise_text(value?.as_str(), squeeze);
    (!normalised.is_empty()).then(|| hex_sha256(&normalised))
}

impl UserData {
    /// This user data with only the raw values `keep` names: every other email, phone, name and
    /// address detail is replaced by its hash in [`UserData::hashes`]. The external ids and
    /// fields postclick gives no meaning to are kept (they are the site's own identifiers).
    pub fn minimised(&self, keep: KeepRaw) -> UserData {
        let mut out = self.clone();
        let hashes = &mut out.hashes;
        if !keep.email {
            if let Some(email) = out.email.take() {
                hashes.email = hashes.email.take().or_else(|| email.sha256());
                hashes.email_google = hashes.email_google.take().or_else(|| email.sha256_google());
            }
            let variants = std::mem::take(&mut out.extra.email_variants);
            hashes
                .email_variants
                .extend(variants.iter().filter_map(Email::sha256));
        }
        if !keep.phone {
            if let Some(phone) = out.phone.take() {
                hashes.phone = hashes.phone.take().or_else(|| phone.sha256());
                hashes.phone_e164 = hashes.phone_e164.take().or_else(|| phone.e164_sha256());
            }
            let variants = std::mem::take(&mut out.extra.phone_variants);
            hashes
                .phone_variants
                .extend(variants.iter().filter_map(Phone::sha256));
        }
        let mut hash_field = |key: &str, hash: Option<String>| {
            if let Some(hash) = hash {
                hashes.fields.insert(key.to_string(), hash);
            }
        };
        if !keep.first_name {
            hash_field(
                "first_name",
                text_hash(out.first_name.take().as_ref(), false),
            );
        }
        if !keep.last_name {
            hash_field("last_name", text_hash(out.last_name.take().as_ref(), false));
        }
        let extra = &mut out.extra;
        hash_field("gender", text_hash(extra.gender.take().as_ref(), false));
        hash_field("city", text_hash(extra.city.take().as_ref(), true));
        hash_field("region", text_hash(extra.region.take().as_ref(), false));
        hash_field(
            "postal_code",
            text_hash(extra.postal_code.take().as_ref(), true),
        );
        hash_field("country", text_hash(extra.country.take().as_ref(), false));
        let street = extra
            .street
            .take()
            .map(|s| normalise_text(s.as_str(), false));
        hash_field(
            "street",
            street.filter(|s| !s.is_empty()).map(|s| hex_sha256(&s)),
        );
        let birthday = extra.birthday.take();
        hash_field("birthday", birthday.as_ref().map(birthday_hash));
        out
    }

    /// Every hashed email: the raw ones' and the kept hashes, the primary first.
    pub fn email_hashes(&self) -> Vec<String> {
        let raw = self.emails().filter_map(Email::sha256);
        let kept = self
            .hashes
            .email
            .iter()
            .chain(&self.hashes.email_variants)
            .cloned();
        raw.chain(kept).collect()
    }

    /// Every hashed phone (Meta's form): the raw ones' and the kept hashes, the primary first.
    pub fn phone_hashes(&self) -> Vec<String> {
        let raw = self.phones().filter_map(Phone::sha256);
        let kept = self
            .hashes
            .phone
            .iter()
            .chain(&self.hashes.phone_variants)
            .cloned();
        raw.chain(kept).collect()
    }
}

/// Meta's birthday form: `YYYYMMDD`.
fn birthday_hash(birthday: &Birthday) -> String {
    hex_sha256(&birthday.as_str().replace('-', ""))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::user_data::parse_user_object;
    use serde_json::json;

    fn user() -> UserData {
        parse_user_object(
            &json!({"email": "Jane.Doe@Gmail.com", "phone": "+1 650 555 1212",
                    "first_name": " Jane ", "last_name": "Doe", "external_id": "crm-1",
                    "email_variants": ["j@example.com"], "city": "New York",
                    "birthday": "1985-06-17", "loyalty_tier": "gold"}),
            "user",
        )
        .unwrap()
    }

    #[test]
    fn nothing_raw_is_kept_unless_a_connector_sends_it() {
        let full = user();
        let kept = full.minimised(KeepRaw::default());
        assert_eq!(kept.email, None);
        assert_eq!(kept.phone, None);
        assert_eq!(kept.first_name, None);
        assert!(kept.extra.city.is_none() && kept.extra.birthday.is_none());
        assert!(kept.extra.email_variants.is_empty());
        assert_eq!(
            kept.external_id, full.external_id,
            "the site's own id stays"
        );
        assert_eq!(
            kept.extra.other.get("loyalty_tier").map(String::as_str),
            Some("gold")
        );
        let text = serde_json::to_string(&kept).unwrap();
        for raw in [
            "Gmail", "gmail", "650", "Jane", "New York", "newyork", "1985",
        ] {
            assert!(!text.contains(raw), "{raw} in {text}");
        }
        assert_eq!(
            kept.hashes.email,
            full.email.as_ref().and_then(Email::sha256)
        );
        assert_eq!(
            kept.hashes.email_google.as_deref(),
            Some(hex_sha256("janedoe@gmail.com").as_str())
        );
        assert_eq!(
            kept.hashes.phone_e164.as_deref(),
            Some(hex_sha256("+16505551212").as_str())
        );
        assert_eq!(kept.hashes.fields["first_name"], hex_sha256("jane"));
        assert_eq!(kept.hashes.fields["city"], hex_sha256("newyork"));
        assert_eq!(kept.hashes.fields["birthday"], hex_sha256("19850617"));
    }

    #[test]
    fn matching_sees_the_same_hashes_with_or_without_the_raw_values() {
        let full = user();
        let kept = full.minimised(KeepRaw::default());
        assert_eq!(kept.email_hashes(), full.email_hashes());
        assert_eq!(kept.phone_hashes(), full.phone_hashes());
        assert_eq!(
            kept.minimised(KeepRaw::default()),
            kept,
            "minimising twice changes nothing"
        );
    }

    #[test]
    fn raw_values_a_connector_sends_are_kept() {
        let keep = KeepRaw {
            email: true,
            first_name: true,
            ..KeepRaw::default()
        };
        let kept = user().minimised(keep);
        assert_eq!(kept.email.as_deref(), Some("Jane.Doe@Gmail.com"));
        assert_eq!(kept.first_name.as_deref(), Some("Jane"));
        assert_eq!(kept.phone, None);
        assert_eq!(kept.hashes.email, None);
    }

    #[test]
    fn stored_hashes_read_back() {
        let kept = user().minimised(KeepRaw::default());
        let json = serde_json::to_value(&kept).unwrap();
        let read: UserData = serde_json::from_value(json).unwrap();
        assert_eq!(read, kept);
        let none = serde_json::to_value(UserData::default()).unwrap();
        assert!(none.get("hashes").is_none(), "{none}");
    }
}
