//! Where the content of an element that is not markup ends: raw text and RCDATA end at their end
//! tag, and `<script>` follows the HTML tokenizer's script data states, including the `<!--`
//! escaped and double-escaped states in which `</script>` does or does not end the element.

/// The raw text of an element, until its end tag (`</name` then whitespace, `/` or `>`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct RawText {
    pub name: String,
    /// Partial end tag seen so far: `<`, `</`, `</na`...
    pub pending: String,
}

impl RawText {
    pub(super) fn new(name: &str) -> Self {
        Self {
            name: name.to_string(),
            pending: String::new(),
        }
    }

    /// Take one character; returns the character that completed the end tag.
    pub(super) fn step(&mut self, c: char) -> Option<char> {
        if self.pending.is_empty() {
            if c == '<' {
                self.pending.push(c);
            }
            return None;
        }
        if self.pending == "<" {
            self.pending.clear();
            if c == '/' {
                self.pending.push_str("</");
            } else {
                return self.step(c);
            }
        } else if c.is_ascii_alphabetic() {
            self.pending.push(c.to_ascii_lowercase());
        } else if (is_whitespace(c) || c == '/' || c == '>') && self.pending[2..] == self.name {
            self.pending.clear();
            return Some(c);
        } else {
            self.pending.clear();
            return self.step(c);
        }
        None
    }
}

pub(super) fn is_whitespace(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\u{c}' | '\r' | ' ')
}

/// The HTML tokenizer's script data states, named as in the HTML standard (13.2.5.4 onwards).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
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

/// Where the `<script>` element ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ScriptData {
    state: State,
    /// The tag name being matched by the end-tag and double-escape states.
    tag_name: String,
}

impl ScriptData {
    pub(super) fn new() -> Self {
        Self {
            state: State::Data,
            tag_name: String::new(),
        }
    }

    /// Whether a value placed here is script text: not in a partial `<`, `</` or `<!-`.
    pub(super) fn is_text(&self) -> bool {
        matches!(
            self.state,
            State::Data | State::Escaped | State::DoubleEscaped
        )
    }

    /// Take one character. Returns the character that completed `</script` (whitespace, `/` or
    /// `>`) when the element ends there.
    pub(super) fn step(&mut self, c: char) -> Option<char> {
        loop {
            match self.next(c) {
                Step::Done => return None,
                Step::Reconsume => {}
                Step::End => return Some(c),
            }
        }
    }

    fn next(&mut self, c: char) -> Step {
        use State::*;
        match self.state {
            Data if c == '<' => self.go(LessThan),
            Data => Step::Done,
            LessThan => match c {
                '/' => self.start_name(EndTagOpen),
                '!' => self.go(EscapeStart),
                _ => self.again(Data),
            },
            EndTagOpen | EscapedEndTagOpen if c.is_ascii_alphabetic() => {
                let name = if self.state == EndTagOpen {
                    EndTagName
                } else {
                    EscapedEndTagName
                };
                self.again(name)
            }
            EndTagOpen => self.again(Data),
            EscapedEndTagOpen => self.again(Escaped),
            EndTagName | EscapedEndTagName => {
                if (is_whitespace(c) || c == '/' || c == '>') && self.tag_name == "script" {
                    return Step::End;
                }
                if c.is_ascii_alphabetic() {
                    self.tag_name.push(c.to_ascii_lowercase());
                    Step::Done
                } else if self.state == EndTagName {
                    self.again(Data)
                } else {
                    self.again(Escaped)
                }
            }
            EscapeStart if c == '-' => self.go(EscapeStartDash),
            EscapeStartDash if c == '-' => self.go(EscapedDashDash),
            EscapeStart | EscapeStartDash => self.again(Data),
            Escaped | EscapedDash | EscapedDashDash => match c {
                '-' if self.state == Escaped => self.go(EscapedDash),
                '-' => self.go(EscapedDashDash),
                '<' => self.go(EscapedLessThan),
                '>' if self.state == EscapedDashDash => self.go(Data),
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
            DoubleEscapeStart | DoubleEscapeEnd => self.double_escape_boundary(c),
            DoubleEscaped | DoubleEscapedDash | DoubleEscapedDashDash => match c {
                '-' if self.state == DoubleEscaped => self.go(DoubleEscapedDash),
                '-' => self.go(DoubleEscapedDashDash),
                '<' => self.go(DoubleEscapedLessThan),
                '>' if self.state == DoubleEscapedDashDash => self.go(Data),
                _ => self.go(DoubleEscaped),
            },
            DoubleEscapedLessThan if c == '/' => self.start_name(DoubleEscapeEnd),
            DoubleEscapedLessThan => self.again(DoubleEscaped),
        }
    }

    /// `<script` opens, and `</script` closes, the double-escaped state.
    fn double_escape_boundary(&mut self, c: char) -> Step {
        let (matched, unmatched) = if self.state == State::DoubleEscapeStart {
            (State::DoubleEscaped, State::Escaped)
        } else {
            (State::Escaped, State::DoubleEscaped)
        };
        if is_whitespace(c) || c == '/' || c == '>' {
            let next = if self.tag_name == "script" {
                matched
            } else {
                unmatched
            };
            self.go(next)
        } else if c.is_ascii_alphabetic() {
            self.tag_name.push(c.to_ascii_lowercase());
            Step::Done
        } else {
            self.again(unmatched)
        }
    }

    fn go(&mut self, state: State) -> Step {
        self.state = state;
        Step::Done
    }

    fn again(&mut self, state: State) -> Step {
        self.state = state;
        Step::Reconsume
    }

    fn start_name(&mut self, state: State) -> Step {
        self.tag_name.clear();
        self.go(state)
    }
}

enum Step {
    Done,
    Reconsume,
    End,
}
