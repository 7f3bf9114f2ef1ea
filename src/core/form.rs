//! The one strict decoder of `application/x-www-form-urlencoded` text: URL query strings and
//! form bodies, on every surface (the webhook's query and form body, `/collect`, `/c` and `/e`,
//! the admin API's filters, the click ids of a landing).
//!
//! `url::form_urlencoded` (and so `Url::query_pairs`) replaces bytes that are not UTF-8 with
//! U+FFFD, so `%FF%FE`, `%FE%FF` and `%EF%BF%BD%EF%BF%BD` all become the same text, and two ids
//! the caller told apart would collide. Here a value whose percent-decoded bytes are not UTF-8
//! is refused, naming its parameter (`invalid_encoding`), never replaced.
//!
//! Pairs are split on `&`; empty segments are skipped; a segment without `=` is a name with an
//! empty value; `+` is a space (the form encoding), in names and values.

use crate::core::error::Invalid;
use percent_encoding::percent_decode_str;
use std::borrow::Cow;

/// The code of a parameter that is not UTF-8 once percent-decoded.
pub const INVALID_ENCODING: &str = "invalid_encoding";
/// The code of a parameter given twice where one value is read.
pub const DUPLICATE_PARAMETER: &str = "duplicate_parameter";

/// One percent-encoded component: `None` when its bytes are not UTF-8. `plus_is_space` is the
/// form encoding's rule; a landing's click ids keep a literal `+` (see `core::clicks`).
pub fn decode(raw: &str, plus_is_space: bool) -> Option<String> {
    decoded(raw, plus_is_space).map(Cow::into_owned)
}

/// [`decode`], borrowing `raw` when it holds nothing to decode: [`single`] compares every
/// parameter's name on each page view, and most names need no copy.
fn decoded(raw: &str, plus_is_space: bool) -> Option<Cow<'_, str>> {
    if plus_is_space && raw.contains('+') {
        let spaced = raw.replace('+', " ");
        return percent_decode_str(&spaced)
            .decode_utf8()
            .ok()
            .map(|text| Cow::Owned(text.into_owned()));
    }
    percent_decode_str(raw).decode_utf8().ok()
}

/// The raw `(name, value)` segments of `raw`, still encoded.
fn segments(raw: &str) -> impl Iterator<Item = (&str, &str)> {
    raw.split('&')
        .filter(|segment| !segment.is_empty())
        .map(|segment| segment.split_once('=').unwrap_or((segment, "")))
}

/// The refusal of the parameter `raw_name` (as sent, when it does not decode itself).
fn not_utf8(name: &str) -> Invalid {
    Invalid::field(
        INVALID_ENCODING,
        name,
        format!("the parameter {name} is not UTF-8 text once percent-decoded"),
    )
}

/// Every pair of `raw`, decoded; the first name or value that is not UTF-8 is refused.
pub fn parse_pairs(raw: &str) -> Result<Vec<(String, String)>, Invalid> {
    each_pair(raw).collect()
}

/// Every pair of `raw`, each decoded or refused on its own: a caller that must still find one
/// parameter (the webhook's key) in a query whose other parameters do not decode.
pub fn each_pair(raw: &str) -> impl Iterator<Item = Result<(String, String), Invalid>> + '_ {
    segments(raw).map(|(raw_name, raw_value)| {
        let name = decode(raw_name, true).ok_or_else(|| not_utf8(raw_name))?;
        let value = decode(raw_value, true).ok_or_else(|| not_utf8(&name))?;
        Ok((name, value))
    })
}

/// The value of the parameter `name` in `raw`, read alone: the other parameters are not
/// decoded (a landing's click ids are judged by their own rules). Refused when its value is not
/// UTF-8 (`invalid_encoding`) or when it is given twice (`duplicate_parameter`: which one would
/// count is a guess).
pub fn single(raw: &str, name: &str) -> Result<Option<String>, Invalid> {
    let mut found = None;
    for (raw_name, raw_value) in segments(raw) {
        if decoded(raw_name, true).as_deref() != Some(name) {
            continue;
        }
        if found.is_some() {
            return Err(given_twice(name));
        }
        found = Some(decode(raw_value, true).ok_or_else(|| not_utf8(name))?);
    }
    Ok(found)
}

/// The refusal of a parameter given twice where one value is read.
pub fn given_twice(name: &str) -> Invalid {
    Invalid::field(
        DUPLICATE_PARAMETER,
        name,
        format!("the parameter {name} was given more than once; send it once"),
    )
}

#[cfg(test)]
mod tests;
