//! The isolate's cache of what the browser surface reads on every request: a container's
//! settings and its connectors' click parameters ([`TrackingContainer`]). A plain page view then
//! makes no D1 call. Entries live for the `SETTINGS_CACHE_TTL_S` setting (default 30 s), so an
//! admin change reaches every isolate within it; every write to a container or its connectors
//! drops it from this isolate's cache, so the isolate that made the change sees it at once.
//!
//! Only known containers are kept: an unknown id is read from D1 each time, so a container
//! created in another isolate answers as soon as it exists.

use super::tracking::{self, TrackingContainer};
use crate::core::ids::ContainerId;
use crate::core::time::UnixMs;
use crate::error::Result;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use worker::D1Database;

/// Most containers one isolate keeps; past it the cache starts over (a flood of distinct ids
/// cannot grow an isolate's memory).
const MAX_ENTRIES: usize = 1024;

struct Entry {
    expires: UnixMs,
    container: Rc<TrackingContainer>,
}

thread_local! {
    static CACHE: RefCell<HashMap<String, Entry>> = RefCell::new(HashMap::new());
}

/// The container `id` as the browser surface needs it, from the cache while fresh (`ttl_s`
/// seconds after it was read at `now`), else from D1. `None` if the container does not exist.
pub async fn tracking_container(
    db: &D1Database,
    id: &ContainerId,
    ttl_s: u32,
    now: UnixMs,
) -> Result<Option<Rc<TrackingContainer>>> {
    let fresh = cached(id, now);
    if fresh.is_some() {
        return Ok(fresh);
    }
    let Some(container) = tracking::get(db, id).await?.map(Rc::new) else {
        return Ok(None);
    };
    if ttl_s > 0 {
        let expires = UnixMs::from_millis(now.millis().saturating_add(i64::from(ttl_s) * 1000));
        CACHE.with(|cache| {
            let mut cache = cache.borrow_mut();
            if cache.len() >= MAX_ENTRIES {
                cache.clear();
            }
            cache.insert(
                id.as_str().to_string(),
                Entry {
                    expires,
                    container: Rc::clone(&container),
                },
            );
        });
    }
    Ok(Some(container))
}

/// The container `id` from this isolate's cache, if it is there and fresh at `now`. Lets a
/// caller skip even opening the database (a call into the runtime) on a hit.
pub fn cached(id: &ContainerId, now: UnixMs) -> Option<Rc<TrackingContainer>> {
    CACHE.with(|cache| {
        cache
            .borrow()
            .get(id.as_str())
            .filter(|entry| entry.expires > now)
            .map(|entry| Rc::clone(&entry.container))
    })
}

/// Forgets the cached container `id`: called by each write to it or to its connectors.
pub fn forget(id: &ContainerId) {
    CACHE.with(|cache| cache.borrow_mut().remove(id.as_str()));
}

thread_local! {
    static KEY_OWNERS: RefCell<HashMap<String, ContainerId>> = RefCell::new(HashMap::new());
}

/// The container of the API key with this hash, as this isolate last verified it. A key never
/// moves to another container, so the entry needs no lifetime: it only lets a webhook read its
/// container's data in the same round trip as the key check. The key itself (revoked or not, its
/// rate limit) is still checked in D1 on every request, so a revocation takes effect at once.
pub fn key_owner(key_hash: &str) -> Option<ContainerId> {
    KEY_OWNERS.with(|owners| owners.borrow().get(key_hash).cloned())
}

/// Remembers the container a verified key belongs to (bounded like the settings cache).
pub fn remember_key_owner(key_hash: String, container_id: &ContainerId) {
    KEY_OWNERS.with(|owners| {
        let mut owners = owners.borrow_mut();
        if owners.len() >= MAX_ENTRIES && !owners.contains_key(&key_hash) {
            owners.clear();
        }
        owners.insert(key_hash, container_id.clone());
    });
}
