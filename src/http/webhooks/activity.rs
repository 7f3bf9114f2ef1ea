//! The activity row each webhook request leaves, and the answer it gets. The row records the
//! status of the very answer sent, so the log always says what the caller was told.

use super::Accepted;
use crate::core::client_limit::Surface;
use crate::core::ids::ContainerId;
use crate::core::provenance::Provenance;
use crate::core::time::UnixMs;
use crate::core::webhook_in::ActivityStatus;
use crate::error::{Error, Result};
use crate::http::client_limit;
use crate::http::error::error_response;
use crate::http::request::Request;
use crate::http::respond::json;
use crate::store::webhook_requests::{self, NewActivity};
use worker::{D1Database, D1PreparedStatement, Env, Response};

/// Longest topic the log keeps: an unknown topic is logged as sent, cut to this many characters.
const MAX_LOGGED_TOPIC_CHARS: usize = 64;

/// A request on its way to an activity row: the container it is logged against and its topic.
#[derive(Debug, Clone)]
pub struct ActivityLog {
    container_id: ContainerId,
    received_at: UnixMs,
    topic: Option<String>,
    /// The request's key authenticated it: its provenance is `server`.
    authenticated: bool,
    /// The row was already written with the stored event ([`ActivityLog::accepted_statements`]),
    /// saying this.
    written: Option<(ActivityStatus, bool)>,
}

impl ActivityLog {
    pub fn new(container_id: &ContainerId, received_at: UnixMs) -> Self {
        Self {
            container_id: container_id.clone(),
            received_at,
            topic: None,
            authenticated: false,
            written: None,
        }
    }

    /// The statements that record `accepted` as this request's row, to join the write of its
    /// event so that both take one round trip; [`ActivityLog::finish`] then writes no second
    /// row, and corrects this one if the answer turned out otherwise.
    pub fn accepted_statements(
        &mut self,
        db: &D1Database,
        accepted: &Accepted,
    ) -> Result<Vec<D1PreparedStatement>> {
        let outcome = Ok(accepted.clone());
        let row = self.row(&outcome, 200);
        let said = (row.status, row.session_matched);
        let statements = webhook_requests::insert_statements(db, &row);
        self.written = Some(said);
        statements
    }

    fn row<'a>(&'a self, outcome: &'a Result<Accepted>, http_status: u16) -> NewActivity<'a> {
        NewActivity {
            container_id: &self.container_id,
            received_at: self.received_at,
            status: match outcome {
                Ok(accepted) if accepted.duplicate => ActivityStatus::Duplicate,
                Ok(_) => ActivityStatus::Success,
                Err(error) => status_of(error),
            },
            topic: self.topic.as_deref(),
            session_matched: outcome.as_ref().is_ok_and(|a| a.session_matched),
            http_status,
            error_code: outcome.as_ref().err().map(Error::code),
            event_id: outcome.as_ref().ok().and_then(|a| a.event_id.as_ref()),
            provenance: self.authenticated.then_some(Provenance::Server),
        }
    }

    /// The request's key is one of the container's and valid.
    pub fn set_authenticated(&mut self) {
        self.authenticated = true;
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

    /// Answers the outcome and records it. A failure to write the log is reported to the
    /// worker's log but does not change the answer: the event itself is already stored, and a
    /// 500 would only make the sender retry it. Our own failures are not the sender's activity:
    /// they are logged, not listed.
    pub async fn finish(self, db: &D1Database, outcome: Result<Accepted>) -> Result<Response> {
        let outcome = match outcome {
            Err(error) if error.is_internal() => return Err(error),
            other => other,
        };
        let response = match &outcome {
            Ok(accepted) => json(
                200,
                &super::WebhookAccepted {
                    status: "accepted",
                    kind: accepted.kind,
                    event_id: accepted.event_id.as_ref(),
                    session_matched: accepted.session_matched,
                    duplicate: accepted.duplicate,
                    confirmed: accepted.confirmed,
                },
            )?,
            Err(error) => error_response(error)?,
        };
        let row = self.row(&outcome, response.status_code());
        let written = match self.written {
            None => webhook_requests::insert(db, &row).await,
            Some(said) if said == (row.status, row.session_matched) => Ok(()),
            Some(_) => webhook_requests::correct(db, &row).await,
        };
        if let Err(err) = written {
            worker::console_error!("webhook activity not recorded: {err}");
        }
        Ok(response)
    }
}

/// The activity status of a refused request: everything but the key and the rate limit is the
/// payload's fault (413, 415 and a 404 topic included).
pub fn status_of(error: &Error) -> ActivityStatus {
    match error {
        Error::Unauthorized { .. } => ActivityStatus::AuthError,
        Error::RateLimited { .. } => ActivityStatus::RateLimited,
        _ => ActivityStatus::ValidationError,
    }
}

/// Refuses a request that is not the container's own caller (no key, a malformed or unknown
/// one, another container's). It is counted against the keyless abuse limit (429 over it) and,
/// when the container is known, in the container's count of unauthenticated requests, never as
/// an activity row: such requests must not push the container's real requests out of the list.
pub async fn refuse_keyless(
    env: &Env,
    req: &Request,
    db: &D1Database,
    container_id: Option<&ContainerId>,
    refusal: Error,
    now: UnixMs,
) -> Result<Response> {
    let container = container_id.map(ContainerId::as_str);
    // Webhooks come from servers straight to the worker, never through a same-origin proxy.
    let ip = req.headers().get("cf-connecting-ip").ok().flatten();
    client_limit::check(env, ip.as_deref(), Surface::KeylessWebhook, container).await?;
    if let Some(container_id) = container_id {
        if let Err(err) = webhook_requests::count_unauthenticated(db, container_id, now).await {
            worker::console_error!("unauthenticated webhook request not counted: {err}");
        }
    }
    Err(refusal)
}
