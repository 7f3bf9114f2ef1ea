//! The browser surface (the tracking subdomain), the console and the system routes.

#![allow(dead_code)]

use super::body_types::BrowserEventIn;
use crate::http::browser::event::BrowserEventOut;
use crate::http::error::ErrorBody;
use crate::http::health::HealthOut;

#[utoipa::path(
    get,
    path = "/healthz",
    tag = "system",
    summary = "Liveness probe",
    responses(
        (status = 200, description = "The worker answers", body = HealthOut),
    ),
)]
fn healthz() {}

#[utoipa::path(
    get,
    path = "/admin/api/openapi.json",
    tag = "system",
    summary = "This document",
    responses(
        (status = 200, description = "OpenAPI 3 document", body = Object),
    ),
)]
fn get_openapi() {}
#[utoipa::path(
    get,
    path = "/t.js",
    tag = "browser",
    summary = "The tracking script",
    description = "The same small script for every container: it reads the container id and the tracking host from its own src, calls /collect on each page view and exposes postclick.track(name, data), postclick.consent(state) and postclick.page(). Cacheable for 300 s, then revalidated with its ETag.",
    params(
        ("id" = String, Query, description = "Container id (ctr_ and 22 base64url characters)", pattern = "^ctr_[A-Za-z0-9_-]{22}$"),
        ("If-None-Match" = Option<String>, Header),
    ),
    responses(
        (status = 200, description = "The script", body = String, content_type = "text/javascript", headers(("Cache-Control" = String, description = "public, max-age=300"), ("ETag" = String))),
        (status = 304, description = "The browser's copy is current (no database read)"),
        (status = 400, description = "The id parameter is missing", body = ErrorBody),
        (status = 404, description = "Unknown container", body = ErrorBody),
        (status = 413, description = "The request URL is longer than 8 KiB", body = ErrorBody),
        (status = 422, description = "A parameter (id) is given twice (duplicate_parameter), or is not UTF-8 once percent-decoded (invalid_encoding); `field` names it", body = ErrorBody),
    ),
)]
fn get_tracking_script() {}

#[utoipa::path(
    head,
    path = "/t.js",
    tag = "browser",
    summary = "The tracking script's headers",
    params(
        ("id" = String, Query, description = "Container id (ctr_ and 22 base64url characters)", pattern = "^ctr_[A-Za-z0-9_-]{22}$"),
    ),
    responses(
        (status = 200, description = "As GET, without a body"),
        (status = 400, description = "The id parameter is missing (no body)"),
        (status = 304, description = "The browser's copy is current"),
        (status = 404, description = "Unknown container", body = ErrorBody),
        (status = 413, description = "The request URL is longer than 8 KiB (no body)"),
        (status = 422, description = "A parameter is given twice, or is not UTF-8 once percent-decoded (no body)"),
    ),
)]
fn head_tracking_script() {}

#[utoipa::path(
    get,
    path = "/collect",
    tag = "browser",
    summary = "Record a page view",
    description = "Captures the click ids (gclid, gbraid, wbraid, dclid, fbclid, ttclid, msclkid, epik, rdt_cid, li_fat_id, twclid, each connector's custom click parameter) and utm_* tags of `url`'s query into first-party cookies and one click row each. A page view without click parameters stores nothing. Prefetches and link-preview crawlers get 204 and nothing else. Calls from an Origin that is not among the container's allowed origins are refused.",
    params(
        ("id" = String, Query, description = "Container id (ctr_ and 22 base64url characters)", pattern = "^ctr_[A-Za-z0-9_-]{22}$"),
        ("url" = String, Query, description = "The page URL; click ids and UTM tags are captured from its query. The fragment is never stored.", pattern = "^https?://(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)*[A-Za-z](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:/[A-Za-z0-9._~-]*)*(?:\\?[A-Za-z0-9._~=&-]*)?$", max_length = 2048),
        ("ref" = Option<String>, Query, description = "The page's referrer (accepted, not stored yet)"),
        ("consent" = Option<String>, Query, description = "The page's consent signal, as postclick.consent() was told. Without it, a container that requires consent sets no cookie and stores nothing."),
    ),
    responses(
        (status = 204, description = "Recorded", headers(("Cache-Control" = String, description = "no-store"), ("Set-Cookie" = String, description = "One header per cookie: pc_vid, pc_clk, _fbc, _gcl_aw, each `Domain={cookie domain}; Path=/; Max-Age=…; Secure; SameSite=Lax`, pc_vid and pc_clk also HttpOnly. None when consent is required and missing, refused, or the cookie domain does not cover the request host."), ("Access-Control-Allow-Origin" = String, description = "The caller's Origin, only when it is one of the container's allowed origins"), ("Access-Control-Allow-Credentials" = String, description = "true, with Access-Control-Allow-Origin"), ("Vary" = String, description = "Origin"))),
        (status = 400, description = "A parameter is missing or malformed (id, url, consent)", body = ErrorBody),
        (status = 403, description = "The Origin is not among the container's allowed origins; no CORS headers", body = ErrorBody),
        (status = 404, description = "Unknown container", body = ErrorBody),
        (status = 413, description = "The request URL is longer than 8 KiB", body = ErrorBody),
        (status = 422, description = "A parameter (id, url, consent) is given twice (duplicate_parameter), or is not UTF-8 once percent-decoded (invalid_encoding); `field` names it", body = ErrorBody),
        (status = 429, description = "Over 300 page views and tracking links a minute from this client (CF-Connecting-IP) to this container", body = ErrorBody, headers(("Retry-After" = String, description = "60: seconds until the client's window restarts"))),
    ),
)]
fn collect() {}

