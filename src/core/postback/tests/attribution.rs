//! Tests of click-ID attribution: last click, any click, windows and source values.

use crate::core::connector::{Attribution, ClickIdConfig};
use crate::core::postback::{
    decide_attribution, AttributionDecision, ClickRecord, MatchedClick, SkipReason, DAY_MS,
    FUTURE_TOLERANCE_MS,
};

const NOW: i64 = 1_700_000_000_000;
const HOUR: i64 = 3_600_000;

fn config(attribution: Attribution) -> ClickIdConfig {
    ClickIdConfig {
        enabled: true,
        param: Some("aff_click_id".into()),
        source_param: None,
        source_value: None,
        attribution,
        window_days: 14,
    }
}

fn strict(attribution: Attribution, source_value: Option<&str>) -> ClickIdConfig {
    ClickIdConfig {
        source_param: Some("utm_source".into()),
        source_value: source_value.map(str::to_string),
        ..config(attribution)
    }
}

fn click(param: &str, value: &str, at_ms: i64) -> ClickRecord {
    ClickRecord {
        param: param.into(),
        value: value.into(),
        at_ms,
        landing_params: Vec::new(),
    }
}

fn sourced(param: &str, value: &str, at_ms: i64, source: &str) -> ClickRecord {
    ClickRecord {
        landing_params: vec![("utm_source".into(), source.into())],
        ..click(param, value, at_ms)
    }
}

fn fired_value(decision: AttributionDecision) -> String {
    match decision {
        AttributionDecision::Fire { click: Some(m) } => m.click.value,
        other => panic!("expected a fire with a click, got {other:?}"),
    }
}

fn skipped(decision: AttributionDecision) -> SkipReason {
    match decision {
        AttributionDecision::DoNotFire(reason) => reason,
        other => panic!("expected no fire, got {other:?}"),
    }
}

#[test]
fn with_matching_off_the_connector_fires_without_a_click() {
    let off = ClickIdConfig {
        enabled: false,
        ..config(Attribution::LastClick)
    };
    assert_eq!(
        decide_attribution(&off, &[], NOW),
        AttributionDecision::Fire { click: None }
    );
}

#[test]
fn an_empty_history_or_one_without_the_connectors_param_is_no_click() {
    let cfg = config(Attribution::AnyClick);
    assert_eq!(
        skipped(decide_attribution(&cfg, &[], NOW)),
        SkipReason::NoClick
    );
    let other = [
        click("gclid", "g1", NOW - HOUR),
        click("click_id", "c1", NOW - HOUR),
    ];
    assert_eq!(
        skipped(decide_attribution(&cfg, &other, NOW)),
        SkipReason::NoClick
    );
    let empty_value = [click("aff_click_id", "", NOW - HOUR)];
    assert_eq!(
        skipped(decide_attribution(&cfg, &empty_value, NOW)),
        SkipReason::NoClick
    );
}

#[test]
fn last_click_fires_when_the_connectors_click_is_the_most_recent() {
    let history = [
        click("gclid", "g1", NOW - 3 * HOUR),
        click("aff_click_id", "a1", NOW - HOUR),
    ];
    let cfg = config(Attribution::LastClick);
    assert_eq!(fired_value(decide_attribution(&cfg, &history, NOW)), "a1");
}

#[test]
fn last_click_refuses_a_connector_that_was_not_the_latest_click_but_any_click_fires() {
    let history = [
        click("aff_click_id", "a1", NOW - 3 * HOUR),
        click("gclid", "g1", NOW - HOUR),
    ];
    assert_eq!(
        skipped(decide_attribution(
            &config(Attribution::LastClick),
            &history,
            NOW
        )),
        SkipReason::NotLastClick
    );
    assert_eq!(
        fired_value(decide_attribution(
            &config(Attribution::AnyClick),
            &history,
            NOW
        )),
        "a1"
    );
}

#[test]
fn any_click_uses_the_most_recent_of_the_connectors_clicks_in_any_order() {
    let history = [
        click("aff_click_id", "newest", NOW - HOUR),
        click("aff_click_id", "oldest", NOW - 5 * DAY_MS),
        click("gclid", "g1", NOW - 1000),
        click("aff_click_id", "middle", NOW - 2 * DAY_MS),
    ];
    assert_eq!(
        fired_value(decide_attribution(
            &config(Attribution::AnyClick),
            &history,
            NOW
        )),
        "newest"
    );
}

