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

/// Why a value of a click parameter was not kept. Capture counts every refusal (a visitor's
/// landing never fails, but nothing is dropped unseen); the webhooks refuse the damaged ones
/// ([`Malformed::is_damage`]) with this code, naming the field, and treat the others as absent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Malformed {
    /// Nothing but whitespace.
    Empty,
    /// A tracking-link macro that was never filled in (`{click_id}`, `{{clickid}}`, `%%CID%%`,
    /// `[[subid]]`), or a script's stringified missing value (`undefined`, `null`).
    Unfilled,
    TooLong,
    ControlCharacter,
    /// Percent-encoded bytes that are not UTF-8: the value cannot be kept byte for byte as text.
    InvalidEncoding,
}

impl Malformed {
    /// Every reason, for counters and documentation.
    pub const ALL: [Malformed; 5] = [
        Malformed::Empty,
        Malformed::Unfilled,
        Malformed::TooLong,
        Malformed::ControlCharacter,
        Malformed::InvalidEncoding,
    ];

    /// A present value that is damaged, as opposed to one that carries nothing.
    pub fn is_damage(self) -> bool {
        matches!(
            self,
            Malformed::TooLong | Malformed::ControlCharacter | Malformed::InvalidEncoding
        )
    }

    /// The error code the webhooks answer with, and the reason capture counts.
    pub fn code(self) -> &'static str {
        match self {
            Malformed::Empty => "empty",
            Malformed::Unfilled => "unfilled_macro",
            Malformed::TooLong => "too_long",
            Malformed::ControlCharacter => "invalid_text",
            Malformed::InvalidEncoding => "invalid_encoding",
        }
    }

    pub fn message(self) -> String {
        match self {
            Malformed::Empty => "is empty".to_string(),
            Malformed::Unfilled => "is a tracking-link macro that was never filled in".to_string(),
            Malformed::TooLong => format!("is longer than {MAX_CLICK_VALUE_BYTES} bytes"),
            Malformed::ControlCharacter => "must not contain control characters".to_string(),
            Malformed::InvalidEncoding => "is not percent-encoded UTF-8".to_string(),
        }
    }
}

/// A click-id or tag value, kept exactly as it arrived after percent-decoding: case, inner
/// spaces, `/`, `+` and non-ASCII letters included; only surrounding whitespace is trimmed.
/// At most [`MAX_CLICK_VALUE_BYTES`], without control characters. Click ids also refuse
/// unexpanded tracking-link macros, which are what a partner sends when its own substitution
/// failed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct ClickValue(String);

impl ClickValue {
    /// `None` means "not kept"; [`ClickValue::read`] says why.
    pub fn parse(raw: &str, kind: ClickKind) -> Option<Self> {
        Self::read(raw, kind).ok()
    }

    /// The one rule behind every surface: the value, or why it is refused.
    pub fn read(raw: &str, kind: ClickKind) -> Result<Self, Malformed> {
        let value = raw.trim();
        if value.is_empty() {
            return Err(Malformed::Empty);
        }
        if kind == ClickKind::ClickId && is_placeholder_garbage(value) {
            return Err(Malformed::Unfilled);
        }
        if value.len() > MAX_CLICK_VALUE_BYTES {
            return Err(Malformed::TooLong);
        }
        if value.chars().any(char::is_control) {
            return Err(Malformed::ControlCharacter);
        }
        Ok(Self(value.to_string()))
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
    fn click_ids_keep_inner_spaces_slashes_plus_signs_and_letters_exactly() {
        for raw in ["abc def", "AFF/1+2 ü", "abc\u{a0}def", "Ab==", "a%b"] {
            assert_eq!(
                ClickValue::parse(raw, ClickKind::ClickId).unwrap().as_str(),
                raw
            );
        }
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
            assert_eq!(
                ClickValue::read(raw, ClickKind::ClickId),
                Err(Malformed::Unfilled),
                "{raw:?}"
            );
        }
        assert!(ClickValue::parse("a{b}", ClickKind::ClickId).is_some());
        assert_eq!(ClickValue::read(" ", ClickKind::Tag), Err(Malformed::Empty));
        let long = "a".repeat(MAX_CLICK_VALUE_BYTES + 1);
        assert_eq!(
            ClickValue::read(&long, ClickKind::ClickId),
            Err(Malformed::TooLong)
        );
        assert_eq!(
            ClickValue::read("a\nb", ClickKind::ClickId),
            Err(Malformed::ControlCharacter)
        );
    }

    #[test]
    fn kind_follows_the_parameter_name() {
        assert_eq!(ClickKind::of_param("utm_source"), ClickKind::Tag);
        assert_eq!(ClickKind::of_param("gclid"), ClickKind::ClickId);
        assert_eq!(ClickKind::of_param("aff_click_id"), ClickKind::ClickId);
    }
}
