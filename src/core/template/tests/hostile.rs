//! The hostile corpus rendered into a pixel that has a placeholder in every position, in the
//! sandbox and in the main window: the oracle's readers (html5ever, ress, the `url` crate, a CSS
//! tokenizer) must see the same shape as with a benign value, and every script must still parse
//! as JavaScript.

use super::super::pixel::{PixelTemplate, Placement};
use super::super::position::{Context, HtmlPosition, Inner, JsQuote, UrlPart};
use super::corpus::hostile_corpus;
use super::oracle::{assert_same_shape, shape, short};
use html5ever::tendril::TendrilSink;
use html5ever::{parse_document, ParseOpts};
use markup5ever_rcdom::{Handle, NodeData, RcDom};

const BENIGN: &str = "benign";

const PIXEL: &str = r#"<!DOCTYPE html>
<html><head><title>Order {{V}}</title>
<style>.p { content: "{{V}}"; font-family: '{{V}}' } a[title="{{V}}"] { color: red }</style>
</head><body>
<!-- order {{V}} -->
<!--{{V}}><b>--> <!-- x -{{V}}><i>--> <!-- y --{{V}}><u>-->
<div id="main" title="{{V}}" data-single='{{V}}' data-unquoted={{V}} class=pixel>Thanks {{V}}!</div>
<a href="/thanks/{{V}}?x=1">with a path</a>
<img src="https://partner.example/p.gif?v={{V}}&amp;e={{V}}#{{V}}" alt="" width=1 height=1>
<img src=https://partner.example/p.gif?v={{V}} alt={{V}} style="content: '{{V}}'">
<img src="/px/{{V}}/x.gif" style=content:'{{V}}'>
<form action="https://partner.example/f?x={{V}}"><input name="q" value="{{V}}"><textarea>{{V}}</textarea></form>
<noscript><img src="https://partner.example/ns?v={{V}}"></noscript>
<script>
  var a = '{{V}}';
  var b = "{{V}}";
  var c = `t ${ x } e`;
  var d = {{V}};
  var e = { value: {{V}}, id: "{{V}}" };
  var f = 10 / {{V}};
  window.dataLayer = window.dataLayer || [];
  dataLayer.push({ event: '{{V}}', items: [{{V}}, "{{V}}"] });
  var h = '<img alt="{{V}}" src="https://partner.example/h.gif?v={{V}}">';
  var u = 'https://partner.example/u/{{V}}?v={{V}}';
  document.write('<img src="https://partner.example/w.gif?v={{V}}">');
  if (a) /'/.test(b); var k = '{{V}}';
</script>
<script><!--
  var g = '{{V}}';
//--></script>
<script src="https://cdn.partner.example/tag.js?id={{V}}" async></script>
</body></html>"#;

#[test]
fn the_corpus_is_large_and_the_pixel_has_a_placeholder_in_every_context() {
    assert!(hostile_corpus().len() >= 60);
    let template = PixelTemplate::parse(PIXEL).unwrap();
    let found: Vec<Context> = template.placeholders().map(|(_, c)| c).collect();
    let url = |quoted, part| Context::Html(HtmlPosition::Url { quoted, part });
    let string = |quote, inner| Context::ScriptString { quote, inner };
    for expected in [
        Context::Html(HtmlPosition::Text),
        Context::Html(HtmlPosition::Comment),
        Context::Html(HtmlPosition::Attr { quoted: true }),
        Context::Html(HtmlPosition::Attr { quoted: false }),
        url(true, UrlPart::Path),
        url(true, UrlPart::Query),
        url(true, UrlPart::Fragment),
        url(false, UrlPart::Query),
        Context::Html(HtmlPosition::CssString { attr: Some(true) }),
        Context::Html(HtmlPosition::CssString { attr: Some(false) }),
        Context::Html(HtmlPosition::CssString { attr: None }),
        string(JsQuote::Single, Inner::Plain),
        string(JsQuote::Double, Inner::Plain),
        string(
            JsQuote::Single,
            Inner::Html(HtmlPosition::Attr { quoted: true }),
        ),
        string(
            JsQuote::Single,
            Inner::Html(HtmlPosition::Url {
                quoted: true,
                part: UrlPart::Query,
            }),
        ),
        string(JsQuote::Single, Inner::Url(UrlPart::Path)),
        string(JsQuote::Single, Inner::Url(UrlPart::Query)),
        Context::ScriptCode,
    ] {
        assert!(found.contains(&expected), "no placeholder in {expected:?}");
    }
}

#[test]
fn hostile_values_in_every_context_leave_the_document_structure_unchanged() {
    assert_eq!(assert_hostile_values_change_nothing(PIXEL), 3);
}

/// Render `html` with a benign value and with every corpus value in all its placeholders, and
/// check that nothing but the values' own text changed. Returns the number of scripts.
pub(crate) fn assert_hostile_values_change_nothing(html: &str) -> usize {
    assert_unchanged_in(html, Placement::Sandbox, usize::MAX);
    assert_unchanged_in(html, Placement::MainWindow, 4096)
}

/// As [`assert_hostile_values_change_nothing`], without the values longer than 4 KiB.
pub(crate) fn assert_short_hostile_values_change_nothing(html: &str) -> usize {
    assert_unchanged_in(html, Placement::Sandbox, 4096);
    assert_unchanged_in(html, Placement::MainWindow, 4096)
}

fn assert_unchanged_in(html: &str, placement: Placement, longest: usize) -> usize {
    let template = PixelTemplate::parse(html).unwrap_or_else(|e| panic!("{e}\n{html}"));
    let render = |value: &str| {
        let value = value.to_string();
        template.render(|_| Some(value.clone()), placement).html
    };
    let benign_html = render(BENIGN);
    let benign = shape(&benign_html);
    for script in scripts_of(&benign_html) {
        parse_js(&script)
            .unwrap_or_else(|e| panic!("the benign script does not parse: {e}\n{script}"));
    }
    for value in hostile_corpus() {
        // The long values are about length, which one pass covers.
        if value.len() > longest {
            continue;
        }
        let html = render(&value);
        let v = short(&value);
        assert_same_shape(&benign, &shape(&html), &v);
        for (index, script) in scripts_of(&html).iter().enumerate() {
            parse_js(script)
                .unwrap_or_else(|e| panic!("{v}: script {index} is no longer valid JS: {e}"));
        }
    }
    benign.scripts.len() / 2
}

/// The text of every script of a document.
fn scripts_of(html: &str) -> Vec<String> {
    let dom = parse_document(RcDom::default(), ParseOpts::default()).one(html);
    let mut scripts = Vec::new();
    collect_scripts(&dom.document, &mut scripts);
    scripts
}

fn collect_scripts(node: &Handle, scripts: &mut Vec<String>) {
    if let NodeData::Element { name, .. } = &node.data {
        if &*name.local == "script" {
            let mut text = String::new();
            for child in node.children.borrow().iter() {
                if let NodeData::Text { contents } = &child.data {
                    text.push_str(&contents.borrow());
                }
            }
            scripts.push(text);
        }
    }
    for child in node.children.borrow().iter() {
        collect_scripts(child, scripts);
    }
}

/// Whether a script is syntactically valid JavaScript.
fn parse_js(script: &str) -> Result<(), String> {
    let mut parser = ressa::Parser::new(script).map_err(|e| e.to_string())?;
    parser.parse().map(|_| ()).map_err(|e| e.to_string())
}
