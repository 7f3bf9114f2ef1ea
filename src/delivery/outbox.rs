//! The outbox: a delivery row is written to D1 first, and only then is its message queued. If
//! queueing fails, the row stays pending and the sweep queues it later, so an accepted postback
//! is never lost between the two. Also the two queue producers (postbacks, dead letters).

use crate::config::{POSTBACKS_DLQ, POSTBACKS_QUEUE};
use crate::core::connector::Method;
use crate::core::ids::{ConnectorId, ContainerId, DeliveryId, EventRowId};
use crate::core::postback::outbox::{DeliveryMessage, StoredRequest};
use crate::core::postback::{DeliveryStatus, OutgoingRequest};
use crate::core::provenance::Provenance;
use crate::core::time::UnixMs;
use crate::error::Result;
use crate::platform::new_id;
use crate::store::deliveries::{self, DeliveryRow, NewDelivery};
use worker::{BatchMessageBuilder, D1Database, D1PreparedStatement, Env, MessageBuilder, Queue};

/// Most messages in one `sendBatch` (the platform's limit is 100).
const SEND_BATCH: usize = 100;

/// Where a row comes from and what it owes: everything but the request itself.
#[derive(Debug, Clone)]
pub struct RowOrigin {
    pub id: DeliveryId,
    pub container_id: ContainerId,
    pub connector_id: ConnectorId,
    pub event_row_id: Option<EventRowId>,
    pub status: DeliveryStatus,
    pub reason: Option<String>,
    pub error: Option<String>,
    pub replay_of: Option<DeliveryId>,
    pub origin_key: Option<String>,
    /// Defaults to the row id; a replay keeps its original's key.
    pub idempotency_key: Option<String>,
    /// Who stands behind what caused the delivery: the event's provenance, `admin` for a Test
    /// Webhook; a replay keeps its original's (it is the same conversion).
    pub provenance: Provenance,
}

/// The row that sends `original`'s stored request again (a replay or a recovery): queued,
/// naming the original in `replay_of`, keeping its `Idempotency-Key` and `webhook-id`, and signed
/// as it was (with the connector's secrets at send time when it was signed). `None` when the original has no
/// stored request (it could not be built). Errors only when no row id can be drawn.
pub fn replay_row(original: &DeliveryRow) -> Result<Option<NewDelivery>> {
    let Some(stored) = original.stored_request() else {
        return Ok(None);
    };
    let origin = RowOrigin {
        id: new_id()?,
        container_id: original.container_id.clone(),
        connector_id: original.connector_id.clone(),
        event_row_id: original.event_row_id.clone(),
        status: DeliveryStatus::Queued,
        reason: None,
        error: None,
        replay_of: Some(original.id.clone()),
        origin_key: None,
        idempotency_key: Some(original.idempotency_key.clone()),
        provenance: (original.provenance.as_deref())
            .and_then(Provenance::parse)
            .unwrap_or(Provenance::Admin),
    };
    Ok(Some(new_row(
        origin,
        Some(&stored.request),
        stored.secret_version,
    )))
}

/// The row for `origin` with its request: the masked copy for the log, the exact one to send.
/// `secret_version`: the connector's secret version when the connector signs; each attempt is
/// then signed with the connector's secrets as they are at send time (see [`StoredRequest`]).
/// `None`: the request is sent as built.
pub fn new_row(
    origin: RowOrigin,
    request: Option<&OutgoingRequest>,
    secret_version: Option<i64>,
) -> NewDelivery {
    let logged = request.map(OutgoingRequest::masked_for_log);
    NewDelivery {
        idempotency_key: origin
            .idempotency_key
            .unwrap_or_else(|| origin.id.as_str().to_string()),
        id: origin.id,
        container_id: origin.container_id,
        connector_id: origin.connector_id,
        event_row_id: origin.event_row_id,
        status: origin.status,
        reason: origin.reason,
        method: logged.as_ref().map(|r| method_text(r.method).to_string()),
        url: logged.as_ref().map(|r| r.url.clone()),
        headers: logged
            .as_ref()
            .map(|r| serde_json::to_string(&r.headers).unwrap_or_default()),
        body: logged.and_then(|r| r.body),
        error: origin.error,
        replay_of: origin.replay_of,
        origin_key: origin.origin_key,
        provenance: origin.provenance,
        request: request.map(|r| {
            StoredRequest {
                request: r.clone(),
                secret_version,
            }
            .to_json()
        }),
    }
}

