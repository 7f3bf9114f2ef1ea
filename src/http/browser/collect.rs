//! `GET /collect?id={container}&url={page url}&ref={referrer}[&consent=granted|denied]`: a page
//! view. `t.js` calls it on every page; the click ids and UTM tags in the page URL's query become
//! first-party cookies and click rows.
//!
//! A page view without click parameters reads the container through the isolate's cache (no D1
//! call once cached) and writes nothing before answering; one with click parameters also hands
//! its clicks to the `clicks` queue (one send, no D1 wait). `ref` is accepted because `t.js`
//! sends it, but nothing reads it yet, so it is not stored. Each page view is also noted for the
//! install check (`install_record`: a write after the answer, at most once a minute per
//! container per isolate).

use super::cors::Caller;
use super::install_record::{self, PageView};
use super::{
    client, consent_query, cookies, count_refusals, header, is_not_a_visit, limited_container,
    no_store_answer, request_query, required_query,
};
use crate::core::clicks::capture_from_query;
use crate::core::client_limit::Surface;
use crate::delivery::clicks;
use crate::error::{Error, Result};
use crate::http::request::Request;
use crate::http::router::RouteContext;
use crate::platform::now;
use crate::store::clicks::Landing;
use url::Url;
use worker::Response;

/// `GET` and `HEAD /collect`. A `HEAD`, a prefetch or a link-preview crawler gets the same 204
/// but sets no cookie and stores nothing.
pub async fn handle_collect(req: Request, ctx: RouteContext) -> Result<Response> {
    let query = request_query(&req)?;
    let page = landing_url(&required_query(query, "url")?)?;
    let consent = consent_query(query)?;
    let client = client(&req, &ctx.config);
    let container = limited_container(&ctx, &client, query, Surface::Collect).await?;
    let settings = &container.settings;
    let origin = header(&req, "origin");
    let caller = Caller::from_origin(origin.as_deref(), settings);
    caller.refuse_foreign()?;

    let mut response = no_store_answer(204)?;
    if !is_not_a_visit(&req) {
        let now = now();
        let captured = capture_from_query(page.query().unwrap_or(""), &container.custom_params);
        count_refusals(&ctx, &container.row.id, &captured, now).await;
        let plan = cookies::plan(
            &req,
            &client,
            &ctx.config,
            settings,
            consent,
            &captured,
            now,
        )?;
        if let (true, Some(visitor)) = (plan.must_store(), &plan.visitor) {
            let landing_clicks = Landing::new(
                &container.row.id,
                visitor.id.as_str(),
                &plan.clicks_to_store,
                Some(page.as_str()),
                now,
            );
            clicks::capture(&ctx.env, &ctx.ctx, landing_clicks).await?;
        }
        cookies::append_set_cookies(response.headers_mut(), &plan)?;
        let view = PageView {
            container_id: &container.row.id,
            cookie_domain: &container.row.cookie_domain,
            page_url: page.as_str(),
            host: &client.host,
            origin: origin.as_deref(),
        };
        install_record::note(&ctx, &req, view, now);
    }
    caller.decorate(Ok(response))
}

/// The page URL `t.js` reports: an absolute http(s) URL. The fragment is dropped before anything
/// is stored: it never reaches a server otherwise, and sign-in flows put tokens there.
fn landing_url(raw: &str) -> Result<Url> {
    let refuse = || {
        Error::bad_request(
            "invalid_url",
            "url must be the page's absolute http or https URL",
        )
    };
    let mut url = Url::parse(raw.trim()).map_err(|_| refuse())?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(refuse());
    }
    url.set_fragment(None);
    Ok(url)
}
