//! The webhook log and replay.
//!
//! - `GET /admin/api/connectors/:id/deliveries?limit=&before=` is the log, newest first;
//!   `status`, `since`, `until` and `q` narrow it ([`crate::store::log_search`]).
//! - `POST /admin/api/deliveries/:id/replay` answers 202 with a new delivery (`replay_of` set)
//!   that sends the stored request again. It keeps the original's `Idempotency-Key` and
//!   `webhook-id`: it is the same conversion, and a partner that already counted it can tell.

use super::connectors::find_row as find_connector_row;
use super::model::{delivery_out, DeliveryPage, ReplayQueued};
use super::{limit_param, query_param};
use crate::core::error::Invalid;
use crate::core::ids::DeliveryId;
use crate::core::postback::DeliveryStatus;
use crate::core::time::UnixMs;
use crate::delivery::outbox::{replay_row, write_and_enqueue};
use crate::error::{Error, Result};
use crate::http::request::Request;
use crate::http::respond::json;
use crate::http::router::RouteContext;
use crate::platform::now;
use crate::store::attempts;
use crate::store::deliveries;
use crate::store::log_search::{list_for_connector, search_for_connector, LogFilter};
use worker::Response;

pub async fn handle_list_deliveries(req: Request, ctx: RouteContext) -> Result<Response> {
    let connector = find_connector_row(&ctx, &ctx.id("id")?).await?;
    let limit = limit_param(&req, 50, 200)?;
    let db = ctx.db()?;
    let before = match query_param(&req, "before")? {
        None => None,
        Some(cursor) => {
            let row = match DeliveryId::parse(&cursor) {
                Some(id) => deliveries::get(&db, &id).await?,
                None => None,
            };
            let row = row
                .filter(|r| r.connector_id == connector.id)
                .ok_or_else(|| {
                    Error::bad_request(
                        "invalid_cursor",
                        "before must be a delivery id from this connector's log",
                    )
                })?;
            Some(row)
        }
    };
    let filter = log_filter(&req)?;
    let rows = if filter.is_empty() {
        list_for_connector(&db, &connector.id, before.as_ref(), limit).await?
    } else {
        search_for_connector(&db, &connector.id, &filter, before.as_ref(), limit).await?
    };
    let ids: Vec<DeliveryId> = rows.iter().map(|r| r.id.clone()).collect();
    let attempts = attempts::attempts_of(&db, &ids).await?;
    let data = rows.iter().map(|r| delivery_out(r, &attempts)).collect();
    let next_before = (rows.len() == limit as usize)
        .then(|| rows.last().map(|r| r.id.clone()))
        .flatten();
    json(200, &DeliveryPage { data, next_before })
}

/// `status`, `since` and `until` (unix milliseconds), and `q` (an order id, a click id, or
/// text of the request); absent or empty means no filter on it.
fn log_filter(req: &Request) -> Result<LogFilter> {
    let given = |name: &str| -> Result<Option<String>> {
        Ok(query_param(req, name)?
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty()))
    };
    let time = |name: &str| -> Result<Option<UnixMs>> {
        match given(name)? {
            None => Ok(None),
            Some(v) => match v.parse::<i64>() {
                Ok(ms) if (0..=UNTIL_YEAR_3000_MS).contains(&ms) => {
                    Ok(Some(UnixMs::from_millis(ms)))
                }
                _ => Err(Error::bad_request(
                    "invalid_query",
                    format!("{name} is a time in unix milliseconds"),
                )),
            },
        }
    };
    let status = match given("status")? {
        None => None,
        Some(s) => Some(DeliveryStatus::parse(&s).ok_or_else(|| {
            Error::bad_request(
                "invalid_query",
                "status is queued, retrying, test, skipped, delivered or failed",
            )
        })?),
    };
    let search = given("q")?;
    if search.as_ref().is_some_and(|q| q.len() > 256) {
        return Err(Error::bad_request(
            "invalid_query",
            "q is at most 256 bytes",
        ));
    }
    Ok(LogFilter {
        status,
        since: time("since")?,
        until: time("until")?,
        search,
    })
}

/// The latest time a filter takes: the year 3000.
const UNTIL_YEAR_3000_MS: i64 = 32_503_680_000_000;

pub async fn handle_replay_delivery(_: Request, ctx: RouteContext) -> Result<Response> {
    let id: DeliveryId = ctx.id("id")?;
    let db = ctx.db()?;
    let original = deliveries::get(&db, &id)
        .await?
        .ok_or_else(|| Error::not_found("delivery"))?;
    if original.status().is_some_and(|s| s.is_pending()) {
        return Err(Invalid::new(
            "delivery_pending",
            "this delivery is still being attempted; replay it once it is delivered or failed",
        )
        .into());
    }
    let new = replay_row(&original)?.ok_or_else(|| {
        Invalid::new(
            "nothing_to_replay",
            "this delivery has no request: it could not be built",
        )
    })?;
    write_and_enqueue(&ctx.env, &db, std::slice::from_ref(&new), now()).await?;
    let out = ReplayQueued {
        delivery_id: new.id,
        replay_of: original.id,
        status: DeliveryStatus::Queued.as_str(),
    };
    json(202, &out)
}
