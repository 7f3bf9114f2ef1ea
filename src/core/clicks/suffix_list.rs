//! The Public Suffix List as data: the list's text embedded in the worker
//! (`data/public_suffix_list.txt`, whose header gives its provenance, licence and how to refresh
//! it), read by the `publicsuffix` crate. Compiling the list into match code (the `psl` crate)
//! made the release wasm 214 KB (gzip) larger than the text does.
//!
//! Parsing the whole list costs about 25 ms natively and about 65 ms in workerd, too much for
//! the first page view of every isolate (the install check asks for sites on `/collect`). A rule
//! only ever matches names under its own top-level domain, so an isolate groups the rules by
//! top-level domain once (a scan of the text, no parse) and parses one domain's rules the first
//! time a name under it is looked up: `com` is 1,207 of the 10,397 rules, `jp` the largest with
//! 1,951, an unknown one none. The answers are the whole list's (a unit test holds every rule to
//! the `psl` crate's answers); `cargo bench --bench suffix_list` times each step.

use publicsuffix::{List, Psl};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::OnceLock;

/// The list in the Public Suffix List's own format (<https://publicsuffix.org/list/>): one rule a
/// line, `*.` wildcards, `!` exceptions, `//` comments, IDN rules in Unicode.
pub const TEXT: &str = include_str!("../../../data/public_suffix_list.txt");

/// The line from which the `publicsuffix` crate reads rules (it skips everything before it).
const SECTION: &str = "// ===BEGIN ICANN DOMAINS===";

/// Parses the whole of [`TEXT`] into one lookup tree that holds each IDN rule in both its
/// Unicode and its punycode form. The worker parses one top-level domain at a time
/// ([`parse_tld`]); this is the whole list, for the tests and the bench.
///
/// # Errors
/// The `publicsuffix` crate's error for a malformed rule (a unit test holds the embedded list to
/// parsing cleanly).
pub fn parse() -> Result<List, publicsuffix::Error> {
    TEXT.parse()
}

