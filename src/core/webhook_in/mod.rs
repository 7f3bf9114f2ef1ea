//! Webhooks in: conversions that CRMs, shops, Zapier and backends send server-to-server.
//!
//! - [`tracklution`]: `GET|POST /webhook`, Tracklution-compatible parameters (seed 002), into a
//!   track event or a set (enrichment) request.
//! - [`custom`]: `POST /webhooks/custom/{container}/{topic}`, the typed JSON of seed 004.
//! - [`activity`]: the recent-activity status of each request.
//! - [`partner_clicks`]: a top-level field named like a connector's click parameter is that
//!   click id, on both surfaces.
//!
//! Both surfaces read user data, consent and click parameters through the parsers every
//! surface shares ([`crate::core::user_data`], [`crate::core::consent`],
//! [`crate::core::click_params`]); which visitor an event matches is [`crate::core::matching`].
//! The API key, its hash check and the per-minute window live in [`crate::core::api_key`].

pub mod activity;
pub mod custom;
pub mod partner_clicks;
pub mod tracklution;

pub use activity::{ActivityStatus, RECENT_ACTIVITY_LIMIT};
pub use custom::{parse_custom, parse_custom_body, Topic};
pub use partner_clicks::promote_partner_clicks;
pub use tracklution::{
    parse_webhook, presented_key, SetData, TrackOrSet, WebhookBody, WebhookQuery,
};