#[utoipa::path(
    head,
    path = "/collect",
    tag = "browser",
    summary = "A page-view check that records nothing",
    description = "Answers as GET would, but sets no cookie and creates no click.",
    params(
        ("id" = String, Query, description = "Container id (ctr_ and 22 base64url characters)", pattern = "^ctr_[A-Za-z0-9_-]{22}$"),
        ("url" = String, Query, description = "The page URL; click ids and UTM tags are captured from its query. The fragment is never stored.", pattern = "^https?://(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)*[A-Za-z](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:/[A-Za-z0-9._~-]*)*(?:\\?[A-Za-z0-9._~=&-]*)?$", max_length = 2048),
        ("ref" = Option<String>, Query, description = "The page's referrer (accepted, not stored yet)"),
        ("consent" = Option<String>, Query, description = "The page's consent signal, as postclick.consent() was told. Without it, a container that requires consent sets no cookie and stores nothing."),
    ),
    responses(
        (status = 204, description = "Nothing recorded"),
        (status = 400, description = "A parameter is missing or malformed (no body)"),
        (status = 404, description = "Unknown container", body = ErrorBody),
        (status = 413, description = "The request URL is longer than 8 KiB (no body)"),
        (status = 422, description = "A parameter is given twice, or is not UTF-8 once percent-decoded (no body)"),
        (status = 429, description = "Over 300 page views and tracking links a minute from this client (CF-Connecting-IP) to this container (no body)", headers(("Retry-After" = String, description = "60: seconds until the client's window restarts"))),
    ),
)]
fn head_collect() {}

#[utoipa::path(
    options,
    path = "/collect",
    tag = "browser",
    summary = "CORS preflight",
    description = "Allows a credentialed GET with Content-Type from the container's allowed origins; refuses every other origin without CORS headers.",
    params(
        ("id" = String, Query, description = "Container id (ctr_ and 22 base64url characters)", pattern = "^ctr_[A-Za-z0-9_-]{22}$"),
        ("Origin" = Option<String>, Header),
    ),
    responses(
        (status = 204, description = "Allowed", headers(("Access-Control-Allow-Origin" = String, description = "The caller's Origin, only when it is one of the container's allowed origins"), ("Access-Control-Allow-Credentials" = String, description = "true, with Access-Control-Allow-Origin"), ("Vary" = String, description = "Origin"), ("Access-Control-Allow-Methods" = String), ("Access-Control-Allow-Headers" = String, description = "content-type"), ("Access-Control-Max-Age" = String))),
        (status = 400, description = "The id parameter is missing", body = ErrorBody),
        (status = 403, description = "The Origin is not among the container's allowed origins", body = ErrorBody),
        (status = 404, description = "Unknown container", body = ErrorBody),
        (status = 413, description = "The request URL is longer than 8 KiB", body = ErrorBody),
        (status = 422, description = "A parameter (id, url, consent) is given twice (duplicate_parameter), or is not UTF-8 once percent-decoded (invalid_encoding); `field` names it", body = ErrorBody),
    ),
)]
fn preflight_collect() {}

