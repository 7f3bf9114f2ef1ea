//! The install check's edge: each real page view of `/collect` notes what it showed (the page's
//! origin, the host it reached, whether cookies could be set; see `core::install_check`). The
//! write happens after the answer (`wait_until`), so a page view still makes no D1 round trip
//! before answering, and at most once a minute per container per isolate unless what it showed
//! changed. A failed write is logged and never fails the page view.

use super::{client, header};
use crate::core::ids::ContainerId;
use crate::core::install_check::{due, page_origin, sighting, Sighting};
use crate::core::time::UnixMs;
use crate::http::request::Request;
use crate::http::router::RouteContext;
use crate::store::install;
use std::cell::RefCell;
use std::collections::HashMap;

/// Containers an isolate remembers the last recorded sighting of; past it the memory is
/// cleared (the cost is one extra write per container).
const MAX_REMEMBERED: usize = 1_000;

thread_local! {
    /// The last sighting this isolate recorded, per container, with when.
    static RECORDED: RefCell<HashMap<String, (Sighting, UnixMs)>> = RefCell::new(HashMap::new());
}

/// Notes a page view of `container_id` whose page URL is `page_url`: records it after the
/// answer when [`due`]. Never fails.
pub fn note(
    ctx: &RouteContext,
    req: &Request,
    container_id: &ContainerId,
    cookie_domain: &str,
    page_url: &str,
    now: UnixMs,
) {
    let origin = page_origin(
        header(req, "origin").as_deref(),
        header(req, "referer").as_deref(),
        page_url,
    );
    let host = client(req, &ctx.config).host;
    let prefix = &ctx.config.same_origin_path;
    let through_prefix = req.path().starts_with(&format!("{prefix}/"));
    let Some(seen) = sighting(
        cookie_domain,
        origin,
        &host,
        through_prefix.then_some(prefix.as_str()),
    ) else {
        return;
    };
    let key = container_id.as_str().to_string();
    let is_due = RECORDED.with(|r| due(r.borrow().get(&key).map(|(s, at)| (s, *at)), &seen, now));
    if !is_due {
        return;
    }
    RECORDED.with(|r| {
        let mut recorded = r.borrow_mut();
        if recorded.len() >= MAX_REMEMBERED {
            recorded.clear();
        }
        recorded.insert(key.clone(), (seen.clone(), now));
    });
    let db = match ctx.db() {
        Ok(db) => db,
        Err(e) => return worker::console_error!("install check of {key}: {e}"),
    };
    let (id, domain) = (container_id.clone(), cookie_domain.to_string());
    ctx.ctx.wait_until(async move {
        if let Err(e) = install::record(&db, &id, &seen, &domain, now).await {
            // Forget it, so the next page view tries again.
            RECORDED.with(|r| r.borrow_mut().remove(id.as_str()));
            worker::console_error!("recording the install check of {id}: {e}");
        }
    });
}
