//! Click-ID matching: does this connector's partner get credit for the visitor's conversion?
//!
//! Definitions:
//! - A *tracked click* is any entry of the visitor's click history: an ad-platform click id
//!   (gclid, fbclid, ...) or a connector's own click parameter. The store decides what it
//!   records; every record it hands over counts.
//! - A click *belongs* to a connector when its parameter is the connector's `param` and, when a
//!   `source_param` is set, the click came with a non-empty value for it — equal, byte for byte,
//!   to `source_value` when that is set (the "strict source value").
//! - "Now" is the conversion's own time (when the event was stored), not the time of dispatch,
//!   which may come later (a dispatch delay, a late match, an approval).
//! - A click is *in the window* when it is at most `window_days × 86 400 000` ms old (the
//!   boundary itself counts). A click stamped up to [`FUTURE_TOLERANCE_MS`] after the
//!   conversion counts as made at its instant; any later click is ignored. A click after a
//!   purchase did not lead to it: crediting it would pay whoever injects a click at checkout
//!   (a coupon or cashback site, say) for a sale already made.
//! - `last_click`: the visitor's most recent tracked click in the window must belong to the
//!   connector. Clicks at the same instant came from the same landing URL (say `gclid` and
//!   `aff_click_id` together), so a tie at the latest instant is won by a belonging click.
//! - `any_click`: some belonging click is in the window; the most recent one is used.
//! - With click-ID matching off, the connector fires without a click.
//!
//! When it does not fire, the reason is the most specific one: no click with the parameter at
//! all, then a source mismatch, then outside the window, then (last click only) not the last.

use crate::core::connector::{Attribution, ClickIdConfig};
use serde::{Deserialize, Serialize};

mod records;

pub use records::{click_records, cookie_click_records, cookie_clicks_as_stored};

pub const DAY_MS: i64 = 86_400_000;
/// How long after the conversion a click's timestamp may be and still count: the race between a
/// landing's page view and an event sent from the same page, which different isolates (and
/// machines, whose clocks agree to well under a second) may stamp out of order.
pub const FUTURE_TOLERANCE_MS: i64 = 2_000;

/// One click in the visitor's history, as the store hands it over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClickRecord {
    /// Lower-case parameter name: `gclid`, `aff_click_id`, ...
    pub param: String,
    pub value: String,
    /// Unix milliseconds of the capture.
    pub at_ms: i64,
    /// Other parameters of the same landing URL that a connector can use as its source,
    /// lower-case name → value, e.g. `("utm_source", "platform_x")`.
    #[serde(default)]
    pub landing_params: Vec<(String, String)>,
}

impl ClickRecord {
    /// The value that came with this click for a source parameter, e.g. `utm_source`.
    pub fn landing_param(&self, name: &str) -> Option<&str> {
        self.landing_params
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// The click that earned a connector its postback, with the source value `CLICK_SOURCE` shows:
/// the connector's `source_param` value, or `utm_source` when it has no source parameter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatchedClick {
    pub click: ClickRecord,
    pub source: Option<String>,
}

/// Why a connector did not send. Stored in the webhook log as its snake_case name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    NoClick,
    NotLastClick,
    OutsideWindow,
    SourceMismatch,
    /// The event's consent refuses advertising.
    Consent,
    /// The connector's mode is `disabled`.
    Disabled,
    /// Test mode: the request was logged, not sent.
    TestMode,
    /// The pixel has not been approved (or was edited since), so it does not fire live.
    PixelNotApproved,
    /// A browser event, which anyone can send, and the connector fires only on server events
    /// (`webhook.fire_on: server`). A server event confirming it later turns this row into the
    /// delivery.
    BrowserEvent,
    /// The pixel engine refuses the stored pixel HTML (saved under earlier rules).
    PixelInvalid,
    /// A placeholder's value made a URL path segment `.` or `..`: the postback failed unsent.
    DotSegment,
    /// The connector fires on approved conversions (`webhook.fire_on_status: approved`) and this
    /// one is still `received`. Approving it turns this row into the delivery.
    AwaitingApproval,
    /// The connector fires on approved conversions and this one was rejected or reversed first.
    NotApproved,
    /// The stored connector no longer passes validation (a rule tightened since it was saved):
    /// the delivery is recorded `failed` with the validation's words.
    ConnectorInvalid,
}

