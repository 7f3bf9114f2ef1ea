//! postclick: first-party click capture, custom pixels, webhooks in and postbacks out.
//! This file holds the entry points; `core` is pure Rust, `http` and `store` are the edge.
#![forbid(unsafe_code)]

pub mod config;
pub mod core;
pub mod http;
pub mod store;

use worker::{event, Context, Env, Request, Response};

#[event(start)]
fn start() {
    console_error_panic_hook::set_once();
}

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> worker::Result<Response> {
    http::serve(req, env).await
}
