//! The encodings of a built request (see the rules in [`super`]): strict RFC 3986
//! percent-encoding, where a URL placeholder stands, JSON numbers and objects in the configured
//! order, and header-safe values.

use super::{Rendered, NUMERIC_PARAMS};
use crate::core::template::{Filter, Segment, TextTemplate};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// Strict RFC 3986: escape everything but the unreserved characters.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

pub(super) fn encode(text: &str) -> String {
    utf8_percent_encode(text, COMPONENT).to_string()
}

/// Where in the URL text a placeholder stands, judged from what precedes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum UrlPart {
    SchemeOrHost,
    PathQueryOrFragment,
}

pub(super) fn url_part(before: &str) -> UrlPart {
    let after_scheme = before.find("://").map(|i| &before[i + 3..]);
    match after_scheme {
        Some(authority_and_more) if authority_and_more.contains(['/', '\\', '?', '#']) => {
            UrlPart::PathQueryOrFragment
        }
        _ => UrlPart::SchemeOrHost,
    }
}

/// The JSON-number rule: the value is exactly one placeholder, with no text around it, naming
/// a [`NUMERIC_PARAMS`] entry, with no filter but `default:`, and its rendered text is a JSON
/// number literal. Anything else — literal text, custom attributes (whose type a string map
/// cannot tell), `sha256`, an empty value — is a JSON string.
pub(super) fn is_numeric_template(template: &TextTemplate) -> bool {
    matches!(template.segments(), [Segment::Placeholder(p)]
        if NUMERIC_PARAMS.contains(&p.name.as_str())
            && p.filters.iter().all(|f| matches!(f, Filter::Default(_))))
}

/// RFC 8259 number grammar: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
pub(super) fn is_json_number(text: &str) -> bool {
    let digits = |s: &str| -> usize { s.bytes().take_while(u8::is_ascii_digit).count() };
    let mut rest = text.strip_prefix('-').unwrap_or(text);
    let int = digits(rest);
    if int == 0 || (int > 1 && rest.starts_with('0')) {
        return false;
    }
    rest = &rest[int..];
    if let Some(fraction) = rest.strip_prefix('.') {
        let n = digits(fraction);
        if n == 0 {
            return false;
        }
        rest = &fraction[n..];
    }
    if let Some(exponent) = rest.strip_prefix(['e', 'E']) {
        let exponent = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
        let n = digits(exponent);
        if n == 0 {
            return false;
        }
        rest = &exponent[n..];
    }
    rest.is_empty()
}

/// Append `name=value` pairs after the URL's own query, which is kept byte for byte.
pub(super) fn append_query(url: &mut url::Url, params: &[(&str, Rendered)]) {
    if params.is_empty() {
        return;
    }
    let mut query = url.query().unwrap_or("").to_string();
    for (name, value) in params {
        if !query.is_empty() && !query.ends_with('&') {
            query.push('&');
        }
        query.push_str(&encode(name));
        query.push('=');
        query.push_str(&encode(&value.text));
    }
    url.set_query(Some(&query));
}

/// A JSON object in the configured order. A repeated name keeps its first position and its
/// last value, as assigning the rows one by one to an object would.
pub(super) fn json_object(params: &[(&str, Rendered)]) -> String {
    let mut fields: Vec<(&str, &Rendered)> = Vec::with_capacity(params.len());
    for (name, value) in params {
        match fields.iter_mut().find(|(n, _)| n == name) {
            Some(field) => field.1 = value,
            None => fields.push((name, value)),
        }
    }
    let members: Vec<String> = fields
        .iter()
        .map(|(name, value)| {
            let value = if value.numeric {
                value.text.clone()
            } else {
                json_string(&value.text)
            };
            format!("{}:{value}", json_string(name))
        })
        .collect();
    format!("{{{}}}", members.join(","))
}

fn json_string(text: &str) -> String {
    serde_json::Value::String(text.to_string()).to_string()
}

/// Header values are bytes on the wire: line breaks and other control characters would split or
/// corrupt the header, so they are removed; characters outside ASCII are percent-encoded as
/// UTF-8, since the Fetch API refuses anything above U+00FF and Latin-1 would garble the rest.
pub(super) fn header_safe(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        if c == '\t' || (' '..='~').contains(&c) {
            out.push(c);
        } else if !c.is_control() {
            let mut buf = [0u8; 4];
            for byte in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{byte:02X}"));
            }
        }
    }
    out.trim_matches([' ', '\t']).to_string()
}
