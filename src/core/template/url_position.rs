//! Where a placeholder stands inside a URL attribute, read from the literal text before it the way
//! a browser's URL parser would read it: at the start (the value chooses the scheme), in the
//! host, or after the host. Positions that cannot be decided safely are refused.

use super::pixel::UrlPart;
use super::placeholder::TemplateError;
use super::refusal::Refusal;

/// Schemes a pixel's own URL may have when a placeholder stands in it.
const ALLOWED_LITERAL_SCHEMES: [&str; 5] = ["http", "https", "mailto", "tel", "sms"];

/// Schemes whose URLs have a host right after `:`, with or without slashes.
const SPECIAL_SCHEMES: [&str; 6] = ["http", "https", "ws", "wss", "ftp", "file"];

#[derive(Debug, Clone, PartialEq, Eq)]
enum Phase {
    /// Only spaces and controls so far, which browsers strip.
    Leading,
    /// Literal text that may still become a scheme.
    Scheme(String),
    /// After a placeholder that starts the URL, until `/`, `?` or `#` shows its scheme is over.
    /// Holds the name of a character reference being read (`&...`), if any.
    SchemeValue(Option<String>),
    /// After one leading `/`: a second makes the URL protocol-relative.
    LeadingSlash,
    /// After `https:`: slashes before the host.
    Slashes,
    Authority,
    Rest,
}

/// Follows the literal text of one URL attribute value.
#[derive(Debug, Clone)]
pub(super) struct UrlTracker {
    phase: Phase,
    /// Set when this attribute's literal text makes any placeholder in it unsafe.
    refusal: Option<Refusal>,
    /// The attribute chooses code or a document to load (`<script src>`), so its host is fixed.
    loads_code: bool,
    /// The placeholder that starts the URL, with its offset, while its scheme is open.
    start: Option<(usize, String)>,
}

impl UrlTracker {
    pub(super) fn new(loads_code: bool) -> Self {
        Self {
            phase: Phase::Leading,
            refusal: None,
            loads_code,
            start: None,
        }
    }

    /// Take one literal character of the attribute value. An error means a placeholder that
    /// started the URL is followed by literal text that would complete its scheme.
    pub(super) fn push(&mut self, c: char) -> Result<(), TemplateError> {
        loop {
            let reconsume = match &mut self.phase {
                Phase::Leading if c <= ' ' => false,
                Phase::Leading => {
                    self.phase = Phase::Scheme(String::new());
                    true
                }
                Phase::Scheme(_) if matches!(c, '\t' | '\n' | '\r') => false,
                Phase::Scheme(candidate) => {
                    match c {
                        ':' => {
                            let scheme = candidate.to_ascii_lowercase();
                            self.phase = self.after_scheme(scheme);
                        }
                        '/' | '\\' if candidate.is_empty() => self.phase = Phase::LeadingSlash,
                        '/' | '\\' | '?' | '#' => self.phase = Phase::Rest,
                        '&' => {
                            // A character reference could hide the ':' or '/' that decides
                            // the scheme, so the attribute must spell them plainly.
                            candidate.push(c);
                            self.refusal.get_or_insert(Refusal::UrlCharacterReference);
                        }
                        _ => candidate.push(c),
                    }
                    false
                }
                Phase::SchemeValue(Some(reference)) => {
                    // `&#58` and `&colon;` decode to ':' and could complete the value's scheme.
                    if c == ';' || (c == '#' && reference.is_empty()) {
                        let (offset, name) = self.start.take().unwrap_or_default();
                        return Err(Refusal::UrlCharacterReference.error(offset, &name));
                    }
                    if c.is_ascii_alphanumeric() {
                        reference.push(c);
                        false
                    } else {
                        self.phase = Phase::SchemeValue(None);
                        true
                    }
                }
                Phase::SchemeValue(None) => {
                    match c {
                        ':' => {
                            let (offset, name) = self.start.take().unwrap_or_default();
                            return Err(Refusal::UrlSchemeAfterValue.error(offset, &name));
                        }
                        '&' => self.phase = Phase::SchemeValue(Some(String::new())),
                        '/' | '\\' | '?' | '#' => self.phase = Phase::Rest,
                        _ => {}
                    }
                    false
                }
                Phase::LeadingSlash => {
                    self.phase = if matches!(c, '/' | '\\') {
                        Phase::Authority
                    } else {
                        Phase::Rest
                    };
                    false
                }
                Phase::Slashes if matches!(c, '/' | '\\') => false,
                Phase::Slashes => {
                    self.phase = Phase::Authority;
                    true
                }
                Phase::Authority => {
                    if matches!(c, '/' | '\\' | '?' | '#') {
                        self.phase = Phase::Rest;
                    }
                    false
                }
                Phase::Rest => false,
            };
            if !reconsume {
                return Ok(());
            }
        }
    }

    fn after_scheme(&mut self, scheme: String) -> Phase {
        let is_scheme = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
        if !is_scheme {
            // Not a scheme: the browser reads a relative URL whose path holds the ':'.
            return Phase::Rest;
        }
        if !ALLOWED_LITERAL_SCHEMES.contains(&scheme.as_str()) {
            self.refusal
                .get_or_insert(Refusal::UrlSchemeNotAllowed(scheme.clone()));
        }
        if SPECIAL_SCHEMES.contains(&scheme.as_str()) {
            Phase::Slashes
        } else {
            Phase::Rest
        }
    }

    /// Where a placeholder at this point stands.
    pub(super) fn place(&mut self, offset: usize, name: &str) -> Result<UrlPart, Refusal> {
        if let Some(refusal) = &self.refusal {
            return Err(refusal.clone());
        }
        match self.phase {
            Phase::Leading if self.loads_code => Err(Refusal::UrlChoosesCode),
            Phase::Leading => {
                self.phase = Phase::SchemeValue(None);
                self.start = Some((offset, name.to_string()));
                Ok(UrlPart::Start)
            }
            Phase::Scheme(_) | Phase::SchemeValue(_) => Err(Refusal::UrlSchemeUndecided),
            Phase::Slashes | Phase::Authority if self.loads_code => Err(Refusal::UrlChoosesCode),
            Phase::Slashes | Phase::Authority => {
                self.phase = Phase::Authority;
                Ok(UrlPart::AfterScheme)
            }
            Phase::LeadingSlash | Phase::Rest => {
                self.phase = Phase::Rest;
                Ok(UrlPart::AfterScheme)
            }
        }
    }
}
