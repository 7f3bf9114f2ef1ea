//! Conversion answers: an event with its status and the history of its changes, a page of a
//! container's events, and the per-item answers of a bulk status change.

use crate::core::ids::{ConnectorId, ContainerId, EventId, EventRowId};
use crate::core::lifecycle::ConversionStatus;
use crate::core::provenance::Provenance;
use crate::store::events::EventRow;
use crate::store::lifecycle::HistoryRow;
use serde::Serialize;

/// One status of a conversion: the first is its arrival (`received`), then each change.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(utoipa::ToSchema))]
pub struct StatusEntry {
    pub status: ConversionStatus,
    /// ISO 8601.
    pub at: String,
    /// Who stood behind it: the event's own provenance for `received`; `server` (an API key)
    /// or `admin` (the admin API, or the lock period) for a change.
    pub provenance: Provenance,
    pub reason: Option<String>,
}

impl StatusEntry {
    fn from_history(row: &HistoryRow) -> Option<Self> {
        Some(Self {
            status: ConversionStatus::parse(&row.status)?,
            at: row.changed_at.iso8601(),
            provenance: Provenance::parse(&row.provenance)?,
            reason: row.reason.clone(),
        })
    }
}

/// A conversion (a stored event) as the admin API shows it.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(utoipa::ToSchema))]
pub struct EventOut {
    /// The stored event's id (`evt_…`).
    #[cfg_attr(test, schema(value_type = String))]
    pub id: EventRowId,
    #[cfg_attr(test, schema(value_type = String))]
    pub container_id: ContainerId,
    /// The event id as the caller sent it (or the row id when it sent none).
    #[cfg_attr(test, schema(value_type = String))]
    pub event_id: EventId,
    pub name: String,
    pub value: Option<f64>,
    pub currency: Option<String>,
    pub status: ConversionStatus,
    /// ISO 8601 of the last status change; `null` while `received`.
    pub status_at: Option<String>,
    pub provenance: Provenance,
    /// The surface it came through: browser, webhook or custom_webhook.
    pub source: String,
    pub created_at: String,
    /// Every status, oldest first (only on a single event's answers).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history: Option<Vec<StatusEntry>>,
}

impl EventOut {
    /// The event; with its history when `history` is given.
    pub fn new(row: &EventRow, history: Option<&[HistoryRow]>) -> Self {
        let history = history.map(|rows| {
            let arrival = StatusEntry {
                status: ConversionStatus::Received,
                at: row.created_at.iso8601(),
                provenance: row.provenance(),
                reason: None,
            };
            std::iter::once(arrival)
                .chain(rows.iter().filter_map(StatusEntry::from_history))
                .collect()
        });
        Self {
            id: row.id.clone(),
            container_id: row.container_id.clone(),
            event_id: row.event_id.clone(),
            name: row.name.clone(),
            value: row.value,
            currency: row.currency.clone(),
            status: row.status(),
            status_at: row.status_at.map(|t| t.iso8601()),
            provenance: row.provenance(),
            source: row.source.clone(),
            created_at: row.created_at.iso8601(),
            history,
        }
    }
}

/// `GET /admin/api/containers/{id}/events`: one page, newest first.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(utoipa::ToSchema))]
pub struct EventPage {
    pub data: Vec<EventOut>,
    /// Pass as `before` for the next page; `null` on the last page.
    #[cfg_attr(test, schema(value_type = Option<String>))]
    pub next_before: Option<EventRowId>,
}

/// The answer for one item of a bulk status change.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(utoipa::ToSchema))]
pub struct BulkItemOut {
    /// The item's `event_id` as sent (`null` when it had none).
    pub event_id: Option<String>,
    /// 200 when the status changed; otherwise the status a single change would have got
    /// (404 unknown event id, 409 illegal transition or a change that came first).
    pub code: u16,
    /// The event after the change.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event: Option<EventOut>,
    /// Why the item was refused.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<ItemError>,
}

/// Why one item was refused, as the error of a single change would say it.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(utoipa::ToSchema))]
pub struct ItemError {
    pub code: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// `POST /admin/api/containers/{id}/events/status`: one answer per item, in order.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(utoipa::ToSchema))]
pub struct BulkStatusOut {
    pub data: Vec<BulkItemOut>,
    /// How many items changed status.
    pub changed: u32,
    /// How many were refused.
    pub refused: u32,
}

/// `POST /admin/api/connectors/{id}/recover`: how many deliveries were sent again.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(utoipa::ToSchema))]
pub struct Recovered {
    /// Deliveries re-queued, each once, with its idempotency key and `webhook-id`.
    pub requeued: u32,
    /// More remain (at most 500 are re-queued per call): call again.
    pub more: bool,
}

/// `POST /admin/api/connectors/{id}/rotate-secret`: the new secret signs from now on.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(utoipa::ToSchema))]
pub struct SecretRotated {
    #[cfg_attr(test, schema(value_type = String))]
    pub connector_id: ConnectorId,
    /// ISO 8601.
    pub rotated_at: String,
    /// ISO 8601: until then every request carries the previous secret's signature too; `null`
    /// when the connector had no secret before.
    pub previous_signs_until: Option<String>,
}
