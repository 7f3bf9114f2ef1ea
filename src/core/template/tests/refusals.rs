//! Every position off the allowlist is refused with the line and column of the placeholder, why,
//! and what to write instead.

use super::*;

/// Templates, and what the refusal of their placeholder mentions.
const CASES: &[(&str, &str)] = &[
    ("<{{X}}>", "tag or attribute name"),
    ("<img {{X}}=1>", "tag or attribute name"),
    ("<img data-{{X}}=1>", "tag or attribute name"),
    ("<img src=\"a\"{{X}}>", "tag or attribute name"),
    ("</{{X}}>", "tag or attribute name"),
    ("<!DOCTYPE {{X}}>", "declaration"),
    ("<!{{X}}-- x -->", "declaration"),
    ("<img onerror=\"f('{{X}}')\">", "runs as code"),
    ("<a OnClick={{X}}>", "onclick"),
    ("<iframe srcdoc=\"{{X}}\"></iframe>", "srcdoc attribute"),
    ("<a id=\"{{X}}\" href=/>", "replace globals"),
    ("<input NAME='{{X}}'>", "replace globals"),
    ("<input type='{{X}}'>", "type attribute"),
    ("<a target='{{X}}' href=/>", "target attribute"),
    ("<img srcset='/a.gif?{{X}} 1x'>", "srcset attribute"),
    (
        "<meta http-equiv=refresh content=\"0;url=https://p.example/?{{X}}\">",
        "<meta>",
    ),
    ("<base href=\"https://p.example/?{{X}}\">", "<base>"),
    ("<xmp>{{X}}</xmp>", "inside <xmp>"),
    ("<iframe>{{X}}</iframe>", "inside <iframe>"),
    ("<plaintext>{{X}}", "inside <plaintext>"),
    ("<svg><text>{{X}}</text></svg>", "<svg>"),
    ("<svg></svg><p>{{X}}</p>", "<svg>"),
    ("<p>&{{X}}</p>", "character reference"),
    ("<img alt=\"&am{{X}}\">", "character reference"),
    ("<script>a<{{X}}</script>", "directly follows '<'"),
    ("<script>'</scr{{X}}'</script>", "directly follows '<'"),
    ("<style></sty{{X}}</style>", "inside <style>"),
    ("<title></tit{{X}}</title>", "inside <title>"),
    ("<script>// {{X}}\n</script>", "JavaScript comment"),
    ("<script>/* {{X}} */</script>", "JavaScript comment"),
    ("<script>x = /a{{X}}/</script>", "regular expression"),
    ("<script>x = /{{X}}/</script>", "regular expression"),
    (
        "<script>if (a) /x{{X}}/.test(b)</script>",
        "regular expression",
    ),
    ("<script>x = 'a\\{{X}}'</script>", "backslash"),
    ("<script>x = 'a\\x4{{X}}'</script>", "backslash"),
    ("<script>x = `{{X}}`</script>", "template literal"),
    ("<script>x = `${ {{X}} }`</script>", "template literal"),
    ("<script>x = a{{X}}</script>", "merge"),
    ("<script>x = a {{X}}</script>", "operator is expected"),
    ("<script>f({a: 1 {{X}}})</script>", "operator is expected"),
    (
        "<script>x = () => {}\n/'/.test(b); f('{{X}}')</script>",
        "regular expression or as a division",
    ),
    ("<script>eval('f({{X}})')</script>", "eval"),
    (
        "<script>setTimeout('f(\"{{X}}\")', 10)</script>",
        "setTimeout",
    ),
    (
        "<script>new Function('return {{X}}')()</script>",
        "Function",
    ),
    ("<script>document.write({{X}})</script>", "document.write"),
    (
        "<script>document.write('<img src=\"' + '{{X}}' + '\">')</script>",
        "after other parts",
    ),
    (
        "<script>document.write('<img onerror=\"{{X}}\">')</script>",
        "runs as code",
    ),
    (
        "<script>el.innerHTML = '<img src=x alt={{X}}>';</script>",
        "quote the value",
    ),
    ("<script>s.src = '{{X}}';</script>", "scheme or host"),
    (
        "<script>s.src = 'https://{{X}}.example/t.js';</script>",
        "scheme or host",
    ),
    (
        "<script>s.src = 'https://p.example/{{X}}/t.js';</script>",
        "outside the query of .src",
    ),
    (
        "<script>import('/x/{{X}}.js')</script>",
        "outside the query",
    ),
    (
        "<script>location = 'javascript:{{X}}'</script>",
        "javascript: address",
    ),
    (
        "<script>var h = '{{A}} <img src=\"/x?{{B}}\">';</script>",
        "split the string",
    ),
    ("<a href=\"{{X}}\">", "scheme or host"),
    ("<img src=\"/{{X}}/p.example/x.gif\">", "scheme or host"),
    (
        "<img src=\"/{{A}}{{B}}\\p.example/x.gif\">",
        "scheme or host",
    ),
    ("<a href=\"java{{X}}\">", "scheme or host"),
    ("<a href=\"//{{X}}/x\">", "scheme or host"),
    ("<a href=\"https://p.example:{{X}}/\">", "scheme or host"),
    ("<a href=\"javascript:{{X}}\">", "javascript: address"),
    ("<a href=\"mailto:{{X}}\">", "mailto: address"),
    ("<a href=\"&#106;avascript:{{X}}\">", "javascript: address"),
    (
        "<script src=\"/&#47;{{X}}/x.js\"></script>",
        "scheme or host",
    ),
    ("<script src=\"/\t/{{X}}/x.js\"></script>", "scheme or host"),
    (
        "<script src=\"https://cdn.example/&#46;{{X}}/x.js\"></script>",
        "outside the query",
    ),
    (
        "<iframe src=\"https://p.example/{{X}}\"></iframe>",
        "<iframe src>",
    ),
    (
        "<link rel=stylesheet href=\"https://p.example/a.css#{{X}}\">",
        "<link href>",
    ),
    ("<object data=\"/x/{{X}}\"></object>", "<object data>"),
    ("<embed src=\"/x/{{X}}\">", "<embed src>"),
    ("<img src=\"https://p.example/.{{X}}/x\">", "only dots"),
    ("<img src=\"https://p.example/{{X}}%2e/x\">", "only dots"),
    ("<style>@import \"{{X}}\";</style>", "@import"),
    ("<style>p { background: url({{X}}) }</style>", "url()"),
    ("<style>p { background: url('{{X}}') }</style>", "url()"),
    ("<style>p { background: u\\72l('{{X}}') }</style>", "url()"),
    ("<p style=\"background:url({{X}})\">", "url()"),
    ("<p style=\"background:url(&quot;{{X}}&quot;)\">", "url()"),
    ("<p style=\"x:expression('{{X}}')\">", "expression()"),
    (
        "<p style=\"background:image-set('{{X}}' 1x)\">",
        "image-set()",
    ),
    (
        "<style>p { width: {{X}}px }</style>",
        "outside a quoted string",
    ),
    ("<style>/* {{X}} */</style>", "CSS comment"),
    (
        "<noscript><!-- </noscript> --></noscript><p>{{X}}</p>",
        "with and without scripts",
    ),
];

