//! Masking credentials before a request is shown in the webhook log.
//!
//! The delivery itself keeps the real values (retries and replay need them); masking happens when
//! a request is written for people to read. What counts as a credential:
//! - headers: `authorization`, `proxy-authorization`, `cookie`, `set-cookie`, `x-api-key`,
//!   `api-key`, `webhook-signature`, and any name containing `auth`, `token`, `secret`,
//!   `password`, `passwd`, `session`, `signature`, `apikey`, `api-key` or `api_key`;
//! - URL query params and POST body fields: names containing `token`, `secret`, `password`,
//!   `passwd`, `signature`, `apikey`, `api_key`, `api-key` or `auth`, names ending in `key`,
//!   and the names `sig`, `pwd`, `pass` and `k`;
//! - header values that look like a credential whatever the header is called
//!   ([`looks_like_credential`]): an authentication scheme and a token (`Bearer …`, `Basic …`),
//!   a JSON Web Token, or a key with a well-known secret prefix (`sk_live_`, `whsec_`, ...).
//!
//! The masked copy is what a delivery row stores for people to read (its `url`, `headers` and
//! `body`) and what the webhook log shows; only the row's unreadable `request` keeps the
//! real values, to send them.
//!
//! `Idempotency-Key` is not a credential (it is the delivery id) and stays readable.

use super::request::OutgoingRequest;
use percent_encoding::percent_decode_str;

const MASK: &str = "****";
/// A secret shorter than this is masked entirely: showing 4 of 8 characters gives too much away.
const MIN_LEN_TO_SHOW_TAIL: usize = 12;
const TAIL_LEN: usize = 4;

/// Scheme words kept in front of a masked credential (HTTP auth schemes in common use).
pub const AUTH_SCHEMES: &[&str] = &[
    "Bearer",
    "Basic",
    "Digest",
    "Token",
    "Bot",
    "ApiKey",
    "Key",
    "HMAC",
    "Negotiate",
];

const SENSITIVE_HEADERS: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
    "x-api-key",
    "api-key",
    "webhook-signature",
];
const SENSITIVE_HEADER_PARTS: &[&str] = &[
    "auth",
    "token",
    "secret",
    "password",
    "passwd",
    "session",
    "signature",
    "apikey",
    "api-key",
    "api_key",
];
const SENSITIVE_PARAM_PARTS: &[&str] = &[
    "token",
    "secret",
    "password",
    "passwd",
    "signature",
    "apikey",
    "api_key",
    "api-key",
    "auth",
];
const SENSITIVE_PARAMS: &[&str] = &["sig", "pwd", "pass", "k"];

pub fn is_sensitive_header(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    SENSITIVE_HEADERS.contains(&name.as_str())
        || SENSITIVE_HEADER_PARTS
            .iter()
            .any(|part| name.contains(part))
}

/// Prefixes of secrets that services issue in a recognisable form: Stripe's and similar live and
/// test keys, Standard Webhooks secrets, our own API keys and admin tokens, GitHub and Slack
/// tokens, AWS access key ids.
const SECRET_PREFIXES: &[&str] = &[
    "sk_live_",
    "sk_test_",
    "rk_live_",
    "rk_test_",
    "whsec_",
    "pck_",
    "pca_",
    "ghp_",
    "gho_",
    "github_pat_",
    "xoxb-",
    "xoxp-",
    "AKIA",
];
/// Characters of a token after an authentication scheme for the value to count as a credential.
const MIN_SCHEME_TOKEN_LEN: usize = 8;

/// Whether a header value looks like a credential whatever its header is called: an
/// authentication scheme from [`AUTH_SCHEMES`] followed by a token, a JSON Web Token
/// (`eyJ…` in three dot-separated base64url parts, RFC 7519), or a well-known secret prefix.
pub fn looks_like_credential(value: &str) -> bool {
    let value = value.trim();
    let scheme_and_token = value.split_once(' ').is_some_and(|(word, rest)| {
        AUTH_SCHEMES.iter().any(|s| s.eq_ignore_ascii_case(word))
            && rest.trim().len() >= MIN_SCHEME_TOKEN_LEN
            && !rest.trim().contains(' ')
    });
    let jwt = {
        let parts: Vec<&str> = value.split('.').collect();
        parts.len() == 3
            && value.starts_with("eyJ")
            && parts.iter().all(|p| {
                !p.is_empty()
                    && p.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            })
    };
    scheme_and_token || jwt || SECRET_PREFIXES.iter().any(|p| value.starts_with(p))
}

pub fn is_sensitive_param(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    SENSITIVE_PARAMS.contains(&name.as_str())
        || name.ends_with("key")
        || SENSITIVE_PARAM_PARTS.iter().any(|part| name.contains(part))
}

