//! The inbound webhooks: the Tracklution-compatible `/webhook` and the custom JSON webhook.

#![allow(dead_code)]

use super::public_requests::{CustomWebhookIn, TracklutionBodyIn};
use crate::core::webhook_in::Topic;
use crate::http::error::ErrorBody;
use crate::http::webhooks::WebhookAccepted;

#[utoipa::path(
    get,
    path = "/webhook",
    tag = "webhooks",
    summary = "Tracklution-compatible webhook (seed 002): parameters in the query",
    params(
        ("track" = Option<String>, Query, description = "Event name (Purchase, BookingComplete...). Without it the request is a set request that enriches the matched visitor"),
        ("value" = Option<String>, Query, description = "Event value; needs currency"),
        ("currency" = Option<String>, Query, description = "ISO 4217 code; required with value"),
        ("url" = Option<String>, Query, description = "Absolute http(s) URL where the event happened"),
        ("email" = Option<String>, Query, description = "Email"),
        ("phoneNumber" = Option<String>, Query, description = "Phone number"),
        ("firstName" = Option<String>, Query, description = "First name"),
        ("lastName" = Option<String>, Query, description = "Last name"),
        ("birthday" = Option<String>, Query, description = "Date, YYYY-MM-DD"),
        ("gender" = Option<String>, Query, description = "e.g. male or female"),
        ("address" = Option<String>, Query, description = "Street address"),
        ("postCode" = Option<String>, Query, description = "Postal code"),
        ("city" = Option<String>, Query, description = "City"),
        ("country" = Option<String>, Query, description = "Country"),
        ("externalId" = Option<String>, Query, description = "Your unique identifier for the person"),
        ("gclid" = Option<String>, Query, description = "Google click id"),
        ("fbclid" = Option<String>, Query, description = "Meta click id"),
        ("gbraid" = Option<String>, Query, description = "Google aggregated click id"),
        ("wbraid" = Option<String>, Query, description = "Google web-to-app click id"),
        ("ttclid" = Option<String>, Query, description = "TikTok click id"),
        ("msclkid" = Option<String>, Query, description = "Microsoft Ads click id"),
        ("epik" = Option<String>, Query, description = "Pinterest click id"),
        ("dclid" = Option<String>, Query, description = "CM360 click id"),
        ("rdtCid" = Option<String>, Query, description = "Reddit click id"),
        ("trls" = Option<String>, Query, description = "Tracklution source identifier"),
        ("trlc" = Option<String>, Query, description = "Tracklution click identifier"),
        ("utmSource" = Option<String>, Query, description = "UTM source"),
        ("utmMedium" = Option<String>, Query, description = "UTM medium"),
        ("utmCampaign" = Option<String>, Query, description = "UTM campaign"),
        ("utmContent" = Option<String>, Query, description = "UTM content"),
        ("utmTerm" = Option<String>, Query, description = "UTM term"),
        ("eventId" = Option<String>, Query, description = "Deduplication key: a repeated eventId is acknowledged as a duplicate and not stored again"),
        ("priorityExternalId" = Option<String>, Query, description = "External id matched before externalId"),
        ("phoneNumberVariants" = Option<String>, Query, description = "Phone variants for matching (comma-separated, JSON array, or repeated)"),
        ("emailVariants" = Option<String>, Query, description = "Email variants for matching"),
        ("userAgent" = Option<String>, Query, description = "User agent"),
        ("ip" = Option<String>, Query, description = "Client IP address"),
        ("actionSource" = Option<String>, Query, description = "Source of the action (website, app, server...)"),
        ("eventAttributes" = Option<String>, Query, description = "Custom data: a JSON object (event_attributes also accepted, or eventAttributes[key]=value)"),
        ("eventSourceDomain" = Option<String>, Query, description = "Domain where the event originated"),
        ("isPartial" = Option<String>, Query, description = "true or false"),
        ("forceNewSessionCreatedAt" = Option<String>, Query, description = "Unix seconds, milliseconds or RFC 3339"),
        ("source" = Option<String>, Query, description = "e.g. stripe; recorded as an attribute"),
        ("visitorId" = Option<String>, Query, description = "The pc_vid visitor id (extension): the first matching signal"),
    ),
    responses(
        (status = 200, description = "Accepted: stored, a duplicate acknowledged, or a visitor enriched", body = WebhookAccepted),
        (status = 401, description = "Missing, malformed, unknown or revoked API key", body = ErrorBody),
        (status = 422, description = "An invalid parameter; `field` names it (e.g. currency_required, invalid_date)", body = ErrorBody),
        (status = 429, description = "Over the key's per-minute limit; see Retry-After", body = ErrorBody, headers(("Retry-After" = String, description = "Seconds until the next minute"))),
    ),
    security(("webhookKeyQuery" = []), ("webhookKey" = [])),
)]
fn webhook_get() {}

