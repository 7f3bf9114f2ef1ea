//! Pixel templates: partner HTML/JS with `{{NAME}}` placeholders, parsed once when the pixel is
//! saved, each placeholder tagged with the position it stands in (the allowlist of
//! `position.rs`) so that rendering escapes its value for exactly that place. Values come from
//! events anyone can send, so this is what keeps a main-window pixel from being an XSS hole on
//! the merchant's site.

use super::escape;
use super::html::{Piece, Tokenizer};
use super::placeholder::{parse_spans, Placeholder, Segment, TemplateError};
use super::position::{Context, HtmlPosition, Inner, UrlPart};
use super::script::Script;

/// Where a rendered pixel runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// In a sandboxed iframe with an opaque origin.
    Sandbox,
    /// In the merchant's page. As defence in depth, values bound for a JavaScript string or
    /// literal never carry `<` or `>` here: they are dropped.
    MainWindow,
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

/// A rendered pixel: its HTML, the names that had no value (unique, in order), and the names
/// whose values lost a `<` or `>` (main window only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub html: String,
    pub unresolved: Vec<String>,
    pub dropped: Vec<String>,
}

/// Room reserved per placeholder when rendering, so typical values need no reallocation.
const VALUE_ROOM: usize = 48;

impl PixelTemplate {
    /// Parse pixel HTML. Refused, with the line and column of the placeholder at fault and a
    /// message that says why and what to write instead: a malformed placeholder, or one that
    /// stands in a position off the allowlist.
    pub fn parse(html: &str) -> Result<Self, TemplateError> {
        let mut tokenizer: Tokenizer<Script> = Tokenizer::new(true);
        let mut placeholders = Vec::new();
        for (offset, segment) in parse_spans(html)? {
            match segment {
                Segment::Literal(text) => tokenizer.feed(&text).map_err(|b| b.error(html))?,
                Segment::Placeholder(placeholder) => {
                    let context = tokenizer
                        .place(offset, &placeholder.name)
                        .map_err(|refusal| refusal.error(html, offset, &placeholder.name))?;
                    tokenizer.push_value(placeholders.len(), context);
                    placeholders.push(Some(placeholder));
                }
            }
        }
        let pieces = tokenizer.finish().map_err(|b| b.error(html))?;
        let parts: Vec<Part> = pieces
            .into_iter()
            .map(|piece| match piece {
                Piece::Literal(text) => Part::Literal(text),
                Piece::Value(index, context) => Part::Value {
                    placeholder: placeholders[index].take().unwrap_or_else(|| Placeholder {
                        name: String::new(),
                        filters: Vec::new(),
                    }),
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

    /// Substitute values for a pixel that runs in `placement`, applying each placeholder's
    /// filters and then the escaping of its context. `lookup` returns `None` for a name with no
    /// value; such a name renders as empty (or its `default:`) and is listed in `unresolved`.
    pub fn render(
        &self,
        lookup: impl Fn(&str) -> Option<String>,
        placement: Placement,
    ) -> Rendered {
        let mut rendered = Rendered {
            html: String::with_capacity(self.literal_len),
            unresolved: Vec::new(),
            dropped: Vec::new(),
        };
        for part in &self.parts {
            match part {
                Part::Literal(text) => rendered.html.push_str(text),
                Part::Value {
                    placeholder,
                    context,
                } => {
                    let raw = lookup(&placeholder.name);
                    let name = &placeholder.name;
                    if raw.as_deref().is_none_or(str::is_empty)
                        && !rendered.unresolved.contains(name)
                    {
                        rendered.unresolved.push(name.clone());
                    }
                    let mut value = placeholder.apply_filters(raw);
                    if is_dot_segment(*context, &value) {
                        value.clear();
                    }
                    let in_script = !matches!(context, Context::Html(_));
                    if placement == Placement::MainWindow && in_script && value.contains(['<', '>'])
                    {
                        value.retain(|c| c != '<' && c != '>');
                        if !rendered.dropped.contains(name) {
                            rendered.dropped.push(name.clone());
                        }
                    }
                    escape::escape_into(*context, &mut rendered.html, &value);
                }
            }
        }
        rendered
    }
}

/// A value in a URL path that is `.` or `..`, which the URL parser would resolve away (with
/// the segment before it). Values are percent-encoded with `%` itself encoded, so no other
/// spelling of a dot comes from a value.
fn is_dot_segment(context: Context, value: &str) -> bool {
    let in_path = matches!(
        context,
        Context::Html(HtmlPosition::Url {
            part: UrlPart::Path,
            ..
        }) | Context::ScriptString {
            inner: Inner::Url(UrlPart::Path)
                | Inner::Html(HtmlPosition::Url {
                    part: UrlPart::Path,
                    ..
                }),
            ..
        }
    );
    in_path && matches!(value, "." | "..")
}