/// The rules of [`TEXT`] by top-level domain, as it ends the rule (`*.ck` and `!www.ck` under
/// `ck`). An IDN top-level domain is filed under its Unicode form and its punycode form (`中国`
/// and `xn--fiqs8s`), since a normalised host carries the punycode.
pub fn rules_by_tld(text: &'static str) -> HashMap<String, Vec<&'static str>> {
    let mut groups: HashMap<String, Vec<&'static str>> = HashMap::new();
    let rules = text
        .lines()
        .skip_while(|line| !line.contains("BEGIN ICANN DOMAINS"))
        .filter_map(|line| line.split_whitespace().next())
        .filter(|rule| !rule.starts_with("//"));
    for rule in rules {
        let tld = rule.rsplit('.').next().unwrap_or(rule);
        if !tld.is_ascii() {
            if let Ok(url::Host::Domain(ascii)) = url::Host::parse(tld) {
                groups.entry(ascii).or_default().push(rule);
            }
        }
        groups.entry(tld.to_string()).or_default().push(rule);
    }
    groups
}

/// Parses the rules of one top-level domain (`rules` from [`rules_by_tld`]) into a lookup tree;
/// no rules give the list's default rule `*` alone.
///
/// # Errors
/// The `publicsuffix` crate's error for a malformed rule.
pub fn parse_tld(rules: &[&str]) -> Result<List, publicsuffix::Error> {
    if rules.is_empty() {
        return Ok(List::new());
    }
    let mut text =
        String::with_capacity(SECTION.len() + rules.iter().map(|r| r.len() + 1).sum::<usize>() + 1);
    text.push_str(SECTION);
    for rule in rules {
        text.push('\n');
        text.push_str(rule);
    }
    text.parse()
}

fn groups() -> &'static HashMap<String, Vec<&'static str>> {
    static GROUPS: OnceLock<HashMap<String, Vec<&'static str>>> = OnceLock::new();
    GROUPS.get_or_init(|| rules_by_tld(TEXT))
}

thread_local! {
    /// The top-level domains looked up so far, parsed. Only domains the list names are kept, so
    /// the map never outgrows the list, whatever names requests bring.
    static PARSED: RefCell<HashMap<&'static str, Option<Rc<List>>>> = RefCell::new(HashMap::new());
}

/// Runs `f` on the lookup tree for the top-level domain `tld`; `None` when that domain's rules
/// do not parse (a unit test rules it out), so callers fail closed.
fn with_tld<R>(tld: &str, f: impl FnOnce(&List) -> R) -> Option<R> {
    let Some((key, rules)) = groups().get_key_value(tld) else {
        return Some(f(&List::new()));
    };
    let list = PARSED.with_borrow_mut(|parsed| {
        parsed
            .entry(key.as_str())
            .or_insert_with(|| parse_tld(rules).ok().map(Rc::new))
            .clone()
    })?;
    Some(f(&list))
}

/// The registrable domain of a normalised (lower-case, punycoded, no trailing dot) name: its
/// public suffix plus one label, per the list's rules including wildcards and exceptions
/// (`a.b.shop.co.uk` → `shop.co.uk`). A name under a top-level domain the list does not know
/// takes the list's default rule `*` (`a.shop.test` → `shop.test`). `None` when the name is
/// itself a public suffix (`co.uk`, `github.io`, `anything.ck`), and when the list could not be
/// read (so that no cookie domain or redirect domain passes unchecked).
pub fn registrable_domain(name: &str) -> Option<&str> {
    let tld = name.rsplit('.').next()?;
    let len = with_tld(tld, |list| {
        list.domain(name.as_bytes()).map(|d| d.as_bytes().len())
    })??;
    name.get(name.len().checked_sub(len)?..)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rules of the embedded list, as written (after the section marker, no comments).
    fn rules() -> impl Iterator<Item = &'static str> {
        TEXT.lines()
            .skip_while(|line| !line.contains("BEGIN ICANN DOMAINS"))
            .map(str::trim)
            .filter(|line| !line.is_empty() && !line.starts_with("//"))
    }

    /// Names that exercise one rule: the rule's own name (a wildcard label filled in, an
    /// exception's `!` dropped), one and two labels under it, and the punycode form of each.
    fn names_for(rule: &str) -> Vec<String> {
        let base = rule.trim_start_matches('!').replace('*', "wild");
        let mut names = vec![
            base.clone(),
            format!("shop.{base}"),
            format!("a.shop.{base}"),
        ];
        if let Some(parent) = base.strip_prefix("wild.") {
            names.push(parent.to_string());
        }
        let punycoded: Vec<String> = names
            .iter()
            .filter_map(|name| match url::Host::parse(name) {
                Ok(url::Host::Domain(ascii)) if ascii != *name => Some(ascii),
                _ => None,
            })
            .collect();
        names.extend(punycoded);
        names
    }

    #[test]
    fn the_embedded_list_parses_and_holds_every_rule_of_the_psl_crate() {
        let list = parse().expect("the embedded Public Suffix List parses");
        assert!(!list.is_empty());
        assert!(rules().count() > 10_000, "{}", rules().count());
    }

    #[test]
    fn every_top_level_domain_s_rules_parse_and_together_hold_every_rule() {
        let groups = rules_by_tld(TEXT);
        for (tld, rules) in &groups {
            assert!(parse_tld(rules).is_ok(), "{tld}");
        }
        let filed: usize = groups
            .iter()
            .filter(|(tld, _)| tld.is_ascii())
            .map(|(_, rules)| rules.len())
            .sum();
        assert_eq!(
            filed,
            rules().count(),
            "every rule under its ASCII top-level domain once"
        );
        assert_eq!(groups["com"].len(), 1_207);
        assert!(groups["xn--fiqs8s"]
            .iter()
            .all(|rule| rule.ends_with("中国")));
    }

    #[test]
    fn every_rule_of_the_list_gives_the_answer_the_psl_crate_gave() {
        let list = parse().expect("the embedded Public Suffix List parses");
        let mut checked = 0;
        let mut differences = Vec::new();
        for rule in rules() {
            for name in names_for(rule) {
                let ours = registrable_domain(&name);
                let theirs = psl::List
                    .domain(name.as_bytes())
                    .map(|d| std::str::from_utf8(d.as_bytes()).expect("UTF-8"));
                let our_suffix = list.suffix(name.as_bytes()).map(|s| s.as_bytes());
                let their_suffix = psl::List.suffix(name.as_bytes()).map(|s| s.as_bytes());
                if ours != theirs || our_suffix != their_suffix {
                    differences.push(format!("{rule}: {name}: {ours:?} vs {theirs:?}"));
                }
                checked += 1;
            }
        }
        assert!(checked > 30_000, "{checked} names checked");
        assert!(
            differences.is_empty(),
            "{} differences, first: {:?}",
            differences.len(),
            &differences[..differences.len().min(20)]
        );
    }

    #[test]
    fn wildcard_exception_idn_and_private_rules_answer_as_the_list_says() {
        let cases = [
            // `*.ck` makes every name under ck a suffix, `!www.ck` excepts www.ck.
            ("ck", None),
            ("shop.ck", None),
            ("a.shop.ck", Some("a.shop.ck")),
            ("www.ck", Some("www.ck")),
            ("a.www.ck", Some("www.ck")),
            // `公司.cn`, in Unicode and as the punycode a normalised host carries.
            ("公司.cn", None),
            ("shop.公司.cn", Some("shop.公司.cn")),
            ("xn--55qx5d.cn", None),
            ("a.shop.xn--55qx5d.cn", Some("shop.xn--55qx5d.cn")),
            // Private suffixes are suffixes too.
            ("github.io", None),
            ("user.github.io", Some("user.github.io")),
            ("pages.dev", None),
            ("t.shop.co.uk", Some("shop.co.uk")),
            // A TLD the list does not know: the default rule `*`.
            ("test", None),
            ("a.shop.test", Some("shop.test")),
        ];
        for (name, expected) in cases {
            assert_eq!(registrable_domain(name), expected, "{name}");
        }
    }
}
