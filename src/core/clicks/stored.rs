//! The visitor's click history as storage hands it over: one row of the `clicks` table per
//! captured parameter (click ids and campaign tags alike, see [`super::capture`]).

/// One row of the visitor's stored click history (`clicks` table): a click id or a campaign tag
/// captured from a landing URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredClick {
    /// Lower-case parameter name.
    pub param: String,
    pub value: String,
    pub landing_url: Option<String>,
    pub at_ms: i64,
}
