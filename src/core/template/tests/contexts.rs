//! Where placeholders stand: every position on the allowlist, told apart as a browser reads the
//! markup, the URLs, the CSS and the JavaScript around them.

use super::*;

#[test]
fn each_placeholder_of_a_partner_snippet_is_tagged_with_where_it_stands() {
    let html = r#"<!-- order {{A}} -->
<div title="{{B}}" data-x='{{C}}' data-u={{D}}>Thanks {{E}}</div>
<a href="/thanks?o={{F}}">x</a><img src="https://p.example/i.gif?v={{G}}" style="content:'{{H}}'">
<script>
  fbq('track', 'Purchase', {value: {{I}}, currency: "{{J}}"});
</script>
<style>.x { content: "{{M}}" }</style>"#;
    assert_eq!(
        contexts(html),
        vec![
            COMMENT,
            ATTR,
            ATTR,
            UNQUOTED,
            TEXT,
            url(UrlPart::Query),
            url(UrlPart::Query),
            Context::Html(HtmlPosition::CssString { attr: Some(true) }),
            CODE,
            DOUBLE,
            Context::Html(HtmlPosition::CssString { attr: None }),
        ]
    );
}

#[test]
fn script_ends_at_its_end_tag_in_any_case_even_inside_a_js_string() {
    assert_eq!(context_of("<script>a()</ScRiPt >{{X}}"), TEXT);
    assert_eq!(context_of("<script>var s = \"</script><b>{{X}}</b>"), TEXT);
    assert_eq!(
        context_of("<script>var s = '</scripty>{{X}}'</script>"),
        Context::ScriptString {
            quote: JsQuote::Single,
            inner: Inner::Html(HtmlPosition::Text)
        },
        "a string holding '<' is markup"
    );
    assert_eq!(
        context_of("<SCRIPT type=text/javascript>f({{X}})</SCRIPT>"),
        CODE
    );
}

#[test]
fn old_style_commented_scripts_are_followed_through_their_escaped_states() {
    let found = contexts("<script><!--\nf('{{X}}');\n//--></script><p>{{Y}}</p>");
    assert_eq!(found, vec![SINGLE, TEXT]);
    // In the double-escaped state `</script>` does not end the element.
    let found = contexts("<script><!--\nx='<script>';\n</script>\nf({{X}});\n--></script>{{Y}}");
    assert_eq!(found, vec![CODE, TEXT]);
}

#[test]
fn strings_comments_and_regexes_are_told_apart_in_scripts() {
    for (html, expected) in [
        ("<script>var r = /'/g; var s = \"{{X}}\";</script>", DOUBLE),
        ("<script>var a = b / 2; var s = '{{X}}'</script>", SINGLE),
        ("<script>/* it's */ f({{X}})</script>", CODE),
        ("<script>// don't\nf(\"{{X}}\")</script>", DOUBLE),
        ("<script>var s = 'a\\'b{{X}}'</script>", SINGLE),
        ("<script>var t = a / {{X}};</script>", CODE),
        (
            "<script>return typeof /\"/ == 'x' ? '{{X}}' : 0</script>",
            SINGLE,
        ),
        ("<script>if (a) /'/.test(b); f('{{X}}')</script>", SINGLE),
        ("<script>if (a) {} /'/.test(b); f('{{X}}')</script>", SINGLE),
        ("<script>x = {} / 2; f('{{X}}')</script>", SINGLE),
        ("<script>a++ / 2; f('{{X}}')</script>", SINGLE),
        ("<script>x = a\n++/'/.x; f('{{X}}')</script>", SINGLE),
        (
            "<script>function f() {} /'/.test(b); g('{{X}}')</script>",
            SINGLE,
        ),
        (
            "<script>var f = function () {} / 2; g('{{X}}')</script>",
            SINGLE,
        ),
        ("<script>var q = `a ${b}` / 2; f('{{X}}')</script>", SINGLE),
    ] {
        assert_eq!(context_of(html), expected, "{html}");
    }
}

#[test]
fn block_comments_with_a_line_break_make_a_following_close_comment_a_comment() {
    assert_eq!(
        context_of("<script>/*\n*/--> `\nf('{{X}}')</script>"),
        SINGLE,
        "the backtick is in the HTML-like comment"
    );
    assert_eq!(
        context_of("<script>x = 1 /* */ --> 0; f('{{X}}')</script>"),
        SINGLE,
        "on the same line it is a decrement and a comparison"
    );
    assert_eq!(
        context_of("<script type=module><!-- x\nf('{{X}}')</script>"),
        SINGLE
    );
}

#[test]
fn where_the_grammar_does_not_say_both_readings_are_followed() {
    // An arrow body's `}` followed by `/`: both readings agree again after the statement.
    assert_eq!(
        context_of("<script>x = () => {}\n/a/.test(b); f('{{X}}')</script>"),
        SINGLE
    );
    assert_eq!(
        context_of("<script>var yield = 2; x = yield /1/ 2; f('{{X}}')</script>"),
        SINGLE
    );
}

