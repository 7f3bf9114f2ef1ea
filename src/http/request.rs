//! The incoming request as the handlers see it: the runtime's `Request` with its headers, and
//! nothing read that no handler asks for.
//!
//! workers-rs's own `worker::Request` reads `request.cf` when it is made, on every request.
//! The runtime builds that object (the visitor's location, TLS and bot data) from JSON on first
//! access, and postclick never reads it: measured on the bench's workerd, it cost a hello-world
//! workers-rs worker about 12% of its throughput. This type reads the method, URL and headers
//! only, each once: every read crosses from wasm into the runtime and copies a string back, and
//! the router, the handlers and the install check each ask for the method, path or URL.

use url::Url;
use worker::worker_sys::web_sys;
use worker::{Headers, Method};

/// An incoming request. Its body is read through [`Request::inner`] (see `super::body`).
pub struct Request {
    inner: web_sys::Request,
    headers: Headers,
    /// The method exactly as the client sent it (`GET`, or a lower-case `patch`).
    raw_method: String,
    /// The URL as the runtime serialises it.
    raw_url: String,
}

impl From<web_sys::Request> for Request {
    fn from(inner: web_sys::Request) -> Self {
        let headers = Headers(inner.headers());
        let (raw_method, raw_url) = (inner.method(), inner.url());
        Self {
            inner,
            headers,
            raw_method,
            raw_url,
        }
    }
}

impl Request {
    /// The request's headers (read-only: an incoming request's headers are immutable).
    pub fn headers(&self) -> &Headers {
        &self.headers
    }

    /// The method, as workers-rs names it: one it does not know reads as GET, so the router
    /// checks the raw name first (`router::known_method`).
    pub fn method(&self) -> Method {
        Method::from(self.raw_method.clone())
    }

    /// The method exactly as the client sent it, for the router to refuse one it cannot name.
    pub fn raw_method(&self) -> &str {
        &self.raw_method
    }

    /// The full URL, parsed. Errors only if the runtime handed over a URL that does not parse,
    /// which it never does for a request it accepted.
    pub fn url(&self) -> worker::Result<Url> {
        let url = &self.raw_url;
        Url::parse(url).map_err(|e| worker::Error::RustError(format!("request URL {url}: {e}")))
    }

    /// The URL's path, still percent-encoded, without query or fragment: `/admin/api/containers`.
    pub fn path(&self) -> &str {
        path_of(&self.raw_url)
    }

    /// The runtime's request, for its body.
    pub fn inner(&self) -> &web_sys::Request {
        &self.inner
    }
}

/// The path of a URL as the runtime serialises it (WHATWG URL Standard, "URL serializing"): an
/// `http(s)` URL always has a path starting at the first `/` after `://`, and `?` or `#` inside
/// the path are always percent-encoded, so the first of them ends it.
fn path_of(url: &str) -> &str {
    let Some(after_scheme) = url.find("://").map(|i| &url[i + 3..]) else {
        return "/";
    };
    let Some(start) = after_scheme
        .find(['/', '?', '#'])
        .filter(|&i| after_scheme[i..].starts_with('/'))
    else {
        return "/";
    };
    let path = &after_scheme[start..];
    &path[..path.find(['?', '#']).unwrap_or(path.len())]
}

#[cfg(test)]
mod tests {
    use super::path_of;

    #[test]
    fn the_path_is_what_lies_between_the_host_and_the_query_or_fragment() {
        assert_eq!(path_of("https://t.shop.example/collect?id=1"), "/collect");
        assert_eq!(path_of("https://t.shop.example/_pc/t.js#x"), "/_pc/t.js");
        assert_eq!(
            path_of("http://127.0.0.1:8787/admin/api/containers/ctr_a%2Fb"),
            "/admin/api/containers/ctr_a%2Fb"
        );
        assert_eq!(path_of("https://t.shop.example/"), "/");
        assert_eq!(path_of("https://t.shop.example"), "/");
        assert_eq!(path_of("https://t.shop.example?x=/y"), "/");
        assert_eq!(path_of("not a url"), "/");
    }
}
