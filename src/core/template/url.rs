//! Where a placeholder stands in a URL, read from the literal text before it as the WHATWG URL
//! parser reads it: leading spaces and controls stripped, tab, CR and LF ignored anywhere, `\`
//! as `/`. The caller passes characters already decoded (entities in attributes, escapes in JS
//! strings). Only the path, query and fragment after a scheme and host the literal fixes are
//! positions; code-loading URLs allow the query alone.

use super::position::UrlPart;
use super::refusal::{Blame, Refusal};

/// Schemes a pixel's own URL may have when a placeholder stands in it.
const ALLOWED_SCHEMES: [&str; 2] = ["http", "https"];

#[derive(Debug, Clone, PartialEq, Eq)]
enum Phase {
    /// Only spaces and controls so far, which the parser strips.
    Leading,
    /// Literal text that may still become a scheme.
    Scheme(String),
    /// After `https:`, or a leading `/`: slashes that may start an authority.
    Slashes {
        count: u8,
        relative: bool,
    },
    Authority,
    Part(UrlPart),
    /// A scheme other than http or https: nothing after it is a position.
    Refused(String),
}

/// Follows the decoded literal text of one URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct UrlTracker {
    phase: Phase,
    /// The URL loads code or a document (`<script src>`, `.src = '...'`): the query alone is a
    /// position. Holds what to name in the refusal.
    loads_code: Option<String>,
    /// The literal text of the current path segment, with `%2e` read as `.`.
    segment: String,
    /// The placeholder (offset, name) that stands in the current path segment.
    segment_value: Option<(usize, String)>,
    /// The current segment is the first of a path that starts with one `/`: if it ends in
    /// another `/` with only values in it, an empty value makes `//`, which starts a host.
    first_of_absolute: bool,
    /// A refusal found after the placeholder it concerns (a segment of dots around it).
    late: Option<Blame>,
}

impl UrlTracker {
    pub(super) fn new(loads_code: Option<String>) -> Self {
        Self {
            phase: Phase::Leading,
            loads_code,
            segment: String::new(),
            segment_value: None,
            first_of_absolute: false,
            late: None,
        }
    }

    /// Take one decoded literal character.
    pub(super) fn push(&mut self, c: char) {
        if matches!(c, '\t' | '\n' | '\r') {
            return;
        }
        loop {
            let reconsume = match &mut self.phase {
                Phase::Leading if c <= ' ' => false,
                Phase::Leading => {
                    self.phase = Phase::Scheme(String::new());
                    true
                }
                Phase::Scheme(candidate) => {
                    let start = candidate.is_empty();
                    if c == ':' && !start {
                        let scheme = candidate.to_ascii_lowercase();
                        self.phase = if ALLOWED_SCHEMES.contains(&scheme.as_str()) {
                            Phase::Slashes {
                                count: 0,
                                relative: false,
                            }
                        } else {
                            Phase::Refused(scheme)
                        };
                        false
                    } else if c.is_ascii_alphabetic()
                        || (!start && (c.is_ascii_digit() || matches!(c, '+' | '-' | '.')))
                    {
                        candidate.push(c);
                        false
                    } else if start && matches!(c, '/' | '\\') {
                        self.phase = Phase::Slashes {
                            count: 1,
                            relative: true,
                        };
                        false
                    } else {
                        // Not a scheme: a relative URL whose path starts with the text so far.
                        let text = std::mem::take(candidate);
                        self.phase = Phase::Part(UrlPart::Path);
                        self.segment = text;
                        true
                    }
                }
                Phase::Slashes { count, relative } => {
                    if matches!(c, '/' | '\\') {
                        *count += 1;
                        false
                    } else if *relative && *count < 2 {
                        self.phase = Phase::Part(UrlPart::Path);
                        self.first_of_absolute = true;
                        true
                    } else {
                        self.phase = Phase::Authority;
                        true
                    }
                }
                Phase::Authority => {
                    if let Some(part) = part_after(c) {
                        self.phase = Phase::Part(part);
                    }
                    false
                }
                Phase::Part(UrlPart::Path) => {
                    self.path_char(c);
                    false
                }
                Phase::Part(UrlPart::Query) => {
                    if c == '#' {
                        self.phase = Phase::Part(UrlPart::Fragment);
                    }
                    false
                }
                Phase::Part(UrlPart::Fragment) | Phase::Refused(_) => false,
            };
            if !reconsume {
                return;
            }
        }
    }

    fn path_char(&mut self, c: char) {
        match c {
            '/' | '\\' | '?' | '#' => {
                let first = std::mem::take(&mut self.first_of_absolute);
                if first && matches!(c, '/' | '\\') && self.segment.is_empty() {
                    if let Some((offset, name)) = self.segment_value.clone() {
                        self.late.get_or_insert(Blame {
                            refusal: Refusal::UrlBeforeAuthority,
                            offset,
                            name,
                        });
                    }
                }
                self.end_segment();
                if c == '?' {
                    self.phase = Phase::Part(UrlPart::Query);
                } else if c == '#' {
                    self.phase = Phase::Part(UrlPart::Fragment);
                }
            }
            c => self.segment.push(c),
        }
    }

    /// A path segment ended: one that holds a placeholder and otherwise only dots is refused.
    fn end_segment(&mut self) {
        let literal = self.segment.to_ascii_lowercase().replace("%2e", ".");
        let value = self.segment_value.take();
        if let Some((offset, name)) = value {
            if !literal.is_empty() && literal.chars().all(|c| c == '.') && self.late.is_none() {
                self.late = Some(Blame {
                    refusal: Refusal::UrlDotSegment,
                    offset,
                    name,
                });
            }
        }
        self.segment.clear();
    }

    /// A refusal that concerns a placeholder placed earlier, found since.
    pub(super) fn take_late(&mut self) -> Option<Blame> {
        self.late.take()
    }

    /// The URL's text ended: a refusal that concerns a placeholder placed earlier.
    pub(super) fn finish(&mut self) -> Option<Blame> {
        if self.phase == Phase::Part(UrlPart::Path) {
            self.end_segment();
        }
        self.late.take()
    }

    /// Where a placeholder (at byte `offset`, named `name`) at this point stands.
    pub(super) fn place(&mut self, offset: usize, name: &str) -> Result<UrlPart, Refusal> {
        let part = match &self.phase {
            Phase::Refused(scheme) => return Err(Refusal::UrlSchemeNotAllowed(scheme.clone())),
            Phase::Part(part) => *part,
            Phase::Slashes {
                count: 1,
                relative: true,
            } => {
                // After a single leading '/': the first segment of the path, unless an empty
                // value and a '/' after it make `//` (checked when the segment ends).
                self.phase = Phase::Part(UrlPart::Path);
                self.first_of_absolute = true;
                UrlPart::Path
            }
            _ => return Err(Refusal::UrlBeforeAuthority),
        };
        if let Some(what) = &self.loads_code {
            if part != UrlPart::Query {
                return Err(Refusal::UrlLoadsCode(what.clone()));
            }
        }
        if part == UrlPart::Path {
            self.segment_value = Some((offset, name.to_string()));
        }
        Ok(part)
    }
}

fn part_after(c: char) -> Option<UrlPart> {
    match c {
        '/' | '\\' => Some(UrlPart::Path),
        '?' => Some(UrlPart::Query),
        '#' => Some(UrlPart::Fragment),
        _ => None,
    }
}
