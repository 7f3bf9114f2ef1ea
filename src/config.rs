//! Binding names and typed settings read from the worker's environment.

use worker::Env;

/// The D1 database binding.
pub const DB: &str = "DB";
/// The postbacks queue producer binding.
pub const POSTBACKS_QUEUE: &str = "POSTBACKS";

/// Secrets and tunables, read once per request from `Env`.
pub struct Config {
    /// Bearer token for `/admin/api/*` (secret `ADMIN_TOKEN`). Without it, the admin API refuses
    /// every request rather than running open.
    pub admin_token: Option<String>,
    /// Key for signed pixel tokens (secret `SIGNING_KEY`).
    pub signing_key: Option<String>,
}

impl Config {
    pub fn from_env(env: &Env) -> Self {
        Self {
            admin_token: secret(env, "ADMIN_TOKEN"),
            signing_key: secret(env, "SIGNING_KEY"),
        }
    }
}

/// A secret or plain var; empty counts as unset.
fn secret(env: &Env, name: &str) -> Option<String> {
    let value = env
        .secret(name)
        .map(|s| s.to_string())
        .or_else(|_| env.var(name).map(|v| v.to_string()))
        .ok()?;
    (!value.trim().is_empty()).then_some(value)
}
