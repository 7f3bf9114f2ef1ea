//! One HTTP call at a partner, the `call` stage of delivery: the exact request, redirects not
//! followed, a timeout that aborts the fetch, and the first KiB of the answer for the log.

use super::outbox::method_text;
use crate::core::postback::outbox::{truncate_response_body, MAX_LOGGED_RESPONSE_BYTES};
use crate::core::postback::{parse_retry_after, AttemptOutcome, OutgoingRequest};
use crate::platform::now;
use futures_util::future::{select, Either};
use futures_util::StreamExt;
use std::pin::pin;
use std::time::Duration;
use wasm_bindgen::JsValue;
use worker::{
    AbortController, Delay, Fetch, Headers, Method, Request, RequestInit, RequestRedirect, Response,
};

/// What came back from one attempt.
#[derive(Debug, Clone)]
pub struct CallResult {
    pub outcome: AttemptOutcome,
    /// The transport's words when there was no HTTP answer.
    pub network_error: Option<String>,
    /// Until the response headers arrived; `None` without an answer.
    pub latency_ms: Option<i64>,
    pub response_body: Option<String>,
}

impl CallResult {
    fn failed(outcome: AttemptOutcome, error: Option<String>) -> Self {
        Self {
            outcome,
            network_error: error,
            latency_ms: None,
            response_body: None,
        }
    }
}

fn build(request: &OutgoingRequest) -> worker::Result<Request> {
    let headers = Headers::new();
    for (name, value) in &request.headers {
        headers.append(name, value)?;
    }
    let mut init = RequestInit::new();
    init.with_method(match method_text(request.method) {
        "POST" => Method::Post,
        _ => Method::Get,
    })
    .with_headers(headers)
    // A redirect could lead anywhere, including where the target check refuses to go.
    .with_redirect(RequestRedirect::Manual);
    if let Some(body) = &request.body {
        init.with_body(Some(JsValue::from_str(body)));
    }
    Request::new_with_init(&request.url, &init)
}

/// Send `request`, giving up after `timeout_s` (headers and the logged body prefix together).
pub async fn send_request(request: &OutgoingRequest, timeout_s: u32) -> CallResult {
    let prepared = match build(request) {
        Ok(r) => r,
        Err(e) => return CallResult::failed(AttemptOutcome::NetworkError, Some(e.to_string())),
    };
    let controller = AbortController::default();
    let signal = controller.signal();
    let started = now();
    let fetch = Fetch::Request(prepared);
    let mut timer = pin!(Delay::from(Duration::from_secs(u64::from(timeout_s))));

    let answer = pin!(fetch.send_with_signal(&signal));
    let mut response = match select(answer, timer.as_mut()).await {
        Either::Left((Ok(response), _)) => response,
        Either::Left((Err(e), _)) => {
            return CallResult::failed(AttemptOutcome::NetworkError, Some(e.to_string()))
        }
        Either::Right(_) => {
            controller.abort();
            return CallResult::failed(AttemptOutcome::Timeout, None);
        }
    };
    let latency_ms = now().millis() - started.millis();
    let status = response.status_code();
    let retry_after = response
        .headers()
        .get("retry-after")
        .ok()
        .flatten()
        .and_then(|v| parse_retry_after(&v, now().seconds()));

    // The status is known: a slow body no longer turns the attempt into a timeout.
    let body = match select(pin!(read_prefix(&mut response)), timer.as_mut()).await {
        Either::Left((bytes, _)) => truncate_response_body(&bytes),
        Either::Right(_) => String::new(),
    };
    controller.abort();
    CallResult {
        outcome: AttemptOutcome::from_status(status, retry_after),
        network_error: None,
        latency_ms: Some(latency_ms),
        response_body: Some(body),
    }
}

/// At most a little more than the logged prefix of the body; the rest is never read.
async fn read_prefix(response: &mut Response) -> Vec<u8> {
    let mut out = Vec::new();
    let Ok(mut stream) = response.stream() else {
        return out;
    };
    while out.len() <= MAX_LOGGED_RESPONSE_BYTES {
        match stream.next().await {
            Some(Ok(chunk)) => out.extend_from_slice(&chunk),
            _ => break,
        }
    }
    out
}
