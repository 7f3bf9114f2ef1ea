//! `GET /admin/api/openapi.json`: the checked-in OpenAPI 3 document, generated from the request
//! and response types (see `http::contract`). It is public, like any API reference; it holds no
//! data. Workers Static Assets serve it (see `http::console`), so the wasm does not carry it. The
//! tests here hold it and the route table to each other.

#[cfg(test)]
mod tests {
    /// `assets/openapi.json`, which `scripts/build.sh` minifies into the static assets.
    const OPENAPI_JSON: &str = include_str!("../../../assets/openapi.json");
    use crate::http::router::Access;
    use crate::http::routes::ROUTES;
    use serde_json::Value;

    const METHODS: &[&str] = &["get", "head", "options", "post", "put", "patch", "delete"];

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

    fn document() -> Value {
        let doc: Value = serde_json::from_str(OPENAPI_JSON).expect("valid JSON");
        assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")));
        doc
    }

    /// Whether a security requirement list names the admin token scheme.
    fn names_admin_token(requirements: &Value) -> bool {
        requirements.as_array().is_some_and(|list| {
            list.iter()
                .any(|requirement| requirement.get("adminToken").is_some())
        })
    }

    #[test]
    fn every_route_the_router_knows_is_in_the_openapi_document() {
        let doc = document();
        let mut missing = Vec::new();
        for route in ROUTES {
            let path = openapi_path(route.path);
            let method = route.method.as_ref().to_ascii_lowercase();
            if doc["paths"][&path][&method].is_null() {
                missing.push(format!("{} {path}", route.method));
            }
        }
        assert!(missing.is_empty(), "undocumented routes: {missing:?}");
    }

    /// Whether the route `route` (matchit syntax) answers the documented `path`: segment by
    /// segment, a route parameter takes any documented segment (a concrete one such as the
    /// custom webhook's `custom` topic, documented as an operation of its own, too), and a
    /// documented parameter needs a route parameter.
    fn routes(route: &str, path: &str) -> bool {
        let (route, path): (Vec<&str>, Vec<&str>) =
            (route.split('/').collect(), path.split('/').collect());
        route.len() == path.len()
            && route
                .iter()
                .zip(&path)
                .all(|(r, p)| match r.starts_with(':') {
                    true => true,
                    false => !p.starts_with('{') && r == p,
                })
    }

    #[test]
    fn the_openapi_document_names_no_route_the_router_lacks() {
        let doc = document();
        for (path, item) in doc["paths"].as_object().expect("paths") {
            for method in item.as_object().expect("path item").keys() {
                if METHODS.contains(&method.as_str()) {
                    let routed = ROUTES.iter().any(|r| {
                        r.method.as_ref().eq_ignore_ascii_case(method) && routes(r.path, path)
                    });
                    assert!(routed, "documented but not routed: {method} {path}");
                }
            }
        }
    }

    /// An operation requires the admin token when its own `security` names it, or when it has
    /// none and the document's default does.
    #[test]
    fn an_operation_requires_the_admin_token_exactly_when_its_route_is_admin() {
        let doc = document();
        let default_is_admin = names_admin_token(&doc["security"]);
        for route in ROUTES {
            let method = route.method.as_ref().to_ascii_lowercase();
            let operation = &doc["paths"][openapi_path(route.path)][&method];
            let documented_admin = match operation.get("security") {
                Some(security) => names_admin_token(security),
                None => default_is_admin,
            };
            assert_eq!(
                documented_admin,
                route.access == Access::Admin,
                "{} {}: the table says {:?}",
                route.method,
                route.path,
                route.access
            );
        }
    }
}
