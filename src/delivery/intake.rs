//! Recording an event, whichever surface it came from: give it an event id, match it to a
//! visitor, and store it once, with only the personal data its container's connectors send
//! raw (`core::privacy`). Browser events (`/e`) and both webhook surfaces share this path.
//!
//! Deduplication follows the event's provenance. A browser event is a duplicate only when the
//! same visitor already sent its id, so an anonymous caller learns nothing about events it did not
//! send. A server event is a duplicate of an earlier server event with its id; when only browser
//! events sent that id, it confirms one of them ([`crate::core::confirmation`]) instead.
//!
//! A refund (the custom webhook's `refund`) of a conversion not known yet is stored as a Refund
//! event keyed apart from the conversion's id ([`early_refund_key`]): a repeated refund is its
//! duplicate, but the conversion that arrives later is stored and dispatched, then reversed
//! (`received → reversed`, by the server, reason `refund_before_conversion`), so a connector
//! with `send_reversals` is sent the conversion and then its reversal.

use crate::core::confirmation::{choose_confirmation, BrowserClaim, ServerMoney};
use crate::core::event::NewEvent;
use crate::core::ids::{ContainerId, EventId, EventRowId};
use crate::core::lifecycle::{transition, ConversionStatus, REFUND_BEFORE_CONVERSION_REASON};
use crate::core::matching::MatchKeys;
use crate::core::money::{Amount, Currency};
use crate::core::privacy::{minimise_event, PiiPolicy};
use crate::core::provenance::Provenance;
use crate::core::time::UnixMs;
use crate::error::{Error, Result};
use crate::platform::new_id;
use crate::store::events::{
    self, early_refund_key, Confirming, EventRow, MatchedVisitor, NewRow, Stored,
};
use crate::store::identities;
use crate::store::lifecycle::{self, NewStatus};
use worker::{D1Database, D1PreparedStatement, D1Result};

/// How the visitor of an event is known before matching.
pub enum KnownVisitor<'a> {
    /// A browser event: the browser's own (signed) `pc_vid`, or none when consent kept the
    /// cookie away. A browser event is never matched through the identities it carries: those
    /// are whatever the sender typed.
    Cookie(Option<&'a str>),
    /// A server event: match on the identities it carries.
    Unknown,
}

/// Stores `event` as [`record_server_event`] does for a server event (`KnownVisitor::Unknown`,
/// which reads what it needs itself), or as a browser event of the visitor its `pc_vid` names,
/// keyed by that visitor and its event id. A browser event without a visitor cannot be told
/// apart from another's, so it is never a duplicate.
pub async fn record_event_under(
    db: &D1Database,
    container_id: &ContainerId,
    event: &NewEvent,
    visitor: KnownVisitor<'_>,
    intake: Intake,
    now: UnixMs,
) -> Result<Stored> {
    let KnownVisitor::Cookie(visitor) = visitor else {
        return record_server_event(db, container_id, event, intake, |_| Ok(Vec::new()), now).await;
    };
    let row_id: EventRowId = new_id()?;
    let event_id = event
        .event_id
        .clone()
        .unwrap_or_else(|| EventId::from_row_id(&row_id));
    let dedup_key = match (&event.event_id, visitor) {
        (Some(id), Some(visitor)) => format!("b:{visitor}:{id}"),
        _ => format!("b:{row_id}"),
    };
    // Only what a connector sends raw is stored raw.
    let stored = minimise_event(event, intake.policy);
    let row = NewRow {
        row_id: &row_id,
        container_id,
        event_id: &event_id,
        dedup_key: &dedup_key,
        event: &stored,
        visitor: visitor.map(|visitor_id| MatchedVisitor {
            visitor_id,
            matched_by: "cookie",
        }),
        sent_by: visitor,
        dispatched: intake.dispatched,
    };
    events::insert(db, &row, now, Vec::new()).await
}

/// What storing a server event reads before it writes: the events that already sent its event
/// id, and the visitor its identities match.
pub struct ServerReads {
    claims: Vec<EventRow>,
    matched: Option<(String, String)>,
}

impl ServerReads {
    /// The reads for `event` as statements that can join another round trip (a webhook sends
    /// them with its key check); [`ServerReads::from_results`] reads their results.
    pub fn statements(
        db: &D1Database,
        container_id: &ContainerId,
        event: &NewEvent,
    ) -> Result<Vec<D1PreparedStatement>> {
        let mut statements = Vec::new();
        if let Some(id) = claimed_id(event) {
            statements.push(events::with_event_id_statement(db, container_id, id)?);
        }
        statements.extend(identities::match_statements(
            db,
            container_id,
            &MatchKeys::from_event(event),
        )?);
        Ok(statements)
    }

