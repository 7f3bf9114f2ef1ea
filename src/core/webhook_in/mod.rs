//! Webhooks in: conversions that CRMs, shops, Zapier and backends send server-to-server.
//!
//! - [`tracklution`]: `GET|POST /webhook`, Tracklution-compatible parameters (seed 002), into a
//!   track event or a set (enrichment) request.
//! - [`custom`]: `POST /webhooks/custom/{container}/{topic}`, the typed JSON of seed 004.
//! - [`matching`]: which identities find the visitor, in trust order, and which to store.
//! - [`activity`]: the recent-activity status of each request.
//! - [`fields`]: the bounded field parsers both surfaces share.
//!
//! The API key, its hash check and the per-minute window live in [`crate::core::api_key`].

pub mod activity;
pub mod custom;
pub mod fields;
pub mod matching;
pub mod tracklution;

pub use activity::{ActivityStatus, RECENT_ACTIVITY_LIMIT};
pub use custom::{parse_custom, parse_custom_body, Topic};
pub use fields::{json_depth, MAX_JSON_DEPTH};
pub use matching::{choose_match, identities_to_store, IdentityKind, Match, MatchKey, MatchKeys};
pub use tracklution::{parse_webhook, presented_key, SetData, TrackOrSet, WebhookBody};
