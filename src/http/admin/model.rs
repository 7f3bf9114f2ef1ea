//! The admin API's answers as types, and the conversions from stored rows: every resource and
//! list the handlers serialise, named the way the OpenAPI document names them (`ContainerOut`,
//! `ConnectorOut`, `ApiKeyOut`, ...).
//!
//! These structs are the one description of each answer: serde writes them, and the native test
//! in `http::contract` derives the document's schemas from the same structs (`utoipa::ToSchema`,
//! a dev-dependency, so none of it reaches the wasm build). Times are RFC 3339 UTC strings with
//! milliseconds (`2026-05-01T12:00:00.000Z`).

mod connector;
pub mod destination;
mod events;
pub mod explain;

use crate::core::container::ContainerSettings;
use crate::core::ids::{ApiKeyId, ContainerId, DeliveryId, EventId, EventRowId};
use crate::core::params::ParamInfo;
use crate::core::postback::SkipReason;
use crate::core::retention::RetentionDays;
use crate::core::time::UnixMs;
use crate::store::attempts::AttemptRow;
use crate::store::deliveries::DeliveryRow;
use serde::Serialize;

pub mod install;
pub mod privacy;
pub mod reports;

/// A container, as every container answer shows it.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(utoipa::ToSchema))]
pub struct ContainerOut {
    pub id: ContainerId,
    #[serde(flatten)]
    pub settings: ContainerSettings,
    /// Days each kind of data is kept: as set, else the default (events, clicks, identities
    /// and visitors 400; deliveries and activity the worker's `LOG_RETENTION_DAYS`, 30).
    pub retention_days: RetentionDays,
    pub created_at: String,
    pub updated_at: String,
}

/// `GET /admin/api/containers`.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(utoipa::ToSchema))]
pub struct ContainerList {
    pub data: Vec<ContainerOut>,
}

/// `GET /admin/api/containers/{id}/install`: the install snippet of each way to serve the
/// browser routes (`core::install`).
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(utoipa::ToSchema))]
pub struct InstallOut {
    /// The prefix every browser route also answers under on the site's own host
    /// (`SAME_ORIGIN_PATH`, default `/_pc`).
    pub same_origin_path: String,
    pub modes: Vec<crate::core::install::InstallMode>,
}

/// `GET /admin/api/containers/{id}/event-names`: the names this container has seen, most
/// recent first.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(utoipa::ToSchema))]
pub struct EventNameList {
    pub data: Vec<String>,
}

pub use connector::{ConnectorOut, ConnectorPage, NoticeOut, UnreadableConnector, WebhookOut};
pub use events::{
    BulkItemOut, BulkStatusOut, EventOut, EventPage, ItemError, Recovered, SecretRotated,
    StatusEntry,
};

/// An API key as lists show it: never the key or its hash.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(utoipa::ToSchema))]
pub struct ApiKeyOut {
    pub id: ApiKeyId,
    pub container_id: ContainerId,
    pub name: String,
    /// The first 12 characters of the key, to recognise it.
    pub prefix: String,
    pub rate_limit_per_minute: u32,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
    pub revoked: bool,
}

/// The answer to creating a key: the one time the whole key is shown.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(utoipa::ToSchema))]
pub struct ApiKeyCreated {
    #[serde(flatten)]
    pub key_info: ApiKeyOut,
    /// The whole key (`pck_` and 43 base64url characters). Shown only in this answer; store it
    /// now.
    pub key: String,
}

/// `GET /admin/api/containers/{id}/api-keys`.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(utoipa::ToSchema))]
pub struct ApiKeyList {
    pub data: Vec<ApiKeyOut>,
}

/// One inbound webhook request in a container's recent activity.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(utoipa::ToSchema))]
pub struct WebhookActivityOut {
    pub id: u64,
    pub received_at: String,
    #[cfg_attr(test, schema(value_type = crate::core::webhook_in::activity::ActivityStatus))]
    pub status: String,
    /// The custom topic, the track event name, or `set`.
    pub topic: Option<String>,
    pub session_matched: bool,
    pub http_status: u16,
    pub error_code: Option<String>,
    pub event_id: Option<EventId>,
    /// `server` once the key authenticated the request; `null` for a refused one.
    #[cfg_attr(test, schema(value_type = Option<crate::core::provenance::Provenance>))]
    pub provenance: Option<String>,
}

