//! One escaper per place a pixel value can stand. Each appends to the output so that rendering
//! makes a single pass over the template. Every escaper guarantees the same thing for its
//! context: the value stays data and cannot end, open or change the markup around it.

use std::fmt::Write;

/// The URL schemes a value at the start of a URL attribute may choose. Everything else
/// (`javascript:`, `data:`, `vbscript:`, `blob:`, ...) renders as [`BLOCKED_URL`].
const ALLOWED_SCHEMES: [&str; 5] = ["http", "https", "mailto", "tel", "sms"];

/// What a refused URL value renders as: inert, and still a valid URL wherever it lands.
pub const BLOCKED_URL: &str = "about:blank#";

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

/// A value inside a URL after its scheme (authority, path, query or fragment): percent-encode
/// every byte but the RFC 3986 unreserved ones, so it cannot add a path segment, a query
/// parameter or a fragment of its own.
pub fn url_component(out: &mut String, value: &str) {
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
}

/// A value at the very start of a URL attribute, which therefore chooses the scheme. It keeps its
/// URL structure (`https://host/path?q`) but only an allowed scheme passes; anything else,
/// however disguised with case, whitespace or control characters, renders as [`BLOCKED_URL`].
/// Characters that are never literal in a URL are percent-encoded.
pub fn url_start(out: &mut String, value: &str) {
    if !scheme_is_allowed(value) {
        out.push_str(BLOCKED_URL);
        return;
    }
    let bytes = value.as_bytes();
    for (i, &byte) in bytes.iter().enumerate() {
        let keep = byte.is_ascii_alphanumeric()
            || b"-._~:/?#[]@!$&'()*+,;=".contains(&byte)
            || (byte == b'%'
                && bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit));
        if keep {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
}

/// Whether a URL value is relative or uses an allowed scheme. Browsers strip leading and
/// trailing controls and spaces and drop tabs and newlines anywhere, so `" java\tscript:"` is
/// `javascript:`; this check goes further and ignores every control and whitespace character.
pub fn scheme_is_allowed(value: &str) -> bool {
    let mut scheme = String::new();
    for c in value.chars() {
        if c.is_control() || c.is_whitespace() {
            continue;
        }
        match c {
            ':' => break,
            '/' | '?' | '#' | '\\' => return true,
            c if c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.') => {
                scheme.push(c.to_ascii_lowercase())
            }
            // Not a scheme character: the browser reads the value as a relative URL.
            _ => return true,
        }
    }
    let has_colon = value.contains(':');
    let is_scheme = scheme.starts_with(|c: char| c.is_ascii_alphabetic());
    !has_colon || !is_scheme || ALLOWED_SCHEMES.contains(&scheme.as_str())
}

/// Inside a JS string literal of any quote kind: escape every quote kind, backslash, the
/// characters that could end the `<script>` element or open an HTML comment, line terminators,
/// controls, and in template literals `$` so no value can open `${...}`. Only `\uXXXX`, `\\` and
/// the short control escapes are used, so the result is also valid inside JSON.
pub fn js_string(out: &mut String, value: &str, template_literal: bool) {
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' if template_literal => out.push_str("\\u0024"),
            '\'' | '"' | '`' | '<' | '>' | '&' | '\u{2028}' | '\u{2029}' | '\u{7f}' => {
                unicode_escape(out, c)
            }
            c if c.is_ascii_control() => unicode_escape(out, c),
            c => out.push(c),
        }
    }
}

/// Inside a script, outside any string: a JSON literal. A plain decimal becomes a number and
/// anything else a string, so a value can never become code. A negative number gets a leading
/// space so that after a literal `-` it reads as `- -1`, never as the `--` operator.
pub fn json_literal(out: &mut String, value: &str) {
    if is_plain_decimal(value) {
        if value.starts_with('-') {
            out.push(' ');
        }
        out.push_str(value);
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
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => unicode_escape(out, c),
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

/// CSS, in `<style>` or a `style` attribute: every character but an ASCII letter or digit
/// becomes a `\HH ` escape, so a value cannot end a string, a comment, `url(...)`, a
/// declaration or the `<style>` element.
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
