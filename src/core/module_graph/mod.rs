//! A test that keeps `src/core` free of import cycles, so it cannot drift back into them.
//!
//! The rule: among the child modules of any one module (the siblings `core::webhook_in` and
//! `core::matching`, or `tracklution::names` and `tracklution::values`), the "uses" relation has
//! no cycle. Module A uses sibling B when code anywhere in A's subtree names anything in B's
//! subtree, by `use` or by an inline `crate::`/`super::`/`self::` path. A name is followed
//! through the `use` imports of the module it is taken from, so `super::Invalid` in
//! `tracklution::values` counts as using `core::error`, and a parent's `pub use` re-export
//! counts as the module it re-exports from.
//!
//! Allowed by definition: a module using its own descendants (that is what declaring them is
//! for), and a child using its ancestors' own items (a parent's constants or helpers). Test code
//! (`#[cfg(test)]` items and the modules declared under it) is left out: tests may reach across.
//! Not followed: glob imports (`use super::*`) name no module beyond the one they glob.

mod scan;

use scan::scan;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

type ModPath = Vec<String>;

/// One non-test module: its path from `core`, its file, and what it names.
struct Module {
    path: ModPath,
    file: PathBuf,
    uses: Vec<(ModPath, Option<String>)>,
    inline: Vec<ModPath>,
}

/// An edge between siblings, with the reference that makes it.
#[derive(Debug, Clone)]
struct Evidence {
    file: PathBuf,
    named: String,
}

/// Every `.rs` file under `root` (the `core` directory), as module paths.
fn load(root: &Path) -> Vec<Module> {
    let mut files = Vec::new();
    collect_files(root, &mut files);
    let mut modules = Vec::new();
    let mut test_modules: Vec<ModPath> = Vec::new();
    for file in files {
        let Ok(src) = std::fs::read_to_string(&file) else {
            continue;
        };
        let path = module_path(root, &file);
        let scanned = scan(&src);
        for child in &scanned.test_children {
            test_modules.push(path.iter().cloned().chain([child.clone()]).collect());
        }
        modules.push(Module {
            path,
            file,
            uses: scanned.uses,
            inline: scanned.inline,
        });
    }
    modules.retain(|m| !test_modules.iter().any(|t| m.path.starts_with(t)));
    modules
}

fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `core/x/y.rs` and `core/x/y/mod.rs` are both `core::x::y`.
fn module_path(root: &Path, file: &Path) -> ModPath {
    let relative = file.strip_prefix(root).unwrap_or(file);
    let mut path = vec!["core".to_string()];
    for part in relative.iter() {
        let part = part.to_string_lossy();
        let stem = part.trim_end_matches(".rs");
        if stem != "mod" {
            path.push(stem.to_string());
        }
    }
    path
}

/// A path as written in `module`, made absolute from `core`; `None` for external crates.
/// `child` tells whether a bare first segment is one of the module's own children
/// (`use names::Param`), which Rust resolves like `self::names::Param`.
fn absolute(
    module: &ModPath,
    written: &[String],
    child: &dyn Fn(&ModPath) -> bool,
) -> Option<ModPath> {
    match written.first().map(String::as_str) {
        Some("crate") => {
            (written.get(1).map(String::as_str) == Some("core")).then(|| written[1..].to_vec())
        }
        Some("self") => Some(module.iter().chain(&written[1..]).cloned().collect()),
        Some("super") => {
            let ups = written.iter().take_while(|s| *s == "super").count();
            let base = module.len().checked_sub(ups)?;
            Some(
                module[..base]
                    .iter()
                    .chain(&written[ups..])
                    .cloned()
                    .collect(),
            )
        }
        Some(_) => {
            let path: ModPath = module.iter().chain(written).cloned().collect();
            child(&path[..=module.len()].to_vec()).then_some(path)
        }
        None => None,
    }
}

struct Resolver<'a> {
    known: BTreeSet<&'a ModPath>,
    /// (module, bound name) → the absolute path it imports.
    imports: BTreeMap<(&'a ModPath, String), ModPath>,
}

impl<'a> Resolver<'a> {
    fn new(modules: &'a [Module]) -> Self {
        let known: BTreeSet<&ModPath> = modules.iter().map(|m| &m.path).collect();
        let is_known = |p: &ModPath| known.contains(p);
        let mut imports = BTreeMap::new();
        for m in modules {
            for (written, bound) in &m.uses {
                if let (Some(name), Some(path)) = (bound, absolute(&m.path, written, &is_known)) {
                    imports.insert((&m.path, name.clone()), path);
                }
            }
        }
        Self { known, imports }
    }

