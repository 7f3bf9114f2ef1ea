//! The label an admin gives an API key.

use crate::core::error::Invalid;

pub const MAX_API_KEY_NAME_LEN: usize = 100;

/// The label an admin gives a key (`Backend prod`): 1–100 printable characters, trimmed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(transparent)]
pub struct ApiKeyName(String);

impl ApiKeyName {
    pub fn parse(raw: &str, field: &str) -> Result<Self, Invalid> {
        let name = raw.trim();
        if name.is_empty()
            || name.chars().count() > MAX_API_KEY_NAME_LEN
            || name.chars().any(char::is_control)
        {
            return Err(Invalid::field(
                "invalid_name",
                field,
                format!("must be 1 to {MAX_API_KEY_NAME_LEN} printable characters"),
            ));
        }
        Ok(Self(name.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_names_are_trimmed_bounded_and_printable() {
        assert_eq!(
            ApiKeyName::parse("  Backend prod ", "name")
                .unwrap()
                .as_str(),
            "Backend prod"
        );
        for bad in ["", "   ", "a\u{7}b", &"n".repeat(101)] {
            let err = ApiKeyName::parse(bad, "name").unwrap_err();
            assert_eq!(err.field.as_deref(), Some("name"), "{bad:?}");
        }
    }
}
