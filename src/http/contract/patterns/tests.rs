//! Each pattern against the parser whose rule it states, on hand-picked edge cases and a few
//! thousand strings drawn from awkward characters (controls, Unicode spaces, braces, separators).

use super::*;
use crate::core::clicks::{ClickKind, ClickValue};
use crate::core::consent::ConsentSignal;
use crate::core::event::EventName;
use crate::core::ids::EventId;
use crate::core::input::{self, Raw};
use crate::core::money::{Amount, Currency};
use crate::core::template::TextTemplate;
use crate::core::user_data::Birthday;
use regex::Regex;

/// Characters parsers treat specially, and a few ordinary ones.
const ALPHABET: &[char] = &[
    'a', 'Z', 'q', '0', '1', '9', ' ', '\t', '\n', '\r', '\u{b}', '\u{0}', '\u{7f}', '\u{85}',
    '\u{a0}', '\u{2003}', '\u{3000}', '{', '}', '|', '[', ']', '%', ',', '.', ':', '-', '_', '"',
    '<', 'é', '😀', 'E', 'U', 'R', 'e', 'u', 'r', 'T', '+',
];

/// A deterministic stream of strings over [`ALPHABET`] and the extra `seeds`, each seed also
/// with a character appended, removed or replaced.
fn corpus(seeds: &[&str]) -> Vec<String> {
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move |bound: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % bound as u64) as usize
    };
    let mut out: Vec<String> = ["", " ", "\u{3000}", "\t\n"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    for _ in 0..3000 {
        let len = next(9);
        out.push((0..len).map(|_| ALPHABET[next(ALPHABET.len())]).collect());
    }
    for seed in seeds {
        out.push(seed.to_string());
        for _ in 0..40 {
            let mut chars: Vec<char> = seed.chars().collect();
            let at = next(chars.len() + 1);
            match next(3) {
                0 => chars.insert(at, ALPHABET[next(ALPHABET.len())]),
                1 if at < chars.len() => {
                    chars.remove(at);
                }
                _ if at < chars.len() => chars[at] = ALPHABET[next(ALPHABET.len())],
                _ => {}
            }
            out.push(chars.into_iter().collect());
        }
    }
    out
}

/// Asserts that `pattern` matches exactly the strings `accepts` takes, over the corpus.
fn holds(pattern: &str, seeds: &[&str], accepts: impl Fn(&str) -> bool) {
    let re = Regex::new(pattern).expect("the pattern compiles");
    for s in corpus(seeds) {
        assert_eq!(re.is_match(&s), accepts(&s), "{s:?} against {pattern}");
    }
}

/// As [`holds`], for a parser that bounds bytes where the pattern counts characters: exact on
/// ASCII; on other text everything the parser takes matches.
fn holds_in_bytes(pattern: &str, seeds: &[&str], accepts: impl Fn(&str) -> bool) {
    let re = Regex::new(pattern).expect("the pattern compiles");
    for s in corpus(seeds) {
        match s.is_ascii() {
            true => assert_eq!(re.is_match(&s), accepts(&s), "{s:?} against {pattern}"),
            false => assert!(!accepts(&s) || re.is_match(&s), "{s:?} against {pattern}"),
        }
    }
}

#[test]
fn event_names_ids_and_text_match_their_parsers() {
    holds(&event_name(), &[" Purchase ", "\tLead\n"], |s| {
        EventName::parse(s, "f").is_ok()
    });
    holds_in_bytes(&event_id(false), &["order-1", " a b "], |s| {
        EventId::parse(s, "f").is_ok()
    });
    holds_in_bytes(&event_id(true), &["order-1"], |s| {
        s.trim().is_empty() || EventId::parse(s, "f").is_ok()
    });
    for multiline in [false, true] {
        holds_in_bytes(
            &text(8, multiline),
            &["a\tb", "12345678", " 123456789 "],
            |s| input::bounded(s, "f", 8, multiline).is_ok(),
        );
    }
    holds(&visitor_id(), &["v1.abc:def_-", " x "], |s| {
        input::visitor_id(s, "f").is_ok()
    });
}

