//! The inbound webhooks: the Tracklution-compatible `/webhook` and the custom JSON webhook.
//! `/webhook`'s parameters are not listed here: `super::webhook_params` derives them from the
//! parser's table and the registries, and `super::document` puts them in.

#![allow(dead_code)]

use super::body_types::{CustomEventIn, CustomWebhookIn, WebhookFormIn, WebhookJsonIn};
use crate::core::webhook_in::Topic;
use crate::http::error::ErrorBody;
use crate::http::webhooks::WebhookAccepted;

#[utoipa::path(
    get,
    path = "/webhook",
    tag = "webhooks",
    summary = "Tracklution-compatible webhook (seed 002): parameters in the query",
    description = "A request with `track` records an event (a value needs its currency). A request without `track` is a set request: it enriches the visitor it names, so it needs visitorId, a click id, externalId, priorityExternalId, email or phoneNumber, and it takes no value, currency, eventId or consent. Parameter names match in any letter case and with or without `_` and `-`; a parameter given twice must have one value.",
    responses(
        (status = 200, description = "Accepted: stored, a duplicate acknowledged, or a visitor enriched", body = WebhookAccepted),
        (status = 401, description = "Missing, malformed, unknown or revoked API key", body = ErrorBody),
        (status = 409, description = "A status change (no `track`, an eventId and a status) the lifecycle forbids (illegal_transition), that lost a race (status_changed), or whose eventId only browser events from more than one visitor sent and no server event holds (ambiguous_event, `field` eventId): send the conversion itself with `track`, its value and identities, so that the server decides which it is", body = ErrorBody),
        (status = 413, description = "The request URL is over the limit", body = ErrorBody),
        (status = 422, description = "An invalid parameter; `field` names it (e.g. currency_required, invalid_date, no_identity, track_required)", body = ErrorBody),
        (status = 429, description = "Over the key's per-minute limit, or over 100 calls a minute from one client (CF-Connecting-IP) without a valid key of the container", body = ErrorBody, headers(("Retry-After" = String, description = "Seconds until the limit's window restarts: the rest of the minute for a key, 60 for a client without one"))),
    ),
    security(("webhookKeyQuery" = []), ("webhookKey" = [])),
)]
fn webhook_get() {}

#[utoipa::path(
    post,
    path = "/webhook",
    tag = "webhooks",
    summary = "Tracklution-compatible webhook (seed 002): parameters in a JSON or form body",
    description = "The parameters of GET /webhook in a JSON object or a form, with the same rules; they may also travel in the query (with the same value where a parameter is given in both). In JSON, numbers and booleans stand for their text, eventAttributes and consent may be objects, and the variants lists may be arrays.",
    request_body(content(
        (WebhookJsonIn = "application/json"),
        (WebhookFormIn = "application/x-www-form-urlencoded"),
    )),
    responses(
        (status = 200, description = "Accepted: stored, a duplicate acknowledged, or a visitor enriched", body = WebhookAccepted),
        (status = 400, description = "Malformed JSON, or a JSON body that is not an object", body = ErrorBody),
        (status = 401, description = "Missing, malformed, unknown or revoked API key", body = ErrorBody),
        (status = 409, description = "A status change (no `track`, an eventId and a status) the lifecycle forbids (illegal_transition), that lost a race (status_changed), or whose eventId only browser events from more than one visitor sent and no server event holds (ambiguous_event, `field` eventId): send the conversion itself with `track`, its value and identities, so that the server decides which it is", body = ErrorBody),
        (status = 413, description = "Body over 64 KiB", body = ErrorBody),
        (status = 415, description = "Body is neither JSON nor a form", body = ErrorBody),
        (status = 422, description = "An invalid parameter; `field` names it (e.g. currency_required, invalid_date, no_identity, track_required)", body = ErrorBody),
        (status = 429, description = "Over the key's per-minute limit, or over 100 calls a minute from one client (CF-Connecting-IP) without a valid key of the container", body = ErrorBody, headers(("Retry-After" = String, description = "Seconds until the limit's window restarts: the rest of the minute for a key, 60 for a client without one"))),
    ),
    security(("webhookKeyQuery" = []), ("webhookKey" = [])),
)]
fn webhook_post() {}

