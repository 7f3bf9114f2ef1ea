//! Where placeholders stand, and exactly how their values come out, context by context.

use super::pixel::{Context, JsQuote, PixelTemplate, UrlPart};

fn contexts(html: &str) -> Vec<(String, Context)> {
    let template = PixelTemplate::parse(html).unwrap_or_else(|e| panic!("{html}: {e}"));
    template
        .placeholders()
        .map(|(p, c)| (p.name.clone(), c))
        .collect()
}

fn context_of(html: &str) -> Context {
    let found = contexts(html);
    assert_eq!(found.len(), 1, "{html}");
    found[0].1
}

fn render_with(html: &str, value: &str) -> String {
    let value = value.to_string();
    PixelTemplate::parse(html)
        .unwrap_or_else(|e| panic!("{html}: {e}"))
        .render(|_| Some(value.clone()))
        .html
}

fn refusal(html: &str) -> String {
    match PixelTemplate::parse(html) {
        Ok(t) => panic!(
            "{html} was accepted: {:?}",
            t.placeholders().collect::<Vec<_>>()
        ),
        Err(e) => e.message,
    }
}

const URL_START: Context = Context::UrlAttr {
    quoted: true,
    part: UrlPart::Start,
};
const URL_COMPONENT: Context = Context::UrlAttr {
    quoted: true,
    part: UrlPart::AfterScheme,
};

#[test]
fn each_placeholder_of_a_partner_snippet_is_tagged_with_where_it_stands() {
    let html = r#"<!-- order {{A}} -->
<div title="{{B}}" data-x='{{C}}' data-u={{D}}>Thanks {{E}}</div>
<a href="{{F}}">x</a><img src="https://p.example/i.gif?v={{G}}" style="color:{{H}}">
<script>
  fbq('track', 'Purchase', {value: {{I}}, currency: "{{J}}", note: `x ${ {{K}} } {{L}}`});
</script>
<style>.x { width: {{M}}px }</style>"#;
    let found: Vec<Context> = contexts(html).into_iter().map(|(_, c)| c).collect();
    assert_eq!(
        found,
        vec![
            Context::HtmlComment,
            Context::QuotedAttr,
            Context::QuotedAttr,
            Context::UnquotedAttr,
            Context::HtmlText,
            URL_START,
            URL_COMPONENT,
            Context::StyleAttr { quoted: true },
            Context::ScriptCode,
            Context::ScriptString(JsQuote::Double),
            Context::ScriptCode,
            Context::ScriptString(JsQuote::Backtick),
            Context::Style,
        ]
    );
}

#[test]
fn script_ends_at_its_end_tag_in_any_case_even_inside_a_js_string() {
    assert_eq!(context_of("<script>a()</ScRiPt >{{X}}"), Context::HtmlText);
    assert_eq!(
        context_of("<script>var s = \"</script><b>{{X}}</b>"),
        Context::HtmlText
    );
    assert_eq!(
        context_of("<script>var s = '</scripty>{{X}}'</script>"),
        Context::ScriptString(JsQuote::Single)
    );
    assert_eq!(
        context_of("<SCRIPT type=text/javascript>f({{X}})</SCRIPT>"),
        Context::ScriptCode
    );
}

#[test]
fn old_style_commented_scripts_are_followed_through_their_escaped_states() {
    let found = contexts("<script><!--\nf('{{X}}');\n//--></script><p>{{Y}}</p>");
    assert_eq!(found[0].1, Context::ScriptString(JsQuote::Single));
    assert_eq!(found[1].1, Context::HtmlText);
    // In the double-escaped state `</script>` does not end the element.
    let found = contexts("<script><!--\nx='<script>';\n</script>\nf({{X}});\n--></script>{{Y}}");
    assert_eq!(found[0].1, Context::ScriptCode);
    assert_eq!(found[1].1, Context::HtmlText);
}

#[test]
fn strings_comments_and_regexes_are_told_apart_in_scripts() {
    assert_eq!(
        context_of("<script>var r = /'/g; var s = \"{{X}}\";</script>"),
        Context::ScriptString(JsQuote::Double)
    );
    assert_eq!(
        context_of("<script>var a = b / 2; var s = '{{X}}'</script>"),
        Context::ScriptString(JsQuote::Single)
    );
    assert_eq!(
        context_of("<script>/* it's */ f({{X}})</script>"),
        Context::ScriptCode
    );
    assert_eq!(
        context_of("<script>// don't\nf(\"{{X}}\")</script>"),
        Context::ScriptString(JsQuote::Double)
    );
    assert_eq!(
        context_of("<script>var s = 'a\\'b{{X}}'</script>"),
        Context::ScriptString(JsQuote::Single)
    );
    assert_eq!(
        context_of("<script>var t = a / {{X}};</script>"),
        Context::ScriptCode
    );
    assert_eq!(
        context_of("<script>return typeof /\"/ == 'x' ? '{{X}}' : 0</script>"),
        Context::ScriptString(JsQuote::Single)
    );
}

