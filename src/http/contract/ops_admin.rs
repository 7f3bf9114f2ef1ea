//! The admin API's resource operations: containers, connectors and API keys.

#![allow(dead_code)]

use super::body_types::{ApiKeyIn, ConnectorIn, ConnectorPatch, ContainerIn, ContainerPatch};
use crate::http::admin::model::{
    ApiKeyCreated, ApiKeyList, ConnectorOut, ConnectorPage, ContainerList, ContainerOut,
    EventNameList, ParameterList, WebhookActivityList,
};
use crate::http::error::ErrorBody;

#[utoipa::path(
    post,
    path = "/admin/api/containers",
    tag = "containers",
    summary = "Create a container",
    request_body(content = ContainerIn, content_type = "application/json"),
    responses(
        (status = 201, description = "Created", body = ContainerOut),
        (status = 400, description = "Malformed JSON or query", body = ErrorBody),
        (status = 401, description = "Missing or wrong admin token", body = ErrorBody),
        (status = 413, description = "Body over the limit", body = ErrorBody),
        (status = 415, description = "Body is not application/json", body = ErrorBody),
        (status = 422, description = "A field is invalid; `field` names it", body = ErrorBody),
    ),
    security(("adminToken" = [])),
)]
fn create_container() {}

#[utoipa::path(
    get,
    path = "/admin/api/containers",
    tag = "containers",
    summary = "List containers, newest first",
    params(
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 500),
    ),
    responses(
        (status = 200, description = "Containers", body = ContainerList),
        (status = 400, description = "Malformed JSON or query", body = ErrorBody),
        (status = 401, description = "Missing or wrong admin token", body = ErrorBody),
        (status = 422, description = "A query parameter is given twice (duplicate_parameter), or is not UTF-8 once percent-decoded (invalid_encoding); `field` names it", body = ErrorBody),
    ),
    security(("adminToken" = [])),
)]
fn list_containers() {}

#[utoipa::path(
    get,
    path = "/admin/api/containers/{id}",
    tag = "containers",
    summary = "Read a container",
    params(
        ("id" = String, Path, description = "Container id (ctr_…)"),
    ),
    responses(
        (status = 200, description = "The container", body = ContainerOut),
        (status = 401, description = "Missing or wrong admin token", body = ErrorBody),
        (status = 404, description = "Unknown id", body = ErrorBody),
    ),
    security(("adminToken" = [])),
)]
fn get_container() {}

#[utoipa::path(
    patch,
    path = "/admin/api/containers/{id}",
    tag = "containers",
    summary = "Change a container (JSON merge patch of ContainerIn)",
    params(
        ("id" = String, Path, description = "Container id (ctr_…)"),
    ),
    request_body(content = ContainerPatch, content_type = "application/json"),
    responses(
        (status = 200, description = "The changed container", body = ContainerOut),
        (status = 400, description = "Malformed JSON or query", body = ErrorBody),
        (status = 401, description = "Missing or wrong admin token", body = ErrorBody),
        (status = 404, description = "Unknown id", body = ErrorBody),
        (status = 413, description = "Body over the limit", body = ErrorBody),
        (status = 415, description = "Body is not application/json", body = ErrorBody),
        (status = 422, description = "A field is invalid; `field` names it", body = ErrorBody),
    ),
    security(("adminToken" = [])),
)]
fn patch_container() {}

#[utoipa::path(
    get,
    path = "/admin/api/containers/{id}/event-names",
    tag = "containers",
    summary = "Names of the events this container has seen, most recent first",
    params(
        ("id" = String, Path, description = "Container id (ctr_…)"),
    ),
    responses(
        (status = 200, description = "Event names", body = EventNameList),
        (status = 401, description = "Missing or wrong admin token", body = ErrorBody),
        (status = 404, description = "Unknown id", body = ErrorBody),
    ),
    security(("adminToken" = [])),
)]
fn list_event_names() {}
#[utoipa::path(
    get,
    path = "/admin/api/parameters",
    tag = "connectors",
    summary = "List the dynamic parameters with descriptions",
    responses(
        (status = 200, description = "The catalogue", body = ParameterList),
        (status = 401, description = "Missing or wrong admin token", body = ErrorBody),
    ),
    security(("adminToken" = [])),
)]
fn list_parameters() {}

