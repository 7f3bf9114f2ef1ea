//! Why a placeholder cannot stand where a marketer wrote it, in words that say why and what to
//! write instead. Every position not on the allowlist of `position.rs` ends up here.

use super::placeholder::TemplateError;

/// Why a placeholder cannot stand where it was written. Each reason reads as advice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Refusal {
    TagOrAttributeName,
    Declaration,
    EventHandler(String),
    NamesElement(String),
    AttributeNotInert(String),
    MetaOrBase(String),
    InsideElement(String),
    ForeignContent,
    PartialMarkup(String),
    CharacterReference,
    NoscriptDiverged,
    NestedUnquoted,
    JsComment,
    JsRegex,
    JsBackslash,
    JsTemplate,
    JsAmbiguous,
    JsGlued,
    JsOperandExpected,
    JsSinkCode(String),
    JsSinkNotFirst(String),
    JsMixedString,
    UrlBeforeAuthority,
    UrlSchemeNotAllowed(String),
    UrlLoadsCode(String),
    UrlDotSegment,
    CssNotInString,
    CssFunction(String),
    CssAtRule(String),
    CssComment,
}

/// A refusal with the placeholder it concerns, for refusals found after that placeholder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Blame {
    pub refusal: Refusal,
    /// Byte offset of the placeholder in the pixel.
    pub offset: usize,
    pub name: String,
}

impl Blame {
    pub(super) fn error(&self, source: &str) -> TemplateError {
        self.refusal.error(source, self.offset, &self.name)
    }
}

impl Refusal {
    /// The error for the placeholder `name` at byte `offset` of `source`.
    pub(super) fn error(&self, source: &str, offset: usize, name: &str) -> TemplateError {
        TemplateError::at(source, offset, self.message(name))
    }

    fn message(&self, name: &str) -> String {
        let p = format!("{{{{{name}}}}}");
        // Every variant names its part here, so a new one cannot go without a message.
        let message = match self {
            Refusal::TagOrAttributeName
            | Refusal::Declaration
            | Refusal::EventHandler(_)
            | Refusal::NamesElement(_)
            | Refusal::AttributeNotInert(_)
            | Refusal::MetaOrBase(_)
            | Refusal::InsideElement(_)
            | Refusal::ForeignContent
            | Refusal::PartialMarkup(_)
            | Refusal::CharacterReference
            | Refusal::NoscriptDiverged
            | Refusal::NestedUnquoted => self.markup_message(&p),
            Refusal::JsComment
            | Refusal::JsRegex
            | Refusal::JsBackslash
            | Refusal::JsTemplate
            | Refusal::JsAmbiguous
            | Refusal::JsGlued
            | Refusal::JsOperandExpected
            | Refusal::JsSinkCode(_)
            | Refusal::JsSinkNotFirst(_)
            | Refusal::JsMixedString => self.script_message(&p),
            Refusal::UrlBeforeAuthority
            | Refusal::UrlSchemeNotAllowed(_)
            | Refusal::UrlLoadsCode(_)
            | Refusal::UrlDotSegment
            | Refusal::CssNotInString
            | Refusal::CssFunction(_)
            | Refusal::CssAtRule(_)
            | Refusal::CssComment => self.address_message(&p),
        };
        message.unwrap_or_else(|| format!("{p} cannot stand here"))
    }

    /// Refusals in markup.
    fn markup_message(&self, p: &str) -> Option<String> {
        Some(match self {
            Refusal::TagOrAttributeName => format!(
                "{p} stands in a tag or attribute name, where a value could add markup; put it in a \
                 quoted attribute value instead, e.g. title=\"{p}\""
            ),
            Refusal::Declaration => format!(
                "{p} stands in a <!DOCTYPE>, <?...> or <![CDATA[...]]> declaration, which browsers read \
                 as a bogus comment; move it into text or an attribute value"
            ),
            Refusal::EventHandler(attr) => format!(
                "{p} stands in the {attr} attribute, whose value runs as code; use the value in a \
                 <script> string instead, e.g. var v = '{p}';"
            ),
            Refusal::NamesElement(attr) => format!(
                "{p} stands in the {attr} attribute, where a value could replace globals that page \
                 scripts use; put it in a data-* attribute instead"
            ),
            Refusal::AttributeNotInert(attr) => format!(
                "{p} stands in the {attr} attribute, which browsers may act on; a value may fill only \
                 title, alt, class, value, label, placeholder, width, height, data-* and aria-* \
                 attributes, or a URL's path or query"
            ),
            Refusal::MetaOrBase(tag) => format!(
                "{p} stands in a <{tag}> tag, which changes how the whole page loads; remove the \
                 placeholder from it"
            ),
            Refusal::InsideElement(tag) => format!(
                "{p} stands inside <{tag}>, whose content is neither text nor code a value can be \
                 escaped for; move it into an attribute value or a <script> string"
            ),
            Refusal::ForeignContent => format!(
                "{p} comes after inline <svg> or <math> markup, which browsers tokenize differently; \
                 put placeholders before it (use an <img> for images)"
            ),
            Refusal::PartialMarkup(tag) => format!(
                "{p} directly follows '<', '</' or '<!-' inside <{tag}>, where its value could form \
                 a tag; add a space before the placeholder"
            ),
            Refusal::CharacterReference => format!(
                "{p} directly follows '&', where its value could complete a character reference; \
                 write &amp; or put a space between them"
            ),
            Refusal::NoscriptDiverged => format!(
                "{p} comes after a </noscript> that stands inside a comment, an attribute or another \
                 element, so the rest reads differently with and without scripts; remove that \
                 </noscript>"
            ),
            Refusal::NestedUnquoted => format!(
                "{p} stands in an unquoted attribute value of markup inside a JavaScript string; \
                 quote the value, e.g. alt=\"{p}\""
            ),
            _ => return None,
        })
    }

