//! The visitor's clicks as attribution counts them: stored rows grouped by landing, campaign tags
//! as landing parameters, and the clicks an event carried.

use crate::core::clicks::StoredClick;
use crate::core::event::CarriedClick;
use crate::core::postback::click_records;

const AT: i64 = 1_700_000_000_123;

fn row(param: &str, value: &str, landing: Option<&str>, at_ms: i64) -> StoredClick {
    StoredClick {
        param: param.into(),
        value: value.into(),
        landing_url: landing.map(str::to_string),
        at_ms,
    }
}

#[test]
fn click_records_group_a_landing_and_skip_campaign_tags() {
    let landing = "https://www.shop.com/?aff_click_id=abc&utm_source=platform_x&src=Net%20X";
    let history = [
        row("aff_click_id", "abc", Some(landing), AT - 1000),
        row("utm_source", "platform_x", Some(landing), AT - 1000),
        row("gclid", "g1", None, AT - 500),
        row("utm_medium", "cpc", None, AT - 500),
        row("utm_source", "only-tags", None, AT - 100),
    ];
    let records = click_records(&history, &[], AT);
    assert_eq!(records.len(), 2);
    assert_eq!(records[0].param, "aff_click_id");
    assert_eq!(records[0].landing_param("utm_source"), Some("platform_x"));
    assert_eq!(records[0].landing_param("src"), Some("Net X"));
    assert_eq!(records[1].param, "gclid");
    assert_eq!(records[1].landing_param("utm_medium"), Some("cpc"));
    assert_eq!(records[1].landing_param("utm_source"), None);
}

#[test]
fn click_ids_the_event_carried_count_as_clicks_at_the_event_time() {
    let carried = [
        CarriedClick {
            param: "aff_click_id".into(),
            value: "xyz".into(),
        },
        CarriedClick {
            param: "utm_source".into(),
            value: "platform_x".into(),
        },
    ];
    let records = click_records(&[], &carried, AT);
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].at_ms, AT);
    assert_eq!(records[0].landing_param("utm_source"), Some("platform_x"));
}

#[test]
fn tracklution_sources_are_landing_parameters_not_clicks() {
    let carried = [
        CarriedClick {
            param: "trlc".into(),
            value: "tc-1".into(),
        },
        CarriedClick {
            param: "trls".into(),
            value: "ts-1".into(),
        },
    ];
    let records = click_records(&[], &carried, AT);
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].param, "trlc");
    assert_eq!(records[0].landing_param("trls"), Some("ts-1"));
}

#[test]
fn a_browser_events_cookie_clicks_count_with_what_was_captured_alongside() {
    use crate::core::clicks::CustomClickParam;
    use crate::core::event::CookieClick;
    use crate::core::postback::cookie_click_records;
    let click = |param: &str, value: &str, source: Option<&str>, at_ms| CookieClick {
        param: param.into(),
        value: value.into(),
        source: source.map(str::to_string),
        at_ms,
    };
    let cookie = [
        click("aff_click_id", "MINE", Some("net_x"), AT - 1000),
        click("utm_source", "platform_x", Some("platform_x"), AT - 1000),
        click("utm_campaign", "spring", None, AT - 5000),
    ];
    let custom = [CustomClickParam {
        param: "aff_click_id".into(),
        source_param: Some("network".into()),
        source_value: Some("net_x".into()),
    }];
    let records = cookie_click_records(&cookie, &custom);
    assert_eq!(
        records.len(),
        1,
        "campaign tags are not clicks of their own"
    );
    assert_eq!(records[0].value, "MINE");
    assert_eq!(records[0].at_ms, AT - 1000);
    assert_eq!(records[0].landing_param("utm_source"), Some("platform_x"));
    assert_eq!(records[0].landing_param("network"), Some("net_x"));
    assert_eq!(records[0].landing_param("utm_campaign"), None);
}