#[utoipa::path(
    post,
    path = "/webhook",
    tag = "webhooks",
    summary = "Tracklution-compatible webhook (seed 002): parameters in a JSON or form body (and/or the query)",
    params(
        ("track" = Option<String>, Query, description = "Event name (Purchase, BookingComplete...). Without it the request is a set request that enriches the matched visitor"),
        ("value" = Option<String>, Query, description = "Event value; needs currency"),
        ("currency" = Option<String>, Query, description = "ISO 4217 code; required with value"),
        ("url" = Option<String>, Query, description = "Absolute http(s) URL where the event happened"),
        ("email" = Option<String>, Query, description = "Email"),
        ("phoneNumber" = Option<String>, Query, description = "Phone number"),
        ("firstName" = Option<String>, Query, description = "First name"),
        ("lastName" = Option<String>, Query, description = "Last name"),
        ("birthday" = Option<String>, Query, description = "Date, YYYY-MM-DD"),
        ("gender" = Option<String>, Query, description = "e.g. male or female"),
        ("address" = Option<String>, Query, description = "Street address"),
        ("postCode" = Option<String>, Query, description = "Postal code"),
        ("city" = Option<String>, Query, description = "City"),
        ("country" = Option<String>, Query, description = "Country"),
        ("externalId" = Option<String>, Query, description = "Your unique identifier for the person"),
        ("gclid" = Option<String>, Query, description = "Google click id"),
        ("fbclid" = Option<String>, Query, description = "Meta click id"),
        ("gbraid" = Option<String>, Query, description = "Google aggregated click id"),
        ("wbraid" = Option<String>, Query, description = "Google web-to-app click id"),
        ("ttclid" = Option<String>, Query, description = "TikTok click id"),
        ("msclkid" = Option<String>, Query, description = "Microsoft Ads click id"),
        ("epik" = Option<String>, Query, description = "Pinterest click id"),
        ("dclid" = Option<String>, Query, description = "CM360 click id"),
        ("rdtCid" = Option<String>, Query, description = "Reddit click id"),
        ("trls" = Option<String>, Query, description = "Tracklution source identifier"),
        ("trlc" = Option<String>, Query, description = "Tracklution click identifier"),
        ("utmSource" = Option<String>, Query, description = "UTM source"),
        ("utmMedium" = Option<String>, Query, description = "UTM medium"),
        ("utmCampaign" = Option<String>, Query, description = "UTM campaign"),
        ("utmContent" = Option<String>, Query, description = "UTM content"),
        ("utmTerm" = Option<String>, Query, description = "UTM term"),
        ("eventId" = Option<String>, Query, description = "Deduplication key: a repeated eventId is acknowledged as a duplicate and not stored again"),
        ("priorityExternalId" = Option<String>, Query, description = "External id matched before externalId"),
        ("phoneNumberVariants" = Option<String>, Query, description = "Phone variants for matching (comma-separated, JSON array, or repeated)"),
        ("emailVariants" = Option<String>, Query, description = "Email variants for matching"),
        ("userAgent" = Option<String>, Query, description = "User agent"),
        ("ip" = Option<String>, Query, description = "Client IP address"),
        ("actionSource" = Option<String>, Query, description = "Source of the action (website, app, server...)"),
        ("eventAttributes" = Option<String>, Query, description = "Custom data: a JSON object (event_attributes also accepted, or eventAttributes[key]=value)"),
        ("eventSourceDomain" = Option<String>, Query, description = "Domain where the event originated"),
        ("isPartial" = Option<String>, Query, description = "true or false"),
        ("forceNewSessionCreatedAt" = Option<String>, Query, description = "Unix seconds, milliseconds or RFC 3339"),
        ("source" = Option<String>, Query, description = "e.g. stripe; recorded as an attribute"),
        ("visitorId" = Option<String>, Query, description = "The pc_vid visitor id (extension): the first matching signal"),
    ),
    request_body(content(
        (Option<TracklutionBodyIn> = "application/json"),
        (Option<TracklutionBodyIn> = "application/x-www-form-urlencoded"),
    ), description = "The same parameter names as the query, in a JSON object or a form; k may be given here too"),
    responses(
        (status = 200, description = "Accepted: stored, a duplicate acknowledged, or a visitor enriched", body = WebhookAccepted),
        (status = 401, description = "Missing, malformed, unknown or revoked API key", body = ErrorBody),
        (status = 413, description = "Body over 64 KiB", body = ErrorBody),
        (status = 415, description = "Body is neither JSON nor a form", body = ErrorBody),
        (status = 422, description = "An invalid parameter; `field` names it (e.g. currency_required, invalid_date)", body = ErrorBody),
        (status = 429, description = "Over the key's per-minute limit; see Retry-After", body = ErrorBody, headers(("Retry-After" = String, description = "Seconds until the next minute"))),
    ),
    security(("webhookKeyQuery" = []), ("webhookKey" = [])),
)]
fn webhook_post() {}

#[utoipa::path(
    post,
    path = "/webhooks/custom/{container}/{topic}",
    tag = "webhooks",
    summary = "Custom JSON webhook (seed 004)",
    params(
        ("container" = String, Path, description = "Container id (ctr_...)"),
        ("topic" = inline(Topic), Path, description = "purchase → Purchase, lead → Lead, signup → CompleteRegistration, refund → Refund, subscription → Subscribe, custom → the body's event_name"),
    ),
    request_body(content = CustomWebhookIn, content_type = "application/json"),
    responses(
        (status = 200, description = "Accepted: stored, a duplicate acknowledged, or a visitor enriched", body = WebhookAccepted),
        (status = 401, description = "Missing, malformed, unknown or revoked API key", body = ErrorBody),
        (status = 413, description = "Body over 64 KiB", body = ErrorBody),
        (status = 415, description = "Body is neither JSON nor a form", body = ErrorBody),
        (status = 422, description = "An invalid parameter; `field` names it (e.g. currency_required, invalid_date)", body = ErrorBody),
        (status = 429, description = "Over the key's per-minute limit; see Retry-After", body = ErrorBody, headers(("Retry-After" = String, description = "Seconds until the next minute"))),
        (status = 404, description = "Unknown container (not_found) or unknown topic (unknown_topic)", body = ErrorBody),
    ),
    security(("webhookKey" = [])),
)]
fn custom_webhook() {}

/// The operations of this surface, in the order the document lists them.
#[derive(utoipa::OpenApi)]
#[openapi(paths(webhook_get, webhook_post, custom_webhook,))]
pub struct Operations;
