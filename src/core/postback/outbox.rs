//! The outbox's pure rules: what a queue message says, what a delivery row keeps so every attempt
//! (and a replay) sends the same request, how one attempt settles the row, and what the log and
//! the sweep keep.
//!
//! Exactly-once per attempt: a message names the attempt it is for. The consumer claims that
//! attempt on the row (`attempt = n - 1` → `n`, only while the row is pending), so a duplicate
//! message — the queue's at-least-once delivery, or the sweep re-queueing a row whose message
//! was merely slow — finds the attempt taken and is dropped. A retry is a new message for
//! attempt `n + 1`, sent with the retry delay.

use super::plan::DeliveryStatus;
use super::request::OutgoingRequest;
use super::retry::{AttemptOutcome, RetryDecision, StopReason};
use super::signature::SigningSecret;
use crate::core::ids::DeliveryId;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Bytes of a partner's answer kept in the log.
pub const MAX_LOGGED_RESPONSE_BYTES: usize = 1024;

/// The body of a postbacks-queue message, sent as a JSON string (a queue body that is a JS
/// object would arrive mangled; see REFERENCE).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryMessage {
    pub delivery_id: DeliveryId,
    /// The attempt this message is for, from 1.
    pub attempt: u32,
}

impl DeliveryMessage {
    /// The message that asks for a delivery's first attempt.
    pub fn first(delivery_id: &DeliveryId) -> Self {
        Self {
            delivery_id: delivery_id.clone(),
            attempt: 1,
        }
    }

    /// The message for the attempt after a row's `attempts_made`.
    pub fn after(delivery_id: &DeliveryId, attempts_made: u32) -> Self {
        Self {
            delivery_id: delivery_id.clone(),
            attempt: attempts_made.saturating_add(1),
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// `None` for anything that is not a message we sent (the delivery id is parsed like any
    /// other): it is acknowledged and dropped.
    pub fn parse(text: &str) -> Option<Self> {
        let message: Self = serde_json::from_str(text).ok()?;
        (message.attempt >= 1).then_some(message)
    }
}

/// What a delivery row keeps to send its request: the exact request, unmasked, and the version of
/// the connector's signing secret it is signed with, never the secret itself. The request is
/// stored with the row rather than rebuilt at send time, so a queued delivery sends what was
/// decided (and logged) when its event came in.
///
/// Signing at send time (each attempt carries a fresh Standard Webhooks timestamp and
/// signature): a row with a `secret_version` is signed with the connector's secrets as they are
/// when the attempt is made: the current one, and the previous one too while a rotation's
/// overlap lasts. A row queued before a rotation (its version rotated away) is therefore signed
/// with the new secret and, during the overlap, the old one, so a partner holding either
/// verifies it; after the overlap the partner must hold the new secret, which is what the
/// rotation asked of it. A row without a version was built unsigned (or, for a Test Webhook with
/// a secret only in the form, signed once when built) and is sent as stored.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredRequest {
    pub request: OutgoingRequest,
    /// The connector's `secret_version` when the row was written; `None`: sent as stored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_version: Option<i64>,
}

/// A rotated-out signing secret and the end of its overlap.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviousSecret {
    pub secret: String,
    /// Unix seconds: attempts made before then carry its signature too.
    pub until_s: i64,
}

/// A connector's signing secrets as an attempt finds them (read with the claim, opened).
#[derive(Clone, PartialEq, Eq, Default)]
pub struct SigningSecrets {
    /// Incremented by each rotation.
    pub version: i64,
    /// The current secret; `None` when the connector has none now.
    pub current: Option<String>,
    /// The secret the last rotation replaced, with the end of its overlap.
    pub previous: Option<PreviousSecret>,
    /// Why a stored secret could not be read (it does not open with the signing keys).
    pub unreadable: Option<String>,
}

impl fmt::Debug for SigningSecrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningSecrets")
            .field("version", &self.version)
            .field("current", &self.current.is_some())
            .field("previous", &self.previous.is_some())
            .field("unreadable", &self.unreadable)
            .finish()
    }
}

impl fmt::Debug for StoredRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoredRequest")
            .field("request", &self.request.masked_for_log())
            .field("secret_version", &self.secret_version)
            .finish()
    }
}

impl StoredRequest {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Rows written before secrets left them may still name `signing_secret`: it is ignored.
    pub fn parse(text: &str) -> Option<Self> {
        serde_json::from_str(text).ok()
    }

    /// The request for an attempt made at `timestamp_s`, signed with the connector's `secrets`
    /// (`None`: the connector is gone) when the row has a secret version. A secret that is gone,
    /// unreadable or does not parse is an error saying so: the request is never sent unsigned
    /// in its place.
    pub fn for_attempt(
        &self,
        timestamp_s: i64,
        secrets: Option<&SigningSecrets>,
    ) -> Result<OutgoingRequest, String> {
        let mut request = self.request.clone();
        if self.secret_version.is_none() {
            return Ok(request);
        }
        let secrets = secrets.ok_or(
            "the connector was deleted, so there is no signing secret to sign with;              the request was not sent unsigned",
        )?;
        if let Some(why) = &secrets.unreadable {
            return Err(why.clone());
        }
        let stored = secrets.current.as_deref().ok_or(
            "the connector's signing secret was removed after this delivery was queued;              the request was not sent unsigned",
        )?;
        let secret = SigningSecret::parse(stored).map_err(|_| {
            "the signing secret does not parse, so the request was not sent unsigned; set it again"
                .to_string()
        })?;
        let previous = (secrets.previous.as_ref())
            .filter(|p| timestamp_s < p.until_s)
            .and_then(|p| SigningSecret::parse(&p.secret).ok());
        request.resign_all(&secret, previous.as_slice(), timestamp_s);
        Ok(request)
    }
}

