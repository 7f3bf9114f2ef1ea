//! Tests of the plan's lifecycle rules: approval-gated connectors, follow-up postbacks and
//! `{{CONVERSION_STATUS}}`; and of a value that makes a dot segment.

use super::plan::{affiliate, input, partner_click, NOW};
use super::values;
use crate::core::lifecycle::ConversionStatus;
use crate::core::postback::{
    prepare_delivery, DeliveryInput, DeliveryKind, DeliveryStatus, SkipReason,
};
use serde_json::json;

#[test]
fn an_approval_gated_connector_skips_until_approved_and_then_sends() {
    let c = affiliate(
        "enabled",
        json!({"webhook": {"fire_on_status": "approved"}}),
    );
    let vals = values(&[]);
    let clicks = [partner_click(NOW)];
    let waiting = prepare_delivery(&input(&c, &vals, &clicks)).unwrap();
    assert_eq!(waiting.status, DeliveryStatus::Skipped);
    assert_eq!(waiting.reason, Some(SkipReason::AwaitingApproval));
    let approved = DeliveryInput {
        status: ConversionStatus::Approved,
        ..input(&c, &vals, &clicks)
    };
    assert_eq!(
        prepare_delivery(&approved).unwrap().status,
        DeliveryStatus::Queued
    );
    let rejected = DeliveryInput {
        status: ConversionStatus::Rejected,
        ..input(&c, &vals, &clicks)
    };
    assert_eq!(
        prepare_delivery(&rejected).unwrap().reason,
        Some(SkipReason::NotApproved)
    );
}

#[test]
fn a_follow_up_carries_its_own_key_and_the_mapped_status() {
    let c = affiliate(
        "enabled",
        json!({"webhook": {"fire_on_status": "approved", "status_map": {"reversed": "2"},
            "params": [{"name": "s", "value": "{{CONVERSION_STATUS}}"}]}}),
    );
    let vals = values(&[]);
    let clicks = [partner_click(NOW)];
    let reversal = DeliveryInput {
        status: ConversionStatus::Reversed,
        kind: DeliveryKind::FollowUp("dlv_1:reversal"),
        ..input(&c, &vals, &clicks)
    };
    let plan = prepare_delivery(&reversal).unwrap();
    assert_eq!(
        plan.status,
        DeliveryStatus::Queued,
        "a follow-up is not gated again"
    );
    let request = plan.request.unwrap();
    assert!(request.url.contains("s=2"), "{}", request.url);
    let key = request
        .headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("idempotency-key"));
    assert_eq!(key.map(|(_, v)| v.as_str()), Some("dlv_1:reversal"));
}

#[test]
fn a_postback_whose_value_makes_a_dot_segment_is_recorded_failed_and_not_sent() {
    let c = affiliate(
        "enabled",
        json!({"webhook": {"url": "https://partner.example/pb/{{ORDER_ID}}/confirm"},
               "click_id": {"enabled": false}}),
    );
    let vals = values(&[("ORDER_ID", "..")]);
    let plan = prepare_delivery(&input(&c, &vals, &[])).unwrap();
    assert_eq!(plan.status, DeliveryStatus::Failed);
    assert_eq!(plan.reason, Some(SkipReason::DotSegment));
    assert_eq!(plan.reason.map(SkipReason::as_str), Some("dot_segment"));
    assert!(plan.request.is_none(), "there is no request to send");
    assert!(plan.error.is_some_and(|e| e.contains("'..'")));
}
