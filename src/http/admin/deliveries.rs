//! Deliveries, previews and tests: what a connector would send, a Test Webhook sent now, the
//! webhook log, and replay.
//!
//! - `POST /admin/api/connectors/:id/preview` with `{event?: {...sample}}` answers 200 with the
//!   exact request (unmasked: it is the admin's own configuration), the pixel HTML, the
//!   unresolved placeholders, and whether the connector would send or why not. Nothing is sent
//!   or stored.
//! - `POST /admin/api/connectors/:id/test`, with no body or `{event?: {...sample}}`, answers 202
//!   with the delivery id: the request is written to the log as a `queued` delivery and goes
//!   through the queue like any other, whatever the connector's mode (it is a deliberate
//!   test). Poll the log for its response code.
//! - `GET /admin/api/connectors/:id/deliveries?limit=&before=` is the log, newest first.
//! - `POST /admin/api/deliveries/:id/replay` answers 202 with a new delivery (`replay_of` set)
//!   that sends the stored request again. It keeps the original's `Idempotency-Key` and
//!   `webhook-id`: it is the same conversion, and a partner that already counted it can tell.

use super::connectors::find as find_connector;
use super::{db, limit_param, query_param, require_admin};
use crate::core::clicks::cookies::CookieDomain;
use crate::core::connector::ConnectorConfig;
use crate::core::error::Invalid;
use crate::core::event_params::EventFacts;
use crate::core::ids::IdKind;
use crate::core::params::ParamValues;
use crate::core::postback::sample::{parse_sample, rehearse, synthetic_sample, Rehearsal, Sample};
use crate::core::postback::{DeliveryStatus, PlanOutcome, SkipReason};

use crate::core::connector::parse_connector;
use crate::core::template::{PixelTemplate, Placement};
use crate::http::body::{media_type, read_json, read_limited, MAX_BODY_BYTES};
use crate::http::delivery::outbox::{method_text, new_row, write_and_enqueue, RowOrigin};
use crate::http::error::{ApiError, ApiResult};
use crate::http::respond::{iso8601, json, now_ms, param, random16};
use crate::store::containers;
use crate::store::deliveries::{self, AttemptRow, DeliveryRow};
use serde_json::{json, Value};
use worker::{D1Database, Request, Response, RouteContext};

/// The idempotency key a preview shows: no delivery exists for it.
const PREVIEW_ID: &str = "dlv_preview";

/// `{event?}`: the body of preview and test. `None` when the caller sent no sample.
/// The `event` of a preview or test body; `extra` names the other keys the route accepts.
fn sample_body<'a>(body: &'a Value, extra: &[&str]) -> ApiResult<Option<&'a Value>> {
    let Value::Object(root) = body else {
        return Err(ApiError::bad_request(
            "invalid_body",
            "the body is a JSON object: {\"event\": {...}}",
        ));
    };
    if let Some(unknown) = root
        .keys()
        .find(|k| k.as_str() != "event" && !extra.contains(&k.as_str()))
    {
        return Err(Invalid::field(
            "unknown_field",
            unknown.as_str(),
            "the body holds only event (and, for a preview, connector)",
        )
        .into());
    }
    Ok(root.get("event").filter(|v| !v.is_null()))
}

async fn cookie_domain(db: &D1Database, container_id: &str) -> ApiResult<Option<CookieDomain>> {
    Ok(containers::get(db, container_id)
        .await?
        .and_then(|c| CookieDomain::parse(&c.cookie_domain).ok()))
}

fn rehearse_sample(
    config: &ConnectorConfig,
    sample: &Sample,
    domain: Option<&CookieDomain>,
    delivery_id: &str,
    now: i64,
) -> Rehearsal {
    let values = ParamValues::for_event(&EventFacts {
        event: &sample.event,
        event_id: &sample.event_id,
        at_ms: now,
        visitor_id: None,
        cookie_domain: domain,
        history: &sample.history,
    });
    rehearse(config, sample, &values, delivery_id, now)
}

