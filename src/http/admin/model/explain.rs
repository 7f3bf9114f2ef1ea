//! The why-not explorer's answer (`GET /admin/api/containers/{id}/explain`) and the connector
//! templates list. Built from the store's rows; the contract derives their schemas.

use crate::core::connector_templates::ConnectorTemplate;
use crate::core::explain::Verdict;
use crate::core::ids::{ConnectorId, DeliveryId, EventRowId};
use serde::Serialize;

/// `GET /admin/api/connector-templates`.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(utoipa::ToSchema))]
pub struct TemplateList {
    pub data: Vec<ConnectorTemplate>,
}

/// The explorer's answer: the events the search found, newest first (at most 10).
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(utoipa::ToSchema))]
pub struct ExplainOut {
    /// `event_id`, `click_id` or `email`: what was searched by.
    pub searched_by: &'static str,
    pub events: Vec<ExplainedEventOut>,
}

/// One event: what it is, whom it matched, and each connector's verdict.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(utoipa::ToSchema))]
pub struct ExplainedEventOut {
    pub row_id: EventRowId,
    /// The caller's event id (`event_id`/`conversion_id`), or the generated one.
    pub event_id: String,
    pub name: String,
    pub value: Option<f64>,
    pub currency: Option<String>,
    /// `browser`, `server` or `admin`.
    pub provenance: String,
    /// The surface it came through: `browser`, `webhook` or `custom_webhook`.
    pub source: String,
    pub topic: Option<String>,
    /// The event's lifecycle status: `received`, `approved`, `rejected` or `reversed`.
    pub status: String,
    pub created_at: String,
    /// When a server event confirmed this browser event.
    pub confirmed_at: Option<String>,
    /// Whether the event said the visitor allows advertising.
    pub consent_advertising: bool,
    /// The visitor the event matched, if any, and by which identity.
    pub visitor_id: Option<String>,
    pub matched_by: Option<String>,
    /// What to do when the event matched no visitor.
    pub match_hint: Option<String>,
    /// The visitor's clicks (newest first, at most 50) and the ones the event carried.
    pub clicks: Vec<ExplainedClickOut>,
    pub connectors: Vec<ConnectorVerdictOut>,
}

/// A click the explorer shows.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(utoipa::ToSchema))]
pub struct ExplainedClickOut {
    pub param: String,
    pub value: String,
    /// When it was captured; `null` for a click the event carried.
    pub at: Option<String>,
    /// Carried by the event itself (`click_ids` or a click parameter), not captured on a landing.
    pub carried: bool,
}

/// One connector's verdict on the event.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(utoipa::ToSchema))]
pub struct ConnectorVerdictOut {
    pub connector_id: ConnectorId,
    pub name: String,
    /// `enabled`, `test` or `disabled`; `unreadable` for a stored connector that no longer
    /// passes validation (its verdict is `connector_invalid`).
    pub mode: String,
    #[serde(flatten)]
    pub verdict: Verdict,
    /// The postback row the verdict reads, for the log and re-evaluation.
    pub delivery_id: Option<DeliveryId>,
}

/// The answer to re-evaluating a skipped delivery.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(utoipa::ToSchema))]
pub struct Reevaluated {
    /// The skipped delivery, kept in the log as it was.
    pub reevaluated: DeliveryId,
    /// The new delivery; `null` when the connector no longer wants the event.
    pub delivery_id: Option<DeliveryId>,
    /// The new delivery's status (`queued`, `test`, `skipped`, ...), or `not_triggered`.
    pub status: String,
    /// Why the new delivery was skipped, if it was.
    pub reason: Option<String>,
}
