//! The HTML side of classification: a tokenizer that follows the HTML standard's tokenizer states
//! wherever a value could go (text, tags and attributes, comments, and the content of
//! `<script>`, `<style>`, `<textarea>` and friends) and says where a placeholder stands. It is
//! used for the pixel itself and, with [`Inert`] scripts, for markup inside JavaScript strings.
//!
//! `<noscript>` is read both ways, since a pixel meets both: as markup (t.js parses main-window
//! pixels in a `<template>`, where scripting is off) and as raw text (the sandboxed document).
//!
//! For the pixel itself it also quotes unquoted attribute values that hold a placeholder, so that
//! an empty value cannot make the next attribute part of this one.

mod attribute;
mod raw;
mod states;

use super::position::{Context, HtmlPosition};
use super::refusal::{Blame, Refusal};
use attribute::{Attribute, Quoting};
use raw::{RawText, ScriptData};

/// The content of `<script>` elements, as the tokenizer hands it over.
pub(super) trait ScriptContent: Clone + PartialEq + std::fmt::Debug {
    /// A script element's content starts; `module` for `<script type=module>`.
    fn start(module: bool) -> Self;
    /// Take one character; `rest` is the literal text after it, for lookahead.
    fn push(&mut self, c: char, rest: &str);
    /// Where a placeholder at this point stands.
    fn place(&mut self, offset: usize, name: &str) -> Result<Context, Refusal>;
    /// A refusal found after the placeholder it concerns.
    fn take_late(&mut self) -> Option<Blame>;
}

/// Scripts inside markup that a script writes: no placeholder may stand in them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Inert;

impl ScriptContent for Inert {
    fn start(_: bool) -> Self {
        Inert
    }
    fn push(&mut self, _: char, _: &str) {}
    fn place(&mut self, _: usize, _: &str) -> Result<Context, Refusal> {
        Err(Refusal::InsideElement("script".into()))
    }
    fn take_late(&mut self) -> Option<Blame> {
        None
    }
}

/// The HTML tokenizer states, named as in the HTML standard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Data,
    TagOpen,
    EndTagOpen,
    MarkupDeclarationOpen,
    MarkupDeclarationDash,
    TagName,
    BeforeAttributeName,
    AttributeName,
    AfterAttributeName,
    BeforeAttributeValue,
    AttributeValue(Quoting),
    AfterAttributeValueQuoted,
    SelfClosingStartTag,
    BogusComment,
    CommentStart,
    CommentStartDash,
    Comment,
    CommentEndDash,
    CommentEnd,
    CommentEndBang,
    Script,
    RawText,
    PlainText,
}

/// What the text of an element whose content is not markup can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RawKind {
    /// `<style>`: CSS.
    Style,
    /// `<textarea>` and `<title>`: text with entities decoded.
    Text,
    /// `<xmp>`, `<iframe>`, `<noembed>`, `<noframes>`: no placeholders.
    Refused,
}

/// A classified part of a pixel template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Piece {
    Literal(String),
    Value(usize, Context),
}

enum Flow {
    Next,
    Reconsume,
}

#[derive(Debug, Clone, PartialEq)]
pub(super) struct Tokenizer<S: ScriptContent> {
    state: State,
    /// Build the output (the top-level pixel); markup inside a JS string only classifies.
    record: bool,
    /// Literal output since the last placeholder.
    out: String,
    pieces: Vec<Piece>,
    tag_name: String,
    end_tag: bool,
    attribute: Option<Attribute>,
    /// The current tag is `<script type=module>`.
    module: bool,
    script: Option<(ScriptData, S)>,
    raw: Option<(RawText, RawKind)>,
    css: Option<super::css::CssTracker>,
    /// `&` and reference characters just before, in text.
    reference: bool,
    /// The raw-text reading of an open `<noscript>`, and whether the markup reading was in text
    /// when its `</noscript` began.
    noscript: Option<(RawText, bool)>,
    /// A `</noscript>` ended the raw-text reading where the markup reading was not in text.
    diverged: bool,
    /// Inline `<svg>` or `<math>` was opened: the tree builder's foreign content rules apply,
    /// which this tokenizer does not follow, so no placeholder may come after it.
    foreign: bool,
}

impl<S: ScriptContent> Tokenizer<S> {
    /// `record`: keep the literal output and placeholders (the pixel itself).
    pub(super) fn new(record: bool) -> Self {
        Self {
            state: State::Data,
            record,
            out: String::new(),
            pieces: Vec::new(),
            tag_name: String::new(),
            end_tag: false,
            attribute: None,
            module: false,
            script: None,
            raw: None,
            css: None,
            reference: false,
            noscript: None,
            diverged: false,
            foreign: false,
        }
    }

    /// Take literal text. An error concerns a placeholder placed earlier.
    pub(super) fn feed(&mut self, text: &str) -> Result<(), Blame> {
        for (i, c) in text.char_indices() {
            let rest = &text[i + c.len_utf8()..];
            self.push(c, rest)?;
        }
        Ok(())
    }

    /// Take one literal character.
    pub(super) fn push(&mut self, c: char, rest: &str) -> Result<(), Blame> {
        self.noscript_step(c);
        loop {
            match self.step(c, rest)? {
                Flow::Next => break,
                Flow::Reconsume => continue,
            }
        }
        if self.record {
            let in_auto_quoted_value = self.state == State::AttributeValue(Quoting::Unquoted)
                && self.attribute.as_ref().is_some_and(|a| a.auto_quoted);
            if c == '"' && in_auto_quoted_value {
                self.out.push_str("&quot;");
            } else {
                self.out.push(c);
            }
        }
        Ok(())
    }

