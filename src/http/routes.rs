//! Every route the worker answers, as data: method, path, who may call it, and the handler. The
//! router is built from this table, and the native tests check it against the OpenAPI document
//! both ways (every route documented, every operation routed, and an operation requires the
//! admin token exactly when its route is [`Access::Admin`]).

use super::router::{Access, Route};
use super::{admin, browser, console, health, pixels, webhooks};
use worker::Method;

/// One table entry: `route!(GET "/path/:id", Admin, module::handle_x)`.
macro_rules! route {
    ($method:ident $path:literal, $access:ident, $handler:path) => {
        Route {
            method: route!(@method $method),
            path: $path,
            access: Access::$access,
            handler: |req, ctx| Box::pin($handler(req, ctx)),
        }
    };
    (@method GET) => { Method::Get };
    (@method HEAD) => { Method::Head };
    (@method OPTIONS) => { Method::Options };
    (@method POST) => { Method::Post };
    (@method PATCH) => { Method::Patch };
    (@method DELETE) => { Method::Delete };
}

/// The route table. Paths are in matchit syntax (`:id`).
pub static ROUTES: &[Route] = &[
    // System
    route!(GET "/healthz", Public, health::handle_healthz),
    // Browser surface: the tracking subdomain, and the same-origin prefix on the site's host
    route!(GET "/px/:token", Browser, pixels::handle_pixel_frame),
    route!(GET "/t.js", Browser, browser::tracking_script::handle_tracking_script),
    route!(HEAD "/t.js", Browser, browser::tracking_script::handle_tracking_script),
    route!(GET "/collect", Browser, browser::collect::handle_collect),
    route!(HEAD "/collect", Browser, browser::collect::handle_collect),
    route!(OPTIONS "/collect", Browser, browser::cors::handle_preflight),
    route!(GET "/c", Browser, browser::redirect::handle_redirect),
    route!(HEAD "/c", Browser, browser::redirect::handle_redirect),
    route!(POST "/e", Browser, browser::event::handle_event),
    route!(OPTIONS "/e", Browser, browser::cors::handle_preflight),
    // Webhooks in: public routes whose handlers check the container's API key
    route!(GET "/webhook", Public, webhooks::tracklution::handle_webhook_get),
    route!(POST "/webhook", Public, webhooks::tracklution::handle_webhook_post),
    route!(POST "/webhooks/custom/:container/:topic", Public, webhooks::custom::handle_custom_webhook),
    // Console: its files are public; everything it shows comes from the admin API
    route!(GET "/admin", Public, console::handle_static_asset),
    route!(GET "/admin/assets/:file", Public, console::handle_static_asset),
    // Admin API
    route!(GET "/admin/api/openapi.json", Public, console::handle_static_asset),
    route!(GET "/admin/api/parameters", Admin, admin::parameters::handle_list_parameters),
    route!(GET "/admin/api/connector-templates", Admin, admin::explain::handle_list_templates),
    route!(GET "/admin/api/containers/:id/explain", Admin, admin::explain::handle_explain),
    route!(POST "/admin/api/containers", Admin, admin::containers::handle_create_container),
    route!(GET "/admin/api/containers", Admin, admin::containers::handle_list_containers),
    route!(GET "/admin/api/containers/:id", Admin, admin::containers::handle_get_container),
    route!(PATCH "/admin/api/containers/:id", Admin, admin::containers::handle_patch_container),
    route!(POST "/admin/api/containers/:id/connectors", Admin, admin::connectors::handle_create_connector),
    route!(GET "/admin/api/containers/:id/connectors", Admin, admin::connectors::handle_list_connectors),
    route!(GET "/admin/api/containers/:id/event-names", Admin, admin::containers::handle_list_event_names),
    route!(GET "/admin/api/containers/:id/install", Admin, admin::containers::handle_install),
    route!(GET "/admin/api/containers/:id/install-check", Admin, admin::containers::handle_install_check),
    route!(GET "/admin/api/connectors/:id", Admin, admin::connectors::handle_get_connector),
    route!(PATCH "/admin/api/connectors/:id", Admin, admin::connectors::handle_patch_connector),
    route!(DELETE "/admin/api/connectors/:id", Admin, admin::connectors::handle_delete_connector),
    route!(POST "/admin/api/connectors/:id/approve-pixel", Admin, admin::connectors::handle_approve_pixel),
    // Admin API: previews, tests, the webhook log and replay
    route!(POST "/admin/api/connectors/:id/preview", Admin, admin::previews::handle_preview_connector),
    route!(POST "/admin/api/connectors/:id/test", Admin, admin::test_webhook::handle_test_connector),
    route!(GET "/admin/api/connectors/:id/deliveries", Admin, admin::deliveries::handle_list_deliveries),
    route!(POST "/admin/api/deliveries/:id/replay", Admin, admin::deliveries::handle_replay_delivery),
    route!(POST "/admin/api/connectors/:id/recover", Admin, admin::recovery::handle_recover),
    route!(GET "/admin/api/connectors/:id/destination", Admin, admin::destination::handle_destination),
    route!(POST "/admin/api/connectors/:id/unpark", Admin, admin::destination::handle_unpark),
    route!(POST "/admin/api/connectors/:id/rotate-secret", Admin, admin::rotation::handle_rotate_secret),
    route!(GET "/admin/api/connectors/:id/reconciliation", Admin, admin::reconciliation::handle_reconciliation),
    // Admin API: conversions and their status
    route!(GET "/admin/api/containers/:id/events", Admin, admin::events::handle_list_events),
    route!(GET "/admin/api/containers/:id/events/daily", Admin, admin::reconciliation::handle_events_daily),
    route!(POST "/admin/api/containers/:id/events/status", Admin, admin::events::handle_bulk_status),
    route!(GET "/admin/api/events/:id", Admin, admin::events::handle_get_event),
    route!(POST "/admin/api/events/:id/status", Admin, admin::events::handle_change_status),
    route!(POST "/admin/api/deliveries/:id/reevaluate", Admin, admin::reevaluate::handle_reevaluate),
    // Admin API: API keys and webhook activity
    route!(POST "/admin/api/containers/:id/api-keys", Admin, admin::api_keys::handle_create_api_key),
    route!(GET "/admin/api/containers/:id/api-keys", Admin, admin::api_keys::handle_list_api_keys),
    route!(DELETE "/admin/api/api-keys/:id", Admin, admin::api_keys::handle_revoke_api_key),
    route!(GET "/admin/api/containers/:id/webhook-activity", Admin, admin::webhook_activity::handle_webhook_activity),
    // Admin API: a person's data (erasure and export), refused click values
    route!(POST "/admin/api/containers/:id/erasures", Admin, admin::privacy::handle_create_erasure),
    route!(GET "/admin/api/containers/:id/subjects", Admin, admin::privacy::handle_export_subject),
    route!(GET "/admin/api/containers/:id/click-refusals", Admin, admin::privacy::handle_list_click_refusals),
];
