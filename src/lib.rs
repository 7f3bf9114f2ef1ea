//! postclick: first-party click capture, custom pixels, webhooks in and postbacks out.
//! Entry points live here; `core` is pure Rust, `http` and `store` are the edge.
#![forbid(unsafe_code)]

pub mod core;
