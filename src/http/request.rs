//! The incoming request as the handlers see it: the runtime's `Request` with its headers, and
//! nothing read that no handler asks for.
//!
//! workers-rs's own `worker::Request` reads `request.cf` when it is made, on every request.
//! The runtime builds that object (the visitor's location, TLS and bot data) from JSON on first
//! access, and postclick never reads it: measured on the bench's workerd, it cost a hello-world
//! workers-rs worker about 12% of its throughput. This type reads the method, URL and headers
//! only, each once: every read crosses from wasm into the runtime and copies a string back, and
//! the router, the handlers and the install check each ask for the method, path or URL.

use std::cell::OnceCell;
use url::Url;
use wasm_bindgen::prelude::wasm_bindgen;
use worker::worker_sys::web_sys;
use worker::{Headers, Method};

/// The headers the browser endpoints read on every page view and event: the host, the client's
/// address, the CORS origin, the cookies, and what tells a person from a prefetch or a crawler.
/// Reading one of them reads them all, in one call into the runtime: each read on its own
/// crosses into the runtime and copies its name in and its value out, and a page view reads
/// nine (measured: a tenth of a page view's time went to header reads).
const PREFETCHED: &[&str] = &[
    "host",
    "cf-connecting-ip",
    "origin",
    "cookie",
    "user-agent",
    "sec-purpose",
    "purpose",
    "x-purpose",
    "x-moz",
];

#[wasm_bindgen(inline_js = r#"
export function postclick_header_values(headers, names) {
  let out = '';
  for (const name of names.split(',')) {
    const value = headers.get(name);
    // A header value never holds NUL (Fetch standard); should one, the caller reads one by one.
    if (value !== null && value.includes('\0')) return undefined;
    out += (value === null ? '\x01' : '\x02' + value) + '\0';
  }
  return out;
}
"#)]
extern "C" {
    /// The values of the comma-separated header `names`, each `\x01` (absent) or `\x02` and
    /// the value, each ended by NUL; `None` when a value holds a NUL.
    fn postclick_header_values(headers: &web_sys::Headers, names: &str) -> Option<String>;
}

/// An incoming request. Its body is read through [`Request::inner`] (see `super::body`).
pub struct Request {
    inner: web_sys::Request,
    headers: Headers,
    /// The method exactly as the client sent it (`GET`, or a lower-case `patch`).
    raw_method: String,
    /// The URL as the runtime serialises it.
    raw_url: String,
    /// The values of [`PREFETCHED`], in its order, once one of them was asked for.
    prefetched: OnceCell<Vec<Option<String>>>,
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
            prefetched: OnceCell::new(),
        }
    }
}

impl Request {
    /// The request's headers (read-only: an incoming request's headers are immutable).
    pub fn headers(&self) -> &Headers {
        &self.headers
    }

    /// The value of the header `name` (case-insensitive), or `None` when absent. One of
    /// [`PREFETCHED`] comes from a single read of them all.
    pub fn header(&self, name: &str) -> Option<String> {
        let Some(index) = PREFETCHED.iter().position(|n| n.eq_ignore_ascii_case(name)) else {
            return self.headers.get(name).ok().flatten();
        };
        self.prefetched
            .get_or_init(|| self.read_prefetched())
            .get(index)
            .cloned()
            .flatten()
    }

    fn read_prefetched(&self) -> Vec<Option<String>> {
        postclick_header_values(&self.headers.0, &PREFETCHED.join(","))
            .and_then(|joined| split_header_values(&joined, PREFETCHED.len()))
            .unwrap_or_else(|| {
                let read = |name: &&str| self.headers.get(name).ok().flatten();
                PREFETCHED.iter().map(read).collect()
            })
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

    /// The URL's query, still percent-encoded, without the `?`: `""` when there is none. Read
    /// off the runtime's serialisation, with no URL parse (a page view needs only its query).
    pub fn query(&self) -> &str {
        query_of(&self.raw_url)
    }

    /// The length of the URL in bytes, as the runtime serialises it.
    pub fn url_len(&self) -> usize {
        self.raw_url.len()
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

/// The `count` values `postclick_header_values` joined, or `None` if `joined` is not that.
fn split_header_values(joined: &str, count: usize) -> Option<Vec<Option<String>>> {
    let values: Vec<Option<String>> = joined
        .strip_suffix('\0')?
        .split('\0')
        .map(|one| match one.strip_prefix('\x02') {
            Some(value) => Some(Some(value.to_string())),
            None => (one == "\x01").then_some(None),
        })
        .collect::<Option<_>>()?;
    (values.len() == count).then_some(values)
}

/// The query of a URL as the runtime serialises it (WHATWG URL Standard): after the first `?`
/// up to a `#`, since a `?` in the path is always percent-encoded.
fn query_of(url: &str) -> &str {
    let before_fragment = &url[..url.find('#').unwrap_or(url.len())];
    before_fragment
        .find('?')
        .map_or("", |i| &before_fragment[i + 1..])
}

#[cfg(test)]
mod tests {
    use super::{path_of, query_of, split_header_values};

    #[test]
    fn header_values_are_split_back_in_order_and_anything_else_is_refused() {
        let joined = "\x02t.shop.example\0\x01\0\x02\0\x02a=1; b=2\0";
        assert_eq!(
            split_header_values(joined, 4),
            Some(vec![
                Some("t.shop.example".to_string()),
                None,
                Some(String::new()),
                Some("a=1; b=2".to_string()),
            ])
        );
        assert_eq!(split_header_values(joined, 3), None);
        assert_eq!(split_header_values("\x02x", 1), None);
        assert_eq!(split_header_values("x\0", 1), None);
        assert_eq!(split_header_values("", 0), None);
    }

    #[test]
    fn the_query_is_what_lies_between_the_first_question_mark_and_the_fragment() {
        for url in [
            "https://t.shop.example/collect?id=ctr_1&url=https%3A%2F%2Fa%2F%3Fx%3D1&ref=",
            "https://t.shop.example/c?to=https://a/?b=1?c=2",
            "https://t.shop.example/_pc/e?id=1#frag?x",
            "https://t.shop.example/a%3Fb?q=%23",
            "https://t.shop.example/",
            "https://t.shop.example/?",
            "https://t.shop.example/#?x=1",
        ] {
            let parsed = url::Url::parse(url).unwrap();
            assert_eq!(query_of(url), parsed.query().unwrap_or(""), "{url}");
        }
    }

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
