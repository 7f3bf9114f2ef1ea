//! The install snippet, generated here and nowhere else: the console shows it (through
//! `GET /admin/api/containers/{id}/install`) and a test holds the README's copies to it.
//!
//! Two ways to serve the browser routes:
//! - **tracking subdomain** (`t.shop.com`): the worker's own host; simplest, but since Safari
//!   16.4 a cookie set by a server whose address differs from the site's in the first half, or
//!   that is reached through a third-party CNAME, lasts only 7 days;
//! - **same origin** (`shop.com/_pc/...`): every browser route also answers under a path prefix
//!   on the site's own host (a Worker route, or the site's reverse proxy forwarding the prefix),
//!   so Safari keeps the cookies for their full lifetime.

use serde::Serialize;

/// The default path prefix of same-origin mode (the worker's `SAME_ORIGIN_PATH`).
pub const DEFAULT_SAME_ORIGIN_PATH: &str = "/_pc";

/// The stub that queues calls made before `t.js` loads; `t.js` replays them (consent first).
/// Every method `t.js` exposes is stubbed, so a page may call any of them at once.
const STUB: &str = "<script>
  (function (w) {
    var p = w.postclick = w.postclick || { q: [] };
    ['track', 'consent', 'page'].forEach(function (m) {
      p[m] = p[m] || function () { p.q.push([m, [].slice.call(arguments)]); };
    });
  })(window);
</script>";

/// The snippet for a page: the stub, then `t.js` loaded from `script_src`.
pub fn snippet(script_src: &str) -> String {
    let src = script_src.replace('&', "&amp;").replace('"', "&quot;");
    format!("{STUB}\n<script async src=\"{src}\"></script>")
}

/// The two ways to serve the browser routes (see the module's documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ServedFrom {
    /// The tracking subdomain: the worker's own host.
    Subdomain,
    /// The site's own host under the same-origin path prefix.
    SameOrigin,
}

/// One way to install, as the console shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(utoipa::ToSchema))]
pub struct InstallMode {
    pub mode: ServedFrom,
    /// Where `t.js` is loaded from.
    pub script_src: String,
    /// The HTML to paste into every page's `<head>`.
    pub html: String,
}

/// A `t.js` URL: `{base}/t.js?id={container}`, where base is an origin, optionally with the
/// same-origin path prefix.
pub fn script_src(base: &str, container_id: &str) -> String {
    format!("{}/t.js?id={container_id}", base.trim_end_matches('/'))
}

/// Both install modes for a container: `tracking_origin` serves the worker (the tracking
/// subdomain), `site_origin` is the site's own origin and `same_origin_path` the prefix.
pub fn install_modes(
    container_id: &str,
    tracking_origin: &str,
    site_origin: &str,
    same_origin_path: &str,
) -> Vec<InstallMode> {
    let subdomain = script_src(tracking_origin, container_id);
    let same_origin = script_src(&format!("{site_origin}{same_origin_path}"), container_id);
    vec![
        InstallMode {
            mode: ServedFrom::Subdomain,
            html: snippet(&subdomain),
            script_src: subdomain,
        },
        InstallMode {
            mode: ServedFrom::SameOrigin,
            html: snippet(&same_origin),
            script_src: same_origin,
        },
    ]
}

/// A same-origin path prefix: `/` followed by 1–32 characters of `[A-Za-z0-9_-]`, no trailing
/// slash (`/_pc`). `None` otherwise.
pub fn parse_same_origin_path(raw: &str) -> Option<String> {
    let rest = raw.trim().strip_prefix('/')?;
    let ok = (1..=32).contains(&rest.len())
        && rest
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    ok.then(|| format!("/{rest}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_snippet_stubs_every_method_t_js_exposes() {
        let html = snippet("https://t.shop.com/t.js?id=ctr_1");
        for method in ["'track'", "'consent'", "'page'"] {
            assert!(html.contains(method), "{method}");
        }
        assert!(html.ends_with("<script async src=\"https://t.shop.com/t.js?id=ctr_1\"></script>"));
    }

    #[test]
    fn the_readme_shows_the_generated_snippets() {
        let readme = include_str!("../../README.md");
        for mode in install_modes(
            "ctr_YOUR_CONTAINER",
            "https://t.shop.com",
            "https://www.shop.com",
            DEFAULT_SAME_ORIGIN_PATH,
        ) {
            assert!(
                readme.contains(&mode.html),
                "README.md must show the {:?} snippet exactly:\n{}",
                mode.mode,
                mode.html
            );
        }
    }

    #[test]
    fn same_origin_paths_are_one_plain_segment() {
        assert_eq!(parse_same_origin_path("/_pc").as_deref(), Some("/_pc"));
        assert_eq!(
            parse_same_origin_path(" /track ").as_deref(),
            Some("/track")
        );
        for bad in ["", "/", "_pc", "/_pc/", "/a/b", "/a b", "/%2e"] {
            assert_eq!(parse_same_origin_path(bad), None, "{bad:?}");
        }
    }
}
