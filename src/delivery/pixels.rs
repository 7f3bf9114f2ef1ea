//! Which custom pixels a stored event fires in the browser, decided from the same
//! [`EventContext`] as its postbacks so a hybrid connector fires both or neither. Sandboxed
//! pixels become signed `/px/{token}` URLs, main-window pixels rendered HTML, and test-mode
//! pixels fire nothing: their substituted HTML is written to the connector's log.
//!
//! Each pixel's HTML was parsed with the context-aware engine when its connector was read; here
//! it is rendered with the event's values, every value escaped for where it stands. A stored
//! pixel that the engine now refuses is skipped (`pixel_invalid`) and its approval cleared.

use super::dispatch::EventContext;
use crate::config::Config;
use crate::core::connector::ConnectorConfig;
use crate::core::ids::{ConnectorId, DeliveryId};
use crate::core::params::ParamValues;
use crate::core::pixel_token::PixelToken;
use crate::core::postback::{
    decide_attribution, fill_click_values, fill_event_name, plan_pixel, AttributionDecision,
    DeliveryStatus, PlanOutcome, SkipReason,
};
use crate::core::template::{Placement, Rendered};
use crate::error::Result;
use crate::platform::{new_id, now};
use crate::store::connectors::{self, ConnectorRow};
use crate::store::deliveries::{self, NewDelivery};
use serde::Serialize;
use worker::D1Database;

/// A pixel the browser fires for an event, in the shape DESIGN.md fixes: sandboxed pixels are a
/// URL `t.js` loads in a hidden `sandbox="allow-scripts"` iframe; main-window pixels are HTML
/// `t.js` injects into the page, running its scripts in document order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(utoipa::ToSchema))]
#[serde(untagged)]
pub enum Pixel {
    Sandboxed {
        connector: ConnectorId,
        /// Always `true`.
        sandbox: bool,
        /// `/px/{token}`, relative to the tracking host.
        src: String,
    },
    MainWindow {
        connector: ConnectorId,
        /// Always `false`.
        sandbox: bool,
        html: String,
    },
}

/// The connector's values for this event (the event's, plus its own event name and click) and
/// its attribution decision.
pub fn connector_values(
    context: &EventContext,
    config: &ConnectorConfig,
) -> (ParamValues, AttributionDecision) {
    let decision = decide_attribution(
        &config.click_id,
        &context.records,
        context.row.created_at.millis(),
    );
    let mut values = context.values.clone();
    fill_event_name(&mut values, config, &context.row.name);
    if let AttributionDecision::Fire { click } = &decision {
        fill_click_values(&mut values, click.as_ref());
    }
    (values, decision)
}

/// Whether the connector's pixel fires for this event now: the same plan on `/e` and when the
/// sandboxed document is fetched, so `pc_test` forces a test-mode pixel but never a disabled one.
pub fn pixel_outcome(
    context: &EventContext,
    config: &ConnectorConfig,
    decision: &AttributionDecision,
) -> PlanOutcome {
    plan_pixel(
        config,
        &context.row.name,
        context.event.force_send,
        context.consent.allows_advertising(),
        decision,
    )
}

/// Renders a connector's pixel for an event, for where it runs, from the template parsed with
/// the connector; `None` if the pixel engine refuses the stored HTML (such a pixel is planned as
/// skipped before it gets here).
pub fn render(config: &ConnectorConfig, values: &ParamValues) -> Option<Rendered> {
    let placement = if config.pixel.sandbox {
        Placement::Sandbox
    } else {
        Placement::MainWindow
    };
    let template = config.pixel.template.as_ref()?;
    Some(template.render(values.lookup(), placement))
}

/// What the log says of values that lost `<` or `>` in a main-window pixel's script.
fn dropped_note(rendered: &Rendered) -> Option<String> {
    (!rendered.dropped.is_empty()).then(|| {
        format!(
            "removed '<' and '>' from the values of {}: a main-window pixel's script values never carry them",
            rendered.dropped.join(", ")
        )
    })
}

