//! Tests of `/c`'s redirect target: where a tracking link may send the visitor.

use super::*;

fn check(to: &str) -> Result<String, Invalid> {
    let redirect_domains = vec!["partner-checkout.io".to_string(), "Shöp.de".to_string()];
    RedirectTarget::parse(to, "shop.com", &redirect_domains).map(|t| t.as_str().to_string())
}

fn assert_refused(to: &str) {
    let err = check(to).expect_err(to);
    assert_eq!(err.code, "invalid_redirect", "{to:?}");
    assert_eq!(err.field.as_deref(), Some("to"), "{to:?}");
}

#[test]
fn the_cookie_domain_and_its_subdomains_are_allowed() {
    assert_eq!(check("https://shop.com/").unwrap(), "https://shop.com/");
    assert_eq!(
        check("https://www.shop.com/landing?gclid=Cj0&x=%20y#top").unwrap(),
        "https://www.shop.com/landing?gclid=Cj0&x=%20y#top"
    );
    assert_eq!(
        check("http://a.b.shop.com").unwrap(),
        "http://a.b.shop.com/"
    );
}

#[test]
fn redirect_domains_and_their_subdomains_are_allowed() {
    assert!(check("https://partner-checkout.io/pay").is_ok());
    assert!(check("https://eu.partner-checkout.io/pay").is_ok());
    assert_eq!(
        check("https://shöp.de/x").unwrap(),
        "https://xn--shp-tna.de/x"
    );
    assert!(check("https://www.xn--shp-tna.de/").is_ok());
}

#[test]
fn scheme_and_host_case_do_not_matter() {
    assert_eq!(
        check("HTTPS://WWW.Shop.COM/Path").unwrap(),
        "https://www.shop.com/Path"
    );
}

#[test]
fn ports_are_allowed() {
    assert_eq!(
        check("https://shop.com:8443/x").unwrap(),
        "https://shop.com:8443/x"
    );
    assert_eq!(
        check("https://shop.com:443/x").unwrap(),
        "https://shop.com/x"
    );
    assert_refused("https://shop.com:99999/");
    assert_refused("https://shop.com:80a/");
}

#[test]
fn a_trailing_dot_is_normalised_away() {
    assert_eq!(
        check("https://shop.com./x?y=1").unwrap(),
        "https://shop.com/x?y=1"
    );
    assert_eq!(
        check("https://t.shop.com.:8443/").unwrap(),
        "https://t.shop.com:8443/"
    );
    assert_refused("https://shop.com../");
}

#[test]
fn foreign_hosts_are_refused() {
    for to in [
        "https://evil.io/",
        "https://google.com/?q=shop.com",
        "https://com/",
        "https://shop.org/",
    ] {
        assert_refused(to);
    }
}

#[test]
fn look_alike_suffixes_and_prefixes_are_refused() {
    for to in [
        "https://evilshop.com/",
        "https://shop.com.evil.io/",
        "https://shop.com-evil.io/",
        "https://shop.comevil.io/",
        "https://xshop.com/",
        "https://partner-checkout.io.evil.io/",
        "https://notpartner-checkout.io/",
        // Cyrillic "ѕ" looks like "s" but is another name.
        "https://ѕhop.com/",
    ] {
        assert_refused(to);
    }
}

#[test]
fn scheme_relative_and_slash_tricks_are_refused() {
    for to in [
        "//evil.io",
        "//shop.com",
        "/\\evil.io",
        "\\\\evil.io",
        "/\\shop.com",
        "\\/evil.io",
        "/landing",
        "shop.com/landing",
        "https:evil.io",
        "https:shop.com",
        "https:/shop.com",
        "https:///evil.io",
        "https:////shop.com",
        "https:\\\\evil.io",
        "https:/\\evil.io",
        "http:\\\\shop.com",
    ] {
        assert_refused(to);
    }
}

#[test]
fn script_data_and_other_schemes_are_refused() {
    for to in [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)//shop.com",
        "javascript://shop.com/%0aalert(1)",
        " javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "DATA:text/html;base64,PHNjcmlwdD4=",
        "vbscript:msgbox(1)",
        "ftp://shop.com/",
        "ws://shop.com/",
        "file:///etc/passwd",
        "blob:https://shop.com/uuid",
        "mailto:a@shop.com",
    ] {
        assert_refused(to);
    }
}

