//! The edge half of the abuse limits ([`crate::core::client_limit`]): counting a request against
//! its surface's Rate Limiting binding. Over the limit is [`Error::RateLimited`] (429 with
//! `Retry-After: 60`). Without the binding (a deployment that removed it) there is no limit, and
//! a binding that fails lets the request through: the limit guards against floods and must never
//! take the surface down.

use crate::core::client_limit::{limit_key, Surface, PERIOD_S};
use crate::error::{Error, Result};
use worker::{Env, Request};

/// Counts `req` against `surface`'s limit for `container` and the client's address.
pub async fn check(
    env: &Env,
    req: &Request,
    surface: Surface,
    container: Option<&str>,
) -> Result<()> {
    let Ok(limiter) = env.rate_limiter(surface.binding()) else {
        return Ok(());
    };
    let ip = req.headers().get("cf-connecting-ip").ok().flatten();
    let key = limit_key(surface, container, ip.as_deref());
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
