//! The hostile corpus: values in the style of OWASP's filter-evasion cheat sheet, rendered into a
//! pixel that has a placeholder in every context. A real HTML5 parser (html5ever) must see the
//! same elements, attributes and comments as with a benign value, every script must still parse
//! as JavaScript with the same tokens apart from its literals, no URL attribute may carry a
//! dangerous scheme, and CSS keeps its punctuation.

use super::super::pixel::{PixelTemplate, Placement};
use super::super::position::{Context, HtmlPosition, Inner, JsQuote, UrlPart};
use html5ever::tendril::TendrilSink;
use html5ever::{parse_document, ParseOpts};
use markup5ever_rcdom::{Handle, NodeData, RcDom};
use ress::tokens::{Template, Token};

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

fn hostile_corpus() -> Vec<String> {
    let fixed = [
        // Ending the script or other raw text, in any case and spelling.
        "</script>",
        "</SCRIPT>",
        "</ScRiPt >",
        "</script/>",
        "</script\t>",
        "</script\n>",
        "</script\0>",
        "< /script>",
        "<script>alert(1)</script>",
        "<ScRiPt>alert(1)</sCrIpT>",
        "</script><script>alert(1)</script>",
        "</style>",
        "</STYLE >",
        "</textarea>",
        "</title>",
        "</noscript><script>alert(1)</script>",
        // Quotes and backslashes of every kind.
        "\"",
        "'",
        "`",
        "\"'`",
        "\\",
        "\\\\",
        "\\'",
        "\\\"",
        "\\`",
        "\\u003c/script\\u003e",
        "\\x3c/script\\x3e",
        // Breaking out of attributes.
        "\"><img src=x onerror=alert(1)>",
        "'><img src=x onerror=alert(1)>",
        "><svg onload=alert(1)>",
        "\" onmouseover=\"alert(1)",
        "' onfocus='alert(1)' autofocus='",
        " onerror=alert(1) ",
        "x onerror=alert(1)",
        "= onerror=alert(1)",
        "<img/src/onerror=alert(1)>",
        "<a href=javascript:alert(1)>x</a>",
        "<svg/onload=alert(1)>",
        "<math><mi xlink:href=javascript:alert(1)>",
        "<iframe srcdoc='<script>alert(1)</script>'>",
        "<base href=//evil.example/>",
        // Breaking out of JS strings and code.
        "'-alert(1)-'",
        "\"-alert(1)-\"",
        "`-alert(1)-`",
        "';alert(1);//",
        "\";alert(1);//",
        "\\';alert(1);//",
        "\\\";alert(1);//",
        "${alert(1)}",
        "`${alert(1)}`",
        "$",
        "${",
        "};alert(1);{",
        "),alert(1),(",
        "]);alert(1);//",
        "alert`1`",
        "/*",
        "*/",
        "//",
        "/",
        "\u{2028}alert(1)",
        "\u{2029}alert(1)",
        "\u{2028}\u{2029}",
        "\nalert(1)//",
        "\r\nalert(1)",
        "\0",
        "a\0b",
        "\0</script>",
        // Comments and CDATA.
        "<!--",
        "-->",
        "--!>",
        "<!-->",
        "->",
        "<!--<script>",
        "-->\n<script>alert(1)</script>",
        "<![CDATA[",
        "]]>",
        "<![CDATA[</script>]]>",
        "<?php echo 1 ?>",
        "<!DOCTYPE html>",
        // Dangerous schemes, disguised.
        "javascript:alert(1)",
        "JAVASCRIPT:alert(1)",
        "JaVaScRiPt:alert(1)",
        " javascript:alert(1)",
        "\tjavascript:alert(1)",
        "\u{1}javascript:alert(1)",
        "java\tscript:alert(1)",
        "java\nscript:alert(1)",
        "java\rscript:alert(1)",
        "java\0script:alert(1)",
        "&#106;avascript:alert(1)",
        "&#x6A;avascript&#x3A;alert(1)",
        "&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058alert(1)",
        "javascript&colon;alert(1)",
        "%6Aavascript:alert(1)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "vbscript:msgbox(1)",
        "//evil.example/x.js",
        // CSS.
        "expression(alert(1))",
        "url(javascript:alert(1))",
        "red;}</style><script>alert(1)</script>",
        "\\3c /style\\3e ",
        "@import 'x';",
        "\"); } body { background: red",
        // Entities and markup characters.
        "&lt;script&gt;",
        "&amp;",
        "&",
        "&#",
        "=",
        "<",
        ">",
        // Numbers and near-numbers.
        "42",
        "-1.5",
        "0",
        "-0",
        "1e308",
        "NaN",
        "Infinity",
        "0x1F",
        // Empty, invisible and unusual characters.
        "",
        " ",
        "\u{feff}",
        "\u{202e}",
        "\u{fffd}",
        "😀",
        "é",
        // Polyglots.
        "javascript:/*--></title></style></textarea></script></xmp><svg/onload='+/\"/+/onmouseover=1/+/[*/[]/+alert(1)//'>",
        "jaVasCript:/*-/*`/*\\`/*'/*\"/**/(/* */oNcliCk=alert() )//%0D%0A%0d%0a//</stYle/</titLe/</teXtarEa/</scRipt/--!>\\x3csVg/<sVg/oNloAd=alert()//>\\x3e",
    ];
    let mut corpus: Vec<String> = fixed.iter().map(|s| s.to_string()).collect();
    corpus.push("x".repeat(100 * 1024));
    corpus.push("</script><!--\u{2028}'\"`${".repeat(4 * 1024));
    corpus
}

