//! Finds where each placeholder of a pixel stands, with a small HTML tokenizer that follows the
//! HTML standard's tokenizer states wherever a value could go: text, tags and attributes,
//! comments, and the raw text of `<script>`, `<style>`, `<textarea>` and friends.
//!
//! Besides classifying, it quotes unquoted attribute values that hold a placeholder, so that an
//! empty value cannot make the next attribute part of this one.

use super::pixel::Context;
use super::placeholder::{parse_spans, Placeholder, Segment, TemplateError};
use super::refusal::Refusal;
use super::script::Script;
use super::url_position::UrlTracker;

/// A classified part of a pixel template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Piece {
    Literal(String),
    Value(Placeholder, Context),
}

/// Parse `source` and tag every placeholder with the context it stands in.
pub(super) fn classify(source: &str) -> Result<Vec<Piece>, TemplateError> {
    let mut tokenizer = Tokenizer::new();
    for (offset, segment) in parse_spans(source)? {
        match segment {
            Segment::Literal(text) => tokenizer.feed(&text)?,
            Segment::Placeholder(placeholder) => {
                let context = tokenizer
                    .place(offset, &placeholder.name)
                    .map_err(|refusal| refusal.error(offset, &placeholder.name))?;
                tokenizer.flush();
                tokenizer.pieces.push(Piece::Value(placeholder, context));
            }
        }
    }
    Ok(tokenizer.finish())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Quoting {
    Double,
    Single,
    Unquoted,
}

/// The HTML tokenizer states, named as in the HTML standard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Data,
    TagOpen,
    EndTagOpen,
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
    /// `<textarea>`, `<title>` (entities decoded) and `<noscript>` (inert where pixels run).
    Text,
    /// `<xmp>`, `<iframe>`, `<noembed>`, `<noframes>`: no placeholders.
    Refused,
}

/// The raw text of an element, until its end tag.
struct RawText {
    kind: RawKind,
    name: String,
    /// Partial end tag seen so far: `<`, `</`, `</na`...
    pending: String,
}