#[test]
fn container_and_connector_names_refuse_controls_anywhere() {
    let re = Regex::new(&printable(120)).unwrap();
    for s in corpus(&["Shop", " Shop "]) {
        let body = serde_json::json!({"name": s, "cookie_domain": "shop.com"});
        let accepted = crate::core::container::ContainerSettings::parse(
            &body,
            &crate::core::time_zone::fixed::TestZones,
        )
        .is_ok();
        assert_eq!(re.is_match(&s), accepted, "{s:?}");
    }
}

#[test]
fn words_match_consent_booleans_and_currencies_in_any_case() {
    holds(&consent_word(), &["Granted", " DENIED ", "1"], |s| {
        ConsentSignal::parse_word(s, "f").is_ok()
    });
    holds(&boolean_word(), &["Yes", " no ", "TRUE"], |s| {
        input::boolean(Raw::Text(s), "f").is_ok()
    });
    holds(&currency(false), &["EUR", " usd ", "eUr", "XXX"], |s| {
        Currency::parse(s).is_ok()
    });
    holds(&currency(true), &["EUR"], |s| {
        s.trim().is_empty() || Currency::parse(s).is_ok()
    });
}

#[test]
fn amounts_match_the_decimal_parser() {
    let seeds = [
        "49.90",
        "49,90",
        "5.",
        ".5",
        ".",
        "0000000000000049",
        "999999999999",
        "1000000000000",
        "999999999999.5",
        "1.2.3",
        "1,250",
        ",250",
        "12,5",
        "0,1234",
        "1,2500",
    ];
    holds(&amount(true), &seeds, |s| {
        s.trim().is_empty() || Amount::parse(s, "f").is_ok()
    });
    holds(&amount(false), &seeds, |s| Amount::parse(s, "f").is_ok());
}

#[test]
fn click_values_match_the_click_value_rule() {
    let seeds = [
        "Cj0KCQjw_AbC-123",
        "{clickid}",
        "{{click_id}}",
        "%%CID%%",
        "%%",
        "%%%",
        "[[cid]]",
        "[[]",
        "Undefined",
        "NULL",
        "a b",
        "{a b}",
    ];
    for (identifies, kind) in [(true, ClickKind::ClickId), (false, ClickKind::Tag)] {
        // A refusal without damage (blank, an unfilled macro) is read as absent: accepted.
        holds_in_bytes(&click_value(identifies), &seeds, |s| {
            ClickValue::read(s, kind).map_or_else(|refused| !refused.is_damage(), |_| true)
        });
    }
    let long = "x".repeat(513);
    assert!(!Regex::new(&click_value(true)).unwrap().is_match(&long));
}

#[test]
fn birthdays_are_real_calendar_days() {
    let mut dates = Vec::new();
    for year in ["1985", "2000", "1900", "2024", "2023", "0000"] {
        for month in ["00", "01", "02", "04", "12", "13"] {
            for day in ["00", "01", "28", "29", "30", "31", "32"] {
                dates.push(format!("{year}-{month}-{day}"));
            }
        }
    }
    let seeds: Vec<&str> = dates.iter().map(String::as_str).collect();
    holds(&birthday(), &seeds, |s| Birthday::parse(s, "f").is_ok());
}

