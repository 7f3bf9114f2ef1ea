//! `GET /admin/api/parameters`: the dynamic parameters with their descriptions.

use super::model::ParameterList;
use crate::core::params::catalogue;
use crate::error::Result;
use crate::http::request::Request;
use crate::http::respond::json;
use crate::http::router::RouteContext;
use worker::Response;

pub async fn handle_list_parameters(_: Request, _: RouteContext) -> Result<Response> {
    json(
        200,
        &ParameterList {
            data: catalogue().collect(),
            custom: "Any custom event attribute, upper-snake-cased: transaction_id is {{TRANSACTION_ID}}, billingPeriod is {{BILLING_PERIOD}}",
            filters: &["sha256", "lower", "upper", "default:TEXT"],
        },
    )
}