impl RawText {
    /// Take one character; returns the character that completed the end tag.
    fn step(&mut self, c: char) -> Option<char> {
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

struct Attribute {
    name: String,
    quoting: Quoting,
    /// Where the value starts in the pending literal output, to quote it if needed.
    value_start: usize,
    auto_quoted: bool,
    url: Option<UrlTracker>,
}

struct Tokenizer {
    state: State,
    /// Literal output since the last placeholder.
    out: String,
    pieces: Vec<Piece>,
    tag_name: String,
    end_tag: bool,
    attribute: Option<Attribute>,
    script: Option<Script>,
    raw: Option<RawText>,
    /// Inline `<svg>` or `<math>` was opened: the tree builder's foreign content rules apply,
    /// which this tokenizer does not follow, so no placeholder may come after it.
    foreign: bool,
}

enum Flow {
    Next,
    Reconsume,
    Skip(usize),
}

fn is_whitespace(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\u{c}' | '\r' | ' ')
}

const URL_ATTRIBUTES: [&str; 22] = [
    "action",
    "archive",
    "background",
    "cite",
    "classid",
    "codebase",
    "data",
    "dynsrc",
    "formaction",
    "href",
    "icon",
    "imagesrcset",
    "longdesc",
    "lowsrc",
    "manifest",
    "ping",
    "poster",
    "profile",
    "src",
    "srcset",
    "usemap",
    "xlink:href",
];

/// Attributes that choose code or a whole document to load into the page.
fn loads_code(tag: &str, attribute: &str) -> bool {
    matches!(
        (tag, attribute),
        ("script", "src")
            | ("link", "href")
            | ("object", "data" | "codebase" | "archive" | "classid")
            | ("embed", "src")
            | ("iframe" | "frame" | "portal", "src")
            | ("applet", "code" | "codebase" | "archive")
    )
}

impl Tokenizer {
    fn new() -> Self {
        Self {
            state: State::Data,
            out: String::new(),
            pieces: Vec::new(),
            tag_name: String::new(),
            end_tag: false,
            attribute: None,
            script: None,
            raw: None,
            foreign: false,
        }
    }

    fn feed(&mut self, text: &str) -> Result<(), TemplateError> {
        let mut skip = 0;
        for (i, c) in text.char_indices() {
            if skip > 0 {
                skip -= 1;
                self.out.push(c);
                continue;
            }
            let rest = &text[i + c.len_utf8()..];
            loop {
                match self.step(c, rest)? {
                    Flow::Next => break,
                    Flow::Reconsume => continue,
                    Flow::Skip(n) => {
                        skip = n;
                        break;
                    }
                }
            }
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

    fn flush(&mut self) {
        if !self.out.is_empty() {
            self.pieces
                .push(Piece::Literal(std::mem::take(&mut self.out)));
        }
    }

    fn finish(mut self) -> Vec<Piece> {
        let in_auto_quoted_value = self.state == State::AttributeValue(Quoting::Unquoted)
            && self.attribute.as_ref().is_some_and(|a| a.auto_quoted);
        if in_auto_quoted_value {
            self.out.push('"');
        }
        self.flush();
        self.pieces
    }

    fn step(&mut self, c: char, rest: &str) -> Result<Flow, TemplateError> {
        use State::*;
        let mut flow = Flow::Next;
        match self.state {
            Data => {
                if c == '<' {
                    self.state = TagOpen;
                }
            }
            TagOpen => match c {
                '!' if rest.starts_with("--") => {
                    self.state = CommentStart;
                    flow = Flow::Skip(2);
                }
                '!' | '?' => self.state = BogusComment,
                '/' => self.state = EndTagOpen,
                c if c.is_ascii_alphabetic() => flow = self.start_tag(false),
                _ => flow = self.go(Data, true),
            },
            EndTagOpen => match c {
                c if c.is_ascii_alphabetic() => flow = self.start_tag(true),
                '>' => self.state = Data,
                _ => flow = self.go(BogusComment, true),
            },
            TagName => match c {
                c if is_whitespace(c) => self.state = BeforeAttributeName,
                '/' => self.state = SelfClosingStartTag,
                '>' => self.emit_tag(),
                c => self.tag_name.push(c.to_ascii_lowercase()),
            },
            BeforeAttributeName => match c {
                c if is_whitespace(c) => {}
                '/' | '>' => flow = self.go(AfterAttributeName, true),
                c => {
                    self.start_attribute();
                    flow = self.go(AttributeName, c != '=');
                    if c == '=' {
                        self.attribute_name_push('=');
                    }
                }
            },
            AttributeName => match c {
                c if is_whitespace(c) || c == '/' || c == '>' => {
                    flow = self.go(AfterAttributeName, true)
                }
                '=' => self.state = BeforeAttributeValue,
                c => self.attribute_name_push(c.to_ascii_lowercase()),
            },
            AfterAttributeName => match c {
                c if is_whitespace(c) => {}
                '/' => self.state = SelfClosingStartTag,
                '=' => self.state = BeforeAttributeValue,
                '>' => self.emit_tag(),
                _ => {
                    self.start_attribute();
                    flow = self.go(AttributeName, true);
                }
            },
            BeforeAttributeValue => match c {
                c if is_whitespace(c) => {}
                '"' => self.start_value(Quoting::Double),
                '\'' => self.start_value(Quoting::Single),
                '>' => self.emit_tag(),
                _ => {
                    self.start_value(Quoting::Unquoted);
                    flow = Flow::Reconsume;
                }
            },
            AttributeValue(quoting) => match (quoting, c) {
                (Quoting::Double, '"') | (Quoting::Single, '\'') => {
                    self.state = AfterAttributeValueQuoted
                }
                (Quoting::Unquoted, c) if is_whitespace(c) || c == '>' => {
                    if self.attribute.as_ref().is_some_and(|a| a.auto_quoted) {
                        self.out.push('"');
                    }
                    if c == '>' {
                        self.emit_tag();
                    } else {
                        self.state = BeforeAttributeName;
                    }
                }
                (_, c) => {
                    if let Some(url) = self.attribute.as_mut().and_then(|a| a.url.as_mut()) {
                        url.push(c)?;
                    }
                }
            },
            AfterAttributeValueQuoted => match c {
                c if is_whitespace(c) => self.state = BeforeAttributeName,
                '/' => self.state = SelfClosingStartTag,
                '>' => self.emit_tag(),
                _ => flow = self.go(BeforeAttributeName, true),
            },
            SelfClosingStartTag => match c {
                '>' => self.emit_tag(),
                _ => flow = self.go(BeforeAttributeName, true),
            },
            BogusComment => {
                if c == '>' {
                    self.state = Data;
                }
            }
            CommentStart | CommentStartDash => match c {
                '-' if self.state == CommentStart => self.state = CommentStartDash,
                '-' => self.state = CommentEnd,
                '>' => self.state = Data,
                _ => flow = self.go(Comment, true),
            },
            Comment => {
                if c == '-' {
                    self.state = CommentEndDash;
                }
            }
            CommentEndDash => match c {
                '-' => self.state = CommentEnd,
                _ => flow = self.go(Comment, true),
            },
            CommentEnd | CommentEndBang => match c {
                '>' => self.state = Data,
                '!' if self.state == CommentEnd => self.state = CommentEndBang,
                '-' if self.state == CommentEnd => {}
                '-' => self.state = CommentEndDash,
                _ => flow = self.go(Comment, true),
            },
            Script => {
                let ended = self.script.as_mut().and_then(|s| s.step(c, rest));
                if let Some(end) = ended {
                    self.script = None;
                    self.end_raw_text("script", end);
                }
            }
            RawText => {
                let ended = self.raw.as_mut().and_then(|r| r.step(c));
                if let Some(end) = ended {
                    let name = self.raw.take().map(|r| r.name).unwrap_or_default();
                    self.end_raw_text(&name, end);
                }
            }
            PlainText => {}
        }
        Ok(flow)
    }

    fn go(&mut self, state: State, reconsume: bool) -> Flow {
        self.state = state;
        if reconsume {
            Flow::Reconsume
        } else {
            Flow::Next
        }
    }

    fn start_tag(&mut self, end: bool) -> Flow {
        self.tag_name.clear();
        self.end_tag = end;
        self.attribute = None;
        self.go(State::TagName, true)
    }

    fn start_attribute(&mut self) {
        self.attribute = Some(Attribute {
            name: String::new(),
            quoting: Quoting::Double,
            value_start: 0,
            auto_quoted: false,
            url: None,
        });
    }

    fn attribute_name_push(&mut self, c: char) {
        if let Some(attribute) = self.attribute.as_mut() {
            attribute.name.push(c);
        }
    }

    fn start_value(&mut self, quoting: Quoting) {
        let tag = self.tag_name.as_str();
        let value_start = self.out.len();
        if let Some(attribute) = self.attribute.as_mut() {
            attribute.quoting = quoting;
            attribute.value_start = value_start;
            if URL_ATTRIBUTES.contains(&attribute.name.as_str()) {
                attribute.url = Some(UrlTracker::new(loads_code(tag, &attribute.name)));
            }
        }
        self.state = State::AttributeValue(quoting);
    }

    fn emit_tag(&mut self) {
        self.state = State::Data;
        self.attribute = None;
        if self.end_tag {
            return;
        }
        let raw_kind = match self.tag_name.as_str() {
            "script" => {
                self.script = Some(Script::new());
                self.state = State::Script;
                None
            }
            "style" => Some(RawKind::Style),
            "textarea" | "title" | "noscript" => Some(RawKind::Text),
            "xmp" | "iframe" | "noembed" | "noframes" => Some(RawKind::Refused),
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
            self.raw = Some(RawText {
                kind,
                name: self.tag_name.clone(),
                pending: String::new(),
            });
            self.state = State::RawText;
        }
    }

    /// `</name` ended raw text with `end`: carry on in the end tag like the HTML tokenizer.
    fn end_raw_text(&mut self, name: &str, end: char) {
        self.tag_name = name.to_string();
        self.end_tag = true;
        self.attribute = None;
        self.state = match end {
            '>' => State::Data,
            '/' => State::SelfClosingStartTag,
            _ => State::BeforeAttributeName,
        };
    }

    /// Classify a placeholder at the current point.
    fn place(&mut self, offset: usize, name: &str) -> Result<Context, Refusal> {
        use State::*;
        if self.foreign {
            return Err(Refusal::ForeignContent);
        }
        match self.state {
            Data => Ok(Context::HtmlText),
            TagOpen
            | EndTagOpen
            | TagName
            | BeforeAttributeName
            | AttributeName
            | AfterAttributeName
            | AfterAttributeValueQuoted
            | SelfClosingStartTag => Err(Refusal::TagOrAttributeName),
            BeforeAttributeValue => {
                self.start_value(Quoting::Unquoted);
                self.place_in_attribute(offset, name)
            }
            AttributeValue(_) => self.place_in_attribute(offset, name),
            BogusComment => Err(Refusal::Declaration),
            CommentStart | CommentStartDash | Comment | CommentEndDash | CommentEnd
            | CommentEndBang => {
                // The value renders as text without '-', '!' or '>', so the comment goes on.
                self.state = Comment;
                Ok(Context::HtmlComment)
            }
            Script => match self.script.as_mut() {
                Some(script) => script.place(),
                None => Err(Refusal::InsideElement("script".into())),
            },
            RawText => match self.raw.as_ref() {
                Some(raw) if !raw.pending.is_empty() => {
                    Err(Refusal::PartialMarkup(raw.name.clone()))
                }
                Some(raw) if raw.kind == RawKind::Style => Ok(Context::Style),
                Some(raw) if raw.kind == RawKind::Text => Ok(Context::HtmlText),
                Some(raw) => Err(Refusal::InsideElement(raw.name.clone())),
                None => Err(Refusal::Declaration),
            },
            PlainText => Err(Refusal::InsideElement("plaintext".into())),
        }
    }

    fn place_in_attribute(&mut self, offset: usize, name: &str) -> Result<Context, Refusal> {
        let tag = self.tag_name.clone();
        let Some(attribute) = self.attribute.as_mut() else {
            return Err(Refusal::TagOrAttributeName);
        };
        if matches!(tag.as_str(), "meta" | "base") {
            return Err(Refusal::MetaOrBase(tag));
        }
        if attribute.name.starts_with("on") {
            return Err(Refusal::EventHandler(attribute.name.clone()));
        }
        if attribute.name == "srcdoc" {
            return Err(Refusal::SrcDoc);
        }
        if matches!(attribute.name.as_str(), "id" | "name") {
            return Err(Refusal::NamesElement(attribute.name.clone()));
        }
        let quoted = attribute.quoting != Quoting::Unquoted;
        if !quoted && !attribute.auto_quoted {
            // Quote the value from its start: the output so far holds it whole, since no
            // placeholder came before in this value.
            let value = self.out.split_off(attribute.value_start);
            self.out.push('"');
            self.out.push_str(&value.replace('"', "&quot;"));
            attribute.auto_quoted = true;
        }
        if attribute.name == "style" {
            return Ok(Context::StyleAttr { quoted });
        }
        if let Some(url) = attribute.url.as_mut() {
            let part = url.place(offset, name)?;
            return Ok(Context::UrlAttr { quoted, part });
        }
        Ok(if quoted {
            Context::QuotedAttr
        } else {
            Context::UnquotedAttr
        })
    }
}
