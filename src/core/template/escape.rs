//! One escaper per place a pixel value can stand, and [`escape_into`], which composes them for a
//! [`Context`] (inner context first, then the outer one). Each appends to the output so that
//! rendering makes a single pass over the template. Every escaper guarantees the same thing for
//! its context: the value stays data and cannot end, open or change the markup around it.

use super::position::{Context, HtmlPosition, Inner};
use std::fmt::Write;

/// Append `value`, escaped for `context`, to `out`.
pub fn escape_into(context: Context, out: &mut String, value: &str) {
    match context {
        Context::Html(position) => html_position(out, position, value),
        Context::ScriptString { inner, .. } => {
            let mut inner_text = String::new();
            let text = match inner {
                Inner::Plain => value,
                Inner::Html(position) => {
                    html_position(&mut inner_text, position, value);
                    &inner_text
                }
                Inner::Url(_) => {
                    url_component(&mut inner_text, value);
                    &inner_text
                }
            };
            js_string(out, text);
        }
        Context::ScriptCode => json_literal(out, value),
    }
}

fn html_position(out: &mut String, position: HtmlPosition, value: &str) {
    match position {
        HtmlPosition::Text => html_text(out, value),
        HtmlPosition::Comment => html_comment(out, value),
        HtmlPosition::Attr { quoted } => attr(out, value, quoted),
        HtmlPosition::Url { quoted, .. } => {
            let mut url = String::with_capacity(value.len() + 8);
            url_component(&mut url, value);
            attr(out, &url, quoted);
        }
        HtmlPosition::CssString { attr: None } => css(out, value),
        HtmlPosition::CssString { attr: Some(quoted) } => {
            let mut text = String::with_capacity(value.len() + 8);
            css(&mut text, value);
            attr(out, &text, quoted);
        }
    }
}

/// Longest value rendered as a bare JS number; longer digit runs would lose precision.
const MAX_JS_NUMBER_LEN: usize = 20;

/// HTML text and quoted attribute values: entity-escape everything that could end the text or
/// the attribute, or begin markup. NUL becomes U+FFFD, as the HTML parser would make it anyway.
pub fn html_text(out: &mut String, value: &str) {
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '`' => out.push_str("&#96;"),
            '=' => out.push_str("&#61;"),
            '\0' => out.push_str("&#xfffd;"),
            _ => out.push(c),
        }
    }
}

/// Unquoted attribute values: every character but an ASCII letter or digit becomes a numeric
/// character reference, so that no value can contain the space or `>` that ends the attribute.
pub fn unquoted_attr(out: &mut String, value: &str) {
    for c in value.chars() {
        match c {
            c if c.is_ascii_alphanumeric() => out.push(c),
            '\0' => out.push_str("&#xfffd;"),
            c => {
                let _ = write!(out, "&#x{:x};", u32::from(c));
            }
        }
    }
}

/// Attribute escaping by quoting, applied after any inner (URL or CSS) escaping.
pub fn attr(out: &mut String, value: &str, quoted: bool) {
    if quoted {
        html_text(out, value);
    } else {
        unquoted_attr(out, value);
    }
}

/// A value inside a URL after its authority (path, query or fragment): percent-encode every byte
/// but the RFC 3986 unreserved ones, so it cannot add a path segment, a query parameter or a
/// fragment of its own. A `%` is encoded too, so no `%2e` spelling of a dot comes from a value.
pub fn url_component(out: &mut String, value: &str) {
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
}

/// Inside a JS string literal of either quote kind: escape both quotes and the backtick,
/// backslash, the characters that could end the `<script>` element or open an HTML comment, line
/// terminators and controls. Only `\uXXXX`, `\\` and the short control escapes are used, so the
/// result is also valid inside JSON.
pub fn js_string(out: &mut String, value: &str) {
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\'' | '"' | '`' | '<' | '>' | '&' | '\u{2028}' | '\u{2029}' | '\u{7f}' => {
                unicode_escape(out, c)
            }
            c if c.is_ascii_control() => unicode_escape(out, c),
            c => out.push(c),
        }
    }
}

/// Inside a script, outside any string: a JSON literal. A plain decimal becomes a number and
/// anything else a string, so a value can never become code. A negative number is wrapped in
/// parentheses, `(-1.5)`, so that its minus cannot join an operator before it (`x -(-1.5)`, never
/// `x --1.5`). Single quotes and backticks are escaped too, so the literal stays inert even
/// inside a string another reading might see.
pub fn json_literal(out: &mut String, value: &str) {
    if is_plain_decimal(value) {
        if value.starts_with('-') {
            out.push('(');
            out.push_str(value);
            out.push(')');
        } else {
            out.push_str(value);
        }
        return;
    }
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\'' | '`' | '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => unicode_escape(out, c),
            c if c.is_ascii_control() => unicode_escape(out, c),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// `-?(0|[1-9][0-9]*)(\.[0-9]+)?`, short enough to stay exact as a JS number.
fn is_plain_decimal(value: &str) -> bool {
    if value.is_empty() || value.len() > MAX_JS_NUMBER_LEN {
        return false;
    }
    let unsigned = value.strip_prefix('-').unwrap_or(value);
    let (int, frac) = match unsigned.split_once('.') {
        Some((int, frac)) => (int, Some(frac)),
        None => (unsigned, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    digits(int) && (int == "0" || !int.starts_with('0')) && frac.is_none_or(digits)
}

fn unicode_escape(out: &mut String, c: char) {
    let _ = write!(out, "\\u{:04x}", u32::from(c));
}

/// Inside a CSS string literal, in `<style>` or a `style` attribute: every character but an ASCII
/// letter or digit becomes a `\HH ` escape (CSS Syntax Level 3, 4.3.7), so a value cannot end the
/// string, the declaration or the `<style>` element.
pub fn css(out: &mut String, value: &str) {
    for c in value.chars() {
        match c {
            c if c.is_ascii_alphanumeric() => out.push(c),
            '\0' => out.push_str("\\fffd "),
            c => {
                let _ = write!(out, "\\{:x} ", u32::from(c));
            }
        }
    }
}

/// Inside an HTML comment: entity-escape `<`, `>`, `-`, `!` and `&`, so a value can neither
/// close the comment (`-->`, `--!>`) nor open another (`<!--`). An empty value renders as one
/// space, because `<!--` or `--` followed directly by `>` would close the comment early.
pub fn html_comment(out: &mut String, value: &str) {
    if value.is_empty() {
        out.push(' ');
        return;
    }
    for c in value.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '-' => out.push_str("&#45;"),
            '!' => out.push_str("&#33;"),
            '&' => out.push_str("&amp;"),
            '\0' => out.push_str("&#xfffd;"),
            c => out.push(c),
        }
    }
}
