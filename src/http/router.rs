//! The router. It is built once per isolate from the route table ([`super::routes::ROUTES`]):
//! a request's path finds its routes, an unknown path is a 404 and a known path asked with
//! another method a 405 naming the methods it takes in `Allow`; an [`Access::Admin`] route is
//! authenticated before its handler runs; and a handler's error becomes its answer through
//! [`super::error::error_response`], the one place that decides statuses.

use super::admin::authenticate;
use super::error::error_response;
use super::routes::ROUTES;
use crate::config::Config;
use crate::core::ids::PrefixedId;
use crate::error::{Error, Result};
use crate::http::request::Request;
use crate::metering::{after_answer, after_line, server_timing, Metered};
use crate::platform;
use futures_util::future::LocalBoxFuture;
use std::future::Future;
use std::rc::Rc;
use std::sync::OnceLock;
use worker::{Context, D1Database, Env, Method, Response};

/// A request handler: the request and its route's context in, an answer or an error out.
pub type Handler = fn(Request, RouteContext) -> LocalBoxFuture<'static, Result<Response>>;

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone: the console's files, the API reference, and the inbound webhooks (whose
    /// handlers check the container's API key themselves).
    Public,
    /// Anyone, and also under the same-origin path prefix (`/_pc/t.js`): the browser surface.
    Browser,
    /// Only a caller presenting `Authorization: Bearer {ADMIN_TOKEN}`; checked before the
    /// handler runs, so no admin handler can forget it.
    Admin,
}

/// One entry of the route table.
pub struct Route {
    pub method: Method,
    /// In matchit syntax: `/admin/api/containers/:id`.
    pub path: &'static str,
    pub access: Access,
    pub handler: Handler,
}

/// What a handler gets besides the request: the environment and the path's parameters.
pub struct RouteContext {
    pub env: Env,
    /// The invocation's context, for work after the answer (`wait_until`).
    pub ctx: Rc<Context>,
    /// The worker's settings, read from `env` once per isolate ([`Config::of`]; the router needs
    /// them for the same-origin prefix and the admin token, and handlers reuse them).
    pub config: Rc<Config>,
    params: Vec<(String, String)>,
}

impl RouteContext {
    /// The path parameter `name` as sent (still percent-encoded); empty if the route has none.
    pub fn param(&self, name: &str) -> &str {
        self.params
            .iter()
            .find(|(key, _)| key == name)
            .map_or("", |(_, value)| value.as_str())
    }

    /// The path parameter `name` as an id of kind `T`. One that does not parse cannot name
    /// anything stored, so it is [`Error::NotFound`] ("no such connector") with no storage call.
    pub fn id<T: PrefixedId>(&self, name: &str) -> Result<T> {
        T::parse(self.param(name)).ok_or_else(|| Error::not_found(T::NAME))
    }

    /// The D1 database.
    pub fn db(&self) -> Result<D1Database> {
        platform::d1(&self.env)
    }

    /// Runs `work` after the answer (`wait_until`). With `SERVER_TIMING` on, its D1 round trips
    /// and queue sends, which the answer's header cannot show, are logged once it ends as
    /// `postclick-after: <what> d1=N queue=M` ([`crate::metering::after_line`]).
    pub fn after_answer(&self, what: &'static str, work: impl Future<Output = ()> + 'static) {
        let log = self.config.server_timing;
        self.ctx.wait_until(after_answer(work, move |counts| {
            if log {
                worker::console_log!("{}", after_line(what, counts));
            }
        }));
    }
}

/// The route table indexed by path: built once per isolate, then only read.
struct Table {
    paths: matchit::Router<usize>,
    /// The routes of each distinct path, in table order.
    routes: Vec<Vec<&'static Route>>,
}

