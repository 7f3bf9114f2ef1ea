//! The positions a pixel placeholder may stand in: an allowlist, and nothing else. This module
//! owns the names and the one-sentence safety statement of each position; it imports nothing,
//! so classification (the tokenizers) and rendering (the escapers) both depend on it alone.
//! `docs/DESIGN.md` shows the same table.

/// The quote that delimits a JavaScript string literal. Template literals are never a position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsQuote {
    Single,
    Double,
}

impl JsQuote {
    pub fn as_char(self) -> char {
        match self {
            JsQuote::Single => '\'',
            JsQuote::Double => '"',
        }
    }
}

/// Where in a URL a placeholder stands; always after the authority (scheme, `//`, host, port),
/// which the literal text fixes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UrlPart {
    Path,
    Query,
    Fragment,
}

/// A position in HTML: the pixel itself, or markup written by a script from a string literal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HtmlPosition {
    /// Text between tags, or in `<title>`/`<textarea>`.
    Text,
    /// Inside an HTML comment.
    Comment,
    /// The value of an attribute on the inert list (`title`, `alt`, `class`, `data-*`, ...).
    /// Unquoted values are quoted in the stored template.
    Attr { quoted: bool },
    /// A URL attribute (`src`, `href`, ...) after the authority.
    Url { quoted: bool, part: UrlPart },
    /// A CSS string literal (`"..."`), in a `style` attribute (`Some(quoted)`) or in `<style>`
    /// (`None`), outside any function and any at-rule.
    CssString { attr: Option<bool> },
}

/// What a JavaScript string literal holds at the placeholder, read from its own text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inner {
    /// Plain text: no `<` so far, and no URL start.
    Plain,
    /// Markup: the literal's text so far holds `<`, or it is written by a markup sink.
    Html(HtmlPosition),
    /// A URL whose scheme and host the literal fixes: it starts with a scheme, `//` or `/`, or it
    /// is given to a URL sink.
    Url(UrlPart),
}

/// Where a placeholder stands in a pixel, which decides how its value is escaped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    Html(HtmlPosition),
    /// A `'...'` or `"..."` string literal in a `<script>`.
    ScriptString {
        quote: JsQuote,
        inner: Inner,
    },
    /// In a `<script>`, outside any literal, where the grammar expects an expression.
    ScriptCode,
}

/// The kinds of position, for the table of positions and their safety statements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PositionKind {
    HtmlText,
    HtmlComment,
    Attribute,
    UrlPath,
    UrlQuery,
    UrlFragment,
    CssString,
    ScriptString,
    ScriptStringMarkup,
    ScriptStringUrl,
    ScriptCode,
}

impl PositionKind {
    pub const ALL: [PositionKind; 11] = [
        PositionKind::HtmlText,
        PositionKind::HtmlComment,
        PositionKind::Attribute,
        PositionKind::UrlPath,
        PositionKind::UrlQuery,
        PositionKind::UrlFragment,
        PositionKind::CssString,
        PositionKind::ScriptString,
        PositionKind::ScriptStringMarkup,
        PositionKind::ScriptStringUrl,
        PositionKind::ScriptCode,
    ];

    /// A stable snake_case name, for previews, logs and the table in `docs/DESIGN.md`.
    pub fn name(self) -> &'static str {
        match self {
            PositionKind::HtmlText => "html_text",
            PositionKind::HtmlComment => "html_comment",
            PositionKind::Attribute => "attribute",
            PositionKind::UrlPath => "url_path",
            PositionKind::UrlQuery => "url_query",
            PositionKind::UrlFragment => "url_fragment",
            PositionKind::CssString => "css_string",
            PositionKind::ScriptString => "script_string",
            PositionKind::ScriptStringMarkup => "script_string_markup",
            PositionKind::ScriptStringUrl => "script_string_url",
            PositionKind::ScriptCode => "script_code",
        }
    }

    /// Why a value in this position can only ever be data, in one sentence.
    pub fn safety(self) -> &'static str {
        match self {
            PositionKind::HtmlText => {
                "Entity-escaped, the value holds no `<` or `&`, so it stays one text node."
            }
            PositionKind::HtmlComment => {
                "Without `<`, `>`, `-` or `!`, the value can neither close the comment nor open one."
            }
            PositionKind::Attribute => {
                "In a quoted value of an attribute no browser interprets, entity-escaped so no quote ends it."
            }
            PositionKind::UrlPath => {
                "Percent-encoded after a host the literal fixes, the value adds no segment, query or fragment, and a `.` or `..` value renders empty."
            }
            PositionKind::UrlQuery => {
                "Percent-encoded after a host the literal fixes, the value adds no parameter or fragment."
            }
            PositionKind::UrlFragment => {
                "Percent-encoded after a host the literal fixes, the value stays inside the fragment."
            }
            PositionKind::CssString => {
                "CSS-escaped inside a string literal outside any function or at-rule, the value stays one string that loads nothing."
            }
            PositionKind::ScriptString => {
                "JS-escaped (quotes, `\\`, `<`, `>`, `&`, line terminators), the value cannot end the string or the script."
            }
            PositionKind::ScriptStringMarkup => {
                "Escaped for the markup the literal holds (one of the positions above), then for JS."
            }
            PositionKind::ScriptStringUrl => {
                "Percent-encoded after the scheme and host the literal fixes, then JS-escaped."
            }
            PositionKind::ScriptCode => {
                "A JSON number or string literal where the grammar expects an expression, so the value is one literal."
            }
        }
    }
}

impl Context {
    pub fn kind(self) -> PositionKind {
        match self {
            Context::Html(position) => html_kind(position),
            Context::ScriptString { inner, .. } => match inner {
                Inner::Plain => PositionKind::ScriptString,
                Inner::Html(_) => PositionKind::ScriptStringMarkup,
                Inner::Url(_) => PositionKind::ScriptStringUrl,
            },
            Context::ScriptCode => PositionKind::ScriptCode,
        }
    }

    /// A stable snake_case name, for previews and logs.
    pub fn name(self) -> &'static str {
        self.kind().name()
    }
}

fn html_kind(position: HtmlPosition) -> PositionKind {
    match position {
        HtmlPosition::Text => PositionKind::HtmlText,
        HtmlPosition::Comment => PositionKind::HtmlComment,
        HtmlPosition::Attr { .. } => PositionKind::Attribute,
        HtmlPosition::Url { part, .. } => match part {
            UrlPart::Path => PositionKind::UrlPath,
            UrlPart::Query => PositionKind::UrlQuery,
            UrlPart::Fragment => PositionKind::UrlFragment,
        },
        HtmlPosition::CssString { .. } => PositionKind::CssString,
    }
}
