//! The container as the tracking subdomain needs it: its settings, every connector's click
//! parameter (one read), and its connectors (a second read), which browser events use for their
//! pixels, postbacks and what is stored raw. The browser surface keeps it in the isolate's
//! cache (`settings_cache`), so a page view usually reads nothing.

use super::connectors::{all_of, ConnectorRow, InvalidConnector};
use super::containers::ContainerRow;
use super::{first, text};
use crate::core::clicks::CustomClickParam;
use crate::core::connector::{Attribution, ClickIdConfig, ConnectorConfig};
use crate::core::container::ContainerSettings;
use crate::core::ids::ContainerId;
use crate::core::privacy::PiiPolicy;
use crate::core::time::UnixMs;
use crate::error::Result;
use serde::Deserialize;
use worker::D1Database;

/// One row: the container's columns and a JSON array of its connectors' `click_id` sections.
/// (Spelled out rather than `#[serde(flatten)]`: flattening buffers JS numbers as floats, which
/// then refuse to become the integer columns.)
#[derive(Debug, Deserialize)]
struct Row {
    id: ContainerId,
    name: String,
    cookie_domain: String,
    allowed_origins: String,
    redirect_domains: String,
    require_consent: i64,
    compat_cookies: i64,
    retention: String,
    created_at: UnixMs,
    updated_at: UnixMs,
    click_ids: Option<String>,
}

/// A connector's stored `click_id` section, as `ConnectorConfig` serialises it. Stored configs
/// were parsed by `parse_connector` before they were written, so the names are already checked.
#[derive(Debug, Deserialize)]
struct StoredClickId {
    #[serde(default)]
    enabled: bool,
    param: Option<String>,
    source_param: Option<String>,
    source_value: Option<String>,
    #[serde(default)]
    attribution: Option<String>,
    #[serde(default)]
    window_days: Option<u16>,
}

impl StoredClickId {
    fn into_config(self) -> ClickIdConfig {
        ClickIdConfig {
            enabled: self.enabled,
            param: self.param,
            source_param: self.source_param,
            source_value: self.source_value,
            attribution: match self.attribution.as_deref() {
                Some("any_click") => Attribution::AnyClick,
                _ => Attribution::LastClick,
            },
            window_days: self.window_days.unwrap_or(30),
        }
    }
}

/// A container with the custom click parameters its connectors ask us to capture, and its
/// connectors with their parsed configs.
pub struct TrackingContainer {
    pub row: ContainerRow,
    /// The row's settings, read once when the container is loaded (its origins and redirect
    /// domains are JSON in the row), not on every page view.
    pub settings: ContainerSettings,
    pub custom_params: Vec<CustomClickParam>,
    pub connectors: Vec<(ConnectorRow, ConnectorConfig)>,
    /// Its connectors whose stored config no longer reads back: dispatch records a `failed`
    /// delivery for each instead of dropping it.
    pub invalid_connectors: Vec<InvalidConnector>,
}

impl TrackingContainer {
    /// What the container's connectors send raw (see `core::privacy`).
    pub fn pii_policy(&self) -> PiiPolicy {
        PiiPolicy::of_stored(self.connectors.iter().map(|(row, _)| row.config.as_str()))
    }
}

/// Loads the container and its connectors' click-ID settings in one query, then its connectors;
/// `None` if unknown.
///
/// Every connector with click-ID matching on counts, whatever its mode: clicks captured while a
/// connector is paused or in test mode are there for attribution once it is enabled.
pub async fn get(db: &D1Database, container_id: &ContainerId) -> Result<Option<TrackingContainer>> {
    let row: Option<Row> = first(
        db,
        "SELECT c.id, c.name, c.cookie_domain, c.allowed_origins, c.redirect_domains, \
         c.require_consent, c.compat_cookies, c.retention, c.created_at, c.updated_at, (SELECT json_group_array(json(json_extract(k.config, '$.click_id'))) \
           FROM connectors k WHERE k.container_id = c.id \
           AND json_extract(k.config, '$.click_id.enabled') = 1) AS click_ids \
         FROM containers c WHERE c.id = ?1",
        &[text(container_id.as_str())],
    )
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let (connectors, invalid_connectors) = all_of(db, container_id).await?;
    Ok(Some(tracking_container(
        row,
        connectors,
        invalid_connectors,
    )))
}

fn tracking_container(
    row: Row,
    connectors: Vec<(ConnectorRow, ConnectorConfig)>,
    invalid_connectors: Vec<InvalidConnector>,
) -> TrackingContainer {
    let stored: Vec<StoredClickId> = match row.click_ids.as_deref() {
        None => Vec::new(),
        Some(json) => serde_json::from_str(json).unwrap_or_else(|e| {
            // Capture still works for the standard parameters; say why custom ones are off.
            worker::console_error!("reading connectors' click_id settings of {}: {e}", row.id);
            Vec::new()
        }),
    };
    let custom_params = stored
        .into_iter()
        .filter_map(|c| CustomClickParam::from_config(&c.into_config()))
        .collect();
    let row = ContainerRow {
        id: row.id,
        name: row.name,
        cookie_domain: row.cookie_domain,
        allowed_origins: row.allowed_origins,
        redirect_domains: row.redirect_domains,
        require_consent: row.require_consent,
        compat_cookies: row.compat_cookies,
        retention: row.retention,
        created_at: row.created_at,
        updated_at: row.updated_at,
        // Browser requests never need it (only retention does).
        longest_window_days: None,
        // Nor the lock period (only the sweep does).
        lock_period_days: None,
        // Nor the time zone (only the daily counts do).
        time_zone: crate::core::time_zone::DEFAULT_TIME_ZONE.to_string(),
    };
    TrackingContainer {
        connectors,
        invalid_connectors,
        settings: row.settings(),
        row,
        custom_params,
    }
}
