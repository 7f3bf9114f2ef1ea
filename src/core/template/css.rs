//! Where a placeholder stands in CSS (a `<style>` element or a `style` attribute), following the
//! tokenizer of CSS Syntax Level 3 (section 4) far enough to know strings, comments, escapes,
//! functions (`url(`, `image-set(`, `expression(`, written in any case or with escapes), the
//! unquoted `url(...)` token, and at-rule preludes. The one position is a string literal outside
//! any function, parenthesis and at-rule prelude.

use super::refusal::Refusal;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Normal,
    /// After `/`, which may open a comment.
    Slash,
    Comment,
    CommentStar,
    Str {
        quote: char,
        escaped: bool,
    },
    /// After `url(` and optional whitespace: a quote makes it a function, anything else the
    /// unquoted url token.
    UrlStart,
    /// The unquoted url token, until `)`.
    UrlToken {
        escaped: bool,
    },
}

/// Follows the text of one stylesheet or one `style` attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct CssTracker {
    state: State,
    /// The identifier being read, escapes decoded and lowercased.
    ident: String,
    /// Hex digits of an escape inside an identifier, after `\`.
    ident_escape: Option<String>,
    /// The identifier follows `@`.
    at_keyword: bool,
    /// Open functions and parentheses, innermost last (`""` for a bare parenthesis).
    functions: Vec<String>,
    /// The at-rule whose prelude is being read, until `;` or `{`.
    at_rule: Option<String>,
}

impl CssTracker {
    pub(super) fn new() -> Self {
        Self {
            state: State::Normal,
            ident: String::new(),
            ident_escape: None,
            at_keyword: false,
            functions: Vec::new(),
            at_rule: None,
        }
    }

    /// Take one character of CSS (entities already decoded in an attribute).
    pub(super) fn push(&mut self, c: char) {
        match self.state {
            State::Normal => self.normal(c),
            State::Slash => {
                if c == '*' {
                    self.state = State::Comment;
                } else {
                    self.state = State::Normal;
                    self.normal(c);
                }
            }
            State::Comment | State::CommentStar => {
                self.state = match (self.state, c) {
                    (State::CommentStar, '/') => State::Normal,
                    (_, '*') => State::CommentStar,
                    _ => State::Comment,
                };
            }
            State::Str { quote, escaped } => {
                self.state = match c {
                    _ if escaped => State::Str {
                        quote,
                        escaped: false,
                    },
                    '\\' => State::Str {
                        quote,
                        escaped: true,
                    },
                    // The closing quote, or a newline that makes a bad string.
                    c if c == quote || c == '\n' || c == '\r' || c == '\u{c}' => State::Normal,
                    _ => State::Str { quote, escaped },
                };
            }
            State::UrlStart => match c {
                c if is_whitespace(c) => {}
                '"' | '\'' => {
                    self.functions.push("url".into());
                    self.state = State::Str {
                        quote: c,
                        escaped: false,
                    };
                }
                ')' => self.state = State::Normal,
                _ => {
                    self.state = State::UrlToken { escaped: false };
                    self.push(c);
                }
            },
            State::UrlToken { escaped } => {
                self.state = match c {
                    _ if escaped => State::UrlToken { escaped: false },
                    '\\' => State::UrlToken { escaped: true },
                    ')' => State::Normal,
                    _ => State::UrlToken { escaped },
                };
            }
        }
    }

    fn normal(&mut self, c: char) {
        if let Some(hex) = self.ident_escape.as_mut() {
            if c.is_ascii_hexdigit() && hex.len() < 6 {
                hex.push(c);
                return;
            }
            let hex = self.ident_escape.take().unwrap_or_default();
            if hex.is_empty() {
                self.ident.extend(c.to_lowercase());
                return;
            }
            let decoded = u32::from_str_radix(&hex, 16)
                .ok()
                .and_then(char::from_u32)
                .unwrap_or('\u{fffd}');
            self.ident.extend(decoded.to_lowercase());
            if is_whitespace(c) {
                return;
            }
        }
        if c == '\\' {
            self.ident_escape = Some(String::new());
            return;
        }
        if c.is_alphanumeric() || c == '-' || c == '_' || !c.is_ascii() {
            self.ident.extend(c.to_lowercase());
            return;
        }
        let ident = std::mem::take(&mut self.ident);
        if std::mem::take(&mut self.at_keyword) && !ident.is_empty() {
            self.at_rule = Some(ident.clone());
        }
        match c {
            '/' => self.state = State::Slash,
            '"' | '\'' => {
                self.state = State::Str {
                    quote: c,
                    escaped: false,
                }
            }
            '@' => self.at_keyword = true,
            '(' if ident == "url" => self.state = State::UrlStart,
            '(' => self.functions.push(ident),
            ')' => {
                self.functions.pop();
            }
            ';' | '{' | '}' if self.functions.is_empty() => self.at_rule = None,
            _ => {}
        }
    }

    /// Where a placeholder at this point stands, or why it cannot stand here.
    pub(super) fn place(&self) -> Result<(), Refusal> {
        match self.state {
            State::Comment | State::CommentStar => Err(Refusal::CssComment),
            State::UrlStart | State::UrlToken { .. } => Err(Refusal::CssFunction("url".into())),
            State::Str { escaped: true, .. } => Err(Refusal::CssNotInString),
            State::Str { .. } => {
                if let Some(function) = self.functions.last() {
                    let name = if function.is_empty() { "(" } else { function };
                    return Err(Refusal::CssFunction(name.trim_end_matches('(').into()));
                }
                match &self.at_rule {
                    Some(rule) => Err(Refusal::CssAtRule(rule.clone())),
                    None => Ok(()),
                }
            }
            State::Normal | State::Slash => Err(Refusal::CssNotInString),
        }
    }
}

fn is_whitespace(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\u{c}')
}
