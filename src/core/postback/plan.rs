//! From a stored event to the delivery row the outbox writes: does this connector send, log
//! only, or record why not — and with which exact request.

use super::attribution::{
    decide_attribution, AttributionDecision, ClickRecord, MatchedClick, SkipReason,
};
use super::request::{build_request, BuildContext, BuildError, OutgoingRequest};
use crate::core::connector::{ConnectorConfig, Mode};
use crate::core::consent::Consent;
use crate::core::lifecycle::{mapped_status, ConversionStatus};
use crate::core::params::ParamValues;
use crate::core::provenance::Provenance;
use serde::{Deserialize, Serialize};

/// What the pipeline does with one connector for one event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanOutcome {
    /// Write the row as `queued`, then send it through the queue.
    Send,
    /// Test mode: write the would-be request with status `test`; send nothing.
    LogOnly,
    /// Write a `skipped` row that says why.
    Skip(SkipReason),
    /// The event is not one of the connector's triggers, or the connector has no webhook:
    /// there is no postback to speak of, so nothing is written.
    NotTriggered,
}

/// Whether this connector has a postback for this event at all. Check it before loading the
/// visitor's click history, which is the expensive part.
pub fn wants_postback(connector: &ConnectorConfig, event_name: &str) -> bool {
    connector.webhook.enabled && connector.triggers_on(event_name)
}

/// Whether this connector has an approved-or-not pixel for this event. Unapproved pixels are
/// filtered by [`plan_pixel`], which records nothing for them.
pub fn wants_pixel(connector: &ConnectorConfig, event_name: &str) -> bool {
    connector.pixel.enabled
        && !connector.pixel.html.trim().is_empty()
        && connector.triggers_on(event_name)
}

/// The pixel's outcome, decided like the postback's so a hybrid connector's webhook and pixel
/// fire together: disabled, consent and attribution skip it; test mode logs the substituted
/// pixel without firing unless `pc_test=1`. An unapproved pixel never fires on live traffic
/// (it is skipped with [`SkipReason::PixelNotApproved`]); in test mode it is still logged, so
/// the marketer can review it before approving. A pixel the pixel engine refuses (saved under
/// earlier rules) is skipped with [`SkipReason::PixelInvalid`], which the caller records.
pub fn plan_pixel(
    connector: &ConnectorConfig,
    event_name: &str,
    force_send: bool,
    consent_allows: bool,
    decision: &AttributionDecision,
) -> PlanOutcome {
    if !wants_pixel(connector, event_name) {
        return PlanOutcome::NotTriggered;
    }
    if let Some(reason) = gate(connector, consent_allows, decision) {
        return PlanOutcome::Skip(reason);
    }
    if connector.pixel.refused.is_some() {
        return PlanOutcome::Skip(SkipReason::PixelInvalid);
    }
    let approved = connector.pixel.approved_at.is_some();
    match connector.mode {
        Mode::Test if !force_send => PlanOutcome::LogOnly,
        _ if !approved => PlanOutcome::Skip(SkipReason::PixelNotApproved),
        _ => PlanOutcome::Send,
    }
}

/// What stops a triggered connector, webhook or pixel alike, in order: disabled (recorded, so
/// the log says why nothing went out), consent refusing advertising, then attribution.
fn gate(
    connector: &ConnectorConfig,
    consent_allows: bool,
    decision: &AttributionDecision,
) -> Option<SkipReason> {
    if connector.mode == Mode::Disabled {
        return Some(SkipReason::Disabled);
    }
    if !consent_allows {
        return Some(SkipReason::Consent);
    }
    match decision {
        AttributionDecision::DoNotFire(reason) => Some(*reason),
        AttributionDecision::Fire { .. } => None,
    }
}

