//! The engine's modules import each other in one direction only: from `position`, the leaf, up
//! to `pixel`. Read from the sources, so a new `use` that closes a cycle fails here.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The engine's top-level modules (the tests aside).
const MODULES: [&str; 10] = [
    "css",
    "entities",
    "escape",
    "html",
    "pixel",
    "placeholder",
    "position",
    "refusal",
    "script",
    "url",
];

/// The engine modules that the sources of `module` (a file or a folder) import.
fn imports(dir: &Path, module: &str) -> BTreeSet<String> {
    let mut files = Vec::new();
    let folder = dir.join(module);
    if folder.is_dir() {
        let mut stack = vec![folder];
        while let Some(d) = stack.pop() {
            for entry in std::fs::read_dir(&d).expect("a readable folder").flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                } else {
                    files.push(path);
                }
            }
        }
    } else {
        files.push(dir.join(format!("{module}.rs")));
    }
    let mut found = BTreeSet::new();
    for file in files {
        let source = std::fs::read_to_string(&file).expect("a readable source");
        for line in source
            .lines()
            .filter(|l| l.trim_start().starts_with("use "))
        {
            for other in MODULES {
                let named = [
                    format!("super::{other}::"),
                    format!("super::{other};"),
                    format!("template::{other}::"),
                ];
                if other != module && named.iter().any(|n| line.contains(n.as_str())) {
                    found.insert(other.to_string());
                }
            }
        }
    }
    found
}

#[test]
fn the_template_modules_import_each_other_without_a_cycle() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/core/template");
    let graph: BTreeMap<&str, BTreeSet<String>> =
        MODULES.iter().map(|&m| (m, imports(&dir, m))).collect();
    assert!(graph["position"].is_empty(), "position is the leaf");
    // Kahn's algorithm: every module must come out once its imports have.
    let mut done: BTreeSet<String> = BTreeSet::new();
    while done.len() < MODULES.len() {
        let ready: Vec<&str> = MODULES
            .iter()
            .copied()
            .filter(|m| !done.contains(*m) && graph[m].iter().all(|i| done.contains(i)))
            .collect();
        assert!(!ready.is_empty(), "an import cycle among {:?}", {
            let left: Vec<_> = graph.iter().filter(|(m, _)| !done.contains(**m)).collect();
            left
        });
        done.extend(ready.into_iter().map(str::to_string));
    }
}
