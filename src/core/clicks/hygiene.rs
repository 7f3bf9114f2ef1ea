//! Requests that are not a person following a link: they must create no click, or a chat app
//! unfurling a tracking link would claim the click before the visitor ever saw the page.
//!
//! Deliberately not treated as bots: headless Chrome (`HeadlessChrome` is what real automation,
//! including our own browser tests, sends), HTTP libraries such as curl or node's fetch (server-
//! side integrations and tests call `/c` with them), and a missing User-Agent. Only link-preview
//! fetchers and search/ad/AI crawlers that announce themselves are refused; a generic `bot`
//! substring is not used because it also matches real devices (`CUBOT` phones), and in-app
//! browsers (Facebook, Instagram, Snapchat, Pinterest apps) are people clicking ads, so their
//! app names are not listed, only their crawlers'.

/// Why a request is not a human visit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NonHuman {
    /// `HEAD`: checks the link, shows nothing to anyone.
    HeadRequest,
    /// `Sec-Purpose`/`Purpose: prefetch`, `X-Moz: prefetch`, `X-Purpose: preview`: the browser
    /// speculatively loads a page the person may never open.
    Prefetch,
    /// A known link-preview fetcher or crawler, by User-Agent.
    Crawler,
}

/// Lower-case User-Agent fragments of link-preview fetchers and crawlers.
const CRAWLER_AGENTS: &[&str] = &[
    // Link previews in chat and social apps.
    "slackbot",
    "slack-imgproxy",
    "facebookexternalhit",
    "facebookcatalog",
    "meta-externalagent",
    "twitterbot",
    "linkedinbot",
    "whatsapp",
    "telegrambot",
    "discordbot",
    "skypeuripreview",
    "microsoftpreview",
    "pinterestbot",
    "redditbot",
    "embedly",
    "iframely",
    "vkshare",
    "mastodon/",
    "google-pagerenderer",
    "bitlybot",
    "outbrain",
    "quora link preview",
    // Search, ad-landing and validation crawlers.
    "googlebot",
    "adsbot-google",
    "mediapartners-google",
    "google-inspectiontool",
    "googleother",
    "storebot-google",
    "apis-google",
    "bingbot",
    "bingpreview",
    "adidxbot",
    "msnbot",
    "applebot",
    "yandexbot",
    "baiduspider",
    "duckduckbot",
    "slurp",
    "petalbot",
    "w3c_validator",
    "w3c-checklink",
    // SEO and AI crawlers.
    "ahrefsbot",
    "semrushbot",
    "mj12bot",
    "dotbot",
    "bytespider",
    "gptbot",
    "chatgpt-user",
    "oai-searchbot",
    "claudebot",
    "perplexitybot",
    "ccbot",
];

/// Classify a request from its method and headers (`header` looks a header up by name,
/// case-insensitively, as the edge's header map does).
pub fn classify_visit(method: &str, header: &dyn Fn(&str) -> Option<String>) -> Option<NonHuman> {
    if method.trim().eq_ignore_ascii_case("HEAD") {
        return Some(NonHuman::HeadRequest);
    }
    // Each header is looked up once: at the edge every lookup is a call into the runtime.
    let has_token = |name: &str, wanted: &[&str]| {
        header(name).is_some_and(|value| {
            value.split([';', ',', ' ']).any(|token| {
                let token = token.trim();
                wanted.iter().any(|w| token.eq_ignore_ascii_case(w))
            })
        })
    };
    let prefetch = has_token("sec-purpose", &["prefetch"])
        || has_token("purpose", &["prefetch"])
        || has_token("x-purpose", &["prefetch", "preview"])
        || has_token("x-moz", &["prefetch"]);
    if prefetch {
        return Some(NonHuman::Prefetch);
    }
    let agent = header("user-agent")
        .unwrap_or_default()
        .to_ascii_lowercase();
    if CRAWLER_AGENTS
        .iter()
        .any(|fragment| agent.contains(fragment))
    {
        return Some(NonHuman::Crawler);
    }
    None
}