/// What one attempt did, for the log: the outcome and, without an HTTP answer, why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptReport {
    pub outcome: AttemptOutcome,
    /// The transport's own words for a network error.
    pub network_error: Option<String>,
    /// The attempt's timeout, for the timeout message.
    pub timeout_s: u32,
}

impl AttemptReport {
    /// The attempt's error for the log; `None` for a 2xx answer.
    pub fn error(&self) -> Option<String> {
        match self.outcome {
            AttemptOutcome::Success { .. } => None,
            AttemptOutcome::HttpFailure {
                status,
                retry_after_s: Some(after),
            } => Some(format!("HTTP {status} (Retry-After: {after} s)")),
            AttemptOutcome::HttpFailure { status, .. } => Some(format!("HTTP {status}")),
            AttemptOutcome::Timeout => {
                Some(format!("timeout: no answer within {} s", self.timeout_s))
            }
            AttemptOutcome::NetworkError => Some(format!(
                "network error: {}",
                self.network_error.as_deref().unwrap_or("no HTTP answer")
            )),
        }
    }
}

/// How a pending row changes after an attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settlement {
    /// `delivered`, `retrying` or `failed`.
    pub status: DeliveryStatus,
    /// When the next attempt is due (retrying only), unix ms.
    pub next_attempt_at: Option<i64>,
    /// The row's error: the attempt's, and for a failed row why it stopped.
    pub error: Option<String>,
    /// Send the next attempt's message with this delay.
    pub requeue_after_s: Option<u32>,
    /// Hand the message to the dead-letter queue: the delivery is given up.
    pub dead_letter: bool,
}

/// Settle attempt `attempt` after the retry policy's `decision`.
pub fn settle(
    decision: RetryDecision,
    attempt: u32,
    attempt_error: Option<String>,
    now_ms: i64,
) -> Settlement {
    let failed = |error: String| Settlement {
        status: DeliveryStatus::Failed,
        next_attempt_at: None,
        error: Some(error),
        requeue_after_s: None,
        dead_letter: true,
    };
    let last = attempt_error.unwrap_or_else(|| "no answer".to_string());
    match decision {
        RetryDecision::Delivered => Settlement {
            status: DeliveryStatus::Delivered,
            next_attempt_at: None,
            error: None,
            requeue_after_s: None,
            dead_letter: false,
        },
        RetryDecision::Retry { after_s } => Settlement {
            status: DeliveryStatus::Retrying,
            next_attempt_at: Some(now_ms.saturating_add(i64::from(after_s) * 1000)),
            error: Some(last),
            requeue_after_s: Some(after_s),
            dead_letter: false,
        },
        RetryDecision::Exhausted => failed(format!(
            "{last}; gave up after {attempt} attempt{}",
            if attempt == 1 { "" } else { "s" }
        )),
        RetryDecision::Stop(StopReason::Gone) => failed(format!(
            "{last}: the partner says this endpoint is gone, so it is not retried"
        )),
    }
}

/// A refused target or an unreadable stored request: retrying cannot help.
pub fn settle_unsendable(error: String) -> Settlement {
    Settlement {
        status: DeliveryStatus::Failed,
        next_attempt_at: None,
        error: Some(error),
        requeue_after_s: None,
        dead_letter: true,
    }
}

/// The first [`MAX_LOGGED_RESPONSE_BYTES`] of a response body as text. A cut never splits a
/// character; bytes that are not UTF-8 become U+FFFD.
pub fn truncate_response_body(bytes: &[u8]) -> String {
    if bytes.len() <= MAX_LOGGED_RESPONSE_BYTES {
        return String::from_utf8_lossy(bytes).into_owned();
    }
    let mut prefix = &bytes[..MAX_LOGGED_RESPONSE_BYTES];
    if let Err(e) = std::str::from_utf8(prefix) {
        if e.error_len().is_none() {
            prefix = &prefix[..e.valid_up_to()];
        }
    }
    String::from_utf8_lossy(prefix).into_owned()
}

/// Rows still pending whose due time is older than this are stuck: their message was never
/// sent, was lost, or its attempt died half-way. The sweep re-queues them.
pub fn stuck_before(now_ms: i64, stuck_after_s: u32) -> i64 {
    now_ms.saturating_sub(i64::from(stuck_after_s) * 1000)
}

/// Finished log rows created before this are purged.
pub fn retention_cutoff(now_ms: i64, retention_days: u32) -> i64 {
    now_ms.saturating_sub(i64::from(retention_days) * super::DAY_MS)
}
