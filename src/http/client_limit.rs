//! The edge half of the abuse limits ([`crate::core::client_limit`]): counting a request against
//! its surface's Rate Limiting binding. Over the limit is [`Error::RateLimited`] (429 with
//! `Retry-After: 60`). Without the binding (a deployment that removed it) there is no limit, and
//! a binding that fails lets the request through: the limit guards against floods and must never
//! take the surface down.

use crate::core::client_limit::{limit_key, Surface, PERIOD_S};
use crate::error::{Error, Result};
use std::cell::RefCell;
use worker::Env;

thread_local! {
    /// The Rate Limiting bindings this isolate found missing.
    static ABSENT: RefCell<Vec<&'static str>> = const { RefCell::new(Vec::new()) };
}

/// Counts a request against `surface`'s limit for `container` and the client's address `ip`
/// (the browser's own address: behind a trusted same-origin proxy, the one it forwarded, or
/// every visitor of the site would share the proxy's limit).
pub async fn check(
    env: &Env,
    ip: Option<&str>,
    surface: Surface,
    container: Option<&str>,
) -> Result<()> {
    let binding = surface.binding();
    if ABSENT.with(|absent| absent.borrow().contains(&binding)) {
        return Ok(());
    }
    let Ok(limiter) = env.rate_limiter(binding) else {
        // An isolate runs one deployment, whose bindings never change: remember, rather than
        // ask the runtime (and build an error) on every page view.
        ABSENT.with(|absent| absent.borrow_mut().push(binding));
        return Ok(());
    };
    let key = limit_key(surface, container, ip);
    match limiter.limit(key).await {
        Ok(outcome) if !outcome.success => Err(Error::rate_limited(PERIOD_S)),
        Ok(_) => Ok(()),
        Err(e) => {
            worker::console_error!(
                "rate limit {}: {e}; letting the request through",
                surface.binding()
            );
            Ok(())
        }
    }
}
