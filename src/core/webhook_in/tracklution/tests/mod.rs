//! Tests of `/webhook`: seed 002's table from every transport ([`seed_table`]), whole requests
//! ([`requests`]) and refusals ([`refusals`]).

use super::*;
use serde_json::json;

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect()
}

fn from_query(list: &[(&str, &str)]) -> Result<TrackOrSet, Invalid> {
    parse_webhook(&pairs(list), &WebhookBody::Empty)
}

fn event(parsed: Result<TrackOrSet, Invalid>) -> NewEvent {
    match parsed {
        Ok(TrackOrSet::Track(event)) => event,
        other => panic!("expected a track event, got {other:?}"),
    }
}

fn set(parsed: Result<TrackOrSet, Invalid>) -> SetData {
    match parsed {
        Ok(TrackOrSet::Set(set)) => set,
        other => panic!("expected a set request, got {other:?}"),
    }
}

fn refused(parsed: Result<TrackOrSet, Invalid>) -> Invalid {
    match parsed {
        Err(invalid) => invalid,
        Ok(other) => panic!("expected a refusal, got {other:?}"),
    }
}

/// A stored user field outside the named five, in its stored JSON form.
fn extra_of(event: &NewEvent, key: &str) -> Option<Value> {
    serde_json::to_value(&event.user.extra)
        .ok()?
        .get(key)
        .cloned()
}

fn attribute<'a>(event: &'a NewEvent, key: &str) -> Option<&'a Value> {
    event.attributes.as_map().get(key)
}

fn click<'a>(event: &'a NewEvent, param: &str) -> Option<&'a str> {
    event
        .clicks
        .iter()
        .find(|c| c.param == param)
        .map(|c| c.value.as_str())
}

const KEY: &str = "pck_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

/// The row's pairs after a default `track=Purchase` (which a `track` row overrides).
fn row_pairs(extra: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut list = pairs(extra);
    if !extra.iter().any(|(n, _)| *n == "track") {
        list.insert(0, ("track".to_string(), "Purchase".to_string()));
    }
    list
}

mod refusals;
mod requests;
mod seed_table;
mod status;
