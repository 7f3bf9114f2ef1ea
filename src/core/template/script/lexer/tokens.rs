//! Tokens of the code itself: punctuators and keywords, what each one opens or closes, and the
//! sinks whose arguments they begin or end.

use super::super::grammar::{Brace, Expect, Open, Paren, Prev, BEFORE_STATEMENT, CONTROL};
use super::super::sinks::{call_sink, property_sink, SinkKind, SinkScope};
use super::super::strings::StringLit;
use super::{Computed, Lexer, Mode, Pending};
use crate::core::template::position::JsQuote;

impl Lexer {
    /// A statement may start here: after a statement, or after an expression that a line
    /// terminator ends (automatic semicolon insertion before a token that cannot continue it).
    fn at_statement(&self) -> bool {
        self.stmt_start || (self.newline && self.prev.expect() == Expect::Operator)
    }

    /// Keywords that decide what the next `(` or `{` opens.
    pub(super) fn keyword(&mut self, name: &str) {
        match name {
            "function" => {
                let declares = self.at_statement()
                    || (self.async_statement && self.prev.word() == Some("async"));
                self.pending = Pending::Function(!declares);
            }
            "class" => self.pending = Pending::Body(!self.at_statement()),
            "async" => self.async_statement = self.at_statement(),
            "await" if self.pending == Pending::Control => {}
            name if CONTROL.contains(&name) => self.pending = Pending::Control,
            _ => {}
        }
    }

    /// Before any token: the first token of a sink's argument has been seen.
    pub(super) fn before_token(&mut self) {
        self.arg_start = false;
    }

    /// Record a complete token.
    pub(super) fn token(&mut self, prev: Prev) {
        self.before_token();
        if let Some(computed) = self.computed.as_mut() {
            if computed.depth == self.stack.len() {
                computed.tokens = computed.tokens.saturating_add(1);
            }
        }
        self.prev = prev;
        self.after_token();
    }

    pub(super) fn after_token(&mut self) {
        let in_paren = matches!(self.stack.last(), Some(Open::Paren(_)));
        self.stmt_start = !in_paren && self.prev.ends_statement();
        self.newline = false;
        self.line_start = false;
    }

    pub(super) fn punctuator(&mut self, c: char, rest: &str) {
        match c {
            '\'' | '"' => self.string(c),
            '`' => {
                self.before_token();
                self.mode = Mode::Template { escaped: false };
                self.line_start = false;
            }
            '{' => self.open_brace(),
            '}' => self.close_brace(),
            '(' => self.open_paren(),
            ')' | ']' => self.close(c),
            '[' => {
                // After an operand, `[` reads a member: `x['write']` is `x.write`.
                let object = match &self.prev {
                    Prev::Word { name, .. } if self.prev.expect() == Expect::Operator => {
                        Some(Some(name.clone()))
                    }
                    _ if self.prev.expect() == Expect::Operator => Some(None),
                    _ => None,
                };
                self.stack.push(Open::Bracket);
                self.token(Prev::Punct('['));
                self.computed = object.map(|object| Computed {
                    depth: self.stack.len(),
                    object,
                    key: None,
                    tokens: 0,
                });
            }
            '.' if rest.starts_with(|d: char| d.is_ascii_digit()) => self.word.push('.'),
            '.' => {
                self.dot_object = self.prev.word().map(str::to_string);
                self.token(Prev::Dot);
            }
            '=' => self.equals(rest),
            '+' | '-' if rest.starts_with(c) => {
                self.skip = 1;
                let postfix = self.prev.expect() == Expect::Operator && !self.newline;
                self.token(Prev::Increment { postfix });
            }
            '+' if rest.starts_with('=') => {
                self.skip = 1;
                self.assignment();
            }
            ',' => self.comma(),
            ';' => {
                let depth = self.stack.len();
                self.sinks.retain(|s| !(s.assignment && s.depth >= depth));
                self.pending = Pending::None;
                self.token(Prev::Punct(';'));
            }
            c => self.token(Prev::Punct(c)),
        }
    }

    fn string(&mut self, c: char) {
        let quote = if c == '\'' {
            JsQuote::Single
        } else {
            JsQuote::Double
        };
        let literal = match (self.arg_start, self.sinks.last()) {
            (true, Some(sink)) => StringLit::for_sink(quote, sink.kind, &sink.name),
            (_, sink) => StringLit::plain(quote, sink.map(|s| s.name.as_str())),
        };
        self.before_token();
        self.line_start = false;
        self.mode = Mode::Str(Box::new(literal));
    }

