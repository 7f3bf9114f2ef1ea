//! Abuse limits on the anonymous surfaces, as pure rules: which limit a surface counts against
//! and the key a request is counted under. The counting itself is Cloudflare's Rate Limiting
//! binding (`[[ratelimits]]` in `wrangler.toml`), whose limit and period are fixed per binding:
//!
//! | surface | binding | limit |
//! | --- | --- | --- |
//! | `POST /e`, and webhook calls without a valid key | `RATE_LIMIT_EVENTS` | 100 per 60 s |
//! | `GET /collect`, `GET /c` | `RATE_LIMIT_PAGES` | 300 per 60 s |
//!
//! A request is counted per surface, container and client IP (`CF-Connecting-IP`), so one
//! client's burst never limits another client or another container. The binding counts per
//! Cloudflare location and approximately: it stops floods, it is not an exact quota (the per-key
//! limit of API keys is the exact one, kept in D1).

/// An anonymous surface with a limit of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Surface {
    /// `POST /e`.
    Event,
    /// `/webhook` and `/webhooks/custom/...` calls with a missing, malformed or unknown key.
    KeylessWebhook,
    /// `GET /collect`.
    Collect,
    /// `GET /c`.
    Redirect,
}

/// The binding of `/e` and keyless webhook calls: 100 requests per 60 s.
pub const EVENTS_BINDING: &str = "RATE_LIMIT_EVENTS";
/// The binding of page views and tracking links: 300 requests per 60 s.
pub const PAGES_BINDING: &str = "RATE_LIMIT_PAGES";
/// The period of both bindings, in seconds: `Retry-After` of a refused request.
pub const PERIOD_S: u32 = 60;

/// Longest client address kept in a key (an IPv6 address with a zone fits easily).
const MAX_IP_LEN: usize = 64;

impl Surface {
    /// The Rate Limiting binding this surface counts against.
    pub fn binding(self) -> &'static str {
        match self {
            Surface::Event | Surface::KeylessWebhook => EVENTS_BINDING,
            Surface::Collect | Surface::Redirect => PAGES_BINDING,
        }
    }

    /// The surface's name in keys.
    pub fn name(self) -> &'static str {
        match self {
            Surface::Event => "e",
            Surface::KeylessWebhook => "webhook",
            Surface::Collect => "collect",
            Surface::Redirect => "c",
        }
    }
}

/// The key a request is counted under: `{surface}:{container}:{client ip}`. `-` stands for a
/// container that is not known yet (`/webhook` without a valid key) or a request without
/// `CF-Connecting-IP`; an address that is not plausible is counted as `-` too, so a client cannot
/// mint keys of its own.
pub fn limit_key(surface: Surface, container: Option<&str>, client_ip: Option<&str>) -> String {
    let ip = client_ip
        .map(str::trim)
        .filter(|ip| {
            !ip.is_empty()
                && ip.len() <= MAX_IP_LEN
                && ip
                    .bytes()
                    .all(|b| b.is_ascii_hexdigit() || b".:%".contains(&b))
        })
        .unwrap_or("-");
    format!("{}:{}:{ip}", surface.name(), container.unwrap_or("-"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_is_counted_per_surface_container_and_client() {
        assert_eq!(
            limit_key(Surface::Event, Some("ctr_a"), Some("203.0.113.9")),
            "e:ctr_a:203.0.113.9"
        );
        assert_eq!(
            limit_key(Surface::Redirect, Some("ctr_a"), Some(" 2001:db8::1 ")),
            "c:ctr_a:2001:db8::1"
        );
        assert_eq!(
            limit_key(Surface::KeylessWebhook, None, None),
            "webhook:-:-"
        );
        assert_ne!(
            limit_key(Surface::Collect, Some("ctr_a"), Some("203.0.113.9")),
            limit_key(Surface::Collect, Some("ctr_b"), Some("203.0.113.9"))
        );
    }

    #[test]
    fn an_implausible_client_address_counts_as_none() {
        for bad in ["", "evil:key\nx", "a b", &"1".repeat(65)] {
            assert_eq!(
                limit_key(Surface::Event, Some("ctr_a"), Some(bad)),
                "e:ctr_a:-"
            );
        }
    }

    #[test]
    fn events_and_keyless_webhooks_share_the_tighter_limit() {
        assert_eq!(Surface::Event.binding(), EVENTS_BINDING);
        assert_eq!(Surface::KeylessWebhook.binding(), EVENTS_BINDING);
        assert_eq!(Surface::Collect.binding(), PAGES_BINDING);
        assert_eq!(Surface::Redirect.binding(), PAGES_BINDING);
    }
}
