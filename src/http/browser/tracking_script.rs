//! `GET /t.js?id={container}`: the tracking script. One static file for every container (the
//! script reads its container id and the tracking host from its own `src`), so browsers and
//! CDNs cache it for five minutes and then revalidate it with its ETag, which answers 304
//! without a database read.

use super::{load_container, request_query};
use crate::error::Result;
use crate::http::request::Request;
use crate::http::router::RouteContext;
use worker::{Headers, Method, Response};

/// The script, minified by esbuild at build time from `assets/t.js` (see `build.rs`).
pub const TRACKING_SCRIPT: &str = include_str!(concat!(env!("OUT_DIR"), "/t.min.js"));

/// A strong validator for the script: FNV-1a over its bytes, computed at compile time, so a new
/// build with a changed script gets a new ETag and an unchanged one keeps it.
const SCRIPT_HASH: u64 = fnv1a(TRACKING_SCRIPT.as_bytes());

const fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut i = 0;
    while i < bytes.len() {
        hash ^= bytes[i] as u64;
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        i += 1;
    }
    hash
}

fn etag() -> String {
    format!("\"tjs-{SCRIPT_HASH:016x}\"")
}

/// Whether `If-None-Match` names our ETag (weak or strong, alone or in a list).
fn matches_etag(if_none_match: &str, etag: &str) -> bool {
    if_none_match.split(',').any(|tag| {
        let tag = tag.trim();
        tag.strip_prefix("W/").unwrap_or(tag) == etag
    })
}

/// `GET` and `HEAD /t.js`.
pub async fn handle_tracking_script(req: Request, ctx: RouteContext) -> Result<Response> {
    let query = request_query(&req)?;
    let etag = etag();
    let headers = Headers::new();
    headers.set("content-type", "text/javascript; charset=utf-8")?;
    headers.set("cache-control", "public, max-age=300")?;
    headers.set("etag", &etag)?;
    headers.set("x-content-type-options", "nosniff")?;
    let revalidating = req
        .headers()
        .get("if-none-match")?
        .is_some_and(|value| matches_etag(&value, &etag));
    if revalidating {
        // The script is the same for every container, and this browser got it for a container
        // that existed: nothing to look up.
        return Ok(Response::empty()?.with_status(304).with_headers(headers));
    }
    load_container(&ctx, query).await?;
    let body = if req.method() == Method::Head {
        String::new()
    } else {
        TRACKING_SCRIPT.to_string()
    };
    Ok(Response::ok(body)?.with_headers(headers))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_etag_is_quoted_and_follows_the_script() {
        let tag = etag();
        assert!(tag.starts_with("\"tjs-") && tag.ends_with('"'));
        assert_ne!(fnv1a(b"a"), fnv1a(b"b"));
    }

    #[test]
    fn if_none_match_accepts_lists_and_weak_tags() {
        let tag = "\"tjs-0123\"";
        assert!(matches_etag(tag, tag));
        assert!(matches_etag("\"other\", W/\"tjs-0123\"", tag));
        assert!(!matches_etag("\"tjs-0124\"", tag));
        assert!(!matches_etag("", tag));
    }

    #[test]
    fn the_script_stays_small_and_has_no_dependencies() {
        assert!(
            TRACKING_SCRIPT.len() < 8 * 1024,
            "{} bytes",
            TRACKING_SCRIPT.len()
        );
        assert!(!TRACKING_SCRIPT.contains("import "));
        assert!(!TRACKING_SCRIPT.contains("require("));
    }
}