#[test]
fn rcdata_and_noscript_hold_text_and_style_holds_css_strings() {
    assert_eq!(context_of("<title>{{X}}</title>"), TEXT);
    assert_eq!(context_of("<textarea><b title='{{X}}'></textarea>"), TEXT);
    assert_eq!(
        context_of("<noscript><img src=\"https://p.example/?v={{X}}\"></noscript>"),
        url(UrlPart::Query),
        "noscript content is markup where scripting is off (a template), and text elsewhere"
    );
    assert_eq!(
        context_of("<style>a[title='x'] { content: \"{{X}}\" }</style>"),
        Context::Html(HtmlPosition::CssString { attr: None })
    );
    assert_eq!(context_of("<style>p{}</STYLE><b>{{X}}</b>"), TEXT);
}

#[test]
fn url_attributes_take_values_after_the_host_only() {
    assert_eq!(
        context_of("<img src=\"https://p.example/{{X}}/i.gif\">"),
        url(UrlPart::Path)
    );
    assert_eq!(
        context_of("<img src=\"/i.gif?a={{X}}\">"),
        url(UrlPart::Query)
    );
    assert_eq!(context_of("<a href=\"/{{X}}\">"), url(UrlPart::Path));
    assert_eq!(
        context_of("<a href=\"https://p.example/#{{X}}\">"),
        url(UrlPart::Fragment)
    );
    assert_eq!(
        context_of("<script src=\"https://cdn.p.example/t.js?id={{X}}\"></script>"),
        url(UrlPart::Query)
    );
    assert_eq!(
        context_of("<img src=\"https://p.example/a&#47;{{X}}\">"),
        url(UrlPart::Path),
        "entities are decoded before the position is read"
    );
    assert_eq!(
        context_of("<img src=https://p.example/i.gif?v={{X}}>"),
        Context::Html(HtmlPosition::Url {
            quoted: false,
            part: UrlPart::Query
        })
    );
}

#[test]
fn script_strings_holding_markup_or_an_address_are_read_in_that_inner_context() {
    let inner = |inner| Context::ScriptString {
        quote: JsQuote::Single,
        inner,
    };
    assert_eq!(
        context_of(
            "<script>document.write('<img src=\"https://aff.example/px?c={{X}}\">')</script>"
        ),
        inner(Inner::Html(HtmlPosition::Url {
            quoted: true,
            part: UrlPart::Query
        }))
    );
    assert_eq!(
        context_of("<script>el.innerHTML = '<p>Thanks {{X}}</p>';</script>"),
        inner(Inner::Html(HtmlPosition::Text))
    );
    assert_eq!(
        context_of("<script>var u = 'https://p.example/x?v={{X}}';</script>"),
        inner(Inner::Url(UrlPart::Query))
    );
    assert_eq!(
        context_of("<script>img.src = 'https://p.example/x.gif?v={{X}}';</script>"),
        inner(Inner::Url(UrlPart::Query))
    );
    assert_eq!(
        context_of("<script>var u = 'https:\\/\\/p.example\\/a\\/{{X}}';</script>"),
        inner(Inner::Url(UrlPart::Path)),
        "escapes are decoded before the position is read"
    );
    assert_eq!(
        context_of("<script>fbq('track', 'Purchase: {{X}}');</script>"),
        SINGLE
    );
}

#[test]
fn the_table_of_positions_in_the_design_document_matches_the_engine() {
    use super::super::position::PositionKind;
    let design = include_str!("../../../../docs/DESIGN.md");
    for kind in PositionKind::ALL {
        let row = format!("| `{}` | {} |", kind.name(), kind.safety());
        assert!(design.contains(&row), "docs/DESIGN.md lacks the row {row}");
    }
}

#[test]
fn a_brace_after_a_colon_outside_an_object_may_be_a_labelled_block() {
    // `foo: {}` is a block, so `/'/` is a regular expression and the placeholder is in a string.
    let refused = refusal("<script>foo: {} /'/; x = '{{X}}'</script>");
    assert!(refused
        .message
        .contains("regular expression or as a division"));
    assert_eq!(
        context_of("<script>var o = {a: {}, b: 1 / 2}; f('{{X}}')</script>"),
        SINGLE
    );
}

#[test]
fn a_sink_named_in_brackets_is_the_same_sink() {
    let refused = refusal("<script>location['href'] = '{{X}}';</script>");
    assert!(
        refused.message.contains("scheme or host"),
        "{}",
        refused.message
    );
    let refused = refusal("<script>window[\"eval\"]('f({{X}})');</script>");
    assert!(refused.message.contains("eval"), "{}", refused.message);
    assert_eq!(
        context_of("<script>document['write']('<b>{{X}}</b>');</script>"),
        Context::ScriptString {
            quote: JsQuote::Single,
            inner: Inner::Html(HtmlPosition::Text)
        }
    );
    assert_eq!(context_of("<script>o['note'] = '{{X}}';</script>"), SINGLE);
    assert_eq!(context_of("<script>items[0] = '{{X}}';</script>"), SINGLE);
    assert_eq!(
        context_of("<script>var a = ['x', '{{X}}'];</script>"),
        SINGLE
    );
}