/// Decide the outcome. In order: not triggered; a browser event the connector does not fire on
/// (`fire_on: server`, recorded as `browser_event` before anything else, so that a server event
/// confirming it later re-plans the connector from scratch); disabled (mode `disabled` records a
/// skip, so the log says why nothing went out); consent refusing advertising; attribution; then
/// test mode logs only unless the event carried `pc_test=1` (`force_send`) from an
/// authenticated caller, which sends for real (from a browser, `pc_test` fires test-mode pixels
/// only). Test mode still honours consent and attribution: it shows what would really be sent.
pub fn plan_delivery(
    connector: &ConnectorConfig,
    event_name: &str,
    provenance: Provenance,
    force_send: bool,
    consent_allows: bool,
    decision: &AttributionDecision,
) -> PlanOutcome {
    if !wants_postback(connector, event_name) {
        return PlanOutcome::NotTriggered;
    }
    if !connector.webhook.fire_on.allows(provenance) {
        return PlanOutcome::Skip(SkipReason::BrowserEvent);
    }
    if let Some(reason) = gate(connector, consent_allows, decision) {
        return PlanOutcome::Skip(reason);
    }
    match connector.mode {
        Mode::Test if !(force_send && provenance.may_force_send()) => PlanOutcome::LogOnly,
        _ => PlanOutcome::Send,
    }
}

/// `EVENT_NAME` is the name the partner receives, after the connector's renaming.
pub fn fill_event_name(values: &mut ParamValues, connector: &ConnectorConfig, event_name: &str) {
    values.set("EVENT_NAME", connector.outgoing_event_name(event_name));
}

/// `CLICK_ID` and `CLICK_SOURCE` come from the click that earned the postback. Without one
/// (matching off) they are left as they are, normally absent, and render empty.
pub fn fill_click_values(values: &mut ParamValues, click: Option<&MatchedClick>) {
    if let Some(matched) = click {
        values.set("CLICK_ID", matched.click.value.clone());
        if let Some(source) = &matched.source {
            values.set("CLICK_SOURCE", source.clone());
        }
    }
}

/// Status of a delivery row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    Queued,
    /// An attempt failed and the next one is scheduled (`next_attempt_at`).
    Retrying,
    Test,
    Skipped,
    Delivered,
    Failed,
    /// Kept while its destination is parked: neither sent nor given up, queued again when the
    /// destination is un-parked (see `destination`).
    Parked,
}

impl DeliveryStatus {
    pub const ALL: [DeliveryStatus; 7] = [
        DeliveryStatus::Queued,
        DeliveryStatus::Retrying,
        DeliveryStatus::Test,
        DeliveryStatus::Skipped,
        DeliveryStatus::Delivered,
        DeliveryStatus::Failed,
        DeliveryStatus::Parked,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Queued => "queued",
            DeliveryStatus::Retrying => "retrying",
            DeliveryStatus::Test => "test",
            DeliveryStatus::Skipped => "skipped",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Failed => "failed",
            DeliveryStatus::Parked => "parked",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// Still owed an attempt: the consumer may claim it and the sweep may re-queue it.
    pub fn is_pending(self) -> bool {
        matches!(self, DeliveryStatus::Queued | DeliveryStatus::Retrying)
    }
}

/// Everything the pipeline needs for one connector and one event.
#[derive(Debug, Clone, Copy)]
pub struct DeliveryInput<'a> {
    /// A fresh id for the row; it becomes the `Idempotency-Key` and `webhook-id`.
    pub delivery_id: &'a str,
    pub connector_id: &'a str,
    pub connector: &'a ConnectorConfig,
    pub event_id: &'a str,
    /// The stored event's own name, before renaming.
    pub event_name: &'a str,
    /// Who stands behind the event: a browser event fires only connectors that opt in.
    pub provenance: Provenance,
    /// `pc_test=1` on the triggering event; it forces a real send only for authenticated callers.
    pub force_send: bool,
    pub consent: Consent,
    /// The event's values; `EVENT_NAME`, `CLICK_ID` and `CLICK_SOURCE` are filled in here.
    pub values: &'a ParamValues,
    /// The visitor's click history, any order.
    pub clicks: &'a [ClickRecord],
    pub now_ms: i64,
    /// The conversion's status now: `{{CONVERSION_STATUS}}`, and whether a connector that
    /// fires on approved conversions fires yet.
    pub status: ConversionStatus,
    /// The conversion's first postback, or a follow-up (reversal, update) of one already sent.
    pub kind: DeliveryKind<'a>,
}

/// Which postback of a conversion a delivery is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryKind<'a> {
    /// The conversion's postback: its `Idempotency-Key` and `webhook-id` are the delivery id.
    Conversion,
    /// A follow-up of a postback already sent (a reversal, an update), with its own key
    /// (`{original key}:reversal`, `{original key}:update:{n}`), which is also its
    /// `webhook-id`. It is not gated by `fire_on_status` again.
    FollowUp(&'a str),
}