    fn open_brace(&mut self) {
        let after_statement_keyword = self
            .prev
            .word()
            .is_some_and(|w| BEFORE_STATEMENT.contains(&w));
        let in_object = self.stack.last() == Some(&Open::Brace(Brace::Object));
        let kind = match self.pending {
            Pending::Body(expression) => Brace::Body(expression),
            _ if self.at_statement() || after_statement_keyword => Brace::Block,
            _ if self.prev == Prev::Arrow => Brace::Unknown,
            // After ':' a `{` is a property's value in an object literal, but a block after a
            // label or a `case`, and either after a `?`: this lexer does not tell those apart.
            _ if self.prev == Prev::Punct(':') && !in_object => Brace::Unknown,
            _ if self.prev.expect() == Expect::Operand => Brace::Object,
            _ => Brace::Unknown,
        };
        self.pending = Pending::None;
        self.stack.push(Open::Brace(kind));
        self.token(Prev::Punct('{'));
        self.stmt_start = matches!(kind, Brace::Block | Brace::Body(_));
    }

    fn close_brace(&mut self) {
        let kind = loop {
            match self.stack.pop() {
                Some(Open::Brace(kind)) => break kind,
                Some(_) => continue,
                None => break Brace::Unknown,
            }
        };
        self.close_sinks();
        if kind == Brace::Substitution {
            self.before_token();
            self.mode = Mode::Template { escaped: false };
            return;
        }
        self.token(Prev::Close(Open::Brace(kind)));
    }

    fn open_paren(&mut self) {
        let kind = match self.pending {
            Pending::Control => Paren::Control,
            Pending::Function(expression) => Paren::Params(expression),
            _ => Paren::Other,
        };
        if matches!(self.pending, Pending::Control | Pending::Function(_)) {
            self.pending = Pending::None;
        }
        let sink = match &self.prev {
            Prev::Word { name, object } => call_sink(name, object.as_deref(), object.is_some())
                .map(|kind| {
                    let shown = match object {
                        Some(object) => format!("{object}.{name}"),
                        None => name.clone(),
                    };
                    (kind, shown)
                }),
            _ => None,
        };
        self.stack.push(Open::Paren(kind));
        self.token(Prev::Punct('('));
        if let Some((kind, name)) = sink {
            self.open_sink(kind, name, false);
        }
    }

    fn close(&mut self, c: char) {
        let wanted = |open: &Open| match c {
            ')' => matches!(open, Open::Paren(_)),
            _ => *open == Open::Bracket,
        };
        let open = loop {
            match self.stack.pop() {
                Some(open) if wanted(&open) => break open,
                Some(_) => continue,
                None if c == ')' => break Open::Paren(Paren::Other),
                None => break Open::Bracket,
            }
        };
        self.close_sinks();
        if let Open::Paren(Paren::Params(expression)) = open {
            self.pending = Pending::Body(expression);
        }
        let depth = self.stack.len() + 1;
        let computed = self.computed.take_if(|c| c.depth == depth && c.tokens == 1);
        match computed.and_then(|c| c.key.map(|key| (key, c.object))) {
            Some((name, object)) if open == Open::Bracket => self.token(Prev::Word {
                name,
                object: Some(object.unwrap_or_default()),
            }),
            _ => self.token(Prev::Close(open)),
        }
    }

    /// Sinks whose argument was inside brackets closed since end.
    fn close_sinks(&mut self) {
        let depth = self.stack.len();
        self.sinks.retain(|s| s.depth <= depth);
    }

    fn comma(&mut self) {
        let depth = self.stack.len();
        self.sinks.retain(|s| !(s.assignment && s.depth >= depth));
        let next_argument = self
            .sinks
            .last()
            .is_some_and(|s| !s.assignment && s.depth == depth);
        self.token(Prev::Punct(','));
        self.arg_start = next_argument;
    }

    fn equals(&mut self, rest: &str) {
        if rest.starts_with('>') {
            self.skip = 1;
            self.token(Prev::Arrow);
        } else if rest.starts_with('=') {
            self.skip = if rest.starts_with("==") { 2 } else { 1 };
            self.token(Prev::Punct('='));
        } else {
            self.assignment();
        }
    }

    /// `=` or `+=`: the right-hand side of an assignment to a sink is the sink's argument.
    fn assignment(&mut self) {
        let sink = match &self.prev {
            Prev::Word { name, object } => property_sink(name, object.is_some()).map(|kind| {
                let shown = if object.is_some() {
                    format!(".{name}")
                } else {
                    name.clone()
                };
                (kind, shown)
            }),
            _ => None,
        };
        self.token(Prev::Punct('='));
        if let Some((kind, name)) = sink {
            self.open_sink(kind, name, true);
        }
    }

    fn open_sink(&mut self, kind: SinkKind, name: String, assignment: bool) {
        self.sinks.push(SinkScope {
            kind,
            name,
            depth: self.stack.len(),
            assignment,
        });
        self.arg_start = true;
    }
}
