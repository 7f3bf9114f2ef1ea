//! `GET /admin/api/openapi.json`: the checked-in OpenAPI 3 document, generated from the request
//! and response types (see `http::contract`). It is public, like any API reference; it holds no
//! data.

use crate::http::error::ApiResult;
use worker::{Headers, Request, Response, RouteContext};

/// `assets/openapi.json`, minified by `build.rs`.
pub const OPENAPI_JSON: &str = include_str!(concat!(env!("OUT_DIR"), "/openapi.json"));

pub async fn handle_openapi(_: Request, _: RouteContext<()>) -> ApiResult<Response> {
    let headers = Headers::new();
    headers.set("content-type", "application/json")?;
    headers.set("cache-control", "public, max-age=300")?;
    Ok(Response::ok(OPENAPI_JSON)?.with_headers(headers))
}

#[cfg(test)]
mod tests {
    use super::OPENAPI_JSON;
    use crate::http::ROUTES;

    /// `/admin/api/containers/:id` in the router is `/admin/api/containers/{id}` in OpenAPI.
    fn openapi_path(route: &str) -> String {
        route
            .split('/')
            .map(|seg| match seg.strip_prefix(':') {
                Some(name) => format!("{{{name}}}"),
                None => seg.to_string(),
            })
            .collect::<Vec<_>>()
            .join("/")
    }

    #[test]
    fn every_route_the_router_knows_is_in_the_openapi_document() {
        let doc: serde_json::Value = serde_json::from_str(OPENAPI_JSON).expect("valid JSON");
        assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")));
        let mut missing = Vec::new();
        for (method, route) in ROUTES {
            let path = openapi_path(route);
            if doc["paths"][&path][method.to_ascii_lowercase()].is_null() {
                missing.push(format!("{method} {path}"));
            }
        }
        assert!(missing.is_empty(), "undocumented routes: {missing:?}");
    }

    #[test]
    fn the_openapi_document_names_no_route_the_router_lacks() {
        let doc: serde_json::Value = serde_json::from_str(OPENAPI_JSON).expect("valid JSON");
        let known: Vec<String> = ROUTES
            .iter()
            .map(|(m, r)| format!("{} {}", m.to_ascii_lowercase(), openapi_path(r)))
            .collect();
        for (path, item) in doc["paths"].as_object().expect("paths") {
            for method in item.as_object().expect("path item").keys() {
                if ["get", "post", "patch", "delete", "put"].contains(&method.as_str()) {
                    let key = format!("{method} {path}");
                    assert!(known.contains(&key), "documented but not routed: {key}");
                }
            }
        }
    }
}