/// `GET /admin/api/containers/{id}/webhook-activity`: the last 20 requests from the
/// container's own keys, newest first, and the refused requests without one, counted.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(utoipa::ToSchema))]
pub struct WebhookActivityList {
    pub data: Vec<WebhookActivityOut>,
    pub unauthenticated: UnauthenticatedCount,
}

/// Requests to the container's custom webhook refused for a missing, malformed or unknown key
/// (or another container's): counted rather than listed, so they never push the real requests
/// out of the list.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(utoipa::ToSchema))]
pub struct UnauthenticatedCount {
    pub count: u64,
    /// The start of the counted period: midnight UTC six days ago.
    pub since: String,
    /// The latest such request, `null` when there was none.
    pub last_at: Option<String>,
}

/// `GET /admin/api/parameters`: what templates can use.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(utoipa::ToSchema))]
pub struct ParameterList {
    pub data: Vec<ParamInfo>,
    /// How custom event attributes become parameters.
    pub custom: &'static str,
    /// The filters a placeholder may carry, e.g. `{{EMAIL|sha256}}`.
    #[cfg_attr(test, schema(value_type = Vec<String>))]
    pub filters: &'static [&'static str],
}

/// One header of a logged or previewed request.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(utoipa::ToSchema))]
pub struct HeaderOut {
    pub name: String,
    pub value: String,
}

/// One attempt at a delivery.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(utoipa::ToSchema))]
pub struct DeliveryAttemptOut {
    /// 1 for the first attempt.
    pub attempt: i64,
    pub time: String,
    pub response_code: Option<i64>,
    pub latency_ms: Option<i64>,
    pub error: Option<String>,
    /// The first KiB of the partner's answer.
    pub response_body: Option<String>,
}

/// What caused a delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DeliveryKind {
    /// An event that triggered the connector.
    Event,
    /// A Test Webhook sent from the admin API.
    TestWebhook,
    /// A replay of an earlier delivery.
    Replay,
}

/// One entry of a connector's webhook log: everything is the masked copy (credentials in the
/// URL, headers and body are replaced).
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(utoipa::ToSchema))]
pub struct DeliveryOut {
    pub id: DeliveryId,
    pub time: String,
    pub updated_at: String,
    pub kind: DeliveryKind,
    pub event_row_id: Option<EventRowId>,
    /// Who stands behind the delivery's event: `browser`, `server` or `admin`.
    #[cfg_attr(test, schema(value_type = Option<crate::core::provenance::Provenance>))]
    pub provenance: Option<String>,
    #[cfg_attr(test, schema(value_type = crate::core::postback::DeliveryStatus))]
    pub status: String,
    /// Why the connector did not (really) send.
    #[cfg_attr(test, schema(value_type = Option<SkipReason>))]
    pub reason: Option<String>,
    pub reason_message: Option<&'static str>,
    /// Attempts made.
    pub attempt: i64,
    pub method: Option<String>,
    /// The full URL, credentials masked.
    pub url: Option<String>,
    pub headers: Vec<HeaderOut>,
    pub body: Option<String>,
    pub response_code: Option<i64>,
    /// The first KiB of the partner's last answer.
    pub response_body: Option<String>,
    pub latency_ms: Option<i64>,
    pub error: Option<String>,
    /// Sent as `Idempotency-Key` and `webhook-id`; a replay keeps the original's.
    pub idempotency_key: String,
    pub replay_of: Option<DeliveryId>,
    /// When the next attempt is due, while the delivery is pending.
    pub next_attempt_at: Option<String>,
    pub dead_lettered_at: Option<String>,
    pub attempts: Vec<DeliveryAttemptOut>,
}

/// `GET /admin/api/connectors/{id}/deliveries`: one page, newest first.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(utoipa::ToSchema))]
pub struct DeliveryPage {
    pub data: Vec<DeliveryOut>,
    /// Pass as `before` for the next page; `null` on the last page.
    pub next_before: Option<DeliveryId>,
}

/// The answer to a Test Webhook: the delivery is written to the log and queued.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(utoipa::ToSchema))]
pub struct TestQueued {
    pub delivery_id: DeliveryId,
    #[cfg_attr(test, schema(value_type = String, pattern = "^queued$"))]
    pub status: &'static str,
    pub method: Option<String>,
    pub url: Option<String>,
}

