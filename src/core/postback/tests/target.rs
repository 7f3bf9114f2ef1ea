//! Tests of where a postback may go: private and reserved addresses refused.

use crate::core::postback::{check_target, AddressRange, TargetRefused};
use url::Url;

fn check(url: &str, allow_private: bool) -> Result<(), TargetRefused> {
    check_target(&Url::parse(url).unwrap(), allow_private)
}

fn range_of(url: &str) -> Option<AddressRange> {
    match check(url, false) {
        Ok(()) => None,
        Err(TargetRefused::NonPublic { range, .. }) => Some(range),
        Err(other) => panic!("{url}: {other}"),
    }
}

#[test]
fn public_http_and_https_targets_are_allowed() {
    for url in [
        "https://partner.example/pb",
        "http://partner.example:8080/pb?x=1",
        "https://8.8.8.8/pb",
        "https://[2606:4700:4700::1111]/pb",
        "https://localhost.partner.example/",
        "https://172.32.0.1/",
        "https://172.15.255.255/",
        "https://100.63.255.255/",
        "https://100.128.0.0/",
        "https://192.169.0.1/",
        "https://[2002:0808:0808::1]/",
    ] {
        assert_eq!(check(url, false), Ok(()), "{url}");
    }
}

#[test]
fn only_http_and_https_are_allowed_even_when_private_targets_are() {
    for url in [
        "ftp://partner.example/",
        "file:///etc/passwd",
        "gopher://partner.example/",
        "data:text/plain,x",
    ] {
        let err = check(url, true).unwrap_err();
        assert!(matches!(err, TargetRefused::UnsupportedScheme(_)), "{url}");
        assert_eq!(err.code(), "unsupported_scheme");
    }
}

#[test]
fn loopback_is_refused_in_every_spelling() {
    for url in [
        "http://127.0.0.1:8787/",
        "http://127.1/",
        "http://127.255.255.254/",
        "http://2130706433/",
        "http://0x7f000001/",
        "http://017700000001/",
        "http://0x7f.0.0.1/",
        "http://127.0.0.1./",
        "http://localhost/",
        "http://LOCALHOST./",
        "http://api.localhost/",
        "http://[::1]/",
        "http://[0:0:0:0:0:0:0:1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://[::ffff:7f00:1]/",
        "http://[::127.0.0.1]/",
        "http://[64:ff9b::127.0.0.1]/",
        "http://[2002:7f00:1::1]/",
    ] {
        assert_eq!(range_of(url), Some(AddressRange::Loopback), "{url}");
    }
}

#[test]
fn private_link_local_and_shared_ranges_are_refused() {
    let cases = [
        ("http://10.0.0.1/", AddressRange::Private),
        ("http://10.255.255.255/", AddressRange::Private),
        ("http://172.16.0.1/", AddressRange::Private),
        ("http://172.31.255.255/", AddressRange::Private),
        ("http://192.168.1.1/", AddressRange::Private),
        (
            "http://169.254.169.254/latest/meta-data/",
            AddressRange::LinkLocal,
        ),
        ("http://2852039166/", AddressRange::LinkLocal),
        ("http://100.64.0.1/", AddressRange::SharedAddressSpace),
        ("http://100.127.255.255/", AddressRange::SharedAddressSpace),
        ("http://0.0.0.0/", AddressRange::Unspecified),
        ("http://0/", AddressRange::Unspecified),
        ("http://[::]/", AddressRange::Unspecified),
        ("http://[fc00::1]/", AddressRange::Private),
        ("http://[fd12:3456::1]/", AddressRange::Private),
        ("http://[fec0::1]/", AddressRange::Private),
        ("http://[fe80::1]/", AddressRange::LinkLocal),
        ("http://[::ffff:10.0.0.1]/", AddressRange::Private),
        ("http://[::ffff:169.254.169.254]/", AddressRange::LinkLocal),
        ("http://[64:ff9b::a9fe:a9fe]/", AddressRange::LinkLocal),
        ("http://[64:ff9b:1::1]/", AddressRange::Private),
        ("http://224.0.0.1/", AddressRange::Multicast),
        ("http://[ff02::1]/", AddressRange::Multicast),
        ("http://255.255.255.255/", AddressRange::Broadcast),
        ("http://240.0.0.1/", AddressRange::Reserved),
        ("http://192.0.2.1/", AddressRange::Reserved),
        ("http://198.18.0.1/", AddressRange::Reserved),
        ("http://[2001:db8::1]/", AddressRange::Reserved),
        ("http://[2001:0:4136:e378::1]/", AddressRange::Reserved),
    ];
    for (url, range) in cases {
        assert_eq!(range_of(url), Some(range), "{url}");
    }
}

#[test]
fn a_deployment_that_allows_private_targets_may_post_to_its_local_receiver() {
    for url in [
        "http://127.0.0.1:9999/receiver",
        "http://localhost:9999/",
        "http://[::1]:9999/",
        "http://10.0.0.5/",
        "http://169.254.169.254/",
    ] {
        assert_eq!(check(url, true), Ok(()), "{url}");
    }
}

#[test]
fn a_refusal_names_the_host_and_the_range() {
    let err = check("http://169.254.169.254/", false).unwrap_err();
    assert_eq!(err.code(), "private_target");
    let message = err.to_string();
    assert!(
        message.contains("169.254.169.254") && message.contains("link-local"),
        "{message}"
    );
}
