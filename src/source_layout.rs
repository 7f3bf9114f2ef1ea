//! A test that keeps every source file small and self-describing (issue 10, point 8): at most
//! 400 lines, and a first `//!` doc comment that says what the module owns. Functions are held
//! to 80 lines by clippy (`clippy.toml`).

use std::path::{Path, PathBuf};

/// Longest a source file may be, in lines, tests included.
const MAX_FILE_LINES: usize = 400;

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src is readable") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn every_source_file_is_at_most_400_lines_and_opens_with_what_it_owns() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    assert!(files.len() > 100, "the walk found the crate's files");
    let mut faults = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("a source file is UTF-8");
        let name = file.strip_prefix(&root).unwrap_or(file).display();
        let lines = text.lines().count();
        if lines > MAX_FILE_LINES {
            faults.push(format!("{name}: {lines} lines"));
        }
        if !text.starts_with("//!") {
            faults.push(format!("{name}: no module doc comment on its first line"));
        }
    }
    assert!(faults.is_empty(), "{}", faults.join("\n"));
}
