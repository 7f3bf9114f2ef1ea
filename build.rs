//! Build-time assets: the OpenAPI document minified (`assets/openapi.json` stays pretty for
//! people and diffs, while the worker serves and the wasm carries the same JSON without the
//! whitespace), and `t.js` minified with esbuild (`assets/t.js` stays readable; the worker serves
//! the minified script, which must stay within 2,048 bytes gzip).

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR"));
    openapi(&out);
    tracking_script(&out);
}

fn openapi(out: &Path) {
    let source = "assets/openapi.json";
    println!("cargo:rerun-if-changed={source}");
    let text = std::fs::read_to_string(source).expect("reading assets/openapi.json");
    let value: serde_json::Value =
        serde_json::from_str(&text).expect("assets/openapi.json is valid JSON");
    std::fs::write(
        out.join("openapi.json"),
        serde_json::to_string(&value).expect("serialising"),
    )
    .expect("writing");
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
