//! Dispatching a stored event: every connector of its container that has a postback for it
//! gets a delivery row — queued, test, skipped with the reason, or failed when no request could
//! be built — and the queued ones are sent to the queue after their rows are written.
//!
//! `origin_key = '{connector_id}:{event_row_id}'` is unique, so dispatching the same event
//! twice (a retried `/e`, a webhook resent) writes and sends nothing the second time: an event
//! never pays a partner twice.

use super::lifecycle::{follow_up_rows, FollowUp};
use super::outbox::{new_row, write_and_enqueue_with, RowOrigin};
use crate::core::clicks::cookies::CookieDomain;
use crate::core::clicks::CustomClickParam;
use crate::core::connector::ConnectorConfig;
use crate::core::consent::{Consent, ConsentSignal};
use crate::core::event::NewEvent;
use crate::core::event_params::EventFacts;
use crate::core::ids::{ContainerId, DeliveryId, EventRowId};
use crate::core::params::ParamValues;
use crate::core::postback::{
    click_records, cookie_click_records, cookie_clicks_as_stored, prepare_delivery, wants_pixel,
    wants_postback, ClickRecord, DeliveryInput, DeliveryKind, DeliveryPlan, DeliveryStatus,
    SkipReason, DAY_MS,
};
use crate::core::provenance::Provenance;
use crate::error::{Error, Result};
use crate::platform::{self, new_id, now};
use crate::store::connectors::{self, ConnectorRow, InvalidConnector};
use crate::store::deliveries::NewDelivery;
use crate::store::events::EventRow;
use crate::store::tracking::TrackingContainer;
use crate::store::{clicks, containers, dispatch_marks, events};
use serde::Serialize;
use worker::{D1Database, Env};

/// How far back a visitor's clicks are read: the `pc_clk` cookie's lifetime, which covers the
/// longest attribution window (365 days).
const HISTORY_DAYS: i64 = 400;

/// What dispatching one event did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DispatchSummary {
    /// Rows written, by status.
    pub queued: u32,
    pub test: u32,
    pub skipped: u32,
    pub failed: u32,
    /// Connectors this event had already been dispatched to: nothing was written or sent.
    pub already_dispatched: u32,
    /// The ids of the rows written.
    pub delivery_ids: Vec<DeliveryId>,
}

/// A stored event with everything its connectors need: the typed event, the container's
/// connectors, the resolved parameter values and the visitor's clicks for attribution.
/// Postbacks and pixels are both decided from it, so they always agree.
pub struct EventContext {
    pub row: EventRow,
    pub event: NewEvent,
    pub connectors: Vec<(ConnectorRow, ConnectorConfig)>,
    pub values: ParamValues,
    pub records: Vec<ClickRecord>,
    pub consent: Consent,
    /// Connectors whose stored config no longer reads back and that this event would trigger:
    /// each records a `failed` delivery saying why, instead of being dropped silently.
    pub invalid: Vec<InvalidConnector>,
}

/// What the caller already holds of the event's container (the browser surface's settings
/// cache): its connectors and its cookie domain, so loading the context does not read them again.
pub struct KnownSettings<'a> {
    pub connectors: &'a [(ConnectorRow, ConnectorConfig)],
    /// Its connectors whose stored config no longer reads back.
    pub invalid: &'a [InvalidConnector],
    pub cookie_domain: &'a str,
}

impl<'a> KnownSettings<'a> {
    /// What the settings cache holds of `container`.
    pub fn of(container: &'a TrackingContainer) -> Self {
        Self {
            connectors: &container.connectors,
            invalid: &container.invalid_connectors,
            cookie_domain: &container.row.cookie_domain,
        }
    }

    /// Whether a new event named `name` has nothing to dispatch: none of these connectors has a
    /// postback for it, and none that no longer reads back would trigger one (follow-ups are
    /// owed only by events already sent). Such an event is stored already marked dispatched and
    /// costs nothing after its answer; a connector added since the settings were cached is seen
    /// within their lifetime, as everywhere else.
    pub fn nothing_to_dispatch(&self, name: &str) -> bool {
        !self.connectors.iter().any(|(_, c)| wants_postback(c, name))
            && !self.invalid.iter().any(|c| c.triggers_postback(name))
    }
}

/// Loads the stored event `event_row_id` of `container_id`; the click history is read only when
/// some connector wants this event.
pub async fn load_context(
    db: &D1Database,
    container_id: &ContainerId,
    event_row_id: &EventRowId,
) -> Result<EventContext> {
    load_context_with(db, container_id, event_row_id, None).await
}

/// [`load_context`], taking the container's connectors and cookie domain from `known` when given.
pub async fn load_context_with(
    db: &D1Database,
    container_id: &ContainerId,
    event_row_id: &EventRowId,
    known: Option<KnownSettings<'_>>,
) -> Result<EventContext> {
    let row = events::get(db, container_id, event_row_id)
        .await?
        .ok_or_else(|| Error::not_found("event"))?;
    context_of(db, row, known).await
}

