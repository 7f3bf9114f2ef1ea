//! Pixel templates: partner HTML/JS with `{{NAME}}` placeholders, parsed once when the pixel is
//! saved, each placeholder tagged with where it stands so that rendering escapes its value for
//! exactly that place. Values come from events anyone can send, so this is what keeps a
//! main-window pixel from being an XSS hole on the merchant's site.

use super::context::{classify, Piece};
use super::escape;
use super::placeholder::{Placeholder, TemplateError};

/// The quote that delimits a JavaScript string literal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsQuote {
    Single,
    Double,
    Backtick,
}

impl JsQuote {
    pub fn as_char(self) -> char {
        match self {
            JsQuote::Single => '\'',
            JsQuote::Double => '"',
            JsQuote::Backtick => '`',
        }
    }
}

/// Where in a URL attribute a placeholder stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UrlPart {
    /// At the very start: the value is a whole URL and chooses its scheme.
    Start,
    /// After the scheme (host, path, query or fragment): the value is one component.
    AfterScheme,
}

/// Where a placeholder stands in the pixel's HTML, which decides how its value is escaped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// Text between tags, or in `<textarea>`/`<title>`.
    HtmlText,
    /// A plain attribute value in `"..."` or `'...'`.
    QuotedAttr,
    /// A plain attribute value without quotes (the stored template quotes it).
    UnquotedAttr,
    /// A URL attribute: `src`, `href`, `action`, `srcset`...
    UrlAttr { quoted: bool, part: UrlPart },
    /// A `style` attribute.
    StyleAttr { quoted: bool },
    /// A string literal inside `<script>`.
    ScriptString(JsQuote),
    /// Inside `<script>`, outside any string literal.
    ScriptCode,
    /// Inside `<style>`.
    Style,
    /// Inside an HTML comment.
    HtmlComment,
}

impl Context {
    /// A stable snake_case name, for previews and logs.
    pub fn name(self) -> &'static str {
        match self {
            Context::HtmlText => "html_text",
            Context::QuotedAttr => "quoted_attribute",
            Context::UnquotedAttr => "unquoted_attribute",
            Context::UrlAttr {
                part: UrlPart::Start,
                ..
            } => "url_start",
            Context::UrlAttr { .. } => "url_component",
            Context::StyleAttr { .. } => "style_attribute",
            Context::ScriptString(JsQuote::Single) => "script_single_quoted_string",
            Context::ScriptString(JsQuote::Double) => "script_double_quoted_string",
            Context::ScriptString(JsQuote::Backtick) => "script_template_literal",
            Context::ScriptCode => "script_code",
            Context::Style => "style",
            Context::HtmlComment => "html_comment",
        }
    }

    /// Append `value`, escaped for this context, to `out`.
    pub fn escape_into(self, out: &mut String, value: &str) {
        match self {
            Context::HtmlText | Context::QuotedAttr => escape::html_text(out, value),
            Context::UnquotedAttr => escape::unquoted_attr(out, value),
            Context::UrlAttr { quoted, part } => {
                let mut url = String::with_capacity(value.len() + 8);
                match part {
                    UrlPart::Start => escape::url_start(&mut url, value),
                    UrlPart::AfterScheme => escape::url_component(&mut url, value),
                }
                escape::attr(out, &url, quoted);
            }
            Context::StyleAttr { quoted } => {
                let mut css = String::with_capacity(value.len() + 8);
                escape::css(&mut css, value);
                escape::attr(out, &css, quoted);
            }
            Context::ScriptString(quote) => {
                escape::js_string(out, value, quote == JsQuote::Backtick)
            }
            Context::ScriptCode => escape::json_literal(out, value),
            Context::Style => escape::css(out, value),
            Context::HtmlComment => escape::html_comment(out, value),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Literal(String),
    Value {
        placeholder: Placeholder,
        context: Context,
    },
}

/// A pixel's HTML, parsed and classified. Build it with [`PixelTemplate::parse`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PixelTemplate {
    parts: Vec<Part>,
    literal_len: usize,
}

/// A rendered pixel: its HTML, and the names that had no value (unique, in order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub html: String,
    pub unresolved: Vec<String>,
}

/// Room reserved per placeholder when rendering, so typical values need no reallocation.
const VALUE_ROOM: usize = 48;

impl PixelTemplate {
    /// Parse pixel HTML. Refused with a message for the marketer: a malformed placeholder, or
    /// one that stands where no escaping can make a value safe (a tag or attribute name, an
    /// event-handler attribute, a JavaScript comment, ...).
    pub fn parse(html: &str) -> Result<Self, TemplateError> {
        let parts: Vec<Part> = classify(html)?
            .into_iter()
            .map(|piece| match piece {
                Piece::Literal(text) => Part::Literal(text),
                Piece::Value(placeholder, context) => Part::Value {
                    placeholder,
                    context,
                },
            })
            .collect();
        let literal_len = parts
            .iter()
            .map(|part| match part {
                Part::Literal(text) => text.len(),
                Part::Value { .. } => VALUE_ROOM,
            })
            .sum();
        Ok(Self { parts, literal_len })
    }

    /// Names of every placeholder, in order of appearance.
    pub fn placeholder_names(&self) -> impl Iterator<Item = &str> {
        self.placeholders().map(|(p, _)| p.name.as_str())
    }

    /// Every placeholder with the context it stands in, in order of appearance.
    pub fn placeholders(&self) -> impl Iterator<Item = (&Placeholder, Context)> {
        self.parts.iter().filter_map(|part| match part {
            Part::Value {
                placeholder,
                context,
            } => Some((placeholder, *context)),
            Part::Literal(_) => None,
        })
    }

    /// Substitute values, applying each placeholder's filters and then the escaping of its
    /// context. `lookup` returns `None` for a name with no value; such a name renders as empty
    /// (or its `default:`) and is listed in `unresolved`.
    pub fn render(&self, lookup: impl Fn(&str) -> Option<String>) -> Rendered {
        let mut html = String::with_capacity(self.literal_len);
        let mut unresolved: Vec<String> = Vec::new();
        for part in &self.parts {
            match part {
                Part::Literal(text) => html.push_str(text),
                Part::Value {
                    placeholder,
                    context,
                } => {
                    let raw = lookup(&placeholder.name);
                    if raw.as_deref().is_none_or(str::is_empty)
                        && !unresolved.contains(&placeholder.name)
                    {
                        unresolved.push(placeholder.name.clone());
                    }
                    context.escape_into(&mut html, &placeholder.apply_filters(raw));
                }
            }
        }
        Rendered { html, unresolved }
    }
}
