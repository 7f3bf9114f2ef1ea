//! What a conversion's status does to its deliveries: a status change re-plans the event's
//! connectors (an approval turns `awaiting_approval` skips into deliveries, and an approval
//! from an authenticated caller confirms a browser event), and a change that flips whether the
//! conversion stands sends each connector with `send_reversals` that was sent the conversion a
//! follow-up: a reversal on rejection or reversal, a reinstatement when a rejected conversion is
//! approved again ([`status_follow_up`] decides which). A server event repeating a known
//! conversion id with another value sends update postbacks to connectors with
//! `duplicate_policy: update`.
//!
//! Follow-up postbacks are rows of their own, keyed `{connector}:{event}:reversal` (a
//! connector's first reversal), `{connector}:{event}:status:{n}` (a later status follow-up, `n`
//! the change's ordinal in the status history) and `{connector}:{event}:update:{n}`
//! (`origin_key` is unique), with the original's idempotency key extended the same way, which is
//! also their `webhook-id`. The keys follow from the stored history, so the sweep's re-dispatch
//! of an event (its status change marks it undispatched) sends each once.

use super::dispatch::{delivery_input, dispatch_event, planned_row, EventContext};
use super::outbox::write_and_enqueue;
use crate::core::event::NewEvent;
use crate::core::ids::{ContainerId, DeliveryId, EventRowId};
use crate::core::lifecycle::{
    follow_up_key, status_follow_up, transition, update_suffix, ConversionStatus, DuplicatePolicy,
    IllegalTransition, StatusChange, LOCK_PERIOD_REASON,
};
use crate::core::postback::{prepare_delivery, DeliveryKind, DeliveryStatus};
use crate::core::provenance::Provenance;
use crate::core::time::UnixMs;
use crate::error::{Error, Result};
use crate::platform::{self, new_id};
use crate::store::deliveries::NewDelivery;
use crate::store::events::EventRow;
use crate::store::follow_ups;
use crate::store::lifecycle::{self, NewStatus};
use worker::{D1Database, Env};

/// Changes the status of the stored event `row` as `by` asked, then re-plans its connectors.
/// Errors: 409 `illegal_transition` for a move the lifecycle forbids, 409 `status_changed` when
/// another change won the race. A failure after the change is stored is logged: the event is
/// marked undispatched, so the sweep re-plans it.
pub async fn change_status(
    env: &Env,
    db: &D1Database,
    row: &EventRow,
    change: &StatusChange,
    by: Provenance,
    now: UnixMs,
) -> Result<()> {
    let new = plan(row, change, by, now)?;
    write_and_replan(env, db, row, &new).await
}

/// Writes `new` of `row` (409 `status_changed` when another change won the race), then
/// re-plans its connectors.
async fn write_and_replan(
    env: &Env,
    db: &D1Database,
    row: &EventRow,
    new: &NewStatus<'_>,
) -> Result<()> {
    if !lifecycle::set_status(db, row, new).await? {
        return Err(status_changed());
    }
    if let Err(e) = dispatch_event(env, &row.container_id, &row.id).await {
        worker::console_error!("re-planning event {} after a status change: {e}", row.id);
    }
    Ok(())
}

/// The change `by` asks of `row`, checked against the lifecycle: 409 `illegal_transition` for a
/// move it forbids. An authenticated approval of a browser event confirms it.
pub fn plan<'a>(
    row: &EventRow,
    change: &'a StatusChange,
    by: Provenance,
    now: UnixMs,
) -> Result<NewStatus<'a>> {
    let from = row.status();
    transition(from, change.status)
        .map_err(|e| Error::conflict(IllegalTransition::CODE, e.message()))?;
    Ok(NewStatus {
        from,
        to: change.status,
        by,
        reason: change.reason.as_deref(),
        confirms: change.status == ConversionStatus::Approved
            && by != Provenance::Browser
            && row.provenance() == Provenance::Browser,
        now,
    })
}

/// 409 `status_changed`: another change of the event won the race.
pub fn status_changed() -> Error {
    Error::conflict(
        "status_changed",
        "the event's status changed meanwhile: read it again",
    )
}

/// Which follow-up postbacks to plan.
#[derive(Debug, Clone, Copy)]
pub enum FollowUp {
    /// What the conversion's status history owes each connector with `send_reversals`: a
    /// reversal, a reinstatement, or nothing ([`status_follow_up`]).
    Status,
    /// The conversion's value changed for the `n`th time.
    Update(i64),
}

/// Whether the original delivery was sent: delivered, or still being delivered.
fn was_sent(status: &str) -> bool {
    matches!(
        DeliveryStatus::parse(status),
        Some(
            DeliveryStatus::Queued
                | DeliveryStatus::Retrying
                | DeliveryStatus::Delivered
                | DeliveryStatus::Parked
        )
    )
}

