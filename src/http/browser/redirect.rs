//! `GET /c?id={container}&to={landing url}&...`: the redirect form of a tracking link. Click ids
//! may sit in `/c`'s own query (`/c?id=..&gclid=..&to=..`) or in `to`'s query; both are
//! captured, `/c`'s own winning when a parameter is in both. Then 302 to `to`.
//!
//! `to` must be on the container's cookie domain or its redirect domains; anything else is 400
//! without `Location`, and nothing is captured, so a tracking link can never be an open redirect.

use super::required_query;
use super::{
    client, cookies, count_refusals, is_not_a_visit, limited_container, no_store_answer,
    request_query,
};
use crate::core::clicks::cookies::ConsentSignal;
use crate::core::clicks::{capture_from_query, capture_from_url, RedirectTarget};
use crate::core::client_limit::Surface;
use crate::delivery::clicks;
use crate::error::{Error, Result};
use crate::http::request::Request;
use crate::http::router::RouteContext;
use crate::platform::now;
use crate::store::clicks::Landing;
use worker::Response;

/// Query parameters of `/c` itself that are never click parameters, even if a connector's
/// custom parameter happens to share the name.
const OWN_PARAMS: &[&str] = &["id", "to"];

/// `GET` and `HEAD /c`. A `HEAD`, a prefetch or a link-preview crawler is redirected too (a link
/// checker sees where the link goes) but sets no cookie and stores nothing.
///
/// `/c` has no consent signal (ad platforms do not pass one), so a container that requires
/// consent only redirects; `t.js` on the landing page captures once the page grants consent.
pub async fn handle_redirect(req: Request, ctx: RouteContext) -> Result<Response> {
    let query = request_query(&req)?;
    let to = required_query(query, "to")?;
    let client = client(&req, &ctx.config);
    let container = limited_container(&ctx, &client, query, Surface::Redirect).await?;
    let settings = &container.settings;
    let target = RedirectTarget::parse(&to, &settings.cookie_domain, &settings.redirect_domains)
        .map_err(Error::malformed)?;

    let mut response = no_store_answer(302)?;
    response.headers_mut().set("location", target.as_str())?;
    if !is_not_a_visit(&req) {
        let now = now();
        let custom = &container.custom_params;
        let captured = capture_from_query(&own_query(query), custom)
            .or(capture_from_url(target.as_str(), custom));
        count_refusals(&ctx, &container.row.id, &captured, now).await;
        let plan = cookies::plan(
            &req,
            &client,
            &ctx.config,
            settings,
            ConsentSignal::Absent,
            &captured,
            now,
        )?;
        if let (true, Some(visitor)) = (plan.must_store(), &plan.visitor) {
            let mut landing = target.url().clone();
            landing.set_fragment(None);
            let landing_clicks = Landing::new(
                &container.row.id,
                visitor.id.as_str(),
                &plan.clicks_to_store,
                Some(landing.as_str()),
                now,
            );
            clicks::capture(&ctx.env, &ctx.ctx, landing_clicks).await?;
        }
        cookies::append_set_cookies(response.headers_mut(), &plan)?;
    }
    Ok(response)
}

/// `/c`'s raw query without its own parameters.
fn own_query(query: &str) -> String {
    query
        .split('&')
        .filter(|segment| {
            let name = segment.split('=').next().unwrap_or("");
            !OWN_PARAMS.iter().any(|own| own.eq_ignore_ascii_case(name))
        })
        .collect::<Vec<_>>()
        .join("&")
}
