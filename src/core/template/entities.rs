//! Character references in attribute values, decoded the way the HTML standard's tokenizer does
//! (13.2.5.72 onwards, with the attribute-value rule for legacy references), so that a URL or a
//! style is classified from the characters the browser really reads: `&#47;&#47;` is `//`.
//!
//! Only references that decode to ASCII can change how a URL or CSS is read; [`ASCII_NAMED`] lists
//! them all (a unit test checks it against html5ever's table). Any other reference decodes to a
//! character outside ASCII, which is passed on as U+FFFD: structurally, one ordinary character.

/// Every named character reference whose expansion holds an ASCII character, with its expansion.
/// Names without `;` are the legacy forms the standard still decodes.
pub(super) const ASCII_NAMED: [(&str, &str); 57] = [
    ("AMP", "&"),
    ("AMP;", "&"),
    ("DiacriticalGrave;", "`"),
    ("GT", ">"),
    ("GT;", ">"),
    ("Hat;", "^"),
    ("LT", "<"),
    ("LT;", "<"),
    ("NewLine;", "\n"),
    ("QUOT", "\""),
    ("QUOT;", "\""),
    ("Tab;", "\t"),
    ("UnderBar;", "_"),
    ("VerticalLine;", "|"),
    ("amp", "&"),
    ("amp;", "&"),
    ("apos;", "'"),
    ("ast;", "*"),
    ("bne;", "=\u{20e5}"),
    ("bsol;", "\\"),
    ("colon;", ":"),
    ("comma;", ","),
    ("commat;", "@"),
    ("dollar;", "$"),
    ("equals;", "="),
    ("excl;", "!"),
    ("fjlig;", "fj"),
    ("grave;", "`"),
    ("gt", ">"),
    ("gt;", ">"),
    ("lbrace;", "{"),
    ("lbrack;", "["),
    ("lcub;", "{"),
    ("lowbar;", "_"),
    ("lpar;", "("),
    ("lsqb;", "["),
    ("lt", "<"),
    ("lt;", "<"),
    ("midast;", "*"),
    ("num;", "#"),
    ("nvgt;", ">\u{20d2}"),
    ("nvlt;", "<\u{20d2}"),
    ("percnt;", "%"),
    ("period;", "."),
    ("plus;", "+"),
    ("quest;", "?"),
    ("quot", "\""),
    ("quot;", "\""),
    ("rbrace;", "}"),
    ("rbrack;", "]"),
    ("rcub;", "}"),
    ("rpar;", ")"),
    ("rsqb;", "]"),
    ("semi;", ";"),
    ("sol;", "/"),
    ("verbar;", "|"),
    ("vert;", "|"),
];

/// Longest reference name worth reading; longer runs are plain text.
const MAX_NAME: usize = 40;

/// Decodes one attribute value, a character at a time.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(super) struct AttrDecoder {
    /// A reference being read: `&`, `&#`, `&#x1`, `&amp`...
    pending: String,
}

impl AttrDecoder {
    /// A reference is being read, so a value placed now could complete it.
    pub(super) fn is_pending(&self) -> bool {
        !self.pending.is_empty()
    }

    /// Take one raw character of the value; the decoded characters are appended to `out`.
    pub(super) fn push(&mut self, c: char, out: &mut Vec<char>) {
        if self.pending.is_empty() {
            if c == '&' {
                self.pending.push(c);
            } else {
                out.push(c);
            }
            return;
        }
        let numeric = self.pending.starts_with("&#");
        let hex = self.pending.starts_with("&#x") || self.pending.starts_with("&#X");
        let continues = if numeric {
            (self.pending.len() == 2 && matches!(c, 'x' | 'X'))
                || (hex && c.is_ascii_hexdigit())
                || (!hex && c.is_ascii_digit())
        } else {
            (self.pending == "&" && c == '#')
                || (c.is_ascii_alphanumeric() && self.pending.len() <= MAX_NAME)
        };
        if continues {
            self.pending.push(c);
            return;
        }
        let consumed = self.resolve(Some(c), out);
        if !consumed {
            self.push(c, out);
        }
    }

