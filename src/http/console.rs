//! `/admin` (the console marketers use), `/admin/assets/{file}` (its modules and styles) and
//! `/admin/api/openapi.json` (the API reference). Workers Static Assets serve all three before
//! the worker runs (`[assets]` in `wrangler.toml`): `scripts/build.sh` copies `assets/console/`
//! and the minified OpenAPI document into `build/assets/`, and `assets/_headers` gives them the
//! console's CSP and their cache headers. So the wasm carries none of them. The routes stay in
//! the table, so that it and the OpenAPI document keep describing one surface; the worker only
//! sees the names the assets folder lacks.

use super::router::RouteContext;
use crate::error::{Error, Result};
use crate::http::request::Request;
use worker::Response;

/// A console or reference file the static assets do not hold: a JSON 404.
pub async fn handle_static_asset(_: Request, _: RouteContext) -> Result<Response> {
    Err(Error::not_found("console asset"))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    /// The console's folder, which `scripts/build.sh` copies to `/admin/assets/` whole.
    const CONSOLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/console");

    #[test]
    fn every_module_the_console_imports_is_served() {
        for entry in std::fs::read_dir(CONSOLE).expect("assets/console") {
            let path = entry.expect("a directory entry").path();
            let body = std::fs::read_to_string(&path).expect("a text file");
            for line in body.lines().filter(|l| l.starts_with("import ")) {
                let import = line.split('\'').nth(1).unwrap_or_default();
                let file = import.strip_prefix("/admin/assets/").unwrap_or(import);
                assert!(
                    file != "index.html" && Path::new(CONSOLE).join(file).is_file(),
                    "{import} is imported by {} but not served",
                    path.display()
                );
            }
        }
    }
}
