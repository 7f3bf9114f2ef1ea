//! Tests of the delivery plan: send, log only or skip, and the row written for each.

use super::{connector, values, SPEC_SECRET};
use crate::core::connector::ConnectorConfig;
use crate::core::consent::{Consent, ConsentSignal};
use crate::core::lifecycle::ConversionStatus;
use crate::core::params::ParamValues;
use crate::core::postback::{
    fill_click_values, fill_event_name, plan_delivery, prepare_delivery, verify_signature,
    AttributionDecision, ClickRecord, DeliveryInput, DeliveryKind, DeliveryStatus, MatchedClick,
    PlanOutcome, SkipReason,
};
use crate::core::provenance::Provenance;
use serde_json::{json, Value};

pub(super) const NOW: i64 = 1_700_000_000_123;
const FIRE: AttributionDecision = AttributionDecision::Fire { click: None };
const REFUSED: Consent = Consent {
    advertising: ConsentSignal::Denied,
    analytics: ConsentSignal::Absent,
};

/// The seed's affiliate example: a Purchase postback renamed to `sale`, with the click id.
pub(super) fn affiliate(mode: &str, extra: Value) -> ConnectorConfig {
    let mut body = json!({
        "name": "Affiliate Network X",
        "trigger_events": ["Purchase"],
        "mode": mode,
        "webhook": {"enabled": true, "method": "GET", "url": "https://partner.example/pb?net=x",
            "params": [{"name": "value", "value": "{{VALUE}}"}, {"name": "cid", "value": "{{CLICK_ID}}"},
                       {"name": "track", "value": "{{EVENT_NAME}}"}, {"name": "src", "value": "{{CLICK_SOURCE}}"}],
            "headers": [{"name": "Authorization", "value": "Bearer abc123"}],
            "event_renames": {"Purchase": "sale"}},
        "click_id": {"enabled": true, "param": "aff_click_id", "source_param": "utm_source",
            "source_value": "platform_x", "attribution": "last_click", "window_days": 14}
    });
    crate::core::connector::merge_patch(&mut body, &extra);
    connector(body)
}

pub(super) fn partner_click(at_ms: i64) -> ClickRecord {
    ClickRecord {
        param: "aff_click_id".into(),
        value: "abc123".into(),
        at_ms,
        landing_params: vec![("utm_source".into(), "platform_x".into())],
    }
}

pub(super) fn input<'a>(
    connector: &'a ConnectorConfig,
    values: &'a ParamValues,
    clicks: &'a [ClickRecord],
) -> DeliveryInput<'a> {
    DeliveryInput {
        delivery_id: "dlv_1",
        connector_id: "con_1",
        connector,
        event_id: "evt_1",
        event_name: "Purchase",
        provenance: Provenance::Server,
        force_send: false,
        consent: Consent::default(),
        values,
        clicks,
        now_ms: NOW,
        status: ConversionStatus::Received,
        kind: DeliveryKind::Conversion,
    }
}

#[test]
fn an_event_that_is_not_a_trigger_or_a_connector_without_webhook_is_not_triggered() {
    let enabled = affiliate("enabled", json!({}));
    assert_eq!(
        plan_delivery(&enabled, "Lead", Provenance::Server, false, true, &FIRE),
        PlanOutcome::NotTriggered
    );
    let lower = plan_delivery(&enabled, "purchase", Provenance::Server, false, true, &FIRE);
    assert_eq!(lower, PlanOutcome::Send, "trigger events ignore case");
    let pixel_only = affiliate("enabled", json!({"webhook": {"enabled": false}}));
    assert_eq!(
        plan_delivery(
            &pixel_only,
            "Purchase",
            Provenance::Server,
            false,
            true,
            &FIRE
        ),
        PlanOutcome::NotTriggered
    );
}

#[test]
fn an_enabled_connector_sends_and_a_disabled_one_records_why_it_did_not() {
    let enabled = affiliate("enabled", json!({}));
    assert_eq!(
        plan_delivery(&enabled, "Purchase", Provenance::Server, false, true, &FIRE),
        PlanOutcome::Send
    );
    let disabled = affiliate("disabled", json!({}));
    for force in [false, true] {
        assert_eq!(
            plan_delivery(
                &disabled,
                "Purchase",
                Provenance::Server,
                force,
                true,
                &FIRE
            ),
            PlanOutcome::Skip(SkipReason::Disabled)
        );
    }
}

#[test]
fn test_mode_logs_only_unless_pc_test_forces_a_real_send() {
    let test = affiliate("test", json!({}));
    assert_eq!(
        plan_delivery(&test, "Purchase", Provenance::Server, false, true, &FIRE),
        PlanOutcome::LogOnly
    );
    assert_eq!(
        plan_delivery(&test, "Purchase", Provenance::Server, true, true, &FIRE),
        PlanOutcome::Send
    );
    let enabled = affiliate("enabled", json!({}));
    assert_eq!(
        plan_delivery(&enabled, "Purchase", Provenance::Server, true, true, &FIRE),
        PlanOutcome::Send
    );
}

