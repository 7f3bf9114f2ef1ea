//! Inside `<script>`: where the element ends, following the HTML tokenizer's script data states
//! (including the `<!--` escaped and double-escaped states), and where a placeholder stands in
//! the JavaScript: in code, in a string literal, in a comment or in a regular expression.

use super::pixel::{Context, JsQuote};
use super::refusal::Refusal;

/// Keywords after which a `/` starts a regular expression rather than a division.
const KEYWORDS_BEFORE_EXPRESSION: [&str; 14] = [
    "return",
    "typeof",
    "instanceof",
    "in",
    "of",
    "new",
    "delete",
    "void",
    "throw",
    "case",
    "do",
    "else",
    "yield",
    "await",
];

/// The HTML tokenizer's script data states, named as in the HTML standard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Markup {
    Data,
    LessThan,
    EndTagOpen,
    EndTagName,
    EscapeStart,
    EscapeStartDash,
    Escaped,
    EscapedDash,
    EscapedDashDash,
    EscapedLessThan,
    EscapedEndTagOpen,
    EscapedEndTagName,
    DoubleEscapeStart,
    DoubleEscaped,
    DoubleEscapedDash,
    DoubleEscapedDashDash,
    DoubleEscapedLessThan,
    DoubleEscapeEnd,
}

/// Where the JavaScript tokenizer stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Js {
    Code,
    /// After a `/` in code: a comment, a regular expression or a division follows.
    Slash,
    Str(JsQuote),
    /// The text of a template literal, outside `${...}`.
    Template,
    LineComment,
    BlockComment,
    BlockCommentStar,
    Regex,
    RegexClass,
}

pub(super) struct Script {
    markup: Markup,
    /// The tag name being matched by the end-tag and double-escape states.
    tag_name: String,
    js: Js,
    /// The previous character was a backslash inside a string, template or regex.
    escaped: bool,
    /// The previous character was an escaped CR, whose LF belongs to the same line continuation.
    escaped_cr: bool,
    /// The previous character of template text was `$`.
    dollar: bool,
    regex_allowed: bool,
    /// The last token was `}`, after which `/` may start a regex (after a block) or divide
    /// (after an object literal): the tokenizer cannot tell which.
    after_close_brace: bool,
    slash_after_close_brace: bool,
    /// Such a `/` was met, so later positions in this script are uncertain.
    ambiguous: bool,
    /// Only whitespace since the last line terminator, where `-->` starts a comment.
    line_start: bool,
    word: String,
    /// Open `${` of template literals, each with the depth of `{` opened inside it.
    template_braces: Vec<u32>,
    /// Characters the JS tokenizer already took by looking ahead.
    skip: usize,
}

fn is_html_whitespace(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\u{c}' | '\r' | ' ')
}

fn is_line_terminator(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}')
}

fn is_identifier_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '$'
}

impl Script {
    pub(super) fn new() -> Self {
        Self {
            markup: Markup::Data,
            tag_name: String::new(),
            js: Js::Code,
            escaped: false,
            escaped_cr: false,
            dollar: false,
            regex_allowed: true,
            after_close_brace: false,
            slash_after_close_brace: false,
            ambiguous: false,
            line_start: true,
            word: String::new(),
            template_braces: Vec::new(),
            skip: 0,
        }
    }

    /// Take one character. Returns the character that completed `</script` (whitespace, `/` or
    /// `>`) when the element ends there.
    pub(super) fn step(&mut self, c: char, rest: &str) -> Option<char> {
        if let Some(end) = self.markup_step(c) {
            return Some(end);
        }
        self.js_step(c, rest);
        None
    }

    /// Where a placeholder at this point stands, or why it cannot stand here.
    pub(super) fn place(&mut self) -> Result<Context, Refusal> {
        if !matches!(
            self.markup,
            Markup::Data | Markup::Escaped | Markup::DoubleEscaped
        ) {
            return Err(Refusal::PartialMarkup("script".into()));
        }
        let ambiguous_slash = self.js == Js::Slash && self.slash_after_close_brace;
        if self.ambiguous || ambiguous_slash {
            return Err(Refusal::JsAmbiguousSlash);
        }
        match self.js {
            Js::Code => {
                self.end_word();
                self.after_value();
                Ok(Context::ScriptCode)
            }
            Js::Slash if self.regex_allowed => Err(Refusal::JsRegex),
            Js::Slash => {
                self.js = Js::Code;
                self.after_value();
                Ok(Context::ScriptCode)
            }
            Js::Str(_) | Js::Template if self.escaped => Err(Refusal::JsBackslash),
            Js::Template if self.dollar => Err(Refusal::JsDollar),
            Js::Str(quote) => {
                self.escaped_cr = false;
                Ok(Context::ScriptString(quote))
            }
            Js::Template => Ok(Context::ScriptString(JsQuote::Backtick)),
            Js::LineComment | Js::BlockComment | Js::BlockCommentStar => Err(Refusal::JsComment),
            Js::Regex | Js::RegexClass => Err(Refusal::JsRegex),
        }
    }

