//! The placeholder grammar: `{{ NAME | filter | default:TEXT }}`.
//!
//! NAME is upper snake case (`VALUE`, `TRANSACTION_ID`). Filters are `sha256`, `lower`, `upper`
//! and `default:TEXT`. There is deliberately no raw/unsafe filter: escaping is never optional.

use serde::Serialize;
use sha2::{Digest, Sha256};
use std::fmt;

const MAX_NAME_LEN: usize = 64;
const MAX_DEFAULT_LEN: usize = 256;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    Literal(String),
    Placeholder(Placeholder),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placeholder {
    pub name: String,
    pub filters: Vec<Filter>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Filter {
    Sha256,
    Lower,
    Upper,
    Default(String),
}

impl Placeholder {
    /// Apply the filters in order to a looked-up value (`None` when the name has no value).
    pub fn apply_filters(&self, value: Option<String>) -> String {
        let mut value = value.unwrap_or_default();
        for filter in &self.filters {
            value = match filter {
                Filter::Sha256 if value.is_empty() => value,
                Filter::Sha256 => hex_sha256(&value),
                Filter::Lower => value.to_lowercase(),
                Filter::Upper => value.to_uppercase(),
                Filter::Default(text) if value.is_empty() => text.clone(),
                Filter::Default(_) => value,
            };
        }
        value
    }
}

pub fn hex_sha256(value: &str) -> String {
    let digest = Sha256::digest(value.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Why the pixel rules refuse a template, and where the placeholder at fault starts: its line
/// and column (both from 1, the column counted in characters). Serialised as the connector's
/// `pixel.refused`, so the console can say why a pixel saved under earlier rules does not fire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(utoipa::ToSchema))]
#[cfg_attr(test, schema(as = PixelRefusal))]
pub struct TemplateError {
    /// Byte offset in the source, for code; people read the line and column.
    #[serde(skip)]
    pub offset: usize,
    #[cfg_attr(test, schema(minimum = 1))]
    pub line: usize,
    #[cfg_attr(test, schema(minimum = 1))]
    pub column: usize,
    /// Why the position is refused and what to write instead.
    pub message: String,
}

impl TemplateError {
    /// An error at byte `offset` of `source`.
    pub fn at(source: &str, offset: usize, message: impl Into<String>) -> Self {
        let before = source.get(..offset).unwrap_or(source);
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        Self {
            offset,
            line: before.matches('\n').count() + 1,
            column: before[line_start..].chars().count() + 1,
            message: message.into(),
        }
    }
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.line, self.column, self.message
        )
    }
}

impl std::error::Error for TemplateError {}

/// Split a template into literal text and placeholders. A lone `{` or `}}` is literal text;
/// every `{{` must open a well-formed placeholder.
pub fn parse_segments(source: &str) -> Result<Vec<Segment>, TemplateError> {
    Ok(parse_spans(source)?
        .into_iter()
        .map(|(_, segment)| segment)
        .collect())
}

/// As [`parse_segments`], with the byte offset where each segment starts in `source`, so that
/// later checks (such as a pixel's HTML context) can point at the placeholder at fault.
pub fn parse_spans(source: &str) -> Result<Vec<(usize, Segment)>, TemplateError> {
    let mut segments = Vec::new();
    let mut rest = source;
    let mut offset = 0;
    while let Some(open) = rest.find("{{") {
        if open > 0 {
            segments.push((offset, Segment::Literal(rest[..open].to_string())));
        }
        let start = offset + open;
        let inner_and_after = &rest[open + 2..];
        let unclosed = || {
            TemplateError::at(
                source,
                start,
                "placeholder opened with {{ is never closed with }}",
            )
        };
        let close = inner_and_after.find("}}").ok_or_else(unclosed)?;
        let inner = &inner_and_after[..close];
        if inner.contains("{{") {
            return Err(unclosed());
        }
        let placeholder = parse_placeholder(inner)
            .map_err(|message| TemplateError::at(source, start, message))?;
        segments.push((start, Segment::Placeholder(placeholder)));
        let consumed = open + 2 + close + 2;
        rest = &rest[consumed..];
        offset += consumed;
    }
    if !rest.is_empty() {
        segments.push((offset, Segment::Literal(rest.to_string())));
    }
    Ok(segments)
}

fn parse_placeholder(inner: &str) -> Result<Placeholder, String> {
    let mut parts = inner.split('|');
    let name = parts.next().unwrap_or_default().trim();
    if name.is_empty() {
        return Err("empty placeholder {{}}: write a name such as {{VALUE}}".into());
    }
    let well_formed = name.len() <= MAX_NAME_LEN
        && name.starts_with(|c: char| c.is_ascii_uppercase())
        && name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
    if !well_formed {
        return Err(format!(
            "placeholder name {name:?} must be UPPER_SNAKE_CASE letters, digits and _"
        ));
    }
    let filters = parts
        .map(|f| parse_filter(f.trim()))
        .collect::<Result<_, _>>()?;
    Ok(Placeholder {
        name: name.to_string(),
        filters,
    })
}

fn parse_filter(filter: &str) -> Result<Filter, String> {
    match filter {
        "sha256" => Ok(Filter::Sha256),
        "lower" => Ok(Filter::Lower),
        "upper" => Ok(Filter::Upper),
        _ => match filter.strip_prefix("default:") {
            Some(text) if text.len() <= MAX_DEFAULT_LEN => Ok(Filter::Default(text.to_string())),
            Some(_) => Err("default: text is longer than 256 bytes".into()),
            None if filter.is_empty() => Err("empty filter after |".into()),
            None => Err(format!(
                "unknown filter {filter:?}: use sha256, lower, upper or default:TEXT"
            )),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn placeholder(name: &str, filters: Vec<Filter>) -> Segment {
        Segment::Placeholder(Placeholder {
            name: name.into(),
            filters,
        })
    }

    #[test]
    fn literal_text_and_placeholders_are_split_in_order() {
        let segments = parse_segments("v={{VALUE}}&c={{ CURRENCY | lower }}").unwrap();
        assert_eq!(
            segments,
            vec![
                Segment::Literal("v=".into()),
                placeholder("VALUE", vec![]),
                Segment::Literal("&c=".into()),
                placeholder("CURRENCY", vec![Filter::Lower]),
            ]
        );
    }

    #[test]
    fn lone_braces_are_literal() {
        let segments = parse_segments("a { b } }} c").unwrap();
        assert_eq!(segments, vec![Segment::Literal("a { b } }} c".into())]);
    }

    #[test]
    fn filters_chain_and_default_takes_text() {
        let segments = parse_segments("{{EMAIL|lower|sha256}}{{X|default:n/a}}").unwrap();
        assert_eq!(
            segments,
            vec![
                placeholder("EMAIL", vec![Filter::Lower, Filter::Sha256]),
                placeholder("X", vec![Filter::Default("n/a".into())]),
            ]
        );
    }

    #[test]
    fn malformed_placeholders_are_refused_with_their_offset() {
        for (source, offset) in [
            ("abc {{VALUE", 4),
            ("{{}}", 0),
            ("x{{ value }}", 1),
            ("{{VALUE|raw}}", 0),
            ("{{VALUE|}}", 0),
            ("{{VALUE {{X}}", 0),
            ("{{1ABC}}", 0),
            ("{{A-B}}", 0),
        ] {
            let err = parse_segments(source).unwrap_err();
            assert_eq!(err.offset, offset, "{source}: {err}");
        }
    }

    #[test]
    fn filters_apply_in_order() {
        let p = Placeholder {
            name: "EMAIL".into(),
            filters: vec![Filter::Lower, Filter::Sha256],
        };
        assert_eq!(
            p.apply_filters(Some("A@B.COM".into())),
            "fb98d44ad7501a959f3f4f4a3f004fe2d9e581ea6207e218c4b02c08a4d75adf"
        );
        let d = Placeholder {
            name: "X".into(),
            filters: vec![Filter::Default("none".into())],
        };
        assert_eq!(d.apply_filters(None), "none");
        assert_eq!(d.apply_filters(Some("v".into())), "v");
        let h = Placeholder {
            name: "X".into(),
            filters: vec![Filter::Sha256],
        };
        assert_eq!(
            h.apply_filters(None),
            "",
            "an absent value is not hashed into a constant"
        );
    }
}
