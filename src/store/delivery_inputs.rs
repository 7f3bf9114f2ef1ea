//! What dispatching an event reads: the stored event and the visitor's click history. Read-only
//! views of the `events` and `clicks` tables, which their own surfaces write.

use super::{all, first, int, run, text};
use crate::core::event_params::StoredClick;
use crate::http::error::ApiResult;
use serde::Deserialize;
use worker::D1Database;

/// Most click rows looked at for one visitor; the cookie history keeps far fewer.
const MAX_CLICK_ROWS: u32 = 500;

#[derive(Debug, Clone, Deserialize)]
pub struct EventRow {
    pub id: String,
    pub container_id: String,
    pub event_id: String,
    pub name: String,
    pub visitor_id: Option<String>,
    pub consent_advertising: i64,
    pub payload: String,
    pub created_at: i64,
}

pub async fn event(db: &D1Database, container_id: &str, id: &str) -> ApiResult<Option<EventRow>> {
    first(
        db,
        "SELECT id, container_id, event_id, name, visitor_id, consent_advertising, payload, created_at \
         FROM events WHERE id = ?1 AND container_id = ?2",
        &[text(id), text(container_id)],
    )
    .await
}

#[derive(Debug, Clone, Deserialize)]
struct ClickRow {
    param: String,
    value: String,
    landing_url: Option<String>,
    created_at: i64,
}

/// The visitor's clicks captured since `since_ms`, newest first.
pub async fn clicks(
    db: &D1Database,
    container_id: &str,
    visitor_id: &str,
    since_ms: i64,
) -> ApiResult<Vec<StoredClick>> {
    let rows: Vec<ClickRow> = all(
        db,
        "SELECT param, value, landing_url, created_at FROM clicks \
         WHERE container_id = ?1 AND visitor_id = ?2 AND created_at >= ?3 \
         ORDER BY created_at DESC, id DESC LIMIT ?4",
        &[
            text(container_id),
            text(visitor_id),
            int(since_ms),
            int(i64::from(MAX_CLICK_ROWS)),
        ],
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| StoredClick {
            param: r.param,
            value: r.value,
            landing_url: r.landing_url,
            at_ms: r.created_at,
        })
        .collect())
}

/// Delete webhook activity received before `cutoff`, at most `limit` rows.
pub async fn purge_webhook_requests(db: &D1Database, cutoff: i64, limit: u32) -> ApiResult<usize> {
    run(
        db,
        "DELETE FROM webhook_requests WHERE id IN \
         (SELECT id FROM webhook_requests WHERE received_at < ?1 ORDER BY received_at LIMIT ?2)",
        &[int(cutoff), int(i64::from(limit))],
    )
    .await
}