#[test]
fn consent_refusing_advertising_sends_nothing_in_any_mode() {
    for mode in ["enabled", "test"] {
        let c = affiliate(mode, json!({}));
        for force in [false, true] {
            assert_eq!(
                plan_delivery(&c, "Purchase", Provenance::Server, force, false, &FIRE),
                PlanOutcome::Skip(SkipReason::Consent),
                "{mode} {force}"
            );
        }
    }
}

#[test]
fn attribution_refusals_become_skips_even_in_test_mode() {
    for mode in ["enabled", "test"] {
        let c = affiliate(mode, json!({}));
        let refused = AttributionDecision::DoNotFire(SkipReason::NotLastClick);
        assert_eq!(
            plan_delivery(&c, "Purchase", Provenance::Server, true, true, &refused),
            PlanOutcome::Skip(SkipReason::NotLastClick)
        );
    }
}

#[test]
fn event_name_is_the_renamed_one_when_a_rename_exists() {
    let c = affiliate("enabled", json!({}));
    let mut vals = ParamValues::new();
    fill_event_name(&mut vals, &c, "Purchase");
    assert_eq!(vals.get("EVENT_NAME"), Some("sale"));
    fill_event_name(&mut vals, &c, "Lead");
    assert_eq!(vals.get("EVENT_NAME"), Some("Lead"));
}

#[test]
fn click_values_come_from_the_matched_click_and_stay_absent_without_one() {
    let mut vals = ParamValues::new();
    fill_click_values(&mut vals, None);
    assert_eq!(
        (vals.get("CLICK_ID"), vals.get("CLICK_SOURCE")),
        (None, None)
    );
    let matched = MatchedClick {
        click: partner_click(NOW),
        source: Some("platform_x".into()),
    };
    fill_click_values(&mut vals, Some(&matched));
    assert_eq!(vals.get("CLICK_ID"), Some("abc123"));
    assert_eq!(vals.get("CLICK_SOURCE"), Some("platform_x"));
}

#[test]
fn an_attributed_event_becomes_a_queued_row_with_the_exact_request() {
    let c = affiliate("enabled", json!({}));
    let vals = values(&[("VALUE", "49.90")]);
    let clicks = [partner_click(NOW - 3_600_000)];
    let plan = prepare_delivery(&input(&c, &vals, &clicks)).unwrap();
    assert_eq!(plan.status, DeliveryStatus::Queued);
    assert_eq!((plan.reason, plan.error.as_deref()), (None, None));
    assert_eq!(
        (
            plan.delivery_id.as_str(),
            plan.connector_id.as_str(),
            plan.event_id.as_str()
        ),
        ("dlv_1", "con_1", "evt_1")
    );
    let request = plan.request.unwrap();
    assert_eq!(
        request.url,
        "https://partner.example/pb?net=x&value=49.90&cid=abc123&track=sale&src=platform_x"
    );
    assert_eq!(request.header("Authorization"), Some("Bearer abc123"));
    assert_eq!(request.header("Idempotency-Key"), Some("dlv_1"));
    assert_eq!(plan.click.unwrap().click.value, "abc123");
}

#[test]
fn a_signed_plan_is_signed_at_the_planning_second() {
    let c = affiliate(
        "enabled",
        json!({"webhook": {"method": "POST", "signing_secret": SPEC_SECRET}}),
    );
    let vals = values(&[("VALUE", "49.90")]);
    let clicks = [partner_click(NOW)];
    let request = prepare_delivery(&input(&c, &vals, &clicks))
        .unwrap()
        .request
        .unwrap();
    assert_eq!(request.header("webhook-timestamp"), Some("1700000000"));
    assert!(verify_signature(
        SPEC_SECRET,
        "dlv_1",
        1_700_000_000,
        request.body_bytes(),
        request.header("webhook-signature").unwrap()
    ));
}

#[test]
fn test_mode_writes_the_would_be_request_with_status_test() {
    let c = affiliate("test", json!({}));
    let vals = values(&[("VALUE", "1")]);
    let clicks = [partner_click(NOW)];
    let plan = prepare_delivery(&input(&c, &vals, &clicks)).unwrap();
    assert_eq!(plan.status, DeliveryStatus::Test);
    assert_eq!(plan.reason, Some(SkipReason::TestMode));
    assert!(plan.request.unwrap().url.contains("cid=abc123"));

    let forced = DeliveryInput {
        force_send: true,
        ..input(&c, &vals, &clicks)
    };
    assert_eq!(
        prepare_delivery(&forced).unwrap().status,
        DeliveryStatus::Queued
    );
}