#[utoipa::path(
    post,
    path = "/admin/api/containers/{id}/connectors",
    tag = "connectors",
    summary = "Create a connector",
    params(
        ("id" = String, Path, description = "Container id (ctr_…)"),
    ),
    request_body(content = ConnectorIn, content_type = "application/json"),
    responses(
        (status = 201, description = "Created", body = ConnectorOut),
        (status = 400, description = "Malformed JSON or query", body = ErrorBody),
        (status = 401, description = "Missing or wrong admin token", body = ErrorBody),
        (status = 404, description = "Unknown id", body = ErrorBody),
        (status = 413, description = "Body over the limit", body = ErrorBody),
        (status = 415, description = "Body is not application/json", body = ErrorBody),
        (status = 422, description = "A field is invalid; `field` names it. Pixel HTML with a placeholder the pixel rules refuse is `invalid_placeholder` on `pixel.html`, the message starting `line L, column C:`", body = ErrorBody),
    ),
    security(("adminToken" = [])),
)]
fn create_connector() {}

#[utoipa::path(
    get,
    path = "/admin/api/containers/{id}/connectors",
    tag = "connectors",
    summary = "List the container's connectors, oldest first",
    params(
        ("id" = String, Path, description = "Container id (ctr_…)"),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 200),
        ("after" = Option<String>, Query, description = "`next_after` of the previous page"),
    ),
    responses(
        (status = 200, description = "A page of connectors", body = ConnectorPage),
        (status = 400, description = "Malformed JSON or query", body = ErrorBody),
        (status = 401, description = "Missing or wrong admin token", body = ErrorBody),
        (status = 404, description = "Unknown id", body = ErrorBody),
        (status = 422, description = "A query parameter is given twice (duplicate_parameter), or is not UTF-8 once percent-decoded (invalid_encoding); `field` names it", body = ErrorBody),
    ),
    security(("adminToken" = [])),
)]
fn list_connectors() {}

#[utoipa::path(
    get,
    path = "/admin/api/connectors/{id}",
    tag = "connectors",
    summary = "Read a connector",
    params(
        ("id" = String, Path, description = "Connector id (con_…)"),
    ),
    responses(
        (status = 200, description = "The connector", body = ConnectorOut),
        (status = 401, description = "Missing or wrong admin token", body = ErrorBody),
        (status = 404, description = "Unknown id", body = ErrorBody),
        (status = 409, description = "`connector_unreadable`: the stored connector no longer passes validation (a rule tightened since it was saved); the message says why. It can be deleted; its log and recovery still work", body = ErrorBody),
    ),
    security(("adminToken" = [])),
)]
fn get_connector() {}

#[utoipa::path(
    patch,
    path = "/admin/api/connectors/{id}",
    tag = "connectors",
    summary = "Change a connector (JSON merge patch of ConnectorIn). Changing pixel.html clears the approval.",
    params(
        ("id" = String, Path, description = "Connector id (con_…)"),
    ),
    request_body(content = ConnectorPatch, content_type = "application/json"),
    responses(
        (status = 200, description = "The changed connector", body = ConnectorOut),
        (status = 400, description = "Malformed JSON or query", body = ErrorBody),
        (status = 401, description = "Missing or wrong admin token", body = ErrorBody),
        (status = 404, description = "Unknown id", body = ErrorBody),
        (status = 409, description = "`connector_unreadable`: the stored connector no longer passes validation", body = ErrorBody),
        (status = 413, description = "Body over the limit", body = ErrorBody),
        (status = 415, description = "Body is not application/json", body = ErrorBody),
        (status = 422, description = "A field is invalid; `field` names it. Pixel HTML with a placeholder the pixel rules refuse is `invalid_placeholder` on `pixel.html`, the message starting `line L, column C:`", body = ErrorBody),
    ),
    security(("adminToken" = [])),
)]
fn patch_connector() {}