/// [`load_context_with`] for the event `row` already in hand (as its insert wrote it).
pub async fn context_of(
    db: &D1Database,
    row: EventRow,
    known: Option<KnownSettings<'_>>,
) -> Result<EventContext> {
    let container_id = &row.container_id.clone();
    let event: NewEvent = serde_json::from_str(&row.payload)
        .map_err(|e| Error::internal("reading a stored event", e))?;
    let (all, invalid) = match &known {
        Some(known) => (known.connectors.to_vec(), known.invalid.to_vec()),
        None => connectors::all_of(db, container_id).await?,
    };
    let invalid = invalid
        .into_iter()
        .filter(|c| c.triggers_postback(&row.name))
        .collect();
    let connectors: Vec<(ConnectorRow, ConnectorConfig)> = all
        .into_iter()
        .filter(|(_, config)| wants_postback(config, &row.name) || wants_pixel(config, &row.name))
        .collect();
    let visitor_id = row.visitor_id.clone().or_else(|| event.visitor_id.clone());
    let provenance = row.provenance();
    // A browser event is attributed from the signed pc_clk it carried; a server event (a
    // confirmed one included) from the stored clicks of the visitor its own match found.
    let from_cookie = provenance == Provenance::Browser;
    let history = match (connectors.is_empty(), visitor_id.as_deref()) {
        _ if from_cookie => cookie_clicks_as_stored(&event.cookie_history),
        (false, Some(visitor)) => {
            let since = row.created_at.plus_ms(-HISTORY_DAYS * DAY_MS);
            clicks::history(db, container_id, visitor, since).await?
        }
        _ => Vec::new(),
    };
    let cookie_domain = match (connectors.is_empty(), &known) {
        (true, _) => None,
        (false, Some(known)) => CookieDomain::parse(known.cookie_domain).ok(),
        (false, None) => containers::get(db, container_id)
            .await?
            .and_then(|c| CookieDomain::parse(&c.cookie_domain).ok()),
    };
    let values = ParamValues::for_event(&EventFacts {
        event: &event,
        event_id: row.event_id.as_str(),
        at_ms: row.created_at.millis(),
        visitor_id: visitor_id.as_deref(),
        provenance,
        cookie_domain: cookie_domain.as_ref(),
        history: &history,
    });
    let records = if from_cookie {
        let custom: Vec<CustomClickParam> = connectors
            .iter()
            .filter_map(|(_, c)| CustomClickParam::from_config(&c.click_id))
            .collect();
        cookie_click_records(&event.cookie_history, &custom)
    } else {
        click_records(&history, &event.clicks, row.created_at.millis())
    };
    let mut consent = event.consent;
    if row.consent_advertising == 0 {
        consent.advertising = ConsentSignal::Denied;
    }
    Ok(EventContext {
        row,
        event,
        connectors,
        values,
        records,
        consent,
        invalid,
    })
}

/// Dispatch the stored event `event_row_id` of `container_id` to its container's connectors.
pub async fn dispatch_event(
    env: &Env,
    container_id: &ContainerId,
    event_row_id: &EventRowId,
) -> Result<DispatchSummary> {
    let db = platform::d1(env)?;
    let context = load_context(&db, container_id, event_row_id).await?;
    dispatch_loaded(env, &db, &context).await
}

/// [`dispatch_event`] with the container's settings the caller holds (`known`, the settings
/// cache): its connectors and cookie domain are not read again.
pub async fn dispatch_event_with(
    env: &Env,
    known: KnownSettings<'_>,
    container_id: &ContainerId,
    event_row_id: &EventRowId,
) -> Result<DispatchSummary> {
    let db = platform::d1(env)?;
    let context = load_context_with(&db, container_id, event_row_id, Some(known)).await?;
    dispatch_loaded(env, &db, &context).await
}

