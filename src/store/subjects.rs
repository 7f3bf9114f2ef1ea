//! One person's data across the tables: finding it ([`resolve`]), exporting it ([`export`]) and
//! erasing it (`super::erasure`). A person is named by a visitor id or by an identity (hashed
//! email or phone, external id); they resolve to every visitor that identity was linked to,
//! and to every event of those visitors or still waiting for that identity.

use super::{all, text};
use crate::core::ids::{ContainerId, EventRowId};
use crate::core::privacy::subject::Subject;
use crate::error::Result;
use serde::Deserialize;
use serde_json::Value;
use wasm_bindgen::JsValue;
use worker::D1Database;

/// Most visitors and events one request resolves to; a person has far fewer.
pub const MAX_VISITORS: usize = 100;
pub const MAX_EVENTS: usize = 5000;
/// Ids per `IN (...)` list: D1 binds at most 100 parameters per statement.
pub const IDS_PER_STATEMENT: usize = 90;
/// Rows per table an export lists.
const EXPORT_ROWS: usize = 1000;

/// A stored event of the person: its row id and the caller's event id.
#[derive(Debug, Clone, Deserialize)]
pub struct EventIds {
    pub id: EventRowId,
    pub event_id: String,
}

/// Everything one subject resolves to.
#[derive(Debug, Clone, Default)]
pub struct Resolved {
    pub visitors: Vec<String>,
    pub events: Vec<EventIds>,
}