#[utoipa::path(
    post,
    path = "/webhooks/custom/{container}/{topic}",
    tag = "webhooks",
    summary = "Custom JSON webhook (seed 004): an order, lead, signup, refund or subscription",
    description = "The topic names the event: purchase → Purchase, lead → Lead, signup → CompleteRegistration, refund → Refund, subscription → Subscribe, in any letter case. The topic custom, whose body names the event, is its own operation below.",
    params(
        ("container" = String, Path, description = "Container id (ctr_...)"),
        ("topic" = String, Path, description = "purchase, lead, signup, refund or subscription"),
    ),
    request_body(content = CustomWebhookIn, content_type = "application/json"),
    responses(
        (status = 200, description = "Accepted: stored, or a duplicate acknowledged", body = WebhookAccepted),
        (status = 400, description = "Malformed JSON, or a body that is not an object", body = ErrorBody),
        (status = 401, description = "Missing, malformed, unknown or revoked API key", body = ErrorBody),
        (status = 404, description = "Unknown container (not_found) or unknown topic (unknown_topic)", body = ErrorBody),
        (status = 409, description = "A refund whose conversion_id only browser events from more than one visitor sent and no server event holds (ambiguous_event, `field` conversion_id), or a reversal the lifecycle forbids: send the purchase itself so that the server decides which it is", body = ErrorBody),
        (status = 413, description = "Body over 64 KiB", body = ErrorBody),
        (status = 415, description = "Body is not JSON", body = ErrorBody),
        (status = 422, description = "An invalid field; `field` names it (e.g. currency_required, unexpected_field)", body = ErrorBody),
        (status = 429, description = "Over the key's per-minute limit, or over 100 calls a minute from one client (CF-Connecting-IP) without a valid key of the container", body = ErrorBody, headers(("Retry-After" = String, description = "Seconds until the limit's window restarts: the rest of the minute for a key, 60 for a client without one"))),
    ),
    security(("webhookKey" = [])),
)]
fn custom_webhook() {}

#[utoipa::path(
    post,
    path = "/webhooks/custom/{container}/custom",
    tag = "webhooks",
    summary = "Custom JSON webhook (seed 004): an event the body names",
    description = "As the other topics, with `event_name` (alias `event`) naming the event.",
    params(
        ("container" = String, Path, description = "Container id (ctr_...)"),
    ),
    request_body(content = CustomEventIn, content_type = "application/json"),
    responses(
        (status = 200, description = "Accepted: stored, or a duplicate acknowledged", body = WebhookAccepted),
        (status = 400, description = "Malformed JSON, or a body that is not an object", body = ErrorBody),
        (status = 401, description = "Missing, malformed, unknown or revoked API key", body = ErrorBody),
        (status = 404, description = "Unknown container", body = ErrorBody),
        (status = 413, description = "Body over 64 KiB", body = ErrorBody),
        (status = 415, description = "Body is not JSON", body = ErrorBody),
        (status = 422, description = "An invalid field; `field` names it (e.g. currency_required, missing_field)", body = ErrorBody),
        (status = 429, description = "Over the key's per-minute limit, or over 100 calls a minute from one client (CF-Connecting-IP) without a valid key of the container", body = ErrorBody, headers(("Retry-After" = String, description = "Seconds until the limit's window restarts: the rest of the minute for a key, 60 for a client without one"))),
    ),
    security(("webhookKey" = [])),
)]
fn custom_event_webhook() {}

/// The topics that name their event: every topic but `custom`, for the path pattern.
pub fn named_topics() -> Vec<&'static str> {
    Topic::ALL
        .into_iter()
        .filter(|t| t.event_name().is_some())
        .map(Topic::as_str)
        .collect()
}

/// The operations of this surface, in the order the document lists them.
#[derive(utoipa::OpenApi)]
#[openapi(paths(webhook_get, webhook_post, custom_webhook, custom_event_webhook))]
pub struct Operations;