/// Dispatch an already loaded event, then mark it dispatched so the sweep leaves it alone.
pub async fn dispatch_loaded(
    env: &Env,
    db: &D1Database,
    context: &EventContext,
) -> Result<DispatchSummary> {
    let row = &context.row;
    let mut summary = DispatchSummary::default();
    let mut rows = Vec::new();
    // A browser event repeating a server event's id fires its pixels but never a postback.
    let connectors = match row.shadow_of {
        Some(_) => &[][..],
        None => &context.connectors[..],
    };
    for (connector, config) in connectors
        .iter()
        .filter(|(_, c)| wants_postback(c, &row.name))
    {
        let delivery_id: DeliveryId = new_id()?;
        let input = delivery_input(
            context,
            &delivery_id,
            connector,
            config,
            DeliveryKind::Conversion,
        );
        let Some(plan) = prepare_delivery(&input) else {
            continue;
        };
        let origin_key = format!("{}:{}", connector.id, row.id);
        rows.push(planned_row(
            row,
            (connector, config),
            delivery_id,
            &plan,
            origin_key,
            None,
        ));
    }

    if row.shadow_of.is_none() {
        rows.extend(
            context
                .invalid
                .iter()
                .map(|c| invalid_row(row, c))
                .collect::<Result<Vec<_>>>()?,
        );
    }
    let originals = rows.len();
    // A conversion whose status flipped owes the connectors that were sent it a reversal or a
    // reinstatement.
    rows.extend(follow_up_rows(db, context, FollowUp::Status).await?);
    // The dispatch mark goes in the rows' round trip: both are written or neither is.
    let mark = dispatch_marks::mark_dispatched_statement(db, &row.id, now())?;
    let mut written = write_and_enqueue_with(env, db, &rows, vec![mark], now()).await?;
    // A conversion withdrawn before its first dispatch (its refund came first) is sent, then
    // reversed: the reversals follow the originals just written.
    if row.status().is_withdrawn() && written.iter().take(originals).any(|w| *w) {
        let reversals = follow_up_rows(db, context, FollowUp::Status).await?;
        if !reversals.is_empty() {
            written.extend(write_and_enqueue_with(env, db, &reversals, Vec::new(), now()).await?);
            rows.extend(reversals);
        }
    }
    for (new, was_written) in rows.iter().zip(written) {
        if !was_written {
            summary.already_dispatched += 1;
            continue;
        }
        summary.delivery_ids.push(new.id.clone());
        match new.status {
            DeliveryStatus::Queued | DeliveryStatus::Retrying | DeliveryStatus::Parked => {
                summary.queued += 1
            }
            DeliveryStatus::Test => summary.test += 1,
            DeliveryStatus::Skipped => summary.skipped += 1,
            // Only a request that could not be built is written as failed (never delivered).
            DeliveryStatus::Failed | DeliveryStatus::Delivered => summary.failed += 1,
        }
    }
    Ok(summary)
}

/// The `failed` row of a connector that no longer reads back: it says why, in the log and the
/// reconciliation, and is written once per event like any delivery.
fn invalid_row(row: &EventRow, invalid: &InvalidConnector) -> Result<NewDelivery> {
    let origin = RowOrigin {
        id: new_id()?,
        container_id: row.container_id.clone(),
        connector_id: invalid.row.id.clone(),
        event_row_id: Some(row.id.clone()),
        status: DeliveryStatus::Failed,
        reason: Some(SkipReason::ConnectorInvalid.as_str().to_string()),
        error: Some(invalid.error.clone()),
        replay_of: None,
        origin_key: Some(format!("{}:{}", invalid.row.id, row.id)),
        idempotency_key: None,
        provenance: row.provenance(),
    };
    Ok(new_row(origin, None, None))
}

/// What the postback plan needs to decide one connector's delivery `delivery_id` of the event in
/// `context`: the conversion itself or a follow-up (`kind`).
pub fn delivery_input<'a>(
    context: &'a EventContext,
    delivery_id: &'a DeliveryId,
    connector: &'a ConnectorRow,
    config: &'a ConnectorConfig,
    kind: DeliveryKind<'a>,
) -> DeliveryInput<'a> {
    let row = &context.row;
    DeliveryInput {
        delivery_id: delivery_id.as_str(),
        connector_id: connector.id.as_str(),
        connector: config,
        event_id: row.event_id.as_str(),
        event_name: &row.name,
        provenance: row.provenance(),
        force_send: context.event.force_send,
        consent: context.consent,
        values: &context.values,
        clicks: &context.records,
        // Attribution windows count back from the conversion, not from now.
        now_ms: row.created_at.millis(),
        status: row.status(),
        kind,
    }
}

/// The delivery row `plan` writes for `connector` on the event `row`: unique per connector and
/// event by `origin_key`, with `idempotency_key` (`None`: the row's own), naming the connector's
/// secret version when it signs (each attempt signs with its secrets as they are then).
pub fn planned_row(
    row: &EventRow,
    (connector, config): (&ConnectorRow, &ConnectorConfig),
    delivery_id: DeliveryId,
    plan: &DeliveryPlan,
    origin_key: String,
    idempotency_key: Option<String>,
) -> NewDelivery {
    let origin = RowOrigin {
        id: delivery_id,
        container_id: row.container_id.clone(),
        connector_id: connector.id.clone(),
        event_row_id: Some(row.id.clone()),
        status: plan.status,
        reason: plan.reason.map(|r| r.as_str().to_string()),
        error: plan.error.clone(),
        replay_of: None,
        origin_key: Some(origin_key),
        idempotency_key,
        provenance: row.provenance(),
    };
    let secret_version = (config.webhook.signing_secret.as_ref()).map(|_| connector.secret_version);
    new_row(origin, plan.request.as_ref(), secret_version)
}
