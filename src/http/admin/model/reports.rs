//! Daily counts as the admin API answers them: reconciliation per connector, events per
//! container.

use crate::core::reconciliation::{DayCounts, EventDay};
use serde::Serialize;

/// `GET /admin/api/connectors/{id}/reconciliation`.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(utoipa::ToSchema))]
pub struct Reconciliation {
    /// The container's time zone, in which the days are counted.
    pub time_zone: String,
    /// One entry per day of the range, oldest first; each balances: `triggered = delivered +
    /// test + sum(skipped) + failed + parked + in_flight`.
    pub data: Vec<DayCounts>,
}

/// `GET /admin/api/containers/{id}/events/daily`.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(utoipa::ToSchema))]
pub struct EventsDaily {
    /// The container's time zone, in which the days are counted.
    pub time_zone: String,
    /// One entry per day of the range, oldest first, events by their current status.
    pub data: Vec<EventDay>,
}
