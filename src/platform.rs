//! What the Workers runtime gives every layer: the D1 binding, the clock and randomness. Request
//! handlers, the queue consumers and the cron sweep all reach the runtime through here, so none
//! of them depends on another surface for it.

use crate::config::DB;
use crate::core::ids::{PrefixedId, ID_RANDOM_BYTES};
use crate::core::time::UnixMs;
use crate::error::{Error, Result};
use worker::{D1Database, Env};

/// The D1 database (binding [`DB`]).
pub fn d1(env: &Env) -> Result<D1Database> {
    env.d1(DB)
        .map_err(|e| Error::internal("opening the D1 binding", e))
}

/// Now, from the runtime's clock. (Inside a request, Workers advances it only on I/O.)
pub fn now() -> UnixMs {
    UnixMs::from_millis(worker::Date::now().as_millis() as i64)
}

/// `N` bytes from the runtime's cryptographically secure generator.
pub fn random<const N: usize>() -> Result<[u8; N]> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(|e| Error::internal("drawing random bytes", e))?;
    Ok(bytes)
}

/// A new random id of kind `T`, e.g. `platform::new_id::<DeliveryId>()`.
pub fn new_id<T: PrefixedId>() -> Result<T> {
    Ok(T::generate(random::<ID_RANDOM_BYTES>()?))
}
