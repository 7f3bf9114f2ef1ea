//! The why-not explorer's verdicts: for one stored event and one connector, whether the
//! connector fired, why not in plain words, and what to change. Built from what the pipeline
//! recorded (the delivery rows, their status and skip reason) and, where it recorded nothing,
//! from the connector's config (trigger events, webhook and pixel switches).

use crate::core::connector::{ConnectorConfig, Mode};
use crate::core::postback::{DeliveryStatus, SkipReason};
use serde::Serialize;

/// What the pipeline recorded for one connector and one event: its latest postback row.
#[derive(Debug, Clone, Copy)]
pub struct Recorded<'a> {
    pub status: &'a str,
    pub reason: Option<&'a str>,
    pub response_code: Option<i64>,
    pub error: Option<&'a str>,
}

/// The explorer's answer for one connector.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(utoipa::ToSchema))]
pub struct Verdict {
    /// Whether the partner was sent the postback and answered 2xx.
    pub fired: bool,
    /// Machine-readable: `delivered`, `pending`, `failed`, `test_mode`, a skip reason
    /// (`no_click`, `browser_event`, ...), `not_triggered`, `nothing_enabled`, `not_recorded` or
    /// `connector_invalid` (a stored connector that no longer passes validation).
    pub code: String,
    /// The reason in plain words.
    pub reason: String,
    /// What to change so it fires, when something can be changed.
    pub fix: Option<String>,
}

fn verdict(fired: bool, code: &str, reason: String, fix: Option<String>) -> Verdict {
    Verdict {
        fired,
        code: code.to_string(),
        reason,
        fix,
    }
}

/// The verdict for a stored connector that no longer passes validation (`refusal`, in the
/// validation's words): it cannot fire until it is replaced, whatever the event.
pub fn explain_unreadable(refusal: &str) -> Verdict {
    verdict(
        false,
        "connector_invalid",
        format!("{refusal}: its postbacks are recorded as failed"),
        Some("Create the connector again with valid settings, then delete this one.".to_string()),
    )
}

/// The verdict for `connector` on an event named `event_name`, from its latest recorded row.
pub fn explain(
    connector: &ConnectorConfig,
    event_name: &str,
    recorded: Option<Recorded<'_>>,
) -> Verdict {
    match recorded {
        Some(row) => from_row(connector, row),
        None => unrecorded(connector, event_name),
    }
}

fn unrecorded(connector: &ConnectorConfig, event_name: &str) -> Verdict {
    if !connector.webhook.enabled && !connector.pixel.enabled {
        return verdict(
            false,
            "nothing_enabled",
            "The connector has neither its webhook nor its pixel switched on.".into(),
            Some("Switch the webhook on and give it the partner's postback URL.".into()),
        );
    }
    if !connector.triggers_on(event_name) {
        let triggers: Vec<&str> = connector
            .trigger_events
            .iter()
            .map(|t| t.as_str())
            .collect();
        return verdict(
            false,
            "not_triggered",
            format!(
                "This event is named {event_name:?}; the connector fires on {}.",
                if triggers.is_empty() {
                    "no event".to_string()
                } else {
                    triggers.join(", ")
                }
            ),
            Some(format!(
                "Add {event_name} to the connector's trigger events (names match without regard to case)."
            )),
        );
    }
    if !connector.webhook.enabled {
        return verdict(
            false,
            "pixel_only",
            "The connector has no webhook: only its pixel runs, in the visitor's browser.".into(),
            Some("Switch the webhook on to send a server-side postback.".into()),
        );
    }
    verdict(
        false,
        "not_recorded",
        "Nothing was recorded for this connector: the event was stored before the connector \
         existed or triggered on it, or it is still being dispatched."
            .into(),
        Some("Re-evaluate the event to run attribution for this connector now.".into()),
    )
}

fn from_row(connector: &ConnectorConfig, row: Recorded<'_>) -> Verdict {
    let Some(status) = DeliveryStatus::parse(row.status) else {
        return verdict(false, row.status, format!("Status {}.", row.status), None);
    };
    match status {
        DeliveryStatus::Delivered => verdict(
            true,
            "delivered",
            match row.response_code {
                Some(code) => format!("Delivered: the partner answered {code}."),
                None => "Delivered.".into(),
            },
            None,
        ),
        DeliveryStatus::Queued | DeliveryStatus::Retrying => verdict(
            false,
            "pending",
            "Being sent: the log shows each attempt and when the next one is due.".into(),
            None,
        ),
        DeliveryStatus::Parked => verdict(
            false,
            "parked",
            "Kept, not sent: the connector's destination is parked after repeated failures. It \
             is sent once the destination is un-parked (a probe succeeds, or an operator \
             un-parks it)."
                .into(),
            Some("Fix the partner's endpoint, then un-park the destination.".into()),
        ),
        DeliveryStatus::Failed => verdict(
            false,
            "failed",
            format!(
                "Sent, but the partner refused it or could not be reached ({}).",
                match (row.response_code, row.error) {
                    (Some(code), _) => format!("answer {code}"),
                    (None, Some(error)) => error.to_string(),
                    (None, None) => "no answer".to_string(),
                }
            ),
            Some(
                "Check the URL and parameters against the partner's documentation and their \
                 answer in the log, then replay the delivery."
                    .into(),
            ),
        ),
        DeliveryStatus::Test => verdict(
            false,
            "test_mode",
            "Test mode: the request was written to the log and not sent.".into(),
            Some("Set the connector's mode to Enabled.".into()),
        ),
        DeliveryStatus::Skipped => skipped(connector, row.reason),
    }
}

