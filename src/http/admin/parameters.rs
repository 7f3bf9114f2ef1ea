//! `GET /admin/api/parameters`: the dynamic parameters with their descriptions.

use super::model::ParameterList;
use super::require_admin;
use crate::core::params::CATALOGUE;
use crate::http::error::ApiResult;
use crate::http::respond::json;
use worker::{Request, Response, RouteContext};

pub async fn handle_list_parameters(req: Request, ctx: RouteContext<()>) -> ApiResult<Response> {
    require_admin(&req, &ctx)?;
    json(
        200,
        &ParameterList {
            data: CATALOGUE,
            custom: "Any custom event attribute, upper-snake-cased: transaction_id is {{TRANSACTION_ID}}, billingPeriod is {{BILLING_PERIOD}}",
            filters: &["sha256", "lower", "upper", "default:TEXT"],
        },
    )
}
