//! A JavaScript string literal: its escapes decoded (ECMA-262, 12.9.4, with the legacy octal
//! escapes of Annex B) so that what it holds is read as the page will read it, and the inner
//! context of a placeholder in it: plain text, markup (followed with the HTML tokenizer) or a
//! URL (followed with the URL reader).

use super::super::html::{Inert, Tokenizer};
use super::super::position::{Context, Inner, JsQuote};
use super::super::refusal::{Blame, Refusal};
use super::super::url::UrlTracker;
use super::sinks::SinkKind;

/// An escape sequence being read, after `\`.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Escape {
    None,
    Backslash,
    /// `\x` or `\u` hex digits still to come, and the value so far.
    Hex {
        left: u8,
        value: u32,
    },
    /// `\u{...}`.
    Braced {
        value: u32,
    },
    /// Legacy octal digits so far.
    Octal {
        value: u32,
        digits: u8,
    },
    /// After `\` and CR: a following LF belongs to the same line continuation.
    Cr,
}

#[derive(Debug, Clone, PartialEq)]
enum Reader {
    /// Nothing decided yet: the literal's text so far is kept.
    Undecided,
    /// A placeholder stood in plain text.
    Plain,
    Markup(Box<Tokenizer<Inert>>),
    Url(UrlTracker),
    Refused(Refusal),
}

#[derive(Debug, Clone, PartialEq)]
pub(super) struct StringLit {
    pub quote: JsQuote,
    escape: Escape,
    /// The decoded text so far, while the reader is undecided.
    text: String,
    reader: Reader,
}

/// Schemes that make a string's text a URL.
const URL_SCHEMES: [&str; 11] = [
    "http",
    "https",
    "javascript",
    "data",
    "vbscript",
    "blob",
    "file",
    "ftp",
    "ws",
    "wss",
    "about",
];

impl StringLit {
    /// A literal that is not the start of a sink's argument; `sink` names a sink it is inside.
    pub(super) fn plain(quote: JsQuote, inside_sink: Option<&str>) -> Self {
        let reader = match inside_sink {
            Some(name) => Reader::Refused(Refusal::JsSinkNotFirst(name.into())),
            None => Reader::Undecided,
        };
        Self::with(quote, reader)
    }

    /// The literal that starts an argument of the sink `name`.
    pub(super) fn for_sink(quote: JsQuote, kind: SinkKind, name: &str) -> Self {
        let reader = match kind {
            SinkKind::Markup => Reader::Markup(Box::new(Tokenizer::new(false))),
            SinkKind::Url => Reader::Url(UrlTracker::new(Some(name.to_string()))),
            SinkKind::Code => Reader::Refused(Refusal::JsSinkCode(name.into())),
        };
        Self::with(quote, reader)
    }

    fn with(quote: JsQuote, reader: Reader) -> Self {
        Self {
            quote,
            escape: Escape::None,
            text: String::new(),
            reader,
        }
    }