    fn after_value(&mut self) {
        self.regex_allowed = false;
        self.line_start = false;
    }

    fn markup_step(&mut self, c: char) -> Option<char> {
        use Markup::*;
        loop {
            let reconsume = match self.markup {
                Data => {
                    if c == '<' {
                        self.markup = LessThan;
                    }
                    false
                }
                LessThan => match c {
                    '/' => self.start_name(EndTagOpen),
                    '!' => self.go(EscapeStart),
                    _ => self.again(Data),
                },
                EndTagOpen | EscapedEndTagOpen if c.is_ascii_alphabetic() => {
                    let name = if self.markup == EndTagOpen {
                        EndTagName
                    } else {
                        EscapedEndTagName
                    };
                    self.again(name)
                }
                EndTagOpen => self.again(Data),
                EscapedEndTagOpen => self.again(Escaped),
                EndTagName | EscapedEndTagName => {
                    if (is_html_whitespace(c) || c == '/' || c == '>') && self.tag_name == "script"
                    {
                        return Some(c);
                    }
                    if c.is_ascii_alphabetic() {
                        self.tag_name.push(c.to_ascii_lowercase());
                        false
                    } else if self.markup == EndTagName {
                        self.again(Data)
                    } else {
                        self.again(Escaped)
                    }
                }
                EscapeStart if c == '-' => self.go(EscapeStartDash),
                EscapeStartDash if c == '-' => self.go(EscapedDashDash),
                EscapeStart | EscapeStartDash => self.again(Data),
                Escaped | EscapedDash | EscapedDashDash => match c {
                    '-' if self.markup == Escaped => self.go(EscapedDash),
                    '-' => self.go(EscapedDashDash),
                    '<' => self.go(EscapedLessThan),
                    '>' if self.markup == EscapedDashDash => self.go(Data),
                    _ => self.go(Escaped),
                },
                EscapedLessThan => match c {
                    '/' => self.start_name(EscapedEndTagOpen),
                    c if c.is_ascii_alphabetic() => {
                        self.tag_name.clear();
                        self.again(DoubleEscapeStart)
                    }
                    _ => self.again(Escaped),
                },
                DoubleEscapeStart | DoubleEscapeEnd => {
                    let (matched, unmatched) = if self.markup == DoubleEscapeStart {
                        (DoubleEscaped, Escaped)
                    } else {
                        (Escaped, DoubleEscaped)
                    };
                    if is_html_whitespace(c) || c == '/' || c == '>' {
                        let next = if self.tag_name == "script" {
                            matched
                        } else {
                            unmatched
                        };
                        self.go(next)
                    } else if c.is_ascii_alphabetic() {
                        self.tag_name.push(c.to_ascii_lowercase());
                        false
                    } else {
                        self.again(unmatched)
                    }
                }
                DoubleEscaped | DoubleEscapedDash | DoubleEscapedDashDash => match c {
                    '-' if self.markup == DoubleEscaped => self.go(DoubleEscapedDash),
                    '-' => self.go(DoubleEscapedDashDash),
                    '<' => self.go(DoubleEscapedLessThan),
                    '>' if self.markup == DoubleEscapedDashDash => self.go(Data),
                    _ => self.go(DoubleEscaped),
                },
                DoubleEscapedLessThan if c == '/' => self.start_name(DoubleEscapeEnd),
                DoubleEscapedLessThan => self.again(DoubleEscaped),
            };
            if !reconsume {
                return None;
            }
        }
    }

    fn go(&mut self, state: Markup) -> bool {
        self.markup = state;
        false
    }

    fn again(&mut self, state: Markup) -> bool {
        self.markup = state;
        true
    }

    fn start_name(&mut self, state: Markup) -> bool {
        self.tag_name.clear();
        self.go(state)
    }

    fn end_word(&mut self) {
        if !self.word.is_empty() {
            self.regex_allowed = KEYWORDS_BEFORE_EXPRESSION.contains(&self.word.as_str());
            self.word.clear();
            self.line_start = false;
        }
    }

