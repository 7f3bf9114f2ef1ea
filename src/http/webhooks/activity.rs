//! The activity row each webhook request leaves, and the answer it gets. One place decides both,
//! so the log always says what the caller was told.

use super::Accepted;
use crate::core::webhook_in::ActivityStatus;
use crate::http::error::{ApiError, ApiResult};
use crate::http::respond::json;
use crate::store::webhook_requests::{self, NewActivity};
use worker::{D1Database, Response};

/// Longest topic the log keeps: an unknown topic is logged as sent, cut to this many characters.
const MAX_LOGGED_TOPIC_CHARS: usize = 64;

/// A request on its way to an activity row: the container it is logged against and its topic.
#[derive(Debug, Clone)]
pub struct ActivityLog {
    container_id: String,
    received_at: i64,
    topic: Option<String>,
}

impl ActivityLog {
    pub fn new(container_id: &str, received_at: i64) -> Self {
        Self {
            container_id: container_id.to_string(),
            received_at,
            topic: None,
        }
    }

    /// The topic the caller sent: the custom topic, the `track` event name, or `set`.
    pub fn set_topic(&mut self, topic: &str) {
        let printable: String = topic
            .chars()
            .filter(|c| !c.is_control())
            .take(MAX_LOGGED_TOPIC_CHARS)
            .collect();
        self.topic = (!printable.is_empty()).then_some(printable);
    }

    /// Records the outcome, then answers it. A failure to write the log is reported to the
    /// worker's log but does not change the answer: the event itself is already stored, and a
    /// 500 would only make the sender retry it.
    pub async fn finish(
        self,
        db: &D1Database,
        outcome: ApiResult<Accepted>,
    ) -> ApiResult<Response> {
        // Our own failures are not the sender's activity: they are logged, not listed.
        let outcome = match outcome {
            Err(error @ ApiError::Internal(_)) => return Err(error),
            other => other,
        };
        let row = match &outcome {
            Ok(accepted) => NewActivity {
                container_id: &self.container_id,
                received_at: self.received_at,
                status: if accepted.duplicate {
                    ActivityStatus::Duplicate
                } else {
                    ActivityStatus::Success
                },
                topic: self.topic.as_deref(),
                session_matched: accepted.session_matched,
                http_status: 200,
                error_code: None,
                event_id: accepted.event_id.as_deref(),
            },
            Err(error) => NewActivity {
                container_id: &self.container_id,
                received_at: self.received_at,
                status: status_of(error),
                topic: self.topic.as_deref(),
                session_matched: false,
                http_status: http_status(error),
                error_code: Some(error.code()),
                event_id: None,
            },
        };
        if let Err(err) = webhook_requests::insert(db, &row).await {
            worker::console_error!("webhook activity not recorded: {err:?}");
        }
        match outcome {
            Ok(accepted) => json(
                200,
                &super::WebhookAccepted {
                    status: "accepted",
                    kind: accepted.kind,
                    event_id: accepted.event_id.as_deref(),
                    session_matched: accepted.session_matched,
                    duplicate: accepted.duplicate,
                },
            ),
            Err(error) => answer_error(error),
        }
    }
}

/// The activity status of a refused request: everything but the key and the rate limit is the
/// payload's fault (413, 415 and a 404 topic included).
pub fn status_of(error: &ApiError) -> ActivityStatus {
    match error {
        ApiError::Unauthorized(_) => ActivityStatus::AuthError,
        ApiError::TooManyRequests { .. } => ActivityStatus::RateLimited,
        _ => ActivityStatus::ValidationError,
    }
}

/// An unknown custom topic is a 404, since the topic is part of the URL (seed 004: a 404 means
/// "check the URL"), but keeps its precise code `unknown_topic` and field `topic`.
fn is_unknown_topic(error: &ApiError) -> bool {
    matches!(error, ApiError::Invalid(invalid) if invalid.code == "unknown_topic")
}

fn http_status(error: &ApiError) -> u16 {
    if is_unknown_topic(error) {
        404
    } else {
        error.status()
    }
}

/// The answer to a refused request, logged or not.
pub fn answer_error(error: ApiError) -> ApiResult<Response> {
    if is_unknown_topic(&error) {
        return Ok(error.to_response()?.with_status(404));
    }
    Err(error)
}
