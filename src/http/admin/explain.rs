//! The why-not explorer and the connector templates.
//!
//! - `GET /admin/api/containers/{id}/explain?event_id=|click_id=|email=` finds the container's
//!   events by exactly one of these and answers, per event, its provenance, status, matched
//!   visitor and clicks, and for each connector whether it fired, why not in plain words and
//!   what to change ([`crate::core::explain`]).
//! - `GET /admin/api/connector-templates` lists the network and tracker templates
//!   ([`crate::core::connector_templates`]).

use super::connectors::stored_name;
use super::model::explain::{
    ConnectorVerdictOut, ExplainOut, ExplainedClickOut, ExplainedEventOut, TemplateList,
};
use crate::core::connector_templates::templates;
use crate::core::event::CarriedClick;
use crate::core::explain::{explain, explain_unreadable, Recorded};
use crate::core::form;
use crate::core::ids::ContainerId;
use crate::core::time::UnixMs;
use crate::core::user_data::Email;
use crate::error::{Error, Result};
use crate::http::request::Request;
use crate::http::respond::json;
use crate::http::router::RouteContext;
use crate::store::connectors::{self, ConnectorRow};
use crate::store::deliveries::DeliveryRow;
use crate::store::events::EventRow;
use crate::store::explain::{deliveries_of, find_events, Search};
use crate::store::{clicks, containers};
use worker::{D1Database, Response};

/// Longest value searched for.
const MAX_SEARCH_LEN: usize = 256;

pub async fn handle_list_templates(_: Request, _: RouteContext) -> Result<Response> {
    json(200, &TemplateList { data: templates() })
}

pub async fn handle_explain(req: Request, ctx: RouteContext) -> Result<Response> {
    let db = ctx.db()?;
    let container = containers::find(&db, &ctx.id("id")?).await?;
    let (searched_by, search) = search_of(&req)?;
    let found = find_events(&db, &container.id, &search).await?;
    let connectors = connectors::list(&db, &container.id, None, 200).await?;
    let mut events = Vec::with_capacity(found.len());
    for event in found {
        events.push(explain_event(&db, &container.id, event, &connectors).await?);
    }
    json(
        200,
        &ExplainOut {
            searched_by,
            events,
        },
    )
}

/// Exactly one of `event_id`, `click_id` and `email`, not empty and at most 256 bytes.
fn search_of(req: &Request) -> Result<(&'static str, Search)> {
    let url = req.url()?;
    let given: Vec<(String, String)> = form::parse_pairs(url.query().unwrap_or(""))?
        .into_iter()
        .filter(|(k, _)| matches!(k.as_str(), "event_id" | "click_id" | "email"))
        .map(|(k, v)| (k, v.trim().to_string()))
        .collect();
    let [(key, value)] = given.as_slice() else {
        return Err(Error::bad_request(
            "invalid_query",
            "search by exactly one of event_id, click_id or email",
        ));
    };
    if value.is_empty() || value.len() > MAX_SEARCH_LEN {
        return Err(Error::bad_request(
            "invalid_query",
            format!("{key} must be 1 to {MAX_SEARCH_LEN} bytes"),
        ));
    }
    Ok(match key.as_str() {
        "event_id" => ("event_id", Search::EventId(value.clone())),
        "click_id" => ("click_id", Search::ClickId(value.clone())),
        _ => {
            let hash = Email::parse(value, "email")
                .ok()
                .flatten()
                .and_then(|e| e.sha256())
                .ok_or_else(|| {
                    Error::bad_request("invalid_query", "email is not an email address")
                })?;
            ("email", Search::EmailSha256(hash))
        }
    })
}

async fn explain_event(
    db: &D1Database,
    container_id: &ContainerId,
    event: EventRow,
    connectors: &[ConnectorRow],
) -> Result<ExplainedEventOut> {
    let rows = deliveries_of(db, container_id, &event.id).await?;
    let mut verdicts = Vec::with_capacity(connectors.len());
    for connector in connectors {
        let row = latest_postback(&rows, connector);
        let config = match connector.config() {
            Ok(config) => config,
            // Unreadable connectors are explained, not a failure of the whole answer.
            Err(e) => {
                let refusal = connector.refusal().ok_or(e)?;
                verdicts.push(ConnectorVerdictOut {
                    connector_id: connector.id.clone(),
                    name: stored_name(connector),
                    mode: "unreadable".to_string(),
                    verdict: explain_unreadable(&refusal),
                    delivery_id: row.map(|r| r.id.clone()),
                });
                continue;
            }
        };
        let recorded = row.map(|r| Recorded {
            status: &r.status,
            reason: r.reason.as_deref(),
            response_code: r.response_code,
            error: r.error.as_deref(),
        });
        verdicts.push(ConnectorVerdictOut {
            connector_id: connector.id.clone(),
            name: config.name.clone(),
            mode: config.mode.as_str().to_string(),
            verdict: explain(&config, &event.name, recorded),
            delivery_id: row.map(|r| r.id.clone()),
        });
    }
    let clicks = clicks_of(db, container_id, &event).await?;
    let match_hint = event.visitor_id.is_none().then(|| {
        "The event matched no visitor, so no click can be attributed to it. Send the visitor id \
         (the pc_vid cookie's value as visitor_id), the click id, or the email the visitor used \
         on the site."
            .to_string()
    });
    Ok(ExplainedEventOut {
        row_id: event.id.clone(),
        event_id: event.event_id.to_string(),
        name: event.name,
        value: event.value,
        currency: event.currency,
        provenance: event.provenance,
        source: event.source,
        topic: event.topic,
        status: event.status,
        created_at: event.created_at.iso8601(),
        confirmed_at: event.confirmed_at.map(UnixMs::iso8601),
        consent_advertising: event.consent_advertising != 0,
        visitor_id: event.visitor_id,
        matched_by: event.matched_by,
        match_hint,
        clicks,
        connectors: verdicts,
    })
}

/// The connector's latest postback row for the event; its pixel's when it has no postback row.
fn latest_postback<'a>(
    rows: &'a [DeliveryRow],
    connector: &ConnectorRow,
) -> Option<&'a DeliveryRow> {
    let own = || rows.iter().filter(|r| r.connector_id == connector.id);
    own()
        .rfind(|r| r.method.as_deref() != Some("PIXEL"))
        .or_else(|| own().next_back())
}

/// The visitor's captured clicks, newest first, then the ones the event carried.
async fn clicks_of(
    db: &D1Database,
    container_id: &ContainerId,
    event: &EventRow,
) -> Result<Vec<ExplainedClickOut>> {
    let mut out = Vec::new();
    if let Some(visitor) = &event.visitor_id {
        let history = clicks::history(db, container_id, visitor, UnixMs::from_millis(0)).await?;
        out.extend(history.into_iter().take(50).map(|c| ExplainedClickOut {
            param: c.param,
            value: c.value,
            at: Some(UnixMs::from_millis(c.at_ms).iso8601()),
            carried: false,
        }));
    }
    let payload: serde_json::Value = serde_json::from_str(&event.payload).unwrap_or_default();
    let carried: Vec<CarriedClick> =
        serde_json::from_value(payload["clicks"].clone()).unwrap_or_default();
    out.extend(carried.into_iter().map(|c| ExplainedClickOut {
        param: c.param,
        value: c.value,
        at: None,
        carried: true,
    }));
    Ok(out)
}