    /// What the statements of [`ServerReads::statements`] for `event` found.
    pub fn from_results(event: &NewEvent, results: &[D1Result]) -> Result<Self> {
        let (claims, lookups) = match claimed_id(event) {
            Some(_) => (events::rows_in(results.first())?, results.get(1..)),
            None => (Vec::new(), Some(results)),
        };
        let keys = MatchKeys::from_event(event);
        let matched = identities::matched_in(&keys, lookups.unwrap_or_default())?;
        Ok(Self { claims, matched })
    }

    /// The reads in one round trip of their own.
    async fn read(db: &D1Database, container_id: &ContainerId, event: &NewEvent) -> Result<Self> {
        let statements = Self::statements(db, container_id, event)?;
        if statements.is_empty() {
            return Self::from_results(event, &[]);
        }
        let results = crate::store::batch(db, statements, "reading for an event").await?;
        Self::from_results(event, &results)
    }
}

/// The event id whose earlier events a server event must look at.
fn claimed_id(event: &NewEvent) -> Option<&EventId> {
    event
        .event_id
        .as_ref()
        .filter(|_| event.provenance() == Provenance::Server)
}

/// How an event is taken in: its container's [`PiiPolicy`], a server event's [`ServerReads`]
/// when they were read ahead (`None` reads them; a browser event has none), and whether a new
/// one is stored already marked dispatched.
pub struct Intake {
    pub policy: PiiPolicy,
    pub reads: Option<ServerReads>,
    /// No connector of the container can fire for the event
    /// ([`crate::delivery::KnownSettings::nothing_to_dispatch`]): a new one is stored already
    /// marked dispatched.
    pub dispatched: bool,
}

/// Stores the server event `event` for `container_id` once (see the module's rules). A repeated
/// event answers the earlier one with `duplicate: true`; a confirmation answers the confirmed
/// event with `confirmed: true`. With its reads done ahead, a new event is one round trip:
/// `also` gives the statements that join its write, from what the write will answer (if the
/// write loses a race to the same event id, the answer is the duplicate instead).
pub async fn record_server_event(
    db: &D1Database,
    container_id: &ContainerId,
    event: &NewEvent,
    intake: Intake,
    also: impl FnOnce(&Stored) -> Result<Vec<D1PreparedStatement>>,
    now: UnixMs,
) -> Result<Stored> {
    let row_id: EventRowId = new_id()?;
    let event_id = event
        .event_id
        .clone()
        .unwrap_or_else(|| EventId::from_row_id(&row_id));
    // Only what a connector sends raw is stored raw; matching uses the event as sent.
    let stored = minimise_event(event, intake.policy);
    let reads = match intake.reads {
        Some(reads) => reads,
        None => ServerReads::read(db, container_id, event).await?,
    };
    let ServerReads { claims, matched } = reads;
    // A Refund stored before its conversion holds a key of its own ([`early_refund_key`]): only
    // a repeated refund is its duplicate, and the conversion arriving after it is stored, then
    // reversed in the same transaction.
    let (early_refunds, claims): (Vec<EventRow>, Vec<EventRow>) =
        claims.into_iter().partition(EventRow::is_early_refund);
    let refund_key = match &event.event_id {
        Some(id) if event.is_refund() => Some(early_refund_key(id)),
        _ => None,
    };
    let visitor = matched
        .as_ref()
        .map(|(visitor_id, matched_by)| MatchedVisitor {
            visitor_id,
            matched_by,
        });
    if refund_key.is_some() {
        // Only reached when no conversion has the id (the refund reverses one that has).
        if let Some(earlier) = early_refunds.first() {
            return Ok(duplicate_of(earlier));
        }
    } else {
        if let Some(earlier) = claims
            .iter()
            .find(|e| e.provenance() != Provenance::Browser)
        {
            return Ok(duplicate_of(earlier));
        }
        let browser_claims: Vec<&EventRow> =
            claims.iter().filter(|e| e.shadow_of.is_none()).collect();
        if !browser_claims.is_empty() {
            let confirmed =
                confirm(db, container_id, &stored, &browser_claims, visitor, now).await?;
            if confirmed.confirmed && !early_refunds.is_empty() {
                reverse_confirmed(db, container_id, &confirmed, now).await?;
            }
            return Ok(confirmed);
        }
    }
    let refunded = refund_key.is_none() && !early_refunds.is_empty();
    let reversal = refunded.then(|| refund_before_conversion(now));
    let row = NewRow {
        row_id: &row_id,
        container_id,
        event_id: &event_id,
        dedup_key: refund_key.as_deref().unwrap_or(event_id.as_str()),
        event: &stored,
        visitor,
        sent_by: None,
        dispatched: intake.dispatched,
    };
    let expected = Stored {
        row_id: row_id.clone(),
        event_id: event_id.clone(),
        duplicate: false,
        confirmed: false,
        visitor_id: matched.as_ref().map(|(v, _)| v.clone()),
        matched_by: matched.as_ref().map(|(_, by)| by.clone()),
        written: None,
    };
    let mut statements = match &reversal {
        Some(change) => lifecycle::status_statements_of(db, &row_id, container_id, change)?,
        None => Vec::new(),
    };
    statements.extend(also(&expected)?);
    let mut stored = events::insert(db, &row, now, statements).await?;
    if let (Some(change), Some(written)) = (&reversal, stored.written.as_mut()) {
        // The reversal cleared the dispatch mark: the conversion is dispatched, then reversed.
        lifecycle::after_change(written, change);
        written.dispatched_at = None;
    }
    Ok(stored)
}

