//! The install check's edge: each real page view of `/collect` notes what it showed (the page's
//! origin, the host it reached, whether cookies could be set; see `core::install_check`). The
//! write happens after the answer (`wait_until`), so a page view still makes no D1 round trip
//! before answering, and at most once a minute per container per isolate unless what it showed
//! changed. A failed write is logged and never fails the page view.
//!
//! A page view that repeats the last recorded one's `Origin`, host and cookie domain within the
//! minute is not worked out again: the sighting is a function of those alone (when the `Origin`
//! gave the page's origin), so it would be the same, and not due. Working it out parses URLs and
//! looks both hosts up in the Public Suffix List, on every page view of every site.

use super::header;
use crate::core::ids::ContainerId;
use crate::core::install_check::RECORD_INTERVAL_MS;
use crate::core::install_check::{due, origin_of, page_origin, sighting, Sighting};
use crate::core::time::UnixMs;
use crate::http::request::Request;
use crate::http::router::RouteContext;
use crate::store::install;
use std::cell::RefCell;
use std::collections::HashMap;

/// Containers an isolate remembers the last recorded sighting of; past it the memory is
/// cleared (the cost is one extra write per container).
const MAX_REMEMBERED: usize = 1_000;

/// What a page view showed that decides its sighting when its `Origin` gives the page's origin.
#[derive(PartialEq, Eq)]
struct Inputs {
    origin: String,
    host: String,
    through_prefix: bool,
    cookie_domain: String,
}

/// The last sighting recorded for a container, when, and the inputs it came from (`None` when
/// the page's origin came from the `Referer` or the page URL, which vary page to page).
struct Recorded {
    seen: Sighting,
    at: UnixMs,
    inputs: Option<Inputs>,
}

thread_local! {
    /// The last sighting this isolate recorded, per container.
    static RECORDED: RefCell<HashMap<String, Recorded>> = RefCell::new(HashMap::new());
}

/// One page view as the install check reads it.
pub struct PageView<'a> {
    pub container_id: &'a ContainerId,
    pub cookie_domain: &'a str,
    /// The page URL `t.js` reported.
    pub page_url: &'a str,
    /// The host the browser asked for ([`super::Client::host`]).
    pub host: &'a str,
    /// The request's `Origin` header.
    pub origin: Option<&'a str>,
}

/// Notes `view`, seen at `now`: records it after the answer when [`due`]. Never fails.
pub fn note(ctx: &RouteContext, req: &Request, view: PageView<'_>, now: UnixMs) {
    let prefix = &ctx.config.same_origin_path;
    let through_prefix = req
        .path()
        .strip_prefix(prefix.as_str())
        .is_some_and(|rest| rest.starts_with('/'));
    let key = view.container_id.as_str();
    let repeated = RECORDED.with(|r| {
        r.borrow().get(key).is_some_and(|last| {
            now.millis().saturating_sub(last.at.millis()) < RECORD_INTERVAL_MS
                && last.inputs.as_ref().is_some_and(|inputs| {
                    Some(inputs.origin.as_str()) == view.origin
                        && inputs.host == view.host
                        && inputs.through_prefix == through_prefix
                        && inputs.cookie_domain == view.cookie_domain
                })
        })
    });
    if repeated {
        return;
    }
    // `page_origin`'s order, with the `Referer` read only when the `Origin` gives nothing.
    let from_origin = view.origin.and_then(origin_of);
    let inputs = from_origin.is_some().then(|| Inputs {
        origin: view.origin.unwrap_or_default().to_string(),
        host: view.host.to_string(),
        through_prefix,
        cookie_domain: view.cookie_domain.to_string(),
    });
    let origin =
        from_origin.or_else(|| page_origin(None, header(req, "referer").as_deref(), view.page_url));
    let Some(seen) = sighting(
        view.cookie_domain,
        origin,
        view.host,
        through_prefix.then_some(prefix.as_str()),
    ) else {
        return;
    };
    let is_due = RECORDED.with(|r| due(r.borrow().get(key).map(|l| (&l.seen, l.at)), &seen, now));
    if !is_due {
        return;
    }
    RECORDED.with(|r| {
        let mut recorded = r.borrow_mut();
        if recorded.len() >= MAX_REMEMBERED {
            recorded.clear();
        }
        let last = Recorded {
            seen: seen.clone(),
            at: now,
            inputs,
        };
        recorded.insert(key.to_string(), last);
    });
    let db = match ctx.db() {
        Ok(db) => db,
        Err(e) => return worker::console_error!("install check of {key}: {e}"),
    };
    let (id, domain) = (view.container_id.clone(), view.cookie_domain.to_string());
    ctx.ctx.wait_until(async move {
        if let Err(e) = install::record(&db, &id, &seen, &domain, now).await {
            // Forget it, so the next page view tries again.
            RECORDED.with(|r| r.borrow_mut().remove(id.as_str()));
            worker::console_error!("recording the install check of {id}: {e}");
        }
    });
}
