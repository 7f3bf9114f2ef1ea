//! Previews and tests: what a connector would send for a sample event, and a Test Webhook sent
//! now.
//!
//! - `POST /admin/api/connectors/:id/preview` with `{event?: {...sample}, connector?}` answers
//!   200 with the exact request (unmasked: it is the admin's own configuration), the pixel HTML,
//!   the unresolved placeholders, and whether the connector would send or why not. `connector`
//!   previews unsaved edits. Nothing is sent or stored.
//! - `POST /admin/api/connectors/:id/test` is in [`super::test_webhook`]; it shares the
//!   sample and the unsaved-edits parsing here.

use super::connectors::find as find_connector;
use super::model::{headers_out, PreviewClick, PreviewError, PreviewOut};
use crate::core::clicks::cookies::CookieDomain;
use crate::core::connector::{merge_patch, parse_connector, ConnectorConfig};
use crate::core::error::Invalid;
use crate::core::event_params::EventFacts;
use crate::core::ids::ContainerId;
use crate::core::params::ParamValues;
use crate::core::postback::sample::{parse_sample, rehearse, Rehearsal, Sample};
use crate::core::postback::{PlanOutcome, SkipReason};
use crate::core::provenance::Provenance;
use crate::core::template::{PixelTemplate, Placement};
use crate::core::time::UnixMs;
use crate::delivery::outbox::method_text;
use crate::error::{Error, Result};
use crate::http::body::{media_type, read_json, read_limited, MAX_BODY_BYTES};
use crate::http::request::Request;
use crate::http::respond::json;
use crate::http::router::RouteContext;
use crate::platform::now;
use crate::store::containers;
use serde_json::{json, Value};
use worker::{D1Database, Response};

/// The idempotency key a preview shows: no delivery exists for it.
const PREVIEW_ID: &str = "dlv_preview";

/// The `event` of a preview or test body; `extra` names the other keys the route accepts.
pub(super) fn sample_body<'a>(body: &'a Value, extra: &[&str]) -> Result<Option<&'a Value>> {
    let Value::Object(root) = body else {
        return Err(Error::bad_request(
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

pub(super) async fn cookie_domain(
    db: &D1Database,
    container_id: &ContainerId,
) -> Result<Option<CookieDomain>> {
    Ok(containers::get(db, container_id)
        .await?
        .and_then(|c| CookieDomain::parse(&c.cookie_domain).ok()))
}

pub(super) fn rehearse_sample(
    config: &ConnectorConfig,
    sample: &Sample,
    domain: Option<&CookieDomain>,
    delivery_id: &str,
    now: UnixMs,
) -> Rehearsal {
    let values = ParamValues::for_event(&EventFacts {
        event: &sample.event,
        event_id: &sample.event_id,
        at_ms: now.millis(),
        visitor_id: None,
        provenance: Provenance::Admin,
        cookie_domain: domain,
        history: &sample.history,
    });
    rehearse(config, sample, &values, delivery_id, now.millis())
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

/// Whether the plan sends, and why not.
fn would_send(outcome: PlanOutcome) -> (bool, Option<SkipReason>) {
    match outcome {
        PlanOutcome::Send => (true, None),
        PlanOutcome::LogOnly => (false, Some(SkipReason::TestMode)),
        PlanOutcome::Skip(reason) => (false, Some(reason)),
        PlanOutcome::NotTriggered => (false, None),
    }
}

/// A preview body may carry a whole connector (pixel HTML up to 64 KiB) besides the event.
const PREVIEW_BODY_LIMIT: usize = MAX_BODY_BYTES + 80 * 1024;

pub async fn handle_preview_connector(mut req: Request, ctx: RouteContext) -> Result<Response> {
    let (row, saved) = find_connector(&ctx, &ctx.id("id")?).await?;
    let body = read_json(&mut req, PREVIEW_BODY_LIMIT).await?;
    // `connector` previews unsaved edits (the console's live preview); it is parsed with the same
    // rules as a save, and nothing is stored.
    // The edits are merged over the saved connector, as a save would merge them, so what the
    // form leaves out (the write-only signing secret) is the saved value.
    let config = edited_config(saved, &body)?;
    let now = now();
    let sample = parse_sample(
        sample_body(&body, &["connector"])?.unwrap_or(&json!({})),
        &config,
        now.millis(),
        "event",
    )?;
    let db = ctx.db()?;
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
    let (send, reason) = would_send(rehearsal.outcome);
    let mut out = PreviewOut {
        would_send: send,
        triggered: rehearsal.outcome != PlanOutcome::NotTriggered,
        reason,
        reason_message: reason.map(SkipReason::message),
        pixel_html,
        pixel_unresolved,
        click: rehearsal.click.map(|m| PreviewClick {
            at: UnixMs::from_millis(m.click.at_ms).iso8601(),
            param: m.click.param,
            value: m.click.value,
            source: m.source,
        }),
        method: None,
        url: None,
        headers: None,
        body: None,
        unresolved: Vec::new(),
        error: None,
    };
    match rehearsal.request {
        Ok(request) => {
            out.method = Some(method_text(request.method));
            out.headers = Some(headers_out(&request.headers));
            out.url = Some(request.url);
            out.body = request.body;
            out.unresolved = request.unresolved;
        }
        Err(e) => {
            let invalid = e.to_invalid();
            out.error = Some(PreviewError {
                code: invalid.code.to_string(),
                message: invalid.message,
                field: invalid.field,
            });
        }
    }
    json(200, &out)
}

/// The connector a body's `connector` (unsaved edits) makes of the saved one, merged as a save
/// would merge them and parsed with the same rules; the saved one without `connector`.
pub(super) fn edited_config(saved: ConnectorConfig, body: &Value) -> Result<ConnectorConfig> {
    match body.get("connector") {
        None | Some(Value::Null) => Ok(saved),
        Some(edited) => {
            let mut merged = serde_json::to_value(&saved)
                .map_err(|e| Error::internal("serialising a connector", e))?;
            merge_patch(&mut merged, edited);
            Ok(parse_connector(&merged, Some(&saved)).map_err(|e| e.within("connector"))?)
        }
    }
}

/// The body of `test`: optional. No body (or an empty one) means the synthetic test event.
pub(super) async fn optional_json(req: &mut Request) -> Result<Option<Value>> {
    if media_type(req).is_some() {
        let value = read_json(req, PREVIEW_BODY_LIMIT).await?;
        return Ok(Some(value));
    }
    let bytes = read_limited(req, MAX_BODY_BYTES).await?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        Ok(None)
    } else {
        Err(Error::unsupported_media(
            "send the body as application/json",
        ))
    }
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
