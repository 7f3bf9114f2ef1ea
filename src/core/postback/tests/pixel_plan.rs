//! Tests of the pixel's outcome, decided like the postback's.

use super::connector;
use crate::core::postback::{plan_pixel, AttributionDecision, PlanOutcome, SkipReason};
use serde_json::json;

fn pixel_connector(mode: &str, approved: bool) -> crate::core::connector::ConnectorConfig {
    let mut c = connector(json!({
        "name": "Display network", "trigger_events": ["Purchase"], "mode": mode,
        "pixel": {"enabled": true, "html": "<img src='https://px.example/?v={{VALUE}}'>", "sandbox": true}
    }));
    if approved {
        c.pixel.approved_at = Some("2026-11-23T00:00:00.000Z".into());
    }
    c
}

const FIRE: AttributionDecision = AttributionDecision::Fire { click: None };

#[test]
fn an_approved_pixel_fires_on_its_trigger_and_an_unapproved_one_never_does_live() {
    assert_eq!(
        plan_pixel(
            &pixel_connector("enabled", true),
            "Purchase",
            false,
            true,
            &FIRE
        ),
        PlanOutcome::Send
    );
    assert_eq!(
        plan_pixel(
            &pixel_connector("enabled", false),
            "Purchase",
            false,
            true,
            &FIRE
        ),
        PlanOutcome::Skip(SkipReason::PixelNotApproved)
    );
    assert_eq!(
        plan_pixel(
            &pixel_connector("enabled", false),
            "Purchase",
            true,
            true,
            &FIRE
        ),
        PlanOutcome::Skip(SkipReason::PixelNotApproved),
        "pc_test=1 does not bypass approval"
    );
    assert_eq!(
        plan_pixel(
            &pixel_connector("enabled", true),
            "Lead",
            false,
            true,
            &FIRE
        ),
        PlanOutcome::NotTriggered
    );
}

#[test]
fn test_mode_logs_the_pixel_even_before_approval_and_pc_test_fires_an_approved_one() {
    assert_eq!(
        plan_pixel(
            &pixel_connector("test", false),
            "Purchase",
            false,
            true,
            &FIRE
        ),
        PlanOutcome::LogOnly
    );
    assert_eq!(
        plan_pixel(
            &pixel_connector("test", true),
            "Purchase",
            true,
            true,
            &FIRE
        ),
        PlanOutcome::Send
    );
}

#[test]
fn a_pixel_honours_disabled_consent_and_attribution_like_its_webhook() {
    assert_eq!(
        plan_pixel(
            &pixel_connector("disabled", true),
            "Purchase",
            false,
            true,
            &FIRE
        ),
        PlanOutcome::Skip(SkipReason::Disabled)
    );
    assert_eq!(
        plan_pixel(
            &pixel_connector("enabled", true),
            "Purchase",
            false,
            false,
            &FIRE
        ),
        PlanOutcome::Skip(SkipReason::Consent)
    );
    let not_last = AttributionDecision::DoNotFire(SkipReason::NotLastClick);
    assert_eq!(
        plan_pixel(
            &pixel_connector("enabled", true),
            "Purchase",
            false,
            true,
            &not_last
        ),
        PlanOutcome::Skip(SkipReason::NotLastClick)
    );
}

#[test]
fn a_stored_pixel_the_pixel_rules_now_refuse_is_skipped_as_pixel_invalid_in_any_mode() {
    let stored = json!({
        "name": "Old pixel", "trigger_events": ["Purchase"], "mode": "enabled",
        "pixel": {"enabled": true, "sandbox": false, "approved_at": "2026-11-23T00:00:00.000Z",
                  "html": "<script src=\"/&#47;{{ORDER_ID}}/x.js\"></script>"}
    });
    let config = crate::core::connector::parse_stored_connector(&stored).unwrap();
    let refused = config.pixel.refused.as_ref().expect("the rules refuse it");
    assert_eq!((refused.line, refused.column), (1, 20));
    for mode in ["enabled", "test"] {
        let mut c = config.clone();
        c.mode = crate::core::connector::parse_stored_connector(&json!({
            "name": "x", "trigger_events": ["Purchase"], "mode": mode
        }))
        .unwrap()
        .mode;
        assert_eq!(
            plan_pixel(&c, "Purchase", true, true, &FIRE),
            PlanOutcome::Skip(SkipReason::PixelInvalid),
            "{mode}"
        );
    }
    assert_eq!(
        crate::core::connector::parse_connector(&stored, None)
            .unwrap_err()
            .field
            .as_deref(),
        Some("pixel.html"),
        "saving it again is refused"
    );
}
