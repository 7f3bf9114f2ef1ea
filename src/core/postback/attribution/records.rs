//! The visitor's clicks as attribution counts them: stored click rows and the clicks an event
//! carried, turned into [`ClickRecord`]s with the landing parameters a connector's source
//! parameter is read from.

use super::ClickRecord;
use crate::core::clicks::{ClickKind, CustomClickParam, StoredClick, MAX_QUERY_PAIRS};
use crate::core::event::{CarriedClick, CookieClick};

/// The visitor's tracked clicks for attribution. Every stored click id is one record (campaign
/// tags are not clicks of their own). Its landing parameters — what a connector's source
/// parameter is read from — are the query of its landing URL plus the other rows captured at
/// the same instant from the same landing. Click ids the event carried count as clicks at the
/// event's time, with the tags it carried as their landing parameters.
pub fn click_records(
    history: &[StoredClick],
    carried: &[CarriedClick],
    event_at_ms: i64,
) -> Vec<ClickRecord> {
    let mut records: Vec<ClickRecord> = history
        .iter()
        .filter(|c| ClickKind::of_param(&c.param.to_ascii_lowercase()) == ClickKind::ClickId)
        .map(|click| {
            let mut landing = landing_query(click.landing_url.as_deref());
            for other in history {
                let same_landing = other.at_ms == click.at_ms
                    && other.landing_url == click.landing_url
                    && !std::ptr::eq(other, click);
                if same_landing {
                    push_new(&mut landing, &other.param, &other.value);
                }
            }
            ClickRecord {
                param: click.param.to_ascii_lowercase(),
                value: click.value.clone(),
                at_ms: click.at_ms,
                landing_params: landing,
            }
        })
        .collect();

    let carried_tags: Vec<(String, String)> = carried
        .iter()
        .filter(|c| ClickKind::of_param(&c.param.to_ascii_lowercase()) == ClickKind::Tag)
        .map(|c| (c.param.to_ascii_lowercase(), c.value.clone()))
        .collect();
    for click in carried {
        let param = click.param.to_ascii_lowercase();
        if ClickKind::of_param(&param) == ClickKind::ClickId && !click.value.is_empty() {
            records.push(ClickRecord {
                param,
                value: click.value.clone(),
                at_ms: event_at_ms,
                landing_params: carried_tags.clone(),
            });
        }
    }
    records
}

/// A browser event's clicks for attribution, from the signed `pc_clk` it carried. The cookie keeps
/// no landing URL, so a click's landing parameters are the other parameters captured with it (at
/// the same second), plus the source capture recorded for it under each source parameter the
/// connectors sharing its parameter use.
pub fn cookie_click_records(
    cookie: &[CookieClick],
    custom: &[CustomClickParam],
) -> Vec<ClickRecord> {
    cookie
        .iter()
        .filter(|c| ClickKind::of_param(&c.param) == ClickKind::ClickId && !c.value.is_empty())
        .map(|click| {
            let mut landing = Vec::new();
            for other in cookie {
                if other.at_ms == click.at_ms && !std::ptr::eq(other, click) {
                    push_new(&mut landing, &other.param, &other.value);
                }
            }
            if let Some(source) = &click.source {
                let source_params = custom
                    .iter()
                    .filter(|c| c.param.eq_ignore_ascii_case(&click.param))
                    .filter_map(|c| c.source_param.as_deref());
                for name in source_params {
                    push_new(&mut landing, name, source);
                }
            }
            ClickRecord {
                param: click.param.clone(),
                value: click.value.clone(),
                at_ms: click.at_ms,
                landing_params: landing,
            }
        })
        .collect()
}

/// A browser event's cookie clicks as stored click rows, for the parameter values
/// (`{{GCLID}}`, `{{UTM_SOURCE}}`, ...).
pub fn cookie_clicks_as_stored(cookie: &[CookieClick]) -> Vec<StoredClick> {
    cookie
        .iter()
        .map(|c| StoredClick {
            param: c.param.clone(),
            value: c.value.clone(),
            landing_url: None,
            at_ms: c.at_ms,
        })
        .collect()
}

/// Query pairs of a landing URL, names lower-cased and values form-decoded, first one wins.
fn landing_query(url: Option<&str>) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    let Some(parsed) = url.and_then(|u| url::Url::parse(u).ok()) else {
        return pairs;
    };
    for (name, value) in parsed.query_pairs().take(MAX_QUERY_PAIRS) {
        push_new(&mut pairs, &name, &value);
    }
    pairs
}

fn push_new(pairs: &mut Vec<(String, String)>, name: &str, value: &str) {
    let name = name.to_ascii_lowercase();
    if !value.is_empty() && !pairs.iter().any(|(n, _)| *n == name) {
        pairs.push((name, value.to_string()));
    }
}
