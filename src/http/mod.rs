//! The edge: routes, handlers per surface, and the mapping of errors to responses.

pub mod admin;
pub mod body;
pub mod browser;
mod console;
#[cfg(test)]
mod contract;
pub mod delivery;
pub mod error;
mod health;
pub mod intake;
pub mod pixels;
pub mod respond;
pub mod webhooks;

use error::{ApiError, ApiResult};
use std::future::Future;
use worker::{Env, Request, Response, RouteContext, Router};

/// Declares every route once: the router is built from this list, and `ROUTES` exposes it so a
/// test can prove the OpenAPI document covers every route.
macro_rules! routes {
    ($($method:ident $path:literal => $handler:path),* $(,)?) => {
        /// `(method, path)` of every route, in matchit syntax (`:id`).
        pub const ROUTES: &[(&str, &str)] = &[$((stringify!($method), $path)),*];

        fn build_router() -> Router<'static, ()> {
            let router = Router::new();
            $(let router = routes!(@add router, $method, $path, $handler);)*
            router
        }
    };
    (@add $router:ident, GET, $path:literal, $handler:path) => {
        $router.get_async($path, |req, ctx| finish($handler(req, ctx)))
    };
    (@add $router:ident, HEAD, $path:literal, $handler:path) => {
        $router.head_async($path, |req, ctx| finish($handler(req, ctx)))
    };
    (@add $router:ident, OPTIONS, $path:literal, $handler:path) => {
        $router.options_async($path, |req, ctx| finish($handler(req, ctx)))
    };
    (@add $router:ident, POST, $path:literal, $handler:path) => {
        $router.post_async($path, |req, ctx| finish($handler(req, ctx)))
    };
    (@add $router:ident, PATCH, $path:literal, $handler:path) => {
        $router.patch_async($path, |req, ctx| finish($handler(req, ctx)))
    };
    (@add $router:ident, DELETE, $path:literal, $handler:path) => {
        $router.delete_async($path, |req, ctx| finish($handler(req, ctx)))
    };
}

routes! {
    // System
    GET "/healthz" => health::handle_healthz,

    // Browser surface (the tracking subdomain)
    GET "/px/:token" => pixels::handle_pixel_frame,
    GET "/t.js" => browser::tracking_script::handle_tracking_script,
    HEAD "/t.js" => browser::tracking_script::handle_tracking_script,
    GET "/collect" => browser::collect::handle_collect,
    HEAD "/collect" => browser::collect::handle_collect,
    OPTIONS "/collect" => browser::cors::handle_preflight,
    GET "/c" => browser::redirect::handle_redirect,
    HEAD "/c" => browser::redirect::handle_redirect,
    POST "/e" => browser::event::handle_event,
    OPTIONS "/e" => browser::cors::handle_preflight,

    // Webhooks in
    GET "/webhook" => webhooks::tracklution::handle_webhook_get,
    POST "/webhook" => webhooks::tracklution::handle_webhook_post,
    POST "/webhooks/custom/:container/:topic" => webhooks::custom::handle_custom_webhook,

    // Console
    GET "/admin" => console::handle_console,
    GET "/admin/assets/:file" => console::handle_console_asset,

    // Admin API
    GET "/admin/api/openapi.json" => admin::openapi::handle_openapi,
    GET "/admin/api/parameters" => admin::parameters::handle_list_parameters,
    POST "/admin/api/containers" => admin::containers::handle_create_container,
    GET "/admin/api/containers" => admin::containers::handle_list_containers,
    GET "/admin/api/containers/:id" => admin::containers::handle_get_container,
    PATCH "/admin/api/containers/:id" => admin::containers::handle_patch_container,
    POST "/admin/api/containers/:id/connectors" => admin::connectors::handle_create_connector,
    GET "/admin/api/containers/:id/connectors" => admin::connectors::handle_list_connectors,
    GET "/admin/api/containers/:id/event-names" => admin::containers::handle_list_event_names,
    GET "/admin/api/connectors/:id" => admin::connectors::handle_get_connector,
    PATCH "/admin/api/connectors/:id" => admin::connectors::handle_patch_connector,
    DELETE "/admin/api/connectors/:id" => admin::connectors::handle_delete_connector,
    POST "/admin/api/connectors/:id/approve-pixel" => admin::connectors::handle_approve_pixel,

    // Admin API: deliveries, previews and tests
    POST "/admin/api/connectors/:id/preview" => admin::deliveries::handle_preview_connector,
    POST "/admin/api/connectors/:id/test" => admin::deliveries::handle_test_connector,
    GET "/admin/api/connectors/:id/deliveries" => admin::deliveries::handle_list_deliveries,
    POST "/admin/api/deliveries/:id/replay" => admin::deliveries::handle_replay_delivery,

    // Admin API: API keys and webhook activity
    POST "/admin/api/containers/:id/api-keys" => admin::api_keys::handle_create_api_key,
    GET "/admin/api/containers/:id/api-keys" => admin::api_keys::handle_list_api_keys,
    DELETE "/admin/api/api-keys/:id" => admin::api_keys::handle_revoke_api_key,
    GET "/admin/api/containers/:id/webhook-activity" => admin::webhook_activity::handle_webhook_activity,
}

async fn finish(handler: impl Future<Output = ApiResult<Response>>) -> worker::Result<Response> {
    match handler.await {
        Ok(response) => Ok(response),
        Err(err) => err.to_response(),
    }
}

async fn handle_not_found(_: Request, _: RouteContext<()>) -> ApiResult<Response> {
    Err(ApiError::NotFound("no such route"))
}

pub async fn serve(req: Request, env: Env) -> worker::Result<Response> {
    let path = req.path();
    // workers-rs reads any method it does not know (QUERY, PROPFIND, ...) as GET; answer those
    // here, before the router runs a GET handler for them.
    if !KNOWN_METHODS.contains(&req.inner().method().as_str()) {
        return method_not_allowed(&path);
    }
    let response = build_router()
        .or_else_any_method_async("/*rest", |req, ctx| finish(handle_not_found(req, ctx)))
        .or_else_any_method_async("/", |req, ctx| finish(handle_not_found(req, ctx)))
        .run(req, env)
        .await?;
    if response.status_code() == 405 {
        return method_not_allowed(&path);
    }
    Ok(response)
}

/// The methods workers-rs routes by name; any other is answered before routing.
const KNOWN_METHODS: &[&str] = &[
    "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "CONNECT", "TRACE",
];

/// 405 with the route's methods in `Allow`, or 404 for a path no route has.
fn method_not_allowed(path: &str) -> worker::Result<Response> {
    let allow = allowed_methods(path);
    if allow.is_empty() {
        return ApiError::NotFound("no such route").to_response();
    }
    let mut answer =
        ApiError::bad_request("method_not_allowed", "this route does not take that method")
            .to_response()?
            .with_status(405);
    answer.headers_mut().set("allow", &allow)?;
    Ok(answer)
}

/// The methods `ROUTES` declares for `path`, for the `Allow` header of a 405 (RFC 9110 §15.5.6).
fn allowed_methods(path: &str) -> String {
    let segments: Vec<&str> = path.split('/').collect();
    let matches = |route: &str| {
        let parts: Vec<&str> = route.split('/').collect();
        parts.len() == segments.len()
            && parts
                .iter()
                .zip(&segments)
                .all(|(p, s)| p.starts_with(':') && !s.is_empty() || p == s)
    };
    let mut methods: Vec<&str> = ROUTES
        .iter()
        .filter(|(_, route)| matches(route))
        .map(|(method, _)| *method)
        .collect();
    methods.dedup();
    methods.join(", ")
}
