//! Tests of the module graph: `src/core` itself, and throwaway trees that show what counts as a
//! cycle and what does not.

use super::scan::expand_use_tree;
use super::*;

#[test]
fn src_core_has_no_import_cycle_between_sibling_modules() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/core");
    let modules = load(&root);
    assert!(modules.len() > 50, "the scan found the modules of src/core");
    let found = cycles(&sibling_edges(&modules));
    assert!(
        found.is_empty(),
        "import cycles in src/core:\n{}",
        found.join("\n")
    );
}

/// A throwaway module tree on disk, removed when dropped.
struct Tree(PathBuf);

impl Tree {
    fn new(name: &str, files: &[(&str, &str)]) -> Self {
        let root = std::env::temp_dir().join(format!(
            "postclick-module-graph-{}-{name}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&root);
        for (path, text) in files {
            let file = root.join(path);
            std::fs::create_dir_all(file.parent().unwrap()).unwrap();
            std::fs::write(file, text).unwrap();
        }
        Self(root)
    }

    fn cycles(&self) -> Vec<String> {
        cycles_under(&self.0)
    }
}

impl Drop for Tree {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn two_siblings_that_use_each_other_are_a_cycle() {
    let tree = Tree::new(
        "pair",
        &[
            ("mod.rs", "pub mod a;\npub mod b;\n"),
            ("a.rs", "use super::b::X;\npub struct Y;\n"),
            (
                "b.rs",
                "pub struct X;\nfn f() -> crate::core::a::Y { crate::core::a::Y }\n",
            ),
        ],
    );
    let found = tree.cycles();
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].starts_with("in core: a -> b"), "{}", found[0]);
    assert!(found[0].contains("b -> a"), "{}", found[0]);
}

#[test]
fn a_re_export_counts_as_the_module_it_comes_from() {
    let tree = Tree::new(
        "reexport",
        &[
            ("mod.rs", "pub mod p;\npub mod q;\n"),
            ("p/mod.rs", "mod inner;\npub use inner::Z;\n"),
            ("p/inner.rs", "use crate::core::q::W;\npub struct Z;\n"),
            ("q.rs", "use crate::core::p::Z;\npub struct W;\n"),
        ],
    );
    assert_eq!(tree.cycles().len(), 1);
}

#[test]
fn a_name_is_followed_through_the_imports_of_the_module_it_is_taken_from() {
    let tree = Tree::new(
        "through",
        &[
            ("mod.rs", "pub mod p;\n"),
            ("p/mod.rs", "mod c1;\nmod c2;\nuse c1::X;\n"),
            ("p/c1.rs", "pub struct X;\nuse super::c2::Y;\n"),
            ("p/c2.rs", "pub struct Y;\nfn f(_: super::X) {}\n"),
        ],
    );
    assert_eq!(tree.cycles().len(), 1);
}

#[test]
fn parents_and_children_and_deeper_siblings_are_no_cycle() {
    let tree = Tree::new(
        "allowed",
        &[
            ("mod.rs", "pub mod a;\npub mod b;\n"),
            (
                "a/mod.rs",
                "mod x;\nmod y;\npub use x::X;\nconst LIMIT: usize = 1;\n",
            ),
            (
                "a/x.rs",
                "use super::LIMIT;\nuse super::y::Y;\npub struct X;\n",
            ),
            ("a/y.rs", "pub struct Y;\nuse crate::core::b::B;\n"),
            ("b.rs", "pub struct B;\n"),
        ],
    );
    assert_eq!(tree.cycles(), Vec::<String>::new());
}

#[test]
fn test_code_comments_and_strings_are_not_uses() {
    let tree = Tree::new(
        "ignored",
        &[
            ("mod.rs", "pub mod a;\npub mod b;\n"),
            (
                "a.rs",
                "//! See [`crate::core::b::B`].\nuse crate::core::b::B;\n\
                 #[cfg(test)]\nmod tests;\n",
            ),
            ("a/tests.rs", "use crate::core::b::B;\n"),
            (
                "b.rs",
                "/// Not [`crate::core::a`].\npub struct B;\n\
                 const S: &str = \"crate::core::a::A\";\n\
                 #[cfg(test)]\nmod tests {\n    use crate::core::a;\n}\n",
            ),
        ],
    );
    assert_eq!(tree.cycles(), Vec::<String>::new());
}

#[test]
fn use_trees_expand_groups_aliases_self_and_globs() {
    let expanded = expand_use_tree("crate::core::{a::{self, B as C}, d::*, e::F}");
    let shown: Vec<(String, Option<String>)> = expanded
        .into_iter()
        .map(|(path, name)| (path.join("::"), name))
        .collect();
    assert_eq!(
        shown,
        [
            ("crate::core::a".to_string(), Some("a".to_string())),
            ("crate::core::a::B".to_string(), Some("C".to_string())),
            ("crate::core::d".to_string(), None),
            ("crate::core::e::F".to_string(), Some("F".to_string())),
        ]
    );
}
