//! What a rendered pixel is made of, read by parsers independent of the engine: the DOM as
//! html5ever builds it (as a document with scripting on, as the sandbox reads it, and as a
//! `<template>` fragment with scripting off, as t.js reads a main-window pixel), the JS token
//! stream of every script (ress), with the markup inside its string literals, the scheme, host
//! and path depth of every URL attribute (the `url` crate), and the CSS token stream. Two
//! renderings of one template must have the same shape whatever the values.

use html5ever::tendril::TendrilSink;
use html5ever::{local_name, ns, parse_document, parse_fragment, ParseOpts, QualName};
use markup5ever_rcdom::{Handle, NodeData, RcDom};
use ress::tokens::{Template, Token};

/// The shape of a rendered pixel: everything but the text of its values.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Shape {
    pub dom: Vec<String>,
    pub scripts: Vec<Vec<String>>,
    pub urls: Vec<String>,
    pub css: Vec<Vec<String>>,
}

/// Read `html` both ways a pixel meets: as the sandboxed document and as a main-window fragment.
pub(crate) fn shape(html: &str) -> Shape {
    let mut shape = Shape::default();
    let opts = |scripting| {
        let mut opts = ParseOpts::default();
        opts.tree_builder.scripting_enabled = scripting;
        opts
    };
    // The document `/px/{token}` serves around a sandboxed pixel.
    let framed = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>pixel</title></head><body>{html}</body></html>"
    );
    let document = parse_document(RcDom::default(), opts(true)).one(framed);
    walk(&document.document, 0, &mut shape);
    shape.dom.push("-- as a template fragment --".into());
    let context = QualName::new(None, ns!(html), local_name!("template"));
    let fragment = parse_fragment(RcDom::default(), opts(false), context, vec![], false).one(html);
    walk(&fragment.document, 0, &mut shape);
    shape
}

fn walk(node: &Handle, depth: usize, shape: &mut Shape) {
    match &node.data {
        NodeData::Doctype { name, .. } => shape.dom.push(format!("{depth} doctype {name}")),
        NodeData::Comment { .. } => shape.dom.push(format!("{depth} comment")),
        NodeData::ProcessingInstruction { .. } => shape.dom.push(format!("{depth} pi")),
        NodeData::Element {
            name,
            attrs,
            template_contents,
            ..
        } => {
            let tag = name.local.to_string();
            let attrs = attrs.borrow();
            let names: Vec<String> = attrs.iter().map(|a| a.name.local.to_string()).collect();
            shape.dom.push(format!("{depth} <{tag}> {names:?}"));
            for attr in attrs.iter() {
                let attr_name = attr.name.local.to_string();
                if URL_ATTRIBUTES.contains(&attr_name.as_str()) {
                    shape.urls.push(url_shape(&attr_name, &attr.value));
                }
                if attr_name == "style" {
                    shape.css.push(css_shape(&attr.value));
                }
            }
            if tag == "script" {
                shape.scripts.push(js_shape(&text_of(node)));
            } else if tag == "style" {
                shape.css.push(css_shape(&text_of(node)));
            }
            if let Some(contents) = template_contents.borrow().as_ref() {
                walk(contents, depth + 1, shape);
            }
        }
        NodeData::Document | NodeData::Text { .. } => {}
    }
    for child in node.children.borrow().iter() {
        walk(child, depth + 1, shape);
    }
}

const URL_ATTRIBUTES: [&str; 8] = [
    "href",
    "src",
    "action",
    "formaction",
    "data",
    "poster",
    "background",
    "cite",
];

fn text_of(node: &Handle) -> String {
    let mut text = String::new();
    for child in node.children.borrow().iter() {
        if let NodeData::Text { contents } = &child.data {
            text.push_str(&contents.borrow());
        }
    }
    text
}

/// Scheme, host, port and number of path segments, as a browser resolves the URL on a page.
fn url_shape(attr: &str, value: &str) -> String {
    let base = url::Url::parse("https://shop.example/checkout/thanks").expect("a valid base");
    match base.join(value) {
        Ok(url) => {
            let segments = url.path_segments().map_or(0, Iterator::count);
            format!(
                "{attr}: {}://{:?}:{:?} /{segments}",
                url.scheme(),
                url.host_str(),
                url.port()
            )
        }
        Err(_) => format!("{attr}: unparseable"),
    }
}

/// The tokens of a script, the content of literals left out; a string literal holding markup
/// adds the shape of that markup. `(-1.5)` written without spaces counts as one literal, since a
/// negative value renders so.
pub(crate) fn js_shape(script: &str) -> Vec<String> {
    let mut shape: Vec<String> = Vec::new();
    let mut spans: Vec<(usize, usize)> = Vec::new();
    // The markup in string literals, after the tokens, so tokens and spans stay in step.
    let mut markup: Vec<String> = Vec::new();
    for item in ress::Scanner::new(script) {
        let item = match item {
            Ok(item) => item,
            Err(_) => {
                // Where ress gives up depends on the values' lengths; that it does, does not.
                shape.push("error".to_string());
                break;
            }
        };
        let span = (item.span.start, item.span.end);
        let text = match item.token {
            Token::String(s) => {
                // Markup the script itself writes holds a raw '<'; a value's '<' never is.
                let source = s.to_string();
                if source.contains('<') {
                    markup.extend(markup_in_string(&js_unescape(&source)));
                }
                "literal".to_string()
            }
            Token::Number(_) => "literal".to_string(),
            Token::Template(Template::NoSub(_)) => "template".to_string(),
            Token::Template(Template::Head(_)) => "template-head".to_string(),
            Token::Template(Template::Middle(_)) => "template-middle".to_string(),
            Token::Template(Template::Tail(_)) => "template-tail".to_string(),
            Token::Comment(_) => "comment".to_string(),
            other => format!("{other:?}"),
        };
        shape.push(text);
        spans.push(span);
        // `(-1.5)` written without spaces is one literal: a negative value renders so.
        let n = shape.len();
        let negative = [
            "Punct(OpenParen)",
            "Punct(Dash)",
            "literal",
            "Punct(CloseParen)",
        ];
        if n >= 4 && shape[n - 4..] == negative {
            let contiguous = spans[n - 4..].windows(2).all(|w| w[0].1 == w[1].0);
            if contiguous {
                shape.truncate(n - 4);
                spans.truncate(n - 4);
                shape.push("literal".to_string());
                spans.push(span);
            }
        }
    }
    shape.extend(markup);
    shape
}