    fn absolute(&self, module: &ModPath, written: &[String]) -> Option<ModPath> {
        absolute(module, written, &|p| self.known.contains(p))
    }

    /// The module an absolute path names: its longest known prefix, followed through that
    /// module's imports when the next segment is an imported name.
    fn module_of(&self, path: &[String], depth: usize) -> Option<ModPath> {
        let len = (1..=path.len())
            .rev()
            .find(|&n| self.known.contains(&path[..n].to_vec()))?;
        let module = path[..len].to_vec();
        let Some(next) = path.get(len).filter(|_| depth < 16) else {
            return Some(module);
        };
        match self.imports.get(&(&module, next.clone())) {
            Some(target) => {
                let mut through: ModPath = target.clone();
                through.extend_from_slice(&path[len + 1..]);
                self.module_of(&through, depth + 1).or(Some(module))
            }
            None => Some(module),
        }
    }
}

/// For each parent module, the edges between its children: (from, to) → evidence.
type SiblingEdges = BTreeMap<ModPath, BTreeMap<(String, String), Evidence>>;

fn sibling_edges(modules: &[Module]) -> SiblingEdges {
    let resolver = Resolver::new(modules);
    let mut edges: SiblingEdges = BTreeMap::new();
    for m in modules {
        let written = m.uses.iter().map(|(p, _)| p).chain(&m.inline);
        for path in written {
            let Some(target) =
                (resolver.absolute(&m.path, path)).and_then(|a| resolver.module_of(&a, 0))
            else {
                continue;
            };
            let common = m
                .path
                .iter()
                .zip(&target)
                .take_while(|(a, b)| a == b)
                .count();
            if common == m.path.len() || common == target.len() {
                continue;
            }
            let parent = m.path[..common].to_vec();
            let key = (m.path[common].clone(), target[common].clone());
            let evidence = Evidence {
                file: m.file.clone(),
                named: path.join("::"),
            };
            edges
                .entry(parent)
                .or_default()
                .entry(key)
                .or_insert(evidence);
        }
    }
    edges
}

/// Every cycle among siblings, as readable lines: the parent, the modules in order, and the
/// reference behind each step.
fn cycles(edges: &SiblingEdges) -> Vec<String> {
    let mut found = Vec::new();
    for (parent, graph) in edges {
        let nodes: BTreeSet<&String> = graph.keys().flat_map(|(a, b)| [a, b]).collect();
        let mut reported: BTreeSet<BTreeSet<String>> = BTreeSet::new();
        for start in nodes {
            let Some(cycle) = cycle_through(graph, start) else {
                continue;
            };
            if !reported.insert(cycle.iter().cloned().collect()) {
                continue;
            }
            let steps: Vec<String> = cycle
                .iter()
                .zip(cycle.iter().skip(1).chain(cycle.first()))
                .map(|(a, b)| {
                    let e = &graph[&(a.clone(), b.clone())];
                    format!("{a} -> {b} ({} names {})", e.file.display(), e.named)
                })
                .collect();
            found.push(format!("in {}: {}", parent.join("::"), steps.join("; ")));
        }
    }
    found
}

/// A shortest cycle from `start` back to itself, breadth first.
fn cycle_through(
    graph: &BTreeMap<(String, String), Evidence>,
    start: &String,
) -> Option<Vec<String>> {
    let mut came_from: BTreeMap<&String, &String> = BTreeMap::new();
    let mut frontier = vec![start];
    while !frontier.is_empty() {
        let mut next = Vec::new();
        for node in frontier {
            for (from, to) in graph.keys().filter(|(from, _)| from == node) {
                if to == start {
                    let mut cycle = vec![from.clone()];
                    let mut at = from;
                    while let Some(prev) = came_from.get(at) {
                        cycle.push((*prev).clone());
                        at = prev;
                    }
                    cycle.reverse();
                    return Some(cycle);
                }
                if !came_from.contains_key(to) {
                    came_from.insert(to, from);
                    next.push(to);
                }
            }
        }
        frontier = next;
    }
    None
}

/// The cycles of the module tree under `root`.
fn cycles_under(root: &Path) -> Vec<String> {
    cycles(&sibling_edges(&load(root)))
}

#[cfg(test)]
mod tests;