/// What a parsed document is made of, apart from text: elements with their attribute names,
/// comments and doctypes, with their depth. Plus the parts whose content is checked separately.
#[derive(Default)]
struct Parsed {
    shape: Vec<String>,
    scripts: Vec<String>,
    urls: Vec<(String, String)>,
    css: Vec<String>,
}

fn parse_html(html: &str) -> Parsed {
    let dom = parse_document(RcDom::default(), ParseOpts::default()).one(html);
    let mut parsed = Parsed::default();
    walk(&dom.document, 0, &mut parsed);
    parsed
}

fn walk(node: &Handle, depth: usize, parsed: &mut Parsed) {
    match &node.data {
        NodeData::Doctype { name, .. } => parsed.shape.push(format!("{depth} doctype {name}")),
        NodeData::Comment { .. } => parsed.shape.push(format!("{depth} comment")),
        NodeData::ProcessingInstruction { .. } => parsed.shape.push(format!("{depth} pi")),
        NodeData::Element { name, attrs, .. } => {
            let tag = name.local.to_string();
            let attrs = attrs.borrow();
            let names: Vec<String> = attrs.iter().map(|a| a.name.local.to_string()).collect();
            parsed.shape.push(format!("{depth} <{tag}> {names:?}"));
            for attr in attrs.iter() {
                let attr_name = attr.name.local.to_string();
                if ["href", "src", "action"].contains(&attr_name.as_str()) {
                    parsed
                        .urls
                        .push((attr_name.clone(), attr.value.to_string()));
                }
                if attr_name == "style" {
                    parsed.css.push(attr.value.to_string());
                }
            }
            if tag == "script" || tag == "style" {
                let text = text_of(node);
                if tag == "script" {
                    parsed.scripts.push(text);
                } else {
                    parsed.css.push(text);
                }
            }
        }
        NodeData::Document | NodeData::Text { .. } => {}
    }
    for child in node.children.borrow().iter() {
        walk(child, depth + 1, parsed);
    }
}

fn text_of(node: &Handle) -> String {
    let mut text = String::new();
    for child in node.children.borrow().iter() {
        if let NodeData::Text { contents } = &child.data {
            text.push_str(&contents.borrow());
        }
    }
    text
}

/// The token stream of a script with the content of literals left out: two scripts with the
/// same shape differ only inside strings, numbers and template text. A negative number (unary
/// minus and a number) counts as one literal, since a value may render as one.
fn js_shape(script: &str) -> Result<Vec<String>, String> {
    let mut shape: Vec<String> = Vec::new();
    for token in js_tokens(script)? {
        if token == "literal" && shape.last().is_some_and(|t| t == "Punct(Dash)") {
            shape.pop();
        }
        shape.push(token);
    }
    Ok(shape)
}