/// The follow-up rows the event owes its connectors: the status follow-up its history owes
/// (connectors with `send_reversals`), or an update. Only connectors that were sent the
/// conversion get one; the rows' `origin_key`s make writing them idempotent.
pub async fn follow_up_rows(
    db: &D1Database,
    context: &EventContext,
    follow_up: FollowUp,
) -> Result<Vec<NewDelivery>> {
    let row = &context.row;
    let wanted = |config: &crate::core::connector::ConnectorConfig| match follow_up {
        // A received conversion never changed status: nothing to follow up yet.
        FollowUp::Status => {
            config.webhook.send_reversals && row.status() != ConversionStatus::Received
        }
        FollowUp::Update(_) => config.webhook.duplicate_policy == DuplicatePolicy::Update,
    };
    if row.shadow_of.is_some() || !context.connectors.iter().any(|(_, c)| wanted(c)) {
        return Ok(Vec::new());
    }
    let with_history = matches!(follow_up, FollowUp::Status);
    let (made, history) = follow_ups::follow_up_state(db, &row.id, with_history).await?;
    let mut rows = Vec::new();
    for (connector, config) in context.connectors.iter().filter(|(_, c)| wanted(c)) {
        let own = format!("{}:{}", connector.id, row.id);
        let Some(original) = made
            .iter()
            .find(|d| d.origin_key == own && was_sent(&d.status))
        else {
            continue;
        };
        let (suffix, status) = match follow_up {
            FollowUp::Status => {
                let prefix = format!("{own}:");
                let written: Vec<&str> = made
                    .iter()
                    .filter_map(|d| d.origin_key.strip_prefix(&prefix))
                    .collect();
                let Some(owed) = status_follow_up(&history, &written) else {
                    continue;
                };
                (owed.suffix, owed.status)
            }
            FollowUp::Update(n) => (update_suffix(n), row.status()),
        };
        let key = follow_up_key(&original.idempotency_key, &suffix);
        let delivery_id: DeliveryId = new_id()?;
        let mut input = delivery_input(
            context,
            &delivery_id,
            connector,
            config,
            DeliveryKind::FollowUp(&key),
        );
        // A status follow-up announces the change it follows, whatever the row read earlier.
        input.status = status;
        let Some(plan) = prepare_delivery(&input) else {
            continue;
        };
        // A connector since disabled or in test mode logs the follow-up as it would the
        // conversion; one that now skips it for attribution or consent sends nothing.
        if plan.status == DeliveryStatus::Skipped && plan.reason.is_some() {
            continue;
        }
        rows.push(planned_row(
            row,
            (connector, config),
            delivery_id,
            &plan,
            follow_up_key(&own, &suffix),
            Some(key.clone()),
        ));
    }
    Ok(rows)
}

/// A server event repeated the id of the stored event `row_id` with `event`'s value and
/// currency. When they differ and a connector of the event updates on duplicates, the stored
/// value becomes the new one and each such connector that was sent the conversion gets an
/// update postback. Returns how many update postbacks were written.
pub async fn on_duplicate(
    env: &Env,
    container_id: &ContainerId,
    row_id: &EventRowId,
    event: &NewEvent,
) -> Result<u32> {
    let db = platform::d1(env)?;
    // The common case, the same value resent, costs one read.
    let Some(row) = crate::store::events::get(&db, container_id, row_id).await? else {
        return Ok(0);
    };
    let new_value = event.value.map(|a| a.get());
    let new_currency = event.currency.map(|c| c.as_str().to_string());
    if row.provenance() == Provenance::Browser
        || (new_value == row.value && new_currency == row.currency)
    {
        return Ok(0);
    }
    let mut context = super::dispatch::load_context(&db, container_id, row_id).await?;
    let updates = context.connectors.iter().any(|(_, c)| {
        c.webhook.duplicate_policy == DuplicatePolicy::Update && c.triggers_on(&row.name)
    });
    if !updates {
        return Ok(0);
    }
    let mut stored: NewEvent = context.event.clone();
    stored.value = event.value;
    stored.currency = event.currency;
    let n = row.revision + 1;
    if !lifecycle::revise_value(&db, &row, &stored, n).await? {
        return Ok(0);
    }
    // Re-read with the new value, so the update postback carries it.
    context = super::dispatch::load_context(&db, container_id, row_id).await?;
    let rows = follow_up_rows(&db, &context, FollowUp::Update(n)).await?;
    let written = write_and_enqueue(env, &db, &rows, crate::platform::now()).await?;
    Ok(written.iter().filter(|w| **w).count() as u32)
}

/// The cron sweep's part: approves the conversions whose container's lock period has passed
/// (provenance `admin`, reason `lock_period`), at most `limit` per run, confirming no browser
/// event. Returns how many.
pub async fn approve_past_lock_period(
    env: &Env,
    db: &D1Database,
    now: UnixMs,
    limit: u32,
) -> Result<usize> {
    let change = StatusChange {
        status: ConversionStatus::Approved,
        reason: Some(LOCK_PERIOD_REASON.to_string()),
    };
    let mut approved = 0;
    for row in lifecycle::past_lock_period(db, now, limit).await? {
        // The sweep's share of the run's D1 queries: the rest waits for the next run.
        if !crate::metering::d1_within(super::sweep::D1_SHARE_APPROVE) {
            break;
        }
        // Time passing is not the site's word on whose purchase a browser event is (it cannot
        // choose among several visitors who sent the id, and one sender may be anyone with
        // curl): the lock period approves a browser event without confirming it, so it stays a
        // browser event and pays no connector that fires on server events.
        let written = match plan(&row, &change, Provenance::Admin, now) {
            Ok(new) => {
                let new = NewStatus {
                    confirms: false,
                    ..new
                };
                write_and_replan(env, db, &row, &new).await
            }
            Err(e) => Err(e),
        };
        match written {
            Ok(()) => approved += 1,
            // Another change came first: nothing to approve.
            Err(Error::Conflict { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(approved)
}
