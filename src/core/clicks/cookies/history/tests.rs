//! Tests of the `pc_clk` history: its encoding, bounds, merging and tolerance of garbage.

use super::*;
use crate::core::clicks::capture_from_query;

fn clicks(query: &str) -> Vec<CapturedClick> {
    capture_from_query(query, &[]).clicks().to_vec()
}

fn history_of(query: &str, now_ms: i64) -> ClickHistory {
    let mut history = ClickHistory::default();
    history.merge(&clicks(query), now_ms);
    history
}

#[test]
fn a_history_round_trips_through_its_cookie_value() {
    let history = history_of(
        "gclid=Cj0-K_Q&utm_source=google&utm_campaign=summer+sale",
        1_718_000_000_500,
    );
    let encoded = history.encode();
    assert_eq!(
        encoded,
        "v1!gclid*Cj0-K_Q*google*1718000000!utm_source*google*google*1718000000\
         !utm_campaign*summer%20sale*google*1718000000"
    );
    assert_eq!(ClickHistory::decode(&encoded), history);
}

#[test]
fn the_encoding_never_holds_characters_a_cookie_value_may_not() {
    let custom = [crate::core::clicks::CustomClickParam {
        param: "click_id".into(),
        source_param: None,
        source_value: None,
    }];
    let captured = capture_from_query(
        "click_id=a%3Bb%2Cc%22d%5Ce!f*g%25h&utm_source=x%20y%3B&fbclid=%C3%A9",
        &custom,
    );
    let mut history = ClickHistory::default();
    history.merge(captured.clicks(), 1_000);
    let encoded = history.encode();
    assert!(
        encoded
            .bytes()
            .all(|b| (0x21..=0x7e).contains(&b) && !b"\",;\\".contains(&b)),
        "{encoded}"
    );
    let decoded = ClickHistory::decode(&encoded);
    assert_eq!(decoded, history);
    assert_eq!(
        decoded.latest("click_id").unwrap().value.as_str(),
        "a;b,c\"d\\e!f*g%h"
    );
    assert_eq!(decoded.latest("fbclid").unwrap().value.as_str(), "é");
    assert_eq!(
        decoded.latest("click_id").unwrap().source.as_deref(),
        Some("x y;")
    );
}

#[test]
fn new_clicks_go_first_and_a_repeated_click_moves_to_the_front() {
    let mut history = history_of("gclid=A", 1_000_000);
    history.merge(&clicks("fbclid=F"), 2_000_000);
    history.merge(&clicks("gclid=A"), 3_000_000);
    let order: Vec<(&str, &str, i64)> = history
        .entries()
        .iter()
        .map(|e| (e.param.as_str(), e.value.as_str(), e.at_s))
        .collect();
    assert_eq!(order, vec![("gclid", "A", 3_000), ("fbclid", "F", 2_000)]);
}

#[test]
fn different_values_of_one_param_are_kept_apart() {
    let mut history = history_of("gclid=A", 1_000);
    history.merge(&clicks("gclid=B"), 2_000);
    assert_eq!(history.entries().len(), 2);
    assert_eq!(history.latest("gclid").unwrap().value.as_str(), "B");
}

#[test]
fn the_history_keeps_at_most_its_entry_limit_dropping_the_oldest() {
    let mut history = ClickHistory::default();
    for i in 0..(HISTORY_MAX_ENTRIES + 10) {
        history.merge(&clicks(&format!("gclid=id{i}")), i as i64 * 1000);
    }
    assert_eq!(history.entries().len(), HISTORY_MAX_ENTRIES);
    assert_eq!(
        history.entries()[0].value.as_str(),
        format!("id{}", HISTORY_MAX_ENTRIES + 9)
    );
    assert_eq!(history.entries().last().unwrap().value.as_str(), "id10");
}

