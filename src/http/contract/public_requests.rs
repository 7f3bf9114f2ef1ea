//! Request bodies of the public surfaces as types, for the document only: `POST /e` (read by
//! `parse_browser_event`) and the custom webhook (read by `parse_custom_body`). Like
//! `requests.rs`, they state what the parsers accept; the contract run checks them.

#![allow(dead_code)]

use super::rules;
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// The user data a browser event may carry; every value is hashed or matched, never shown.
#[derive(Deserialize, ToSchema)]
pub struct BrowserUserIn {
    email: Option<String>,
    phone: Option<String>,
    external_id: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
}

/// A consent state.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsentIn {
    analytics: Option<bool>,
    /// `false`: stored, but no ad-platform or partner postback is ever sent for the event.
    advertising: Option<bool>,
}

/// `POST /e`: one event from the page.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BrowserEventIn {
    #[schema(schema_with = rules::event_name)]
    event: String,
    /// Deduplication key; generated when absent.
    #[schema(pattern = "^[A-Za-z0-9_.:-]{1,128}$")]
    event_id: Option<String>,
    /// Needs `currency`.
    #[schema(minimum = 0, maximum = 1000000000000.0_f64)]
    value: Option<f64>,
    #[schema(schema_with = rules::currency)]
    currency: Option<String>,
    /// The page URL.
    #[schema(pattern = r"^https?://[a-z0-9]+(?:\.[a-z0-9]+)*(?:/[A-Za-z0-9._~-]*)*$")]
    url: Option<String>,
    /// Custom data: at most 50 keys, strings up to 1024 bytes, nested at most 3 levels.
    attributes: Option<BTreeMap<String, String>>,
    user: Option<BrowserUserIn>,
    consent: Option<ConsentIn>,
    /// `1` forces a real send from connectors in test mode.
    pc_test: Option<bool>,
}

/// A postal address.
#[derive(Deserialize, ToSchema)]
pub struct AddressIn {
    street: Option<String>,
    city: Option<String>,
    region: Option<String>,
    postal_code: Option<String>,
    country: Option<String>,
}

/// The buyer, as the custom webhook takes it.
#[derive(Deserialize, ToSchema)]
pub struct UserDataIn {
    email: Option<String>,
    phone: Option<String>,
    external_id: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
    /// `YYYY-MM-DD`.
    #[schema(format = Date)]
    birthday: Option<String>,
    address: Option<AddressIn>,
}

/// One product of an order.
#[derive(Deserialize, ToSchema)]
pub struct ProductIn {
    id: Option<String>,
    name: Option<String>,
    #[schema(minimum = 1, maximum = 1000000)]
    quantity: Option<u64>,
    #[schema(minimum = 0)]
    price: Option<f64>,
}

/// `POST /webhooks/custom/{container}/{topic}`: an order or lead from a backend. Unknown
/// top-level fields are kept as bounded attributes.
#[derive(Deserialize, ToSchema)]
pub struct CustomWebhookIn {
    /// Deduplication key (alias `event_id`).
    #[schema(pattern = "^[A-Za-z0-9_.:-]{1,128}$")]
    conversion_id: Option<String>,
    /// Only for the `custom` topic, where it is required (alias `event`).
    event_name: Option<String>,
    #[schema(minimum = 0)]
    value: Option<f64>,
    #[schema(schema_with = rules::currency)]
    currency: Option<String>,
    #[schema(minimum = 0)]
    tax: Option<f64>,
    #[schema(minimum = 0)]
    shipping: Option<f64>,
    discount_code: Option<String>,
    user_data: Option<UserDataIn>,
    #[schema(max_items = 50)]
    products: Option<Vec<ProductIn>>,
    consent: Option<ConsentIn>,
    /// The `pc_vid` visitor id: the first matching signal.
    visitor_id: Option<String>,
    /// Partner click ids by parameter name.
    click_ids: Option<BTreeMap<String, String>>,
    url: Option<String>,
    ip: Option<String>,
    user_agent: Option<String>,
    attributes: Option<BTreeMap<String, Value>>,
}

/// The page's consent signal on `/collect`, as `postclick.consent()` was told.
#[derive(Deserialize, ToSchema)]
pub enum ConsentSignal {
    #[serde(rename = "granted")]
    Granted,
    #[serde(rename = "denied")]
    Denied,
    #[serde(rename = "1")]
    One,
    #[serde(rename = "0")]
    Zero,
    #[serde(rename = "true")]
    True,
    #[serde(rename = "false")]
    False,
}

/// `POST /webhook` as a JSON object or a form: the query's parameter names.
#[derive(Deserialize, ToSchema)]
pub struct TracklutionBodyIn {
    #[serde(flatten)]
    fields: BTreeMap<String, Value>,
}
