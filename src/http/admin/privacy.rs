//! A person's data: erase it (`POST /admin/api/containers/{id}/erasures`), export it
//! (`GET /admin/api/containers/{id}/subjects?email=`), and the click values landings refused
//! (`GET /admin/api/containers/{id}/click-refusals`).

use super::limit_param;
use super::model::privacy::{ClickRefusalList, ClickRefusalOut, ErasureOut, SubjectExport};
use crate::core::error::Invalid;
use crate::core::form;
use crate::core::ids::ErasureId;
use crate::core::privacy::subject::{Subject, SubjectKind};
use crate::error::{Error, Result};
use crate::http::body::{read_json, MAX_BODY_BYTES};
use crate::http::request::Request;
use crate::http::respond::json;
use crate::http::router::RouteContext;
use crate::platform::{new_id, now};
use crate::store::{click_refusals, containers, erasure, subjects};
use serde_json::Value;
use worker::Response;

/// `POST .../erasures {visitor_id | email | phone | external_id}`: removes that person's data
/// everywhere and answers what was removed per table. Idempotent: a repeat answers the first
/// erasure's id and time, with what it found since (usually nothing).
pub async fn handle_create_erasure(mut req: Request, ctx: RouteContext) -> Result<Response> {
    let body = read_json(&mut req, MAX_BODY_BYTES).await?;
    let Value::Object(fields) = &body else {
        return Err(Error::bad_request(
            "invalid_body",
            "the body is a JSON object",
        ));
    };
    // Only the identifiers are read: other keys are ignored, as in every admin body.
    let mut pairs: Vec<(&str, &str)> = Vec::new();
    for kind in SubjectKind::ALL {
        match fields.get(kind.field()) {
            Some(Value::String(s)) => pairs.push((kind.field(), s)),
            None | Some(Value::Null) => {}
            Some(_) => {
                return Err(Invalid::field("invalid_type", kind.field(), "must be a string").into())
            }
        }
    }
    let subject = Subject::parse(pairs)?;
    let db = ctx.db()?;
    let container = containers::find(&db, &ctx.id("id")?).await?;
    let id: ErasureId = new_id()?;
    let outcome = erasure::erase(&db, &container.id, &subject, id.as_str(), now()).await?;
    json(200, &ErasureOut::new(&subject, outcome))
}

/// `GET .../subjects?email=|phone=|external_id=|visitor_id=`: everything held about that person.
pub async fn handle_export_subject(req: Request, ctx: RouteContext) -> Result<Response> {
    let url = req.url()?;
    let pairs = form::parse_pairs(url.query().unwrap_or(""))?;
    let subject = Subject::parse(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))?;
    let db = ctx.db()?;
    let container = containers::find(&db, &ctx.id("id")?).await?;
    let exported = subjects::export(&db, &container.id, &subject).await?;
    json(
        200,
        &SubjectExport {
            subject: (&subject).into(),
            visitors: exported.visitors,
            tables: exported.tables,
        },
    )
}

/// `GET .../click-refusals`: per day, parameter and reason, how many landing values were refused.
pub async fn handle_list_click_refusals(req: Request, ctx: RouteContext) -> Result<Response> {
    let limit = limit_param(&req, 100, 500)?;
    let db = ctx.db()?;
    let container = containers::find(&db, &ctx.id("id")?).await?;
    let rows = click_refusals::recent(&db, &container.id, limit).await?;
    let data = rows.iter().map(ClickRefusalOut::from).collect();
    json(200, &ClickRefusalList { data })
}