/// The pixels a stored event fires now. Test-mode pixels fire nothing: their substituted HTML
/// is written to the connector's log instead. A duplicate event fires nothing (the caller skips).
pub async fn pixels_for_event(
    db: &D1Database,
    context: &EventContext,
    config: &Config,
) -> Result<Vec<Pixel>> {
    let mut pixels = Vec::new();
    let mut logs = Vec::new();
    let now_s = now().seconds();
    for (connector, cfg) in &context.connectors {
        let (values, decision) = connector_values(context, cfg);
        match pixel_outcome(context, cfg, &decision) {
            PlanOutcome::Send if cfg.pixel.sandbox => {
                let Some(keys) = config.signing_keys.as_ref() else {
                    worker::console_error!(
                        "SIGNING_KEY is not set: sandboxed pixels cannot be served"
                    );
                    continue;
                };
                let visitor = context.row.visitor_id.as_deref();
                let token = PixelToken::issue(&context.row.id, &connector.id, visitor, now_s);
                pixels.push(Pixel::Sandboxed {
                    connector: connector.id.clone(),
                    sandbox: true,
                    src: format!("/px/{}", token.sign(keys.current().secret())),
                });
            }
            PlanOutcome::Send => {
                if let Some(rendered) = render(cfg, &values) {
                    // Values changed for the main window are logged, so the marketer sees why.
                    if let Some(note) = dropped_note(&rendered) {
                        let entry = PixelLog::new(DeliveryStatus::Delivered, None)
                            .body(rendered.html.clone())
                            .error(note);
                        logs.push(entry.row(context, connector, cfg)?);
                    }
                    pixels.push(Pixel::MainWindow {
                        connector: connector.id.clone(),
                        sandbox: false,
                        html: rendered.html,
                    });
                }
            }
            PlanOutcome::LogOnly => {
                if let Some(rendered) = render(cfg, &values) {
                    let mut entry = PixelLog::new(DeliveryStatus::Test, Some(SkipReason::TestMode))
                        .body(rendered.html.clone());
                    if let Some(note) = dropped_note(&rendered) {
                        entry = entry.error(note);
                    }
                    logs.push(entry.row(context, connector, cfg)?);
                }
            }
            PlanOutcome::Skip(SkipReason::PixelInvalid) => {
                logs.push(skip_invalid(db, context, connector, cfg).await?);
            }
            PlanOutcome::Skip(_) | PlanOutcome::NotTriggered => {}
        }
    }
    if !logs.is_empty() {
        deliveries::insert_all(db, &logs, now()).await?;
    }
    Ok(pixels)
}

/// A pixel the pixel engine refuses: its skip is logged with why, and an approval still stored
/// is cleared, since it no longer holds.
async fn skip_invalid(
    db: &D1Database,
    context: &EventContext,
    connector: &ConnectorRow,
    cfg: &ConnectorConfig,
) -> Result<NewDelivery> {
    let mut entry = PixelLog::new(DeliveryStatus::Skipped, Some(SkipReason::PixelInvalid));
    if let Some(refused) = &cfg.pixel.refused {
        entry = entry.error(format!("pixel.html {refused}"));
    }
    if connector.stored_approval().is_some() {
        connectors::update(db, &connector.id, cfg, false, false, now()).await?;
    }
    entry.row(context, connector, cfg)
}

/// A pixel's row in the connector's log (method `PIXEL`): a test-mode pixel with its
/// substituted HTML, a refused pixel that was skipped, or a main-window pixel whose values were
/// changed.
struct PixelLog {
    status: DeliveryStatus,
    reason: Option<SkipReason>,
    body: Option<String>,
    error: Option<String>,
}

impl PixelLog {
    fn new(status: DeliveryStatus, reason: Option<SkipReason>) -> Self {
        Self {
            status,
            reason,
            body: None,
            error: None,
        }
    }

    fn body(mut self, html: String) -> Self {
        self.body = Some(html);
        self
    }

    fn error(mut self, text: String) -> Self {
        self.error = Some(text);
        self
    }

    fn row(
        self,
        context: &EventContext,
        connector: &ConnectorRow,
        cfg: &ConnectorConfig,
    ) -> Result<NewDelivery> {
        let id: DeliveryId = new_id()?;
        Ok(NewDelivery {
            idempotency_key: id.as_str().to_string(),
            id,
            container_id: context.row.container_id.clone(),
            connector_id: connector.id.clone(),
            event_row_id: Some(context.row.id.clone()),
            status: self.status,
            reason: self.reason.map(|r| r.as_str().to_string()),
            method: Some("PIXEL".to_string()),
            url: Some(if cfg.pixel.sandbox {
                "sandboxed iframe".into()
            } else {
                "main window".into()
            }),
            headers: None,
            body: self.body,
            error: self.error,
            replay_of: None,
            origin_key: Some(format!("pixel:{}:{}", connector.id, context.row.id)),
            request: None,
            provenance: context.row.provenance(),
        })
    }
}
