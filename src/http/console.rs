//! `/admin`: the console marketers use. Plain HTML/CSS/JS from `assets/console/`, embedded in the
//! worker. The CSP allows only our own scripts and styles: no inline script, no third party.

use super::router::RouteContext;
use crate::error::{Error, Result};
use worker::{Headers, Request, Response};

const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const INDEX: &str = include_str!("../../assets/console/index.html");

/// `(file name, content type, content)` of every console asset.
const ASSETS: &[(&str, &str, &str)] = &[
    (
        "console.js",
        "text/javascript",
        include_str!("../../assets/console/console.js"),
    ),
    (
        "api.js",
        "text/javascript",
        include_str!("../../assets/console/api.js"),
    ),
    (
        "dom.js",
        "text/javascript",
        include_str!("../../assets/console/dom.js"),
    ),
    (
        "containers.js",
        "text/javascript",
        include_str!("../../assets/console/containers.js"),
    ),
    (
        "container.js",
        "text/javascript",
        include_str!("../../assets/console/container.js"),
    ),
    (
        "connector.js",
        "text/javascript",
        include_str!("../../assets/console/connector.js"),
    ),
    (
        "tables.js",
        "text/javascript",
        include_str!("../../assets/console/tables.js"),
    ),
    (
        "log.js",
        "text/javascript",
        include_str!("../../assets/console/log.js"),
    ),
    (
        "privacy.js",
        "text/javascript",
        include_str!("../../assets/console/privacy.js"),
    ),
    (
        "conversions.js",
        "text/javascript",
        include_str!("../../assets/console/conversions.js"),
    ),
    (
        "explain.js",
        "text/javascript",
        include_str!("../../assets/console/explain.js"),
    ),
    (
        "templates.js",
        "text/javascript",
        include_str!("../../assets/console/templates.js"),
    ),
    (
        "log_tools.js",
        "text/javascript",
        include_str!("../../assets/console/log_tools.js"),
    ),
    (
        "webhook_docs.js",
        "text/javascript",
        include_str!("../../assets/console/webhook_docs.js"),
    ),
    (
        "reconciliation.js",
        "text/javascript",
        include_str!("../../assets/console/reconciliation.js"),
    ),
    (
        "destination.js",
        "text/javascript",
        include_str!("../../assets/console/destination.js"),
    ),
    (
        "console.css",
        "text/css",
        include_str!("../../assets/console/console.css"),
    ),
];

fn answer(content_type: &str, body: &str, cache: &str) -> Result<Response> {
    let headers = Headers::new();
    headers.set("content-type", &format!("{content_type}; charset=utf-8"))?;
    headers.set("content-security-policy", CSP)?;
    headers.set("x-content-type-options", "nosniff")?;
    headers.set("referrer-policy", "no-referrer")?;
    headers.set("x-frame-options", "DENY")?;
    headers.set("cache-control", cache)?;
    Ok(Response::ok(body)?.with_headers(headers))
}

pub async fn handle_console(_: Request, _: RouteContext) -> Result<Response> {
    answer("text/html", INDEX, "no-cache")
}

pub async fn handle_console_asset(_: Request, ctx: RouteContext) -> Result<Response> {
    let file = ctx.param("file");
    let (_, content_type, body) = ASSETS
        .iter()
        .find(|(name, _, _)| *name == file)
        .ok_or_else(|| Error::not_found("console asset"))?;
    answer(content_type, body, "no-cache")
}

#[cfg(test)]
mod tests {
    use super::ASSETS;

    #[test]
    fn every_module_the_console_imports_is_served() {
        for (_, _, body) in ASSETS {
            for line in body.lines().filter(|l| l.starts_with("import ")) {
                let path = line.split('\'').nth(1).unwrap_or_default();
                let file = path.strip_prefix("/admin/assets/").unwrap_or(path);
                assert!(
                    ASSETS.iter().any(|(name, _, _)| *name == file),
                    "{path} is imported but not served"
                );
            }
        }
    }
}