/// The pixel HTML with its placeholders filled by the context-aware engine, exactly as the
/// browser would receive it (in the sandbox or the main window), and the names that had no
/// value.
pub fn render_pixel_preview(
    html: &str,
    values: &ParamValues,
    placement: Placement,
) -> Result<(String, Vec<String>), Invalid> {
    let template = PixelTemplate::parse(html)
        .map_err(|e| Invalid::field("invalid_placeholder", "pixel.html", e.to_string()))?;
    let rendered = template.render(values.lookup(), placement);
    Ok((rendered.html, rendered.unresolved))
}

fn would_send(outcome: PlanOutcome) -> Value {
    let (send, reason) = match outcome {
        PlanOutcome::Send => (true, None),
        PlanOutcome::LogOnly => (false, Some(SkipReason::TestMode)),
        PlanOutcome::Skip(reason) => (false, Some(reason)),
        PlanOutcome::NotTriggered => (false, None),
    };
    json!({
        "would_send": send,
        "triggered": outcome != PlanOutcome::NotTriggered,
        "reason": reason.map(SkipReason::as_str),
        "reason_message": reason.map(SkipReason::message),
    })
}

/// A preview body may carry a whole connector (pixel HTML up to 64 KiB) besides the event.
const PREVIEW_BODY_LIMIT: usize = MAX_BODY_BYTES + 80 * 1024;

pub async fn handle_preview_connector(
    mut req: Request,
    ctx: RouteContext<()>,
) -> ApiResult<Response> {
    require_admin(&req, &ctx)?;
    let (row, saved) = find_connector(&ctx, param(&ctx, "id")).await?;
    let body = read_json(&mut req, PREVIEW_BODY_LIMIT).await?;
    // `connector` previews unsaved edits (the console's live preview); it is parsed with the same
    // rules as a save, and nothing is stored.
    let config = match body.get("connector") {
        None | Some(Value::Null) => saved,
        Some(edited) => parse_connector(edited, Some(&saved)).map_err(|e| e.within("connector"))?,
    };
    let now = now_ms();
    let sample = parse_sample(
        sample_body(&body, &["connector"])?.unwrap_or(&json!({})),
        &config,
        now,
        "event",
    )?;
    let db = db(&ctx)?;
    let domain = cookie_domain(&db, &row.container_id).await?;
    let rehearsal = rehearse_sample(&config, &sample, domain.as_ref(), PREVIEW_ID, now);

    let (pixel_html, pixel_unresolved) = match config.pixel.html.trim() {
        "" => (None, Vec::new()),
        html => {
            let placement = if config.pixel.sandbox {
                Placement::Sandbox
            } else {
                Placement::MainWindow
            };
            let (html, unresolved) = render_pixel_preview(html, &rehearsal.values, placement)?;
            (Some(html), unresolved)
        }
    };
    let mut out = would_send(rehearsal.outcome);
    out["pixel_html"] = json!(pixel_html);
    out["pixel_unresolved"] = json!(pixel_unresolved);
    out["click"] = json!(rehearsal.click.as_ref().map(|m| json!({
        "param": m.click.param, "value": m.click.value, "source": m.source,
        "at": iso8601(m.click.at_ms as f64)})));
    match &rehearsal.request {
        Ok(request) => {
            out["method"] = json!(method_text(request.method));
            out["url"] = json!(request.url);
            out["headers"] = headers_out(&request.headers);
            out["body"] = json!(request.body);
            out["unresolved"] = json!(request.unresolved);
            out["error"] = Value::Null;
        }
        Err(e) => {
            for key in ["method", "url", "headers", "body"] {
                out[key] = Value::Null;
            }
            out["unresolved"] = json!([]);
            let invalid = e.to_invalid();
            out["error"] =
                json!({"code": invalid.code, "message": invalid.message, "field": invalid.field});
        }
    }
    json(200, &out)
}

