//! Sample events for the connector preview and the Test Webhook: the body of a browser event,
//! plus the visitor facts a real event would bring (clicks, IP, User-Agent, visitor id), and the
//! full decision for it — what would be sent, or why not — without storing or sending anything.
//!
//! A sample is `{event?, event_id?, value?, currency?, url?, attributes?, user?, consent?,
//! pc_test?, clicks?: [{param, value, age_days?, landing_params?: {name: value}}], ip?,
//! user_agent?, visitor_id?}`. Without `event` it uses the connector's first trigger event.
//! Without a body at all, the Test Webhook's synthetic event is used ([`synthetic_sample`]).

use super::attribution::{click_records, decide_attribution, AttributionDecision, MatchedClick};
use super::plan::{fill_click_values, fill_event_name, plan_delivery, PlanOutcome};
use super::request::{build_request, BuildContext, BuildError, OutgoingRequest};
use crate::core::browser_event::parse_browser_event;
use crate::core::clicks::{ClickKind, ClickValue, StoredClick};
use crate::core::connector::ConnectorConfig;
use crate::core::error::Invalid;
use crate::core::event::NewEvent;
use crate::core::lifecycle::{mapped_status, ConversionStatus};
use crate::core::params::ParamValues;
use crate::core::provenance::Provenance;
use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
use serde_json::{json, Map, Value};

/// Most clicks a sample may list (the cookie history keeps as many).
pub const MAX_SAMPLE_CLICKS: usize = 24;
const MAX_LANDING_PARAMS: usize = 20;
const MAX_AGE_DAYS: f64 = 3650.0;
const MAX_FACT_BYTES: usize = 1024;
/// Where a sample click "landed": a reserved name (RFC 2606) that can never be a real site.
const SAMPLE_LANDING: &str = "https://sample.postclick.invalid/";
/// The synthetic Test Webhook event's click id value.
pub const TEST_CLICK_ID: &str = "pc-test-click";
const FACTS: &[&str] = &["clicks", "ip", "user_agent", "visitor_id"];
const DAY_MS_F: f64 = 86_400_000.0;

/// A parsed sample: the event as `/e` would have stored it, and the visitor's clicks.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    pub event: NewEvent,
    pub event_id: String,
    pub history: Vec<StoredClick>,
}

/// Parse a sample for `connector`; field errors are prefixed with `field` (e.g. `event`).
pub fn parse_sample(
    body: &Value,
    connector: &ConnectorConfig,
    now_ms: i64,
    field: &str,
) -> Result<Sample, Invalid> {
    let Value::Object(root) = body else {
        return Err(Invalid::field(
            "invalid_event",
            field,
            "the sample event must be a JSON object",
        ));
    };
    let mut browser: Map<String, Value> = root
        .iter()
        .filter(|(k, _)| !FACTS.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    if browser.get("event").is_none_or(Value::is_null) {
        browser.insert("event".into(), json!(default_event_name(connector)));
    }
    let fact = |key: &str| -> Result<Option<String>, Invalid> {
        match root.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s))
                if s.len() <= MAX_FACT_BYTES && !s.chars().any(char::is_control) =>
            {
                Ok(Some(s.trim().to_string()).filter(|s| !s.is_empty()))
            }
            Some(_) => Err(Invalid::field(
                "invalid_type",
                format!("{field}.{key}"),
                format!("must be a string of at most {MAX_FACT_BYTES} printable bytes"),
            )),
        }
    };
    let ip = fact("ip")?;
    let user_agent = fact("user_agent")?;
    let visitor_id = fact("visitor_id")?;
    let mut event = parse_browser_event(
        &Value::Object(browser),
        None,
        ip.as_deref(),
        user_agent.as_deref(),
    )
    .map_err(|e| e.within(field))?;
    event.visitor_id = visitor_id;
    let history = match root.get("clicks") {
        None | Some(Value::Null) => Vec::new(),
        Some(clicks) => parse_clicks(clicks, now_ms, &format!("{field}.clicks"))?,
    };
    let event_id = event
        .event_id
        .as_ref()
        .map_or_else(|| "pc-sample".to_string(), |id| id.as_str().to_string());
    Ok(Sample {
        event,
        event_id,
        history,
    })
}

