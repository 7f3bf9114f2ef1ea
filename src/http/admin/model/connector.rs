//! Connector answers: a connector's configuration as the admin API shows it, with the webhook's
//! signing secret left out (it is write-only) and the connector's one-time notice.

use crate::core::connector::{
    ClickIdConfig, ConnectorConfig, ConnectorNotice, FireOn, Method, Mode, NamedTemplate,
    PixelConfig, Templated, WebhookConfig,
};
use crate::core::event::EventName;
use crate::core::ids::{ConnectorId, ContainerId};
use crate::core::lifecycle::{DuplicatePolicy, FireOnStatus, StatusMap};
use serde::Serialize;
use std::collections::BTreeMap;

/// A connector: its whole configuration (the signing secret excepted: it is write-only) and
/// where it belongs.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(utoipa::ToSchema))]
pub struct ConnectorOut {
    pub id: ConnectorId,
    pub container_id: ContainerId,
    pub name: String,
    #[cfg_attr(test, schema(value_type = Vec<String>))]
    pub trigger_events: Vec<EventName>,
    pub mode: Mode,
    pub webhook: WebhookOut,
    pub pixel: PixelConfig,
    pub click_id: ClickIdConfig,
    /// A change postclick made to the connector's behaviour, shown until the connector is next
    /// saved; `null` when there is none.
    pub notice: Option<NoticeOut>,
    pub created_at: String,
    pub updated_at: String,
}

impl ConnectorOut {
    /// The answer for a stored connector: `config` as parsed, its pending `notice`, and its
    /// times as RFC 3339 strings.
    pub fn new(
        id: ConnectorId,
        container_id: ContainerId,
        config: ConnectorConfig,
        notice: Option<ConnectorNotice>,
        created_at: String,
        updated_at: String,
    ) -> Self {
        let ConnectorConfig {
            name,
            trigger_events,
            mode,
            webhook,
            pixel,
            click_id,
        } = config;
        Self {
            id,
            container_id,
            name,
            trigger_events,
            mode,
            webhook: WebhookOut::from(webhook),
            pixel,
            click_id,
            notice: notice.map(|notice| NoticeOut {
                code: notice,
                message: notice.message(),
            }),
            created_at,
            updated_at,
        }
    }
}

/// A connector's webhook as the admin API shows it: the stored [`WebhookConfig`] with the
/// signing secret replaced by whether there is one (the secret is write-only: a `PATCH` that
/// omits it keeps it, `null` removes it).
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(utoipa::ToSchema))]
pub struct WebhookOut {
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
    /// Whether the webhook has a signing secret.
    pub signing_secret_set: bool,
    /// Which conversion status fires the postback: `received` (the default) or `approved`.
    pub fire_on_status: FireOnStatus,
    /// Whether a rejected or reversed conversion this connector was sent sends a reversal (and a
    /// rejected one approved again a reinstatement).
    pub send_reversals: bool,
    /// `{{CONVERSION_STATUS}}` as the partner expects it, by status.
    #[cfg_attr(test, schema(value_type = BTreeMap<String, String>))]
    pub status_map: StatusMap,
    /// `ignore` or `update` (a changed value for a known conversion sends an update postback).
    pub duplicate_policy: DuplicatePolicy,
    /// Consecutive failed attempts that park the destination (default 20).
    pub park_after_failures: u32,
    /// Hours of failures without a success that park the destination (default 6).
    pub park_after_hours: u32,
    /// The most postbacks a second to the destination; `null`: no limit.
    pub max_per_second: Option<u32>,
}

impl From<WebhookConfig> for WebhookOut {
    fn from(webhook: WebhookConfig) -> Self {
        let WebhookConfig {
            enabled,
            fire_on,
            method,
            url,
            params,
            headers,
            event_renames,
            signing_secret,
            fire_on_status,
            send_reversals,
            status_map,
            duplicate_policy,
            park,
            max_per_second,
        } = webhook;
        Self {
            enabled,
            fire_on,
            method,
            url,
            params,
            headers,
            event_renames,
            signing_secret_set: signing_secret.is_some(),
            fire_on_status,
            send_reversals,
            status_map,
            duplicate_policy,
            park_after_failures: park.after_failures,
            park_after_hours: park.after_hours,
            max_per_second,
        }
    }
}

/// A connector's one-time notice.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(utoipa::ToSchema))]
pub struct NoticeOut {
    pub code: ConnectorNotice,
    /// What the console shows.
    pub message: &'static str,
}

/// `GET /admin/api/containers/{id}/connectors`: one page, oldest first.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(utoipa::ToSchema))]
pub struct ConnectorPage {
    /// The page's connectors whose stored config reads back.
    pub data: Vec<ConnectorOut>,
    /// The page's connectors whose stored config no longer passes validation (a rule tightened
    /// since they were saved): listed with the reason instead of failing the whole list. Their
    /// postbacks are recorded as failed (`connector_invalid`) until they are fixed or deleted.
    pub unreadable: Vec<UnreadableConnector>,
    /// Pass as `after` for the next page; `null` on the last page.
    pub next_after: Option<ConnectorId>,
}

/// A stored connector that no longer passes validation, as the list shows it.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(utoipa::ToSchema))]
pub struct UnreadableConnector {
    pub id: ConnectorId,
    pub container_id: ContainerId,
    /// Its stored name (its id when the stored config has none).
    pub name: String,
    /// Why it no longer reads back, naming the field.
    pub reason: String,
    pub created_at: String,
    pub updated_at: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::connector::parse_connector;
    use serde_json::{json, Value};

    /// Every field of the stored config is shown, under the same name, except the signing secret,
    /// which becomes `signing_secret_set`: the view cannot drift from the config.
    #[test]
    fn the_answer_shows_the_whole_config_but_the_signing_secret() {
        let config = parse_connector(
            &json!({
                "name": "Net", "trigger_events": ["Purchase"], "mode": "enabled",
                "webhook": {"enabled": true, "url": "https://partner.example/pb?c={{CLICK_ID}}",
                    "fire_on": "server_and_browser",
                    "signing_secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"},
            }),
            None,
        )
        .unwrap();
        let mut expected = serde_json::to_value(&config).unwrap();
        let secret = expected["webhook"]
            .as_object_mut()
            .unwrap()
            .remove("signing_secret");
        assert_eq!(
            secret,
            Some(json!("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"))
        );
        expected["webhook"]["signing_secret_set"] = json!(true);
        let out = ConnectorOut::new(
            ConnectorId::parse("con_AAAAAAAAAAAAAAAAAAAAAA").unwrap(),
            ContainerId::parse("ctr_AAAAAAAAAAAAAAAAAAAAAA").unwrap(),
            config,
            Some(ConnectorNotice::FireOnServer),
            "2026-01-01T00:00:00.000Z".into(),
            "2026-01-01T00:00:00.000Z".into(),
        );
        let mut shown = serde_json::to_value(&out).unwrap();
        assert_eq!(shown["notice"]["code"], "fire_on_server");
        let shown = shown.as_object_mut().unwrap();
        for key in ["id", "container_id", "notice", "created_at", "updated_at"] {
            shown.remove(key);
        }
        assert_eq!(Value::Object(shown.clone()), expected);
        assert!(!serde_json::to_string(&out).unwrap().contains("whsec_"));
    }
}
