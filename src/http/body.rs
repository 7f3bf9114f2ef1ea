//! Reading request bodies safely: a size limit, the expected content type, and JSON that parses.

use crate::error::{Error, Result};
use serde_json::Value;
use worker::Request;

/// The default body limit for JSON APIs.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Read the body, refusing more than `limit` bytes (413) before and after reading it.
pub async fn read_limited(req: &mut Request, limit: usize) -> Result<Vec<u8>> {
    let declared = req
        .headers()
        .get("content-length")?
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|len| len > limit as u64) {
        return Err(Error::payload_too_large(limit));
    }
    let bytes = req
        .bytes()
        .await
        .map_err(|e| Error::bad_request("unreadable_body", e.to_string()))?;
    if bytes.len() > limit {
        return Err(Error::payload_too_large(limit));
    }
    Ok(bytes)
}

/// The media type of the request, lower case, without parameters.
pub fn media_type(req: &Request) -> Option<String> {
    let raw = req.headers().get("content-type").ok().flatten()?;
    let media = raw
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    (!media.is_empty()).then_some(media)
}

pub fn is_json_media(media: &str) -> bool {
    media == "application/json" || (media.starts_with("application/") && media.ends_with("+json"))
}

/// A JSON body: `application/json` (415 otherwise), at most `limit` bytes (413), valid JSON (400).
pub async fn read_json(req: &mut Request, limit: usize) -> Result<Value> {
    if !media_type(req).is_some_and(|m| is_json_media(&m)) {
        return Err(Error::unsupported_media(
            "send the body as application/json",
        ));
    }
    let bytes = read_limited(req, limit).await?;
    parse_json(&bytes)
}

pub fn parse_json(bytes: &[u8]) -> Result<Value> {
    serde_json::from_slice(bytes).map_err(|e| {
        Error::bad_request("malformed_json", format!("the body is not valid JSON: {e}"))
    })
}