#[utoipa::path(
    get,
    path = "/c",
    tag = "browser",
    summary = "Tracking link: capture, then redirect",
    description = "Captures click ids and UTM tags from its own query and from `to`'s query, sets the first-party cookies, stores one click row per parameter, then redirects. A container that requires consent only redirects. Prefetches and link-preview crawlers are redirected without capture.",
    params(
        ("id" = String, Query, description = "Container id (ctr_ and 22 base64url characters)", pattern = "^ctr_[A-Za-z0-9_-]{22}$"),
        ("to" = String, Query, description = "The landing URL: absolute http(s), on the container's cookie domain or one of its redirect domains (or their subdomains)", pattern = "^https?://(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)*[A-Za-z](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:/[A-Za-z0-9._~-]*)*(?:\\?[A-Za-z0-9._~=&-]*)?$", max_length = 2048),
        ("gclid" = Option<String>, Query, description = "Any click parameter or utm_* tag may also be given here; /c's own values win over `to`'s"),
    ),
    responses(
        (status = 302, description = "Redirect to `to`", headers(("Location" = String), ("Cache-Control" = String, description = "no-store"), ("Set-Cookie" = String, description = "One header per cookie: pc_vid, pc_clk, _fbc, _gcl_aw, each `Domain={cookie domain}; Path=/; Max-Age=…; Secure; SameSite=Lax`, pc_vid and pc_clk also HttpOnly. None when consent is required and missing, refused, or the cookie domain does not cover the request host."))),
        (status = 400, description = "`to` is missing or not allowed (foreign host, //host, javascript:, look-alike, backslash or userinfo tricks); no Location, nothing stored", body = ErrorBody),
        (status = 404, description = "Unknown container", body = ErrorBody),
        (status = 413, description = "The request URL is longer than 8 KiB", body = ErrorBody),
        (status = 422, description = "A parameter (id, to) is given twice (duplicate_parameter), or is not UTF-8 once percent-decoded (invalid_encoding); `field` names it", body = ErrorBody),
        (status = 429, description = "Over 300 page views and tracking links a minute from this client (CF-Connecting-IP) to this container", body = ErrorBody, headers(("Retry-After" = String, description = "60: seconds until the client's window restarts"))),
    ),
)]
fn redirect() {}

#[utoipa::path(
    head,
    path = "/c",
    tag = "browser",
    summary = "Tracking-link check that records nothing",
    description = "Answers as GET would (302 with Location, or 400), but sets no cookie and creates no click.",
    params(
        ("id" = String, Query, description = "Container id (ctr_ and 22 base64url characters)", pattern = "^ctr_[A-Za-z0-9_-]{22}$"),
        ("to" = String, Query, description = "The landing URL: absolute http(s), on the container's cookie domain or one of its redirect domains (or their subdomains)", pattern = "^https?://(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)*[A-Za-z](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:/[A-Za-z0-9._~-]*)*(?:\\?[A-Za-z0-9._~=&-]*)?$", max_length = 2048),
        ("gclid" = Option<String>, Query, description = "Any click parameter or utm_* tag may also be given here; /c's own values win over `to`'s"),
    ),
    responses(
        (status = 302, description = "Where the link goes"),
        (status = 400, description = "`to` is missing or not allowed", body = ErrorBody),
        (status = 404, description = "Unknown container", body = ErrorBody),
        (status = 413, description = "The request URL is longer than 8 KiB (no body)"),
        (status = 422, description = "A parameter is given twice, or is not UTF-8 once percent-decoded (no body)"),
        (status = 429, description = "Over 300 page views and tracking links a minute from this client (CF-Connecting-IP) to this container (no body)", headers(("Retry-After" = String, description = "60: seconds until the client's window restarts"))),
    ),
)]
fn head_redirect() {}

#[utoipa::path(
    post,
    path = "/e",
    tag = "browser",
    summary = "Record a browser event",
    description = "What postclick.track(name, data) sends. A browser event is anonymous (provenance browser): it fires approved pixels, but a connector's server-side postback only when the connector opts in with webhook.fire_on server_and_browser (the others log a skipped delivery, reason browser_event), and pc_test fires test-mode pixels, never a live postback. It is attributed from the signed pc_clk cookie. Deduplicated on event_id per visitor: a repeat from the same visitor answers duplicate: true and fires no pixel again; an id another visitor or the site's server sent is never reported. A server event with the same id later confirms it. Email and phone are stored SHA-256-hashed after normalisation, with the external id, for matching webhooks to this visitor. The visitor is the pc_vid cookie; a browser without one gets a new pc_vid (same consent and domain rules as /collect). consent.advertising is the cookie consent signal.",
    params(
        ("id" = String, Query, description = "Container id (ctr_ and 22 base64url characters)", pattern = "^ctr_[A-Za-z0-9_-]{22}$"),
    ),
    request_body(content = BrowserEventIn, content_type = "application/json"),
    responses(
        (status = 200, description = "Recorded (or a duplicate)", body = BrowserEventOut, headers(("Cache-Control" = String, description = "no-store"), ("Set-Cookie" = String, description = "One header per cookie: pc_vid, pc_clk, _fbc, _gcl_aw, each `Domain={cookie domain}; Path=/; Max-Age=…; Secure; SameSite=Lax`, pc_vid and pc_clk also HttpOnly. None when consent is required and missing, refused, or the cookie domain does not cover the request host."), ("Access-Control-Allow-Origin" = String, description = "The caller's Origin, only when it is one of the container's allowed origins"), ("Access-Control-Allow-Credentials" = String, description = "true, with Access-Control-Allow-Origin"), ("Vary" = String, description = "Origin"))),
        (status = 400, description = "Malformed JSON, or the id parameter is missing", body = ErrorBody),
        (status = 403, description = "The Origin is not among the container's allowed origins; no CORS headers", body = ErrorBody),
        (status = 404, description = "Unknown container", body = ErrorBody),
        (status = 413, description = "The body passed 64 KiB (refused as soon as it does, even chunked), or the request URL is longer than 8 KiB", body = ErrorBody),
        (status = 429, description = "Over 100 events a minute from this client (CF-Connecting-IP) to this container; no CORS headers (the container is not read)", body = ErrorBody, headers(("Retry-After" = String, description = "60: seconds until the client's window restarts"))),
        (status = 415, description = "Body is not application/json", body = ErrorBody),
        (status = 422, description = "A field is invalid (unknown top-level key, currency, value, …); `field` names it", body = ErrorBody),
    ),
)]
fn send_event() {}

