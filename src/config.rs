//! Binding names and typed settings read from the worker's environment.

use crate::core::install::{parse_same_origin_path, DEFAULT_SAME_ORIGIN_PATH};
use crate::core::postback::RetrySchedule;
use crate::core::signing_keys::SigningKeys;
use std::cell::OnceCell;
use std::rc::Rc;
use worker::Env;

/// The D1 database binding.
pub const DB: &str = "DB";
/// The postbacks queue producer binding.
pub const POSTBACKS_QUEUE: &str = "POSTBACKS";

/// Secrets and tunables, read from `Env` once per isolate ([`Config::of`]).
pub struct Config {
    /// Bearer token for `/admin/api/*` (secret `ADMIN_TOKEN`). Without it, the admin API refuses
    /// every request rather than running open.
    pub admin_token: Option<String>,
    /// The keys visitor cookies and pixel tokens are signed with: secret `SIGNING_KEY` signs,
    /// and the earlier keys in `SIGNING_KEY_PREVIOUS` (separated by commas or whitespace) still
    /// verify during a rotation (see [`crate::core::signing_keys`]). `None` without
    /// `SIGNING_KEY`: then no visitor cookie is set and no sandboxed pixel is served.
    pub signing_keys: Option<SigningKeys>,
    /// `SAME_ORIGIN_PATH`: the path prefix under which every browser route also answers, for
    /// same-origin mode on the site's own host (`shop.com/_pc/t.js`). Default `/_pc`; a
    /// malformed value is logged and the default used.
    pub same_origin_path: String,
    /// `PROXY_SECRET` (a secret): a reverse proxy that forwards the same-origin prefix to the
    /// worker sends it in `X-Postclick-Proxy-Secret`; only then are its `X-Forwarded-Host` and
    /// `X-Forwarded-For` trusted as the site's host and the client's address. Unset: never.
    pub proxy_secret: Option<String>,
    /// `SERVER_TIMING`: `true` adds a `Server-Timing` header to every answer with the D1 round
    /// trips and queue sends the request made and its total time (`d1;desc="1",
    /// queue;desc="0", total;dur=3.0`, see `crate::metering`). On in `make dev` and the tests,
    /// off by default: it tells anyone how much work a request caused.
    pub server_timing: bool,
    /// `SETTINGS_CACHE_TTL_S`: how long, in seconds, an isolate keeps a container's settings
    /// and its connectors' click parameters before reading them from D1 again (0 to 3600,
    /// default 30). An admin change reaches every location within it; the isolate that made the
    /// change sees it at once.
    pub settings_cache_ttl_s: u32,
    /// `SERVER_EVENT_DISPATCH_DELAY_S`: how long, in seconds, a webhook's event waits after the
    /// answer before its connectors are dispatched (0 to 20, default 2; `wait_until` work must
    /// end within 30 s of the answer). A click the visitor's browser sent a moment before the
    /// site's server sent the conversion is then in D1 (the clicks queue stores it about a second
    /// after the landing), so the postback is decided with it. A click later than that still
    /// reaches the event: its late match dispatches the event again. An isolate that goes away
    /// during the wait leaves the event undispatched for the cron sweep.
    pub server_event_dispatch_delay_s: u32,
}

impl Config {
    /// This isolate's settings, read from `env` on its first request and kept. A worker's vars
    /// and secrets cannot change under a running isolate: changing one deploys a new version,
    /// which runs in new isolates (Cloudflare, "Environment variables" and "Secrets"). Reading
    /// them per request cost about 5% of a page view's CPU (nine binding lookups across the
    /// JS boundary and two SHA-256 of the signing keys).
    pub fn of(env: &Env) -> Rc<Config> {
        thread_local! {
            static CONFIG: OnceCell<Rc<Config>> = const { OnceCell::new() };
        }
        CONFIG.with(|cell| cell.get_or_init(|| Rc::new(Config::from_env(env))).clone())
    }

    /// The settings as `env` holds them now; see [`Config::of`] for the isolate's copy.
    pub fn from_env(env: &Env) -> Self {
        let path = secret(env, "SAME_ORIGIN_PATH");
        let same_origin_path = match path.as_deref().map(parse_same_origin_path) {
            None => DEFAULT_SAME_ORIGIN_PATH.to_string(),
            Some(Some(path)) => path,
            Some(None) => {
                worker::console_error!(
                    "SAME_ORIGIN_PATH {path:?} is not a path such as /_pc; using the default"
                );
                DEFAULT_SAME_ORIGIN_PATH.to_string()
            }
        };
        Self {
            admin_token: secret(env, "ADMIN_TOKEN"),
            signing_keys: signing_keys(env),
            same_origin_path,
            proxy_secret: secret(env, "PROXY_SECRET"),
            server_timing: secret(env, "SERVER_TIMING")
                .is_some_and(|v| matches!(v.trim(), "true" | "1" | "yes")),
            settings_cache_ttl_s: seconds(
                env,
                "SETTINGS_CACHE_TTL_S",
                DEFAULT_SETTINGS_CACHE_TTL_S,
                3600,
            ),
            server_event_dispatch_delay_s: seconds(
                env,
                "SERVER_EVENT_DISPATCH_DELAY_S",
                DEFAULT_SERVER_EVENT_DISPATCH_DELAY_S,
                20,
            ),
        }
    }
}

