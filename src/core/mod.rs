//! The product's logic as plain Rust. Nothing here imports `worker`: it is unit-tested natively.

pub mod error;
pub mod template;
pub mod identity;
pub mod money;
