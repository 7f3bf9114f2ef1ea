//! Request handling, and nothing else: the route table ([`routes`]) and the router built from
//! it ([`router`]), the handlers per surface ([`browser`], [`webhooks`], [`admin`], the console
//! and the sandboxed pixel document), reading bodies ([`body`]), and the one mapping of errors
//! to answers ([`error`]). What happens to an event once accepted lives in `crate::delivery`.

pub mod admin;
pub mod body;
pub mod browser;
pub mod client_limit;
mod console;
#[cfg(test)]
mod contract;
pub mod error;
mod health;
pub mod pixels;
pub mod request;
pub mod respond;
pub mod router;
pub mod routes;
pub mod webhooks;

pub use router::serve;