    fn js_step(&mut self, c: char, rest: &str) {
        if self.skip > 0 {
            self.skip -= 1;
            return;
        }
        loop {
            let reconsume = match self.js {
                Js::Code => {
                    self.code_step(c, rest);
                    false
                }
                Js::Slash => {
                    match c {
                        '/' => self.js = Js::LineComment,
                        '*' => self.js = Js::BlockComment,
                        _ if self.regex_allowed => self.js = Js::Regex,
                        _ if self.slash_after_close_brace => {
                            self.ambiguous = true;
                            self.js = Js::Code;
                            self.regex_allowed = true;
                        }
                        _ => {
                            self.js = Js::Code;
                            self.regex_allowed = true;
                        }
                    }
                    !matches!(c, '/' | '*')
                }
                Js::Str(quote) => {
                    self.string_step(c, quote);
                    false
                }
                Js::Template => {
                    self.template_step(c, rest);
                    false
                }
                Js::LineComment => {
                    if is_line_terminator(c) {
                        self.js = Js::Code;
                        self.line_start = true;
                    }
                    false
                }
                Js::BlockComment | Js::BlockCommentStar => {
                    self.js = match (self.js, c) {
                        (Js::BlockCommentStar, '/') => Js::Code,
                        (_, '*') => Js::BlockCommentStar,
                        _ => Js::BlockComment,
                    };
                    false
                }
                Js::Regex | Js::RegexClass => {
                    self.regex_step(c);
                    false
                }
            };
            if !reconsume {
                return;
            }
        }
    }

    fn code_step(&mut self, c: char, rest: &str) {
        if is_identifier_char(c) {
            self.word.push(c);
            self.line_start = false;
            self.after_close_brace = false;
            return;
        }
        self.end_word();
        if is_line_terminator(c) {
            self.line_start = true;
            return;
        }
        if c.is_whitespace() {
            return;
        }
        let line_start = std::mem::replace(&mut self.line_start, false);
        let after_close_brace = std::mem::replace(&mut self.after_close_brace, false);
        if c == '/' {
            // Whether a regex may start here depends on the token before, so decide later.
            self.js = Js::Slash;
            self.slash_after_close_brace = after_close_brace;
            return;
        }
        self.regex_allowed = true;
        match c {
            '\'' => self.js = Js::Str(JsQuote::Single),
            '"' => self.js = Js::Str(JsQuote::Double),
            '`' => {
                self.js = Js::Template;
                self.dollar = false;
            }
            // HTML-like comments, which classic scripts still honour.
            '<' if rest.starts_with("!--") => {
                self.js = Js::LineComment;
                self.skip = 3;
            }
            '-' if line_start && rest.starts_with("->") => {
                self.js = Js::LineComment;
                self.skip = 2;
            }
            '{' => {
                if let Some(depth) = self.template_braces.last_mut() {
                    *depth += 1;
                }
            }
            '}' => {
                self.regex_allowed = false;
                match self.template_braces.last_mut() {
                    Some(0) => {
                        self.template_braces.pop();
                        self.js = Js::Template;
                        self.dollar = false;
                    }
                    Some(depth) => {
                        *depth -= 1;
                        self.after_close_brace = true;
                    }
                    None => self.after_close_brace = true,
                }
            }
            ')' | ']' => self.regex_allowed = false,
            _ => {}
        }
    }

    fn string_step(&mut self, c: char, quote: JsQuote) {
        if self.escaped {
            self.escaped = false;
            self.escaped_cr = c == '\r';
            return;
        }
        if std::mem::take(&mut self.escaped_cr) && c == '\n' {
            return;
        }
        match c {
            '\\' => self.escaped = true,
            c if c == quote.as_char() => {
                self.js = Js::Code;
                self.regex_allowed = false;
            }
            // An unterminated string: a syntax error that stops the whole script, so the
            // tokenizer only needs to stay in step with the markup.
            '\n' | '\r' => {
                self.js = Js::Code;
                self.line_start = true;
            }
            _ => {}
        }
    }

    fn template_step(&mut self, c: char, rest: &str) {
        if self.escaped {
            self.escaped = false;
            return;
        }
        self.dollar = false;
        match c {
            '\\' => self.escaped = true,
            '`' => {
                self.js = Js::Code;
                self.regex_allowed = false;
            }
            '$' if rest.starts_with('{') => {
                self.template_braces.push(0);
                self.js = Js::Code;
                self.regex_allowed = true;
                self.skip = 1;
            }
            '$' => self.dollar = true,
            _ => {}
        }
    }

    fn regex_step(&mut self, c: char) {
        if self.escaped {
            self.escaped = false;
            return;
        }
        match (self.js, c) {
            (_, '\\') => self.escaped = true,
            (Js::Regex, '[') => self.js = Js::RegexClass,
            (Js::RegexClass, ']') => self.js = Js::Regex,
            (Js::Regex, '/') => {
                self.js = Js::Code;
                self.regex_allowed = false;
            }
            (_, c) if is_line_terminator(c) => {
                self.js = Js::Code;
                self.line_start = true;
            }
            _ => {}
        }
    }
}