fn js_tokens(script: &str) -> Result<Vec<String>, String> {
    ress::Scanner::new(script)
        .map(|item| {
            let item = item.map_err(|e| e.to_string())?;
            Ok(match item.token {
                Token::String(_) | Token::Number(_) => "literal".to_string(),
                Token::Template(Template::NoSub(_)) => "template".to_string(),
                Token::Template(Template::Head(_)) => "template-head".to_string(),
                Token::Template(Template::Middle(_)) => "template-middle".to_string(),
                Token::Template(Template::Tail(_)) => "template-tail".to_string(),
                Token::Comment(_) => "comment".to_string(),
                other => format!("{other:?}"),
            })
        })
        .collect()
}

/// Whether a script is syntactically valid JavaScript.
fn parse_js(script: &str) -> Result<(), String> {
    let mut parser = ressa::Parser::new(script).map_err(|e| e.to_string())?;
    parser.parse().map(|_| ()).map_err(|e| e.to_string())
}

/// The scheme a browser reads from a URL attribute value, as its URL parser does.
fn browser_scheme(url: &str) -> Option<String> {
    let trimmed = url.trim_matches(|c: char| c <= ' ');
    let cleaned: String = trimmed
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let (scheme, _) = cleaned.split_once(':')?;
    let valid = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    valid.then(|| scheme.to_ascii_lowercase())
}

fn css_punctuation(css: &str) -> String {
    css.chars()
        .filter(|c| "{}();:'\"<>/*@!,".contains(*c))
        .collect()
}

fn short(value: &str) -> String {
    let mut s: String = format!("{value:?}").chars().take(80).collect();
    if value.len() > 60 {
        s.push_str("...");
    }
    s
}

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
    let mut scripts = 0;
    for placement in [Placement::Sandbox, Placement::MainWindow] {
        scripts = assert_unchanged_in(html, placement);
    }
    scripts
}

fn assert_unchanged_in(html: &str, placement: Placement) -> usize {
    let template = PixelTemplate::parse(html).unwrap_or_else(|e| panic!("{e}\n{html}"));
    let render = |value: &str| {
        let value = value.to_string();
        template.render(|_| Some(value.clone()), placement).html
    };
    let benign = parse_html(&render(BENIGN));
    let benign_js: Vec<Vec<String>> = benign
        .scripts
        .iter()
        .map(|s| js_shape(s).unwrap_or_else(|e| panic!("benign script: {e}\n{s}")))
        .collect();
    for script in &benign.scripts {
        parse_js(script)
            .unwrap_or_else(|e| panic!("the benign script does not parse: {e}\n{script}"));
    }

    for value in hostile_corpus() {
        let html = render(&value);
        let hostile = parse_html(&html);
        let v = short(&value);
        assert_eq!(hostile.shape, benign.shape, "{v} changed the document");

        for ((script, benign_shape), index) in hostile.scripts.iter().zip(&benign_js).zip(0..) {
            let shape = js_shape(script).unwrap_or_else(|e| panic!("{v}: script {index}: {e}"));
            assert_eq!(
                &shape, benign_shape,
                "{v} changed the tokens of script {index}"
            );
            parse_js(script)
                .unwrap_or_else(|e| panic!("{v}: script {index} is no longer valid JS: {e}"));
        }

        for (attr, url) in &hostile.urls {
            let scheme = browser_scheme(url);
            assert!(
                !matches!(scheme.as_deref(), Some("javascript" | "data" | "vbscript")),
                "{v} made {attr}={} dangerous",
                short(url)
            );
        }

        let punctuation: Vec<String> = hostile.css.iter().map(|c| css_punctuation(c)).collect();
        let expected: Vec<String> = benign.css.iter().map(|c| css_punctuation(c)).collect();
        assert_eq!(punctuation, expected, "{v} changed the CSS");
    }
    benign.scripts.len()
}
