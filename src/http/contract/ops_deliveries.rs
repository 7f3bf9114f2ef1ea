//! The admin API's delivery operations: preview, Test Webhook, the webhook log and replay.

#![allow(dead_code)]

use super::body_types::{PreviewIn, TestIn};
use crate::http::admin::model::{DeliveryOut, DeliveryPage, PreviewOut, ReplayQueued, TestQueued};
use crate::http::error::ErrorBody;

#[utoipa::path(
    post,
    path = "/admin/api/connectors/{id}/preview",
    tag = "deliveries",
    summary = "Preview exactly what the connector would send for a sample event; nothing is sent or stored",
    description = "Answers the exact request (URL with its encoded query, method, headers including signature headers, JSON body), the pixel HTML with its values filled in and HTML-escaped, the placeholders that had no value, and whether the connector would send for this event or why not (test mode, no click, not the last click, outside the window, source mismatch, consent, disabled). Without `event`, a bare event named after the connector's first trigger is used.",
    params(
        ("id" = String, Path, description = "Connector id (con_…)"),
    ),
    request_body(content = PreviewIn, content_type = "application/json"),
    responses(
        (status = 200, description = "The would-be request", body = PreviewOut),
        (status = 400, description = "Malformed JSON or body", body = ErrorBody),
        (status = 401, description = "Missing or wrong admin token", body = ErrorBody),
        (status = 404, description = "Unknown id", body = ErrorBody),
        (status = 413, description = "Body over 64 KiB", body = ErrorBody),
        (status = 415, description = "Body is not application/json", body = ErrorBody),
        (status = 422, description = "A field of the sample event is invalid; `field` names it", body = ErrorBody),
    ),
    security(("adminToken" = [])),
)]
fn preview_connector() {}

#[utoipa::path(
    post,
    path = "/admin/api/connectors/{id}/test",
    tag = "deliveries",
    summary = "Send one test webhook now and report the partner's answer",
    description = "Sends one synthetic event (the first trigger event, value 1 EUR, and a test click `pc-test-click` from the connector's own source when click-ID matching is on), or the given sample event, whatever the connector's mode. `connector` sends the unsaved edits of the form, merged over the saved connector as a save would merge them. With `wait: true` (what the console sends) the test makes exactly one attempt, never retried, and the answer waits for it (up to the delivery timeout): 200 with the log row (`kind: test_webhook`), `delivered` or `failed`, with the partner's response code and body in its attempt, or why it could not be sent. Without `wait` the delivery is logged as `queued` and answered 202 at once; it goes through the queue like any other, and the webhook log shows the response code when the attempt is done. The body is optional.",
    params(
        ("id" = String, Path, description = "Connector id (con_…)"),
    ),
    request_body(content = Option<TestIn>, content_type = "application/json"),
    responses(
        (status = 200, description = "With wait: the test delivery after its one attempt", body = DeliveryOut),
        (status = 202, description = "Without wait: the test delivery was logged and queued", body = TestQueued),
        (status = 400, description = "Malformed JSON or body", body = ErrorBody),
        (status = 401, description = "Missing or wrong admin token", body = ErrorBody),
        (status = 404, description = "Unknown id", body = ErrorBody),
        (status = 413, description = "Body over 64 KiB", body = ErrorBody),
        (status = 415, description = "A body that is not application/json", body = ErrorBody),
        (status = 422, description = "The sample or the unsaved connector is invalid (`field` names it, under `connector.` for the connector), or the connector has no webhook URL or a request that cannot be built", body = ErrorBody),
    ),
    security(("adminToken" = [])),
)]
fn test_connector() {}

#[utoipa::path(
    get,
    path = "/admin/api/connectors/{id}/deliveries",
    tag = "deliveries",
    summary = "The connector's webhook log, newest first",
    description = "Every delivery of the connector: time, full URL (credentials masked), method, headers, body, response code, attempt count, status, error, the reason a connector did not fire, latency, and each attempt. Page with `before` = the `next_before` of the previous page.",
    params(
        ("id" = String, Path, description = "Connector id (con_…)"),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 200),
        ("before" = Option<String>, Query, description = "A delivery id of this log: the page starts after it"),
        ("status" = Option<String>, Query, description = "Only deliveries with this status", pattern = "^(|queued|retrying|test|skipped|delivered|failed)$"),
        ("since" = Option<i64>, Query, description = "Only deliveries written at or after this time, unix milliseconds", minimum = 0, maximum = 32503680000000_i64),
        ("until" = Option<i64>, Query, description = "Only deliveries written before this time, unix milliseconds", minimum = 0, maximum = 32503680000000_i64),
        ("q" = Option<String>, Query, description = "An order id (the event's id), a click id the event carried, or text of the sent URL or body", max_length = 256),
    ),
    responses(
        (status = 200, description = "A page of the log", body = DeliveryPage),
        (status = 400, description = "Bad limit, cursor or filter", body = ErrorBody),
        (status = 401, description = "Missing or wrong admin token", body = ErrorBody),
        (status = 404, description = "Unknown id", body = ErrorBody),
        (status = 422, description = "A query parameter is given twice (duplicate_parameter), or is not UTF-8 once percent-decoded (invalid_encoding); `field` names it", body = ErrorBody),
    ),
    security(("adminToken" = [])),
)]
fn list_deliveries() {}

#[utoipa::path(
    post,
    path = "/admin/api/deliveries/{id}/replay",
    tag = "deliveries",
    summary = "Send a delivery again",
    description = "Writes a new delivery with `replay_of` set and queues it: the stored request is sent again, freshly signed, with the original's Idempotency-Key and webhook-id (it is the same conversion). A delivery still being attempted cannot be replayed.",
    params(
        ("id" = String, Path, description = "Delivery id (dlv_…)"),
    ),
    responses(
        (status = 202, description = "The replay was logged and queued", body = ReplayQueued),
        (status = 401, description = "Missing or wrong admin token", body = ErrorBody),
        (status = 404, description = "Unknown id", body = ErrorBody),
        (status = 422, description = "The delivery is still pending, or has no request to replay", body = ErrorBody),
    ),
    security(("adminToken" = [])),
)]
fn replay_delivery() {}

/// The operations of this surface, in the order the document lists them.
#[derive(utoipa::OpenApi)]
#[openapi(paths(preview_connector, test_connector, list_deliveries, replay_delivery,))]
pub struct Operations;