#[test]
fn a_click_older_than_the_window_does_not_fire() {
    let history = [click("aff_click_id", "a1", NOW - 15 * DAY_MS)];
    for model in [Attribution::LastClick, Attribution::AnyClick] {
        assert_eq!(
            skipped(decide_attribution(&config(model), &history, NOW)),
            SkipReason::OutsideWindow
        );
    }
}

#[test]
fn the_window_boundary_itself_is_inside_and_one_millisecond_more_is_outside() {
    let cfg = config(Attribution::AnyClick);
    let edge = [click("aff_click_id", "a1", NOW - 14 * DAY_MS)];
    assert_eq!(fired_value(decide_attribution(&cfg, &edge, NOW)), "a1");
    let past = [click("aff_click_id", "a1", NOW - 14 * DAY_MS - 1)];
    assert_eq!(
        skipped(decide_attribution(&cfg, &past, NOW)),
        SkipReason::OutsideWindow
    );
}

#[test]
fn last_click_ignores_newer_clicks_only_when_they_are_old_enough_to_leave_the_window() {
    // The connector's click is in the window, another source's click is newer: not last.
    // Once the connector's own click leaves the window, the reason becomes the window.
    let history = [
        click("aff_click_id", "a1", NOW - 20 * DAY_MS),
        click("gclid", "g1", NOW - 19 * DAY_MS),
    ];
    assert_eq!(
        skipped(decide_attribution(
            &config(Attribution::LastClick),
            &history,
            NOW
        )),
        SkipReason::OutsideWindow
    );
}

#[test]
fn a_strict_source_value_must_match_exactly() {
    let cfg = strict(Attribution::LastClick, Some("platform_x"));
    let matching = [sourced("aff_click_id", "a1", NOW - HOUR, "platform_x")];
    let fired = decide_attribution(&cfg, &matching, NOW);
    assert_eq!(
        fired,
        AttributionDecision::Fire {
            click: Some(MatchedClick {
                click: matching[0].clone(),
                source: Some("platform_x".into()),
            })
        }
    );
    for other in ["platform_y", "Platform_X", "platform_x ", ""] {
        let history = [sourced("aff_click_id", "a1", NOW - HOUR, other)];
        assert_eq!(
            skipped(decide_attribution(&cfg, &history, NOW)),
            SkipReason::SourceMismatch,
            "{other:?}"
        );
    }
    let no_source = [click("aff_click_id", "a1", NOW - HOUR)];
    assert_eq!(
        skipped(decide_attribution(&cfg, &no_source, NOW)),
        SkipReason::SourceMismatch
    );
}

#[test]
fn a_source_param_without_a_strict_value_accepts_any_non_empty_source() {
    let cfg = strict(Attribution::AnyClick, None);
    let history = [sourced("aff_click_id", "a1", NOW - HOUR, "anything")];
    assert_eq!(fired_value(decide_attribution(&cfg, &history, NOW)), "a1");
    let blank = [sourced("aff_click_id", "a1", NOW - HOUR, "")];
    assert_eq!(
        skipped(decide_attribution(&cfg, &blank, NOW)),
        SkipReason::SourceMismatch
    );
}

#[test]
fn connectors_sharing_a_click_param_are_told_apart_by_source_for_last_click() {
    // Two networks both use aff_click_id; platform_y's click is the latest.
    let history = [
        sourced("aff_click_id", "x1", NOW - 2 * HOUR, "platform_x"),
        sourced("aff_click_id", "y1", NOW - HOUR, "platform_y"),
    ];
    let network_x = strict(Attribution::LastClick, Some("platform_x"));
    let network_y = strict(Attribution::LastClick, Some("platform_y"));
    assert_eq!(
        skipped(decide_attribution(&network_x, &history, NOW)),
        SkipReason::NotLastClick
    );
    assert_eq!(
        fired_value(decide_attribution(&network_y, &history, NOW)),
        "y1"
    );
    let any_x = strict(Attribution::AnyClick, Some("platform_x"));
    assert_eq!(fired_value(decide_attribution(&any_x, &history, NOW)), "x1");
}

#[test]
fn clicks_from_the_same_landing_at_the_same_instant_let_last_click_fire() {
    let history = [
        click("aff_click_id", "a1", NOW - HOUR),
        click("gclid", "g1", NOW - HOUR),
    ];
    assert_eq!(
        fired_value(decide_attribution(
            &config(Attribution::LastClick),
            &history,
            NOW
        )),
        "a1"
    );
}