#[test]
fn template_literals_nest_through_their_substitutions() {
    let found = contexts("<script>var t = `a ${ `b ${ {{X}} }` + {a: 1}.a } {{Y}}`;</script>");
    assert_eq!(found[0].1, Context::ScriptCode);
    assert_eq!(found[1].1, Context::ScriptString(JsQuote::Backtick));
    assert_eq!(
        context_of("<script>var q = `a ${b}` / 2; f('{{X}}')</script>"),
        Context::ScriptString(JsQuote::Single),
        "the end of a substitution is no block"
    );
}

#[test]
fn rcdata_and_noscript_hold_text_and_style_holds_css() {
    assert_eq!(context_of("<title>{{X}}</title>"), Context::HtmlText);
    assert_eq!(
        context_of("<textarea><b title='{{X}}'></textarea>"),
        Context::HtmlText
    );
    assert_eq!(
        context_of("<noscript><img src=\"https://p.example/?v={{X}}\"></noscript>"),
        Context::HtmlText
    );
    assert_eq!(
        context_of("<style>a[title='x'] { content: \"{{X}}\" }</style>"),
        Context::Style
    );
    assert_eq!(
        context_of("<style>p{}</STYLE><b>{{X}}</b>"),
        Context::HtmlText
    );
}

#[test]
fn url_attributes_know_whether_the_value_starts_the_address() {
    assert_eq!(context_of("<a href=\"{{X}}\">"), URL_START);
    assert_eq!(context_of("<a href=\" \n{{X}}/path\">"), URL_START);
    assert_eq!(context_of("<a href=\"{{X}}&utm_source=x\">"), URL_START);
    assert_eq!(
        context_of("<img src=\"https://p.example/{{X}}/i.gif\">"),
        URL_COMPONENT
    );
    assert_eq!(context_of("<img src=\"//{{X}}/i.gif\">"), URL_COMPONENT);
    assert_eq!(context_of("<img src=\"/i.gif?a={{X}}\">"), URL_COMPONENT);
    assert_eq!(
        context_of("<form action='mailto:a@b.example?subject={{X}}'>"),
        URL_COMPONENT
    );
    assert_eq!(
        context_of("<script src=\"https://cdn.p.example/t.js?id={{X}}\"></script>"),
        URL_COMPONENT
    );
    assert_eq!(
        context_of("<img src=https://p.example/i.gif?v={{X}}>"),
        Context::UrlAttr {
            quoted: false,
            part: UrlPart::AfterScheme
        }
    );
}

#[test]
fn placeholders_where_no_escaping_is_safe_are_refused_with_advice() {
    let cases = [
        ("<{{X}}>", "tag or attribute name"),
        ("<img {{X}}=1>", "tag or attribute name"),
        ("<img data-{{X}}=1>", "tag or attribute name"),
        ("<img src=\"a\"{{X}}>", "tag or attribute name"),
        ("</{{X}}>", "tag or attribute name"),
        ("<!DOCTYPE {{X}}>", "declaration"),
        ("<img onerror=\"f('{{X}}')\">", "event-handler"),
        ("<a OnClick={{X}}>", "onclick"),
        ("<iframe srcdoc=\"{{X}}\"></iframe>", "srcdoc"),
        ("<a id=\"{{X}}\" href=/>", "id or name"),
        ("<input NAME='{{X}}'>", "id or name"),
        (
            "<meta http-equiv=refresh content=\"0;url={{X}}\">",
            "<meta>",
        ),
        ("<base href=\"{{X}}\">", "<meta> or <base>"),
        ("<xmp>{{X}}</xmp>", "inside <xmp>"),
        ("<iframe>{{X}}</iframe>", "inside <iframe>"),
        ("<plaintext>{{X}}", "inside <plaintext>"),
        ("<svg><text>{{X}}</text></svg>", "<svg>"),
        ("<svg></svg><p>{{X}}</p>", "<svg>"),
        ("<script>a<{{X}}</script>", "directly follows '<'"),
        ("<script>'</scr{{X}}'</script>", "directly follows '<'"),
        ("<style></sty{{X}}</style>", "inside <style>"),
        ("<title></tit{{X}}</title>", "inside <title>"),
        ("<script>// {{X}}\n</script>", "JavaScript comment"),
        ("<script>/* {{X}} */</script>", "JavaScript comment"),
        ("<script>x = /a{{X}}/</script>", "regular expression"),
        ("<script>x = /{{X}}/</script>", "regular expression"),
        ("<script>x = 'a\\{{X}}'</script>", "backslash"),
        ("<script>x = `$${{X}}`</script>", "template literal"),
        (
            "<script>if (a) {} /'/.test(b); f('{{X}}')</script>",
            "follows '}'",
        ),
        ("<script>x = {} /{{X}}</script>", "follows '}'"),
        ("<a href=\"java{{X}}\">", "scheme"),
        ("<a href=\"{{A}}{{B}}\">", "scheme"),
        ("<a href=\"{{X}}:alert(1)\">", "followed by ':'"),
        ("<a href=\"{{X}}&colon;alert(1)\">", "character reference"),
        ("<a href=\"{{X}}&#58alert(1)\">", "character reference"),
        ("<a href=\"javascript:{{X}}\">", "javascript: address"),
        ("<a href=\"JavaScript:f('{{X}}')\">", "javascript: address"),
        ("<a href=\"data:text/html,{{X}}\">", "data: address"),
        ("<a href=\"&#106;avascript:{{X}}\">", "character reference"),
        (
            "<a href=\"&#x6a;avascript&#58;/{{X}}\">",
            "character reference",
        ),
        ("<script src=\"{{X}}\"></script>", "host that code"),
        (
            "<script src=\"https://{{X}}/t.js\"></script>",
            "host that code",
        ),
        (
            "<script src=\"//{{X}}.example/t.js\"></script>",
            "host that code",
        ),
        ("<link rel=stylesheet href=\"{{X}}\">", "host that code"),
        ("<iframe src=\"https:{{X}}\"></iframe>", "host that code"),
    ];
    for (html, expected) in cases {
        let message = refusal(html);
        assert!(
            message.contains(expected),
            "{html}: {message:?} should mention {expected:?}"
        );
        assert!(message.contains("{{"), "{html}: names the placeholder");
    }
}