    /// The value ended: a reference being read is resolved.
    pub(super) fn finish(&mut self, out: &mut Vec<char>) {
        self.resolve(None, out);
    }

    /// Resolve the pending reference before `next`; returns whether `next` (a `;`) was consumed.
    fn resolve(&mut self, next: Option<char>, out: &mut Vec<char>) -> bool {
        let pending = std::mem::take(&mut self.pending);
        let Some(name) = pending.strip_prefix('&') else {
            return false;
        };
        if let Some(number) = pending.strip_prefix("&#") {
            let digits = number.trim_start_matches(['x', 'X']);
            if digits.is_empty() {
                out.extend(pending.chars());
                return false;
            }
            let radix = if digits.len() < number.len() { 16 } else { 10 };
            out.push(numeric(digits, radix));
            return next == Some(';');
        }
        if next == Some(';') {
            let with_semicolon = format!("{name};");
            match ASCII_NAMED.iter().find(|(n, _)| *n == with_semicolon) {
                Some((_, expansion)) => out.extend(expansion.chars()),
                None if name.is_empty() => {
                    out.push('&');
                    return false;
                }
                // Either a reference to a character outside ASCII or literal text: one
                // ordinary character either way.
                None => out.push('\u{fffd}'),
            }
            return true;
        }
        // Without `;`, only a legacy name followed by something other than `=` decodes.
        let legacy = ASCII_NAMED
            .iter()
            .find(|(n, _)| *n == name && !n.ends_with(';'));
        match legacy {
            Some((_, expansion)) if next != Some('=') => out.extend(expansion.chars()),
            _ => out.extend(pending.chars()),
        }
        false
    }
}

/// A numeric reference's character, with the standard's replacements (13.2.5.80).
fn numeric(digits: &str, radix: u32) -> char {
    let value = u32::from_str_radix(digits, radix).unwrap_or(u32::MAX);
    match value {
        0 | 0x80..=0x9f => '\u{fffd}',
        v => char::from_u32(v).unwrap_or('\u{fffd}'),
    }
}

/// Decode a whole attribute value.
#[cfg(test)]
pub(super) fn decode_attribute(value: &str) -> String {
    let mut decoder = AttrDecoder::default();
    let mut out = Vec::new();
    for c in value.chars() {
        decoder.push(c, &mut out);
    }
    decoder.finish(&mut out);
    out.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ascii_table_holds_every_reference_that_expands_to_ascii() {
        let mut expected: Vec<(String, String)> = Vec::new();
        for (name, &(a, b)) in html5ever::data::NAMED_ENTITIES.entries() {
            let expansion: String = [a, b]
                .into_iter()
                .filter(|&c| c != 0)
                .filter_map(char::from_u32)
                .collect();
            if expansion.chars().any(|c| c.is_ascii()) {
                expected.push((name.to_string(), expansion));
            }
        }
        expected.sort();
        let ours: Vec<(String, String)> = ASCII_NAMED
            .iter()
            .map(|(n, e)| (n.to_string(), e.to_string()))
            .collect();
        assert_eq!(ours, expected);
    }

    #[test]
    fn references_decode_as_in_an_attribute_value() {
        for (raw, decoded) in [
            ("/&#47;evil.example", "//evil.example"),
            ("&#x2F;&#X2f", "//"),
            ("&sol;&sol;x", "//x"),
            ("a&period;&#46;&#x2e;b", "a...b"),
            ("java&Tab;script&colon;", "java\tscript:"),
            ("&NewLine;", "\n"),
            ("?a=1&amp;b=2&c=3", "?a=1&b=2&c=3"),
            ("&amp=1", "&amp=1"),
            ("&ampx", "&ampx"),
            ("&amp-", "&-"),
            ("&lt", "<"),
            ("&copy;", "\u{fffd}"),
            ("&nosuch;", "\u{fffd}"),
            ("&#0;&#x110000;&#x80;", "\u{fffd}\u{fffd}\u{fffd}"),
            ("&#;&#x;&;&", "&#;&#x;&;&"),
            ("&#9;", "\t"),
        ] {
            assert_eq!(decode_attribute(raw), decoded, "{raw}");
        }
    }
}
