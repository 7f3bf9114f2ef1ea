//! Tests of the connector parser: the seed's example, defaults, and each refusal by field.

use super::*;
use serde_json::{json, Value};

fn full() -> Value {
    json!({
        "name": "Affiliate Network X",
        "trigger_events": ["Purchase"],
        "mode": "enabled",
        "webhook": {"enabled": true, "method": "GET", "url": "https://partner.example/pb?src=pc",
                    "params": [{"name": "value", "value": "{{VALUE}}"}, {"name": "cid", "value": "{{CLICK_ID}}"}],
                    "headers": [{"name": "Authorization", "value": "Bearer abc123"}],
                    "event_renames": {"Purchase": "sale"}, "signing_secret": null},
        "pixel": {"enabled": false, "html": "<script>x('{{VALUE}}')</script>", "sandbox": true, "approved_at": null},
        "click_id": {"enabled": true, "param": "aff_click_id", "source_param": "utm_source",
                     "source_value": "platform_x", "attribution": "last_click", "window_days": 14}
    })
}

fn with(path: &[&str], value: Value) -> Value {
    let mut body = full();
    let mut at = &mut body;
    for key in &path[..path.len() - 1] {
        at = at.get_mut(*key).unwrap();
    }
    at[path[path.len() - 1]] = value;
    body
}

#[test]
fn the_design_example_parses_into_typed_config() {
    let c = parse_connector(&full(), None).unwrap();
    assert_eq!(c.mode, Mode::Enabled);
    assert_eq!(c.webhook.method, Method::Get);
    assert_eq!(c.webhook.params.len(), 2);
    assert_eq!(c.outgoing_event_name("Purchase"), "sale");
    assert_eq!(c.outgoing_event_name("Lead"), "Lead");
    assert_eq!(c.click_id.param.as_deref(), Some("aff_click_id"));
    assert_eq!(c.click_id.attribution, Attribution::LastClick);
    assert!(c.triggers_on("Purchase"));
}

#[test]
fn serialised_config_parses_back_to_itself() {
    let c = parse_connector(&full(), None).unwrap();
    let again = parse_connector(&serde_json::to_value(&c).unwrap(), Some(&c)).unwrap();
    assert_eq!(again, c);
}

/// Assert that each body is refused naming `field` with `code`.
fn assert_refusals(cases: Vec<(Value, &str, &str)>) {
    for (body, field, code) in cases {
        let err = parse_connector(&body, None).unwrap_err();
        assert_eq!(
            (err.field.as_deref(), err.code),
            (Some(field), code),
            "{err}"
        );
    }
}

#[test]
fn the_webhook_url_and_method_are_refused_by_name() {
    assert_refusals(vec![
        (
            with(&["webhook", "url"], json!("ftp://partner.example/pb")),
            "webhook.url",
            "invalid_url",
        ),
        (
            with(&["webhook", "url"], json!("javascript:alert(1)")),
            "webhook.url",
            "invalid_url",
        ),
        (
            with(&["webhook", "url"], json!("not a url")),
            "webhook.url",
            "invalid_url",
        ),
        (
            with(
                &["webhook", "url"],
                json!("https://user:pw@partner.example/"),
            ),
            "webhook.url",
            "invalid_url",
        ),
        (
            with(&["webhook", "url"], json!("https://{{HOST}}/pb")),
            "webhook.url",
            "invalid_url",
        ),
        (
            with(&["webhook", "url"], Value::Null),
            "webhook.url",
            "required",
        ),
        (
            with(&["webhook", "method"], json!("PUT")),
            "webhook.method",
            "invalid_method",
        ),
    ]);
}

