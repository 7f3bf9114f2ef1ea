//! `POST /admin/api/connectors/:id/test`: a Test Webhook that tells the truth.
//!
//! The body is optional: `{event?: {...sample}, connector?: {...unsaved edits}, wait?: bool}`.
//! It sends what the form shows (the edits merged over the saved connector, as a save would
//! merge them), whatever the connector's mode; the log marks it `kind: test_webhook`.
//!
//! With `wait: true` (what the console sends) the test makes exactly one attempt, never
//! retried, and the answer waits for it (up to the delivery timeout): 200 with the log row,
//! `delivered` or `failed`, the partner's response code and body, or why it could not be sent.
//! Without it the delivery is queued like any other (202), retried on failure: the API's
//! earlier contract, kept for callers that poll the log.

use super::connectors::find as find_connector;
use super::model::{delivery_out, TestQueued};
use super::previews::{cookie_domain, edited_config, optional_json, rehearse_sample, sample_body};
use crate::config::DeliveryConfig;
use crate::core::error::Invalid;
use crate::core::ids::DeliveryId;
use crate::core::postback::outbox::DeliveryMessage;
use crate::core::postback::sample::{parse_sample, synthetic_sample};
use crate::core::postback::DeliveryStatus;
use crate::core::provenance::Provenance;
use crate::delivery::outbox::{new_row, send, write_and_enqueue, RowOrigin};
use crate::delivery::stages::{self, Prepared};
use crate::error::{Error, Result};
use crate::http::request::Request;
use crate::http::respond::json;
use crate::http::router::RouteContext;
use crate::platform::{new_id, now};
use crate::store::{attempts, deliveries};
use serde_json::Value;
use worker::{D1Database, Response};

pub async fn handle_test_connector(mut req: Request, ctx: RouteContext) -> Result<Response> {
    let (row, saved) = find_connector(&ctx, &ctx.id("id")?).await?;
    let body = optional_json(&mut req).await?;
    // A test with the saved secret is signed as real postbacks are, at send time with the
    // connector's secrets (both during a rotation's overlap). A secret only in the form on
    // screen is never stored: the request is signed with it once, when built.
    let saved_secret = saved.webhook.signing_secret.clone();
    let config = match &body {
        Some(body) => edited_config(saved, body)?,
        None => saved,
    };
    let wait = match body.as_ref().and_then(|b| b.get("wait")) {
        None | Some(Value::Null) => false,
        Some(Value::Bool(wait)) => *wait,
        Some(_) => {
            return Err(Invalid::field("invalid_type", "wait", "must be true or false").into())
        }
    };
    let now = now();
    let sample = match body
        .as_ref()
        .map(|b| sample_body(b, &["connector", "wait"]))
        .transpose()?
        .flatten()
    {
        Some(event) => parse_sample(event, &config, now.millis(), "event")?,
        None => synthetic_sample(&config, now.millis())?,
    };
    if config.webhook.url.is_none() {
        return Err(Invalid::field(
            "no_webhook",
            "webhook.url",
            "the connector has no webhook URL to test",
        )
        .into());
    }
    let db = ctx.db()?;
    let domain = cookie_domain(&db, &row.container_id).await?;
    let delivery_id: DeliveryId = new_id()?;
    let rehearsal = rehearse_sample(&config, &sample, domain.as_ref(), delivery_id.as_str(), now);
    let request = rehearsal.request.map_err(|e| e.to_invalid())?;
    let origin = RowOrigin {
        id: delivery_id.clone(),
        container_id: row.container_id.clone(),
        connector_id: row.id.clone(),
        event_row_id: None,
        status: DeliveryStatus::Queued,
        reason: None,
        error: None,
        replay_of: None,
        origin_key: None,
        idempotency_key: None,
        provenance: Provenance::Admin,
    };
    let saved =
        config.webhook.signing_secret.is_some() && config.webhook.signing_secret == saved_secret;
    let new = new_row(origin, Some(&request), saved.then_some(row.secret_version));
    if !wait {
        write_and_enqueue(&ctx.env, &db, std::slice::from_ref(&new), now).await?;
        let out = TestQueued {
            delivery_id,
            status: DeliveryStatus::Queued.as_str(),
            method: new.method,
            url: new.url,
        };
        return json(202, &out);
    }
    // Written first, as every delivery is, so the attempt has its row; never queued.
    deliveries::insert_all(&db, std::slice::from_ref(&new), now).await?;
    attempt_once(&ctx, &db, &delivery_id).await?;
    let logged = deliveries::get(&db, &delivery_id)
        .await?
        .ok_or_else(|| Error::not_found("delivery"))?;
    let tries = attempts::attempts_of(&db, std::slice::from_ref(&delivery_id)).await?;
    json(200, &delivery_out(&logged, &tries))
}

/// The delivery stages for the test's first and only attempt: the target check, the call, and
/// a settlement that never schedules another try.
async fn attempt_once(ctx: &RouteContext, db: &D1Database, id: &DeliveryId) -> Result<()> {
    let config = DeliveryConfig::from_env(&ctx.env);
    match stages::prepare(DeliveryMessage::first(id), db, &config).await? {
        Prepared::Ready(pending) => {
            let completed = stages::call(pending, config.timeout_s).await;
            stages::settle_once(completed, db, &config).await?;
        }
        Prepared::Refused(refused) => {
            stages::settle_refused(refused, db).await?;
        }
        Prepared::Unreadable { message, started } => {
            stages::settle_unreadable(message, started, db).await?;
        }
        Prepared::Stale | Prepared::Erased | Prepared::Parked => {}
        // Its destination is paused or over its rate: the attempt goes through the queue.
        Prepared::Wait { message, after_s } => {
            send(&ctx.env, std::slice::from_ref(&message), Some(after_s)).await?;
        }
    }
    Ok(())
}