    /// The literal's text, when it could name a property (`x['innerHTML']`) and holds no
    /// placeholder.
    pub(super) fn key(&self) -> Option<String> {
        let name = matches!(self.reader, Reader::Undecided)
            && !self.text.is_empty()
            && self.text.len() <= 40
            && self
                .text
                .chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '$');
        name.then(|| self.text.clone())
    }

    /// Take one raw character of the literal. Returns whether the literal ended, and a refusal
    /// found for an earlier placeholder in it.
    pub(super) fn push(&mut self, c: char) -> (bool, Option<Blame>) {
        if self.escape == Escape::None {
            if c == self.quote.as_char() {
                return (true, self.end());
            }
            match c {
                '\\' => self.escape = Escape::Backslash,
                // A line break ends the literal with a syntax error, which stops the script.
                '\n' | '\r' => return (true, None),
                c => return (false, self.take(c)),
            }
            return (false, None);
        }
        let mut decoded = None;
        self.escape = match std::mem::replace(&mut self.escape, Escape::None) {
            Escape::Backslash => match c {
                'x' => Escape::Hex { left: 2, value: 0 },
                'u' => Escape::Hex { left: 4, value: 0 },
                '0'..='7' => Escape::Octal {
                    value: c.to_digit(8).unwrap_or(0),
                    digits: 1,
                },
                '\r' => Escape::Cr,
                '\n' | '\u{2028}' | '\u{2029}' => Escape::None,
                c => {
                    decoded = Some(simple_escape(c));
                    Escape::None
                }
            },
            Escape::Hex { left: 4, .. } if c == '{' => Escape::Braced { value: 0 },
            Escape::Hex { left, value } => {
                let value = value * 16 + c.to_digit(16).unwrap_or(0);
                if left > 1 {
                    Escape::Hex {
                        left: left - 1,
                        value,
                    }
                } else {
                    decoded = Some(char::from_u32(value).unwrap_or('\u{fffd}'));
                    Escape::None
                }
            }
            Escape::Braced { value } if c == '}' => {
                decoded = Some(char::from_u32(value).unwrap_or('\u{fffd}'));
                Escape::None
            }
            Escape::Braced { value } => Escape::Braced {
                value: value.saturating_mul(16) + c.to_digit(16).unwrap_or(0),
            },
            Escape::Octal { value, digits } if digits < 3 && c.is_digit(8) && value < 32 => {
                Escape::Octal {
                    value: value * 8 + c.to_digit(8).unwrap_or(0),
                    digits: digits + 1,
                }
            }
            Escape::Octal { value, .. } => {
                let octal = char::from_u32(value).unwrap_or('\u{fffd}');
                let late = self.take(octal);
                let (ended, again) = self.push(c);
                return (ended, late.or(again));
            }
            Escape::Cr if c == '\n' => Escape::None,
            Escape::Cr => return self.push(c),
            Escape::None => Escape::None,
        };
        (false, decoded.and_then(|d| self.take(d)))
    }

    /// One decoded character of the literal's text.
    fn take(&mut self, c: char) -> Option<Blame> {
        match &mut self.reader {
            Reader::Undecided => {
                self.text.push(c);
                None
            }
            Reader::Markup(markup) => markup.push(c, "").err(),
            Reader::Url(url) => {
                url.push(c);
                url.take_late()
            }
            Reader::Plain => {
                self.text.push(c);
                None
            }
            Reader::Refused(_) => None,
        }
    }

    fn end(&mut self) -> Option<Blame> {
        match &mut self.reader {
            Reader::Url(url) => url.finish(),
            Reader::Markup(markup) => markup.end_of_input(),
            _ => None,
        }
    }

    /// Where a placeholder at this point stands.
    pub(super) fn place(&mut self, offset: usize, name: &str) -> Result<Context, Refusal> {
        if self.escape != Escape::None {
            return Err(Refusal::JsBackslash);
        }
        if self.reader == Reader::Undecided {
            self.reader = self.decide();
        }
        let inner = match &mut self.reader {
            Reader::Refused(refusal) => return Err(refusal.clone()),
            Reader::Undecided | Reader::Plain => {
                if self.text.contains('<') || starts_url(&self.text) {
                    return Err(Refusal::JsMixedString);
                }
                self.reader = Reader::Plain;
                Inner::Plain
            }
            Reader::Markup(markup) => match markup.place(offset, name)? {
                Context::Html(position) => Inner::Html(position),
                _ => return Err(Refusal::InsideElement("script".into())),
            },
            Reader::Url(url) => Inner::Url(url.place(offset, name)?),
        };
        Ok(Context::ScriptString {
            quote: self.quote,
            inner,
        })
    }

    /// The reader of an undecided literal, from its text so far.
    fn decide(&mut self) -> Reader {
        let text = std::mem::take(&mut self.text);
        if text.contains('<') {
            let mut markup = Box::new(Tokenizer::new(false));
            if let Err(late) = markup.feed(&text) {
                return Reader::Refused(late.refusal);
            }
            return Reader::Markup(markup);
        }
        if starts_url(&text) {
            let mut url = UrlTracker::new(None);
            text.chars().for_each(|c| url.push(c));
            return Reader::Url(url);
        }
        self.text = text;
        Reader::Undecided
    }
}

fn simple_escape(c: char) -> char {
    match c {
        'n' => '\n',
        'r' => '\r',
        't' => '\t',
        'b' => '\u{8}',
        'f' => '\u{c}',
        'v' => '\u{b}',
        c => c,
    }
}

/// Whether a string's text starts a URL: a scheme of [`URL_SCHEMES`], `//` or `/`.
fn starts_url(text: &str) -> bool {
    let text = text.trim_start_matches(|c: char| c <= ' ');
    if text.starts_with(['/', '\\']) {
        return true;
    }
    let scheme: String = text
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .take_while(|&c| c != ':')
        .collect();
    text.contains(':') && URL_SCHEMES.contains(&scheme.to_ascii_lowercase().as_str())
}
