//! Unit tests of the shared field parsers.

use super::*;
use serde_json::json;

#[test]
fn whole_numbers_are_whole_whether_written_with_a_fraction_or_not() {
    let whole = |v: Value| v.as_number().and_then(whole_number);
    assert_eq!(whole(json!(51)), Some(51));
    assert_eq!(whole(json!(51.0)), Some(51));
    assert_eq!(whole(json!(-3)), Some(-3));
    assert_eq!(whole(json!(u64::MAX)), Some(u64::MAX.into()));
    assert_eq!(whole(json!(51.5)), None);
    assert_eq!(whole(json!(1e30)), None);
    let past_the_bounds: Value =
        serde_json::from_str("[-9223372036854775809, 18446744073709551616]").unwrap();
    for past in past_the_bounds.as_array().unwrap() {
        assert_eq!(whole(past.clone()), None, "{past}");
    }
    assert_eq!(boolean(Raw::Json(&json!(1.0)), "f").unwrap(), Some(true));
    assert_eq!(boolean(Raw::Json(&json!(0)), "f").unwrap(), Some(false));
    assert!(boolean(Raw::Json(&json!(2)), "f").is_err());
}

#[test]
fn json_depth_counts_container_levels() {
    assert_eq!(json_depth(&json!(1)), 0);
    assert_eq!(json_depth(&json!({})), 1);
    assert_eq!(json_depth(&json!([])), 1);
    assert_eq!(json_depth(&json!({"a": [1]})), 2);
    assert_eq!(json_depth(&json!({"a": 1, "b": {"c": {"d": []}}})), 4);
}

#[test]
fn a_very_deep_value_is_measured_without_recursion() {
    let mut deep = json!(0);
    for _ in 0..10_000 {
        deep = Value::Array(vec![deep]);
    }
    assert_eq!(json_depth(&deep), 10_000);
    assert_eq!(check_json_depth(&deep).unwrap_err().code, "too_deep");
    // serde_json's own recursive Drop would overflow on a value this deep.
    std::mem::forget(deep);
}

#[test]
fn text_is_trimmed_bounded_and_free_of_control_characters() {
    assert_eq!(text("  Jane ", "f").unwrap().as_deref(), Some("Jane"));
    assert_eq!(text("   ", "f").unwrap(), None);
    assert_eq!(
        text("1 Main St\nApt 4", "f").unwrap().as_deref(),
        Some("1 Main St\nApt 4")
    );
    assert_eq!(text("a\u{0}b", "f").unwrap_err().code, "invalid_text");
    assert_eq!(text("a\u{85}b", "f").unwrap_err().code, "invalid_text");
    let err = text(&"é".repeat(MAX_TEXT_LEN / 2 + 1), "f").unwrap_err();
    assert_eq!((err.code, err.field.as_deref()), ("too_long", Some("f")));
    let single_line = bounded("a\nb", "f", 10, false).unwrap_err();
    assert_eq!(single_line.code, "invalid_text");
}

#[test]
fn page_urls_must_be_absolute_http_or_https_and_are_kept_serialised() {
    assert_eq!(
        page_url("https://shop.example/a?b=c", "url")
            .unwrap()
            .as_deref(),
        Some("https://shop.example/a?b=c")
    );
    assert_eq!(
        page_url(" https://shop.com/päge ", "url")
            .unwrap()
            .as_deref(),
        Some("https://shop.com/p%C3%A4ge")
    );
    assert!(page_url("http://127.0.0.1:8787/", "url").unwrap().is_some());
    assert_eq!(
        page_url("https://shop.example/thanks?o=1#access_token=secret", "url")
            .unwrap()
            .as_deref(),
        Some("https://shop.example/thanks?o=1"),
        "the fragment is dropped"
    );
    for bad in [
        "shop.example",
        "javascript:alert(1)",
        "data:text/html,x",
        "file:///etc/passwd",
        "https://",
    ] {
        assert_eq!(
            page_url(bad, "url").unwrap_err().code,
            "invalid_url",
            "{bad}"
        );
    }
    let long = format!("https://shop.example/?q={}", "x".repeat(MAX_URL_LEN));
    assert_eq!(page_url(&long, "url").unwrap_err().code, "too_long");
}

#[test]
fn ips_are_written_canonically() {
    assert_eq!(
        ip("2001:DB8::1", "ip").unwrap().as_deref(),
        Some("2001:db8::1")
    );
    assert_eq!(
        ip("203.0.113.9", "ip").unwrap().as_deref(),
        Some("203.0.113.9")
    );
    assert!(ip("203.0.113", "ip").is_err());
}

#[test]
fn booleans_take_words_digits_and_json() {
    assert_eq!(boolean(Raw::Text("YES"), "b").unwrap(), Some(true));
    assert_eq!(boolean(Raw::Text("0"), "b").unwrap(), Some(false));
    assert_eq!(boolean(Raw::Json(&json!(true)), "b").unwrap(), Some(true));
    assert_eq!(boolean(Raw::Json(&json!(1)), "b").unwrap(), Some(true));
    assert_eq!(boolean(Raw::Text(""), "b").unwrap(), None);
    assert_eq!(
        boolean(Raw::Json(&json!([])), "b").unwrap_err().code,
        "invalid_type"
    );
}

#[test]
fn visitor_ids_refuse_whitespace_and_markup() {
    assert_eq!(
        visitor_id("v_1.a-b:c", "v").unwrap().as_deref(),
        Some("v_1.a-b:c")
    );
    for bad in ["a b", "<x>", "a\"b", "é"] {
        assert_eq!(
            visitor_id(bad, "v").unwrap_err().code,
            "invalid_visitor_id",
            "{bad}"
        );
    }
}

#[test]
fn field_names_are_counted_in_characters_as_json_schema_counts_them() {
    assert!(is_field_name(&"é".repeat(MAX_FIELD_NAME_LEN)));
    assert!(!is_field_name(&"é".repeat(MAX_FIELD_NAME_LEN + 1)));
    assert!(!is_field_name(""));
    assert!(!is_field_name("a\u{85}b"));
}
