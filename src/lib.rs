//! postclick: first-party click capture, custom pixels, webhooks in and postbacks out.
//!
//! This file holds the entry points and the module tree, nothing else: `core` is the product's
//! logic in plain Rust; `http` handles requests; `delivery` is what happens to an event once
//! accepted (the outbox, the queue consumers, the cron sweep); `store` is D1; `error` is the
//! crate's one error type; `config` and `platform` are the environment and the runtime;
//! `metering` counts what a request costs and `query_log` lists the SQL it runs (for tests).
#![forbid(unsafe_code)]
// No function over 80 lines (`clippy.toml`); `make lint` turns the warning into an error.
#![warn(clippy::too_many_lines)]

pub mod config;
pub mod core;
pub mod delivery;
pub mod error;
pub mod http;
pub mod metering;
pub mod platform;
pub mod query_log;
pub mod store;

use worker::worker_sys::web_sys;
use worker::{event, Context, Env, MessageBatch, Response, ScheduleContext, ScheduledEvent};

#[event(start)]
fn start() {
    console_error_panic_hook::set_once();
}

#[event(fetch)]
async fn fetch(req: web_sys::Request, env: Env, ctx: Context) -> worker::Result<Response> {
    query_log::configure(&env);
    store::sealing::configure(&env);
    http::serve(req.into(), env, ctx).await
}

/// The queues: postback deliveries, their dead-letter queue, and landings' clicks, each chosen
/// by its exact name. Bodies are JSON strings.
#[event(queue)]
async fn queue(batch: MessageBatch<String>, env: Env, _ctx: Context) -> worker::Result<()> {
    query_log::configure(&env);
    store::sealing::configure(&env);
    delivery::handle_queue_batch(batch, env).await;
    Ok(())
}

/// The cron trigger: re-queue stuck deliveries, purge what is past each container's retention.
#[event(scheduled)]
async fn scheduled(_event: ScheduledEvent, env: Env, _ctx: ScheduleContext) {
    query_log::configure(&env);
    store::sealing::configure(&env);
    delivery::handle_scheduled(env).await;
}

#[cfg(test)]
mod source_layout;
