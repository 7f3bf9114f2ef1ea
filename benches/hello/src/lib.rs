//! Hello world in workers-rs: answers every request with `ok`, as the empty JS worker
//! (`benches/baseline.mjs`) does.

use worker::{event, Context, Env, Request, Response, Result};

#[event(fetch)]
async fn fetch(_req: Request, _env: Env, _ctx: Context) -> Result<Response> {
    Response::ok("ok")
}