/// The reversal of a conversion whose refund came before it: received → reversed, by the
/// server that sent the refund.
fn refund_before_conversion(now: UnixMs) -> NewStatus<'static> {
    NewStatus {
        from: ConversionStatus::Received,
        to: ConversionStatus::Reversed,
        by: Provenance::Server,
        reason: Some(REFUND_BEFORE_CONVERSION_REASON),
        confirms: false,
        now,
    }
}

/// A browser event confirmed by a server event whose refund came first is reversed too (its own
/// round trip: confirming rewrites a row that already exists).
async fn reverse_confirmed(
    db: &D1Database,
    container_id: &ContainerId,
    confirmed: &Stored,
    now: UnixMs,
) -> Result<()> {
    let Some(row) = events::get(db, container_id, &confirmed.row_id).await? else {
        return Ok(());
    };
    if transition(row.status(), ConversionStatus::Reversed).is_err() {
        return Ok(());
    }
    let change = NewStatus {
        from: row.status(),
        ..refund_before_conversion(now)
    };
    lifecycle::set_status(db, &row, &change).await?;
    Ok(())
}

/// Confirms one of the browser events that sent the server event's id, as the confirmation
/// rules choose. Losing a race to another server event with the same id is a duplicate of it.
async fn confirm(
    db: &D1Database,
    container_id: &ContainerId,
    server_event: &NewEvent,
    claims: &[&EventRow],
    server_match: Option<MatchedVisitor<'_>>,
    now: UnixMs,
) -> Result<Stored> {
    let browser: Vec<BrowserClaim> = claims
        .iter()
        .map(|row| BrowserClaim {
            sent_by: row.sent_by.as_deref(),
            holds_event_id: row.dedup_key == row.event_id.as_str(),
            value: row.value.and_then(|v| Amount::from_f64(v, "value").ok()),
            currency: row
                .currency
                .as_deref()
                .and_then(|c| Currency::parse(c).ok()),
        })
        .collect();
    let server_match = server_match.map(|m| (m.visitor_id, m.matched_by));
    let server_money = ServerMoney {
        value: server_event.value,
        currency: server_event.currency,
    };
    let Some(choice) = choose_confirmation(&browser, server_match, server_money) else {
        return Err(Error::internal(
            "confirming an event",
            "no browser event to confirm",
        ));
    };
    let claim = claims[choice.claim];
    let browser_event: NewEvent = serde_json::from_str(&claim.payload)
        .map_err(|e| Error::internal("reading a stored event", e))?;
    let merged = browser_event.confirmed_by(server_event);
    let visitor = choice
        .visitor
        .as_ref()
        .map(|(visitor_id, matched_by)| MatchedVisitor {
            visitor_id,
            matched_by,
        });
    let confirming = Confirming {
        claim,
        event: &merged,
        visitor,
    };
    if events::confirm(db, &confirming, now).await? {
        return Ok(Stored {
            row_id: claim.id.clone(),
            event_id: claim.event_id.clone(),
            duplicate: false,
            confirmed: true,
            visitor_id: choice.visitor.as_ref().map(|(v, _)| v.clone()),
            matched_by: choice.visitor.map(|(_, by)| by),
            written: None,
        });
    }
    let winner = events::with_event_id(db, container_id, &claim.event_id)
        .await?
        .into_iter()
        .find(|e| e.provenance() != Provenance::Browser)
        .ok_or_else(|| Error::internal("confirming an event", "the confirmation vanished"))?;
    Ok(duplicate_of(&winner))
}

fn duplicate_of(row: &EventRow) -> Stored {
    Stored {
        row_id: row.id.clone(),
        event_id: row.event_id.clone(),
        duplicate: true,
        confirmed: false,
        visitor_id: row.visitor_id.clone(),
        matched_by: row.matched_by.clone(),
        written: None,
    }
}
