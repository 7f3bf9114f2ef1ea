//! Macros of other tracking platforms pasted into a connector: `{clickid}` (Voluum, RedTrack,
//! Everflow), `[clickid]` and `#clickid#` (older affiliate networks), `%clickid%` (some S2S
//! tools). postclick would send them as literal text, so a postback would carry `{clickid}`
//! instead of the click id; saving refuses them with the `{{...}}` placeholder to write instead.
//!
//! To avoid refusing ordinary text, a single-brace `{name}` is refused wherever it stands in a
//! URL, parameter or header (braces have no other use there), while the other spellings, and
//! every spelling in a pixel (where `[`, `#` and `{` are everyday JavaScript and CSS), are
//! refused only for the names networks use for their macros ([`KNOWN`]) and the click
//! parameters of the registry.

use crate::core::click_params::CLICK_PARAMS;
use crate::core::error::Invalid;
use crate::core::params::attribute_param_name;

/// Common macro names of networks and trackers, normalised (lower case, without `_` and `-`),
/// and the placeholder that means the same.
const KNOWN: &[(&[&str], &str)] = &[
    (
        &[
            "clickid",
            "cid",
            "subid",
            "sub1",
            "affsub",
            "transactionid",
            "tid",
            "affclickid",
            "irclickid",
            "cjevent",
            "awc",
            "clickref",
        ],
        "CLICK_ID",
    ),
    (&["orderid", "orderref", "ordernumber", "oid"], "ORDER_ID"),
    (&["conversionid", "convid"], "CONVERSION_ID"),
    (
        &[
            "amount",
            "value",
            "revenue",
            "payout",
            "saleamount",
            "sum",
            "total",
            "price",
        ],
        "VALUE",
    ),
    (&["currency", "cur"], "CURRENCY"),
    (&["event", "eventname", "goal"], "EVENT_NAME"),
    (&["email"], "EMAIL"),
    (&["timestamp", "ts"], "TIMESTAMP"),
    (&["ip"], "IP"),
    (&["useragent", "ua"], "USER_AGENT"),
];

/// How closely to look: everywhere a `{name}` can only be a macro, or only for known names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Scope {
    /// A URL, parameter or header value.
    Request,
    /// A pixel's HTML.
    Pixel,
}

/// A foreign macro found in a text, with the placeholder to write instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForeignMacro {
    /// As written, e.g. `{clickid}`.
    pub found: String,
    /// e.g. `{{CLICK_ID}}`.
    pub suggestion: String,
}

impl ForeignMacro {
    /// The 422 for the field at `path`.
    pub(super) fn refusal(&self, path: &str) -> Invalid {
        Invalid::field(
            "foreign_macro",
            path,
            format!(
                "{} is another platform's macro and would be sent as that text; write {} instead",
                self.found, self.suggestion
            ),
        )
    }
}