    /// Refusals in JavaScript.
    fn script_message(&self, p: &str) -> Option<String> {
        Some(match self {
            Refusal::JsComment => format!(
                "{p} stands inside a JavaScript comment, where it does nothing; remove it from the \
                 comment"
            ),
            Refusal::JsRegex => format!(
                "{p} stands inside a JavaScript regular expression; put the value in a string \
                 instead, e.g. new RegExp('{p}')"
            ),
            Refusal::JsBackslash => format!(
                "{p} directly follows a backslash in a JavaScript string; remove the backslash"
            ),
            Refusal::JsTemplate => format!(
                "{p} stands in a JavaScript template literal (`...`), whose ${{...}} runs code; use \
                 a '...' or \"...\" string instead"
            ),
            Refusal::JsAmbiguous => format!(
                "{p} comes after a '/' that browsers may read as a regular expression or as a \
                 division, so its place in the script is unknown; end the statement before it with \
                 ';' or wrap the expression in parentheses"
            ),
            Refusal::JsGlued => format!(
                "{p} touches a name, a number, a '.' or another placeholder, so its value would \
                 merge with it into one token; put a space or an operator between them"
            ),
            Refusal::JsOperandExpected => format!(
                "{p} stands in JavaScript code where an operator is expected, so its value would \
                 join the expression before it; put it where a value goes, e.g. after '=', '(', \
                 ',' or ':'"
            ),
            Refusal::JsSinkCode(sink) => format!(
                "{p} stands in a value given to {sink}, which runs it as code or markup; pass the \
                 value as data, e.g. var v = '{p}'; and use v in a function"
            ),
            Refusal::JsSinkNotFirst(sink) => format!(
                "{p} stands in a string given to {sink} after other parts, so what the string is \
                 part of is unknown; write the markup or address in one string literal that holds \
                 the placeholder"
            ),
            Refusal::JsMixedString => format!(
                "{p} stands in markup or an address in a JavaScript string that already holds a \
                 placeholder before it; split the string in two"
            ),
            _ => return None,
        })
    }

    /// Refusals in URLs and CSS.
    fn address_message(&self, p: &str) -> Option<String> {
        Some(match self {
            Refusal::UrlBeforeAuthority => format!(
                "{p} would choose the scheme or host of an address; write the fixed https://host/ \
                 part and put the placeholder in the path or query"
            ),
            Refusal::UrlSchemeNotAllowed(scheme) => format!(
                "{p} stands in a {scheme}: address; placeholders can only stand in http and https \
                 addresses"
            ),
            Refusal::UrlLoadsCode(what) => format!(
                "{p} stands outside the query of {what}, which loads code or a document; write the \
                 fixed https://host/path and put the placeholder in the query, e.g. ?id={p}"
            ),
            Refusal::UrlDotSegment => format!(
                "{p} shares a path segment with only dots, so it could form '..'; add text to the \
                 segment or move the placeholder to the query"
            ),
            Refusal::CssNotInString => format!(
                "{p} stands in CSS outside a quoted string; in CSS a placeholder may only stand in \
                 a string, e.g. content: \"{p}\""
            ),
            Refusal::CssFunction(function) => format!(
                "{p} stands inside the CSS function {function}(), which may load a resource or run \
                 code; move it to a plain string, e.g. content: \"{p}\""
            ),
            Refusal::CssAtRule(rule) => format!(
                "{p} stands in the prelude of @{rule}, which may load a stylesheet; move it to a \
                 plain string in a declaration"
            ),
            Refusal::CssComment => {
                format!("{p} stands inside a CSS comment, where it does nothing; remove it")
            }
            _ => return None,
        })
    }
}