/// Whether the conversion's status lets the connector fire (`webhook.fire_on_status`). Checked
/// right after the browser-event check and before everything else, so approving the
/// conversion re-plans the connector from scratch.
fn lifecycle_gate(input: &DeliveryInput<'_>, outcome: PlanOutcome) -> PlanOutcome {
    match outcome {
        PlanOutcome::NotTriggered | PlanOutcome::Skip(SkipReason::BrowserEvent) => return outcome,
        _ if matches!(input.kind, DeliveryKind::FollowUp(_)) => return outcome,
        _ => {}
    }
    match input.connector.webhook.fire_on_status.ready(input.status) {
        Some(true) => outcome,
        None => PlanOutcome::Skip(SkipReason::AwaitingApproval),
        Some(false) => PlanOutcome::Skip(SkipReason::NotApproved),
    }
}

/// The delivery row to write, before anything is queued.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryPlan {
    pub delivery_id: String,
    pub connector_id: String,
    pub event_id: String,
    /// `queued`, `test`, `skipped`, or `failed` when no request could be built.
    pub status: DeliveryStatus,
    pub reason: Option<SkipReason>,
    /// Why the request could not be built (status `failed`).
    pub error: Option<String>,
    /// The exact request, unmasked: retries and replay send it. Skipped rows carry it too when
    /// it could be built, to show what would have gone out.
    pub request: Option<OutgoingRequest>,
    /// The click attribution credited. A consent or disabled skip keeps it too, to show who
    /// would have been paid.
    pub click: Option<MatchedClick>,
}

/// Run the whole decision for one connector and one event. `None` means nothing to write.
pub fn prepare_delivery(input: &DeliveryInput<'_>) -> Option<DeliveryPlan> {
    if !wants_postback(input.connector, input.event_name) {
        return None;
    }
    let decision = decide_attribution(&input.connector.click_id, input.clicks, input.now_ms);
    let outcome = plan_delivery(
        input.connector,
        input.event_name,
        input.provenance,
        input.force_send,
        input.consent.allows_advertising(),
        &decision,
    );
    let outcome = lifecycle_gate(input, outcome);
    let click = match decision {
        AttributionDecision::Fire { click } => click,
        AttributionDecision::DoNotFire(_) => None,
    };
    let mut values = input.values.clone();
    fill_event_name(&mut values, input.connector, input.event_name);
    fill_click_values(&mut values, click.as_ref());
    // A conversion withdrawn before its first postback (its refund came first) is announced as
    // received to a connector that is sent reversals: the reversal that follows says the rest.
    let status = match input.kind {
        DeliveryKind::Conversion
            if input.status.is_withdrawn() && input.connector.webhook.send_reversals =>
        {
            ConversionStatus::Received
        }
        _ => input.status,
    };
    values.set(
        "CONVERSION_STATUS",
        mapped_status(&input.connector.webhook.status_map, status),
    );
    let ctx = BuildContext {
        idempotency_key: match input.kind {
            DeliveryKind::Conversion => input.delivery_id,
            DeliveryKind::FollowUp(key) => key,
        },
        timestamp_s: input.now_ms.div_euclid(1000),
    };
    let built = build_request(&input.connector.webhook, &values, &ctx);

    let (status, reason) = match outcome {
        PlanOutcome::NotTriggered => return None,
        PlanOutcome::Send => (DeliveryStatus::Queued, None),
        PlanOutcome::LogOnly => (DeliveryStatus::Test, Some(SkipReason::TestMode)),
        PlanOutcome::Skip(reason) => (DeliveryStatus::Skipped, Some(reason)),
    };
    let (status, reason, error, request) = match built {
        Ok(request) => (status, reason, None, Some(request)),
        Err(_) if status == DeliveryStatus::Skipped => (status, reason, None, None),
        // A value that made a dot segment is recorded with its own reason: nothing was sent.
        Err(e) => {
            let reason = (e == BuildError::DotSegment).then_some(SkipReason::DotSegment);
            (DeliveryStatus::Failed, reason, Some(e.to_string()), None)
        }
    };
    Some(DeliveryPlan {
        delivery_id: input.delivery_id.to_string(),
        connector_id: input.connector_id.to_string(),
        event_id: input.event_id.to_string(),
        status,
        reason,
        error,
        request,
        click,
    })
}
