//! How values come out, position by position, and what the main window changes.

use super::*;

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
fn url_values_are_percent_encoded_and_dot_segments_render_empty() {
    let query = "<img src=\"https://p.example/i.gif?v={{X}}\">";
    assert_eq!(
        render_with(query, "a b&c=d/e?f#g\"é%2e"),
        "<img src=\"https://p.example/i.gif?v=a%20b%26c%3Dd%2Fe%3Ff%23g%22%C3%A9%252e\">"
    );
    let path = "<img src=\"https://partner.example/pb/{{X}}/confirm\">";
    for dots in [".", ".."] {
        assert_eq!(
            render_with(path, dots),
            "<img src=\"https://partner.example/pb//confirm\">",
            "{dots:?}"
        );
    }
    assert_eq!(
        render_with(path, "..."),
        "<img src=\"https://partner.example/pb/.../confirm\">"
    );
    assert_eq!(
        render_with(path, ".%2e"),
        "<img src=\"https://partner.example/pb/.%252e/confirm\">",
        "a value's % is encoded, so it spells no dot"
    );
    assert_eq!(
        render_with(
            "<script>var u = 'https://p.example/a/{{X}}/b';</script>",
            ".."
        ),
        "<script>var u = 'https://p.example/a//b';</script>"
    );
}

#[test]
fn script_strings_escape_quotes_markup_and_line_terminators() {
    let single = "<script>f('{{X}}')</script>";
    assert_eq!(
        render_with(
            single,
            "'-alert(1)-'\"`\\</script><!--\u{2028}\u{2029}\n\r\0&$"
        ),
        "<script>f('\\u0027-alert(1)-\\u0027\\u0022\\u0060\\\\\\u003c/script\\u003e\\u003c!--\
         \\u2028\\u2029\\n\\r\\u0000\\u0026$')</script>"
    );
}

#[test]
fn script_strings_holding_markup_or_an_address_escape_for_it_first() {
    let write = "<script>document.write('<img src=\"https://aff.example/px?c={{X}}\">')</script>";
    assert_eq!(
        render_with(write, "\"><img src=x onerror=alert(1)>"),
        "<script>document.write('<img src=\"https://aff.example/px?c=\
         %22%3E%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3E\">')</script>"
    );
    assert_eq!(
        render_with("<script>el.innerHTML = '<p>{{X}}</p>';</script>", "<b>'"),
        "<script>el.innerHTML = '<p>\\u0026lt;b\\u0026gt;\\u0026#39;</p>';</script>"
    );
}

#[test]
fn a_main_window_pixel_drops_angle_brackets_from_script_values_and_says_so() {
    let template =
        PixelTemplate::parse("<p>{{A}}</p><script>f('{{A}}', {{B}}, \"{{C}}\")</script>").unwrap();
    let values = |name: &str| match name {
        "A" => Some("<b>".to_string()),
        "B" => Some("x<y".to_string()),
        _ => Some("plain".to_string()),
    };
    let main = template.render(values, Placement::MainWindow);
    assert_eq!(
        main.html,
        "<p>&lt;b&gt;</p><script>f('b', \"xy\", \"plain\")</script>"
    );
    assert_eq!(main.dropped, vec!["A", "B"]);
    let sandboxed = template.render(values, Placement::Sandbox);
    assert_eq!(
        sandboxed.html,
        "<p>&lt;b&gt;</p><script>f('\\u003cb\\u003e', \"x\\u003cy\", \"plain\")</script>"
    );
    assert!(sandboxed.dropped.is_empty());
}

#[test]
fn script_code_gets_a_json_literal_never_code() {
    let code = "<script>f({{X}})</script>";
    for (value, literal) in [
        ("42", "42"),
        ("-1.5", "(-1.5)"),
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
    assert_eq!(
        render_with("<script>x = 1 -{{X}}</script>", "-2"),
        "<script>x = 1 -(-2)</script>",
        "a negative number cannot merge with a minus before it"
    );
}

#[test]
fn css_string_values_escape_every_non_alphanumeric() {
    assert_eq!(
        render_with("<style>p{content:'{{X}}'}</style>", "a';}</style>"),
        "<style>p{content:'a\\27 \\3b \\7d \\3c \\2f style\\3e '}</style>"
    );
    assert_eq!(
        render_with("<p style=\"content:'{{X}}'\">", "red\"x"),
        "<p style=\"content:'red\\22 x'\">"
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
    let rendered = template.render(
        |name| match name {
            "EMAIL" => Some("A@B.COM".to_string()),
            "NOPE" => Some(String::new()),
            _ => None,
        },
        Placement::Sandbox,
    );
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
