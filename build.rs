//! Build-time assets: `t.js` minified with esbuild (`assets/t.js` stays readable; the worker
//! serves the minified script, which must stay within 2,048 bytes gzip). The console and the
//! OpenAPI document are Workers Static Assets, built by `scripts/build.sh`, not embedded.

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR"));
    tracking_script(&out);
}

/// `esbuild --minify`: `ESBUILD_BIN` (set by `scripts/bootstrap.sh`), else the copy npm
/// installed in `node_modules`. Without esbuild the build fails, saying how to get it.
fn tracking_script(out: &Path) {
    let source = "assets/t.js";
    println!("cargo:rerun-if-changed={source}");
    println!("cargo:rerun-if-env-changed=ESBUILD_BIN");
    let esbuild =
        std::env::var("ESBUILD_BIN").unwrap_or_else(|_| "node_modules/.bin/esbuild".to_string());
    let target = out.join("t.min.js");
    let status = Command::new(&esbuild)
        .args([source, "--minify", "--log-level=warning"])
        .arg(format!("--outfile={}", target.display()))
        .status()
        .unwrap_or_else(|e| {
            panic!("running {esbuild} to minify t.js ({e}): run `eval \"$(scripts/bootstrap.sh)\"` first")
        });
    assert!(status.success(), "{esbuild} could not minify {source}");
}
