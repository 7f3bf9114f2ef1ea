//! A connector's destination (its webhook) as the admin API shows it: active or parked, why,
//! and the counters the parking rules read.

use crate::core::connector::ParkPolicy;
use crate::core::time::UnixMs;
use crate::store::destinations::DestinationRow;
use serde::Serialize;

/// `GET /admin/api/connectors/{id}/destination`.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(utoipa::ToSchema))]
pub struct DestinationOut {
    /// `active` or `parked`.
    pub state: &'static str,
    /// Why it was parked (e.g. `20 consecutive failed attempts`, `the partner answered 410
    /// Gone`); `null` while it is active.
    pub reason: Option<String>,
    /// When it was parked, RFC 3339; `null` while it is active.
    pub parked_at: Option<String>,
    /// The one delivery still tried on the retry schedule while it is parked.
    pub probe_delivery_id: Option<String>,
    /// Failed attempts since the last success.
    pub consecutive_failures: u32,
    /// When the first of them happened, RFC 3339; `null` after a success.
    pub failing_since: Option<String>,
    /// The connector's `webhook.park_after_failures`.
    pub park_after_failures: u32,
    /// The connector's `webhook.park_after_hours`.
    pub park_after_hours: u32,
}

impl DestinationOut {
    /// The stored row (none yet: active, no failures) under the connector's settings.
    pub fn new(row: Option<DestinationRow>, policy: ParkPolicy) -> Self {
        let row = row.as_ref();
        let parked = row.and_then(|r| r.park_reason.clone());
        Self {
            state: if parked.is_some() { "parked" } else { "active" },
            reason: parked,
            parked_at: row.and_then(|r| r.parked_at).map(UnixMs::iso8601),
            probe_delivery_id: row
                .and_then(|r| r.probe_delivery_id.as_ref())
                .map(|id| id.as_str().to_string()),
            consecutive_failures: row.map_or(0, |r| {
                u32::try_from(r.consecutive_failures.max(0)).unwrap_or(0)
            }),
            failing_since: row.and_then(|r| r.failing_since).map(UnixMs::iso8601),
            park_after_failures: policy.after_failures,
            park_after_hours: policy.after_hours,
        }
    }
}

/// `POST /admin/api/connectors/{id}/unpark`.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(utoipa::ToSchema))]
pub struct Unparked {
    /// Parked deliveries queued again, oldest first.
    pub requeued: u32,
    /// The destination afterwards (active).
    pub destination: DestinationOut,
}