#[test]
fn a_connector_that_does_not_fire_writes_a_skipped_row_with_its_reason() {
    let c = affiliate("enabled", json!({}));
    let vals = values(&[]);
    let cases: Vec<(Vec<ClickRecord>, SkipReason)> = vec![
        (vec![], SkipReason::NoClick),
        (
            vec![partner_click(NOW - 15 * 86_400_000)],
            SkipReason::OutsideWindow,
        ),
        (
            vec![ClickRecord {
                landing_params: vec![("utm_source".into(), "platform_y".into())],
                ..partner_click(NOW)
            }],
            SkipReason::SourceMismatch,
        ),
    ];
    for (clicks, reason) in cases {
        let plan = prepare_delivery(&input(&c, &vals, &clicks)).unwrap();
        assert_eq!(
            (plan.status, plan.reason),
            (DeliveryStatus::Skipped, Some(reason))
        );
        assert!(plan.click.is_none());
        let shown = plan.request.expect("the would-be request is shown");
        assert!(
            shown.url.contains("cid=&"),
            "no click, so no click id: {}",
            shown.url
        );
    }
}

#[test]
fn a_consent_skip_still_shows_which_click_would_have_been_credited() {
    let c = affiliate("enabled", json!({}));
    let vals = values(&[]);
    let clicks = [partner_click(NOW)];
    let plan = prepare_delivery(&DeliveryInput {
        consent: REFUSED,
        ..input(&c, &vals, &clicks)
    })
    .unwrap();
    assert_eq!(
        (plan.status, plan.reason),
        (DeliveryStatus::Skipped, Some(SkipReason::Consent))
    );
    assert_eq!(plan.click.unwrap().click.value, "abc123");
    assert!(plan.request.unwrap().url.contains("cid=abc123"));
}

#[test]
fn a_disabled_connector_records_a_skip_and_an_untriggered_one_writes_nothing() {
    let disabled = affiliate("disabled", json!({}));
    let vals = values(&[]);
    let clicks = [partner_click(NOW)];
    let plan = prepare_delivery(&input(&disabled, &vals, &clicks)).unwrap();
    assert_eq!(
        (plan.status, plan.reason),
        (DeliveryStatus::Skipped, Some(SkipReason::Disabled))
    );

    let enabled = affiliate("enabled", json!({}));
    let lead = DeliveryInput {
        event_name: "Lead",
        ..input(&enabled, &vals, &clicks)
    };
    assert_eq!(prepare_delivery(&lead), None);
}

#[test]
fn a_request_that_cannot_be_built_is_recorded_as_failed_never_dropped() {
    let c = affiliate(
        "enabled",
        json!({"webhook": {"url": "https://partner{{CLICK_SOURCE}}.example/pb"}}),
    );
    let vals = values(&[]);
    let clicks = [partner_click(NOW)];
    let plan = prepare_delivery(&input(&c, &vals, &clicks)).unwrap();
    assert_eq!(plan.status, DeliveryStatus::Failed);
    assert!(plan.error.unwrap().contains("host"));
    assert!(plan.request.is_none());

    let bad_key = DeliveryInput {
        delivery_id: "dlv 1",
        ..input(&c, &vals, &clicks)
    };
    assert_eq!(
        prepare_delivery(&bad_key).unwrap().status,
        DeliveryStatus::Failed
    );
}

#[test]
fn planning_is_deterministic_for_the_same_inputs() {
    let c = affiliate(
        "enabled",
        json!({"webhook": {"signing_secret": SPEC_SECRET}}),
    );
    let vals = values(&[("VALUE", "5")]);
    let clicks = [partner_click(NOW)];
    assert_eq!(
        prepare_delivery(&input(&c, &vals, &clicks)),
        prepare_delivery(&input(&c, &vals, &clicks))
    );
}

#[test]
fn delivery_statuses_and_plans_are_stored_in_snake_case() {
    for status in DeliveryStatus::ALL {
        assert_eq!(DeliveryStatus::parse(status.as_str()), Some(status));
        assert_eq!(
            serde_json::to_value(status).unwrap(),
            json!(status.as_str())
        );
    }
    let c = affiliate("test", json!({}));
    let vals = values(&[]);
    let clicks = [partner_click(NOW)];
    let plan = prepare_delivery(&input(&c, &vals, &clicks)).unwrap();
    let stored = serde_json::to_value(&plan).unwrap();
    assert_eq!(stored["status"], "test");
    assert_eq!(stored["reason"], "test_mode");
    assert_eq!(
        serde_json::from_value::<crate::core::postback::DeliveryPlan>(stored).unwrap(),
        plan
    );
}