#[test]
fn the_webhook_tables_secret_and_flags_are_refused_by_name() {
    assert_refusals(vec![
        (
            with(
                &["webhook", "params"],
                json!([{"name": "v", "value": "{{VALUE|raw}}"}]),
            ),
            "webhook.params[0].value",
            "invalid_placeholder",
        ),
        (
            with(&["webhook", "params"], json!([{"value": "x"}])),
            "webhook.params[0].name",
            "required",
        ),
        (
            with(
                &["webhook", "headers"],
                json!([{"name": "Bad Header", "value": "x"}]),
            ),
            "webhook.headers[0].name",
            "invalid_header",
        ),
        (
            with(
                &["webhook", "headers"],
                json!([{"name": "X-A", "value": "a\r\nInjected: 1"}]),
            ),
            "webhook.headers[0].value",
            "invalid_header",
        ),
        (
            with(
                &["webhook", "headers"],
                json!([{"name": "Host", "value": "x"}]),
            ),
            "webhook.headers[0].name",
            "reserved_header",
        ),
        (
            with(&["webhook", "signing_secret"], json!("secret")),
            "webhook.signing_secret",
            "invalid_signing_secret",
        ),
        (
            with(&["webhook", "event_renames"], json!({"Purchase": 5})),
            "webhook.event_renames.Purchase",
            "invalid_type",
        ),
        (
            with(&["webhook", "enabled"], json!("yes")),
            "webhook.enabled",
            "invalid_type",
        ),
    ]);
}

#[test]
fn the_top_level_fields_are_refused_by_name() {
    assert_refusals(vec![
        (with(&["mode"], json!("live")), "mode", "invalid_mode"),
        (
            with(&["trigger_events"], json!([])),
            "trigger_events",
            "required",
        ),
        (
            with(&["trigger_events"], json!([""])),
            "trigger_events[0]",
            "invalid_event",
        ),
        (with(&["name"], json!("")), "name", "required"),
        (with(&["name"], json!(12)), "name", "invalid_type"),
    ]);
}

#[test]
fn the_click_id_section_refuses_bad_fields_by_name() {
    assert_refusals(vec![
        (
            with(&["click_id", "window_days"], json!(0)),
            "click_id.window_days",
            "invalid_window",
        ),
        (
            with(&["click_id", "window_days"], json!(366)),
            "click_id.window_days",
            "invalid_window",
        ),
        (
            with(&["click_id", "window_days"], json!(1.5)),
            "click_id.window_days",
            "invalid_window",
        ),
        (
            with(&["click_id", "attribution"], json!("first_click")),
            "click_id.attribution",
            "invalid_attribution",
        ),
        (
            with(&["click_id", "param"], Value::Null),
            "click_id.param",
            "required",
        ),
        (
            with(&["click_id", "param"], json!("a b")),
            "click_id.param",
            "invalid_param",
        ),
    ]);
}

#[test]
fn the_pixel_section_refuses_bad_fields_by_name() {
    assert_refusals(vec![
        (
            with(
                &["pixel", "html"],
                json!("x".repeat(MAX_PIXEL_HTML_BYTES + 1)),
            ),
            "pixel.html",
            "too_long",
        ),
        (
            with(&["pixel", "html"], json!("<img src='{{VALUE'>")),
            "pixel.html",
            "invalid_placeholder",
        ),
        (
            with(&["pixel", "html"], json!("{{value}}")),
            "pixel.html",
            "invalid_placeholder",
        ),
    ]);
}

#[test]
fn a_disabled_connector_may_have_no_triggers_and_no_url() {
    let body = json!({"name": "Draft", "mode": "disabled"});
    let c = parse_connector(&body, None).unwrap();
    assert!(c.trigger_events.is_empty());
    assert!(c.webhook.url.is_none());
}

#[test]
fn a_valid_signing_secret_is_kept() {
    let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    let c = parse_connector(&with(&["webhook", "signing_secret"], json!(secret)), None).unwrap();
    assert_eq!(c.webhook.signing_secret.as_deref(), Some(secret));
}

#[test]
fn approval_survives_edits_elsewhere_and_clears_when_the_html_or_the_sandbox_changes() {
    let mut approved = parse_connector(&full(), None).unwrap();
    approved.pixel.approved_at = Some("2026-11-23T00:00:00Z".into());
    let clients_claim = with(&["pixel", "approved_at"], json!("1999-01-01T00:00:00Z"));
    let fresh = parse_connector(&clients_claim, None).unwrap();
    assert_eq!(
        fresh.pixel.approved_at, None,
        "clients cannot approve by writing approved_at"
    );

    let renamed = parse_connector(&with(&["name"], json!("Renamed")), Some(&approved)).unwrap();
    assert_eq!(renamed.pixel.approved_at, approved.pixel.approved_at);

    let edited = with(
        &["pixel", "html"],
        json!("<img src='https://p.example/{{VALUE}}'>"),
    );
    assert_eq!(
        parse_connector(&edited, Some(&approved))
            .unwrap()
            .pixel
            .approved_at,
        None
    );
    let unsandboxed = with(&["pixel", "sandbox"], json!(false));
    assert_eq!(
        parse_connector(&unsandboxed, Some(&approved))
            .unwrap()
            .pixel
            .approved_at,
        None,
        "moving the pixel out of its sandbox needs a new approval"
    );
}

