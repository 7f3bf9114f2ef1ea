//! The admin API's operations about a container's install and its people's data: the install
//! snippets and check, erasure and export of one person, and the click values landings refused.

#![allow(dead_code)]

use super::body_types::SubjectIn;
use crate::http::admin::model::install::InstallCheckOut;
use crate::http::admin::model::privacy::{ClickRefusalList, ErasureOut, SubjectExport};
use crate::http::admin::model::InstallOut;
use crate::http::error::ErrorBody;

#[utoipa::path(
    get,
    path = "/admin/api/containers/{id}/install",
    tag = "containers",
    summary = "The install snippet for each way of serving the browser routes: the tracking subdomain, and same-origin under the site's own host",
    params(
        ("id" = String, Path, description = "Container id (ctr_…)"),
    ),
    responses(
        (status = 200, description = "Snippets", body = InstallOut),
        (status = 401, description = "Missing or wrong admin token", body = ErrorBody),
        (status = 404, description = "Unknown id", body = ErrorBody),
    ),
    security(("adminToken" = [])),
)]
fn get_install() {}

#[utoipa::path(
    get,
    path = "/admin/api/containers/{id}/install-check",
    tag = "containers",
    summary = "The install check: the last page view the container saw (when, page origin, host, whether its cookies could be set), the tracking host the snippet should use, and what is wrong in plain words",
    params(
        ("id" = String, Path, description = "Container id (ctr_…)"),
    ),
    responses(
        (status = 200, description = "The last page view (null when none was seen yet) and what it tells", body = InstallCheckOut),
        (status = 401, description = "Missing or wrong admin token", body = ErrorBody),
        (status = 404, description = "Unknown id", body = ErrorBody),
    ),
    security(("adminToken" = [])),
)]
fn get_install_check() {}

#[utoipa::path(
    post,
    path = "/admin/api/containers/{id}/erasures",
    tag = "privacy",
    summary = "Erase one person's data everywhere: events keep only what reconciliation counts; clicks, identities, the visitor and webhook activity go; deliveries lose their personal data and pending ones are dropped. Recorded as a hash only; idempotent.",
    params(
        ("id" = String, Path, description = "Container id (ctr_…)"),
    ),
    request_body(content = SubjectIn, content_type = "application/json"),
    responses(
        (status = 200, description = "What was removed per table", body = ErasureOut),
        (status = 400, description = "Malformed JSON, or not an object", body = ErrorBody),
        (status = 401, description = "Missing or wrong admin token", body = ErrorBody),
        (status = 404, description = "Unknown id", body = ErrorBody),
        (status = 413, description = "Body over the limit", body = ErrorBody),
        (status = 415, description = "Body is not application/json", body = ErrorBody),
        (status = 422, description = "No identifier, more than one, or one that is not usable; `field` names it", body = ErrorBody),
    ),
    security(("adminToken" = [])),
)]
fn create_erasure() {}

#[utoipa::path(
    get,
    path = "/admin/api/containers/{id}/subjects",
    tag = "privacy",
    summary = "Export everything held about one person (a data subject access request), named by exactly one identifier",
    params(
        ("id" = String, Path, description = "Container id (ctr_…)"),
        ("email" = Option<String>, Query, description = "An email address"),
        ("phone" = Option<String>, Query, description = "A phone number with its country code"),
        ("external_id" = Option<String>, Query, description = "The site's own id of the person"),
        ("visitor_id" = Option<String>, Query, description = "A pc_vid visitor id"),
    ),
    responses(
        (status = 200, description = "The person's data", body = SubjectExport),
        (status = 401, description = "Missing or wrong admin token", body = ErrorBody),
        (status = 404, description = "Unknown id", body = ErrorBody),
        (status = 422, description = "No identifier, more than one, or one that is not usable; `field` names it", body = ErrorBody),
    ),
    security(("adminToken" = [])),
)]
fn export_subject() {}

#[utoipa::path(
    get,
    path = "/admin/api/containers/{id}/click-refusals",
    tag = "privacy",
    summary = "Landing-URL click values that were not kept, counted per day, parameter and reason",
    params(
        ("id" = String, Path, description = "Container id (ctr_…)"),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 500),
    ),
    responses(
        (status = 200, description = "Counters, newest day first", body = ClickRefusalList),
        (status = 400, description = "Malformed JSON or query", body = ErrorBody),
        (status = 401, description = "Missing or wrong admin token", body = ErrorBody),
        (status = 404, description = "Unknown id", body = ErrorBody),
        (status = 422, description = "A query parameter is given twice (duplicate_parameter), or is not UTF-8 once percent-decoded (invalid_encoding); `field` names it", body = ErrorBody),
    ),
    security(("adminToken" = [])),
)]
fn list_click_refusals() {}

/// The operations of this surface, in the order the document lists them.
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    get_install,
    get_install_check,
    create_erasure,
    export_subject,
    list_click_refusals
))]
pub struct Operations;
