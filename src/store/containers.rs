//! The `containers` table.

use super::{first, flag, run, text, time};
use crate::core::container::ContainerSettings;
use crate::core::ids::ContainerId;
use crate::core::retention::Retention;
use crate::core::time::UnixMs;
use crate::core::time_zone::TimeZone;
use crate::error::{Error, Result};
use serde::Deserialize;
use wasm_bindgen::JsValue;
use worker::D1Database;

#[derive(Debug, Clone, Deserialize)]
pub struct ContainerRow {
    pub id: ContainerId,
    pub name: String,
    pub cookie_domain: String,
    pub allowed_origins: String,
    pub redirect_domains: String,
    pub require_consent: i64,
    pub compat_cookies: i64,
    /// The retention the container set, as JSON (see `core::retention`).
    #[serde(default = "no_retention")]
    pub retention: String,
    /// Days until a received conversion is approved; NULL: never.
    #[serde(default)]
    pub lock_period_days: Option<i64>,
    /// The IANA time zone its days are counted in (set through `TimeZone::parse`).
    #[serde(default = "utc")]
    pub time_zone: String,
    pub created_at: UnixMs,
    pub updated_at: UnixMs,
    /// The longest `click_id.window_days` of its connectors ([`LONGEST_WINDOW_DAYS`]).
    #[serde(default)]
    pub longest_window_days: Option<f64>,
}

/// The longest `click_id.window_days` among the connectors of the container `c` (NULL without
/// any): click retention is never shorter. One expression for every query that needs it.
pub(super) const LONGEST_WINDOW_DAYS: &str =
    "(SELECT MAX(CAST(json_extract(k.config, '$.click_id.window_days') AS REAL)) \
     FROM connectors k WHERE k.container_id = c.id)";

impl ContainerRow {
    /// Whole days of [`ContainerRow::longest_window_days`] (0 without connectors).
    pub fn longest_window(&self) -> u32 {
        self.longest_window_days
            .unwrap_or(0.0)
            .clamp(0.0, f64::from(u32::MAX)) as u32
    }

    pub fn settings(&self) -> ContainerSettings {
        ContainerSettings {
            name: self.name.clone(),
            cookie_domain: self.cookie_domain.clone(),
            allowed_origins: serde_json::from_str(&self.allowed_origins).unwrap_or_default(),
            redirect_domains: serde_json::from_str(&self.redirect_domains).unwrap_or_default(),
            require_consent: self.require_consent != 0,
            compat_cookies: self.compat_cookies != 0,
            retention_days: self.retention(),
            lock_period_days: self.lock_period_days.and_then(|d| u16::try_from(d).ok()),
            time_zone: TimeZone::stored(&self.time_zone),
        }
    }

    /// The stored retention; a row that does not read back keeps the defaults (purging more
    /// than the container asked for would lose data).
    pub fn retention(&self) -> Retention {
        serde_json::from_str::<serde_json::Value>(&self.retention)
            .ok()
            .and_then(|v| Retention::parse(Some(&v)).ok())
            .unwrap_or_default()
    }
}

fn utc() -> String {
    crate::core::time_zone::DEFAULT_TIME_ZONE.to_string()
}

fn no_retention() -> String {
    "{}".to_string()
}

/// `?1`…`?11` of both writes: id, the settings (lists as JSON), the time, the retention, the
/// lock period and the time zone.
fn bindings(id: &ContainerId, c: &ContainerSettings, now: UnixMs) -> [JsValue; 11] {
    let list = |l: &[String]| serde_json::to_string(l).unwrap_or_else(|_| "[]".into());
    [
        text(id.as_str()),
        text(&c.name),
        text(&c.cookie_domain),
        text(&list(&c.allowed_origins)),
        text(&list(&c.redirect_domains)),
        flag(c.require_consent),
        flag(c.compat_cookies),
        time(now),
        text(&c.retention_days.to_stored().to_string()),
        c.lock_period_days
            .map_or(JsValue::NULL, |d| JsValue::from_f64(f64::from(d))),
        text(c.time_zone.as_str()),
    ]
}

pub async fn insert(
    db: &D1Database,
    id: &ContainerId,
    c: &ContainerSettings,
    now: UnixMs,
) -> Result<()> {
    run(
        db,
        "INSERT INTO containers (id, name, cookie_domain, allowed_origins, redirect_domains, \
         require_consent, compat_cookies, created_at, updated_at, retention, lock_period_days, time_zone) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, ?9, ?10, ?11)",
        &bindings(id, c, now),
    )
    .await?;
    super::settings_cache::forget(id);
    Ok(())
}

pub async fn get(db: &D1Database, id: &ContainerId) -> Result<Option<ContainerRow>> {
    first(
        db,
        &format!("SELECT c.*, {LONGEST_WINDOW_DAYS} AS longest_window_days FROM containers c WHERE c.id = ?1"),
        &[text(id.as_str())],
    )
    .await
}

/// The container `id`, or [`Error::NotFound`] ("no such container").
pub async fn find(db: &D1Database, id: &ContainerId) -> Result<ContainerRow> {
    get(db, id)
        .await?
        .ok_or_else(|| Error::not_found("container"))
}

pub async fn update(
    db: &D1Database,
    id: &ContainerId,
    c: &ContainerSettings,
    now: UnixMs,
) -> Result<()> {
    run(
        db,
        "UPDATE containers SET name = ?2, cookie_domain = ?3, allowed_origins = ?4, redirect_domains = ?5, \
         require_consent = ?6, compat_cookies = ?7, updated_at = ?8, retention = ?9, \
         lock_period_days = ?10, time_zone = ?11 WHERE id = ?1",
        &bindings(id, c, now),
    )
    .await?;
    super::settings_cache::forget(id);
    Ok(())
}

pub async fn list(db: &D1Database, limit: u32) -> Result<Vec<ContainerRow>> {
    super::all(
        db,
        &format!(
            "SELECT c.*, {LONGEST_WINDOW_DAYS} AS longest_window_days FROM containers c \
             ORDER BY c.created_at DESC, c.id DESC LIMIT ?1"
        ),
        &[super::int(i64::from(limit))],
    )
    .await
}
