//! Each template, filled with its example account values, is a valid connector whose request
//! carries the click id, order and value where its partner reads them.

use super::*;
use crate::core::connector::{parse_connector, Method};
use crate::core::params::ParamValues;
use crate::core::postback::{build_request, BuildContext};

const CTX: BuildContext<'static> = BuildContext {
    idempotency_key: "dlv_01hzyx",
    timestamp_s: 1_700_000_000,
};

fn sample() -> ParamValues {
    let mut values = ParamValues::new();
    for (name, value) in [
        ("CLICK_ID", "clk-7781"),
        ("ORDER_ID", "SO-1001"),
        ("CONVERSION_ID", "SO-1001"),
        ("VALUE", "49.9"),
        ("CURRENCY", "EUR"),
        ("EVENT_NAME", "Purchase"),
        ("TIMESTAMP", "1700000000"),
    ] {
        values.set(name, value);
    }
    values
}

#[test]
fn the_networks_the_console_promises_all_have_a_template() {
    let ids: Vec<String> = templates().into_iter().map(|t| t.id).collect();
    for id in [
        "awin",
        "impact",
        "cj",
        "partnerize",
        "everflow",
        "tune",
        "redtrack",
        "voluum",
        "tracknow",
        "generic_s2s",
    ] {
        assert!(ids.contains(&id.to_string()), "{id}");
    }
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "two templates share an id");
}

#[test]
fn every_template_filled_with_its_examples_renders_a_valid_request_with_click_order_and_value() {
    for template in templates() {
        let id = &template.id;
        let body = template.example();
        assert!(!body.to_string().contains('<'), "{id}: an unfilled field");
        let connector = parse_connector(&body, None).unwrap_or_else(|e| panic!("{id}: {e:?}"));
        assert!(
            connector.click_id.enabled && connector.click_id.param.is_some(),
            "{id}"
        );
        let request = build_request(&connector.webhook, &sample(), &CTX)
            .unwrap_or_else(|e| panic!("{id}: {e:?}"));
        let url = url::Url::parse(&request.url).unwrap_or_else(|e| panic!("{id}: {e}"));
        assert_eq!(url.scheme(), "https", "{id}");
        let sent = format!(
            "{} {}",
            request.url,
            request.body.clone().unwrap_or_default()
        );
        for value in ["clk-7781", "49.9"] {
            assert!(sent.contains(value), "{id} does not send {value}: {sent}");
        }
        // Networks pay per order, so each sends the order number; trackers may not take one.
        if template.kind == "network" {
            assert!(
                sent.contains("SO-1001"),
                "{id} does not send the order: {sent}"
            );
        }
        if connector.webhook.method == Method::Post {
            let body: Value = serde_json::from_str(request.body.as_deref().unwrap_or("")).unwrap();
            assert!(body.is_object(), "{id}");
        }
        assert!(
            request.unresolved.is_empty(),
            "{id}: {:?}",
            request.unresolved
        );
    }
}

#[test]
fn every_field_is_used_and_kinds_are_known() {
    for template in templates() {
        let raw = template.connector.to_string();
        for field in &template.fields {
            assert!(raw.contains(&format!("<{}>", field.key)), "{}", template.id);
        }
        assert!(
            ["network", "tracker", "generic"].contains(&template.kind.as_str()),
            "{}",
            template.id
        );
        let unfilled = template.fill(&BTreeMap::new());
        assert_eq!(unfilled, template.connector, "{}", template.id);
    }
}