/// The Test Webhook's synthetic event: the connector's first trigger event worth 1 EUR, and,
/// with click-ID matching on, one fresh click with [`TEST_CLICK_ID`] from the connector's own
/// source, so attribution passes and `{{CLICK_ID}}` is filled.
pub fn synthetic_sample(connector: &ConnectorConfig, now_ms: i64) -> Result<Sample, Invalid> {
    let body = json!({"event": default_event_name(connector), "value": 1, "currency": "EUR",
        "event_id": format!("pc-test-{now_ms}"), "attributes": {"pc_test": true}});
    let mut sample = parse_sample(&body, connector, now_ms, "event")?;
    let config = &connector.click_id;
    if let (true, Some(param)) = (config.enabled, config.param.as_deref()) {
        let mut landing = vec![(param.to_string(), TEST_CLICK_ID.to_string())];
        if let Some(source_param) = config.source_param.as_deref() {
            let source = config.source_value.as_deref().unwrap_or("pc-test");
            landing.push((source_param.to_string(), source.to_string()));
        }
        sample.history = landing_rows(landing, now_ms);
    }
    Ok(sample)
}

fn default_event_name(connector: &ConnectorConfig) -> String {
    connector
        .trigger_events
        .first()
        .map_or_else(|| "Test".to_string(), |name| name.as_str().to_string())
}

fn parse_clicks(value: &Value, now_ms: i64, field: &str) -> Result<Vec<StoredClick>, Invalid> {
    let Value::Array(items) = value else {
        return Err(Invalid::field(
            "invalid_type",
            field,
            "must be a list of clicks",
        ));
    };
    if items.len() > MAX_SAMPLE_CLICKS {
        return Err(Invalid::field(
            "too_many_clicks",
            field,
            format!("at most {MAX_SAMPLE_CLICKS} clicks"),
        ));
    }
    let mut history = Vec::new();
    for (i, item) in items.iter().enumerate() {
        history.extend(parse_click(item, now_ms, &format!("{field}[{i}]"))?);
    }
    Ok(history)
}

/// One sample click becomes the rows a real landing would have stored: the click id, and each
/// campaign tag of its landing, all at one instant and with one landing URL.
fn parse_click(item: &Value, now_ms: i64, field: &str) -> Result<Vec<StoredClick>, Invalid> {
    let Value::Object(o) = item else {
        return Err(Invalid::field(
            "invalid_type",
            field,
            "a click is {param, value, age_days?, landing_params?}",
        ));
    };
    let text = |key: &str| match o.get(key) {
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.trim().to_string()),
        _ => Err(Invalid::field(
            "invalid_click",
            format!("{field}.{key}"),
            "must be a non-empty string",
        )),
    };
    let param = text("param")?.to_ascii_lowercase();
    let plausible = param.len() <= 64
        && param
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"_-.[]".contains(&b));
    if !plausible || ClickKind::of_param(&param) == ClickKind::Tag {
        return Err(Invalid::field(
            "invalid_click",
            format!("{field}.param"),
            "must be a click id parameter such as gclid or aff_click_id; put utm_* tags in landing_params",
        ));
    }
    let value = ClickValue::parse(&text("value")?, ClickKind::ClickId).ok_or_else(|| {
        Invalid::field(
            "invalid_click",
            format!("{field}.value"),
            "is not a usable click id: at most 512 bytes, no spaces, no unexpanded macro",
        )
    })?;
    let age_days = match o.get("age_days") {
        None | Some(Value::Null) => 0.0,
        Some(v) => v
            .as_f64()
            .filter(|d| (0.0..=MAX_AGE_DAYS).contains(d))
            .ok_or_else(|| {
                Invalid::field(
                    "invalid_click",
                    format!("{field}.age_days"),
                    "must be a number of days from 0 to 3650",
                )
            })?,
    };
    let landing = match o.get("landing_params") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(m)) if m.len() <= MAX_LANDING_PARAMS => m.clone(),
        Some(_) => {
            return Err(Invalid::field(
                "invalid_click",
                format!("{field}.landing_params"),
                format!("must be an object of at most {MAX_LANDING_PARAMS} string values"),
            ))
        }
    };
    let at_ms = now_ms - (age_days * DAY_MS_F).round() as i64;
    let mut query = vec![(param.clone(), value.as_str().to_string())];
    for (name, v) in &landing {
        let Value::String(v) = v else {
            return Err(Invalid::field(
                "invalid_click",
                format!("{field}.landing_params.{name}"),
                "must be a string",
            ));
        };
        query.push((name.to_ascii_lowercase(), v.clone()));
    }
    Ok(landing_rows(query, at_ms))
}

