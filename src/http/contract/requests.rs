//! Request bodies as types, for the document only. The handlers read bodies with the core's
//! field-by-field parsers (`ContainerSettings::parse`, `parse_connector`, `parse_sample`, ...),
//! which name the offending field in each error; these structs state what those parsers accept,
//! field for field, and the contract run proves the two agree against the real worker.

#![allow(dead_code)]

use super::public_requests::{BrowserUserIn, ConsentIn};
use super::rules;
use serde::Deserialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// `POST /admin/api/containers`.
#[derive(Deserialize, ToSchema)]
pub struct ContainerIn {
    #[schema(schema_with = rules::name_120)]
    name: String,
    #[schema(schema_with = rules::cookie_domain)]
    cookie_domain: String,
    #[schema(schema_with = rules::origins)]
    allowed_origins: Option<Vec<String>>,
    #[schema(schema_with = rules::redirect_domains)]
    redirect_domains: Option<Vec<String>>,
    /// Without a consent signal from the page, set no cookie and store nothing. Default false.
    require_consent: Option<bool>,
    /// Also set Meta's `_fbc` and Google's `_gcl_aw`. Default true.
    compat_cookies: Option<bool>,
}

/// `PATCH /admin/api/containers/{id}`: a JSON merge patch (RFC 7396) of [`ContainerIn`]; the
/// merged container must be valid as a whole.
#[derive(Deserialize, ToSchema)]
pub struct ContainerPatch {
    #[schema(schema_with = rules::name_120)]
    name: Option<String>,
    #[schema(schema_with = rules::cookie_domain)]
    cookie_domain: Option<String>,
    #[schema(schema_with = rules::origins)]
    allowed_origins: Option<Vec<String>>,
    #[schema(schema_with = rules::redirect_domains)]
    redirect_domains: Option<Vec<String>>,
    require_consent: Option<bool>,
    compat_cookies: Option<bool>,
}

/// `POST /admin/api/containers/{id}/api-keys`.
#[derive(Deserialize, ToSchema)]
pub struct ApiKeyIn {
    #[schema(schema_with = rules::key_name)]
    name: String,
    /// Requests per minute this key may make. Default 60.
    #[schema(minimum = 1, maximum = 100000)]
    rate_limit_per_minute: Option<u32>,
}

/// A connector's mode.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ModeIn {
    /// Sends and fires.
    Enabled,
    /// Logs what it would send; pixels do not fire.
    Test,
    /// Does nothing.
    Disabled,
}

/// `POST /admin/api/containers/{id}/connectors`. Each section may be left out; its defaults
/// apply.
#[derive(Deserialize, ToSchema)]
pub struct ConnectorIn {
    #[schema(schema_with = rules::name_120)]
    name: String,
    #[schema(schema_with = rules::trigger_events)]
    trigger_events: Option<Vec<String>>,
    /// Default `enabled`.
    mode: Option<ModeIn>,
    webhook: Option<WebhookIn>,
    pixel: Option<PixelIn>,
    click_id: Option<ClickIdIn>,
}

/// `PATCH /admin/api/connectors/{id}`: a JSON merge patch (RFC 7396) of [`ConnectorIn`]; the
/// merged connector must be valid as a whole. Changing the pixel HTML clears its approval.
#[derive(Deserialize, ToSchema)]
pub struct ConnectorPatch {
    #[schema(schema_with = rules::name_120)]
    name: Option<String>,
    #[schema(schema_with = rules::trigger_events)]
    trigger_events: Option<Vec<String>>,
    mode: Option<ModeIn>,
    webhook: Option<WebhookIn>,
    pixel: Option<PixelIn>,
    click_id: Option<ClickIdIn>,
}

/// HTTP method of a postback.
#[derive(Deserialize, ToSchema)]
pub enum MethodIn {
    #[serde(rename = "GET")]
    Get,
    #[serde(rename = "POST")]
    Post,
}

/// A `{name, value}` row of the params or headers table.
#[derive(Deserialize, ToSchema)]
pub struct NamedValueIn {
    #[schema(max_length = 256, pattern = "^[A-Za-z0-9_-]+$")]
    name: String,
    /// Static text and `{{PLACEHOLDERS}}`.
    #[schema(max_length = 512, pattern = r"^[A-Za-z0-9 _.,:;/=+-]*$")]
    value: Option<String>,
}