fn skipped(connector: &ConnectorConfig, reason: Option<&str>) -> Verdict {
    let Some(skip) = reason.and_then(SkipReason::parse) else {
        let code = reason.unwrap_or("skipped");
        return verdict(false, code, format!("Skipped ({code})."), None);
    };
    let click = &connector.click_id;
    let param = click.param.as_deref().unwrap_or("the click parameter");
    let fix = match skip {
        SkipReason::NoClick => format!(
            "Make sure the landing URL carries ?{param}=..., and send the purchase with the click \
             id (\"{param}\": \"...\" at the top level) or the visitor id (the pc_vid cookie's \
             value as visitor_id), so postclick can tell which click it was."
        ),
        SkipReason::NotLastClick => {
            "Switch attribution to any click if this partner should be paid whenever it had a \
             click in the window."
                .into()
        }
        SkipReason::OutsideWindow => format!(
            "Lengthen the attribution window (now {} days) if the partner's terms allow.",
            click.window_days
        ),
        SkipReason::SourceMismatch => format!(
            "Check the source parameter and value (now {}={}) against the partner's landing URLs.",
            click.source_param.as_deref().unwrap_or("-"),
            click.source_value.as_deref().unwrap_or("-")
        ),
        SkipReason::Consent => {
            "Nothing to change here: the event said the visitor refused advertising.".into()
        }
        SkipReason::Disabled | SkipReason::TestMode => {
            "Set the connector's mode to Enabled.".into()
        }
        SkipReason::PixelNotApproved => "Review the pixel and approve it.".into(),
        SkipReason::BrowserEvent => {
            "Send the conversion from your server with an API key (see API keys), or let the \
             connector fire on browser events too."
                .into()
        }
        SkipReason::PixelInvalid => {
            "Edit the pixel HTML; the console names the line and column.".into()
        }
        SkipReason::DotSegment => "Move that placeholder from the URL path to the query.".into(),
        SkipReason::AwaitingApproval => {
            "Approve the conversion (Conversions, or the status API) once it is validated; the \
             postback is sent then."
                .into()
        }
        SkipReason::NotApproved => {
            "Nothing to change: the conversion was rejected or reversed before approval.".into()
        }
        SkipReason::ConnectorInvalid => {
            "Open the connector and save it again; the form shows what today's rules refuse.".into()
        }
    };
    let fix = (connector.mode != Mode::Disabled || skip == SkipReason::Disabled).then_some(fix);
    verdict(false, skip.as_str(), skip.message().to_string(), fix)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::connector::parse_connector;
    use serde_json::json;

    fn connector() -> ConnectorConfig {
        parse_connector(
            &json!({"name": "Net", "trigger_events": ["Purchase"], "mode": "enabled",
                "webhook": {"enabled": true, "url": "https://partner.example/pb"},
                "click_id": {"enabled": true, "param": "aff_click_id", "window_days": 14}}),
            None,
        )
        .unwrap()
    }

    fn row<'a>(status: &'a str, reason: Option<&'a str>) -> Option<Recorded<'a>> {
        Some(Recorded {
            status,
            reason,
            response_code: Some(200),
            error: None,
        })
    }

    #[test]
    fn a_skipped_delivery_says_why_and_what_to_change() {
        let v = explain(&connector(), "Purchase", row("skipped", Some("no_click")));
        assert!(!v.fired);
        assert_eq!(v.code, "no_click");
        assert!(v.fix.unwrap().contains("aff_click_id"));
        let v = explain(
            &connector(),
            "Purchase",
            row("skipped", Some("outside_window")),
        );
        assert!(v.fix.unwrap().contains("14 days"));
    }

    #[test]
    fn an_event_the_connector_does_not_trigger_on_names_both_spellings() {
        let v = explain(&connector(), "Lead", None);
        assert_eq!(v.code, "not_triggered");
        assert!(v.reason.contains("Purchase") && v.reason.contains("Lead"));
        assert!(v.fix.unwrap().contains("Add Lead"));
        assert_eq!(explain(&connector(), "purchase", None).code, "not_recorded");
    }

    #[test]
    fn delivered_test_and_failed_rows_read_as_such() {
        let delivered = explain(&connector(), "Purchase", row("delivered", None));
        assert!(delivered.fired);
        assert!(delivered.reason.contains("200"));
        assert_eq!(
            explain(&connector(), "Purchase", row("test", None)).code,
            "test_mode"
        );
        assert_eq!(
            explain(&connector(), "Purchase", row("failed", None)).code,
            "failed"
        );
    }

    #[test]
    fn an_unreadable_connector_never_fires_and_says_why_and_what_to_do() {
        let v = explain_unreadable(
            "the stored connector no longer passes validation: webhook.url: must be https",
        );
        assert!(!v.fired);
        assert_eq!(v.code, "connector_invalid");
        assert!(v.reason.contains("webhook.url"));
        assert!(v.fix.is_some_and(|f| f.contains("again")));
    }
}
