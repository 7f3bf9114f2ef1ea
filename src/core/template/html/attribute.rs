//! Attribute values: which attributes a placeholder may fill (an allowlist of inert attributes,
//! URL attributes and `style`), and the decoded value each one is read from, since entities in
//! an attribute are decoded before the browser reads it as a URL or as CSS.

use super::super::css::CssTracker;
use super::super::entities::AttrDecoder;
use super::super::position::HtmlPosition;
use super::super::refusal::{Blame, Refusal};
use super::super::url::UrlTracker;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Quoting {
    Double,
    Single,
    Unquoted,
}

/// Attributes whose value no browser interprets: a value there is only ever text.
const INERT: [&str; 20] = [
    "alt",
    "title",
    "class",
    "value",
    "label",
    "placeholder",
    "width",
    "height",
    "border",
    "hspace",
    "vspace",
    "align",
    "valign",
    "frameborder",
    "scrolling",
    "marginwidth",
    "marginheight",
    "lang",
    "dir",
    "summary",
];

/// URL attributes that only navigate or fetch an image or media: path, query and fragment are
/// positions.
const PLAIN_URLS: [(&str, &str); 17] = [
    ("a", "href"),
    ("area", "href"),
    ("img", "src"),
    ("input", "src"),
    ("video", "src"),
    ("video", "poster"),
    ("audio", "src"),
    ("source", "src"),
    ("track", "src"),
    ("form", "action"),
    ("button", "formaction"),
    ("input", "formaction"),
    ("blockquote", "cite"),
    ("q", "cite"),
    ("del", "cite"),
    ("ins", "cite"),
    ("body", "background"),
];

/// Attribute names that hold one URL. On any element not listed in [`PLAIN_URLS`] they may load
/// code or a document (`<script src>`, `<link href>`, `<iframe src>`, `<object data>`,
/// `<embed src>`, custom elements...), so only their query is a position.
const URL_NAMES: [&str; 9] = [
    "src",
    "href",
    "action",
    "formaction",
    "poster",
    "data",
    "background",
    "cite",
    "codebase",
];

/// How one attribute's value is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Kind {
    Inert,
    Url(UrlTracker),
    Style(CssTracker),
    /// No placeholder may stand in it.
    Refused(Refusal),
    /// `<script type>`, whose decoded value says whether the script is a module.
    ScriptType(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Attribute {
    pub name: String,
    pub quoting: Quoting,
    /// Where the value starts in the pending literal output, to quote it if needed.
    pub value_start: usize,
    pub auto_quoted: bool,
    pub decoder: AttrDecoder,
    pub kind: Kind,
}

impl Attribute {
    pub(super) fn new() -> Self {
        Self {
            name: String::new(),
            quoting: Quoting::Double,
            value_start: 0,
            auto_quoted: false,
            decoder: AttrDecoder::default(),
            kind: Kind::Inert,
        }
    }

    /// The value starts: decide how it is read from the tag and attribute names.
    pub(super) fn start_value(&mut self, tag: &str, quoting: Quoting, value_start: usize) {
        self.quoting = quoting;
        self.value_start = value_start;
        self.kind = kind(tag, &self.name);
    }

    /// Take one raw character of the value.
    pub(super) fn push(&mut self, c: char) -> Option<Blame> {
        // Most characters are no part of a reference: they pass as they are.
        if c != '&' && !self.decoder.is_pending() {
            return self.take(&[c]);
        }
        let mut decoded = Vec::new();
        self.decoder.push(c, &mut decoded);
        self.take(&decoded)
    }

    /// The value ended.
    pub(super) fn finish(&mut self) -> Option<Blame> {
        let mut decoded = Vec::new();
        self.decoder.finish(&mut decoded);
        let late = self.take(&decoded);
        match &mut self.kind {
            Kind::Url(url) => late.or_else(|| url.finish()),
            _ => late,
        }
    }

    fn take(&mut self, decoded: &[char]) -> Option<Blame> {
        for &c in decoded {
            match &mut self.kind {
                Kind::Url(url) => {
                    url.push(c);
                    if let Some(late) = url.take_late() {
                        return Some(late);
                    }
                }
                Kind::Style(css) => css.push(c),
                Kind::ScriptType(value) => value.push(c),
                Kind::Inert | Kind::Refused(_) => {}
            }
        }
        None
    }

    /// `type=module`: the script is a module, where HTML-like comments are not comments.
    pub(super) fn is_module_type(&self) -> bool {
        matches!(&self.kind, Kind::ScriptType(v) if v.trim().eq_ignore_ascii_case("module"))
    }

    /// Where a placeholder in this value stands (quoting already settled by the caller).
    pub(super) fn place(&mut self, offset: usize, name: &str) -> Result<HtmlPosition, Refusal> {
        if self.decoder.is_pending() {
            return Err(Refusal::CharacterReference);
        }
        let quoted = self.quoting != Quoting::Unquoted;
        match &mut self.kind {
            Kind::Inert => Ok(HtmlPosition::Attr { quoted }),
            Kind::Url(url) => {
                let part = url.place(offset, name)?;
                Ok(HtmlPosition::Url { quoted, part })
            }
            Kind::Style(css) => {
                css.place()?;
                Ok(HtmlPosition::CssString { attr: Some(quoted) })
            }
            Kind::Refused(refusal) => Err(refusal.clone()),
            Kind::ScriptType(_) => Err(Refusal::AttributeNotInert(self.name.clone())),
        }
    }
}

fn kind(tag: &str, attribute: &str) -> Kind {
    if matches!(tag, "meta" | "base") {
        return Kind::Refused(Refusal::MetaOrBase(tag.into()));
    }
    if tag == "script" && attribute == "type" {
        return Kind::ScriptType(String::new());
    }
    if attribute.starts_with("on") {
        return Kind::Refused(Refusal::EventHandler(attribute.into()));
    }
    if matches!(attribute, "id" | "name") {
        return Kind::Refused(Refusal::NamesElement(attribute.into()));
    }
    if attribute == "style" {
        return Kind::Style(CssTracker::new());
    }
    if PLAIN_URLS.contains(&(tag, attribute)) {
        return Kind::Url(UrlTracker::new(None));
    }
    if URL_NAMES.contains(&attribute) {
        return Kind::Url(UrlTracker::new(Some(format!("<{tag} {attribute}>"))));
    }
    let inert = INERT.contains(&attribute)
        || (attribute.starts_with("data-") && attribute.len() > 5)
        || (attribute.starts_with("aria-") && attribute.len() > 5);
    if inert {
        Kind::Inert
    } else {
        Kind::Refused(Refusal::AttributeNotInert(attribute.into()))
    }
}
