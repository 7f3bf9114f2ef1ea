//! Embeds the OpenAPI document minified: `assets/openapi.json` stays pretty for people and
//! diffs, while the worker serves (and the wasm carries) the same JSON without the whitespace.

fn main() {
    let source = "assets/openapi.json";
    println!("cargo:rerun-if-changed={source}");
    let text = std::fs::read_to_string(source).expect("reading assets/openapi.json");
    let value: serde_json::Value =
        serde_json::from_str(&text).expect("assets/openapi.json is valid JSON");
    let out =
        std::path::Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("openapi.json");
    std::fs::write(out, serde_json::to_string(&value).expect("serialising")).expect("writing");
}