/// True when the request must create no click.
pub fn is_non_human_visit(method: &str, header: &dyn Fn(&str) -> Option<String>) -> bool {
    classify_visit(method, header).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHROME: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 \
                          (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36";

    fn visit(method: &str, headers: &[(&str, &str)]) -> Option<NonHuman> {
        let lookup = |name: &str| {
            headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.to_string())
        };
        classify_visit(method, &lookup)
    }

    #[test]
    fn a_browser_get_is_a_human_visit() {
        assert_eq!(visit("GET", &[("User-Agent", CHROME)]), None);
        assert!(!is_non_human_visit("GET", &|_| None));
    }

    #[test]
    fn head_requests_are_not_visits() {
        assert_eq!(
            visit("HEAD", &[("User-Agent", CHROME)]),
            Some(NonHuman::HeadRequest)
        );
        assert_eq!(visit("head", &[]), Some(NonHuman::HeadRequest));
    }

    #[test]
    fn prefetches_and_previews_are_not_visits() {
        for (name, value) in [
            ("Sec-Purpose", "prefetch"),
            ("Sec-Purpose", "prefetch;prerender"),
            ("Sec-Purpose", "prefetch;anonymous-client-ip"),
            ("sec-purpose", "PREFETCH"),
            ("Purpose", "prefetch"),
            ("X-Purpose", "preview"),
            ("X-Purpose", "prefetch"),
            ("X-Moz", "prefetch"),
        ] {
            assert_eq!(
                visit("GET", &[(name, value), ("User-Agent", CHROME)]),
                Some(NonHuman::Prefetch),
                "{name}: {value}"
            );
        }
    }

    #[test]
    fn purpose_values_must_be_whole_tokens() {
        assert_eq!(visit("GET", &[("Sec-Purpose", "notprefetch")]), None);
        assert_eq!(visit("GET", &[("Purpose", "")]), None);
        assert_eq!(visit("GET", &[("X-Purpose", "instant")]), None);
    }

    #[test]
    fn link_preview_fetchers_and_crawlers_are_not_visits() {
        for agent in [
            "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
            "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
            "Twitterbot/1.0",
            "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
            "WhatsApp/2.23.20.0",
            "TelegramBot (like TwitterBot)",
            "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
            "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
            "AdsBot-Google (+http://www.google.com/adsbot.html)",
            "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
            "Mozilla/5.0 (Windows NT 6.1; WOW64) SkypeUriPreview Preview/0.5",
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/13.1.1 Safari/605.1.15 (Applebot/0.1)",
            "Mozilla/5.0 (compatible; Pinterestbot/1.0; +http://www.pinterest.com/bot.html)",
            "Mozilla/5.0 (compatible; redditbot/1.0; +http://www.reddit.com/feedback)",
            "Mozilla/5.0 (compatible; Embedly/0.2; +http://support.embed.ly/)",
            "Mozilla/5.0 (compatible; vkShare; +http://vk.com/dev/Share)",
            "W3C_Validator/1.3",
            "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.0)",
        ] {
            assert_eq!(visit("GET", &[("User-Agent", agent)]), Some(NonHuman::Crawler), "{agent}");
        }
    }

    #[test]
    fn headless_chrome_http_libraries_and_no_agent_count_as_visits() {
        for agent in [
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/126.0.0.0 Safari/537.36",
            "curl/8.5.0",
            "node",
            "undici",
            "Mozilla/5.0 (Linux; Android 12; CUBOT KINGKONG 7) AppleWebKit/537.36 Chrome/120 Mobile Safari/537.36",
            "",
        ] {
            assert_eq!(visit("GET", &[("User-Agent", agent)]), None, "{agent}");
        }
        assert_eq!(visit("GET", &[]), None);
    }

    #[test]
    fn in_app_browsers_are_people_clicking_ads() {
        for agent in [
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [FBAN/FBIOS;FBAV/430.0]",
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 Instagram 300.0.0",
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 Snapchat/12.50.0.35 (like Safari/8614.1.25.0.31)",
            "Mozilla/5.0 (Linux; Android 13) AppleWebKit/537.36 Chrome/120 Mobile Safari/537.36 [Pinterest/Android]",
            "Mozilla/5.0 (iPhone) AppleWebKit/605.1.15 Mobile/15E148 Twitter for iPhone/10.0",
            "Mozilla/5.0 (iPhone) AppleWebKit/605.1.15 Mobile/15E148 [LinkedInApp]",
        ] {
            assert_eq!(visit("GET", &[("User-Agent", agent)]), None, "{agent}");
        }
    }

    #[test]
    fn hostile_header_values_never_panic() {
        let weird = "\u{0}\u{ffff};;;,,, prefetch;\u{7f}";
        assert_eq!(
            visit("GET", &[("Sec-Purpose", weird)]),
            Some(NonHuman::Prefetch)
        );
        let _ = visit("\u{0}", &[("User-Agent", &"x".repeat(100_000))]);
    }
}