/// The elements and attributes of markup that a script would write from a string.
fn markup_in_string(markup: &str) -> Vec<String> {
    let context = QualName::new(None, ns!(html), local_name!("body"));
    let dom = parse_fragment(
        RcDom::default(),
        ParseOpts::default(),
        context,
        vec![],
        true,
    )
    .one(markup);
    let mut inner = Shape::default();
    walk(&dom.document, 0, &mut inner);
    let mut out: Vec<String> = inner
        .dom
        .into_iter()
        .map(|d| format!("markup {d}"))
        .collect();
    out.extend(inner.urls.into_iter().map(|u| format!("markup url {u}")));
    out
}

/// The value of a JS string literal's source text (without its quotes).
fn js_unescape(quoted: &str) -> String {
    let body = quoted
        .get(1..quoted.len().saturating_sub(1))
        .unwrap_or_default();
    let mut out = String::new();
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('u') => {
                let hex: String = (0..4).filter_map(|_| chars.next()).collect();
                let code = u32::from_str_radix(&hex, 16).unwrap_or(0xfffd);
                out.push(char::from_u32(code).unwrap_or('\u{fffd}'));
            }
            Some('x') => {
                let hex: String = (0..2).filter_map(|_| chars.next()).collect();
                out.push(char::from(u8::from_str_radix(&hex, 16).unwrap_or(b'?')));
            }
            Some('n') => out.push('\n'),
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

/// The tokens of CSS (CSS Syntax Level 3, 4.3), with strings and url tokens masked.
pub(crate) fn css_shape(css: &str) -> Vec<String> {
    let chars: Vec<char> = css.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let ident_char = |c: char| c.is_alphanumeric() || c == '-' || c == '_' || !c.is_ascii();
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            while i < chars.len() && chars[i].is_whitespace() {
                i += 1;
            }
            out.push("ws".to_string());
        } else if c == '/' && chars.get(i + 1) == Some(&'*') {
            i += 2;
            while i < chars.len() && !(chars[i] == '*' && chars.get(i + 1) == Some(&'/')) {
                i += 1;
            }
            i += 2;
        } else if c == '"' || c == '\'' {
            i += 1;
            while i < chars.len() && chars[i] != c && chars[i] != '\n' {
                i += if chars[i] == '\\' { 2 } else { 1 };
            }
            i += 1;
            out.push("string".to_string());
        } else if ident_char(c) || c == '\\' {
            let mut name = String::new();
            while i < chars.len() && (ident_char(chars[i]) || chars[i] == '\\') {
                if chars[i] == '\\' {
                    i += 1;
                }
                if let Some(&n) = chars.get(i) {
                    name.extend(n.to_lowercase());
                }
                i += 1;
            }
            if chars.get(i) == Some(&'(') {
                out.push(format!("function {name}"));
                i += 1;
            } else {
                out.push(format!("ident {name}"));
            }
        } else {
            out.push(format!("delim {c}"));
            i += 1;
        }
    }
    out
}

/// Panics with the first difference between two shapes, naming the value that caused it.
pub(crate) fn assert_same_shape(benign: &Shape, other: &Shape, what: &str) {
    let parts = [
        ("document", &benign.dom, &other.dom),
        ("URLs", &benign.urls, &other.urls),
    ];
    for (name, a, b) in parts {
        if let Some(d) = first_difference(a, b) {
            panic!("{what} changed the {name}: {d}");
        }
    }
    for (name, a, b) in [
        ("scripts", &benign.scripts, &other.scripts),
        ("CSS", &benign.css, &other.css),
    ] {
        if a.len() != b.len() {
            panic!(
                "{what} changed the number of {name}: {} to {}",
                a.len(),
                b.len()
            );
        }
        for (index, (x, y)) in a.iter().zip(b).enumerate() {
            // ress cannot tokenize some valid scripts (it reads `a++ /` as a regular expression):
            // where it fails on the benign rendering, it cannot judge.
            if x.iter().any(|t| t == "error") {
                continue;
            }
            if let Some(d) = first_difference(x, y) {
                panic!("{what} changed {name} {index}: {d}");
            }
        }
    }
}

fn first_difference(a: &[String], b: &[String]) -> Option<String> {
    let at = a.iter().zip(b).position(|(x, y)| x != y);
    match at {
        Some(i) => Some(format!("at {i}: {:?} became {:?}", a[i], b[i])),
        None if a.len() != b.len() => Some(format!(
            "length {} became {} (then {:?})",
            a.len(),
            b.len(),
            b.get(a.len()).or(a.get(b.len()))
        )),
        None => None,
    }
}

/// A value, shortened for a failure message.
pub(crate) fn short(value: &str) -> String {
    let mut s: String = format!("{value:?}").chars().take(80).collect();
    if value.len() > 60 {
        s.push_str("...");
    }
    s
}