#[test]
fn merge_patch_follows_rfc_7396() {
    let mut target = json!({"a": 1, "b": {"c": 2, "d": 3}});
    merge_patch(&mut target, &json!({"b": {"c": null, "e": 4}, "f": [1]}));
    assert_eq!(target, json!({"a": 1, "b": {"d": 3, "e": 4}, "f": [1]}));
}

#[test]
fn pixel_html_is_parsed_with_the_context_aware_engine_at_save_time() {
    for html in [
        "<img src=x onerror='{{VALUE}}'>",
        "<{{TAG}}>",
        "<script src='{{URL}}'></script>",
    ] {
        let err = parse_connector(&with(&["pixel", "html"], json!(html)), None).unwrap_err();
        assert_eq!(
            (err.field.as_deref(), err.code),
            (Some("pixel.html"), "invalid_placeholder"),
            "{html}"
        );
    }
    let ok = "<script>pixel.track('{{EVENT_NAME}}', {{VALUE}});</script><img src='https://p.example/?v={{VALUE}}'>";
    assert!(parse_connector(&with(&["pixel", "html"], json!(ok)), None).is_ok());
}

#[test]
fn a_window_written_as_a_whole_number_float_is_that_window() {
    let parsed = parse_connector(&with(&["click_id", "window_days"], json!(30.0)), None).unwrap();
    assert_eq!(parsed.click_id.window_days, 30);
}

#[test]
fn trigger_events_and_renames_match_without_regard_to_case() {
    let c = parse_connector(&full(), None).unwrap();
    assert!(c.triggers_on("purchase"));
    assert!(c.triggers_on("PURCHASE"));
    assert!(!c.triggers_on("Purchased"));
    assert_eq!(c.outgoing_event_name("purchase"), "sale");
}

#[test]
fn a_foreign_macro_in_a_url_parameter_header_or_pixel_is_refused_with_its_placeholder() {
    let cases = [
        (
            &["webhook", "url"][..],
            json!("https://pb.example/?cid={clickid}"),
            "webhook.url",
        ),
        (
            &["webhook", "params"][..],
            json!([{"name": "o", "value": "#orderid#"}]),
            "webhook.params[0].value",
        ),
        (
            &["webhook", "headers"][..],
            json!([{"name": "X-Sub", "value": "%clickid%"}]),
            "webhook.headers[0].value",
        ),
        (
            &["pixel", "html"][..],
            json!("<img src=\"https://p.example/c?id=[clickid]\">"),
            "pixel.html",
        ),
    ];
    for (path, value, field) in cases {
        let e = parse_connector(&with(path, value), None).unwrap_err();
        assert_eq!(e.code, "foreign_macro", "{field}");
        assert_eq!(e.field.as_deref(), Some(field));
        assert!(e.message.contains("{{"), "{}", e.message);
    }
}

#[test]
fn url_and_template_values_are_bounded_in_characters_as_their_schema_states() {
    // Surrounding White_Space is trimmed, but counts toward the bound as sent; a character of
    // three bytes counts once, as JSON Schema's maxLength counts it.
    let padded = format!("{}https://pb.example/p", "\u{2002}".repeat(2000));
    assert!(parse_connector(&with(&["webhook", "url"], json!(padded)), None).is_ok());
    let long = format!("https://pb.example/{}", "a".repeat(MAX_URL_LEN));
    let e = parse_connector(&with(&["webhook", "url"], json!(long)), None).unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        ("too_long", Some("webhook.url"))
    );
    let value = "ä".repeat(MAX_VALUE_LEN);
    let row = json!([{"name": "o", "value": value}]);
    assert!(parse_connector(&with(&["webhook", "params"], row), None).is_ok());
    let row = json!([{"name": "o", "value": format!("{value}x")}]);
    let e = parse_connector(&with(&["webhook", "params"], row), None).unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        ("too_long", Some("webhook.params[0].value"))
    );
}