#[test]
fn userinfo_tricks_are_refused() {
    for to in [
        "https://shop.com@evil.io/",
        "https://shop.com:pw@evil.io/",
        "https://user@shop.com/",
        "https://@shop.com/",
        "https://evil.io\\@shop.com/",
        "https://evil.io%40shop.com/",
        "https://shop.com%2f@evil.io/",
        "https://shop.com%40evil.io/",
    ] {
        assert_refused(to);
    }
}

#[test]
fn an_at_sign_after_the_authority_is_harmless() {
    assert_eq!(
        check("https://shop.com/u/@me?e=a@b.com").unwrap(),
        "https://shop.com/u/@me?e=a@b.com"
    );
    // The host here is evil.io: '#' and '?' end the authority before the '@'.
    assert_refused("https://evil.io#@shop.com");
    assert_refused("https://evil.io?@shop.com");
}

#[test]
fn backslashes_anywhere_are_refused() {
    for to in [
        "https://shop.com\\evil.io",
        "https://evil.io\\.shop.com/",
        "https://shop.com/a\\b",
    ] {
        assert_refused(to);
    }
}

#[test]
fn whitespace_and_control_characters_are_refused() {
    for to in [
        "https://shop.com/\tx",
        "https://sh\top.com/",
        "https://shop.com/\nSet-Cookie:x",
        "https://shop.com/\r\n",
        "https://shop.com\u{0}.evil.io/",
        "https://shop.com/ x",
        " https://shop.com/",
        "https://shop.com/\u{a0}",
        "https://shop.com/\u{2028}",
        "\u{feff}https://shop.com/",
    ] {
        assert_refused(to);
    }
}

#[test]
fn percent_encoded_host_tricks_are_refused() {
    for to in [
        "https://shop%2ecom/",
        "https://%73hop.com/",
        "https://evil.io%2fshop.com/",
        "https://t.shop.com%00.evil.io/",
        "https://evil.io%23.shop.com/",
    ] {
        assert_refused(to);
    }
}

#[test]
fn ip_address_hosts_are_refused() {
    for to in [
        "https://127.0.0.1/",
        "https://0x7f.1/",
        "https://[::1]/",
        "http://2130706433/",
    ] {
        assert_refused(to);
    }
}

#[test]
fn malformed_and_empty_input_is_refused() {
    for to in [
        "",
        "https://",
        "http://",
        "https://?x",
        "https://#",
        "https:// /",
        "%",
        "https://sh op.com/",
    ] {
        assert_refused(to);
    }
}

#[test]
fn over_long_targets_are_refused() {
    let long = format!("https://shop.com/{}", "a".repeat(MAX_REDIRECT_URL_BYTES));
    assert_refused(&long);
}

#[test]
fn encoded_newlines_in_the_path_stay_encoded_in_the_location() {
    let location = check("https://shop.com/%0d%0aSet-Cookie:x=1").unwrap();
    assert_eq!(location, "https://shop.com/%0d%0aSet-Cookie:x=1");
    assert!(!location.contains(['\r', '\n']));
}

#[test]
fn non_ascii_paths_are_percent_encoded_in_the_location() {
    let location = check("https://shop.com/päge?q=ü").unwrap();
    assert_eq!(location, "https://shop.com/p%C3%A4ge?q=%C3%BC");
}

#[test]
fn unusable_configured_domains_allow_nothing() {
    assert!(RedirectTarget::parse("https://com/", "com", &[]).is_err());
    let bad_list = vec!["".to_string(), ".".to_string(), "io".to_string()];
    assert!(RedirectTarget::parse("https://evil.io/", "shop.com", &bad_list).is_err());
    assert!(RedirectTarget::parse("https://shop.com/", "not a domain", &bad_list).is_err());
    assert!(RedirectTarget::parse(
        "https://x.shop.com/",
        "not a domain",
        &["shop.com".to_string()]
    )
    .is_ok());
}

#[test]
fn idn_look_alikes_normalise_before_comparison() {
    // A fullwidth full stop is a dot to browsers, so this really is shop.com.
    assert_eq!(
        check("https://www.shop。com/").unwrap(),
        "https://www.shop.com/"
    );
    // Upper-case Unicode is folded, like browsers do.
    assert_eq!(
        check("https://SHÖP.de/").unwrap(),
        "https://xn--shp-tna.de/"
    );
}

#[test]
fn the_parsed_url_is_available_to_the_caller() {
    let target = RedirectTarget::parse("https://shop.com/x?gclid=1", "shop.com", &[]).unwrap();
    assert_eq!(target.url().query(), Some("gclid=1"));
    assert_eq!(target.clone().into_url().host_str(), Some("shop.com"));
}