/// Where a request's method and path lead.
enum Lookup {
    Found(&'static Route, Vec<(String, String)>),
    /// The path exists but not with this method; the methods it takes.
    MethodNotAllowed(Vec<&'static str>),
    NotFound,
}

impl Table {
    fn build(table: &'static [Route]) -> std::result::Result<Self, String> {
        let mut paths = matchit::Router::new();
        let mut routes: Vec<Vec<&'static Route>> = Vec::new();
        let mut index_of: Vec<&'static str> = Vec::new();
        for route in table {
            let index = match index_of.iter().position(|p| *p == route.path) {
                Some(index) => index,
                None => {
                    paths
                        .insert(route.path, index_of.len())
                        .map_err(|e| format!("{}: {e}", route.path))?;
                    index_of.push(route.path);
                    routes.push(Vec::new());
                    index_of.len() - 1
                }
            };
            if routes[index].iter().any(|r| r.method == route.method) {
                return Err(format!("{} {} is routed twice", route.method, route.path));
            }
            routes[index].push(route);
        }
        Ok(Self { paths, routes })
    }

    /// `method` is `None` for a method no route can take (see [`known_method`]).
    fn lookup(&self, method: Option<&Method>, path: &str) -> Lookup {
        let Ok(found) = self.paths.at(path) else {
            return Lookup::NotFound;
        };
        let routes = &self.routes[*found.value];
        match routes.iter().find(|r| Some(&r.method) == method) {
            Some(route) => {
                let params = found
                    .params
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect();
                Lookup::Found(route, params)
            }
            None => Lookup::MethodNotAllowed(routes.iter().map(|r| r.method.as_ref()).collect()),
        }
    }
}

impl Table {
    /// [`Table::lookup`], and for a path under the same-origin `prefix` (`/_pc/collect`), the
    /// browser route it names; no other route answers under the prefix.
    fn lookup_prefixed(&self, method: Option<&Method>, path: &str, prefix: &str) -> Lookup {
        let Some(rest) = path.strip_prefix(prefix).filter(|r| r.starts_with('/')) else {
            return self.lookup(method, path);
        };
        match self.lookup(method, rest) {
            Lookup::Found(route, _) if route.access != Access::Browser => Lookup::NotFound,
            Lookup::MethodNotAllowed(_) if !self.is_browser_path(rest) => Lookup::NotFound,
            found => found,
        }
    }

    fn is_browser_path(&self, path: &str) -> bool {
        self.paths.at(path).is_ok_and(|found| {
            self.routes[*found.value]
                .iter()
                .all(|r| r.access == Access::Browser)
        })
    }
}

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    // The table is a constant of the program, and a unit test builds it: it cannot fail here.
    TABLE.get_or_init(|| Table::build(ROUTES).expect("the route table builds"))
}

/// Answers one request. With `SERVER_TIMING` on, the answer (an error's too) carries what the
/// request cost in a `Server-Timing` header (see [`crate::metering`]).
pub async fn serve(req: Request, env: Env, ctx: Context) -> worker::Result<Response> {
    let config = Config::of(&env);
    let ctx = Rc::new(ctx);
    if !config.server_timing {
        return answer(route(req, env, ctx, config).await);
    }
    let started = worker::Date::now().as_millis();
    let metered = Metered::new(route(req, env, ctx, config));
    let counts = metered.counts();
    let mut response = answer(metered.await)?;
    let total = worker::Date::now().as_millis().saturating_sub(started) as f64;
    response
        .headers_mut()
        .set("server-timing", &server_timing(&counts, total))?;
    Ok(response)
}

fn answer(result: Result<Response>) -> worker::Result<Response> {
    match result {
        Ok(response) => Ok(response),
        Err(error) => error_response(&error),
    }
}

/// The method `raw` names, exactly as the route table spells it, or `None` for one it cannot
/// name (`QUERY`, `PROPFIND`, a lower-case `patch`): workers-rs reads every method it does not
/// know as GET, and such a request must get a 405 or 404, never a GET handler's answer.
fn known_method(raw: &str) -> Option<Method> {
    let method = Method::from(raw.to_string());
    (method.as_ref() == raw).then_some(method)
}

async fn route(req: Request, env: Env, ctx: Rc<Context>, config: Rc<Config>) -> Result<Response> {
    let method = known_method(req.raw_method());
    let (route, params) =
        match table().lookup_prefixed(method.as_ref(), req.path(), &config.same_origin_path) {
            Lookup::Found(route, params) => (route, params),
            Lookup::MethodNotAllowed(allow) => return Err(Error::method_not_allowed(allow)),
            Lookup::NotFound => return Err(Error::not_found("route")),
        };
    if route.access == Access::Admin {
        authenticate(&req, &config)?;
    }
    (route.handler)(
        req,
        RouteContext {
            env,
            ctx,
            config,
            params,
        },
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_route_table_builds_with_one_handler_per_method_and_path() {
        assert!(Table::build(ROUTES).is_ok());
    }

    #[test]
    fn a_path_finds_its_route_and_its_parameters() {
        let table = Table::build(ROUTES).unwrap();
        match table.lookup(Some(&Method::Patch), "/admin/api/connectors/con_abcdefgh") {
            Lookup::Found(route, params) => {
                assert_eq!(route.path, "/admin/api/connectors/:id");
                assert_eq!(route.access, Access::Admin);
                assert_eq!(params, vec![("id".to_string(), "con_abcdefgh".to_string())]);
            }
            _ => panic!("PATCH /admin/api/connectors/:id is routed"),
        }
    }

    #[test]
    fn a_known_path_with_another_method_lists_the_methods_it_takes() {
        let table = Table::build(ROUTES).unwrap();
        match table.lookup(Some(&Method::Put), "/admin/api/containers") {
            Lookup::MethodNotAllowed(allow) => assert_eq!(allow, vec!["POST", "GET"]),
            _ => panic!("PUT /admin/api/containers is a 405"),
        }
        match table.lookup(Some(&Method::Post), "/t.js") {
            Lookup::MethodNotAllowed(allow) => assert_eq!(allow, vec!["GET", "HEAD"]),
            _ => panic!("POST /t.js is a 405"),
        }
        assert!(matches!(
            table.lookup(Some(&Method::Get), "/no/such/route"),
            Lookup::NotFound
        ));
        assert!(matches!(
            table.lookup(Some(&Method::Get), "/"),
            Lookup::NotFound
        ));
    }

    #[test]
    fn a_method_the_runtime_does_not_know_finds_no_route_only_the_methods_a_path_takes() {
        assert_eq!(known_method("PATCH"), Some(Method::Patch));
        assert_eq!(known_method("GET"), Some(Method::Get));
        for unknown in ["QUERY", "PROPFIND", "patch", "", "GET "] {
            assert_eq!(known_method(unknown), None, "{unknown:?}");
        }
        let table = Table::build(ROUTES).unwrap();
        match table.lookup(None, "/admin/api/containers") {
            Lookup::MethodNotAllowed(allow) => assert_eq!(allow, vec!["POST", "GET"]),
            _ => panic!("QUERY /admin/api/containers is a 405"),
        }
        assert!(matches!(
            table.lookup(None, "/no/such/route"),
            Lookup::NotFound
        ));
    }

    #[test]
    fn browser_routes_and_only_they_also_answer_under_the_same_origin_prefix() {
        let table = Table::build(ROUTES).unwrap();
        for (method, path, route) in [
            (Method::Get, "/_pc/t.js", "/t.js"),
            (Method::Get, "/_pc/collect", "/collect"),
            (Method::Options, "/_pc/e", "/e"),
            (Method::Post, "/_pc/e", "/e"),
            (Method::Get, "/_pc/c", "/c"),
            (Method::Get, "/_pc/px/abc", "/px/:token"),
        ] {
            match table.lookup_prefixed(Some(&method), path, "/_pc") {
                Lookup::Found(found, _) => assert_eq!(found.path, route),
                _ => panic!("{method:?} {path} is routed"),
            }
        }
        for path in [
            "/_pc/admin/api/containers",
            "/_pc/healthz",
            "/_pc/webhook",
            "/_pc",
            "/_pcx/t.js",
        ] {
            assert!(
                matches!(
                    table.lookup_prefixed(Some(&Method::Get), path, "/_pc"),
                    Lookup::NotFound
                ),
                "{path}"
            );
        }
        assert!(matches!(
            table.lookup_prefixed(Some(&Method::Delete), "/_pc/collect", "/_pc"),
            Lookup::MethodNotAllowed(_)
        ));
        assert!(matches!(
            table.lookup_prefixed(Some(&Method::Get), "/t.js", "/_pc"),
            Lookup::Found(..)
        ));
    }

    #[test]
    fn a_table_that_routes_a_method_and_path_twice_does_not_build() {
        static TWICE: &[Route] = &[
            Route {
                method: Method::Get,
                path: "/healthz",
                access: Access::Public,
                handler: |_, _| Box::pin(async { Err(Error::not_found("route")) }),
            },
            Route {
                method: Method::Get,
                path: "/healthz",
                access: Access::Public,
                handler: |_, _| Box::pin(async { Err(Error::not_found("route")) }),
            },
        ];
        assert!(Table::build(TWICE).is_err());
    }
}