#[utoipa::path(
    options,
    path = "/e",
    tag = "browser",
    summary = "CORS preflight",
    description = "Allows a credentialed POST with Content-Type from the container's allowed origins; refuses every other origin without CORS headers.",
    params(
        ("id" = String, Query, description = "Container id (ctr_ and 22 base64url characters)", pattern = "^ctr_[A-Za-z0-9_-]{22}$"),
        ("Origin" = Option<String>, Header),
    ),
    responses(
        (status = 204, description = "Allowed", headers(("Access-Control-Allow-Origin" = String, description = "The caller's Origin, only when it is one of the container's allowed origins"), ("Access-Control-Allow-Credentials" = String, description = "true, with Access-Control-Allow-Origin"), ("Vary" = String, description = "Origin"), ("Access-Control-Allow-Methods" = String), ("Access-Control-Allow-Headers" = String, description = "content-type"), ("Access-Control-Max-Age" = String))),
        (status = 400, description = "The id parameter is missing", body = ErrorBody),
        (status = 403, description = "The Origin is not among the container's allowed origins", body = ErrorBody),
        (status = 404, description = "Unknown container", body = ErrorBody),
        (status = 413, description = "The request URL is longer than 8 KiB", body = ErrorBody),
        (status = 422, description = "A parameter (id) is given twice (duplicate_parameter), or is not UTF-8 once percent-decoded (invalid_encoding); `field` names it", body = ErrorBody),
    ),
)]
fn preflight_event() {}

#[utoipa::path(
    get,
    path = "/px/{token}",
    tag = "browser",
    summary = "A sandboxed pixel document",
    description = "The token is HMAC-signed with SIGNING_KEY, names the event and the connector, expires after 2 minutes, and is bound to the visitor it was issued for: the request must carry that visitor's pc_vid (another client replaying the URL gets 404). The answer carries `Content-Security-Policy: sandbox allow-scripts`, `Cache-Control: no-store` and `X-Content-Type-Options: nosniff`. A tampered, expired or unknown token, or a pixel no longer approved, is a bare 404.",
    params(
        ("token" = String, Path),
    ),
    responses(
        (status = 200, description = "The pixel HTML in a minimal document", body = String, content_type = "text/html"),
        (status = 404, description = "No such pixel (empty body)"),
    ),
)]
fn get_pixel_frame() {}
#[utoipa::path(
    get,
    path = "/admin",
    tag = "console",
    summary = "The console (HTML) marketers use",
    responses(
        (status = 200, description = "The console page", body = String, content_type = "text/html"),
    ),
)]
fn get_console() {}

#[utoipa::path(
    get,
    path = "/admin/assets/{file}",
    tag = "console",
    summary = "A console script or stylesheet",
    params(
        ("file" = String, Path),
    ),
    responses(
        (status = 200, description = "The asset", content((String = "text/javascript"), (String = "text/css"))),
        (status = 404, description = "No such asset", body = ErrorBody),
    ),
)]
fn get_console_asset() {}

/// The operations of this surface, in the order the document lists them.
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    healthz,
    get_openapi,
    get_tracking_script,
    head_tracking_script,
    collect,
    head_collect,
    preflight_collect,
    redirect,
    head_redirect,
    send_event,
    preflight_event,
    get_pixel_frame,
    get_console,
    get_console_asset,
))]
pub struct Operations;