#[test]
fn a_click_made_after_the_conversion_never_takes_its_credit() {
    let cfg = config(Attribution::AnyClick);
    // The conversion came with no click of this partner; 27 s later someone clicks its link.
    let history = [click("aff_click_id", "injected", NOW + 27_000)];
    assert_eq!(
        skipped(decide_attribution(&cfg, &history, NOW)),
        SkipReason::NoClick
    );
    // Last click: an earlier partner click keeps the credit over a click after the sale.
    let cfg = config(Attribution::LastClick);
    let history = [
        click("aff_click_id", "a1", NOW - HOUR),
        click("gclid", "after", NOW + 27_000),
    ];
    assert_eq!(fired_value(decide_attribution(&cfg, &history, NOW)), "a1");
}

#[test]
fn a_slightly_future_click_counts_as_now_and_a_far_future_one_is_ignored() {
    let cfg = config(Attribution::LastClick);
    let skewed = [click("aff_click_id", "a1", NOW + FUTURE_TOLERANCE_MS)];
    assert_eq!(fired_value(decide_attribution(&cfg, &skewed, NOW)), "a1");

    let forged = [click("aff_click_id", "a1", NOW + FUTURE_TOLERANCE_MS + 1)];
    assert_eq!(
        skipped(decide_attribution(&cfg, &forged, NOW)),
        SkipReason::NoClick
    );

    // A forged far-future click of another source cannot steal the last click either.
    let history = [
        click("aff_click_id", "a1", NOW - HOUR),
        click("gclid", "g1", NOW + 365 * DAY_MS),
    ];
    assert_eq!(fired_value(decide_attribution(&cfg, &history, NOW)), "a1");

    // A skewed click of another source is "now", so it is the latest.
    let history = [
        click("aff_click_id", "a1", NOW - 1),
        click("gclid", "g1", NOW + 1000),
    ];
    assert_eq!(
        skipped(decide_attribution(&cfg, &history, NOW)),
        SkipReason::NotLastClick
    );
}

#[test]
fn the_click_param_is_compared_without_regard_to_case() {
    let history = [click("AFF_Click_ID", "a1", NOW - HOUR)];
    assert_eq!(
        fired_value(decide_attribution(
            &config(Attribution::LastClick),
            &history,
            NOW
        )),
        "a1"
    );
}

#[test]
fn click_source_falls_back_to_utm_source_without_a_source_param() {
    let history = [sourced("aff_click_id", "a1", NOW - HOUR, "newsletter")];
    match decide_attribution(&config(Attribution::AnyClick), &history, NOW) {
        AttributionDecision::Fire { click: Some(m) } => {
            assert_eq!(m.source.as_deref(), Some("newsletter"))
        }
        other => panic!("{other:?}"),
    }
    let custom = ClickIdConfig {
        source_param: Some("net".into()),
        ..config(Attribution::AnyClick)
    };
    let history = [ClickRecord {
        landing_params: vec![
            ("utm_source".into(), "google".into()),
            ("NET".into(), "x".into()),
        ],
        ..click("aff_click_id", "a1", NOW - HOUR)
    }];
    match decide_attribution(&custom, &history, NOW) {
        AttributionDecision::Fire { click: Some(m) } => assert_eq!(m.source.as_deref(), Some("x")),
        other => panic!("{other:?}"),
    }
}

#[test]
fn extreme_clocks_and_windows_do_not_overflow() {
    let cfg = ClickIdConfig {
        window_days: u16::MAX,
        ..config(Attribution::LastClick)
    };
    for now in [i64::MIN, 0, i64::MAX] {
        let history = [
            click("aff_click_id", "a1", now),
            click("gclid", "g", i64::MIN),
        ];
        assert_eq!(fired_value(decide_attribution(&cfg, &history, now)), "a1");
    }
}

#[test]
fn skip_reasons_are_stored_as_snake_case_and_read_back() {
    for reason in SkipReason::ALL {
        let stored = serde_json::to_value(reason).unwrap();
        assert_eq!(stored, serde_json::Value::String(reason.as_str().into()));
        assert_eq!(SkipReason::parse(reason.as_str()), Some(reason));
        assert!(reason.message().ends_with('.'));
    }
    assert_eq!(SkipReason::NotLastClick.as_str(), "not_last_click");
    assert_eq!(SkipReason::parse("NoClick"), None);
}