    /// The raw-text reading of `<noscript>` runs beside the markup reading.
    fn noscript_step(&mut self, c: char) {
        let in_text = self.state == State::Data;
        let Some((raw, began_in_text)) = self.noscript.as_mut() else {
            return;
        };
        if raw.pending.is_empty() {
            *began_in_text = in_text;
        }
        if raw.step(c).is_some() {
            if !*began_in_text {
                self.diverged = true;
            }
            self.noscript = None;
        }
    }

    pub(super) fn flush(&mut self) {
        if !self.out.is_empty() {
            self.pieces
                .push(Piece::Literal(std::mem::take(&mut self.out)));
        }
    }

    /// Record a placeholder at this point.
    pub(super) fn push_value(&mut self, index: usize, context: Context) {
        self.flush();
        self.pieces.push(Piece::Value(index, context));
    }

    /// The input ended here (a JavaScript string that held markup ended): a refusal found late.
    pub(super) fn end_of_input(&mut self) -> Option<Blame> {
        match self.state {
            State::AttributeValue(_) => self.attribute.as_mut().and_then(Attribute::finish),
            _ => None,
        }
    }

    /// The end of the pixel: the classified pieces, or a refusal found late.
    pub(super) fn finish(mut self) -> Result<Vec<Piece>, Blame> {
        if let State::AttributeValue(_) = self.state {
            if let Some(late) = self.attribute.as_mut().and_then(Attribute::finish) {
                return Err(late);
            }
        }
        if let Some(late) = self.script.as_mut().and_then(|(_, s)| s.take_late()) {
            return Err(late);
        }
        let in_auto_quoted_value = self.state == State::AttributeValue(Quoting::Unquoted)
            && self.attribute.as_ref().is_some_and(|a| a.auto_quoted);
        if in_auto_quoted_value {
            self.out.push('"');
        }
        self.flush();
        Ok(self.pieces)
    }

    /// Classify a placeholder at the current point.
    pub(super) fn place(&mut self, offset: usize, name: &str) -> Result<Context, Refusal> {
        use State::*;
        if self.foreign {
            return Err(Refusal::ForeignContent);
        }
        if self.diverged {
            return Err(Refusal::NoscriptDiverged);
        }
        if self
            .noscript
            .as_ref()
            .is_some_and(|(r, _)| !r.pending.is_empty())
        {
            return Err(Refusal::PartialMarkup("noscript".into()));
        }
        let html = |position| Ok(Context::Html(position));
        match self.state {
            Data if self.reference => Err(Refusal::CharacterReference),
            Data => html(HtmlPosition::Text),
            TagOpen
            | EndTagOpen
            | TagName
            | BeforeAttributeName
            | AttributeName
            | AfterAttributeName
            | AfterAttributeValueQuoted
            | SelfClosingStartTag => Err(Refusal::TagOrAttributeName),
            MarkupDeclarationOpen | MarkupDeclarationDash | BogusComment => {
                Err(Refusal::Declaration)
            }
            BeforeAttributeValue => {
                let start = self.out.len();
                self.start_value(Quoting::Unquoted, start);
                self.place_in_attribute(offset, name).map(Context::Html)
            }
            AttributeValue(_) => self.place_in_attribute(offset, name).map(Context::Html),
            CommentStart | CommentStartDash | Comment | CommentEndDash | CommentEnd
            | CommentEndBang => {
                // The value renders without '-', '!' or '>', so the comment goes on.
                self.state = Comment;
                html(HtmlPosition::Comment)
            }
            Script => match self.script.as_mut() {
                Some((data, _)) if !data.is_text() => Err(Refusal::PartialMarkup("script".into())),
                Some((_, script)) => script.place(offset, name),
                None => Err(Refusal::InsideElement("script".into())),
            },
            RawText => self.place_in_raw_text(),
            PlainText => Err(Refusal::InsideElement("plaintext".into())),
        }
    }

    fn place_in_raw_text(&mut self) -> Result<Context, Refusal> {
        let Some((raw, kind)) = self.raw.as_ref() else {
            return Err(Refusal::Declaration);
        };
        if !raw.pending.is_empty() {
            return Err(Refusal::PartialMarkup(raw.name.clone()));
        }
        match kind {
            RawKind::Style => {
                if let Some(css) = self.css.as_ref() {
                    css.place()?;
                }
                Ok(Context::Html(HtmlPosition::CssString { attr: None }))
            }
            RawKind::Text if self.reference => Err(Refusal::CharacterReference),
            RawKind::Text => Ok(Context::Html(HtmlPosition::Text)),
            RawKind::Refused => Err(Refusal::InsideElement(raw.name.clone())),
        }
    }

    fn place_in_attribute(&mut self, offset: usize, name: &str) -> Result<HtmlPosition, Refusal> {
        let record = self.record;
        let Some(attribute) = self.attribute.as_mut() else {
            return Err(Refusal::TagOrAttributeName);
        };
        let position = attribute.place(offset, name)?;
        if attribute.quoting == Quoting::Unquoted && !attribute.auto_quoted {
            if !record {
                return Err(Refusal::NestedUnquoted);
            }
            // Quote the value from its start: the output so far holds it whole, since no
            // placeholder came before in this value.
            let value = self.out.split_off(attribute.value_start);
            self.out.push('"');
            self.out.push_str(&value.replace('"', "&quot;"));
            attribute.auto_quoted = true;
        }
        Ok(position)
    }
}
