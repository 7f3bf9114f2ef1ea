//! Click capture at the edge: which landing-URL parameters we keep, the first-party cookies that
//! carry them, where `/c` may redirect, and which requests are not a person clicking.

mod capture;
pub mod cookies;
mod host;
pub mod hygiene;
pub mod redirect;
mod stored;
pub mod suffix_list;
mod value;

pub use capture::{
    capture, capture_from_query, capture_from_url, Captured, CapturedClick, CustomClickParam,
    RefusedClick, MAX_QUERY_PAIRS,
};
pub use host::{is_public_suffix, site_of, MAX_HOST_LEN};
pub use hygiene::{classify_visit, is_non_human_visit, NonHuman};
pub use redirect::{RedirectTarget, MAX_REDIRECT_URL_BYTES};
pub use stored::StoredClick;
pub use value::{ClickKind, ClickValue, Malformed, MAX_CLICK_VALUE_BYTES};
