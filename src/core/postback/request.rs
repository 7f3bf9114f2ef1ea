//! Building the exact HTTP request a connector sends for one event.
//!
//! Encoding rules, chosen so the partner decodes exactly the value we hold:
//! - Every substituted value and every param name is percent-encoded as UTF-8 with the strict
//!   RFC 3986 rule: everything except the unreserved `A–Z a–z 0–9 - . _ ~` is escaped, so a
//!   space is `%20` (never `+`), `&`, `=`, `+`, `/`, `?`, `#` and `%` are escaped too. Both
//!   RFC 3986 decoders and `application/x-www-form-urlencoded` decoders turn that back into the
//!   original value, which `+` for space would not guarantee. The same rule is right for a path
//!   segment, a query component and a fragment, so one set serves every position.
//! - A placeholder in the scheme or host is refused: a value must never choose where we connect.
//! - A path segment holding a value that is a dot segment in any spelling (`..`, `.%2e`, ...)
//!   fails the delivery: the URL parser would resolve it away and send the request elsewhere.
//! - The URL's own query is kept verbatim and in order; GET params are appended after it.
//! - The fragment is dropped: HTTP never sends it, and the log must show what was sent.

use super::dot_segment::in_dot_segment;
use super::signature::{SigningSecret, HEADER_ID, HEADER_SIGNATURE, HEADER_TIMESTAMP};
use crate::core::connector::{Method, NamedTemplate, WebhookConfig};
use crate::core::params::ParamValues;
use crate::core::template::{Segment, TextTemplate};
use serde::{Deserialize, Serialize};

mod build_error;
mod encode;

pub use build_error::BuildError;
use encode::{
    append_query, encode, header_safe, is_json_number, is_numeric_template, json_object, url_part,
    UrlPart,
};

/// `User-Agent` of every postback.
pub const USER_AGENT: &str = concat!("postclick/", env!("CARGO_PKG_VERSION"), " (+postbacks)");
pub const HEADER_IDEMPOTENCY_KEY: &str = "Idempotency-Key";
const MAX_IDEMPOTENCY_KEY_LEN: usize = 128;

/// Placeholders whose values are numbers, so a POST body carries them as JSON numbers.
pub const NUMERIC_PARAMS: &[&str] = &["VALUE", "TIMESTAMP"];

/// Headers postclick sets itself; a configured header of the same name is dropped.
const OWN_HEADERS: &[&str] = &[
    "content-type",
    "user-agent",
    "idempotency-key",
    HEADER_ID,
    HEADER_TIMESTAMP,
    HEADER_SIGNATURE,
    "host",
    "content-length",
    "transfer-encoding",
    "connection",
];

/// What varies per delivery and per attempt, supplied by the caller.
#[derive(Debug, Clone, Copy)]
pub struct BuildContext<'a> {
    /// The delivery id: `Idempotency-Key` and `webhook-id`. Stable across retries.
    pub idempotency_key: &'a str,
    /// Unix seconds of this attempt, for `webhook-timestamp`.
    pub timestamp_s: i64,
}

/// A request ready to send, exactly as it goes on the wire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutgoingRequest {
    #[serde(with = "method_text")]
    pub method: Method,
    pub url: String,
    pub headers: Vec<(String, String)>,
    /// The JSON body of a POST; `None` for GET.
    pub body: Option<String>,
    /// Placeholders that had no value and rendered empty (or as their `default:`).
    pub unresolved: Vec<String>,
}

impl OutgoingRequest {
    /// The first header of that name, compared case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The exact bytes of the body; empty for GET. This is what the signature covers.
    pub fn body_bytes(&self) -> &[u8] {
        self.body.as_deref().unwrap_or("").as_bytes()
    }

    /// Re-sign for a new attempt. Receivers reject stale timestamps, so each attempt carries its
    /// own `webhook-timestamp` and signature, while `webhook-id` stays the delivery id.
    pub fn resign(&mut self, secret: &SigningSecret, timestamp_s: i64) {
        self.resign_all(secret, &[], timestamp_s);
    }

    /// Re-sign with `secret` and, during a rotation's overlap, the `also` secrets too: the
    /// `webhook-signature` header holds one space-separated `v1,` entry per secret, as Standard
    /// Webhooks allows, so a receiver holding either secret verifies it.
    pub fn resign_all(&mut self, secret: &SigningSecret, also: &[SigningSecret], timestamp_s: i64) {
        let id = self
            .header(HEADER_ID)
            .or_else(|| self.header(HEADER_IDEMPOTENCY_KEY))
            .unwrap_or_default()
            .to_string();
        self.headers.retain(|(n, _)| {
            ![HEADER_ID, HEADER_TIMESTAMP, HEADER_SIGNATURE]
                .iter()
                .any(|own| n.eq_ignore_ascii_case(own))
        });
        let mut signed = secret.headers(&id, timestamp_s, self.body_bytes());
        for other in also {
            let extra = other.sign(&id, timestamp_s, self.body_bytes());
            signed[2].1 = format!("{} {extra}", signed[2].1);
        }
        self.headers.extend(signed);
    }
}

