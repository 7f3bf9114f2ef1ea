//! User identities, normalised and hashed the way Meta and Google require, so a browser event and
//! a webhook about the same person match without either side storing the raw address.

use super::template::hex_sha256;

/// SHA-256 (lower-case hex) of an email after trimming and lower-casing.
/// Returns `None` for something that is not an email at all.
pub fn email_sha256(raw: &str) -> Option<String> {
    let email = normalise_email(raw)?;
    Some(hex_sha256(&email))
}

pub fn normalise_email(raw: &str) -> Option<String> {
    let email = raw.trim().to_lowercase();
    let (local, domain) = email.split_once('@')?;
    let plausible = !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && email.len() <= 254
        && !email.chars().any(|c| c.is_whitespace() || c.is_control());
    plausible.then_some(email)
}

/// Digits only, with the country code and without leading zeros or `+`.
/// Returns `None` when fewer than 7 digits remain.
pub fn normalise_phone(raw: &str) -> Option<String> {
    let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
    let digits = digits.trim_start_matches('0');
    (7..=15).contains(&digits.len()).then(|| digits.to_string())
}

pub fn phone_sha256(raw: &str) -> Option<String> {
    normalise_phone(raw).map(|p| hex_sha256(&p))
}

/// An already-hashed value (64 lower-case hex chars) is passed through as the platforms accept.
pub fn is_sha256_hex(raw: &str) -> bool {
    raw.len() == 64
        && raw
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_trimmed_and_lowercased_before_hashing() {
        assert_eq!(email_sha256("  A@B.COM "), email_sha256("a@b.com"));
        assert_eq!(
            email_sha256("a@b.com").unwrap(),
            "fb98d44ad7501a959f3f4f4a3f004fe2d9e581ea6207e218c4b02c08a4d75adf"
        );
        assert_eq!(email_sha256("not-an-email"), None);
        assert_eq!(email_sha256("a@b"), None);
    }

    #[test]
    fn phones_keep_digits_with_country_code_and_no_leading_zero() {
        assert_eq!(
            normalise_phone("+1 (555) 123-4567").as_deref(),
            Some("15551234567")
        );
        assert_eq!(
            normalise_phone("00358 40 1234567").as_deref(),
            Some("358401234567")
        );
        assert_eq!(normalise_phone("12"), None);
        assert_eq!(phone_sha256("+15551234567"), phone_sha256("1 555 123 4567"));
    }

    #[test]
    fn recognises_prehashed_values() {
        assert!(is_sha256_hex(&"a".repeat(64)));
        assert!(!is_sha256_hex(&"A".repeat(64)));
        assert!(!is_sha256_hex("abc"));
    }
}