#[test]
fn a_refusal_points_at_the_offending_placeholder() {
    let err = PixelTemplate::parse("<p>{{OK}}</p><img {{BAD}}=1>").unwrap_err();
    assert_eq!(err.offset, 18);
    assert!(err
        .message
        .starts_with("{{BAD}} stands in a tag or attribute name"));
    let malformed = PixelTemplate::parse("<p>{{value}}</p>").unwrap_err();
    assert_eq!(malformed.offset, 3);
    assert!(malformed.message.contains("UPPER_SNAKE_CASE"));
}

#[test]
fn html_text_and_quoted_attributes_are_entity_escaped() {
    let hostile = "<b x=\"1\" y='2'>&`\0";
    let expected = "&lt;b x&#61;&quot;1&quot; y&#61;&#39;2&#39;&gt;&amp;&#96;&#xfffd;";
    assert_eq!(
        render_with("<p>{{X}}</p>", hostile),
        format!("<p>{expected}</p>")
    );
    assert_eq!(
        render_with("<p title='{{X}}'>", hostile),
        format!("<p title='{expected}'>")
    );
}

#[test]
fn unquoted_attributes_are_quoted_and_every_non_alphanumeric_escaped() {
    assert_eq!(
        render_with("<img alt={{X}} src=/a.gif>", "a b>c"),
        "<img alt=\"a&#x20;b&#x3e;c\" src=/a.gif>"
    );
    assert_eq!(
        render_with("<img alt={{X}} src=/a.gif>", ""),
        "<img alt=\"\" src=/a.gif>",
        "an empty value cannot swallow the next attribute"
    );
    assert_eq!(
        render_with("<img alt=x\"{{X}}y>", "é"),
        "<img alt=\"x&quot;&#xe9;y\">"
    );
}

#[test]
fn url_values_are_percent_encoded_and_dangerous_schemes_refused() {
    let query = "<img src=\"https://p.example/i.gif?v={{X}}\">";
    assert_eq!(
        render_with(query, "a b&c=d/e?f#g\"é"),
        "<img src=\"https://p.example/i.gif?v=a%20b%26c%3Dd%2Fe%3Ff%23g%22%C3%A9\">"
    );
    let start = "<a href=\"{{X}}\">";
    assert_eq!(
        render_with(start, "https://shop.example/a b?x=1&y=\"2\""),
        "<a href=\"https://shop.example/a%20b?x&#61;1&amp;y&#61;%222%22\">"
    );
    assert_eq!(
        render_with(start, "/thanks?o=5%20"),
        "<a href=\"/thanks?o&#61;5%20\">"
    );
    for hostile in [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        " \u{1}javascript:alert(1)",
        "java\tscript:alert(1)",
        "java\nscript:alert(1)",
        "java\0script:alert(1)",
        "data:text/html;base64,PHNjcmlwdD4=",
        "vbscript:msgbox(1)",
        "DATA:,x",
    ] {
        assert_eq!(
            render_with(start, hostile),
            "<a href=\"about:blank#\">",
            "{hostile:?}"
        );
    }
    assert_eq!(
        render_with(start, "&#106;avascript:alert(1)"),
        "<a href=\"&amp;#106;avascript:alert(1)\">",
        "an entity in a value stays literal text, so it names no scheme"
    );
}

