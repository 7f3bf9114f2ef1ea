//! postclick: first-party click capture, custom pixels, webhooks in and postbacks out.
//! This file holds the entry points; `core` is pure Rust, `http` and `store` are the edge.
#![forbid(unsafe_code)]

pub mod config;
pub mod core;
pub mod http;
pub mod store;

use worker::{
    event, Context, Env, MessageBatch, Request, Response, ScheduleContext, ScheduledEvent,
};

#[event(start)]
fn start() {
    console_error_panic_hook::set_once();
}

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> worker::Result<Response> {
    http::serve(req, env).await
}

/// Both postback queues: deliveries, and the dead-letter queue. Bodies are JSON strings.
#[event(queue)]
async fn queue(batch: MessageBatch<String>, env: Env, _ctx: Context) -> worker::Result<()> {
    http::delivery::handle_queue_batch(batch, env).await;
    Ok(())
}

/// The cron trigger: re-queue stuck deliveries, purge old logs.
#[event(scheduled)]
async fn scheduled(_event: ScheduledEvent, env: Env, _ctx: ScheduleContext) {
    http::delivery::handle_scheduled(env).await;
}