#[utoipa::path(
    delete,
    path = "/admin/api/connectors/{id}",
    tag = "connectors",
    summary = "Delete a connector",
    params(
        ("id" = String, Path, description = "Connector id (con_…)"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "Missing or wrong admin token", body = ErrorBody),
        (status = 404, description = "Unknown id", body = ErrorBody),
    ),
    security(("adminToken" = [])),
)]
fn delete_connector() {}

#[utoipa::path(
    post,
    path = "/admin/api/connectors/{id}/approve-pixel",
    tag = "connectors",
    summary = "Approve the connector's pixel HTML for live traffic",
    params(
        ("id" = String, Path, description = "Connector id (con_…)"),
    ),
    responses(
        (status = 200, description = "The connector, with pixel.approved_at set", body = ConnectorOut),
        (status = 401, description = "Missing or wrong admin token", body = ErrorBody),
        (status = 404, description = "Unknown id", body = ErrorBody),
        (status = 422, description = "Nothing to approve (`nothing_to_approve`), or HTML saved under earlier rules that the pixel rules now refuse (`invalid_placeholder`, the message starting `line L, column C:`); `field` is `pixel.html`", body = ErrorBody),
    ),
    security(("adminToken" = [])),
)]
fn approve_pixel() {}
#[utoipa::path(
    post,
    path = "/admin/api/containers/{id}/api-keys",
    tag = "api keys",
    summary = "Create an API key for the inbound webhooks. The answer is the only time the key is shown.",
    params(
        ("id" = String, Path, description = "Container id (ctr_…)"),
    ),
    request_body(content = ApiKeyIn, content_type = "application/json"),
    responses(
        (status = 201, description = "Created; `key` is shown only now", body = ApiKeyCreated),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Missing or wrong admin token", body = ErrorBody),
        (status = 404, description = "Unknown container", body = ErrorBody),
        (status = 413, description = "Body over the limit", body = ErrorBody),
        (status = 415, description = "Body is not application/json", body = ErrorBody),
        (status = 422, description = "A field is invalid; `field` names it", body = ErrorBody),
    ),
    security(("adminToken" = [])),
)]
fn create_api_key() {}

#[utoipa::path(
    get,
    path = "/admin/api/containers/{id}/api-keys",
    tag = "api keys",
    summary = "List a container's API keys: prefix, name, times, revoked. Never the key.",
    params(
        ("id" = String, Path, description = "Container id (ctr_…)"),
    ),
    responses(
        (status = 200, description = "The keys, newest first", body = ApiKeyList),
        (status = 401, description = "Missing or wrong admin token", body = ErrorBody),
        (status = 404, description = "Unknown container", body = ErrorBody),
    ),
    security(("adminToken" = [])),
)]
fn list_api_keys() {}

#[utoipa::path(
    delete,
    path = "/admin/api/api-keys/{id}",
    tag = "api keys",
    summary = "Revoke an API key; it gets 401 from then on",
    params(
        ("id" = String, Path, description = "API key id (key_…)"),
    ),
    responses(
        (status = 204, description = "Revoked (revoking again is a no-op)"),
        (status = 401, description = "Missing or wrong admin token", body = ErrorBody),
        (status = 404, description = "Unknown id", body = ErrorBody),
    ),
    security(("adminToken" = [])),
)]
fn revoke_api_key() {}

#[utoipa::path(
    get,
    path = "/admin/api/containers/{id}/webhook-activity",
    tag = "api keys",
    summary = "The container's last 20 inbound webhook requests, newest first",
    params(
        ("id" = String, Path, description = "Container id (ctr_…)"),
    ),
    responses(
        (status = 200, description = "Recent activity", body = WebhookActivityList),
        (status = 401, description = "Missing or wrong admin token", body = ErrorBody),
        (status = 404, description = "Unknown container", body = ErrorBody),
    ),
    security(("adminToken" = [])),
)]
fn list_webhook_activity() {}

/// The operations of this surface, in the order the document lists them.
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    create_container,
    list_containers,
    get_container,
    patch_container,
    list_event_names,
    list_parameters,
    create_connector,
    list_connectors,
    get_connector,
    patch_connector,
    delete_connector,
    approve_pixel,
    create_api_key,
    list_api_keys,
    revoke_api_key,
    list_webhook_activity,
))]
pub struct Operations;
