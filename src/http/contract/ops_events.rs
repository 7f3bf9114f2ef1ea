//! The admin API's conversion operations: an event with its status history, status changes
//! (single and bulk) and the filtered list of a container's events.

#![allow(dead_code)]

use super::body_types::{BulkStatusIn, RecoverIn, RotateSecretIn, StatusChangeIn};
use crate::http::admin::model::{BulkStatusOut, EventOut, EventPage, Recovered, SecretRotated};
use crate::http::error::ErrorBody;

#[utoipa::path(
    get,
    path = "/admin/api/events/{id}",
    tag = "conversions",
    summary = "A conversion with its status history",
    description = "The stored event: its status (received, approved, rejected, reversed), value, provenance, and every status it had, oldest first (the first is its arrival), each with time, provenance and reason.",
    params(("id" = String, Path, description = "Event id (evt_…)")),
    responses(
        (status = 200, description = "The event", body = EventOut),
        (status = 401, description = "Missing or wrong admin token", body = ErrorBody),
        (status = 404, description = "Unknown id", body = ErrorBody),
    ),
    security(("adminToken" = [])),
)]
fn get_event() {}

#[utoipa::path(
    post,
    path = "/admin/api/events/{id}/status",
    tag = "conversions",
    summary = "Approve, reject or reverse a conversion",
    description = "Moves the conversion to the status, recorded with provenance admin and the reason. Connectors that fire on approved conversions fire on approval; connectors with send_reversals that were sent the conversion get a reversal postback on rejection or reversal, and a reinstatement when a rejected conversion is approved again. Approving a browser event confirms it (its provenance becomes server).",
    params(("id" = String, Path, description = "Event id (evt_…)")),
    request_body(content = StatusChangeIn, content_type = "application/json"),
    responses(
        (status = 200, description = "The event after the change, with its history", body = EventOut),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Missing or wrong admin token", body = ErrorBody),
        (status = 404, description = "Unknown id", body = ErrorBody),
        (status = 409, description = "A transition the lifecycle forbids (illegal_transition), or another change came first (status_changed)", body = ErrorBody),
        (status = 413, description = "Body over 64 KiB", body = ErrorBody),
        (status = 415, description = "Body is not application/json", body = ErrorBody),
        (status = 422, description = "Invalid status or reason; `field` names it", body = ErrorBody),
    ),
    security(("adminToken" = [])),
)]
fn change_status() {}

#[utoipa::path(
    post,
    path = "/admin/api/containers/{id}/events/status",
    tag = "conversions",
    summary = "Change the status of up to 1,000 conversions",
    description = "Each item names a conversion by the event id the caller sent and is answered in its place with the code a single change would get (200, 404 unknown_event, 409 illegal_transition, or 409 ambiguous_event naming items[i].event_id when only browser events from more than one visitor sent the id and no server event holds it). The body is read whole first: a malformed item refuses it (422 naming items[i].field) and nothing changes.",
    params(("id" = String, Path, description = "Container id (ctr_…)")),
    request_body(content = BulkStatusIn, content_type = "application/json"),
    responses(
        (status = 200, description = "One answer per item, in order", body = BulkStatusOut),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Missing or wrong admin token", body = ErrorBody),
        (status = 404, description = "Unknown container", body = ErrorBody),
        (status = 413, description = "Body over 1 MiB", body = ErrorBody),
        (status = 415, description = "Body is not application/json", body = ErrorBody),
        (status = 422, description = "The list is missing, empty or longer than 1,000, or an item is malformed; `field` names it", body = ErrorBody),
    ),
    security(("adminToken" = [])),
)]
fn bulk_status() {}

#[utoipa::path(
    get,
    path = "/admin/api/containers/{id}/events",
    tag = "conversions",
    summary = "The container's conversions, newest first, filtered",
    description = "Page with `before` = the `next_before` of the previous page.",
    params(
        ("id" = String, Path, description = "Container id (ctr_…)"),
        ("event_id" = Option<String>, Query, description = "The event id as the caller sent it"),
        ("name" = Option<String>, Query, description = "Event name, e.g. Purchase"),
        ("status" = Option<String>, Query, description = "received, approved, rejected or reversed"),
        ("provenance" = Option<String>, Query, description = "browser, server or admin"),
        ("from" = Option<String>, Query, description = "Stored at or after this RFC 3339 time"),
        ("to" = Option<String>, Query, description = "Stored before this RFC 3339 time"),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 200),
        ("before" = Option<String>, Query, description = "An event id (evt_…) of this list: the page starts after it"),
    ),
    responses(
        (status = 200, description = "A page of events", body = EventPage),
        (status = 400, description = "A bad filter, limit or cursor", body = ErrorBody),
        (status = 401, description = "Missing or wrong admin token", body = ErrorBody),
        (status = 404, description = "Unknown container", body = ErrorBody),
        (status = 422, description = "A query parameter is given twice (duplicate_parameter), or is not UTF-8 once percent-decoded (invalid_encoding); `field` names it", body = ErrorBody),
    ),
    security(("adminToken" = [])),
)]
fn list_events() {}

#[utoipa::path(
    post,
    path = "/admin/api/connectors/{id}/recover",
    tag = "deliveries",
    summary = "Send again every delivery that failed or is parked since a time",
    description = "After a partner's outage: every failed (dead-lettered included) or parked delivery of the connector created since `since` is re-queued once, as a new delivery with replay_of naming it, keeping its Idempotency-Key and webhook-id. A delivery already replayed or recovered is not sent again. At most 500 per call; `more` says to call again.",
    params(("id" = String, Path, description = "Connector id (con_…)")),
    request_body(content = RecoverIn, content_type = "application/json"),
    responses(
        (status = 200, description = "How many were re-queued", body = Recovered),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Missing or wrong admin token", body = ErrorBody),
        (status = 404, description = "Unknown id", body = ErrorBody),
        (status = 413, description = "Body over 64 KiB", body = ErrorBody),
        (status = 415, description = "Body is not application/json", body = ErrorBody),
        (status = 422, description = "since is missing or not an RFC 3339 time", body = ErrorBody),
    ),
    security(("adminToken" = [])),
)]
fn recover() {}

#[utoipa::path(
    post,
    path = "/admin/api/connectors/{id}/rotate-secret",
    tag = "connectors",
    summary = "Rotate the connector's signing secret without a gap",
    description = "The new secret signs every request from now on; for the overlap (24 hours unless overlap_hours says otherwise) the previous one signs it too: webhook-signature holds both v1 values, space-separated, as Standard Webhooks allows, so a receiver holding either secret verifies it.",
    params(("id" = String, Path, description = "Connector id (con_…)")),
    request_body(content = RotateSecretIn, content_type = "application/json"),
    responses(
        (status = 200, description = "Rotated", body = SecretRotated),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Missing or wrong admin token", body = ErrorBody),
        (status = 404, description = "Unknown id", body = ErrorBody),
        (status = 413, description = "Body over 64 KiB", body = ErrorBody),
        (status = 415, description = "Body is not application/json", body = ErrorBody),
        (status = 422, description = "An invalid secret, the current secret again, or a bad overlap; `field` names it", body = ErrorBody),
    ),
    security(("adminToken" = [])),
)]
fn rotate_secret() {}

#[derive(utoipa::OpenApi)]
#[openapi(paths(
    get_event,
    change_status,
    bulk_status,
    list_events,
    recover,
    rotate_secret
))]
pub struct Operations;