/// Build the request a webhook sends for these values. `values` must already hold
/// `EVENT_NAME` after renaming and the click values (see `fill_event_name`,
/// `fill_click_values`).
pub fn build_request(
    webhook: &WebhookConfig,
    values: &ParamValues,
    ctx: &BuildContext<'_>,
) -> Result<OutgoingRequest, BuildError> {
    check_idempotency_key(ctx.idempotency_key)?;
    let secret = webhook
        .signing_secret
        .as_deref()
        .map(|s| SigningSecret::parse(s).map_err(|_| BuildError::InvalidSigningSecret))
        .transpose()?;
    let mut unresolved = Vec::new();

    let template = &webhook.url.as_ref().ok_or(BuildError::MissingUrl)?.template;
    let mut url = render_url(template, values, &mut unresolved)?;

    let params: Vec<(&str, Rendered)> = webhook
        .params
        .iter()
        .map(|p| (p.name.as_str(), render_param(p, values, &mut unresolved)))
        .collect();

    let body = match webhook.method {
        Method::Get => {
            append_query(&mut url, &params);
            None
        }
        Method::Post => Some(json_object(&params)),
    };

    let mut headers: Vec<(String, String)> = webhook
        .headers
        .iter()
        .filter(|h| !OWN_HEADERS.contains(&h.name.to_ascii_lowercase().as_str()))
        .map(|h| {
            let (raw, missing) = h.value.template.render(values.lookup());
            note_unresolved(&mut unresolved, missing);
            (h.name.clone(), header_safe(&raw))
        })
        .collect();
    if body.is_some() {
        headers.push(("Content-Type".into(), "application/json".into()));
    }
    headers.push(("User-Agent".into(), USER_AGENT.into()));
    headers.push((
        HEADER_IDEMPOTENCY_KEY.into(),
        ctx.idempotency_key.to_string(),
    ));

    let mut request = OutgoingRequest {
        method: webhook.method,
        url: url.into(),
        headers,
        body,
        unresolved,
    };
    if let Some(secret) = secret {
        let signed = secret.headers(ctx.idempotency_key, ctx.timestamp_s, request.body_bytes());
        request.headers.extend(signed);
    }
    Ok(request)
}

fn check_idempotency_key(key: &str) -> Result<(), BuildError> {
    let well_formed = !key.is_empty()
        && key.len() <= MAX_IDEMPOTENCY_KEY_LEN
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-.:".contains(c));
    well_formed
        .then_some(())
        .ok_or(BuildError::InvalidIdempotencyKey)
}

fn note_unresolved(all: &mut Vec<String>, names: Vec<String>) {
    for name in names {
        if !all.contains(&name) {
            all.push(name);
        }
    }
}

fn render_url(
    template: &TextTemplate,
    values: &ParamValues,
    unresolved: &mut Vec<String>,
) -> Result<url::Url, BuildError> {
    let mut text = String::new();
    // Where each value's text stands in `text`, to find the path segments that hold one.
    let mut values_at: Vec<(usize, usize)> = Vec::new();
    for segment in template.segments() {
        match segment {
            Segment::Literal(literal) => text.push_str(literal),
            Segment::Placeholder(p) => {
                if url_part(&text) == UrlPart::SchemeOrHost {
                    return Err(BuildError::PlaceholderInHost);
                }
                let raw = values.get(&p.name).map(str::to_string);
                if raw.is_none() {
                    note_unresolved(unresolved, vec![p.name.clone()]);
                }
                let start = text.len();
                text.push_str(&encode(&p.apply_filters(raw)));
                values_at.push((start, text.len()));
            }
        }
    }
    if values_at
        .iter()
        .any(|&(start, end)| in_dot_segment(&text, start, end))
    {
        return Err(BuildError::DotSegment);
    }
    let mut url =
        url::Url::parse(text.trim()).map_err(|e| BuildError::InvalidUrl(e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(BuildError::InvalidUrl(
            "only http and https URLs are allowed".into(),
        ));
    }
    if url.host().is_none() {
        return Err(BuildError::InvalidUrl("the URL names no host".into()));
    }
    url.set_fragment(None);
    Ok(url)
}

/// A rendered param value, and whether it goes into JSON as a number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Rendered {
    text: String,
    numeric: bool,
}

fn render_param(
    param: &NamedTemplate,
    values: &ParamValues,
    unresolved: &mut Vec<String>,
) -> Rendered {
    let (text, missing) = param.value.template.render(values.lookup());
    note_unresolved(unresolved, missing);
    let numeric = is_numeric_template(&param.value.template) && is_json_number(&text);
    Rendered { text, numeric }
}

/// `Method` serialises as "GET"/"POST"; it is also read back from stored deliveries.
mod method_text {
    use crate::core::connector::Method;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(method: &Method, s: S) -> Result<S::Ok, S::Error> {
        method.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Method, D::Error> {
        match String::deserialize(d)?.as_str() {
            "GET" => Ok(Method::Get),
            "POST" => Ok(Method::Post),
            other => Err(serde::de::Error::custom(format!(
                "unknown method {other:?}"
            ))),
        }
    }
}
