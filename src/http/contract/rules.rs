//! The host, origin and URL rules of the admin API's bodies as JSON Schemas. These parsers sit on
//! the WHATWG URL parser, which no regular expression states; each pattern here is the plain
//! form of what its parser takes, and `tests` checks that whatever a pattern admits, the parser
//! takes.

use super::patterns::TRIM;
use crate::core::clicks::MAX_HOST_LEN;
use serde_json::{json, Value};

/// One label of a host name: letters, digits and inner hyphens, at most 63.
const LABEL: &str = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?";
/// The last label, with a letter in it: `ContainerSettings::parse` refuses IPv4 addresses, and a
/// top-level label that starts with a letter can never form one. (URL parsers also read a last
/// label such as `0x1f` as a number, so it starts with a letter.)
const TOP_LABEL: &str = "[A-Za-z](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?";

/// A host name as `ContainerSettings::parse` takes it: dot-separated labels, no scheme, port or
/// path; surrounding White_Space and dots are dropped. `min_labels` is 2 for a cookie domain
/// (`shop.com`), 1 for a redirect host.
pub fn host_pattern(min_labels: usize) -> String {
    let repeat = if min_labels >= 2 { "+" } else { "*" };
    format!(r"^[{TRIM}]*\.*(?:{LABEL}\.){repeat}{TOP_LABEL}\.*[{TRIM}]*$")
}

/// The registrable domain cookies are set on, e.g. `shop.com`.
pub fn cookie_domain() -> Value {
    json!({
        "type": "string",
        "maxLength": MAX_HOST_LEN,
        "pattern": host_pattern(2),
        "description": "Registrable domain the cookies are set on, e.g. shop.com (no scheme, port or path); never a public suffix of the Public Suffix List such as co.uk or github.io (422 public_suffix)",
    })
}

/// An origin: `http(s)://host[:port]`, nothing after it (`ContainerSettings::parse`).
pub fn origin_pattern() -> String {
    format!(r"^[{TRIM}]*https?://(?:{LABEL}\.)*{TOP_LABEL}(?::[1-9][0-9]{{0,3}})?/?[{TRIM}]*$")
}

/// Allowed origins: at most 50.
pub fn origins() -> Value {
    json!({
        "type": ["array", "null"],
        "maxItems": 50,
        "items": {"type": "string", "pattern": origin_pattern(), "description": "An origin such as https://www.shop.com"},
        "description": "Origins allowed to call the browser endpoints with credentials, e.g. https://www.shop.com",
    })
}

/// Extra redirect hosts: at most 50, each of at least two labels (a single label is a top-level
/// domain, which the Public Suffix List's default rule makes a public suffix).
pub fn redirect_domains() -> Value {
    json!({
        "type": ["array", "null"],
        "maxItems": 50,
        "items": {"type": "string", "maxLength": MAX_HOST_LEN, "pattern": host_pattern(2), "description": "A host name such as partner-shop.com; never a public suffix of the Public Suffix List such as co.uk or github.io (422 public_suffix)"},
        "description": "Extra hosts /c may redirect to, besides the cookie domain and its subdomains",
    })
}

/// A postback URL as `connector::webhook::parse_url` takes it, in its plain form: blank (no URL),
/// or an http(s) URL with a literal host name and port, and a path and query of URL characters
/// and `{{PLACEHOLDERS}}`.
pub fn postback_url() -> String {
    let chars = "[A-Za-z0-9._~%!$&'()*+,;=:@-]";
    let placeholder = r"\{\{[A-Z][A-Z0-9_]{0,63}(?:\|(?:sha256|lower|upper))*\}\}";
    let part = format!("(?:{chars}|{placeholder})");
    format!(
        r"^(?:[{TRIM}]*|[{TRIM}]*https?://(?:{LABEL}\.)*{TOP_LABEL}(?::[1-9][0-9]{{0,3}})?(?:/{part}*)*(?:\?(?:{part}|/|\?)*)?[{TRIM}]*)$"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use regex::Regex;
    use serde_json::json;

    #[test]
    fn what_the_host_and_origin_patterns_admit_the_container_parser_takes() {
        let host = Regex::new(&host_pattern(2)).unwrap();
        let origin = Regex::new(&origin_pattern()).unwrap();
        for (domain, origins) in [
            ("shop.com", "https://www.shop.com"),
            (" .Shop.CO.uk. ", "http://a-1.b:8080/"),
            ("a.b", " https://x.y "),
        ] {
            assert!(
                host.is_match(domain) && origin.is_match(origins),
                "{domain} {origins}"
            );
            let body = json!({"name": "S", "cookie_domain": domain, "allowed_origins": [origins]});
            let parsed = crate::core::container::ContainerSettings::parse(
                &body,
                &crate::core::time_zone::fixed::TestZones,
            );
            assert!(parsed.is_ok(), "{domain} {origins}: {parsed:?}");
        }
        for refused in [
            "shop",
            "1.2.3.4",
            "-a.com",
            "shop.com/x",
            "https://shop.com",
        ] {
            assert!(!host.is_match(refused), "{refused}");
        }
    }

    #[test]
    fn what_the_postback_url_pattern_admits_the_connector_parser_takes() {
        let url = Regex::new(&postback_url()).unwrap();
        for ok in [
            "https://partner.example/postback?cid={{CLICK_ID}}&v={{VALUE}}",
            "http://a.b:81/{{EVENT_NAME|lower}}/x",
            "  ",
        ] {
            assert!(url.is_match(ok), "{ok}");
            let body = json!({"name": "P", "trigger_events": ["Purchase"],
                "webhook": {"enabled": false, "url": ok}});
            let parsed = crate::core::connector::parse_connector(&body, None);
            assert!(parsed.is_ok(), "{ok}: {parsed:?}");
        }
        for refused in ["https://{{HOST}}/x", "ftp://a.b/", "https://user:pw@a.b/"] {
            assert!(!url.is_match(refused), "{refused}");
        }
    }
}