#[test]
fn script_strings_escape_quotes_markup_and_line_terminators() {
    let single = "<script>f('{{X}}')</script>";
    assert_eq!(
        render_with(
            single,
            "'-alert(1)-'\"`\\</script><!--\u{2028}\u{2029}\n\r\0&"
        ),
        "<script>f('\\u0027-alert(1)-\\u0027\\u0022\\u0060\\\\\\u003c/script\\u003e\\u003c!--\
         \\u2028\\u2029\\n\\r\\u0000\\u0026')</script>"
    );
    assert_eq!(
        render_with("<script>f(`{{X}}`)</script>", "${alert(1)}`"),
        "<script>f(`\\u0024{alert(1)}\\u0060`)</script>"
    );
    assert_eq!(
        render_with("<script>f(\"{{X}}\")</script>", "a$b"),
        "<script>f(\"a$b\")</script>"
    );
}

#[test]
fn script_code_gets_a_json_literal_never_code() {
    let code = "<script>f({{X}})</script>";
    for (value, literal) in [
        ("42", "42"),
        ("-1.5", " -1.5"),
        ("0.25", "0.25"),
        ("", "\"\""),
        ("007", "\"007\""),
        ("1e3", "\"1e3\""),
        ("Infinity", "\"Infinity\""),
        ("12345678901234567890123", "\"12345678901234567890123\""),
        ("alert(1)", "\"alert(1)\""),
        ("\"+alert(1)+\"", "\"\\\"+alert(1)+\\\"\""),
        ("</script>", "\"\\u003c/script\\u003e\""),
        ("a\u{2028}b\\", "\"a\\u2028b\\\\\""),
    ] {
        assert_eq!(
            render_with(code, value),
            format!("<script>f({literal})</script>"),
            "{value:?}"
        );
    }
}

#[test]
fn a_negative_number_cannot_merge_with_a_minus_before_it() {
    assert_eq!(
        render_with("<script>x = 1 -{{X}}</script>", "-2"),
        "<script>x = 1 - -2</script>"
    );
}

#[test]
fn css_values_escape_every_non_alphanumeric() {
    assert_eq!(
        render_with("<style>p{color:{{X}}}</style>", "red;}</style>"),
        "<style>p{color:red\\3b \\7d \\3c \\2f style\\3e }</style>"
    );
    assert_eq!(
        render_with("<p style=\"color:{{X}}\">", "red\"x"),
        "<p style=\"color:red\\22 x\">"
    );
    assert_eq!(
        render_with("<p style=color:{{X}}>", "a b"),
        "<p style=\"color:a&#x5c;20&#x20;b\">"
    );
}

#[test]
fn comment_values_cannot_close_or_nest_the_comment() {
    assert_eq!(
        render_with("<!--{{X}}-->", "--><script>--!><!--"),
        "<!--&#45;&#45;&gt;&lt;script&gt;&#45;&#45;&#33;&gt;&lt;&#33;&#45;&#45;-->"
    );
    assert_eq!(
        render_with("<!--{{X}}>", ""),
        "<!-- >",
        "an empty value cannot make <!--> close the comment"
    );
}

#[test]
fn filters_apply_before_escaping_and_missing_names_are_listed_once() {
    let template = PixelTemplate::parse(
        "<script>f('{{EMAIL|lower|sha256}}', {{VALUE|default:0}}, '{{NOPE}}', \"{{NOPE}}\", {{ALSO_MISSING}})</script>",
    )
    .unwrap();
    let rendered = template.render(|name| match name {
        "EMAIL" => Some("A@B.COM".to_string()),
        "NOPE" => Some(String::new()),
        _ => None,
    });
    assert_eq!(
        rendered.html,
        "<script>f('fb98d44ad7501a959f3f4f4a3f004fe2d9e581ea6207e218c4b02c08a4d75adf', 0, '', \"\", \"\")</script>"
    );
    assert_eq!(rendered.unresolved, vec!["VALUE", "NOPE", "ALSO_MISSING"]);
    let names: Vec<&str> = template.placeholder_names().collect();
    assert_eq!(
        names,
        vec!["EMAIL", "VALUE", "NOPE", "NOPE", "ALSO_MISSING"]
    );
}

#[test]
fn literal_text_is_kept_byte_for_byte() {
    let html = "<!doctype html><p class=a>Hi &amp; <b>there</b></p><script>if (a < b) {}</script>";
    assert_eq!(render_with(html, "unused"), html);
}
