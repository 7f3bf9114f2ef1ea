//! Which landing-URL parameters become clicks, and how a query string turns into them. The
//! parameters are the registry's ([`crate::core::click_params`], those it marks as captured from
//! landing URLs) plus each connector's own click parameter.
//!
//! Representation: every captured parameter is one [`CapturedClick`] row, click ids and UTM tags
//! alike, so storage writes one row per parameter and `{{UTM_CAMPAIGN}}` resolves from the latest
//! `utm_campaign` row exactly as `{{GCLID}}` resolves from the latest `gclid` row. Each row says
//! its [`ClickKind`]; click ids come first, then tags. A landing with only UTM tags is still a
//! campaign visit and is captured; a landing with neither captures nothing (no storage call).

use super::value::{ClickKind, ClickValue, Malformed};
use crate::core::click_params::{click_param, ClickParam};
use crate::core::form;
use serde::Serialize;
use std::borrow::Cow;

/// Query pairs looked at per URL; a hostile URL with thousands of pairs costs no more than this.
pub const MAX_QUERY_PAIRS: usize = 256;

/// A connector's own click-id parameter (from its `click_id` config, see
/// `CustomClickParam::from_config` in [`crate::core::connector`]). Names are lower case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomClickParam {
    /// e.g. `aff_click_id`.
    pub param: String,
    /// e.g. `utm_source`: the parameter whose value says which partner the click came from.
    pub source_param: Option<String>,
    /// e.g. `platform_x`: the source value this connector insists on.
    pub source_value: Option<String>,
}

/// One captured parameter: a click id or a campaign tag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CapturedClick {
    /// Lower-case parameter name: `gclid`, `aff_click_id`, `utm_campaign`, ...
    pub param: String,
    pub kind: ClickKind,
    pub value: ClickValue,
    /// Which partner sent the click: the value of the connector's `source_param` when the URL
    /// has it, else `utm_source`.
    pub source: Option<String>,
}

/// A click parameter of a landing URL whose value was not kept, and why. Capture never fails a
/// visitor's landing, so these are counted and logged instead (never dropped unseen).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RefusedClick {
    /// Lower-case parameter name.
    pub param: String,
    pub reason: Malformed,
}

/// Everything one landing URL carried.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Captured {
    clicks: Vec<CapturedClick>,
    /// Parameters we capture that came without a value we could keep.
    #[serde(skip)]
    refused: Vec<RefusedClick>,
}

impl Captured {
    /// All rows: click ids first, then tags.
    pub fn clicks(&self) -> &[CapturedClick] {
        &self.clicks
    }

    /// Nothing worth storing: the visit costs no storage call.
    pub fn is_empty(&self) -> bool {
        self.clicks.is_empty()
    }

    pub fn get(&self, param: &str) -> Option<&CapturedClick> {
        self.clicks.iter().find(|c| c.param == param)
    }

    pub fn value_of(&self, param: &str) -> Option<&str> {
        self.get(param).map(|c| c.value.as_str())
    }

    /// The parameters whose values were refused (each once, and only when no later occurrence
    /// of the same parameter was kept).
    pub fn refused(&self) -> &[RefusedClick] {
        &self.refused
    }

    /// Combine two captures of one visit (`/c` reads its own query, then `to`'s query): a
    /// parameter found in `self` wins over the same parameter in `fallback`.
    pub fn or(mut self, fallback: Captured) -> Captured {
        for click in fallback.clicks {
            if self.get(&click.param).is_none() {
                self.clicks.push(click);
            }
        }
        self.refused.extend(fallback.refused);
        let clicks = &self.clicks;
        self.refused
            .retain(|r| clicks.iter().all(|c| c.param != r.param));
        self.refused.dedup_by(|a, b| a.param == b.param);
        self.clicks.sort_by_key(|c| c.kind == ClickKind::Tag);
        self
    }
}

/// Capture from already-decoded query pairs. Names match case-insensitively; the first usable
/// occurrence of a parameter wins (an empty or garbage occurrence is skipped, as a partner's
/// unexpanded macro should not hide the real id after it).
pub fn capture<'a>(
    query_pairs: impl Iterator<Item = (Cow<'a, str>, Cow<'a, str>)>,
    custom: &[CustomClickParam],
) -> Captured {
    capture_values(query_pairs.map(|(n, v)| (n, Ok(v))), custom)
}