pub fn method_text(method: Method) -> &'static str {
    match method {
        Method::Get => "GET",
        Method::Post => "POST",
    }
}

/// Write the rows, then queue the first attempt of every pending row actually written. Returns,
/// per row, whether it was written (a row whose origin already exists is not).
pub async fn write_and_enqueue(
    env: &Env,
    db: &D1Database,
    rows: &[NewDelivery],
    now: UnixMs,
) -> Result<Vec<bool>> {
    write_and_enqueue_with(env, db, rows, Vec::new(), now).await
}

/// [`write_and_enqueue`], with the writes `also` in the rows' round trip (an event's dispatch
/// mark: the rows and the mark are written together or not at all).
pub async fn write_and_enqueue_with(
    env: &Env,
    db: &D1Database,
    rows: &[NewDelivery],
    also: Vec<D1PreparedStatement>,
    now: UnixMs,
) -> Result<Vec<bool>> {
    let written = deliveries::insert_all_with(db, rows, also, now).await?;
    let pending: Vec<DeliveryId> = rows
        .iter()
        .zip(&written)
        .filter(|(row, &w)| w && row.status.is_pending())
        .map(|(row, _)| row.id.clone())
        .collect();
    if pending.is_empty() {
        return Ok(written);
    }
    let messages: Vec<DeliveryMessage> = pending.iter().map(DeliveryMessage::first).collect();
    match send(env, &messages, None).await {
        Ok(()) => deliveries::mark_queued(db, &pending, now).await?,
        // The rows are safe in D1; the sweep queues them.
        Err(e) => worker::console_error!(
            "queueing {} deliveries failed, the sweep will retry: {e}",
            pending.len()
        ),
    }
    Ok(written)
}

/// Send messages to the postbacks queue, after `delay_s` when given.
pub async fn send(
    env: &Env,
    messages: &[DeliveryMessage],
    delay_s: Option<u32>,
) -> worker::Result<()> {
    let delayed: Vec<(&DeliveryMessage, u32)> =
        messages.iter().map(|m| (m, delay_s.unwrap_or(0))).collect();
    send_to(env, POSTBACKS_QUEUE, &delayed).await
}

/// Send messages to the postbacks queue, each after its own delay in seconds (0: now): one
/// `sendBatch` per 100, as a queue batch's retries are sent together.
pub async fn send_each_after(
    env: &Env,
    messages: &[(&DeliveryMessage, u32)],
) -> worker::Result<()> {
    send_to(env, POSTBACKS_QUEUE, messages).await
}

/// Hand given-up deliveries to the dead-letter queue, together.
pub async fn dead_letter(env: &Env, messages: &[&DeliveryMessage]) -> worker::Result<()> {
    let now: Vec<(&DeliveryMessage, u32)> = messages.iter().map(|m| (*m, 0)).collect();
    send_to(env, POSTBACKS_DLQ, &now).await
}

async fn send_to(
    env: &Env,
    binding: &str,
    messages: &[(&DeliveryMessage, u32)],
) -> worker::Result<()> {
    if messages.is_empty() {
        return Ok(());
    }
    let queue: Queue = env.queue(binding)?;
    for chunk in messages.chunks(SEND_BATCH) {
        let built = chunk.iter().map(|(m, delay_s)| {
            let builder = MessageBuilder::new(m.to_json());
            match delay_s {
                d if *d > 0 => builder.delay_seconds(*d).build(),
                _ => builder.build(),
            }
        });
        crate::metering::queue_send();
        if chunk.len() == 1 {
            if let Some(one) = built.into_iter().next() {
                queue.send(one).await?;
            }
        } else {
            queue
                .send_batch(BatchMessageBuilder::new().messages(built).build())
                .await?;
        }
    }
    Ok(())
}
