//! Tests of sample events for the preview and the Test Webhook.

use super::connector;
use crate::core::event_params::EventFacts;
use crate::core::params::ParamValues;
use crate::core::postback::sample::{
    parse_sample, rehearse, synthetic_sample, Rehearsal, Sample, TEST_CLICK_ID,
};
use crate::core::postback::{PlanOutcome, SkipReason};
use serde_json::{json, Value};

const NOW: i64 = 1_700_000_000_000;

fn affiliate(mode: &str) -> crate::core::connector::ConnectorConfig {
    connector(
        json!({"name": "Net X", "trigger_events": ["Purchase", "Lead"], "mode": mode,
        "webhook": {"enabled": true, "method": "GET", "url": "https://partner.example/pb",
            "params": [{"name": "cid", "value": "{{CLICK_ID}}"}, {"name": "track", "value": "{{EVENT_NAME}}"},
                       {"name": "v", "value": "{{VALUE}}"}, {"name": "src", "value": "{{CLICK_SOURCE}}"},
                       {"name": "tx", "value": "{{TRANSACTION_ID}}"}],
            "event_renames": {"Purchase": "sale"}},
        "click_id": {"enabled": true, "param": "aff_click_id", "source_param": "utm_source",
            "source_value": "platform_x", "attribution": "last_click", "window_days": 14}}),
    )
}

fn run(c: &crate::core::connector::ConnectorConfig, sample: &Sample) -> Rehearsal {
    let values = ParamValues::for_event(&EventFacts {
        event: &sample.event,
        event_id: &sample.event_id,
        at_ms: NOW,
        visitor_id: None,
        provenance: crate::core::provenance::Provenance::Admin,
        cookie_domain: None,
        history: &sample.history,
    });
    rehearse(c, sample, &values, "dlv_preview", NOW)
}

fn parse(body: Value) -> Sample {
    parse_sample(&body, &affiliate("enabled"), NOW, "event").unwrap()
}

#[test]
fn a_sample_with_the_connectors_click_is_sent_with_the_click_and_the_renamed_event() {
    let sample = parse(
        json!({"event": "Purchase", "value": 49.9, "currency": "EUR",
        "attributes": {"transaction_id": "T-1"},
        "clicks": [{"param": "aff_click_id", "value": "abc123", "age_days": 2,
                    "landing_params": {"utm_source": "platform_x"}}]}),
    );
    let r = run(&affiliate("enabled"), &sample);
    assert_eq!(r.outcome, PlanOutcome::Send);
    assert_eq!(
        r.click.as_ref().map(|c| c.click.value.as_str()),
        Some("abc123")
    );
    assert_eq!(
        r.request.unwrap().url,
        "https://partner.example/pb?cid=abc123&track=sale&v=49.9&src=platform_x&tx=T-1"
    );
    assert_eq!(r.values.get("UTM_SOURCE"), Some("platform_x"));
}

#[test]
fn a_sample_says_why_a_connector_would_not_fire_and_still_shows_the_request() {
    let c = affiliate("enabled");
    let old = parse(
        json!({"clicks": [{"param": "aff_click_id", "value": "abc", "age_days": 20,
        "landing_params": {"utm_source": "platform_x"}}]}),
    );
    assert_eq!(
        run(&c, &old).outcome,
        PlanOutcome::Skip(SkipReason::OutsideWindow)
    );
    let other_source = parse(json!({"clicks": [{"param": "aff_click_id", "value": "abc",
        "landing_params": {"utm_source": "platform_y"}}]}));
    assert_eq!(
        run(&c, &other_source).outcome,
        PlanOutcome::Skip(SkipReason::SourceMismatch)
    );
    let later_gclid = parse(json!({"clicks": [
        {"param": "aff_click_id", "value": "abc", "age_days": 1, "landing_params": {"utm_source": "platform_x"}},
        {"param": "gclid", "value": "g1", "age_days": 0.5}]}));
    assert_eq!(
        run(&c, &later_gclid).outcome,
        PlanOutcome::Skip(SkipReason::NotLastClick)
    );
    let refused = parse(json!({"consent": {"advertising": false}}));
    let r = run(&c, &refused);
    assert_eq!(r.outcome, PlanOutcome::Skip(SkipReason::Consent));
    assert!(r.request.is_ok(), "the would-be request is still shown");
    assert_eq!(
        run(&affiliate("test"), &parse(json!({"pc_test": 1}))).outcome,
        PlanOutcome::Skip(SkipReason::NoClick)
    );
}

#[test]
fn a_sample_without_a_name_uses_the_first_trigger_and_bad_fields_are_named() {
    let c = affiliate("enabled");
    let sample = parse_sample(&json!({}), &c, NOW, "event").unwrap();
    assert_eq!(sample.event.name.as_str(), "Purchase");
    assert_eq!(sample.event_id, "pc-sample");
    let with_facts = parse(json!({"ip": "198.51.100.7", "user_agent": "UA", "visitor_id": "v9"}));
    assert_eq!(with_facts.event.ip.as_deref(), Some("198.51.100.7"));
    assert_eq!(with_facts.event.visitor_id.as_deref(), Some("v9"));
    for (body, field) in [
        (json!([]), "event"),
        (json!({"currency": "XXX1"}), "event.currency"),
        (json!({"curency": "EUR"}), "event.curency"),
        (json!({"clicks": {}}), "event.clicks"),
        (
            json!({"clicks": [{"param": "utm_source", "value": "x"}]}),
            "event.clicks[0].param",
        ),
        (
            json!({"clicks": [{"param": "gclid", "value": "{clickid}"}]}),
            "event.clicks[0].value",
        ),
        (
            json!({"clicks": [{"param": "gclid", "value": "g", "age_days": -1}]}),
            "event.clicks[0].age_days",
        ),
        (
            json!({"clicks": [{"param": "gclid", "value": "g", "landing_params": {"a": 1}}]}),
            "event.clicks[0].landing_params.a",
        ),
        (json!({"ip": 7}), "event.ip"),
    ] {
        let err = parse_sample(&body, &c, NOW, "event").unwrap_err();
        assert_eq!(err.field.as_deref(), Some(field), "{body}");
    }
    let many: Vec<Value> = (0..25)
        .map(|i| json!({"param": "gclid", "value": format!("g{i}")}))
        .collect();
    assert!(parse_sample(&json!({"clicks": many}), &c, NOW, "event").is_err());
}

#[test]
fn the_synthetic_test_event_passes_attribution_with_a_test_click() {
    let c = affiliate("test");
    let sample = synthetic_sample(&c, NOW).unwrap();
    let r = run(&c, &sample);
    assert_eq!(
        r.click.as_ref().map(|m| m.click.value.as_str()),
        Some(TEST_CLICK_ID)
    );
    assert_eq!(
        r.outcome,
        PlanOutcome::LogOnly,
        "test mode: the endpoint sends it anyway"
    );
    let url = r.request.unwrap().url;
    assert!(
        url.contains("cid=pc-test-click&track=sale&v=1&src=platform_x"),
        "{url}"
    );
    assert_eq!(sample.history[0].at_ms, NOW);
    let plain = connector(json!({"name": "Plain", "trigger_events": ["Lead"],
        "webhook": {"enabled": true, "method": "POST", "url": "https://partner.example/pb"}}));
    let sample = synthetic_sample(&plain, NOW).unwrap();
    assert!(sample.history.is_empty());
    assert_eq!(sample.event.name.as_str(), "Lead");
}
