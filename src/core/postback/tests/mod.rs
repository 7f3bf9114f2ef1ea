//! Tests of the postback core, one file per concept. Connectors are built through the admin
//! API parser, so the tests exercise configurations a marketer can actually save.

mod attribution;
mod lifecycle;
mod mask;
mod outbox;
mod pixel_plan;
mod plan;
mod provenance;
mod records;
mod request;
mod request_headers;
mod retry;
mod sample;
mod signature;
mod target;

use crate::core::connector::{parse_connector, ConnectorConfig, WebhookConfig};
use crate::core::params::ParamValues;
use serde_json::{json, Value};

/// The Standard Webhooks specification's published example secret.
pub const SPEC_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

pub fn connector(body: Value) -> ConnectorConfig {
    parse_connector(&body, None).expect("test connector parses")
}

/// A connector triggering on `Purchase` with this webhook section.
pub fn connector_with_webhook(webhook: Value) -> ConnectorConfig {
    connector(
        json!({"name": "Affiliate Network X", "trigger_events": ["Purchase"], "webhook": webhook}),
    )
}

pub fn webhook(webhook: Value) -> WebhookConfig {
    connector_with_webhook(webhook).webhook
}

pub fn values(pairs: &[(&str, &str)]) -> ParamValues {
    let mut values = ParamValues::new();
    for (name, value) in pairs {
        values.set(name, *value);
    }
    values
}

/// Standard Webhooks signature computed here, straight from the spec's definition, without the
/// module under test.
pub fn independent_signature(secret: &str, id: &str, timestamp: i64, body: &str) -> String {
    use base64::Engine;
    use hmac::{Hmac, Mac};
    let key = base64::engine::general_purpose::STANDARD
        .decode(secret.trim_start_matches("whsec_"))
        .unwrap();
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(&key).unwrap();
    mac.update(format!("{id}.{timestamp}.{body}").as_bytes());
    format!(
        "v1,{}",
        base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
    )
}