/// `?{first}, ?{first+1}, ...` for `n` ids.
pub fn placeholders(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("?{i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `[container, ids...]` as bindings.
pub fn with_container(container: &ContainerId, ids: &[&str]) -> Vec<JsValue> {
    std::iter::once(text(container.as_str()))
        .chain(ids.iter().map(|id| text(id)))
        .collect()
}

/// The visitors and events of `subject` in `container_id`.
pub async fn resolve(
    db: &D1Database,
    container_id: &ContainerId,
    subject: &Subject,
) -> Result<Resolved> {
    #[derive(Deserialize)]
    struct Visitor {
        visitor_id: String,
    }
    let container = text(container_id.as_str());
    let mut visitors: Vec<String> = match subject.kind.identity_kind() {
        None => vec![subject.key.clone()],
        Some(kind) => all::<Visitor>(
            db,
            "SELECT DISTINCT visitor_id FROM identities WHERE container_id = ?1 AND kind = ?2 AND value = ?3 LIMIT ?4",
            &[container.clone(), text(kind), text(&subject.key), super::int(MAX_VISITORS as i64)],
        )
        .await?
        .into_iter()
        .map(|v| v.visitor_id)
        .collect(),
    };
    visitors.truncate(MAX_VISITORS);
    let mut events: Vec<EventIds> = Vec::new();
    for chunk in visitors.chunks(IDS_PER_STATEMENT) {
        let ids: Vec<&str> = chunk.iter().map(String::as_str).collect();
        let sql = format!(
            "SELECT id, event_id FROM events WHERE container_id = ?1 \
             AND (visitor_id IN ({0}) OR sent_by IN ({0})) LIMIT {MAX_EVENTS}",
            placeholders(2, ids.len())
        );
        events.extend(all::<EventIds>(db, &sql, &with_container(container_id, &ids)).await?);
    }
    if let Some(kind) = subject.kind.identity_kind() {
        let waiting: Vec<EventIds> = all(
            db,
            "SELECT e.id, e.event_id FROM pending_identities p JOIN events e ON e.id = p.event_row_id \
             WHERE p.container_id = ?1 AND p.kind = ?2 AND p.value = ?3 LIMIT ?4",
            &[container, text(kind), text(&subject.key), super::int(MAX_EVENTS as i64)],
        )
        .await?;
        for event in waiting {
            if !events.iter().any(|e| e.id == event.id) {
                events.push(event);
            }
        }
    }
    events.truncate(MAX_EVENTS);
    Ok(Resolved { visitors, events })
}

/// Rows of `sql` (which selects by `?1` = container and an `IN` list from `?2`), for every
/// chunk of `ids`, at most [`EXPORT_ROWS`].
async fn rows_for(
    db: &D1Database,
    container_id: &ContainerId,
    sql: &str,
    ids: &[&str],
) -> Result<Vec<Value>> {
    let mut out = Vec::new();
    for chunk in ids.chunks(IDS_PER_STATEMENT) {
        let sql = sql.replace("{ids}", &placeholders(2, chunk.len()));
        out.extend(all::<Value>(db, &sql, &with_container(container_id, chunk)).await?);
        if out.len() >= EXPORT_ROWS {
            out.truncate(EXPORT_ROWS);
            break;
        }
    }
    Ok(out)
}

/// Everything held about one person: the visitors the identifier resolved to, and the rows of
/// each table (named as the export names them) about them.
#[derive(Debug, Clone, Default)]
pub struct Exported {
    pub visitors: Vec<String>,
    pub tables: serde_json::Map<String, Value>,
}

/// Everything held about `subject` in `container_id` (a data subject access request):
/// its visitors, their identities, clicks and profile, its events (payload included), the
/// identities still waiting for those events, their webhook activity and the logged (masked)
/// requests of their deliveries. Each list holds at most 1,000 rows.
pub async fn export(
    db: &D1Database,
    container_id: &ContainerId,
    subject: &Subject,
) -> Result<Exported> {
    let found = resolve(db, container_id, subject).await?;
    let visitors: Vec<&str> = found.visitors.iter().map(String::as_str).collect();
    let events: Vec<&str> = found.events.iter().map(|e| e.id.as_str()).collect();
    let event_ids: Vec<&str> = found.events.iter().map(|e| e.event_id.as_str()).collect();
    let q = |sql: &'static str, ids: &'static str| (sql, ids);
    let queries = [
        q("SELECT kind, value, visitor_id, provenance, created_at FROM identities WHERE container_id = ?1 AND visitor_id IN ({ids}) ORDER BY created_at", "visitors"),
        q("SELECT visitor_id, param, value, source, landing_url, created_at FROM clicks WHERE container_id = ?1 AND visitor_id IN ({ids}) ORDER BY created_at", "visitors"),
        q("SELECT visitor_id, attributes, updated_at FROM visitors WHERE container_id = ?1 AND visitor_id IN ({ids})", "visitors"),
        q("SELECT id, event_id, name, value, currency, visitor_id, matched_by, sent_by, source, provenance, topic, consent_advertising, payload, created_at, confirmed_at FROM events WHERE container_id = ?1 AND id IN ({ids}) ORDER BY created_at", "events"),
        q("SELECT kind, value, event_row_id, created_at FROM pending_identities WHERE container_id = ?1 AND event_row_id IN ({ids})", "events"),
        q("SELECT id, connector_id, event_row_id, status, reason, provenance, method, url, headers, body, created_at FROM deliveries WHERE container_id = ?1 AND event_row_id IN ({ids}) ORDER BY created_at", "events"),
        q("SELECT received_at, status, topic, session_matched, http_status, error_code, event_id FROM webhook_requests WHERE container_id = ?1 AND event_id IN ({ids}) ORDER BY received_at", "event_ids"),
    ];
    let names = [
        "identities",
        "clicks",
        "visitor_profiles",
        "events",
        "pending_identities",
        "deliveries",
        "webhook_activity",
    ];
    let mut out = serde_json::Map::new();
    for ((sql, over), name) in queries.into_iter().zip(names) {
        let ids = match over {
            "visitors" => &visitors,
            "events" => &events,
            _ => &event_ids,
        };
        let mut rows = rows_for(db, container_id, sql, ids).await?;
        for row in &mut rows {
            // Stored JSON columns are shown as JSON, not as strings of it.
            for column in ["payload", "attributes", "headers"] {
                if let Some(Value::String(raw)) = row.get(column) {
                    if let Ok(parsed) = serde_json::from_str::<Value>(raw) {
                        row[column] = parsed;
                    }
                }
            }
        }
        out.insert(name.to_string(), Value::Array(rows));
    }
    Ok(Exported {
        visitors: found.visitors,
        tables: out,
    })
}
