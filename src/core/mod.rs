//! The product's logic as plain Rust. Nothing here imports `worker`: it is unit-tested natively.

pub mod connector;
pub mod error;
pub mod event;
pub mod identity;
pub mod money;
pub mod params;
pub mod pixel_token;
pub mod template;
