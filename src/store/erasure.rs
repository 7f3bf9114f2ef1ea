//! Erasing one person's data everywhere ([`erase`]), and the hashed erasure record that queue
//! consumers check ([`names_any`]).
//!
//! What goes: their clicks, identities, parked identities, visitor profile and webhook
//! activity; their events keep only what reconciliation counts (name, value, currency, event
//! id, times, status) and lose the payload's personal fields (URL, attributes, user data,
//! clicks, visitor, IP, user agent); their deliveries keep status and connector but lose the
//! request, body, headers, response and the URL's query values, and a pending one is settled as
//! `skipped` with reason `erased`. The record is written first, with a mark on each erased
//! event (`events.erased_at`) in the same transaction, so a consumer that races the erasure
//! already drops what it names.

use super::subjects::{placeholders, resolve, with_container, Resolved, IDS_PER_STATEMENT};
use super::{all, batch_changes, first, statement, text, time};
use crate::core::ids::{ContainerId, DeliveryId};
use crate::core::privacy::subject::{subject_hash, url_without_query_values, Subject};
use crate::core::time::UnixMs;
use crate::error::Result;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use worker::{D1Database, D1PreparedStatement};

/// What one erasure removed, per table (rows deleted, or emptied of personal data).
pub type Removed = BTreeMap<&'static str, usize>;

/// The answer to an erasure request.
#[derive(Debug, Clone, Serialize)]
pub struct ErasureOutcome {
    pub id: String,
    /// When this person was first erased (a repeat reports the first time).
    pub requested_at: UnixMs,
    pub removed: Removed,
}

#[derive(Deserialize)]
struct ExistingErasure {
    id: String,
    requested_at: UnixMs,
}

/// Whether the erasure record names any of `hashes` (see
/// [`crate::core::privacy::subject::subject_hash`]) in `container_id`.
pub async fn names_any(
    db: &D1Database,
    container_id: &ContainerId,
    hashes: &[String],
) -> Result<bool> {
    #[derive(Deserialize)]
    struct Hit {
        #[allow(dead_code)]
        subject_hash: String,
    }
    if hashes.is_empty() {
        return Ok(false);
    }
    let refs: Vec<&str> = hashes.iter().map(String::as_str).collect();
    let sql = format!(
        "SELECT subject_hash FROM erased_subjects WHERE container_id = ?1 AND subject_hash IN ({}) LIMIT 1",
        placeholders(2, refs.len())
    );
    let hit: Option<Hit> = first(db, &sql, &with_container(container_id, &refs)).await?;
    Ok(hit.is_some())
}

/// Erases `subject` from `container_id`. `new_id` is used when the person was never erased
/// before; a repeat keeps the first record and removes whatever arrived since.
pub async fn erase(
    db: &D1Database,
    container_id: &ContainerId,
    subject: &Subject,
    new_id: &str,
    now: UnixMs,
) -> Result<ErasureOutcome> {
    let container = text(container_id.as_str());
    let existing: Option<ExistingErasure> = first(
        db,
        "SELECT id, requested_at FROM erasures WHERE container_id = ?1 AND subject_hash = ?2",
        &[container.clone(), text(&subject.hash())],
    )
    .await?;
    let (id, requested_at) = existing.map_or((new_id.to_string(), now), |e| (e.id, e.requested_at));
    let found = resolve(db, container_id, subject).await?;

    // The record first: consumers drop what it names from now on.
    write_record(db, container_id, subject, &id, requested_at, &found, now).await?;

    let mut removed = Removed::new();
    let events: Vec<&str> = found.events.iter().map(|e| e.id.as_str()).collect();
    scrub_deliveries(db, container_id, &events, &mut removed).await?;
    remove_rows(db, container_id, subject, &found, &mut removed).await?;
    for table in [
        "clicks",
        "identities",
        "pending_identities",
        "visitors",
        "events",
        "webhook_activity",
        "deliveries",
    ] {
        removed.entry(table).or_default();
    }
    let summary = serde_json::to_string(&removed).unwrap_or_default();
    super::run(
        db,
        "UPDATE erasures SET removed = ?3, completed_at = ?4 WHERE container_id = ?1 AND id = ?2",
        &[container, text(&id), text(&summary), time(now)],
    )
    .await?;
    Ok(ErasureOutcome {
        id,
        requested_at,
        removed,
    })
}

