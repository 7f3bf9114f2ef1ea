//! `pc_clk`: the visitor's recent clicks, newest first, small enough for one cookie.
//!
//! Encoding: `v1` then, per entry, `!{param}*{value}*{source}*{unix seconds}`. Every field is
//! percent-encoded except `A-Z a-z 0-9 - _ . ~`, so `!` and `*` only ever delimit, and the value
//! holds none of the characters a cookie value may not (`;` `,` space `"` `\`). Click ids are
//! mostly base64url, so this costs almost nothing over the raw ids, unlike base64 of JSON.

use crate::core::clicks::{CapturedClick, ClickKind, ClickValue};
use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::Serialize;

/// Most entries kept; older ones fall off.
pub const HISTORY_MAX_ENTRIES: usize = 24;
/// Most bytes of the encoded value, so `pc_clk=...` plus its attributes stays well under the
/// 4096-byte cookie limit browsers apply.
pub const HISTORY_MAX_BYTES: usize = 3000;
/// Cookie values longer than this are not even looked at.
const MAX_DECODE_BYTES: usize = 4096;
const VERSION: &str = "v1";
const ENTRY_SEPARATOR: char = '!';
const FIELD_SEPARATOR: char = '*';
/// 9999-12-31T23:59:59Z: anything later is garbage.
const MAX_UNIX_SECONDS: i64 = 253_402_300_799;

const FIELD: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

fn decode_field(raw: &str) -> Option<std::borrow::Cow<'_, str>> {
    percent_decode_str(raw).decode_utf8().ok()
}

/// One remembered click.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HistoryEntry {
    /// Lower-case parameter name.
    pub param: String,
    pub value: ClickValue,
    pub source: Option<String>,
    /// When the click was last seen, unix seconds.
    pub at_s: i64,
}

impl HistoryEntry {
    pub fn kind(&self) -> ClickKind {
        ClickKind::of_param(&self.param)
    }

    fn encode(&self) -> String {
        let field = |s: &str| utf8_percent_encode(s, FIELD).to_string();
        format!(
            "{ENTRY_SEPARATOR}{}{FIELD_SEPARATOR}{}{FIELD_SEPARATOR}{}{FIELD_SEPARATOR}{}",
            field(&self.param),
            field(self.value.as_str()),
            field(self.source.as_deref().unwrap_or("")),
            self.at_s
        )
    }

    fn decode(raw: &str) -> Option<Self> {
        let mut fields = raw.split(FIELD_SEPARATOR);
        let (param, value, source, at_s) = (
            fields.next()?,
            fields.next()?,
            fields.next()?,
            fields.next()?,
        );
        if fields.next().is_some() {
            return None;
        }
        let param = decode_field(param)?;
        let plausible_param = !param.is_empty()
            && param.len() <= 64
            && param
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"_-.[]".contains(&b));
        if !plausible_param {
            return None;
        }
        let value = ClickValue::parse(&decode_field(value)?, ClickKind::of_param(&param))?;
        let source = decode_field(source)?;
        let source = match source.as_ref() {
            "" => None,
            s => Some(ClickValue::parse(s, ClickKind::Tag)?.as_str().to_string()),
        };
        let at_s = at_s
            .parse::<i64>()
            .ok()
            .filter(|s| (0..=MAX_UNIX_SECONDS).contains(s))?;
        Some(Self {
            param: param.into_owned(),
            value,
            source,
            at_s,
        })
    }
}

/// A bounded click history. Always within [`HISTORY_MAX_ENTRIES`] and [`HISTORY_MAX_BYTES`]
/// once encoded, newest first, one entry per parameter and value.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct ClickHistory {
    entries: Vec<HistoryEntry>,
}

impl ClickHistory {
    /// Total: garbage gives an empty history, a damaged entry is skipped, nothing panics.
    pub fn decode(raw: &str) -> Self {
        if raw.len() > MAX_DECODE_BYTES {
            return Self::default();
        }
        let mut parts = raw.split(ENTRY_SEPARATOR);
        if parts.next() != Some(VERSION) {
            return Self::default();
        }
        let mut history = Self::default();
        for entry in parts
            .take(HISTORY_MAX_ENTRIES)
            .filter_map(HistoryEntry::decode)
        {
            if history.find(&entry.param, entry.value.as_str()).is_none() {
                history.entries.push(entry);
            }
        }
        history.bound();
        history
    }

    /// The cookie value; empty history encodes as `v1`.
    pub fn encode(&self) -> String {
        let mut out = String::from(VERSION);
        for entry in &self.entries {
            out.push_str(&entry.encode());
        }
        out
    }

    /// Put this visit's clicks in front. A click already remembered (same parameter and value)
    /// moves to the front with the new time instead of being duplicated. The oldest entries
    /// fall off when the history is full.
    pub fn merge(&mut self, clicks: &[CapturedClick], now_ms: i64) {
        let at_s = now_ms.div_euclid(1000).clamp(0, MAX_UNIX_SECONDS);
        for click in clicks.iter().rev() {
            if let Some(i) = self.find(&click.param, click.value.as_str()) {
                self.entries.remove(i);
            }
            self.entries.insert(
                0,
                HistoryEntry {
                    param: click.param.clone(),
                    value: click.value.clone(),
                    source: click.source.clone(),
                    at_s,
                },
            );
        }
        self.bound();
    }

    pub fn entries(&self) -> &[HistoryEntry] {
        &self.entries
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The most recent entry for a parameter.
    pub fn latest(&self, param: &str) -> Option<&HistoryEntry> {
        self.entries.iter().find(|e| e.param == param)
    }

    fn find(&self, param: &str, value: &str) -> Option<usize> {
        self.entries
            .iter()
            .position(|e| e.param == param && e.value.as_str() == value)
    }

    /// Drop the oldest entries until both limits hold. An entry that could never fit on its own
    /// (only possible with pathological, fully percent-encoded values) is dropped first.
    fn bound(&mut self) {
        self.entries
            .retain(|entry| VERSION.len() + entry.encode().len() <= HISTORY_MAX_BYTES);
        self.entries.truncate(HISTORY_MAX_ENTRIES);
        let mut total = VERSION.len();
        let mut keep = 0;
        for entry in &self.entries {
            let len = entry.encode().len();
            if total + len > HISTORY_MAX_BYTES {
                break;
            }
            total += len;
            keep += 1;
        }
        self.entries.truncate(keep);
    }
}

#[cfg(test)]
mod tests;
