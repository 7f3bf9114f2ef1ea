//! The admin API's operations for the console's helpers: the why-not explorer and the connector
//! templates.

#![allow(dead_code)]

use crate::http::admin::model::explain::{ExplainOut, Reevaluated, TemplateList};
use crate::http::error::ErrorBody;

#[utoipa::path(
    get,
    path = "/admin/api/connector-templates",
    tag = "connectors",
    summary = "Connector templates for common affiliate networks and trackers",
    description = "Each template is a connector body in which the account values the marketer supplies are written `<key>`, one per entry of `fields`; fill them in and create the connector with the result. Awin, Impact, CJ, Partnerize, Everflow, TUNE/HasOffers, RedTrack, Voluum, Tracknow and a generic S2S postback.",
    responses(
        (status = 200, description = "The templates", body = TemplateList),
        (status = 401, description = "Missing or wrong admin token", body = ErrorBody),
    ),
    security(("adminToken" = [])),
)]
fn list_templates() {}

#[utoipa::path(
    get,
    path = "/admin/api/containers/{id}/explain",
    tag = "deliveries",
    summary = "Why a connector fired or not for an event",
    description = "Finds the container's events (newest first, at most 10) by exactly one of `event_id` (the caller's event or conversion id), `click_id` (a click of the event's visitor, or one the event carried) or `email` (the visitor it identifies), and answers each with its provenance, status, matched visitor and clicks, and for every connector whether it fired, the reason in plain words (`code`, `reason`) and what to change (`fix`).",
    params(
        ("id" = String, Path, description = "Container id (ctr_…)"),
        ("event_id" = Option<String>, Query, min_length = 1, max_length = 256),
        ("click_id" = Option<String>, Query, min_length = 1, max_length = 256),
        ("email" = Option<String>, Query, min_length = 1, max_length = 256),
    ),
    responses(
        (status = 200, description = "The events found, each explained", body = ExplainOut),
        (status = 400, description = "Not exactly one of event_id, click_id and email, or a value that is empty, too long or not an email", body = ErrorBody),
        (status = 401, description = "Missing or wrong admin token", body = ErrorBody),
        (status = 404, description = "Unknown container", body = ErrorBody),
        (status = 422, description = "A query parameter is given twice (duplicate_parameter), or is not UTF-8 once percent-decoded (invalid_encoding); `field` names it", body = ErrorBody),
    ),
    security(("adminToken" = [])),
)]
fn explain_events() {}

#[utoipa::path(
    post,
    path = "/admin/api/deliveries/{id}/reevaluate",
    tag = "deliveries",
    summary = "Run attribution again for a skipped delivery",
    description = "After the set-up was fixed (click parameter, window, mode, trigger events), dispatches the delivery's event again to its connector only, with the connector's current config and the visitor's clicks as of the conversion: it fires (a new delivery) or records a new skipped delivery saying why not. The skipped delivery stays in the log as it was; each can be re-evaluated once.",
    params(
        ("id" = String, Path, description = "Delivery id (dlv_…)"),
    ),
    responses(
        (status = 202, description = "The event was dispatched again to the connector", body = Reevaluated),
        (status = 401, description = "Missing or wrong admin token", body = ErrorBody),
        (status = 404, description = "Unknown delivery, or its connector was deleted", body = ErrorBody),
        (status = 409, description = "Not a skipped delivery of an event, or re-evaluated already (`not_reevaluable`)", body = ErrorBody),
    ),
    security(("adminToken" = [])),
)]
fn reevaluate_delivery() {}

#[derive(utoipa::OpenApi)]
#[openapi(paths(list_templates, explain_events, reevaluate_delivery))]
pub struct Operations;