fn headers_out(headers: &[(String, String)]) -> Value {
    Value::Array(
        headers
            .iter()
            .map(|(name, value)| json!({"name": name, "value": value}))
            .collect(),
    )
}

/// The body of `test`: optional. No body (or an empty one) means the synthetic test event.
async fn optional_json(req: &mut Request) -> ApiResult<Option<Value>> {
    if media_type(req).is_some() {
        let value = read_json(req, MAX_BODY_BYTES).await?;
        return Ok(Some(value));
    }
    let bytes = read_limited(req, MAX_BODY_BYTES).await?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        Ok(None)
    } else {
        Err(ApiError::UnsupportedMediaType(
            "send the body as application/json",
        ))
    }
}

pub async fn handle_test_connector(mut req: Request, ctx: RouteContext<()>) -> ApiResult<Response> {
    require_admin(&req, &ctx)?;
    let (row, config) = find_connector(&ctx, param(&ctx, "id")).await?;
    let body = optional_json(&mut req).await?;
    let now = now_ms();
    let sample = match body
        .as_ref()
        .map(|b| sample_body(b, &[]))
        .transpose()?
        .flatten()
    {
        Some(event) => parse_sample(event, &config, now, "event")?,
        None => synthetic_sample(&config, now)?,
    };
    if config.webhook.url.is_none() {
        return Err(Invalid::field(
            "no_webhook",
            "webhook.url",
            "the connector has no webhook URL to test",
        )
        .into());
    }
    let db = db(&ctx)?;
    let domain = cookie_domain(&db, &row.container_id).await?;
    let delivery_id = IdKind::Delivery.new_id(random16()?);
    let rehearsal = rehearse_sample(&config, &sample, domain.as_ref(), &delivery_id, now);
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
    };
    let new = new_row(
        origin,
        Some(&request),
        config.webhook.signing_secret.as_deref(),
    );
    write_and_enqueue(&ctx.env, &db, std::slice::from_ref(&new), now).await?;
    json(
        202,
        &json!({"delivery_id": delivery_id, "status": "queued", "method": new.method, "url": new.url}),
    )
}

pub async fn handle_list_deliveries(req: Request, ctx: RouteContext<()>) -> ApiResult<Response> {
    require_admin(&req, &ctx)?;
    let (connector, _) = find_connector(&ctx, param(&ctx, "id")).await?;
    let limit = limit_param(&req, 50, 200)?;
    let db = db(&ctx)?;
    let before = match query_param(&req, "before")? {
        None => None,
        Some(cursor) => {
            let row = if IdKind::Delivery.matches(&cursor) {
                deliveries::get(&db, &cursor).await?
            } else {
                None
            };
            let row = row
                .filter(|r| r.connector_id == connector.id)
                .ok_or_else(|| {
                    ApiError::bad_request(
                        "invalid_cursor",
                        "before must be a delivery id from this connector's log",
                    )
                })?;
            Some(row)
        }
    };
    let rows = deliveries::list_for_connector(&db, &connector.id, before.as_ref(), limit).await?;
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let attempts = deliveries::attempts_of(&db, &ids).await?;
    let data: Vec<Value> = rows.iter().map(|r| delivery_out(r, &attempts)).collect();
    let next = (rows.len() == limit as usize)
        .then(|| rows.last().map(|r| r.id.clone()))
        .flatten();
    json(200, &json!({"data": data, "next_before": next}))
}

fn opt_time(ms: Option<i64>) -> Value {
    ms.map_or(Value::Null, |ms| json!(iso8601(ms as f64)))
}

