//! A bulk status change (`POST /admin/api/containers/:id/events/status`, up to 1,000 items)
//! within D1's limit of 1,000 queries per Worker invocation (Workers Paid, 50 on Free;
//! Cloudflare's D1 limits page). Changing and re-planning each item on its own took about eight
//! queries an item, so a bulk failed part-way past ~120 items on the platform. Instead:
//! - every item is checked against its conversion as the items before it left it (no query);
//! - the changes are written by [`lifecycle::set_statuses`], 25 to a round trip;
//! - the changed conversions' connectors are re-planned after the answer while the run stays
//!   within [`DISPATCH_D1_SHARE`] queries; the rest stay marked undispatched (every status
//!   change marks its event so), and the cron sweep re-plans them within minutes.

use super::dispatch::dispatch_event;
use super::lifecycle::{plan, status_changed};
use crate::core::ids::{ContainerId, EventId, EventRowId};
use crate::core::lifecycle::StatusChange;
use crate::core::provenance::Provenance;
use crate::core::time::UnixMs;
use crate::error::Result;
use crate::metering::{d1_within, Metered};
use crate::store::events::EventRow;
use crate::store::lifecycle::{self, Named, NewStatus};
use worker::{D1Database, Env};

/// D1 queries the re-planning after the answer may make; the request itself makes about fifty
/// at most for 1,000 items (its reads in one round trip, then one write per 25 changes).
pub const DISPATCH_D1_SHARE: u32 = 700;

/// One item's outcome: the conversion as changed, or why not (404 for an unknown event id,
/// 409 for an id only several senders' browser events sent, a forbidden transition or a lost
/// race).
pub type ItemOutcome = Result<EventRow>;

/// Applies `items` (the caller's event id, the change) to what those ids name (`named`, from
/// [`lifecycle::by_event_ids`]), in order. Answers each item's outcome and the conversions that
/// changed. `refused` makes an item's error for an id that names no conversion
/// ([`Named::Unknown`] or [`Named::Ambiguous`]; it knows the field).
pub async fn change_statuses(
    db: &D1Database,
    named: Vec<(EventId, Named)>,
    items: &[(EventId, StatusChange)],
    refused: impl Fn(usize, Named) -> crate::error::Error,
    now: UnixMs,
) -> Result<(Vec<ItemOutcome>, Vec<(ContainerId, EventRowId)>)> {
    let ambiguous: Vec<EventId> = (named.iter())
        .filter(|(_, n)| matches!(n, Named::Ambiguous))
        .map(|(id, _)| id.clone())
        .collect();
    let mut rows: Vec<EventRow> = named
        .into_iter()
        .filter_map(|(_, n)| n.conversion())
        .collect();
    // Checked in order: a later item naming the same conversion starts from this one's result.
    let mut planned: Vec<Option<(EventRow, NewStatus<'_>, EventRow)>> = Vec::new();
    let mut outcomes: Vec<Option<ItemOutcome>> = Vec::new();
    for (index, (event_id, change)) in items.iter().enumerate() {
        let Some(at) = rows.iter().position(|r| &r.event_id == event_id) else {
            let named = if ambiguous.contains(event_id) {
                Named::Ambiguous
            } else {
                Named::Unknown
            };
            outcomes.push(Some(Err(refused(index, named))));
            planned.push(None);
            continue;
        };
        match plan(&rows[at], change, Provenance::Admin, now) {
            Err(e) => {
                outcomes.push(Some(Err(e)));
                planned.push(None);
            }
            Ok(new) => {
                let before = rows[at].clone();
                lifecycle::after_change(&mut rows[at], &new);
                planned.push(Some((before, new, rows[at].clone())));
                outcomes.push(None);
            }
        }
    }
    let writes: Vec<(&EventRow, NewStatus<'_>)> = (planned.iter().flatten())
        .map(|(before, new, _)| (before, *new))
        .collect();
    let mut written = lifecycle::set_statuses(db, &writes).await?.into_iter();
    let mut changed: Vec<(ContainerId, EventRowId)> = Vec::new();
    let outcomes = outcomes
        .into_iter()
        .zip(planned)
        .map(|(outcome, plan)| match (outcome, plan) {
            (Some(done), _) => done,
            (None, Some((_, _, after))) if written.next() == Some(true) => {
                if !changed.iter().any(|(_, id)| *id == after.id) {
                    changed.push((after.container_id.clone(), after.id.clone()));
                }
                Ok(after)
            }
            // Another change came first (or an earlier item of this conversion lost its race).
            (None, _) => Err(status_changed()),
        })
        .collect();
    Ok((outcomes, changed))
}

/// Re-plans the changed conversions' connectors, after the answer, while the run's D1 queries
/// stay within [`DISPATCH_D1_SHARE`]; the rest are left to the cron sweep. Logs what it did.
pub async fn dispatch_changed(env: &Env, changed: Vec<(ContainerId, EventRowId)>) {
    let total = changed.len();
    let run = Metered::new(async move {
        let mut done = 0;
        for (container_id, id) in &changed {
            if !d1_within(DISPATCH_D1_SHARE) {
                break;
            }
            if let Err(e) = dispatch_event(env, container_id, id).await {
                worker::console_error!("re-planning event {id} after a bulk status change: {e}");
            }
            done += 1;
        }
        done
    });
    let counts = run.counts();
    let done = run.await;
    worker::console_log!(
        "bulk status change: re-planned {done} of {total} conversions in {} D1 queries; the sweep re-plans the rest",
        counts.d1()
    );
}
