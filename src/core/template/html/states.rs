//! One step of the HTML tokenizer, state by state (HTML standard, 13.2.5), split by the part of
//! the document the state reads: text, tags, attribute values, comments and element content.

use super::super::css::CssTracker;
use super::attribute::{Attribute, Quoting};
use super::raw::{is_whitespace, RawText, ScriptData};
use super::{Blame, Flow, RawKind, ScriptContent, State, Tokenizer};

impl<S: ScriptContent> Tokenizer<S> {
    pub(super) fn step(&mut self, c: char, rest: &str) -> Result<Flow, Blame> {
        use State::*;
        Ok(match self.state {
            Data => {
                self.text_reference(c);
                if c == '<' {
                    self.state = TagOpen;
                }
                Flow::Next
            }
            TagOpen | EndTagOpen | MarkupDeclarationOpen | MarkupDeclarationDash => {
                self.tag_open(c)
            }
            TagName
            | BeforeAttributeName
            | AttributeName
            | AfterAttributeName
            | BeforeAttributeValue
            | AfterAttributeValueQuoted
            | SelfClosingStartTag => self.tag(c),
            AttributeValue(quoting) => self.attribute_value(quoting, c)?,
            BogusComment | CommentStart | CommentStartDash | Comment | CommentEndDash
            | CommentEnd | CommentEndBang => self.comment(c),
            Script => {
                self.script_step(c, rest)?;
                Flow::Next
            }
            RawText => {
                self.raw_step(c);
                Flow::Next
            }
            PlainText => Flow::Next,
        })
    }

    /// Whether `&` and name characters just came, so that a value could complete a reference.
    fn text_reference(&mut self, c: char) {
        self.reference = c == '&' || (self.reference && (c.is_ascii_alphanumeric() || c == '#'));
    }

    fn go(&mut self, state: State, reconsume: bool) -> Flow {
        self.state = state;
        if reconsume {
            Flow::Reconsume
        } else {
            Flow::Next
        }
    }

    fn tag_open(&mut self, c: char) -> Flow {
        use State::*;
        match (self.state, c) {
            (TagOpen, '!') => self.go(MarkupDeclarationOpen, false),
            (TagOpen, '?') => self.go(BogusComment, false),
            (TagOpen, '/') => self.go(EndTagOpen, false),
            (TagOpen | EndTagOpen, c) if c.is_ascii_alphabetic() => {
                self.tag_name.clear();
                self.end_tag = self.state == EndTagOpen;
                self.attribute = None;
                self.module = false;
                self.go(TagName, true)
            }
            (TagOpen, _) => self.go(Data, true),
            (EndTagOpen, '>') => self.go(Data, false),
            (EndTagOpen, _) => self.go(BogusComment, true),
            (MarkupDeclarationOpen, '-') => self.go(MarkupDeclarationDash, false),
            (MarkupDeclarationDash, '-') => self.go(CommentStart, false),
            // DOCTYPE and CDATA read as a bogus comment does for placeholders: up to '>'.
            _ => self.go(BogusComment, true),
        }
    }

    fn tag(&mut self, c: char) -> Flow {
        use State::*;
        match self.state {
            TagName => match c {
                c if is_whitespace(c) => self.go(BeforeAttributeName, false),
                '/' => self.go(SelfClosingStartTag, false),
                '>' => self.emit_tag(),
                c => {
                    self.tag_name.push(c.to_ascii_lowercase());
                    Flow::Next
                }
            },
            BeforeAttributeName => match c {
                c if is_whitespace(c) => Flow::Next,
                '/' | '>' => self.go(AfterAttributeName, true),
                c => {
                    self.attribute = Some(Attribute::new());
                    if c == '=' {
                        self.attribute_name_push('=');
                    }
                    self.go(AttributeName, c != '=')
                }
            },
            AttributeName => match c {
                c if is_whitespace(c) || c == '/' || c == '>' => self.go(AfterAttributeName, true),
                '=' => self.go(BeforeAttributeValue, false),
                c => {
                    self.attribute_name_push(c.to_ascii_lowercase());
                    Flow::Next
                }
            },
            AfterAttributeName => match c {
                c if is_whitespace(c) => Flow::Next,
                '/' => self.go(SelfClosingStartTag, false),
                '=' => self.go(BeforeAttributeValue, false),
                '>' => self.emit_tag(),
                _ => {
                    self.attribute = Some(Attribute::new());
                    self.go(AttributeName, true)
                }
            },
            BeforeAttributeValue => match c {
                c if is_whitespace(c) => Flow::Next,
                '"' => self.start_value(Quoting::Double, self.out.len() + 1),
                '\'' => self.start_value(Quoting::Single, self.out.len() + 1),
                '>' => self.emit_tag(),
                _ => {
                    self.start_value(Quoting::Unquoted, self.out.len());
                    Flow::Reconsume
                }
            },
            AfterAttributeValueQuoted => match c {
                c if is_whitespace(c) => self.go(BeforeAttributeName, false),
                '/' => self.go(SelfClosingStartTag, false),
                '>' => self.emit_tag(),
                _ => self.go(BeforeAttributeName, true),
            },
            _ => match c {
                '>' => self.emit_tag(),
                _ => self.go(BeforeAttributeName, true),
            },
        }
    }

