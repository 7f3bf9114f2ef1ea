//! The Public Suffix List as data: the list's text embedded in the worker
//! (`data/public_suffix_list.txt`, whose header gives its provenance, licence and how to refresh
//! it), parsed by the `publicsuffix` crate into a lookup tree once per isolate, on first use.
//! Compiling the list into match code (the `psl` crate) made the release wasm 214 KB (gzip)
//! larger than the text does; the price is the parse, about 25 ms natively
//! (`cargo bench --bench suffix_list`), paid by an isolate's first cookie or site check.

use publicsuffix::{List, Psl};
use std::sync::OnceLock;

/// The list in the Public Suffix List's own format (<https://publicsuffix.org/list/>): one rule a
/// line, `*.` wildcards, `!` exceptions, `//` comments, IDN rules in Unicode.
pub const TEXT: &str = include_str!("../../../data/public_suffix_list.txt");

/// Parse [`TEXT`] into a lookup tree that holds each IDN rule in both its Unicode and its
/// punycode form (hosts reach the lookup punycoded). The worker does this once per isolate;
/// it is public so that the bench can time it.
///
/// # Errors
/// The `publicsuffix` crate's error for a malformed rule (a unit test holds the embedded list to
/// parsing cleanly).
pub fn parse() -> Result<List, publicsuffix::Error> {
    TEXT.parse()
}

/// The parsed list, built on first use and kept for the isolate's life. `None` only if the
/// embedded list does not parse, which a unit test rules out; callers then fail closed.
fn list() -> Option<&'static List> {
    static LIST: OnceLock<Option<List>> = OnceLock::new();
    LIST.get_or_init(|| parse().ok()).as_ref()
}

/// The registrable domain of a normalised (lower-case, punycoded, no trailing dot) name: its
/// public suffix plus one label, per the list's rules including wildcards and exceptions
/// (`a.b.shop.co.uk` → `shop.co.uk`). A name under a top-level domain the list does not know
/// takes the list's default rule `*` (`a.shop.test` → `shop.test`). `None` when the name is
/// itself a public suffix (`co.uk`, `github.io`, `anything.ck`), and when the list could not be
/// read (so that no cookie domain or redirect domain passes unchecked).
pub fn registrable_domain(name: &str) -> Option<&str> {
    let domain = list()?.domain(name.as_bytes())?;
    std::str::from_utf8(domain.as_bytes()).ok()
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
