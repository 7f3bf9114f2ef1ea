//! A connector: how one partner hears about a container's events, by server-side postback
//! (webhook), by a pixel in the browser, or both. Parsed from the admin API body into typed
//! config; everything downstream trusts these types.

mod click_id;
mod foreign_macro;
mod json;
mod park;
mod parse;
mod patch;
mod pixel;
mod webhook;

pub use json::MAX_VALUE_LEN;
pub use park::{parse_max_per_second, ParkPolicy, MAX_FAILURES, MAX_HOURS, MAX_PER_SECOND};
pub use parse::{parse_connector, parse_stored_connector};
pub use patch::merge_patch;
pub use pixel::MAX_PIXEL_HTML_BYTES;
pub use webhook::{parse_signing_secret, MAX_URL_LEN};

use super::clicks::CustomClickParam;
use super::event::EventName;
use super::lifecycle::{DuplicatePolicy, FireOnStatus, StatusMap};
use super::provenance::Provenance;
use super::template::{PixelTemplate, TemplateError, TextTemplate};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(test, derive(utoipa::ToSchema))]
pub struct ConnectorConfig {
    pub name: String,
    #[cfg_attr(test, schema(value_type = Vec<String>))]
    pub trigger_events: Vec<EventName>,
    pub mode: Mode,
    pub webhook: WebhookConfig,
    pub pixel: PixelConfig,
    pub click_id: ClickIdConfig,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    Enabled,
    Test,
    Disabled,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Enabled => "enabled",
            Mode::Test => "test",
            Mode::Disabled => "disabled",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(utoipa::ToSchema))]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    Get,
    Post,
}

/// A `{name, value}` row of the params or headers table; the value may hold placeholders.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(utoipa::ToSchema))]
pub struct NamedTemplate {
    pub name: String,
    #[serde(serialize_with = "serialize_template_source")]
    #[cfg_attr(test, schema(value_type = String))]
    pub value: Templated,
}

/// A template together with the text it was parsed from, so it serialises back verbatim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Templated {
    pub source: String,
    pub template: TextTemplate,
}

fn serialize_template_source<S: serde::Serializer>(t: &Templated, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&t.source)
}

impl Serialize for Templated {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.source)
    }
}

/// Which events may fire the connector's server-side postback, by their provenance.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FireOn {
    /// Only events the site's server sent with an API key (and admin tests): a browser event,
    /// which anyone can forge, records a `skipped` delivery with reason `browser_event`. The
    /// default.
    #[default]
    Server,
    /// Browser events too: an explicit opt-in, because anyone can send one with any value.
    ServerAndBrowser,
}

impl FireOn {
    /// Every policy, in the order the API documents them.
    pub const ALL: [FireOn; 2] = [FireOn::Server, FireOn::ServerAndBrowser];

    /// Reads a policy by its name (`server`, `server_and_browser`), exactly as written.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == text)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            FireOn::Server => "server",
            FireOn::ServerAndBrowser => "server_and_browser",
        }
    }

    /// Whether an event of this provenance may fire the postback.
    pub fn allows(self, provenance: Provenance) -> bool {
        self == FireOn::ServerAndBrowser || provenance != Provenance::Browser
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(test, derive(utoipa::ToSchema))]
pub struct WebhookConfig {
    pub enabled: bool,
    /// Which events fire the postback: `server` (the default) or `server_and_browser`.
    pub fire_on: FireOn,
    pub method: Method,
    /// `None` only while the webhook is disabled and no URL was given.
    #[cfg_attr(test, schema(value_type = Option<String>))]
    pub url: Option<Templated>,
    pub params: Vec<NamedTemplate>,
    pub headers: Vec<NamedTemplate>,
    pub event_renames: BTreeMap<String, String>,
    /// Standard Webhooks secret, `whsec_` + base64 of 24–64 bytes. Write-only: stored with the
    /// connector, never shown by the admin API (which says `signing_secret_set` instead).
    pub signing_secret: Option<String>,
    /// Which conversion status fires the postback: `received` (the default) or `approved`.
    pub fire_on_status: FireOnStatus,
    /// Send a second postback when a conversion this connector was sent is rejected or reversed.
    pub send_reversals: bool,
    /// `{{CONVERSION_STATUS}}` as the partner expects it, by status.
    #[cfg_attr(test, schema(value_type = BTreeMap<String, String>))]
    pub status_map: StatusMap,
    /// A server event repeating a conversion id with another value: `ignore` or `update`.
    pub duplicate_policy: DuplicatePolicy,
    /// When the destination is parked: `park_after_failures` (default 20) and
    /// `park_after_hours` (default 6), flattened into the webhook object.
    #[serde(flatten)]
    pub park: ParkPolicy,
    /// The most postbacks a second to this destination; `None`: no limit.
    pub max_per_second: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(test, derive(utoipa::ToSchema))]