    fn attribute_name_push(&mut self, c: char) {
        if let Some(attribute) = self.attribute.as_mut() {
            attribute.name.push(c);
        }
    }

    pub(super) fn start_value(&mut self, quoting: Quoting, value_start: usize) -> Flow {
        if let Some(attribute) = self.attribute.as_mut() {
            attribute.start_value(&self.tag_name, quoting, value_start);
        }
        self.go(State::AttributeValue(quoting), false)
    }

    fn attribute_value(&mut self, quoting: Quoting, c: char) -> Result<Flow, Blame> {
        let ends = match quoting {
            Quoting::Double => c == '"',
            Quoting::Single => c == '\'',
            Quoting::Unquoted => is_whitespace(c) || c == '>',
        };
        if !ends {
            if let Some(late) = self.attribute.as_mut().and_then(|a| a.push(c)) {
                return Err(late);
            }
            return Ok(Flow::Next);
        }
        if let Some(attribute) = self.attribute.as_mut() {
            if let Some(late) = attribute.finish() {
                return Err(late);
            }
            self.module |= attribute.is_module_type();
        }
        if quoting != Quoting::Unquoted {
            return Ok(self.go(State::AfterAttributeValueQuoted, false));
        }
        if self.record && self.attribute.as_ref().is_some_and(|a| a.auto_quoted) {
            self.out.push('"');
        }
        Ok(if c == '>' {
            self.emit_tag()
        } else {
            self.go(State::BeforeAttributeName, false)
        })
    }

    fn comment(&mut self, c: char) -> Flow {
        use State::*;
        match (self.state, c) {
            (BogusComment, '>') => self.go(Data, false),
            (BogusComment, _) => Flow::Next,
            (CommentStart, '-') => self.go(CommentStartDash, false),
            (CommentStartDash, '-') => self.go(CommentEnd, false),
            (CommentStart | CommentStartDash, '>') => self.go(Data, false),
            (CommentStart | CommentStartDash, _) => self.go(Comment, true),
            (Comment, '-') => self.go(CommentEndDash, false),
            (Comment, _) => Flow::Next,
            (CommentEndDash, '-') => self.go(CommentEnd, false),
            (CommentEndDash, _) => self.go(Comment, true),
            (CommentEnd | CommentEndBang, '>') => self.go(Data, false),
            (CommentEnd, '!') => self.go(CommentEndBang, false),
            (CommentEnd, '-') => Flow::Next,
            (CommentEndBang, '-') => self.go(CommentEndDash, false),
            _ => self.go(Comment, true),
        }
    }

    fn emit_tag(&mut self) -> Flow {
        self.state = State::Data;
        self.reference = false;
        self.attribute = None;
        if self.end_tag {
            return Flow::Next;
        }
        let raw_kind = match self.tag_name.as_str() {
            "script" => {
                self.script = Some((ScriptData::new(), S::start(self.module)));
                self.state = State::Script;
                None
            }
            "style" => {
                self.css = Some(CssTracker::new());
                Some(RawKind::Style)
            }
            "textarea" | "title" => Some(RawKind::Text),
            "xmp" | "iframe" | "noembed" | "noframes" => Some(RawKind::Refused),
            "noscript" => {
                if self.noscript.is_none() {
                    self.noscript = Some((RawText::new("noscript"), true));
                }
                None
            }
            "plaintext" => {
                self.state = State::PlainText;
                None
            }
            "svg" | "math" => {
                self.foreign = true;
                None
            }
            _ => None,
        };
        if let Some(kind) = raw_kind {
            self.raw = Some((RawText::new(&self.tag_name), kind));
            self.state = State::RawText;
        }
        Flow::Next
    }

    fn script_step(&mut self, c: char, rest: &str) -> Result<(), Blame> {
        let Some((data, script)) = self.script.as_mut() else {
            return Ok(());
        };
        match data.step(c) {
            Some(end) => {
                if let Some(late) = script.take_late() {
                    return Err(late);
                }
                self.script = None;
                self.end_raw_text("script", end);
            }
            None => {
                script.push(c, rest);
                if let Some(late) = script.take_late() {
                    return Err(late);
                }
            }
        }
        Ok(())
    }

    fn raw_step(&mut self, c: char) {
        let Some((raw, kind)) = self.raw.as_mut() else {
            return;
        };
        let kind = *kind;
        match raw.step(c) {
            Some(end) => {
                let name = raw.name.clone();
                self.raw = None;
                self.css = None;
                self.end_raw_text(&name, end);
            }
            None => match kind {
                RawKind::Style => {
                    if let Some(css) = self.css.as_mut() {
                        css.push(c);
                    }
                }
                RawKind::Text => self.text_reference(c),
                RawKind::Refused => {}
            },
        }
    }

    /// `</name` ended raw text with `end`: carry on in the end tag like the HTML tokenizer.
    fn end_raw_text(&mut self, name: &str, end: char) {
        self.tag_name = name.to_string();
        self.end_tag = true;
        self.attribute = None;
        self.reference = false;
        self.state = match end {
            '>' => State::Data,
            '/' => State::SelfClosingStartTag,
            _ => State::BeforeAttributeName,
        };
    }
}