fn normalised(name: &str) -> String {
    name.chars()
        .filter(|c| *c != '_' && *c != '-')
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// The placeholder a known foreign macro name means, if it is one.
fn known(name: &str) -> Option<String> {
    let key = normalised(name);
    if let Some((_, placeholder)) = KNOWN
        .iter()
        .find(|(names, _)| names.contains(&key.as_str()))
    {
        return Some((*placeholder).to_string());
    }
    CLICK_PARAMS
        .iter()
        .find(|p| normalised(p.name) == key)
        .map(|p| p.dynamic_param.to_string())
}

/// The first foreign macro in `text`, if any.
pub(super) fn find_foreign_macro(text: &str, scope: Scope) -> Option<ForeignMacro> {
    let bytes = text.as_bytes();
    for (i, &open) in bytes.iter().enumerate() {
        let close = match open {
            b'{' => b'}',
            b'[' => b']',
            b'#' => b'#',
            b'%' => b'%',
            _ => continue,
        };
        // `{{NAME}}` is ours.
        if open == b'{' && (bytes.get(i + 1) == Some(&b'{') || i > 0 && bytes[i - 1] == b'{') {
            continue;
        }
        // `ed[value]=` and `data[amount]` are a bracketed key or an index, not a macro.
        let after_name =
            i > 0 && (bytes[i - 1].is_ascii_alphanumeric() || b"_])".contains(&bytes[i - 1]));
        if open == b'[' && after_name {
            continue;
        }
        let rest = &bytes[i + 1..];
        let len = rest
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_' || **b == b'-')
            .count();
        if !(2..=40).contains(&len) || rest.get(len) != Some(&close) {
            continue;
        }
        let name = &text[i + 1..i + 1 + len];
        if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
            continue;
        }
        // `%E2%` is percent-encoding, not a macro.
        if open == b'%' && len == 2 && name.bytes().all(|b| b.is_ascii_hexdigit()) {
            continue;
        }
        let suggestion = match known(name) {
            Some(placeholder) => placeholder,
            None if open == b'{' && scope == Scope::Request => attribute_param_name(name)?,
            None => continue,
        };
        return Some(ForeignMacro {
            found: text[i..i + len + 2].to_string(),
            suggestion: format!("{{{{{suggestion}}}}}"),
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str, scope: Scope) -> Option<(String, String)> {
        find_foreign_macro(text, scope).map(|m| (m.found, m.suggestion))
    }

    #[test]
    fn each_foreign_spelling_of_a_click_id_is_found_with_its_placeholder() {
        for text in [
            "https://pb.example/?cid={clickid}",
            "https://pb.example/?cid=[clickid]",
            "https://pb.example/?cid=#clickid#",
            "https://pb.example/?cid=%clickid%",
        ] {
            let (macro_text, suggestion) = found(text, Scope::Request).expect(text);
            assert!(text.ends_with(&macro_text), "{text}");
            assert_eq!(suggestion, "{{CLICK_ID}}");
        }
        assert_eq!(
            found("{transaction_id}", Scope::Request).map(|f| f.1),
            Some("{{CLICK_ID}}".to_string())
        );
        assert_eq!(
            found("[payout]", Scope::Request).map(|f| f.1),
            Some("{{VALUE}}".to_string())
        );
        assert_eq!(
            found("%order_id%", Scope::Pixel).map(|f| f.1),
            Some("{{ORDER_ID}}".to_string())
        );
        assert_eq!(
            found("{gclid}", Scope::Request).map(|f| f.1),
            Some("{{GCLID}}".to_string())
        );
    }

    #[test]
    fn an_unknown_single_brace_name_in_a_request_suggests_its_attribute_placeholder() {
        assert_eq!(
            found("https://pb.example/?p={partnerRef}", Scope::Request),
            Some(("{partnerRef}".to_string(), "{{PARTNER_REF}}".to_string()))
        );
        assert_eq!(
            found("<script>var a = {partnerRef};</script>", Scope::Pixel),
            None
        );
    }

    #[test]
    fn our_placeholders_percent_encoding_and_everyday_code_are_not_macros() {
        for text in [
            "https://pb.example/?cid={{CLICK_ID}}&v={{VALUE|default:0}}",
            "https://pb.example/caf%C3%A9?q=%E2%80%99",
            "https://pb.example/?items[0]=1#top",
            "https://ct.pinterest.com/v3/?ed[value]={{VALUE}}&ed[order_id]={{ORDER_ID}}",
        ] {
            assert_eq!(found(text, Scope::Request), None, "{text}");
        }
        for html in [
            "<script>var x = window[name]; if (a) {run()}</script>",
            "<style>#banner { color: #fff }</style>",
            "<img src=\"https://pb.example/p?c={{CLICK_ID}}\">",
            "<img src=\"https://www.facebook.com/tr?ev=Purchase&cd[value]=1&cd[currency]=EUR\">",
        ] {
            assert_eq!(found(html, Scope::Pixel), None, "{html}");
        }
    }

    #[test]
    fn no_snippet_of_the_partner_corpus_holds_a_foreign_macro() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/corpus/partners");
        let mut seen = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let html = std::fs::read_to_string(&path).unwrap();
            assert_eq!(find_foreign_macro(&html, Scope::Pixel), None, "{path:?}");
            seen += 1;
        }
        assert!(seen > 10);
    }
}
