//! The registry of click parameters: the one table that says which parameters postclick knows,
//! how each surface spells them, and what each one means. Capture (`/collect`, `/c`), `/webhook`,
//! the custom webhook, the dynamic parameters (`{{GCLID}}`), the admin parameter list and, through
//! it, the console all derive from [`CLICK_PARAMS`]; nothing else lists them.
//!
//! Which parameters, and why (the union was decided here, not inherited from one surface):
//! - The ad platforms' click ids (`gclid` ... `twclid`): captured from landing URLs, accepted by
//!   both webhook surfaces, sent back to partners, and each one identifies one person's click,
//!   so it matches a visitor.
//! - The UTM tags, `utm_id` included: `utm_id` is a real UTM tag (Google Analytics' campaign id),
//!   so it is captured, carried and offered as `{{UTM_ID}}` like the other five. Tags describe a
//!   campaign shared by every visitor of it, so they never match a visitor.
//! - Tracklution's own `trlc` (click identifier) and `trls` (source identifier), from seed 002's
//!   webhook table. They exist so a site moving from Tracklution keeps its webhooks working; no
//!   link of ours carries them, so capture ignores them. `trlc` names one click and matches a
//!   visitor; `trls` names a source, like a tag, and does not.
//!
//! Spellings: the canonical name is the URL parameter, which is also the custom webhook's field
//! name (seed 004 uses the SDK's lower-case names) and the stored name. The Tracklution name is
//! seed 002's spelling (`rdtCid`, `utmSource`); `/webhook` matches names regardless of case, `_`
//! and `-`, so `rdt_cid` is accepted there too. Seed 002 lists no `li_fat_id`, `twclid` or
//! `utm_id`; their Tracklution names are ours, in the seed's camel case.

use serde::Serialize;

/// What a click parameter says about the visit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ClickParamKind {
    /// An ad platform's click id: one person's click, sent back to the platform.
    AdClickId,
    /// A campaign tag (`utm_*`): describes the campaign, shared by all its visitors.
    CampaignTag,
    /// Tracklution's click identifier (`trlc`): one click, accepted on webhooks only.
    TracklutionClickId,
    /// Tracklution's source identifier (`trls`): a source, accepted on webhooks only.
    TracklutionSource,
}

/// The dynamic parameter holding the `_fbc` value built from the latest fbclid.
pub const FBC_PARAM: &str = "FBC";

/// An ad platform's own first-party cookie that a click parameter fills (see `clicks::cookies`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum CompatCookie {
    /// Meta's `_fbc`, `fb.{subdomain index}.{ms}.{fbclid}`.
    #[serde(rename = "_fbc")]
    Fbc,
    /// Google's `_gcl_aw`, `GCL.{unix seconds}.{gclid}`.
    #[serde(rename = "_gcl_aw")]
    GclAw,
}

impl CompatCookie {
    /// Every compatibility cookie, in the order their `Set-Cookie` headers are written.
    pub const ALL: [CompatCookie; 2] = [CompatCookie::Fbc, CompatCookie::GclAw];

    /// The cookie's name.
    pub const fn name(self) -> &'static str {
        match self {
            CompatCookie::Fbc => "_fbc",
            CompatCookie::GclAw => "_gcl_aw",
        }
    }

    /// The dynamic parameter that carries the cookie's value, with its description, if any:
    /// `{{FBC}}` exists because Meta's Conversions API asks for `fbc`; Google takes the gclid.
    pub fn dynamic_param(self) -> Option<(&'static str, &'static str)> {
        match self {
            CompatCookie::Fbc => Some((FBC_PARAM, "Meta _fbc cookie value: fb.1.{ms}.{fbclid}")),
            CompatCookie::GclAw => None,
        }
    }
}

/// One known click parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ClickParam {
    /// The URL parameter, lower case: also the custom webhook's field and the stored name.
    pub name: &'static str,
    /// The `/webhook` spelling from Tracklution's table (seed 002), or ours in its style.
    pub tracklution_name: &'static str,
    /// The dynamic parameter that resolves to the visitor's latest value, e.g. `GCLID`.
    pub dynamic_param: &'static str,
    pub kind: ClickParamKind,
    /// The platform cookie this parameter fills, when the container wants them.
    pub compat_cookie: Option<CompatCookie>,
    /// What the parameter is, for the parameter list.
    pub description: &'static str,
}

