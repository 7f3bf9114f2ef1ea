//! Tests of the custom webhook: seed 004's examples ([`examples`]), refusals by field
//! ([`refusals`]) and bounds ([`bounds`]).

use super::*;
use crate::core::consent::ConsentSignal;
use serde_json::json;

/// Seed 004, "A minimal purchase example", verbatim.
const MINIMAL_PURCHASE: &str = r#"{
  "conversion_id": "ORD-12345",
  "value": 149.99,
  "currency": "USD",
  "user_data": {
    "email": "[email protected]"
  }
}"#;

/// Seed 004, "A complete purchase with all signals", verbatim.
const COMPLETE_PURCHASE: &str = r#"{
  "conversion_id": "ORD-12345",
  "value": 149.99,
  "currency": "USD",
  "tax": 12.50,
  "shipping": 5.99,
  "discount_code": "SUMMER20",
  "user_data": {
    "email": "[email protected]",
    "phone": "+15551234567",
    "first_name": "Jane",
    "last_name": "Doe",
    "address": {
      "city": "New York",
      "region": "NY",
      "postal_code": "10001",
      "country": "US"
    }
  },
  "products": [
    {
      "id": "SKU123",
      "name": "Widget Pro",
      "quantity": 2,
      "price": 49.99
    }
  ],
  "consent": {
    "analytics": true,
    "advertising": true
  }
}"#;

/// Seed 004, the curl body of "Examples / Purchase", verbatim.
const CURL_PURCHASE: &str = r#"{
    "conversion_id": "ORD-12345",
    "value": 149.99,
    "currency": "USD",
    "user_data": {
      "email": "[email protected]",
      "phone": "+15551234567"
    },
    "consent": { "analytics": true, "advertising": true }
  }"#;

/// Seed 004, the curl body of "Examples / Lead", verbatim.
const CURL_LEAD: &str = r#"{
    "conversion_id": "lead_abc789",
    "value": 50,
    "currency": "USD",
    "lead_type": "demo_request",
    "user_data": {
      "email": "[email protected]"
    },
    "consent": { "analytics": true, "advertising": true }
  }"#;

/// Seed 004, "Session matching", the body passed to the backend, verbatim.
const WITH_VISITOR_ID: &str = r#"{
  "conversion_id": "ORD-12345",
  "visitor_id": "the-id-from-getVisitorId",
  "value": 149.99,
  "currency": "USD"
}"#;

fn parse(topic: Topic, payload: Value) -> Result<NewEvent, Invalid> {
    parse_custom(topic, &payload)
}

fn refused(topic: Topic, payload: Value) -> (&'static str, Option<String>) {
    let err = parse(topic, payload).expect_err("expected a refusal");
    (err.code, err.field)
}

fn attr<'a>(event: &'a NewEvent, key: &str) -> Option<&'a Value> {
    event.attributes.as_map().get(key)
}

mod bounds;
mod examples;
mod refusals;
