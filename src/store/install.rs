//! The `install_checks` table: the last page view each container saw (see
//! `core::install_check`), one row per container, overwritten.

use super::{first, opt_text, run, text, time};
use crate::core::ids::ContainerId;
use crate::core::install_check::{CookieVerdict, Sighting};
use crate::core::time::UnixMs;
use crate::error::Result;
use serde::Deserialize;
use worker::D1Database;

/// The stored last page view.
#[derive(Debug, Clone)]
pub struct LastPageView {
    pub seen_at: UnixMs,
    pub sighting: Sighting,
    /// The container's cookie domain when the page view was seen.
    pub cookie_domain: String,
}

#[derive(Deserialize)]
struct Row {
    seen_at: i64,
    page_origin: Option<String>,
    host: String,
    cookie_domain: String,
    cookie_verdict: String,
}

/// Records `seen` as the container's last page view (one upsert, one round trip).
pub async fn record(
    db: &D1Database,
    container_id: &ContainerId,
    seen: &Sighting,
    cookie_domain: &str,
    now: UnixMs,
) -> Result<()> {
    run(
        db,
        "INSERT INTO install_checks (container_id, seen_at, page_origin, host, cookie_domain, \
         cookie_verdict) VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (container_id) DO UPDATE SET \
         seen_at = excluded.seen_at, page_origin = excluded.page_origin, host = excluded.host, \
         cookie_domain = excluded.cookie_domain, cookie_verdict = excluded.cookie_verdict \
         WHERE excluded.seen_at >= install_checks.seen_at",
        &[
            text(container_id.as_str()),
            time(now),
            opt_text(seen.page_origin.as_deref()),
            text(&seen.host),
            text(cookie_domain),
            text(seen.verdict.code()),
        ],
    )
    .await?;
    Ok(())
}

/// The container's last page view, or `None` when it has never seen one. A row whose verdict
/// word is unknown (written by a newer version) reads as an unknown page.
pub async fn last(db: &D1Database, container_id: &ContainerId) -> Result<Option<LastPageView>> {
    let row: Option<Row> = first(
        db,
        "SELECT seen_at, page_origin, host, cookie_domain, cookie_verdict FROM install_checks \
         WHERE container_id = ?1",
        &[text(container_id.as_str())],
    )
    .await?;
    Ok(row.map(|r| LastPageView {
        seen_at: UnixMs::from_millis(r.seen_at),
        cookie_domain: r.cookie_domain,
        sighting: Sighting {
            page_origin: r.page_origin,
            host: r.host,
            verdict: CookieVerdict::parse(&r.cookie_verdict).unwrap_or(CookieVerdict::UnknownPage),
        },
    }))
}