#[test]
fn the_encoded_history_stays_under_its_byte_cap_dropping_the_oldest() {
    let mut history = ClickHistory::default();
    for i in 0..HISTORY_MAX_ENTRIES {
        let long = format!("{i:03}{}", "x".repeat(400));
        history.merge(&clicks(&format!("gclid={long}")), i as i64 * 1000);
    }
    let encoded = history.encode();
    assert!(encoded.len() <= HISTORY_MAX_BYTES, "{}", encoded.len());
    assert!(history.entries().len() < HISTORY_MAX_ENTRIES);
    assert!(history.entries()[0]
        .value
        .as_str()
        .starts_with(&format!("{:03}", HISTORY_MAX_ENTRIES - 1)));
    // The newest survive; the oldest went.
    assert!(history
        .latest("gclid")
        .unwrap()
        .value
        .as_str()
        .starts_with("023"));
    assert!(!history
        .entries()
        .iter()
        .any(|e| e.value.as_str().starts_with("000")));
}

#[test]
fn a_pathological_entry_that_could_never_fit_is_dropped_and_the_rest_kept() {
    let mut history = history_of("gclid=old", 1_000);
    let huge = "%C3%A9".repeat(256); // 512 bytes, each encoded back to 3 bytes per byte
    history.merge(&clicks(&format!("fbclid=ok&utm_source={huge}")), 2_000);
    assert!(history.encode().len() <= HISTORY_MAX_BYTES);
    assert!(history.latest("gclid").is_some());
}

#[test]
fn garbage_decodes_to_an_empty_history() {
    let too_long = format!("v1!gclid*{}*x*1", "a".repeat(5000));
    for raw in [
        "",
        "v1",
        "v2!gclid*A**1",
        "gclid*A**1",
        "!!!!",
        "v1!!!",
        "v1!gclid*A",
        "v1!gclid*A**",
        "v1!gclid*A**-5",
        "v1!gclid*A**99999999999999",
        "v1!gclid*A**1*extra",
        "v1!GCLID*A**1",
        "v1!gclid*%FF**1",
        "v1!gclid*a%00b**1",
        "v1!gclid*%20**1",
        "v1!*A**1",
        "v1!gclid*A*%0A*1",
        "v1!gclid*{clickid}**1",
        too_long.as_str(),
    ] {
        assert!(ClickHistory::decode(raw).is_empty(), "{raw:?}");
    }
}

#[test]
fn a_damaged_entry_is_skipped_and_the_others_kept() {
    let history = ClickHistory::decode("v1!gclid*A**100!fbclid*%ZZ%FF**x!ttclid*T*tiktok*50");
    let params: Vec<&str> = history.entries().iter().map(|e| e.param.as_str()).collect();
    assert_eq!(params, vec!["gclid", "ttclid"]);
    assert_eq!(
        history.latest("ttclid").unwrap().source.as_deref(),
        Some("tiktok")
    );
}

#[test]
fn duplicate_entries_in_a_cookie_collapse_to_the_newest() {
    let history = ClickHistory::decode("v1!gclid*A**200!gclid*A**100");
    assert_eq!(history.entries().len(), 1);
    assert_eq!(history.entries()[0].at_s, 200);
}

#[test]
fn a_forged_cookie_with_too_many_entries_is_bounded() {
    let raw = format!(
        "v1{}",
        (0..500)
            .map(|i| format!("!gclid*g{i}**1"))
            .collect::<String>()
    );
    assert!(ClickHistory::decode(&raw).entries().len() <= HISTORY_MAX_ENTRIES);
}

#[test]
fn an_empty_history_encodes_as_the_bare_version() {
    assert_eq!(ClickHistory::default().encode(), "v1");
    assert!(ClickHistory::decode("v1").is_empty());
}

#[test]
fn entries_know_their_kind() {
    let history = history_of("gclid=A&utm_medium=cpc", 0);
    assert_eq!(history.latest("gclid").unwrap().kind(), ClickKind::ClickId);
    assert_eq!(history.latest("utm_medium").unwrap().kind(), ClickKind::Tag);
}

#[test]
fn times_before_the_epoch_are_clamped_not_panicking() {
    let history = history_of("gclid=A", -5_000);
    assert_eq!(history.entries()[0].at_s, 0);
    let history = history_of("gclid=A", i64::MAX);
    assert!(ClickHistory::decode(&history.encode())
        .latest("gclid")
        .is_some());
}
