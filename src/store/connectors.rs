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
    /// The signing secret a rotation replaced, while requests are still signed with it too.
    #[serde(default)]
    pub previous_secret: Option<String>,
    /// Unix ms: the end of the rotation's overlap.
    #[serde(default)]
    pub previous_secret_until: Option<UnixMs>,
    /// Incremented by each rotation; a delivery row names the version it was written under.
    #[serde(default)]
    pub secret_version: i64,
    /// Why a stored secret does not open with the signing keys (see [`super::sealing`]).
    #[serde(skip)]
    pub unreadable_secret: Option<String>,
}

impl ConnectorRow {
    /// The connector's pending notice, if any.
    pub fn notice(&self) -> Option<ConnectorNotice> {
        self.notice.as_deref().and_then(ConnectorNotice::parse)
    }

    /// Why the stored config no longer reads back, in the validation's words; `None` when it
    /// does.
    pub fn refusal(&self) -> Option<String> {
        if let Some(why) = &self.unreadable_secret {
            return Some(why.clone());
        }
        let value: serde_json::Value = match serde_json::from_str(&self.config) {
            Ok(value) => value,
            Err(e) => return Some(format!("the stored connector is not JSON: {e}")),
        };
        parse_stored_connector(&value)
            .err()
            .map(|invalid| format!("the stored connector no longer passes validation: {invalid}"))
    }

    /// The stored config, parsed again; a config that no longer parses is our failure (500).
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

/// The row as read from D1, its secrets opened (see [`super::sealing`]): the rest of the worker
/// sees plain secrets, or the reason they do not open.
fn opened(mut row: ConnectorRow) -> ConnectorRow {
    let owner = row.id.as_str().to_string();
    if let Ok(mut value) = serde_json::from_str::<serde_json::Value>(&row.config) {
        let slot = value.pointer_mut("/webhook/signing_secret");
        if let Some(serde_json::Value::String(stored)) = slot {
            match super::sealing::open(stored, &owner) {
                Ok(plain) => {
                    *stored = plain.into_secret();
                    row.config = value.to_string();
                }
                // Left out, so the connector still reads (the console can set a new secret),
                // and noted, so dispatch fails its postbacks instead of sending them unsigned.
                Err(e) => {
                    if let Some(webhook) = value["webhook"].as_object_mut() {
                        webhook.remove("signing_secret");
                    }
                    row.config = value.to_string();
                    row.unreadable_secret = Some(e.to_string());
                }
            }
        }
    }
    // An unreadable previous secret only loses the old signature during the overlap.
    row.previous_secret = (row.previous_secret.take())
        .and_then(|stored| super::sealing::open(&stored, &owner).ok())
        .map(|opened| opened.into_secret());
    row
}

/// The stored JSON of `config` for the connector `id`: its signing secret sealed.
fn to_json(id: &ConnectorId, config: &ConnectorConfig) -> Result<String> {
    let mut value =
        serde_json::to_value(config).map_err(|e| Error::internal("serialising a connector", e))?;
    // Derived from the pixel HTML on every read (`ConnectorRow::config`), so never stored.
    if let Some(pixel) = value.get_mut("pixel").and_then(|p| p.as_object_mut()) {
        pixel.remove("refused");
    }
    if let Some(serde_json::Value::String(secret)) = value.pointer_mut("/webhook/signing_secret") {
        *secret = super::sealing::seal(secret, id.as_str())?;
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
            text(&to_json(id, config)?),
            time(now),
        ],
    )
    .await?;
    super::settings_cache::forget(container_id);
    Ok(())
}

pub async fn get(db: &D1Database, id: &ConnectorId) -> Result<Option<ConnectorRow>> {
    let row: Option<ConnectorRow> = first(
        db,
        "SELECT * FROM connectors WHERE id = ?1",
        &[text(id.as_str())],
    )
    .await?;
    Ok(row.map(opened))
}

/// A page of a container's connectors, oldest first, after the `after` id when given.
pub async fn list(
    db: &D1Database,
    container_id: &ContainerId,
    after: Option<&ConnectorId>,
    limit: u32,
) -> Result<Vec<ConnectorRow>> {
    let rows: Vec<ConnectorRow> = match after {
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
    }?;
    Ok(rows.into_iter().map(opened).collect())
}