/// [`capture`] over pairs whose value may already be refused (it did not decode).
fn capture_values<'a>(
    query_pairs: impl Iterator<Item = (Cow<'a, str>, Result<Cow<'a, str>, Malformed>)>,
    custom: &[CustomClickParam],
) -> Captured {
    let mut found: Vec<(String, ClickValue)> = Vec::new();
    let mut refused: Vec<RefusedClick> = Vec::new();
    for (name, value) in query_pairs.take(MAX_QUERY_PAIRS) {
        let name = name.to_ascii_lowercase();
        if !is_wanted(&name, custom) || found.iter().any(|(n, _)| *n == name) {
            continue;
        }
        match value.and_then(|v| ClickValue::read(&v, ClickKind::of_param(&name))) {
            Ok(value) => {
                refused.retain(|r| r.param != name);
                found.push((name, value));
            }
            Err(reason) if refused.iter().all(|r| r.param != name) => refused.push(RefusedClick {
                param: name,
                reason,
            }),
            Err(_) => {}
        }
    }
    let mut captured = assemble(found, custom);
    captured.refused = refused;
    captured
}

/// Capture from a raw query string (`a=1&b=2`, without `?`). Click ids are decoded as
/// `decodeURIComponent` does, keeping a literal `+` (gtag-style readers keep it, and a click id
/// is sent back byte for byte); tags use form decoding, where `+` is a space
/// (`utm_campaign=summer+sale`). A value that does not decode to UTF-8 is refused
/// ([`Malformed::InvalidEncoding`]); a name that does not is skipped (it names nothing we keep).
pub fn capture_from_query(raw_query: &str, custom: &[CustomClickParam]) -> Captured {
    let pairs = raw_query
        .split('&')
        .filter(|segment| !segment.is_empty())
        .take(MAX_QUERY_PAIRS)
        .filter_map(|segment| {
            let (raw_name, raw_value) = segment.split_once('=').unwrap_or((segment, ""));
            let name = form::decode(raw_name, true)?;
            let plus_is_space = ClickKind::of_param(&name.to_ascii_lowercase()) == ClickKind::Tag;
            let value = form::decode(raw_value, plus_is_space)
                .map(Cow::Owned)
                .ok_or(Malformed::InvalidEncoding);
            Some((Cow::Owned(name), value))
        });
    capture_values(pairs, custom)
}

/// Capture from a full landing URL. Anything that does not parse as an absolute URL captures
/// nothing. Only the query is read, never the fragment.
pub fn capture_from_url(url: &str, custom: &[CustomClickParam]) -> Captured {
    match url::Url::parse(url) {
        Ok(parsed) => capture_from_query(parsed.query().unwrap_or(""), custom),
        Err(_) => Captured::default(),
    }
}

fn is_wanted(name: &str, custom: &[CustomClickParam]) -> bool {
    is_click_param(name, custom)
        || custom
            .iter()
            .filter_map(|c| c.source_param.as_deref())
            .any(|source_param| source_param.eq_ignore_ascii_case(name))
}

/// A parameter of the registry that capture reads, or a connector's own click parameter.
fn is_click_param(name: &str, custom: &[CustomClickParam]) -> bool {
    click_param(name).is_some_and(ClickParam::captured_from_landing)
        || custom.iter().any(|c| c.param.eq_ignore_ascii_case(name))
}

fn assemble(found: Vec<(String, ClickValue)>, custom: &[CustomClickParam]) -> Captured {
    let lookup = |name: &str| {
        found
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str().to_string())
    };
    let utm_source = lookup("utm_source");
    let mut clicks: Vec<CapturedClick> = found
        .iter()
        .filter(|(name, _)| is_click_param(name, custom))
        .map(|(name, value)| CapturedClick {
            param: name.clone(),
            kind: ClickKind::of_param(name),
            value: value.clone(),
            source: custom_source(name, custom, &lookup).or_else(|| utm_source.clone()),
        })
        .collect();
    clicks.sort_by_key(|c| c.kind == ClickKind::Tag);
    Captured {
        clicks,
        refused: Vec::new(),
    }
}

/// Several connectors may share one click parameter and tell their clicks apart by different
/// source parameters. Prefer the source parameter whose value is some connector's strict
/// source value (that connector is who sent the click); else the first configured source
/// parameter the URL carries.
fn custom_source(
    param: &str,
    custom: &[CustomClickParam],
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Option<String> {
    let candidates: Vec<(&CustomClickParam, String)> = custom
        .iter()
        .filter(|c| c.param.eq_ignore_ascii_case(param))
        .filter_map(|c| Some((c, lookup(&c.source_param.as_deref()?.to_ascii_lowercase())?)))
        .collect();
    let strict_match = candidates.iter().find(|(c, value)| {
        c.source_value
            .as_deref()
            .is_some_and(|wanted| wanted.eq_ignore_ascii_case(value))
    });
    strict_match
        .or(candidates.first())
        .map(|(_, value)| value.clone())
}

#[cfg(test)]
mod tests;
