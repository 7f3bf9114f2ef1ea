//! The product's logic as plain Rust. Nothing here imports `worker`: it is unit-tested natively.

pub mod api_key;
pub mod browser_event;
pub mod click_params;
pub mod clicks;
pub mod client_limit;
pub mod confirmation;
pub mod connector;
pub mod connector_templates;
pub mod consent;
pub mod container;
pub mod error;
pub mod event;
pub mod event_params;
pub mod explain;
pub mod form;
pub mod ids;
pub mod input;
pub mod install;
pub mod install_check;
pub mod lifecycle;
pub mod matching;
#[cfg(test)]
mod module_graph;
pub mod money;
pub mod params;
pub mod pixel_token;
pub mod postback;
pub mod privacy;
pub mod provenance;
pub mod reconciliation;
pub mod retention;
pub mod secret_box;
pub mod signing_keys;
#[cfg(test)]
mod surface_agreement_tests;
pub mod template;
pub mod time;
pub mod time_zone;
pub mod user_data;
pub mod webhook_in;