impl SkipReason {
    pub const ALL: [SkipReason; 14] = [
        SkipReason::NoClick,
        SkipReason::NotLastClick,
        SkipReason::OutsideWindow,
        SkipReason::SourceMismatch,
        SkipReason::Consent,
        SkipReason::Disabled,
        SkipReason::TestMode,
        SkipReason::PixelNotApproved,
        SkipReason::BrowserEvent,
        SkipReason::PixelInvalid,
        SkipReason::DotSegment,
        SkipReason::AwaitingApproval,
        SkipReason::NotApproved,
        SkipReason::ConnectorInvalid,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SkipReason::NoClick => "no_click",
            SkipReason::NotLastClick => "not_last_click",
            SkipReason::OutsideWindow => "outside_window",
            SkipReason::SourceMismatch => "source_mismatch",
            SkipReason::Consent => "consent",
            SkipReason::Disabled => "disabled",
            SkipReason::TestMode => "test_mode",
            SkipReason::PixelNotApproved => "pixel_not_approved",
            SkipReason::BrowserEvent => "browser_event",
            SkipReason::PixelInvalid => "pixel_invalid",
            SkipReason::DotSegment => "dot_segment",
            SkipReason::AwaitingApproval => "awaiting_approval",
            SkipReason::NotApproved => "not_approved",
            SkipReason::ConnectorInvalid => "connector_invalid",
        }
    }

    /// Read back a stored reason.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == text)
    }

    /// A sentence for the webhook log.
    pub fn message(self) -> &'static str {
        match self {
            SkipReason::NoClick => {
                "The visitor has no click with this connector's click ID parameter."
            }
            SkipReason::NotLastClick => {
                "Another source had the visitor's most recent click within the attribution window."
            }
            SkipReason::OutsideWindow => {
                "This connector's click is older than the attribution window."
            }
            SkipReason::SourceMismatch => {
                "The visitor's click came from another source than this connector's source value."
            }
            SkipReason::Consent => "The event's consent refuses advertising, so nothing was sent.",
            SkipReason::Disabled => "The connector is disabled.",
            SkipReason::TestMode => "Test mode: the request was logged and not sent.",
            SkipReason::PixelNotApproved => {
                "The pixel is not approved, so it does not fire on live traffic."
            }
            SkipReason::BrowserEvent => {
                "A browser event, which anyone can send: this connector fires only on server \
                 events. It fires when the site's server confirms the event."
            }
            SkipReason::PixelInvalid => {
                "The pixel rules refuse this pixel's HTML, so it does not fire and its approval was cleared; edit the HTML."
            }
            SkipReason::DotSegment => {
                "A value made a URL path segment '.' or '..', which would send the postback to another path; nothing was sent."
            }
            SkipReason::AwaitingApproval => {
                "This connector pays approved conversions only: it fires when the conversion is approved."
            }
            SkipReason::NotApproved => {
                "This connector pays approved conversions only, and this one was rejected or reversed."
            }
            SkipReason::ConnectorInvalid => {
                "The stored connector no longer passes validation, so nothing was sent; open and save it to fix it."
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttributionDecision {
    /// Send; `click` is `None` when click-ID matching is off.
    Fire {
        click: Option<MatchedClick>,
    },
    DoNotFire(SkipReason),
}

/// Decide whether a connector with this click-ID config fires, given the visitor's click
/// history (any order) at `now_ms`.
pub fn decide_attribution(
    config: &ClickIdConfig,
    history: &[ClickRecord],
    now_ms: i64,
) -> AttributionDecision {
    if !config.enabled {
        return AttributionDecision::Fire { click: None };
    }
    let Some(param) = config.param.as_deref() else {
        return AttributionDecision::DoNotFire(SkipReason::NoClick);
    };
    // Clicks up to the conversion only, with stamps within the tolerance pulled back to now.
    let clicks: Vec<(i64, &ClickRecord)> = history
        .iter()
        .filter(|c| !c.value.is_empty() && c.at_ms <= now_ms.saturating_add(FUTURE_TOLERANCE_MS))
        .map(|c| (c.at_ms.min(now_ms), c))
        .collect();
    let window_start = now_ms.saturating_sub(i64::from(config.window_days) * DAY_MS);
    let in_window = |at: i64| at >= window_start;
    let belongs = |c: &ClickRecord| belongs_to(config, param, c);

    let with_param = || {
        clicks
            .iter()
            .filter(|(_, c)| c.param.eq_ignore_ascii_case(param))
    };
    if with_param().next().is_none() {
        return AttributionDecision::DoNotFire(SkipReason::NoClick);
    }
    if !with_param().any(|(_, c)| belongs(c)) {
        return AttributionDecision::DoNotFire(SkipReason::SourceMismatch);
    }
    let latest_belonging = clicks
        .iter()
        .filter(|(at, c)| in_window(*at) && belongs(c))
        .max_by_key(|(at, _)| *at);
    let Some(&(latest_belonging_at, click)) = latest_belonging else {
        return AttributionDecision::DoNotFire(SkipReason::OutsideWindow);
    };
    if config.attribution == Attribution::LastClick {
        let latest_any = clicks.iter().map(|(at, _)| *at).max().unwrap_or(i64::MIN);
        if latest_any > latest_belonging_at {
            return AttributionDecision::DoNotFire(SkipReason::NotLastClick);
        }
    }
    AttributionDecision::Fire {
        click: Some(matched(config, click)),
    }
}

fn belongs_to(config: &ClickIdConfig, param: &str, click: &ClickRecord) -> bool {
    if !click.param.eq_ignore_ascii_case(param) {
        return false;
    }
    let Some(source_param) = config.source_param.as_deref() else {
        return true;
    };
    match (
        click.landing_param(source_param),
        config.source_value.as_deref(),
    ) {
        (None, _) => false,
        (Some(""), _) => false,
        (Some(source), Some(strict)) => source == strict,
        (Some(_), None) => true,
    }
}

fn matched(config: &ClickIdConfig, click: &ClickRecord) -> MatchedClick {
    let source_param = config.source_param.as_deref().unwrap_or("utm_source");
    MatchedClick {
        click: click.clone(),
        source: click
            .landing_param(source_param)
            .filter(|s| !s.is_empty())
            .map(str::to_string),
    }
}