/// One webhook log entry: everything is the masked copy.
fn delivery_out(row: &DeliveryRow, attempts: &[AttemptRow]) -> Value {
    let kind = match (&row.replay_of, &row.event_row_id) {
        (Some(_), _) => "replay",
        (None, Some(_)) => "event",
        (None, None) => "test_webhook",
    };
    let reason = row.reason.as_deref().and_then(SkipReason::parse);
    let headers: Vec<(String, String)> = row
        .headers
        .as_deref()
        .and_then(|h| serde_json::from_str(h).ok())
        .unwrap_or_default();
    let attempts: Vec<Value> = attempts
        .iter()
        .filter(|a| a.delivery_id == row.id)
        .map(|a| {
            json!({"attempt": a.attempt, "time": iso8601(a.started_at as f64),
                "response_code": a.response_code, "latency_ms": a.latency_ms, "error": a.error,
                "response_body": a.response_body})
        })
        .collect();
    json!({
        "id": row.id,
        "time": iso8601(row.created_at as f64),
        "updated_at": iso8601(row.updated_at as f64),
        "kind": kind,
        "event_row_id": row.event_row_id,
        "status": row.status,
        "reason": row.reason,
        "reason_message": reason.map(SkipReason::message),
        "attempt": row.attempt,
        "method": row.method,
        "url": row.url,
        "headers": headers_out(&headers),
        "body": row.body,
        "response_code": row.response_code,
        "response_body": row.response_body,
        "latency_ms": row.latency_ms,
        "error": row.error,
        "idempotency_key": row.idempotency_key,
        "replay_of": row.replay_of,
        "next_attempt_at": opt_time(row.status().filter(|s| s.is_pending()).and(row.next_attempt_at)),
        "dead_lettered_at": opt_time(row.dead_lettered_at),
        "attempts": attempts,
    })
}

pub async fn handle_replay_delivery(req: Request, ctx: RouteContext<()>) -> ApiResult<Response> {
    require_admin(&req, &ctx)?;
    let id = param(&ctx, "id");
    let db = db(&ctx)?;
    let original = match IdKind::Delivery.matches(id) {
        true => deliveries::get(&db, id).await?,
        false => None,
    }
    .ok_or(ApiError::NotFound("no such delivery"))?;
    if original.status().is_some_and(|s| s.is_pending()) {
        return Err(Invalid::new(
            "delivery_pending",
            "this delivery is still being attempted; replay it once it is delivered or failed",
        )
        .into());
    }
    let stored = original.stored_request().ok_or_else(|| {
        Invalid::new(
            "nothing_to_replay",
            "this delivery has no request: it could not be built",
        )
    })?;
    let delivery_id = IdKind::Delivery.new_id(random16()?);
    let origin = RowOrigin {
        id: delivery_id.clone(),
        container_id: original.container_id.clone(),
        connector_id: original.connector_id.clone(),
        event_row_id: original.event_row_id.clone(),
        status: DeliveryStatus::Queued,
        reason: None,
        error: None,
        replay_of: Some(original.id.clone()),
        origin_key: None,
        idempotency_key: Some(original.idempotency_key.clone()),
    };
    let new = new_row(
        origin,
        Some(&stored.request),
        stored.signing_secret.as_deref(),
    );
    write_and_enqueue(&ctx.env, &db, std::slice::from_ref(&new), now_ms()).await?;
    json(
        202,
        &json!({"delivery_id": delivery_id, "replay_of": original.id, "status": "queued"}),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pixel_preview_escapes_every_value_for_its_context_and_keeps_the_markup() {
        let mut values = ParamValues::new();
        values.set("VALUE", "49.9");
        values.set("TRANSACTION_ID", "\"><script>alert(1)</script>");
        let html = r#"<img src="https://px.example/?v={{VALUE}}&t={{TRANSACTION_ID}}"><b>{{MISSING|default:n/a}}</b>"#;
        let (rendered, unresolved) =
            render_pixel_preview(html, &values, Placement::MainWindow).unwrap();
        // Values in a URL attribute's query are percent-encoded; literal markup is kept as written.
        assert_eq!(
            rendered,
            "<img src=\"https://px.example/?v=49.9&t=%22%3E%3Cscript%3Ealert%281%29%3C%2Fscript%3E\"><b>n/a</b>"
        );
        assert_eq!(unresolved, vec!["MISSING".to_string()]);
        assert!(render_pixel_preview("{{bad name}}", &values, Placement::Sandbox).is_err());
    }
}