impl ClickParam {
    /// Whether a value names one person's click, so it may match a visitor and count as a
    /// click for attribution. Tags and sources name something many visitors share.
    pub fn identifies_click(&self) -> bool {
        matches!(
            self.kind,
            ClickParamKind::AdClickId | ClickParamKind::TracklutionClickId
        )
    }

    /// Whether capture reads it from landing URLs (Tracklution's fields arrive by webhook only).
    pub fn captured_from_landing(&self) -> bool {
        matches!(
            self.kind,
            ClickParamKind::AdClickId | ClickParamKind::CampaignTag
        )
    }
}

const fn ad(
    name: &'static str,
    tracklution_name: &'static str,
    dynamic_param: &'static str,
    description: &'static str,
) -> ClickParam {
    ClickParam {
        name,
        tracklution_name,
        dynamic_param,
        kind: ClickParamKind::AdClickId,
        compat_cookie: None,
        description,
    }
}

const fn tagged(kind: ClickParamKind, param: ClickParam) -> ClickParam {
    ClickParam { kind, ..param }
}

const fn with_cookie(cookie: CompatCookie, param: ClickParam) -> ClickParam {
    ClickParam {
        compat_cookie: Some(cookie),
        ..param
    }
}

use ClickParamKind::{CampaignTag, TracklutionClickId, TracklutionSource};

/// Every click parameter postclick knows, in the order payloads carry them: click ids, then
/// Tracklution's fields, then the UTM tags. A connector's own click parameter
/// (`click_id.param`) comes on top, per container.
pub static CLICK_PARAMS: &[ClickParam] = &[
    with_cookie(
        CompatCookie::GclAw,
        ad("gclid", "gclid", "GCLID", "Google Ads click id"),
    ),
    with_cookie(
        CompatCookie::Fbc,
        ad("fbclid", "fbclid", "FBCLID", "Meta click id"),
    ),
    ad("gbraid", "gbraid", "GBRAID", "Google app-to-web click id"),
    ad("wbraid", "wbraid", "WBRAID", "Google web-to-app click id"),
    ad("ttclid", "ttclid", "TTCLID", "TikTok click id"),
    ad("msclkid", "msclkid", "MSCLKID", "Microsoft Ads click id"),
    ad("epik", "epik", "EPIK", "Pinterest click id"),
    ad("dclid", "dclid", "DCLID", "Campaign Manager 360 click id"),
    ad("rdt_cid", "rdtCid", "RDT_CID", "Reddit click id"),
    ad("li_fat_id", "liFatId", "LI_FAT_ID", "LinkedIn click id"),
    ad("twclid", "twclid", "TWCLID", "X (Twitter) click id"),
    tagged(
        TracklutionClickId,
        ad(
            "trlc",
            "trlc",
            "TRLC",
            "Tracklution click id (webhooks only)",
        ),
    ),
    tagged(
        TracklutionSource,
        ad(
            "trls",
            "trls",
            "TRLS",
            "Tracklution source id (webhooks only)",
        ),
    ),
    tagged(
        CampaignTag,
        ad(
            "utm_source",
            "utmSource",
            "UTM_SOURCE",
            "utm_source of the latest click",
        ),
    ),
    tagged(
        CampaignTag,
        ad(
            "utm_medium",
            "utmMedium",
            "UTM_MEDIUM",
            "utm_medium of the latest click",
        ),
    ),
    tagged(
        CampaignTag,
        ad(
            "utm_campaign",
            "utmCampaign",
            "UTM_CAMPAIGN",
            "utm_campaign of the latest click",
        ),
    ),
    tagged(
        CampaignTag,
        ad(
            "utm_content",
            "utmContent",
            "UTM_CONTENT",
            "utm_content of the latest click",
        ),
    ),
    tagged(
        CampaignTag,
        ad(
            "utm_term",
            "utmTerm",
            "UTM_TERM",
            "utm_term of the latest click",
        ),
    ),
    tagged(
        CampaignTag,
        ad(
            "utm_id",
            "utmId",
            "UTM_ID",
            "utm_id (campaign id) of the latest click",
        ),
    ),
];

