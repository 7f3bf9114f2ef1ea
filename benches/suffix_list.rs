//! The Public Suffix List read as data: the one-off parse each isolate pays on first use, and
//! the lookup of a host's registrable domain, beside the same lookup in the list compiled into
//! code by the `psl` crate (what the worker used before).

use criterion::{criterion_group, criterion_main, Criterion};
use postclick::core::clicks::suffix_list;
use psl::Psl;
use std::hint::black_box;

/// Hosts a click or cookie check meets: a plain site, a two-label suffix, a private suffix, a
/// wildcard rule, a punycoded IDN suffix and a TLD the list does not know.
const HOSTS: [&str; 6] = [
    "t.shop.com",
    "a.b.shop.co.uk",
    "user.github.io",
    "a.shop.ck",
    "t.shop.xn--55qx5d.cn",
    "t.shop.test",
];

fn bench_suffix_list(c: &mut Criterion) {
    let mut group = c.benchmark_group("public suffix list");
    group.sample_size(20);
    group.bench_function("parse the embedded list (once per isolate)", |b| {
        b.iter(|| black_box(suffix_list::parse().map(|list| list.is_empty())))
    });
    group.bench_function(
        "group the rules by top-level domain (once per isolate)",
        |b| b.iter(|| black_box(suffix_list::rules_by_tld(suffix_list::TEXT).len())),
    );
    let groups = suffix_list::rules_by_tld(suffix_list::TEXT);
    for tld in ["com", "jp", "uk"] {
        group.bench_function(
            format!("parse the rules under {tld} (on its first lookup)"),
            |b| {
                b.iter(|| {
                    black_box(suffix_list::parse_tld(&groups[tld]).map(|list| list.is_empty()))
                })
            },
        );
    }
    group.bench_function("registrable domain of 6 hosts, list as data", |b| {
        b.iter(|| {
            for host in HOSTS {
                black_box(suffix_list::registrable_domain(black_box(host)));
            }
        })
    });
    group.bench_function(
        "registrable domain of 6 hosts, psl crate's compiled list",
        |b| {
            b.iter(|| {
                for host in HOSTS {
                    black_box(psl::List.domain(black_box(host).as_bytes()));
                }
            })
        },
    );
    group.finish();
}

criterion_group!(benches, bench_suffix_list);
criterion_main!(benches);