/// Stores a changed config. `reviewed`: a person edited the connector (a `PATCH`), so its
/// one-time notice has been seen and is cleared. `secret_changed`: the signing secret was
/// replaced (or removed), so the connector's secret version goes up, as with a rotation.
pub async fn update(
    db: &D1Database,
    id: &ConnectorId,
    config: &ConnectorConfig,
    reviewed: bool,
    secret_changed: bool,
    now: UnixMs,
) -> Result<()> {
    // `RETURNING` names the container whose cached click parameters this may change.
    let sql = if reviewed {
        "UPDATE connectors SET name = ?2, mode = ?3, config = ?4, updated_at = ?5, notice = NULL, \
         secret_version = secret_version + ?6 WHERE id = ?1 RETURNING container_id"
    } else {
        "UPDATE connectors SET name = ?2, mode = ?3, config = ?4, updated_at = ?5, \
         secret_version = secret_version + ?6 WHERE id = ?1 RETURNING container_id"
    };
    let changed: Option<OfContainer> = first(
        db,
        sql,
        &[
            text(id.as_str()),
            text(&config.name),
            text(config.mode.as_str()),
            text(&to_json(id, config)?),
            time(now),
            int(i64::from(secret_changed)),
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

/// Every connector of the container, read a page at a time, oldest first: those whose stored
/// config parses, with it, and those that no longer do (a rule tightened since they were saved),
/// with why, so dispatch records a `failed` delivery for them instead of dropping them.
pub async fn all_of(
    db: &D1Database,
    container_id: &ContainerId,
) -> Result<(Vec<(ConnectorRow, ConnectorConfig)>, Vec<InvalidConnector>)> {
    let mut out = Vec::new();
    let mut invalid = Vec::new();
    let mut after: Option<ConnectorId> = None;
    loop {
        let page = list(db, container_id, after.as_ref(), CONNECTOR_PAGE).await?;
        let full = page.len() == CONNECTOR_PAGE as usize;
        after = page.last().map(|r| r.id.clone());
        for row in page {
            if let Some(error) = row.unreadable_secret.clone() {
                invalid.push(InvalidConnector { row, error });
                continue;
            }
            match row.config() {
                Ok(config) => out.push((row, config)),
                Err(e) => {
                    worker::console_error!("connector {} is unreadable: {e:?}", row.id);
                    let error = row
                        .refusal()
                        .unwrap_or_else(|| "the stored connector cannot be read".into());
                    invalid.push(InvalidConnector { row, error });
                }
            }
        }
        if !full {
            return Ok((out, invalid));
        }
    }
}

/// A stored connector that no longer passes validation (a rule tightened since it was saved).
#[derive(Debug, Clone)]
pub struct InvalidConnector {
    pub row: ConnectorRow,
    /// Why it does not read back.
    pub error: String,
}

impl InvalidConnector {
    /// Whether the stored JSON, read leniently, has an enabled webhook triggered by `event`
    /// (trigger names match without regard to case, as for valid connectors).
    pub fn triggers_postback(&self, event: &str) -> bool {
        let Ok(raw) = serde_json::from_str::<serde_json::Value>(&self.row.config) else {
            return true;
        };
        let enabled = raw["webhook"]["enabled"].as_bool() != Some(false);
        let triggered = raw["trigger_events"].as_array().is_none_or(|names| {
            names
                .iter()
                .any(|n| n.as_str().is_some_and(|n| n.eq_ignore_ascii_case(event)))
        });
        enabled && triggered
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

/// Makes `secret` the connector's signing secret and increments its secret version; `previous`
/// (the one it replaces) keeps signing every request too until `until`. Both are stored sealed.
pub async fn rotate_secret(
    db: &D1Database,
    id: &ConnectorId,
    secret: &str,
    previous: Option<&str>,
    until: UnixMs,
    now: UnixMs,
) -> Result<bool> {
    let sealed_previous = previous
        .map(|p| super::sealing::seal(p, id.as_str()))
        .transpose()?;
    let changed: Option<OfContainer> = first(
        db,
        "UPDATE connectors SET config = json_set(config, '$.webhook.signing_secret', ?2), \
         previous_secret = ?3, previous_secret_until = ?4, updated_at = ?5, \
         secret_version = secret_version + 1 WHERE id = ?1 RETURNING container_id",
        &[
            text(id.as_str()),
            text(&super::sealing::seal(secret, id.as_str())?),
            super::opt_text(sealed_previous.as_deref()),
            time(until),
            time(now),
        ],
    )
    .await?;
    // The settings cache holds connectors with their secrets: this isolate signs with the new
    // one at once.
    if let Some(row) = &changed {
        super::settings_cache::forget(&row.container_id);
    }
    Ok(changed.is_some())
}

/// The click parameters (lower case, no repeats) of the container's connectors with click-ID
/// matching on, whatever their mode: the names a webhook may send a partner's click id under at
/// the top level (`core::webhook_in::partner_clicks`).
pub async fn click_params(db: &D1Database, container_id: &ContainerId) -> Result<Vec<String>> {
    #[derive(Deserialize)]
    struct Param {
        param: Option<String>,
    }
    let rows: Vec<Param> = all(
        db,
        "SELECT DISTINCT lower(json_extract(config, '$.click_id.param')) AS param \
         FROM connectors WHERE container_id = ?1 \
         AND json_extract(config, '$.click_id.enabled') = 1",
        &[text(container_id.as_str())],
    )
    .await?;
    Ok(rows.into_iter().filter_map(|r| r.param).collect())
}
