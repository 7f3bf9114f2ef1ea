//! `POST /admin/api/connectors/:id/rotate-secret {signing_secret, overlap_hours?}`: rotates a
//! connector's Standard Webhooks signing secret without a gap. For the overlap (24 hours unless
//! given, at most 168) every request is signed with both secrets: `webhook-signature` holds
//! both `v1,` values, space-separated, as Standard Webhooks allows, so the partner can switch
//! to the new secret whenever it likes within that time.

use super::connectors::find as find_connector;
use super::model::SecretRotated;
use crate::core::connector::parse_signing_secret;
use crate::core::error::Invalid;
use crate::error::{Error, Result};
use crate::http::body::{read_json, MAX_BODY_BYTES};
use crate::http::request::Request;
use crate::http::respond::json;
use crate::http::router::RouteContext;
use crate::platform::now;
use crate::store::connectors;
use serde_json::Value;
use worker::Response;

/// The overlap when none is given, in hours.
pub const DEFAULT_OVERLAP_HOURS: i64 = 24;
/// The longest overlap, in hours (a week).
pub const MAX_OVERLAP_HOURS: i64 = 168;

/// `{signing_secret, overlap_hours?}`.
fn parse_rotation(body: &Value) -> Result<(String, i64), Invalid> {
    let Value::Object(map) = body else {
        return Err(Invalid::new(
            "invalid_body",
            "the body must be a JSON object",
        ));
    };
    let secret = match map.get("signing_secret") {
        Some(Value::String(text)) => parse_signing_secret(text.trim())
            .map_err(|e| Invalid::field(e.code, "signing_secret", e.message))?,
        None | Some(Value::Null) => {
            return Err(Invalid::field("required", "signing_secret", "is required"))
        }
        Some(_) => {
            return Err(Invalid::field(
                "invalid_type",
                "signing_secret",
                "must be a string",
            ))
        }
    };
    let hours = match map.get("overlap_hours") {
        None | Some(Value::Null) => DEFAULT_OVERLAP_HOURS,
        Some(value) => value
            .as_i64()
            .filter(|h| (0..=MAX_OVERLAP_HOURS).contains(h))
            .ok_or_else(|| {
                Invalid::field(
                    "invalid_overlap",
                    "overlap_hours",
                    "must be a whole number of hours from 0 to 168",
                )
            })?,
    };
    Ok((secret, hours))
}

pub async fn handle_rotate_secret(mut req: Request, ctx: RouteContext) -> Result<Response> {
    let (row, config) = find_connector(&ctx, &ctx.id("id")?).await?;
    let body = read_json(&mut req, MAX_BODY_BYTES).await?;
    let (secret, hours) = parse_rotation(&body)?;
    let previous = config.webhook.signing_secret.as_deref();
    if previous == Some(secret.as_str()) {
        return Err(Invalid::field(
            "same_secret",
            "signing_secret",
            "is the connector's current secret; generate a new one",
        )
        .into());
    }
    let now = now();
    let until = now.plus_ms(hours * 3_600_000);
    if !connectors::rotate_secret(&ctx.db()?, &row.id, &secret, previous, until, now).await? {
        return Err(Error::not_found("connector"));
    }
    json(
        200,
        &SecretRotated {
            connector_id: row.id,
            rotated_at: now.iso8601(),
            previous_signs_until: previous.map(|_| until.iso8601()),
        },
    )
}
