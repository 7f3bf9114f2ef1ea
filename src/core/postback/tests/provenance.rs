//! Tests of what an event's provenance decides: a browser event fires a connector's postback only
//! when the connector opts in, and `pc_test` forces a live send only for authenticated callers.

use super::connector;
use crate::core::connector::{ConnectorConfig, FireOn};
use crate::core::postback::{
    plan_delivery, plan_pixel, AttributionDecision, PlanOutcome, SkipReason,
};
use crate::core::provenance::Provenance;
use serde_json::{json, Value};

const FIRE: AttributionDecision = AttributionDecision::Fire { click: None };

fn purchase_connector(mode: &str, webhook: Value) -> ConnectorConfig {
    let mut body = json!({
        "name": "Affiliate Network X", "trigger_events": ["Purchase"], "mode": mode,
        "webhook": {"enabled": true, "url": "https://partner.example/pb"},
        "pixel": {"enabled": true, "html": "<img src=\"https://px.example/?v={{VALUE}}\">"},
    });
    crate::core::connector::merge_patch(&mut body["webhook"], &webhook);
    connector(body)
}

#[test]
fn connectors_fire_on_server_events_only_unless_they_opt_in_to_browser_events() {
    let default = purchase_connector("enabled", json!({}));
    assert_eq!(default.webhook.fire_on, FireOn::Server);
    let opted_in = purchase_connector("enabled", json!({"fire_on": "server_and_browser"}));
    assert_eq!(opted_in.webhook.fire_on, FireOn::ServerAndBrowser);
    let plan =
        |c: &ConnectorConfig, p: Provenance| plan_delivery(c, "Purchase", p, false, true, &FIRE);
    assert_eq!(
        plan(&default, Provenance::Browser),
        PlanOutcome::Skip(SkipReason::BrowserEvent)
    );
    assert_eq!(plan(&default, Provenance::Server), PlanOutcome::Send);
    assert_eq!(plan(&default, Provenance::Admin), PlanOutcome::Send);
    assert_eq!(plan(&opted_in, Provenance::Browser), PlanOutcome::Send);
    assert_eq!(plan(&opted_in, Provenance::Server), PlanOutcome::Send);
}

#[test]
fn a_browser_event_is_recorded_as_such_before_any_other_reason() {
    let disabled = purchase_connector("disabled", json!({}));
    let no_click = AttributionDecision::DoNotFire(SkipReason::NoClick);
    assert_eq!(
        plan_delivery(
            &disabled,
            "Purchase",
            Provenance::Browser,
            false,
            false,
            &no_click
        ),
        PlanOutcome::Skip(SkipReason::BrowserEvent)
    );
    assert_eq!(
        plan_delivery(&disabled, "Lead", Provenance::Browser, false, true, &FIRE),
        PlanOutcome::NotTriggered
    );
}

#[test]
fn an_unknown_fire_on_is_refused_naming_the_field() {
    let body = json!({"name": "X", "trigger_events": ["Purchase"],
        "webhook": {"enabled": true, "url": "https://partner.example/pb", "fire_on": "always"}});
    let err = crate::core::connector::parse_connector(&body, None).unwrap_err();
    assert_eq!(
        (err.code, err.field.as_deref()),
        ("invalid_fire_on", Some("webhook.fire_on"))
    );
}

#[test]
fn pc_test_from_a_browser_fires_a_test_mode_pixel_but_never_a_live_postback() {
    let test_mode = purchase_connector("test", json!({"fire_on": "server_and_browser"}));
    assert_eq!(
        plan_delivery(
            &test_mode,
            "Purchase",
            Provenance::Browser,
            true,
            true,
            &FIRE
        ),
        PlanOutcome::LogOnly
    );
    for authenticated in [Provenance::Server, Provenance::Admin] {
        assert_eq!(
            plan_delivery(&test_mode, "Purchase", authenticated, true, true, &FIRE),
            PlanOutcome::Send
        );
    }
    let mut approved = test_mode.clone();
    approved.pixel.approved_at = Some("2026-01-01T00:00:00.000Z".into());
    assert_eq!(
        plan_pixel(&approved, "Purchase", true, true, &FIRE),
        PlanOutcome::Send,
        "the pixel runs in the browser anyway: pc_test fires it"
    );
}