/// Deletes or empties the person's rows in one transaction, counting them per table.
async fn remove_rows(
    db: &D1Database,
    container_id: &ContainerId,
    subject: &Subject,
    found: &Resolved,
    removed: &mut Removed,
) -> Result<()> {
    let container = text(container_id.as_str());
    let events: Vec<&str> = found.events.iter().map(|e| e.id.as_str()).collect();
    let event_ids: Vec<&str> = found.events.iter().map(|e| e.event_id.as_str()).collect();
    let visitors: Vec<&str> = found.visitors.iter().map(String::as_str).collect();
    let per_id: [(&'static str, &str, &[&str]); 7] = [
        ("webhook_activity", "DELETE FROM webhook_requests WHERE container_id = ?1 AND event_id IN ({ids})", &event_ids),
        ("pending_identities", "DELETE FROM pending_identities WHERE container_id = ?1 AND event_row_id IN ({ids})", &events),
        // An erased event is never dispatched again by the sweep (its payload is gone).
        ("events", "UPDATE events SET visitor_id = NULL, matched_by = NULL, sent_by = NULL, \
          dedup_key = CASE WHEN dedup_key LIKE 'b:%' THEN 'b:' || id ELSE dedup_key END, payload = json_remove(payload, \
          '$.url', '$.attributes', '$.user', '$.clicks', '$.visitor_id', '$.ip', '$.user_agent'), \
          dispatched_at = COALESCE(dispatched_at, CAST(strftime('%s', 'now') AS INTEGER) * 1000) \
          WHERE container_id = ?1 AND id IN ({ids})", &events),
        // A status change's reason is free text, which may name the person.
        ("status_reasons", "UPDATE event_status_history SET reason = NULL WHERE container_id = ?1 \
          AND reason IS NOT NULL AND event_row_id IN ({ids})", &events),
        ("clicks", "DELETE FROM clicks WHERE container_id = ?1 AND visitor_id IN ({ids})", &visitors),
        ("identities", "DELETE FROM identities WHERE container_id = ?1 AND visitor_id IN ({ids})", &visitors),
        ("visitors", "DELETE FROM visitors WHERE container_id = ?1 AND visitor_id IN ({ids})", &visitors),
    ];
    let mut statements: Vec<(&'static str, D1PreparedStatement)> = Vec::new();
    for (table, sql, ids) in per_id {
        for chunk in ids.chunks(IDS_PER_STATEMENT) {
            let sql = sql.replace("{ids}", &placeholders(2, chunk.len()));
            statements.push((
                table,
                statement(db, &sql, &with_container(container_id, chunk))?,
            ));
        }
    }
    if let Some(kind) = subject.kind.identity_kind() {
        let args = [container.clone(), text(kind), text(&subject.key)];
        let sql = "DELETE FROM identities WHERE container_id = ?1 AND kind = ?2 AND value = ?3";
        statements.push(("identities", statement(db, sql, &args)?));
        let sql =
            "DELETE FROM pending_identities WHERE container_id = ?1 AND kind = ?2 AND value = ?3";
        statements.push(("pending_identities", statement(db, sql, &args)?));
    }
    let (tables, prepared): (Vec<&'static str>, Vec<D1PreparedStatement>) =
        statements.into_iter().unzip();
    for (table, n) in tables.into_iter().zip(batch_changes(db, prepared).await?) {
        *removed.entry(table).or_default() += n;
    }
    Ok(())
}

/// The erasure record: the request's row and the hash of everything it names.
async fn write_record(
    db: &D1Database,
    container_id: &ContainerId,
    subject: &Subject,
    id: &str,
    requested_at: UnixMs,
    found: &Resolved,
    now: UnixMs,
) -> Result<()> {
    let container = text(container_id.as_str());
    let mut hashes = vec![subject.hash()];
    hashes.extend(found.visitors.iter().map(|v| subject_hash("visitor_id", v)));
    hashes.extend(
        found
            .events
            .iter()
            .map(|e| subject_hash("event", e.id.as_str())),
    );
    let mut record = vec![statement(
        db,
        "INSERT INTO erasures (id, container_id, subject_hash, kind, requested_at) VALUES (?1, ?2, ?3, ?4, ?5) \
         ON CONFLICT (container_id, subject_hash) DO NOTHING",
        &[text(id), container.clone(), text(&subject.hash()), text(subject.kind.field()), time(requested_at)],
    )?];
    for hash in &hashes {
        record.push(statement(
            db,
            "INSERT OR IGNORE INTO erased_subjects (container_id, subject_hash, erasure_id, erased_at) VALUES (?1, ?2, ?3, ?4)",
            &[container.clone(), text(hash), text(id), time(now)],
        )?);
    }
    // The events are marked in the same transaction as the record: a postback claim reads the
    // mark (`deliveries::CLAIMED_ERASED`), so it sees the erasure exactly when the record exists.
    let events: Vec<&str> = found.events.iter().map(|e| e.id.as_str()).collect();
    for chunk in events.chunks(IDS_PER_STATEMENT) {
        let sql = format!(
            "UPDATE events SET erased_at = COALESCE(erased_at, ?{}) WHERE container_id = ?1 AND id IN ({})",
            chunk.len() + 2,
            placeholders(2, chunk.len())
        );
        let mut args = with_container(container_id, chunk);
        args.push(time(now));
        record.push(statement(db, &sql, &args)?);
    }
    batch_changes(db, record).await?;

    Ok(())
}

/// Empties the person's delivery rows of personal data; pending ones become `skipped` /
/// `erased`, so the sweep never re-queues them and a queued message finds nothing to send.
async fn scrub_deliveries(
    db: &D1Database,
    container_id: &ContainerId,
    events: &[&str],
    removed: &mut Removed,
) -> Result<()> {
    #[derive(Deserialize)]
    struct Logged {
        id: DeliveryId,
        url: Option<String>,
    }
    let mut statements = Vec::new();
    for chunk in events.chunks(IDS_PER_STATEMENT) {
        let sql = format!(
            "SELECT id, url FROM deliveries WHERE container_id = ?1 AND event_row_id IN ({})",
            placeholders(2, chunk.len())
        );
        for row in all::<Logged>(db, &sql, &with_container(container_id, chunk)).await? {
            statements.push(statement(
                db,
                "UPDATE deliveries SET url = ?2, headers = NULL, body = NULL, request = NULL, response_body = NULL, \
                 status = CASE WHEN status IN ('queued', 'retrying', 'parked') THEN 'skipped' ELSE status END, \
                 reason = CASE WHEN status IN ('queued', 'retrying', 'parked') THEN 'erased' ELSE reason END, \
                 next_attempt_at = NULL WHERE id = ?1",
                &[text(row.id.as_str()), super::opt_text(row.url.as_deref().map(url_without_query_values).as_deref())],
            )?);
            statements.push(statement(
                db,
                "UPDATE delivery_attempts SET response_body = NULL WHERE delivery_id = ?1",
                &[text(row.id.as_str())],
            )?);
        }
    }
    let rows = statements.len() / 2;
    batch_changes(db, statements).await?;
    removed.insert("deliveries", rows);
    Ok(())
}

/// Settles a delivery whose event was erased after its row was written: `skipped` / `erased`,
/// emptied of its request and log copy, and the attempt it claimed given back (nothing was
/// sent). Only a pending row changes.
pub async fn settle_erased(db: &D1Database, id: &DeliveryId, now: UnixMs) -> Result<()> {
    super::run(
        db,
        "UPDATE deliveries SET status = 'skipped', reason = 'erased', request = NULL, headers = NULL, \
         body = NULL, response_body = NULL, url = NULL, next_attempt_at = NULL, updated_at = ?2, \
         attempt = MAX(attempt - 1, 0) WHERE id = ?1 AND status IN ('queued', 'retrying', 'parked')",
        &[text(id.as_str()), time(now)],
    )
    .await?;
    Ok(())
}
