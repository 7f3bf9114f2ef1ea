//! The `connectors` table. The connector body is stored as JSON and re-parsed into typed config on
//! read, so stored data passes the same checks as input.

use super::{all, first, int, run, text, time};
use crate::core::connector::{parse_stored_connector, ConnectorConfig, ConnectorNotice};
use crate::core::ids::{ConnectorId, ContainerId};
use crate::core::privacy::PiiPolicy;
use crate::core::time::UnixMs;
use crate::error::{Error, Result};
use serde::Deserialize;
use worker::D1Database;

#[derive(Debug, Clone, Deserialize)]
pub struct ConnectorRow {
    pub id: ConnectorId,
    pub container_id: ContainerId,
    pub config: String,
    pub created_at: UnixMs,
    pub updated_at: UnixMs,
    /// A one-time notice for whoever next edits the connector (see [`ConnectorNotice`]).
    pub notice: Option<String>,
}

impl ConnectorRow {
    /// The connector's pending notice, if any.
    pub fn notice(&self) -> Option<ConnectorNotice> {
        self.notice.as_deref().and_then(ConnectorNotice::parse)
    }

    /// The stored config, parsed again; a config that no longer parses is our failure.
    pub fn config(&self) -> Result<ConnectorConfig> {
        let value: serde_json::Value = serde_json::from_str(&self.config)
            .map_err(|e| Error::internal("reading a stored connector", e))?;
        let mut config = parse_stored_connector(&value)
            .map_err(|e| Error::internal("re-parsing a stored connector", e))?;
        // The stored approval is kept, unless the pixel engine now refuses the pixel: then it
        // can never fire, and its approval is cleared (in storage too, when it next triggers).
        if config.pixel.refused.is_none() {
            config.pixel.approved_at = self.stored_approval();
        }
        Ok(config)
    }

    /// The pixel approval as stored, whatever the pixel engine now says of the pixel.
    pub fn stored_approval(&self) -> Option<String> {
        let value: serde_json::Value = serde_json::from_str(&self.config).ok()?;
        value["pixel"]["approved_at"].as_str().map(str::to_string)
    }
}

fn to_json(config: &ConnectorConfig) -> Result<String> {
    let mut value =
        serde_json::to_value(config).map_err(|e| Error::internal("serialising a connector", e))?;
    // Derived from the pixel HTML on every read (`ConnectorRow::config`), so never stored.
    if let Some(pixel) = value.get_mut("pixel").and_then(|p| p.as_object_mut()) {
        pixel.remove("refused");
    }
    Ok(value.to_string())
}

pub async fn insert(
    db: &D1Database,
    id: &ConnectorId,
    container_id: &ContainerId,
    config: &ConnectorConfig,
    now: UnixMs,
) -> Result<()> {
    run(
        db,
        "INSERT INTO connectors (id, container_id, name, mode, config, created_at, updated_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
        &[
            text(id.as_str()),
            text(container_id.as_str()),
            text(&config.name),
            text(config.mode.as_str()),
            text(&to_json(config)?),
            time(now),
        ],
    )
    .await?;
    super::settings_cache::forget(container_id);
    Ok(())
}

pub async fn get(db: &D1Database, id: &ConnectorId) -> Result<Option<ConnectorRow>> {
    first(
        db,
        "SELECT * FROM connectors WHERE id = ?1",
        &[text(id.as_str())],
    )
    .await
}

/// A page of a container's connectors, oldest first, after the `after` id when given.
pub async fn list(
    db: &D1Database,
    container_id: &ContainerId,
    after: Option<&ConnectorId>,
    limit: u32,
) -> Result<Vec<ConnectorRow>> {
    match after {
        Some(after) => {
            all(
                db,
                "SELECT c.* FROM connectors c, connectors a WHERE a.id = ?2 AND c.container_id = ?1 \
                 AND (c.created_at, c.id) > (a.created_at, a.id) ORDER BY c.created_at, c.id LIMIT ?3",
                &[
                    text(container_id.as_str()),
                    text(after.as_str()),
                    int(i64::from(limit)),
                ],
            )
            .await
        }
        None => {
            all(
                db,
                "SELECT * FROM connectors WHERE container_id = ?1 ORDER BY created_at, id LIMIT ?2",
                &[text(container_id.as_str()), int(i64::from(limit))],
            )
            .await
        }
    }
}

/// Stores a changed config. `reviewed`: a person edited the connector (a `PATCH`), so its
/// one-time notice has been seen and is cleared.
pub async fn update(
    db: &D1Database,
    id: &ConnectorId,
    config: &ConnectorConfig,
    reviewed: bool,
    now: UnixMs,
) -> Result<()> {
    // `RETURNING` names the container whose cached click parameters this may change.
    let sql = if reviewed {
        "UPDATE connectors SET name = ?2, mode = ?3, config = ?4, updated_at = ?5, notice = NULL WHERE id = ?1 \
         RETURNING container_id"
    } else {
        "UPDATE connectors SET name = ?2, mode = ?3, config = ?4, updated_at = ?5 WHERE id = ?1 \
         RETURNING container_id"
    };
    let changed: Option<OfContainer> = first(
        db,
        sql,
        &[
            text(id.as_str()),
            text(&config.name),
            text(config.mode.as_str()),
            text(&to_json(config)?),
            time(now),
        ],
    )
    .await?;
    if let Some(row) = changed {
        super::settings_cache::forget(&row.container_id);
    }
    Ok(())
}

/// The container a written connector belongs to (`RETURNING container_id`).
#[derive(Deserialize)]
struct OfContainer {
    container_id: ContainerId,
}

pub async fn delete(db: &D1Database, id: &ConnectorId) -> Result<bool> {
    let deleted: Option<OfContainer> = first(
        db,
        "DELETE FROM connectors WHERE id = ?1 RETURNING container_id",
        &[text(id.as_str())],
    )
    .await?;
    match deleted {
        Some(row) => {
            super::settings_cache::forget(&row.container_id);
            Ok(true)
        }
        None => Ok(false),
    }
}

/// Connectors read per page by [`all_of`].
const CONNECTOR_PAGE: u32 = 200;

/// Every connector of the container with its parsed config, oldest first, read a page at a
/// time. A connector whose stored config no longer parses is logged and left out.
pub async fn all_of(
    db: &D1Database,
    container_id: &ContainerId,
) -> Result<Vec<(ConnectorRow, ConnectorConfig)>> {
    let mut out = Vec::new();
    let mut after: Option<ConnectorId> = None;
    loop {
        let page = list(db, container_id, after.as_ref(), CONNECTOR_PAGE).await?;
        let full = page.len() == CONNECTOR_PAGE as usize;
        after = page.last().map(|r| r.id.clone());
        for row in page {
            match row.config() {
                Ok(config) => out.push((row, config)),
                Err(e) => worker::console_error!("connector {} is unreadable: {e:?}", row.id),
            }
        }
        if !full {
            return Ok(out);
        }
    }
}

/// What the container's connectors send raw (see `core::privacy`): read from every connector
/// whatever its mode, from the stored text without parsing each connector.
pub async fn pii_policy(db: &D1Database, container_id: &ContainerId) -> Result<PiiPolicy> {
    #[derive(Deserialize)]
    struct Config {
        config: String,
    }
    let rows: Vec<Config> = all(
        db,
        "SELECT config FROM connectors WHERE container_id = ?1",
        &[text(container_id.as_str())],
    )
    .await?;
    Ok(PiiPolicy::of_stored(rows.iter().map(|r| r.config.as_str())))
}
