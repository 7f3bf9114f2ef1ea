//! No false refusals: the partner snippet corpus (`tests/corpus/partners/`, written from the
//! published install instructions of the ad platforms and networks marketers use) is accepted
//! whole, renders the event's values where a marketer put them, and keeps its shape for any
//! value.

use super::hostile::assert_short_hostile_values_change_nothing;
use super::*;
use std::path::Path;

fn corpus() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/partners");
    let mut snippets: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| {
            let path = entry.expect("a readable entry").path();
            let html = std::fs::read_to_string(&path).expect("a readable snippet");
            (
                path.file_name()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into(),
                html,
            )
        })
        .collect();
    snippets.sort();
    snippets
}

fn values(name: &str) -> Option<String> {
    Some(
        match name {
            "VALUE" => "49.9",
            "CURRENCY" => "EUR",
            "ORDER_ID" => "ORD-1001",
            "EVENT_ID" => "evt-1001",
            "EVENT_NAME" => "Purchase",
            "EMAIL_SHA256" => "a2d7e5c1",
            _ => return None,
        }
        .to_string(),
    )
}

#[test]
fn every_partner_snippet_of_the_corpus_is_accepted_and_renders_its_values() {
    let snippets = corpus();
    assert!(snippets.len() >= 25, "{} snippets", snippets.len());
    for (file, html) in &snippets {
        let template = PixelTemplate::parse(html).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert!(template.placeholders().count() >= 2, "{file}");
        for placement in [Placement::MainWindow, Placement::Sandbox] {
            let rendered = template.render(values, placement);
            for expected in ["49.9", "ORD-1001"] {
                assert!(rendered.html.contains(expected), "{file}: no {expected}");
            }
            assert!(!rendered.html.contains("{{"), "{file}");
            assert!(rendered.dropped.is_empty(), "{file}");
        }
    }
}

#[test]
fn partner_snippets_keep_their_shape_for_every_hostile_value() {
    for (file, html) in corpus() {
        let scripts =
            std::panic::catch_unwind(|| assert_short_hostile_values_change_nothing(&html))
                .unwrap_or_else(|_| panic!("{file} changed its shape"));
        assert!(scripts <= 4, "{file}");
    }
}