/// `"Bearer abc123def456ghi"` → `"Bearer ****6ghi"`; `"short"` → `"****"`. A leading
/// authentication scheme from [`AUTH_SCHEMES`] stays, so the log still says which kind of
/// credential it was; any other first word might be part of the secret, so it is masked too.
pub fn mask_secret(value: &str) -> String {
    let (scheme, credential) = match value.split_once(' ') {
        Some((word, rest)) if AUTH_SCHEMES.iter().any(|s| s.eq_ignore_ascii_case(word)) => {
            (Some(word), rest.trim_start())
        }
        _ => (None, value),
    };
    let chars: Vec<char> = credential.chars().collect();
    let masked = if chars.len() >= MIN_LEN_TO_SHOW_TAIL {
        let tail: String = chars[chars.len() - TAIL_LEN..].iter().collect();
        format!("{MASK}{tail}")
    } else {
        MASK.to_string()
    };
    match scheme {
        Some(word) => format!("{word} {masked}"),
        None => masked,
    }
}

pub fn mask_headers_for_log(headers: &[(String, String)]) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(name, value)| {
            let value = if is_sensitive_header(name) || looks_like_credential(value) {
                mask_secret(value)
            } else {
                value.clone()
            };
            (name.clone(), value)
        })
        .collect()
}

/// Mask the values of credential-like query params; every other byte of the URL is kept.
pub fn mask_url_for_log(url: &str) -> String {
    let (before_fragment, fragment) = match url.split_once('#') {
        Some((b, f)) => (b, Some(f)),
        None => (url, None),
    };
    let Some((base, query)) = before_fragment.split_once('?') else {
        return url.to_string();
    };
    let pairs: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((name, value)) if is_sensitive_param(&decode(name)) => {
                let masked = mask_secret(&decode(value));
                format!("{name}={}", encode(&masked))
            }
            _ => pair.to_string(),
        })
        .collect();
    let mut out = format!("{base}?{}", pairs.join("&"));
    if let Some(fragment) = fragment {
        out.push('#');
        out.push_str(fragment);
    }
    out
}

fn decode(text: &str) -> String {
    percent_decode_str(&text.replace('+', " "))
        .decode_utf8_lossy()
        .into_owned()
}

/// Strict RFC 3986 escaping, but `*` (a sub-delimiter, legal in a query) stays readable.
const MASKED_VALUE: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'*');

fn encode(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, MASKED_VALUE).to_string()
}

/// Mask the values of credential-like fields of a flat JSON object body. The body is rewritten
/// field by field from its own text, so numbers keep their exact spelling; a body that is not a
/// flat object of scalars is returned unchanged.
pub fn mask_json_body_for_log(body: &str) -> String {
    mask_flat_object(body).unwrap_or_else(|| body.to_string())
}

fn mask_flat_object(body: &str) -> Option<String> {
    let mut rest = body.trim().strip_prefix('{')?.trim_start();
    let mut out = String::from("{");
    if let Some(after) = rest.strip_prefix('}') {
        return after.trim().is_empty().then_some("{}".to_string());
    }
    loop {
        let (key_text, after_key) = split_json_string(rest)?;
        let key: String = serde_json::from_str(key_text).ok()?;
        rest = after_key.trim_start().strip_prefix(':')?.trim_start();
        let value_len = if rest.starts_with('"') {
            split_json_string(rest)?.0.len()
        } else {
            rest.find([',', '}']).unwrap_or(rest.len())
        };
        let value_text = rest[..value_len].trim_end();
        let value: serde_json::Value = serde_json::from_str(value_text).ok()?;
        out.push_str(key_text);
        out.push(':');
        match value {
            serde_json::Value::String(s) if is_sensitive_param(&key) => {
                out.push_str(&serde_json::Value::String(mask_secret(&s)).to_string());
            }
            serde_json::Value::Array(_) | serde_json::Value::Object(_) => return None,
            _ => out.push_str(value_text),
        }
        rest = rest[value_len..].trim_start();
        if let Some(after) = rest.strip_prefix(',') {
            out.push(',');
            rest = after.trim_start();
        } else {
            let after = rest.strip_prefix('}')?;
            out.push('}');
            return after.trim().is_empty().then_some(out);
        }
    }
}

/// Split `"…"rest` after the closing quote of a JSON string, honouring backslash escapes.
fn split_json_string(text: &str) -> Option<(&str, &str)> {
    let inner = text.strip_prefix('"')?;
    let mut escaped = false;
    for (i, c) in inner.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => return Some(text.split_at(i + 2)),
            _ => {}
        }
    }
    None
}

impl OutgoingRequest {
    /// A copy for the webhook log: credential headers, query params and body fields masked.
    pub fn masked_for_log(&self) -> OutgoingRequest {
        OutgoingRequest {
            method: self.method,
            url: mask_url_for_log(&self.url),
            headers: mask_headers_for_log(&self.headers),
            body: self.body.as_deref().map(mask_json_body_for_log),
            unresolved: self.unresolved.clone(),
        }
    }
}