/// The server-side postback.
#[derive(Deserialize, ToSchema)]
pub struct WebhookIn {
    /// Default false. An enabled webhook needs a URL.
    enabled: Option<bool>,
    /// Default GET.
    method: Option<MethodIn>,
    /// An http(s) URL; `{{PLACEHOLDERS}}` may stand in its path and query, never in the scheme
    /// or host. No credentials: use a header. A blank URL counts as none.
    #[schema(
        max_length = 2048,
        pattern = r"^(?:[ ]*|https?://[a-z][a-z0-9]*(?:\.[a-z][a-z0-9]*)*(?::[1-9][0-9]{0,3})?(?:/[A-Za-z0-9._~-]*)*(?:\?[A-Za-z0-9._~=&-]*)?)$"
    )]
    url: Option<String>,
    #[schema(max_items = 50)]
    params: Option<Vec<NamedValueIn>>,
    #[schema(max_items = 50)]
    headers: Option<Vec<NamedValueIn>>,
    /// Event name → the name the partner receives.
    event_renames: Option<BTreeMap<String, String>>,
    /// Standard Webhooks secret: `whsec_` and base64 of 24 to 64 bytes; blank counts as none.
    #[schema(
        pattern = r"^(?:[ ]*|whsec_(?:[A-Za-z0-9+/]{4}){8,21}(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?)$"
    )]
    signing_secret: Option<String>,
}

/// The browser pixel.
#[derive(Deserialize, ToSchema)]
pub struct PixelIn {
    /// Default false. An enabled pixel needs HTML.
    enabled: Option<bool>,
    /// The partner's snippet; `{{PLACEHOLDERS}}` are escaped for where they stand. At most
    /// 64 KiB.
    #[schema(max_length = 16384, pattern = r"^[A-Za-z0-9 .,:;!?-]*$")]
    html: Option<String>,
    /// Load it in a sandboxed iframe (default) instead of the page itself.
    sandbox: Option<bool>,
}

/// How a click is credited.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AttributionIn {
    LastClick,
    AnyClick,
}

/// Click-ID matching: credit the partner's own click id.
#[derive(Deserialize, ToSchema)]
pub struct ClickIdIn {
    /// Default false. Enabled matching needs `param`.
    enabled: Option<bool>,
    /// The query parameter the partner appends to landing URLs, e.g. `aff_click_id`.
    #[schema(pattern = r"^[A-Za-z0-9_.\[\]-]{1,64}$")]
    param: Option<String>,
    /// Disambiguates connectors sharing `param`, e.g. `utm_source`.
    #[schema(pattern = r"^[A-Za-z0-9_.\[\]-]{1,64}$")]
    source_param: Option<String>,
    /// Strict source value, e.g. `platform_x`; needs `source_param`.
    #[schema(max_length = 64, pattern = "^[A-Za-z0-9_.-]*$")]
    source_value: Option<String>,
    /// Default `last_click`.
    attribution: Option<AttributionIn>,
    /// Default 30.
    #[schema(minimum = 1, maximum = 365)]
    window_days: Option<u16>,
}

/// A sample event for a preview or a Test Webhook: a browser event body (as `POST /e` takes it)
/// plus the visitor facts a real event brings. Every field is optional; defaults describe a
/// typical purchase.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SampleEvent {
    /// Defaults to the connector's first trigger event.
    event: Option<String>,
    event_id: Option<String>,
    value: Option<f64>,
    currency: Option<String>,
    url: Option<String>,
    /// Custom data: at most 50 keys of 1 to 64 printable characters.
    attributes: Option<BTreeMap<String, String>>,
    user: Option<BrowserUserIn>,
    consent: Option<ConsentIn>,
    pc_test: Option<bool>,
    /// The visitor's earlier clicks.
    #[schema(max_items = 24)]
    clicks: Option<Vec<SampleClick>>,
    ip: Option<String>,
    user_agent: Option<String>,
    visitor_id: Option<String>,
}

/// A click in a sample's history.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SampleClick {
    /// A click id parameter, e.g. `aff_click_id` or `gclid`; never a `utm_*` tag (those go in
    /// `landing_params`).
    #[schema(pattern = "^[a-tv-z][a-z0-9_]{0,63}$")]
    param: String,
    #[schema(pattern = "^[A-Za-z0-9_.-]{1,128}$")]
    value: String,
    #[schema(minimum = 0, maximum = 3650)]
    age_days: Option<f64>,
    /// Other parameters of the landing URL, e.g. `utm_source`.
    landing_params: Option<BTreeMap<String, String>>,
}

/// `POST /admin/api/connectors/{id}/preview`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreviewIn {
    event: Option<SampleEvent>,
    /// Preview these unsaved settings instead of the saved ones, validated like a save; nothing
    /// is stored. Errors name fields under `connector.`.
    connector: Option<ConnectorIn>,
}

/// `POST /admin/api/connectors/{id}/test`: optional; without a body, a synthetic event.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TestIn {
    event: Option<SampleEvent>,
}
