//! One reading of a classic script's JavaScript, a character at a time: code, string literals,
//! template literals, comments (including the HTML-like `<!--` and `-->` of Annex B.1.1) and
//! regular expressions. Where a `/` may be either a regular expression or a division and the
//! grammar (see `grammar.rs`) cannot tell, [`Lexer::push`] returns a second lexer that took the
//! other reading; the caller follows both.

mod tokens;

use super::super::position::Context;
use super::super::refusal::{Blame, Refusal};
use super::grammar::{Brace, Expect, Open, Prev};
use super::sinks::SinkScope;
use super::strings::StringLit;

#[derive(Debug, Clone, PartialEq)]
enum Mode {
    Code,
    Str(Box<StringLit>),
    /// The text of a template literal, outside `${...}`.
    Template {
        escaped: bool,
    },
    LineComment,
    BlockComment {
        star: bool,
        newline: bool,
    },
    Regex {
        class: bool,
        escaped: bool,
    },
}

/// What the next `(` or `{` opens, from the keywords before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pending {
    None,
    /// After `if`, `for`, ...: the header's `(`.
    Control,
    /// After `function` (and its name): the parameters' `(`; `true` for an expression.
    Function(bool),
    /// After a function's parameters, or `class` and its heritage: the body's `{`.
    Body(bool),
}

/// `object[` ... `]`: when the brackets hold one string literal, they name a property.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Computed {
    /// The bracket depth inside the brackets.
    depth: usize,
    object: Option<String>,
    key: Option<String>,
    /// Tokens read inside the brackets.
    tokens: u8,
}

#[derive(Debug, Clone, PartialEq)]
pub(super) struct Lexer {
    mode: Mode,
    /// `<script type=module>`: no HTML-like comments.
    module: bool,
    prev: Prev,
    stmt_start: bool,
    /// Only whitespace and comments since a line terminator, where `-->` starts a comment.
    line_start: bool,
    /// A line terminator since the previous token.
    newline: bool,
    word: String,
    stack: Vec<Open>,
    pending: Pending,
    sinks: Vec<SinkScope>,
    /// The next token starts an argument of the innermost sink.
    arg_start: bool,
    /// The name before the last `.`, when it was a word.
    dot_object: Option<String>,
    /// `async` was read where a statement starts, so a `function` after it declares.
    async_statement: bool,
    /// A computed member being read (`x['write']`), which names a property like `x.write`.
    computed: Option<Computed>,
    /// Characters already taken by looking ahead.
    skip: usize,
    /// A value was just placed in code (its offset and name): a name, number or `.` right after
    /// it would merge with it into one token.
    value_end: Option<(usize, String)>,
    late: Option<Blame>,
}

fn is_line_terminator(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}')
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '$'
}

impl Lexer {
    pub(super) fn new(module: bool) -> Self {
        Self {
            mode: Mode::Code,
            module,
            prev: Prev::Start,
            stmt_start: true,
            line_start: true,
            newline: false,
            word: String::new(),
            stack: Vec::new(),
            pending: Pending::None,
            sinks: Vec::new(),
            arg_start: false,
            dot_object: None,
            async_statement: false,
            computed: None,
            skip: 0,
            value_end: None,
            late: None,
        }
    }

    pub(super) fn take_late(&mut self) -> Option<Blame> {
        self.late.take()
    }

    /// Take one character; `rest` is the literal text after it. Returns the other reading when
    /// a `/` here is a regular expression or a division depending on what this lexer cannot see.
    pub(super) fn push(&mut self, c: char, rest: &str) -> Option<Lexer> {
        if self.skip > 0 {
            self.skip -= 1;
            return None;
        }
        if let Some((offset, name)) = self.value_end.take() {
            if self.mode == Mode::Code && (is_word_char(c) || c == '.') {
                self.late.get_or_insert(Blame {
                    refusal: Refusal::JsGlued,
                    offset,
                    name,
                });
            }
        }
        match &mut self.mode {
            Mode::Code => return self.code(c, rest),
            Mode::Str(literal) => {
                let (ended, late) = literal.push(c);
                if late.is_some() && self.late.is_none() {
                    self.late = late;
                }
                if ended {
                    let key = literal.key();
                    self.mode = Mode::Code;
                    self.token(Prev::Literal);
                    if let Some(computed) = self.computed.as_mut() {
                        if computed.depth == self.stack.len() && computed.tokens == 1 {
                            computed.key = key;
                        }
                    }
                }
            }
            Mode::Template { .. } => self.template_char(c, rest),
            Mode::LineComment => {
                if is_line_terminator(c) {
                    self.mode = Mode::Code;
                    self.newline = true;
                    self.line_start = true;
                }
            }
            Mode::BlockComment { .. } => self.block_comment_char(c),
            Mode::Regex { .. } => self.regex_char(c),
        }
        None
    }