#[test]
fn placeholders_where_no_escaping_is_safe_are_refused_with_advice() {
    for (html, expected) in CASES {
        let error = refusal(html);
        assert!(
            error.message.contains(expected),
            "{html}: {:?} should mention {expected:?}",
            error.message
        );
        assert!(
            error.message.contains("{{"),
            "{html}: names the placeholder"
        );
    }
}

#[test]
fn a_refusal_points_at_the_line_and_column_of_the_offending_placeholder() {
    let err = PixelTemplate::parse("<p>{{OK}}</p>\n  <img {{BAD}}=1>").unwrap_err();
    assert_eq!((err.offset, err.line, err.column), (21, 2, 8));
    assert!(err
        .message
        .starts_with("{{BAD}} stands in a tag or attribute name"));
    assert_eq!(
        err.to_string(),
        format!("line 2, column 8: {}", err.message)
    );
    let malformed = PixelTemplate::parse("é\n<p>{{value}}</p>").unwrap_err();
    assert_eq!((malformed.line, malformed.column), (2, 4));
    assert!(malformed.message.contains("UPPER_SNAKE_CASE"));
    let late = PixelTemplate::parse("<img src=\"https://p.example/{{X}}.\">").unwrap_err();
    assert_eq!(
        (late.line, late.column),
        (1, 29),
        "a refusal found after the placeholder still names it"
    );
}
