//! The `clicks` table: one row per captured click parameter.

use super::identities::{late_matched_in, link_identities, LateMatched};
use super::{all, int, opt_text, statement, text, time};
use crate::core::click_params::identifies_click;
use crate::core::clicks::{CapturedClick, StoredClick};
use crate::core::ids::ContainerId;
use crate::core::matching::LinkRule;
use crate::core::provenance::Provenance;
use crate::core::time::UnixMs;
use crate::error::Result;
use serde::{Deserialize, Serialize};
use worker::{D1Database, D1PreparedStatement};

/// Most click rows looked at for one visitor; the cookie history keeps far fewer.
const MAX_CLICK_ROWS: i64 = 500;

#[derive(Debug, Clone, Deserialize)]
struct ClickRow {
    param: String,
    value: String,
    landing_url: Option<String>,
    created_at: UnixMs,
}

/// One landing's clicks as they travel through the `clicks` queue and into the table: the
/// message body of that queue (JSON), and what [`insert`] stores.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Landing {
    pub container_id: ContainerId,
    pub visitor_id: String,
    pub clicks: Vec<NewClick>,
    /// The landing URL without its fragment.
    pub landing_url: Option<String>,
    /// When the visitor landed, in Unix milliseconds (the rows' `created_at`).
    pub at_ms: i64,
}

/// One click row to write: a captured parameter's lower-case name, its value and its source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewClick {
    pub param: String,
    pub value: String,
    pub source: Option<String>,
}

impl Landing {
    /// The landing of `visitor_id` at `now` with the clicks its cookie plan keeps.
    pub fn new(
        container_id: &ContainerId,
        visitor_id: &str,
        clicks: &[CapturedClick],
        landing_url: Option<&str>,
        now: UnixMs,
    ) -> Self {
        Self {
            container_id: container_id.clone(),
            visitor_id: visitor_id.to_string(),
            clicks: clicks
                .iter()
                .map(|c| NewClick {
                    param: c.param.clone(),
                    value: c.value.as_str().to_string(),
                    source: c.source.clone(),
                })
                .collect(),
            landing_url: landing_url.map(str::to_string),
            at_ms: now.millis(),
        }
    }
}

/// The statements that store one landing's clicks and late-match events that carried one of
/// these click ids before the visitor was known (see [`link_identities`]). Empty without clicks.
pub fn insert_statements(db: &D1Database, landing: &Landing) -> Result<Vec<D1PreparedStatement>> {
    if landing.clicks.is_empty() {
        return Ok(Vec::new());
    }
    let now = UnixMs::from_millis(landing.at_ms);
    let mut statements = Vec::with_capacity(landing.clicks.len() * 3);
    let mut identities = Vec::new();
    for click in &landing.clicks {
        statements.push(statement(
            db,
            "INSERT INTO clicks (container_id, visitor_id, param, value, source, landing_url, created_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            &[
                text(landing.container_id.as_str()),
                text(&landing.visitor_id),
                text(&click.param),
                text(&click.value),
                opt_text(click.source.as_deref()),
                opt_text(landing.landing_url.as_deref()),
                time(now),
            ],
        )?);
        if identifies_click(&click.param) {
            identities.push((format!("click:{}", click.param), click.value.clone()));
        }
    }
    statements.extend(link_identities(
        db,
        &landing.container_id,
        &landing.visitor_id,
        &identities,
        // Only click ids here, which are matched through this table, never linked.
        LinkRule::IfUnclaimed(Provenance::Browser),
        now,
    )?);
    Ok(statements)
}

/// Stores landings' clicks in one D1 round trip and one transaction. Returns the events these
/// clicks matched to their visitor late, to be dispatched again.
pub async fn insert(db: &D1Database, landings: &[Landing]) -> Result<Vec<LateMatched>> {
    let mut statements = Vec::new();
    for landing in landings {
        statements.extend(insert_statements(db, landing)?);
    }
    if statements.is_empty() {
        return Ok(Vec::new());
    }
    let results = super::batch(db, statements, "storing clicks").await?;
    Ok(late_matched_in(&results))
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