/// The answer to a replay: a new delivery that sends the stored request again.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(utoipa::ToSchema))]
pub struct ReplayQueued {
    pub delivery_id: DeliveryId,
    pub replay_of: DeliveryId,
    #[cfg_attr(test, schema(value_type = String, pattern = "^queued$"))]
    pub status: &'static str,
}

/// The click a preview credited.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(utoipa::ToSchema))]
pub struct PreviewClick {
    pub param: String,
    pub value: String,
    pub source: Option<String>,
    pub at: String,
}

/// Why a preview could build no request.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(utoipa::ToSchema))]
pub struct PreviewError {
    pub code: String,
    pub message: String,
    pub field: Option<String>,
}

/// `POST /admin/api/connectors/{id}/preview`: what the connector would send for the sample
/// event, unmasked (it is the admin's own configuration). Nothing is sent or stored.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(utoipa::ToSchema))]
pub struct PreviewOut {
    pub would_send: bool,
    /// The event is a trigger and the webhook is enabled.
    pub triggered: bool,
    /// Why the connector would not (really) send.
    pub reason: Option<SkipReason>,
    pub reason_message: Option<&'static str>,
    /// The pixel HTML with its placeholders filled, as the browser would receive it.
    pub pixel_html: Option<String>,
    pub pixel_unresolved: Vec<String>,
    pub click: Option<PreviewClick>,
    #[cfg_attr(test, schema(value_type = Option<crate::core::connector::Method>))]
    pub method: Option<&'static str>,
    pub url: Option<String>,
    pub headers: Option<Vec<HeaderOut>>,
    pub body: Option<String>,
    /// Placeholders of the request that had no value.
    pub unresolved: Vec<String>,
    pub error: Option<PreviewError>,
}

/// `{name, value}` rows from `(name, value)` pairs.
pub fn headers_out(headers: &[(String, String)]) -> Vec<HeaderOut> {
    headers
        .iter()
        .map(|(name, value)| HeaderOut {
            name: name.clone(),
            value: value.clone(),
        })
        .collect()
}

fn opt_time(time: Option<UnixMs>) -> Option<String> {
    time.map(UnixMs::iso8601)
}

/// One webhook log entry: everything is the masked copy.
pub fn delivery_out(row: &DeliveryRow, attempts: &[AttemptRow]) -> DeliveryOut {
    let kind = if row.is_test_webhook() {
        DeliveryKind::TestWebhook
    } else if row.replay_of.is_some() {
        DeliveryKind::Replay
    } else {
        DeliveryKind::Event
    };
    let reason = row.reason.as_deref().and_then(SkipReason::parse);
    let headers: Vec<(String, String)> = row
        .headers
        .as_deref()
        .and_then(|h| serde_json::from_str(h).ok())
        .unwrap_or_default();
    let attempts = attempts
        .iter()
        .filter(|a| a.delivery_id == row.id)
        .map(|a| DeliveryAttemptOut {
            attempt: a.attempt,
            time: a.started_at.iso8601(),
            response_code: a.response_code,
            latency_ms: a.latency_ms,
            error: a.error.clone(),
            response_body: a.response_body.clone(),
        })
        .collect();
    DeliveryOut {
        id: row.id.clone(),
        time: row.created_at.iso8601(),
        updated_at: row.updated_at.iso8601(),
        kind,
        event_row_id: row.event_row_id.clone(),
        provenance: row.provenance.clone(),
        status: row.status.clone(),
        reason: row.reason.clone(),
        reason_message: reason.map(SkipReason::message),
        attempt: row.attempt,
        method: row.method.clone(),
        url: row.url.clone(),
        headers: headers_out(&headers),
        body: row.body.clone(),
        response_code: row.response_code,
        response_body: row.response_body.clone(),
        latency_ms: row.latency_ms,
        error: row.error.clone(),
        idempotency_key: row.idempotency_key.clone(),
        replay_of: row.replay_of.clone(),
        next_attempt_at: opt_time(
            row.status()
                .filter(|s| s.is_pending())
                .and(row.next_attempt_at),
        ),
        dead_lettered_at: opt_time(row.dead_lettered_at),
        attempts,
    }
}
