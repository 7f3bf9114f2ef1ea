//! Why a placeholder cannot stand where a marketer wrote it, in words that say what to do.

use super::placeholder::TemplateError;

/// Why a placeholder cannot stand where it was written. Each reason reads as advice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Refusal {
    TagOrAttributeName,
    Declaration,
    EventHandler(String),
    SrcDoc,
    NamesElement(String),
    MetaOrBase(String),
    InsideElement(String),
    ForeignContent,
    PartialMarkup(String),
    JsComment,
    JsRegex,
    JsBackslash,
    JsDollar,
    JsAmbiguousSlash,
    UrlSchemeUndecided,
    UrlSchemeNotAllowed(String),
    UrlCharacterReference,
    UrlChoosesCode,
    UrlSchemeAfterValue,
}

impl Refusal {
    pub(super) fn error(&self, offset: usize, name: &str) -> TemplateError {
        TemplateError {
            offset,
            message: self.message(name),
        }
    }

    fn message(&self, name: &str) -> String {
        let p = format!("{{{{{name}}}}}");
        match self {
            Refusal::TagOrAttributeName => format!(
                "{p} stands in a tag or attribute name, and placeholders cannot stand in a tag \
                 or attribute name: put it in a quoted attribute value, e.g. title=\"{p}\""
            ),
            Refusal::Declaration => format!(
                "{p} stands in a <!DOCTYPE>, <?...> or <![CDATA[...]]> declaration; placeholders \
                 cannot stand there"
            ),
            Refusal::EventHandler(attr) => format!(
                "{p} stands in the {attr} attribute; placeholders cannot stand in event-handler \
                 attributes: use the value in a <script> instead"
            ),
            Refusal::SrcDoc => {
                format!("{p} stands in a srcdoc attribute, which holds a whole HTML document; placeholders cannot stand there")
            }
            Refusal::NamesElement(attr) => format!(
                "{p} stands in the {attr} attribute; placeholders cannot stand in id or name \
                 attributes, which would let a value replace globals that page scripts use"
            ),
            Refusal::MetaOrBase(tag) => {
                format!("{p} stands in a <{tag}> tag; placeholders cannot stand in <meta> or <base> tags")
            }
            Refusal::InsideElement(tag) => {
                format!("{p} stands inside <{tag}>; placeholders cannot stand inside <{tag}>")
            }
            Refusal::ForeignContent => format!(
                "{p} comes after inline <svg> or <math> markup; placeholders must come before it \
                 (use an <img> for images)"
            ),
            Refusal::PartialMarkup(tag) => format!(
                "{p} directly follows '<', '</' or '<!-' inside <{tag}>, where its value could \
                 form a tag; add a space before the placeholder"
            ),
            Refusal::JsComment => {
                format!("{p} stands inside a JavaScript comment; remove it from the comment")
            }
            Refusal::JsRegex => format!(
                "{p} stands inside a JavaScript regular expression; put the value in a string \
                 instead, e.g. new RegExp(\"{p}\")"
            ),
            Refusal::JsBackslash => format!(
                "{p} directly follows a backslash in a JavaScript string; remove the backslash"
            ),
            Refusal::JsDollar => format!(
                "{p} directly follows $ in a JavaScript template literal, where its value could \
                 open ${{...}}; add a space or move the $"
            ),
            Refusal::JsAmbiguousSlash => format!(
                "{p} comes after a '/' that follows '}}', where a browser may read a regular \
                 expression or a division; put ';' before the '/' or wrap the expression in \
                 parentheses"
            ),
            Refusal::UrlSchemeUndecided => format!(
                "{p} could complete the scheme of an address (the part before ':'); write the \
                 address from its start (https://...) or put the placeholder at its very start"
            ),
            Refusal::UrlSchemeNotAllowed(scheme) => format!(
                "{p} stands in a {scheme}: address; placeholders can only stand in http, https, \
                 mailto, tel or sms addresses"
            ),
            Refusal::UrlCharacterReference => format!(
                "the address holding {p} uses a character reference (&...;) before its path; \
                 write those characters plainly"
            ),
            Refusal::UrlChoosesCode => format!(
                "{p} would choose the host that code or a document is loaded from; write the \
                 fixed https://host/ part and put placeholders in the path or query"
            ),
            Refusal::UrlSchemeAfterValue => format!(
                "{p} starts an address and is followed by ':', so the value could choose a \
                 dangerous scheme; put the whole address in the value or write its scheme"
            ),
        }
    }
}