/// The rows one landing stores: its first pair (the click id) and every campaign tag, all with
/// the same instant and a landing URL that carries every pair.
fn landing_rows(query: Vec<(String, String)>, at_ms: i64) -> Vec<StoredClick> {
    let encode = |s: &str| utf8_percent_encode(s, NON_ALPHANUMERIC).to_string();
    let landing_url = format!(
        "{SAMPLE_LANDING}?{}",
        query
            .iter()
            .map(|(n, v)| format!("{}={}", encode(n), encode(v)))
            .collect::<Vec<_>>()
            .join("&")
    );
    query
        .into_iter()
        .enumerate()
        .filter(|(i, (name, _))| *i == 0 || ClickKind::of_param(name) == ClickKind::Tag)
        .map(|(_, (name, v))| StoredClick {
            param: name,
            value: v,
            landing_url: Some(landing_url.clone()),
            at_ms,
        })
        .collect()
}

/// The full decision for one connector and one event, as [`super::prepare_delivery`] makes it,
/// but always with the request (when it can be built) and never written anywhere.
#[derive(Debug, Clone, PartialEq)]
pub struct Rehearsal {
    /// What the pipeline would do; `NotTriggered` when the event is not a trigger or the
    /// webhook is off.
    pub outcome: PlanOutcome,
    /// The click attribution credited, if any.
    pub click: Option<MatchedClick>,
    pub request: Result<OutgoingRequest, BuildError>,
    /// The values the request was rendered with, `EVENT_NAME` and click values included.
    pub values: ParamValues,
}

/// Rehearse `sample` against `connector` at `now_ms`. `values` are the event's own values
/// (see `ParamValues::for_event`).
pub fn rehearse(
    connector: &ConnectorConfig,
    sample: &Sample,
    values: &ParamValues,
    delivery_id: &str,
    now_ms: i64,
) -> Rehearsal {
    let event = &sample.event;
    let records = click_records(&sample.history, &event.clicks, now_ms);
    let decision = decide_attribution(&connector.click_id, &records, now_ms);
    // Previews and Test Webhooks come from the admin API: an authenticated caller.
    let outcome = plan_delivery(
        connector,
        event.name.as_str(),
        Provenance::Admin,
        event.force_send,
        event.consent.allows_advertising(),
        &decision,
    );
    let click = match decision {
        AttributionDecision::Fire { click } => click,
        AttributionDecision::DoNotFire(_) => None,
    };
    let mut values = values.clone();
    fill_event_name(&mut values, connector, event.name.as_str());
    fill_click_values(&mut values, click.as_ref());
    // A sample is a conversion on arrival.
    let status = ConversionStatus::Received;
    values.set(
        "CONVERSION_STATUS",
        mapped_status(&connector.webhook.status_map, status),
    );
    let ctx = BuildContext {
        idempotency_key: delivery_id,
        timestamp_s: now_ms.div_euclid(1000),
    };
    let request = build_request(&connector.webhook, &values, &ctx);
    Rehearsal {
        outcome,
        click,
        request,
        values,
    }
}