pub struct PixelConfig {
    pub enabled: bool,
    pub html: String,
    pub sandbox: bool,
    /// Set only by the approve-pixel action; any change to `html` clears it.
    pub approved_at: Option<String>,
    /// Why the pixel rules refuse `html`, with its line and column: set only for a pixel saved
    /// under earlier rules and read back (input with such HTML is a 422); such a pixel never
    /// fires and cannot be approved. Derived from `html` on every read, never stored.
    pub refused: Option<TemplateError>,
    /// `html` parsed by the pixel engine, when it accepts it: rendering needs no second parse.
    #[serde(skip)]
    pub template: Option<PixelTemplate>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Attribution {
    LastClick,
    AnyClick,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(utoipa::ToSchema))]
pub struct ClickIdConfig {
    pub enabled: bool,
    /// The query parameter the partner appends to landing URLs, e.g. `aff_click_id`.
    pub param: Option<String>,
    /// Disambiguates connectors sharing `param`, e.g. `utm_source`.
    pub source_param: Option<String>,
    /// Strict source value, e.g. `platform_x`.
    pub source_value: Option<String>,
    pub attribution: Attribution,
    pub window_days: u16,
}

impl CustomClickParam {
    /// The parameter a connector asks capture to keep, if click-ID matching is on. It lives
    /// with the connector's config so that capture needs to know nothing of connectors.
    pub fn from_config(config: &ClickIdConfig) -> Option<Self> {
        let param = config.param.as_ref().filter(|_| config.enabled)?;
        Some(Self {
            param: param.to_ascii_lowercase(),
            source_param: config.source_param.as_ref().map(|p| p.to_ascii_lowercase()),
            source_value: config.source_value.clone(),
        })
    }
}

/// A one-time notice the console shows on a connector until it is next edited: a change postclick
/// made to the connector's behaviour that its owner should know of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ConnectorNotice {
    /// The connector fired its postback on browser events before `webhook.fire_on` existed; it
    /// now fires on server events only.
    FireOnServer,
}

impl ConnectorNotice {
    pub fn as_str(self) -> &'static str {
        match self {
            ConnectorNotice::FireOnServer => "fire_on_server",
        }
    }

    /// Reads a stored notice back; an unknown one is no notice.
    pub fn parse(text: &str) -> Option<Self> {
        (text == "fire_on_server").then_some(ConnectorNotice::FireOnServer)
    }

    /// What the console shows.
    pub fn message(self) -> &'static str {
        match self {
            ConnectorNotice::FireOnServer => {
                "Browser events no longer fire this connector's postback: it now fires on events \
                 your server sends with an API key, which nobody else can forge. Choose “Server \
                 and browser events” to fire on browser events again."
            }
        }
    }
}

impl ConnectorConfig {
    /// The event name a partner receives: renamed if the connector renames it. A rename spelled
    /// exactly like the event wins; otherwise one that differs only in case applies, as triggers
    /// do ([`Self::triggers_on`]).
    pub fn outgoing_event_name<'a>(&'a self, event: &'a str) -> &'a str {
        let renames = &self.webhook.event_renames;
        renames
            .get(event)
            .or_else(|| {
                renames
                    .iter()
                    .find(|(from, _)| from.eq_ignore_ascii_case(event))
                    .map(|(_, to)| to)
            })
            .map(String::as_str)
            .unwrap_or(event)
    }

    /// Whether `event` is one of the trigger events, without regard to ASCII case: a shop's
    /// `/purchase` fires a connector triggered on `Purchase`, as a marketer expects.
    pub fn triggers_on(&self, event: &str) -> bool {
        self.trigger_events
            .iter()
            .any(|t| t.as_str().eq_ignore_ascii_case(event))
    }
}

#[cfg(test)]
mod tests;