#[test]
fn integer_ranges_hold_exactly_their_numbers() {
    for (lo, hi) in [
        (0, 9),
        (5, 123),
        (946_684_800, 4_102_444_799),
        (17, 17),
        (99, 1000),
    ] {
        let alternatives: Vec<String> = integer_range(lo, hi).into_iter().map(|(_, p)| p).collect();
        let re = Regex::new(&format!("^(?:{})$", alternatives.join("|"))).unwrap();
        let probes = [
            lo.saturating_sub(1),
            lo,
            lo + 1,
            (lo + hi) / 2,
            hi - 1,
            hi,
            hi + 1,
        ];
        for n in probes
            .into_iter()
            .chain((0..2000).map(|i| lo + (hi - lo) / 2000 * i))
        {
            assert_eq!(
                re.is_match(&n.to_string()),
                (lo..=hi).contains(&n),
                "{n} in {lo}..={hi}"
            );
        }
    }
}

#[test]
fn templates_are_text_whose_every_double_brace_opens_a_placeholder() {
    let seeds = [
        "https://x.example/?v={{VALUE}}&e={{ EMAIL | sha256 }}",
        "{{A|default:n/a}}",
        "{{A|}}",
        "{{a}}",
        "{{{A}}",
        "{A}}",
        "{",
        "}}",
        "{{A|lower|upper}}",
        "{{A|bogus}}",
    ];
    holds(&template(""), &seeds, |s| TextTemplate::parse(s).is_ok());
    holds(&template(r"\r\n\u0000"), &seeds, |s| {
        TextTemplate::parse(s).is_ok() && !s.contains(['\r', '\n', '\0'])
    });
}

#[test]
fn signing_secrets_are_whsec_and_padded_base64_of_24_to_64_bytes() {
    use base64::Engine;
    let re = Regex::new(&signing_secret()).unwrap();
    let engine = base64::engine::general_purpose::STANDARD;
    for len in 20..70 {
        let secret = format!("whsec_{}", engine.encode(vec![0xA5u8; len]));
        assert_eq!(
            re.is_match(&secret),
            (24..=64).contains(&len),
            "{len} bytes"
        );
    }
    assert!(re.is_match("   "));
    assert!(!re.is_match(" whsec_AAAA"));
    // Stray bits after the last byte: the decoder refuses them, and so does the pattern.
    let stray = format!("whsec_{}B==", "AAAA".repeat(8).trim_end_matches('='));
    assert!(!re.is_match(&stray));
}

#[test]
fn the_simple_attribute_objects_are_all_accepted() {
    let re = Regex::new(&attributes_json()).unwrap();
    for s in [
        r#"{"plan":"Premium"}"#,
        "{ }",
        r#"{"a": "b" , "c":"d"}"#,
        "",
    ] {
        assert!(re.is_match(s), "{s}");
        let text: serde_json::Value =
            serde_json::from_str(if s.is_empty() { "{}" } else { s }).unwrap();
        assert!(crate::core::event::Attributes::parse(&text, "f").is_ok());
    }
}

#[test]
fn every_identifier_the_subject_patterns_admit_names_a_person() {
    use crate::core::privacy::subject::{Subject, SubjectKind};
    let seeds: [(&str, &[&str]); 4] = [
        (
            "email",
            &[
                "jane@example.com",
                " J.a+ne@sub.example.co ",
                "a@b",
                "@b.com",
                "a@.b",
            ],
        ),
        (
            "phone",
            &[
                "+358401234567",
                "16505551212",
                "123456",
                "0123456789",
                "+1 650",
            ],
        ),
        ("external_id", &["cust-1", " x ", "", "a\u{0}b"]),
        ("visitor_id", &["v1.abc_DEF-1:2", "", " v "]),
    ];
    for (field, seeds) in seeds {
        assert!(SubjectKind::ALL.iter().any(|k| k.field() == field));
        let re = Regex::new(&subject_identifier(field)).unwrap();
        let mut admitted = 0;
        for s in corpus(seeds) {
            if re.is_match(&s) {
                admitted += 1;
                let parsed = Subject::parse([(field, s.as_str())]);
                assert!(parsed.is_ok(), "{field} {s:?}: {parsed:?}");
            }
        }
        assert!(admitted > 0, "{field}: the pattern admits something");
    }
}
