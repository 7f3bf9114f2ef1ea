//! Outbound postbacks, the pure part: whether a connector fires for an event (attribution,
//! consent, modes), the exact request it sends (encoding, headers, Standard Webhooks
//! signature), where it may send it, what the log may show, and when to retry.
//!
//! The delivery flow these pieces serve, as typed stages:
//! 1. [`prepare_delivery`] → a [`DeliveryPlan`]: the row written to D1 (status `queued`,
//!    `test`, `skipped` or `failed`) before anything is queued.
//! 2. For a `queued` row, per attempt: [`check_target`], [`OutgoingRequest::resign`] with the
//!    attempt's time, send with a 15 s timeout, classify with [`AttemptOutcome::from_status`].
//! 3. [`RetrySchedule::next_delay`] → [`RetryDecision`]: `Delivered` (ack), `Retry` (retry with
//!    delay), `Exhausted` (failed, dead-lettered) or `Stop` (410: failed now).
//! 4. The log shows [`OutgoingRequest::masked_for_log`].
//!
//! [`outbox`] holds the rules that make this exactly-once per attempt (queue messages naming
//! their attempt, settling a row); [`sample`] rehearses a sample event for the preview and the
//! Test Webhook.

mod attribution;
pub mod destination;
mod dot_segment;
mod mask;
pub mod outbox;
mod plan;
mod request;
mod retry;
pub mod sample;
mod signature;
mod target;
pub mod throttle;

#[cfg(test)]
mod tests;

pub use attribution::{
    click_records, cookie_click_records, cookie_clicks_as_stored, decide_attribution,
    AttributionDecision, ClickRecord, MatchedClick, SkipReason, DAY_MS, FUTURE_TOLERANCE_MS,
};
pub use mask::{
    is_sensitive_header, is_sensitive_param, looks_like_credential, mask_headers_for_log,
    mask_json_body_for_log, mask_secret, mask_url_for_log, AUTH_SCHEMES,
};
pub use plan::{
    fill_click_values, fill_event_name, plan_delivery, plan_pixel, prepare_delivery, wants_pixel,
    wants_postback, DeliveryInput, DeliveryKind, DeliveryPlan, DeliveryStatus, PlanOutcome,
};
pub use request::{
    build_request, BuildContext, BuildError, OutgoingRequest, HEADER_IDEMPOTENCY_KEY,
    NUMERIC_PARAMS, USER_AGENT,
};
pub use retry::{
    parse_retry_after, AttemptOutcome, RetryDecision, RetrySchedule, StopReason, JITTER_FRACTION,
    MAX_DELAY_S,
};
pub use signature::{
    verify_signature, SigningSecret, HEADER_ID, HEADER_SIGNATURE, HEADER_TIMESTAMP,
};
pub use target::{check_target, ipv4_range, ipv6_range, AddressRange, TargetRefused};