/// The known parameter of that name, compared without regard to ASCII case.
pub fn click_param(name: &str) -> Option<&'static ClickParam> {
    CLICK_PARAMS
        .iter()
        .find(|p| p.name.eq_ignore_ascii_case(name))
}

/// The parameter with this compatibility cookie.
pub fn with_compat_cookie(cookie: CompatCookie) -> Option<&'static ClickParam> {
    CLICK_PARAMS
        .iter()
        .find(|p| p.compat_cookie == Some(cookie))
}

/// The parameters capture reads from landing URLs.
pub fn captured_from_landing() -> impl Iterator<Item = &'static ClickParam> {
    CLICK_PARAMS.iter().filter(|p| p.captured_from_landing())
}

/// Whether a value of this parameter names one person's click. Names outside the table are a
/// connector's own click parameter (`aff_click_id`) or a partner's (`click_ids` in the custom
/// webhook), which identify a click by definition.
pub fn identifies_click(name: &str) -> bool {
    click_param(name).is_none_or(ClickParam::identifies_click)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_spellings_are_unique_and_well_formed() {
        for (i, a) in CLICK_PARAMS.iter().enumerate() {
            for b in &CLICK_PARAMS[i + 1..] {
                assert_ne!(a.name, b.name);
                assert_ne!(
                    a.tracklution_name.to_ascii_lowercase(),
                    b.tracklution_name.to_ascii_lowercase()
                );
                assert_ne!(a.dynamic_param, b.dynamic_param);
            }
            assert!(a
                .name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'));
            assert_eq!(a.dynamic_param, a.name.to_ascii_uppercase());
            let squashed: String = a.name.chars().filter(|c| *c != '_').collect();
            assert_eq!(
                squashed,
                a.tracklution_name.to_ascii_lowercase(),
                "{}",
                a.name
            );
        }
    }

    #[test]
    fn seed_002_spellings_are_in_the_table() {
        for spelled in [
            "gclid",
            "fbclid",
            "gbraid",
            "wbraid",
            "ttclid",
            "msclkid",
            "epik",
            "dclid",
            "rdtCid",
            "trls",
            "trlc",
            "utmSource",
            "utmMedium",
            "utmCampaign",
            "utmContent",
            "utmTerm",
        ] {
            assert!(
                CLICK_PARAMS.iter().any(|p| p.tracklution_name == spelled),
                "{spelled}"
            );
        }
    }

    #[test]
    fn click_ids_identify_a_click_and_tags_and_sources_do_not() {
        assert!(identifies_click("gclid"));
        assert!(identifies_click("GCLID"));
        assert!(identifies_click("trlc"));
        assert!(identifies_click("aff_click_id"));
        for shared in ["utm_source", "utm_id", "trls"] {
            assert!(!identifies_click(shared), "{shared}");
        }
    }

    #[test]
    fn capture_reads_click_ids_and_tags_but_not_tracklution_fields() {
        let captured: Vec<&str> = captured_from_landing().map(|p| p.name).collect();
        assert!(captured.contains(&"gclid") && captured.contains(&"utm_id"));
        assert!(!captured.contains(&"trlc") && !captured.contains(&"trls"));
    }

    #[test]
    fn each_compat_cookie_belongs_to_its_platform_click_id() {
        assert_eq!(
            with_compat_cookie(CompatCookie::Fbc).unwrap().name,
            "fbclid"
        );
        assert_eq!(
            with_compat_cookie(CompatCookie::GclAw).unwrap().name,
            "gclid"
        );
        assert_eq!(CompatCookie::Fbc.name(), "_fbc");
        assert_eq!(CompatCookie::GclAw.name(), "_gcl_aw");
    }
}