    fn template_char(&mut self, c: char, rest: &str) {
        let Mode::Template { escaped } = &mut self.mode else {
            return;
        };
        if *escaped {
            *escaped = false;
        } else if c == '\\' {
            *escaped = true;
        } else if c == '`' {
            self.mode = Mode::Code;
            self.token(Prev::Literal);
        } else if c == '$' && rest.starts_with('{') {
            self.stack.push(Open::Brace(Brace::Substitution));
            self.mode = Mode::Code;
            self.prev = Prev::Punct('{');
            self.skip = 1;
        }
    }

    /// A block comment that holds a line terminator counts as one (Annex B.1.1), so `-->` may
    /// start an HTML-like comment after it.
    fn block_comment_char(&mut self, c: char) {
        let Mode::BlockComment { star, newline } = &mut self.mode else {
            return;
        };
        let had_newline = *newline || is_line_terminator(c);
        if *star && c == '/' {
            self.mode = Mode::Code;
            if had_newline {
                self.newline = true;
                self.line_start = true;
            }
        } else {
            *star = c == '*';
            *newline = had_newline;
        }
    }

    fn regex_char(&mut self, c: char) {
        let Mode::Regex { class, escaped } = &mut self.mode else {
            return;
        };
        if *escaped {
            *escaped = false;
        } else if c == '\\' {
            *escaped = true;
        } else if c == '[' {
            *class = true;
        } else if c == ']' {
            *class = false;
        } else if c == '/' && !*class {
            self.mode = Mode::Code;
            self.token(Prev::Literal);
        } else if is_line_terminator(c) {
            // A syntax error that stops the script; stay in step with the markup.
            self.mode = Mode::Code;
        }
    }

    fn code(&mut self, c: char, rest: &str) -> Option<Lexer> {
        let number_dot = c == '.' && self.word.starts_with(|d: char| d.is_ascii_digit());
        if is_word_char(c) || number_dot {
            self.word.push(c);
            return None;
        }
        self.end_word();
        if is_line_terminator(c) {
            self.newline = true;
            self.line_start = true;
            return None;
        }
        if c.is_whitespace() || c == '\u{feff}' {
            return None;
        }
        let html_comments = !self.module;
        if c == '/' && rest.starts_with('/') {
            self.mode = Mode::LineComment;
            return None;
        }
        if c == '/' && rest.starts_with('*') {
            self.mode = Mode::BlockComment {
                star: false,
                newline: false,
            };
            self.skip = 1;
            return None;
        }
        if html_comments && c == '<' && rest.starts_with("!--") {
            self.mode = Mode::LineComment;
            return None;
        }
        if html_comments && c == '-' && self.line_start && rest.starts_with("->") {
            self.mode = Mode::LineComment;
            return None;
        }
        if c == '/' {
            return self.slash();
        }
        self.punctuator(c, rest);
        None
    }

    /// A `/` that opens no comment: a regular expression or a division.
    fn slash(&mut self) -> Option<Lexer> {
        match self.prev.expect() {
            Expect::Operand => {
                self.start_regex();
                None
            }
            Expect::Operator => {
                self.token(Prev::Punct('/'));
                None
            }
            Expect::Unknown => {
                let mut division = self.clone();
                division.token(Prev::Punct('/'));
                self.start_regex();
                Some(division)
            }
        }
    }

    fn start_regex(&mut self) {
        self.before_token();
        self.mode = Mode::Regex {
            class: false,
            escaped: false,
        };
    }

    fn end_word(&mut self) {
        if self.word.is_empty() {
            return;
        }
        let name = std::mem::take(&mut self.word);
        let object = match &self.prev {
            Prev::Dot => Some(self.object_before_dot()),
            _ => None,
        };
        if object.is_none() {
            self.keyword(&name);
        }
        self.token(Prev::Word { name, object });
    }

    /// The name before the last `.`, kept when the `.` was read.
    fn object_before_dot(&self) -> String {
        self.dot_object.clone().unwrap_or_default()
    }

    /// Where a placeholder at this point stands, or why it cannot stand here.
    pub(super) fn place(&mut self, offset: usize, name: &str) -> Result<Context, Refusal> {
        match &mut self.mode {
            Mode::Str(literal) => literal.place(offset, name),
            Mode::Template { .. } => Err(Refusal::JsTemplate),
            Mode::LineComment | Mode::BlockComment { .. } => Err(Refusal::JsComment),
            Mode::Regex { .. } => Err(Refusal::JsRegex),
            Mode::Code => {
                if !self.word.is_empty() || self.prev == Prev::Dot || self.value_end.is_some() {
                    return Err(Refusal::JsGlued);
                }
                if self.stack.contains(&Open::Brace(Brace::Substitution)) {
                    return Err(Refusal::JsTemplate);
                }
                if let Some(sink) = self.sinks.last() {
                    return Err(Refusal::JsSinkCode(sink.name.clone()));
                }
                // Where an operator is expected, a negative number would become a subtraction.
                if self.prev.expect() != Expect::Operand {
                    return Err(Refusal::JsOperandExpected);
                }
                self.token(Prev::Literal);
                self.value_end = Some((offset, name.to_string()));
                Ok(Context::ScriptCode)
            }
        }
    }
}
