//! The `clicks` table: one row per captured click parameter.

use super::identities::link_identities;
use super::{all, int, opt_text, statement, text, time};
use crate::core::click_params::identifies_click;
use crate::core::clicks::{CapturedClick, StoredClick};
use crate::core::ids::ContainerId;
use crate::core::matching::LinkRule;
use crate::core::provenance::Provenance;
use crate::core::time::UnixMs;
use crate::error::{Error, Result};
use serde::Deserialize;
use worker::D1Database;

/// Most click rows looked at for one visitor; the cookie history keeps far fewer.
const MAX_CLICK_ROWS: i64 = 500;

#[derive(Debug, Clone, Deserialize)]
struct ClickRow {
    param: String,
    value: String,
    landing_url: Option<String>,
    created_at: UnixMs,
}

/// Stores the clicks of one landing in one transaction, and late-matches events that carried
/// one of these click ids before the visitor was known.
pub async fn insert(
    db: &D1Database,
    container_id: &ContainerId,
    visitor_id: &str,
    clicks: &[CapturedClick],
    landing_url: Option<&str>,
    now: UnixMs,
) -> Result<()> {
    if clicks.is_empty() {
        return Ok(());
    }
    let mut statements = Vec::with_capacity(clicks.len() * 3);
    let mut identities = Vec::new();
    for click in clicks {
        statements.push(statement(
            db,
            "INSERT INTO clicks (container_id, visitor_id, param, value, source, landing_url, created_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            &[
                text(container_id.as_str()),
                text(visitor_id),
                text(&click.param),
                text(click.value.as_str()),
                opt_text(click.source.as_deref()),
                opt_text(landing_url),
                time(now),
            ],
        )?);
        if identifies_click(&click.param) {
            identities.push((
                format!("click:{}", click.param),
                click.value.as_str().to_string(),
            ));
        }
    }
    statements.extend(link_identities(
        db,
        container_id,
        visitor_id,
        &identities,
        // Only click ids here, which are matched through this table, never linked.
        LinkRule::IfUnclaimed(Provenance::Browser),
        now,
    )?);
    db.batch(statements)
        .await
        .map_err(|e| Error::internal("storing clicks", e))?;
    Ok(())
}

/// A visitor's clicks captured since `since_ms`, newest first (bounded).
pub async fn history(
    db: &D1Database,
    container_id: &ContainerId,
    visitor_id: &str,
    since: UnixMs,
) -> Result<Vec<StoredClick>> {
    let rows: Vec<ClickRow> = all(
        db,
        "SELECT param, value, landing_url, created_at FROM clicks \
         WHERE container_id = ?1 AND visitor_id = ?2 AND created_at >= ?3 \
         ORDER BY created_at DESC, id DESC LIMIT ?4",
        &[
            text(container_id.as_str()),
            text(visitor_id),
            time(since),
            int(MAX_CLICK_ROWS),
        ],
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| StoredClick {
            param: r.param,
            value: r.value,
            landing_url: r.landing_url,
            at_ms: r.created_at.millis(),
        })
        .collect())
}