/// The worker's signing keys from the secrets `SIGNING_KEY` and `SIGNING_KEY_PREVIOUS`; `None`
/// without `SIGNING_KEY`.
fn signing_keys(env: &Env) -> Option<SigningKeys> {
    let previous = secret(env, "SIGNING_KEY_PREVIOUS");
    secret(env, "SIGNING_KEY").and_then(|key| SigningKeys::new(&key, previous.as_deref()))
}

/// Default of [`Config::settings_cache_ttl_s`].
pub const DEFAULT_SETTINGS_CACHE_TTL_S: u32 = 30;

/// Default of [`Config::server_event_dispatch_delay_s`].
pub const DEFAULT_SERVER_EVENT_DISPATCH_DELAY_S: u32 = 2;

/// The setting `name` read as whole seconds from 0 to `max`; unset is `default`, and a
/// malformed value is logged and the default used.
fn seconds(env: &Env, name: &str, default: u32, max: u32) -> u32 {
    seconds_from(name, secret(env, name), default, max)
}

fn seconds_from(name: &str, raw: Option<String>, default: u32, max: u32) -> u32 {
    match raw.as_deref().map(|r| r.trim().parse::<u32>()) {
        None => default,
        Some(Ok(s)) if s <= max => s,
        Some(_) => {
            worker::console_error!(
                "{name} {raw:?} is not a whole number from 0 to {max}; using {default}"
            );
            default
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

/// The dead-letter queue producer binding: a delivery that is given up is handed to it.
pub const POSTBACKS_DLQ: &str = "POSTBACKS_DLQ";
/// The queue names of wrangler.toml: one queue handler consumes both, told apart by name.
pub const POSTBACKS_QUEUE_NAME: &str = "postclick-postbacks";
pub const POSTBACKS_DLQ_NAME: &str = "postclick-postbacks-dlq";
/// The clicks queue producer binding: `/collect` and `/c` send each landing's clicks here.
pub const CLICKS_QUEUE: &str = "CLICKS";
/// Its queue name in wrangler.toml; its dead letters go to `postclick-clicks-dlq`, which this
/// worker does not consume (they wait there for an operator, see the README).
pub const CLICKS_QUEUE_NAME: &str = "postclick-clicks";

/// Tunables of outbound delivery, read from vars. A malformed value is logged and the default
/// used: refusing to deliver over a typo would lose postbacks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryConfig {
    /// `RETRY_SCHEDULE`: the delays between attempts, e.g. `10s,1m,5m,30m,2h,6h,12h` (the
    /// default), each jittered ±20%; a delivery gets one attempt more than there are delays.
    pub retry_schedule: RetrySchedule,
    /// `ALLOW_PRIVATE_TARGETS`: `true` lets postbacks reach loopback and private addresses, as
    /// local development and tests need. Default `false`.
    pub allow_private_targets: bool,
    /// `DELIVERY_TIMEOUT_S`: how long one attempt waits for the partner's answer, 1 to 60 s.
    /// Default 15.
    pub timeout_s: u32,
    /// `LOG_RETENTION_DAYS`: the default retention, 1 to 3650 days, of a container's webhook
    /// log (finished deliveries and their attempts) and webhook activity, for containers that
    /// set none (`retention_days`, see `core::retention`). Default 30.
    pub log_retention_days: u32,
    /// `STUCK_AFTER_S`: a pending delivery whose attempt is this overdue is re-queued by the
    /// sweep (its message never reached the queue, or was lost). Default 300; never less than
    /// twice the timeout, so an attempt still in flight is not taken for stuck.
    pub stuck_after_s: u32,
}

impl Default for DeliveryConfig {
    fn default() -> Self {
        Self {
            retry_schedule: RetrySchedule::default(),
            allow_private_targets: false,
            timeout_s: 15,
            log_retention_days: 30,
            stuck_after_s: 300,
        }
    }
}

impl DeliveryConfig {
    pub fn from_env(env: &Env) -> Self {
        let (config, problems) = Self::from_vars(|name| {
            env.var(name)
                .map(|v| v.to_string())
                .ok()
                .filter(|v| !v.trim().is_empty())
        });
        for problem in problems {
            worker::console_error!("delivery config: {problem}; using the default");
        }
        config
    }

    /// Read the settings through `var`; returns them with a sentence per malformed value.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> (Self, Vec<String>) {
        let mut config = Self::default();
        let mut problems = Vec::new();
        if let Some(raw) = var("RETRY_SCHEDULE") {
            match RetrySchedule::parse(&raw, "RETRY_SCHEDULE") {
                Ok(schedule) => config.retry_schedule = schedule,
                Err(e) => problems.push(format!("RETRY_SCHEDULE: {}", e.message)),
            }
        }
        if let Some(raw) = var("ALLOW_PRIVATE_TARGETS") {
            match raw.trim().to_ascii_lowercase().as_str() {
                "true" | "1" | "yes" => config.allow_private_targets = true,
                "false" | "0" | "no" => config.allow_private_targets = false,
                _ => problems.push(format!(
                    "ALLOW_PRIVATE_TARGETS: {raw:?} is not true or false"
                )),
            }
        }
        let mut number = |name: &str, range: std::ops::RangeInclusive<u32>, slot: &mut u32| {
            if let Some(raw) = var(name) {
                match raw.trim().parse::<u32>() {
                    Ok(n) if range.contains(&n) => *slot = n,
                    _ => problems.push(format!(
                        "{name}: {raw:?} is not a whole number from {} to {}",
                        range.start(),
                        range.end()
                    )),
                }
            }
        };
        number("DELIVERY_TIMEOUT_S", 1..=60, &mut config.timeout_s);
        number(
            "LOG_RETENTION_DAYS",
            1..=3650,
            &mut config.log_retention_days,
        );
        number("STUCK_AFTER_S", 1..=86_400, &mut config.stuck_after_s);
        config.stuck_after_s = config.stuck_after_s.max(config.timeout_s * 2);
        (config, problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(pairs: &[(&str, &str)]) -> (DeliveryConfig, Vec<String>) {
        DeliveryConfig::from_vars(|name| {
            pairs
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.to_string())
        })
    }

    #[test]
    fn delivery_settings_default_to_the_documented_values() {
        let (config, problems) = read(&[]);
        assert!(problems.is_empty());
        assert_eq!(config, DeliveryConfig::default());
        assert_eq!(
            config.retry_schedule.to_string(),
            "10,60,300,1800,7200,21600,43200"
        );
        assert_eq!(config.timeout_s, 15);
        assert!(!config.allow_private_targets);
    }

    #[test]
    fn delivery_settings_are_read_from_vars_and_bad_values_fall_back_with_a_reason() {
        let (config, problems) = read(&[
            ("RETRY_SCHEDULE", "1s,1s,2s"),
            ("ALLOW_PRIVATE_TARGETS", "true"),
            ("DELIVERY_TIMEOUT_S", "3"),
            ("LOG_RETENTION_DAYS", "7"),
            ("STUCK_AFTER_S", "1"),
        ]);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(config.retry_schedule.delays(), &[1, 1, 2]);
        assert!(config.allow_private_targets);
        assert_eq!(config.timeout_s, 3);
        assert_eq!(config.log_retention_days, 7);
        assert_eq!(config.stuck_after_s, 6, "never less than twice the timeout");

        let (config, problems) = read(&[
            ("RETRY_SCHEDULE", "soon"),
            ("ALLOW_PRIVATE_TARGETS", "maybe"),
            ("DELIVERY_TIMEOUT_S", "0"),
        ]);
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert_eq!(config, DeliveryConfig::default());
    }

    fn settings_cache_ttl(raw: Option<String>) -> u32 {
        seconds_from(
            "SETTINGS_CACHE_TTL_S",
            raw,
            DEFAULT_SETTINGS_CACHE_TTL_S,
            3600,
        )
    }

    #[test]
    fn the_settings_cache_lives_30_seconds_unless_set_from_0_to_3600() {
        assert_eq!(settings_cache_ttl(None), DEFAULT_SETTINGS_CACHE_TTL_S);
        assert_eq!(settings_cache_ttl(Some("0".into())), 0);
        assert_eq!(settings_cache_ttl(Some(" 120 ".into())), 120);
        assert_eq!(settings_cache_ttl(Some("3600".into())), 3600);
    }

    #[test]
    fn server_events_wait_2_seconds_before_dispatch_unless_set_from_0_to_20() {
        let delay = |raw: Option<&str>| {
            let name = "SERVER_EVENT_DISPATCH_DELAY_S";
            let default = DEFAULT_SERVER_EVENT_DISPATCH_DELAY_S;
            seconds_from(name, raw.map(str::to_string), default, 20)
        };
        assert_eq!(delay(None), 2);
        assert_eq!(delay(Some("0")), 0);
        assert_eq!(delay(Some("20")), 20);
    }
}
