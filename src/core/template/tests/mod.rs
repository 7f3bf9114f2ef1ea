//! Native tests of the pixel engine: where placeholders stand, what is refused and why, how
//! values come out, the hostile corpus, partner snippets, and the differential fuzzer.

mod contexts;
mod corpus;
mod escaping;
mod fuzz;
mod hostile;
mod layering;
mod oracle;
mod partners;
mod refusals;
mod snippets;

use super::pixel::{PixelTemplate, Placement};
use super::position::{Context, HtmlPosition, Inner, JsQuote, UrlPart};

pub(super) fn contexts(html: &str) -> Vec<Context> {
    PixelTemplate::parse(html)
        .unwrap_or_else(|e| panic!("{html}: {e}"))
        .placeholders()
        .map(|(_, c)| c)
        .collect()
}

pub(super) fn context_of(html: &str) -> Context {
    let found = contexts(html);
    assert_eq!(found.len(), 1, "{html}");
    found[0]
}

pub(super) fn render_with(html: &str, value: &str) -> String {
    render_in(html, value, Placement::Sandbox)
}

pub(super) fn render_in(html: &str, value: &str, placement: Placement) -> String {
    let value = value.to_string();
    PixelTemplate::parse(html)
        .unwrap_or_else(|e| panic!("{html}: {e}"))
        .render(|_| Some(value.clone()), placement)
        .html
}

pub(super) fn refusal(html: &str) -> super::placeholder::TemplateError {
    match PixelTemplate::parse(html) {
        Ok(t) => panic!(
            "{html} was accepted: {:?}",
            t.placeholders().collect::<Vec<_>>()
        ),
        Err(e) => e,
    }
}

pub(super) const TEXT: Context = Context::Html(HtmlPosition::Text);
pub(super) const COMMENT: Context = Context::Html(HtmlPosition::Comment);
pub(super) const ATTR: Context = Context::Html(HtmlPosition::Attr { quoted: true });
pub(super) const UNQUOTED: Context = Context::Html(HtmlPosition::Attr { quoted: false });
pub(super) const CODE: Context = Context::ScriptCode;

pub(super) const fn url(part: UrlPart) -> Context {
    Context::Html(HtmlPosition::Url { quoted: true, part })
}

pub(super) const fn string(quote: JsQuote) -> Context {
    Context::ScriptString {
        quote,
        inner: Inner::Plain,
    }
}

pub(super) const SINGLE: Context = string(JsQuote::Single);
pub(super) const DOUBLE: Context = string(JsQuote::Double);
