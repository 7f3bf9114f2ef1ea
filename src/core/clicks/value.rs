//! The value of a click parameter, checked once at the edge so nothing downstream pays a partner
//! with a damaged id.

use crate::core::click_params::identifies_click;
use serde::Serialize;

/// Longest value kept. Longer values are ignored rather than truncated: a truncated click id
/// would attribute the conversion to nobody, or to the wrong publisher.
pub const MAX_CLICK_VALUE_BYTES: usize = 512;

/// What a captured parameter is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ClickKind {
    /// A click id that is sent back to a partner (`gclid`, `fbclid`, a connector's `click_id`).
    ClickId,
    /// A campaign tag describing the visit (`utm_source`, `utm_campaign`, ...).
    Tag,
}

impl ClickKind {
    /// The kind the click-parameter registry gives the name: tags and sources
    /// ([`crate::core::click_params::identifies_click`] is false) are tags; everything else,
    /// a connector's own click parameter included, is a click id.
    pub fn of_param(param: &str) -> Self {
        if identifies_click(param) {
            ClickKind::ClickId
        } else {
            ClickKind::Tag
        }
    }
}

/// Why a present value cannot be a click value. Capture ignores such a value (a visitor's
/// landing never fails); the webhooks refuse it with this code, naming the field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Malformed {
    TooLong,
    ControlCharacter,
    /// Click ids only: a space, tab or other whitespace inside the value.
    Whitespace,
}

impl Malformed {
    /// The error code the webhooks answer with.
    pub fn code(self) -> &'static str {
        match self {
            Malformed::TooLong => "too_long",
            Malformed::ControlCharacter => "invalid_text",
            Malformed::Whitespace => "invalid_identifier",
        }
    }

    pub fn message(self) -> String {
        match self {
            Malformed::TooLong => format!("is longer than {MAX_CLICK_VALUE_BYTES} bytes"),
            Malformed::ControlCharacter => "must not contain control characters".to_string(),
            Malformed::Whitespace => "must not contain whitespace".to_string(),
        }
    }
}

/// A click-id or tag value: byte-exact (case is kept), trimmed of surrounding whitespace only,
/// at most [`MAX_CLICK_VALUE_BYTES`], without control characters. Click ids also refuse inner
/// whitespace and unexpanded tracking-link macros (`{clickid}`, `{{click_id}}`, `%%CID%%`),
/// which are what a partner sends when its own substitution failed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct ClickValue(String);

impl ClickValue {
    /// `None` means "ignore this value": captured values are never an error for the visitor.
    pub fn parse(raw: &str, kind: ClickKind) -> Option<Self> {
        Self::read(raw, kind).ok().flatten()
    }

    /// The one rule behind every surface. `Ok(None)`: nothing usable was sent (empty, or a
    /// macro a tracking link or a script never filled in), which every surface treats as
    /// absent. `Err`: a value that is present but damaged.
    pub fn read(raw: &str, kind: ClickKind) -> Result<Option<Self>, Malformed> {
        let value = raw.trim();
        if value.is_empty() || (kind == ClickKind::ClickId && is_placeholder_garbage(value)) {
            return Ok(None);
        }
        if value.len() > MAX_CLICK_VALUE_BYTES {
            return Err(Malformed::TooLong);
        }
        if value.chars().any(char::is_control) {
            return Err(Malformed::ControlCharacter);
        }
        if kind == ClickKind::ClickId && value.chars().any(char::is_whitespace) {
            return Err(Malformed::Whitespace);
        }
        Ok(Some(Self(value.to_string())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Values that only appear when a tracking link's macro was never filled in, or when a script
/// stringified a missing value.
fn is_placeholder_garbage(value: &str) -> bool {
    let unexpanded_macro = (value.starts_with('{') && value.ends_with('}'))
        || (value.starts_with("%%") && value.ends_with("%%"))
        || (value.starts_with("[[") && value.ends_with("]]"));
    unexpanded_macro
        || value.eq_ignore_ascii_case("undefined")
        || value.eq_ignore_ascii_case("null")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn click_ids_are_kept_byte_exact_and_trimmed_only_at_the_ends() {
        let v = ClickValue::parse("  Cj0KCQjw_AbC-123  ", ClickKind::ClickId).unwrap();
        assert_eq!(v.as_str(), "Cj0KCQjw_AbC-123");
        let unicode = ClickValue::parse("ÄbC.ß|9", ClickKind::ClickId).unwrap();
        assert_eq!(unicode.as_str(), "ÄbC.ß|9");
    }

    #[test]
    fn empty_and_whitespace_only_values_are_ignored() {
        for raw in ["", " ", "\t", "\u{3000}"] {
            assert_eq!(ClickValue::parse(raw, ClickKind::ClickId), None, "{raw:?}");
            assert_eq!(ClickValue::parse(raw, ClickKind::Tag), None, "{raw:?}");
        }
    }

    #[test]
    fn over_long_values_are_ignored_not_truncated() {
        let at_cap = "a".repeat(MAX_CLICK_VALUE_BYTES);
        assert_eq!(
            ClickValue::parse(&at_cap, ClickKind::ClickId)
                .unwrap()
                .as_str(),
            at_cap
        );
        let over = "a".repeat(MAX_CLICK_VALUE_BYTES + 1);
        assert_eq!(ClickValue::parse(&over, ClickKind::ClickId), None);
        // The cap counts bytes, so multi-byte characters cannot sneak past it.
        let wide = "é".repeat(MAX_CLICK_VALUE_BYTES / 2 + 1);
        assert_eq!(ClickValue::parse(&wide, ClickKind::Tag), None);
    }

    #[test]
    fn control_characters_make_any_value_garbage() {
        for raw in ["ab\u{0}c", "ab\nc", "ab\rc", "a\u{7f}", "a\u{9b}b"] {
            assert_eq!(ClickValue::parse(raw, ClickKind::ClickId), None, "{raw:?}");
            assert_eq!(ClickValue::parse(raw, ClickKind::Tag), None, "{raw:?}");
        }
    }

    #[test]
    fn click_ids_refuse_inner_whitespace_but_tags_keep_it() {
        assert_eq!(ClickValue::parse("abc def", ClickKind::ClickId), None);
        assert_eq!(ClickValue::parse("abc\u{a0}def", ClickKind::ClickId), None);
        assert_eq!(
            ClickValue::parse("summer sale", ClickKind::Tag)
                .unwrap()
                .as_str(),
            "summer sale"
        );
    }

    #[test]
    fn unexpanded_macros_are_not_click_ids() {
        for raw in [
            "{clickid}",
            "{{click_id}}",
            "%%CID%%",
            "[[subid]]",
            "undefined",
            "NULL",
        ] {
            assert_eq!(ClickValue::parse(raw, ClickKind::ClickId), None, "{raw:?}");
        }
        assert!(ClickValue::parse("a{b}", ClickKind::ClickId).is_some());
    }

    #[test]
    fn kind_follows_the_parameter_name() {
        assert_eq!(ClickKind::of_param("utm_source"), ClickKind::Tag);
        assert_eq!(ClickKind::of_param("gclid"), ClickKind::ClickId);
        assert_eq!(ClickKind::of_param("aff_click_id"), ClickKind::ClickId);
    }
}
