//! Templates with `{{NAME}}` placeholders: the grammar shared by postback params, headers and
//! pixel HTML. [`TextTemplate`] renders raw values for the caller to escape; [`PixelTemplate`]
//! knows where each placeholder stands in HTML and escapes its value for that place.
//!
//! The pixel engine, leaf first: `position` (the allowlist of positions), `escape` (one escaper
//! per position), `entities`, `url` and `css` (readers of attribute values and styles), `html`
//! (the HTML tokenizer), `script` (the JavaScript lexer and its sinks), `pixel` (parse and
//! render). `refusal` says why a position is refused.

mod css;
mod entities;
mod escape;
mod html;
mod pixel;
mod placeholder;
mod position;
mod refusal;
mod script;
mod url;

#[cfg(test)]
mod tests;

pub use pixel::{PixelTemplate, Placement, Rendered};
pub use placeholder::{
    hex_sha256, parse_segments, parse_spans, Filter, Placeholder, Segment, TemplateError,
};
pub use position::{Context, HtmlPosition, Inner, JsQuote, PositionKind, UrlPart};

/// A parsed plain-text template (a postback param value, a header value or a URL).
/// Rendering yields raw values; the caller escapes them for where they go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextTemplate {
    segments: Vec<Segment>,
}

impl TextTemplate {
    pub fn parse(source: &str) -> Result<Self, TemplateError> {
        Ok(Self {
            segments: parse_segments(source)?,
        })
    }

    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// Names of every placeholder, in order of appearance.
    pub fn placeholder_names(&self) -> impl Iterator<Item = &str> {
        self.segments.iter().filter_map(|s| match s {
            Segment::Placeholder(p) => Some(p.name.as_str()),
            Segment::Literal(_) => None,
        })
    }

    /// Substitute values. `lookup` returns `None` for a name with no value; such a name renders
    /// as empty (or its `default:`) and is reported in the second tuple element.
    pub fn render(&self, lookup: impl Fn(&str) -> Option<String>) -> (String, Vec<String>) {
        let mut out = String::new();
        let mut unresolved = Vec::new();
        for segment in &self.segments {
            match segment {
                Segment::Literal(text) => out.push_str(text),
                Segment::Placeholder(p) => {
                    let raw = lookup(&p.name);
                    if raw.as_deref().is_none_or(str::is_empty) && !unresolved.contains(&p.name) {
                        unresolved.push(p.name.clone());
                    }
                    out.push_str(&p.apply_filters(raw));
                }
            }
        }
        (out, unresolved)
    }
}
