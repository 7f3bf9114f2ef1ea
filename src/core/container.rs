//! A container: one site's tracking setup (its cookie domain, allowed origins and redirects).

use super::clicks::{is_public_suffix, MAX_HOST_LEN};
use super::error::Invalid;
use super::retention::Retention;
use super::time_zone::{TimeZone, Zones};
use serde::Serialize;
use serde_json::{Map, Value};

const MAX_NAME_LEN: usize = 120;
const MAX_LIST: usize = 50;

/// The longest lock period, in days.
pub const MAX_LOCK_PERIOD_DAYS: u64 = 365;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(utoipa::ToSchema))]
pub struct ContainerSettings {
    pub name: String,
    /// Registrable domain the cookies are set on, e.g. `shop.com`.
    pub cookie_domain: String,
    /// Origins allowed to call the browser endpoints with credentials, e.g. `https://www.shop.com`.
    pub allowed_origins: Vec<String>,
    /// Extra hosts `/c` may redirect to, besides the cookie domain and its subdomains.
    pub redirect_domains: Vec<String>,
    pub require_consent: bool,
    pub compat_cookies: bool,
    /// Days each kind of data is kept, as set (unset kinds take the defaults). Answers show
    /// every kind with its effective days instead (`ContainerOut::retention_days`); the stored
    /// form travels in [`ContainerSettings::to_json`].
    #[serde(skip_serializing)]
    pub retention_days: Retention,
    /// Days after which a `received` conversion becomes `approved` (the cron sweep does it,
    /// recorded with provenance `admin` and reason `lock_period`); `None`: never.
    pub lock_period_days: Option<u16>,
    /// The IANA time zone its days are counted in (reconciliation, the events overview);
    /// `UTC` unless set.
    #[cfg_attr(test, schema(value_type = String, example = "Europe/Helsinki"))]
    pub time_zone: TimeZone,
}

impl ContainerSettings {
    /// A container's settings from a JSON body; `zones` are the time zones the runtime knows
    /// (`time_zone` must be one of them). Refusals name the field.
    pub fn parse(body: &Value, zones: &impl Zones) -> Result<Self, Invalid> {
        let o = body
            .as_object()
            .ok_or_else(|| Invalid::new("invalid_body", "must be a JSON object"))?;
        let name = match o.get("name") {
            Some(Value::String(s))
                if !s.trim().is_empty()
                    && s.trim().chars().count() <= MAX_NAME_LEN
                    && !s.chars().any(char::is_control) =>
            {
                s.trim().to_string()
            }
            None | Some(Value::Null) => {
                return Err(Invalid::field("required", "name", "is required"))
            }
            Some(_) => {
                return Err(Invalid::field(
                    "invalid_name",
                    "name",
                    "must be 1 to 120 characters",
                ))
            }
        };
        let cookie_domain = match o.get("cookie_domain") {
            Some(Value::String(s)) => parse_host(s, "cookie_domain")?,
            None | Some(Value::Null) => {
                return Err(Invalid::field(
                    "required",
                    "cookie_domain",
                    "is required, e.g. shop.com",
                ))
            }
            Some(_) => {
                return Err(Invalid::field(
                    "invalid_type",
                    "cookie_domain",
                    "must be a string",
                ))
            }
        };
        if !cookie_domain.contains('.') {
            return Err(Invalid::field(
                "invalid_domain",
                "cookie_domain",
                "must be a registrable domain such as shop.com",
            ));
        }
        refuse_public_suffix(&cookie_domain, "cookie_domain")?;
        let allowed_origins = list(o, "allowed_origins", parse_origin)?;
        let redirect_domains = list(o, "redirect_domains", parse_redirect_domain)?;
        let require_consent = flag(o, "require_consent", false)?;
        let compat_cookies = flag(o, "compat_cookies", true)?;
        let retention_days = Retention::parse(o.get("retention_days"))?;
        let lock_period_days = match o.get("lock_period_days") {
            None | Some(Value::Null) => None,
            Some(v) => Some(
                // JSON Schema's integer includes 30.0.
                v.as_f64()
                    .filter(|d| d.fract() == 0.0 && (1.0..=MAX_LOCK_PERIOD_DAYS as f64).contains(d))
                    .map(|d| d as u16)
                    .ok_or_else(|| {
                        Invalid::field(
                            "invalid_lock_period",
                            "lock_period_days",
                            "must be a whole number of days from 1 to 365, or null for none",
                        )
                    })?,
            ),
        };
        let time_zone = TimeZone::parse(o.get("time_zone"), zones)?;
        Ok(Self {
            time_zone,
            lock_period_days,
            name,
            cookie_domain,
            allowed_origins,
            redirect_domains,
            require_consent,
            compat_cookies,
            retention_days,
        })
    }

    /// The JSON form that `parse` accepts, for merge-patching.
    /// The settings as a JSON object, the retention as set: what a merge patch applies to.
    pub fn to_json(&self) -> Value {
        let mut value = serde_json::to_value(self).unwrap_or(Value::Null);
        value["retention_days"] = self.retention_days.to_stored();
        value
    }

    pub fn allows_origin(&self, origin: &str) -> bool {
        self.allowed_origins
            .iter()
            .any(|o| o.eq_ignore_ascii_case(origin))
    }
}

fn flag(o: &Map<String, Value>, key: &str, default: bool) -> Result<bool, Invalid> {
    match o.get(key) {
        None | Some(Value::Null) => Ok(default),
        Some(Value::Bool(b)) => Ok(*b),
        Some(_) => Err(Invalid::field("invalid_type", key, "must be true or false")),
    }
}

fn list(
    o: &Map<String, Value>,
    key: &str,
    parse: fn(&str, &str) -> Result<String, Invalid>,
) -> Result<Vec<String>, Invalid> {
    match o.get(key) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) if items.len() <= MAX_LIST => items
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let path = format!("{key}[{i}]");
                match v {
                    Value::String(s) => parse(s, &path),
                    _ => Err(Invalid::field("invalid_type", path, "must be a string")),
                }
            })
            .collect(),
        Some(_) => Err(Invalid::field(
            "invalid_type",
            key,
            "must be a list of at most 50 strings",
        )),
    }
}

/// A bare host name: lower case, no scheme, port, path or trailing dot.
fn parse_host(raw: &str, field: &str) -> Result<String, Invalid> {
    // The length bound holds for what was sent, not what is left after trimming: a 300-character
    // value padded with whitespace is refused as too long, as the document states.
    if raw.chars().count() > MAX_HOST_LEN {
        return Err(Invalid::field(
            "invalid_domain",
            field,
            format!("a host name is at most {MAX_HOST_LEN} characters"),
        ));
    }
    let host = raw
        .trim()
        .trim_start_matches('.')
        .trim_end_matches('.')
        .to_ascii_lowercase();
    let labels_ok = host.split('.').all(|l| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    });
    if host.is_empty()
        || host.len() > MAX_HOST_LEN
        || !labels_ok
        || host.parse::<std::net::Ipv4Addr>().is_ok()
    {
        return Err(Invalid::field(
            "invalid_domain",
            field,
            format!("{raw:?} is not a host name such as shop.com (no scheme, port or path)"),
        ));
    }
    Ok(host)
}

/// A public suffix is never a cookie domain or a redirect domain (see [`is_public_suffix`]).
fn refuse_public_suffix(host: &str, field: &str) -> Result<(), Invalid> {
    if is_public_suffix(host) {
        return Err(Invalid::field(
            "public_suffix",
            field,
            format!(
                "{host:?} is a public suffix (Public Suffix List): name the site's own domain, such as shop.{host}"
            ),
        ));
    }
    Ok(())
}

/// A redirect domain: a host name that is not a public suffix.
fn parse_redirect_domain(raw: &str, field: &str) -> Result<String, Invalid> {
    let host = parse_host(raw, field)?;
    refuse_public_suffix(&host, field)?;
    Ok(host)
}

/// An origin: `scheme://host[:port]`, nothing else.
fn parse_origin(raw: &str, field: &str) -> Result<String, Invalid> {
    let bad = || {
        Invalid::field(
            "invalid_origin",
            field,
            format!("{raw:?} is not an origin such as https://www.shop.com"),
        )
    };
    let url = url::Url::parse(raw.trim()).map_err(|_| bad())?;
    let bare = url.path() == "/" && url.query().is_none() && url.fragment().is_none();
    if !matches!(url.scheme(), "http" | "https")
        || url.host_str().is_none()
        || !bare
        || !url.username().is_empty()
    {
        return Err(bad());
    }
    Ok(url.origin().ascii_serialization())
}

#[cfg(test)]
mod tests {
    use super::super::time_zone::fixed::TestZones;
    use super::*;
    use serde_json::json;

    #[test]
    fn the_time_zone_defaults_to_utc_and_an_unknown_one_is_refused() {
        let c = ContainerSettings::parse(&valid(), &TestZones).unwrap();
        assert_eq!(c.time_zone.as_str(), "UTC");
        let mut body = valid();
        body["time_zone"] = json!("Asia/Kolkata");
        let c = ContainerSettings::parse(&body, &TestZones).unwrap();
        assert_eq!(
            ContainerSettings::parse(&c.to_json(), &TestZones).unwrap(),
            c
        );
        body["time_zone"] = json!("Asia/Atlantis");
        let err = ContainerSettings::parse(&body, &TestZones).unwrap_err();
        assert_eq!(err.field.as_deref(), Some("time_zone"));
    }

    fn valid() -> Value {
        json!({"name": "Shop", "cookie_domain": "Shop.com", "allowed_origins": ["https://www.shop.com/"]})
    }

    #[test]
    fn a_minimal_container_gets_defaults() {
        let c = ContainerSettings::parse(&valid(), &TestZones).unwrap();
        assert_eq!(c.cookie_domain, "shop.com");
        assert_eq!(c.allowed_origins, vec!["https://www.shop.com"]);
        assert!(c.compat_cookies);
        assert!(!c.require_consent);
        assert!(c.allows_origin("https://WWW.shop.com"));
        assert_eq!(
            ContainerSettings::parse(&c.to_json(), &TestZones).unwrap(),
            c
        );
    }

    #[test]
    fn each_bad_field_is_named() {
        let cases = [
            (json!({"cookie_domain": "shop.com"}), "name"),
            (json!({"name": "x"}), "cookie_domain"),
            (
                json!({"name": "x", "cookie_domain": "https://shop.com/"}),
                "cookie_domain",
            ),
            (
                json!({"name": "x", "cookie_domain": "localhost"}),
                "cookie_domain",
            ),
            (
                json!({"name": "x", "cookie_domain": "1.2.3.4"}),
                "cookie_domain",
            ),
            (
                json!({"name": "x", "cookie_domain": "a.com", "allowed_origins": ["javascript:alert(1)"]}),
                "allowed_origins[0]",
            ),
            (
                json!({"name": "x", "cookie_domain": "a.com", "allowed_origins": ["https://a.com/path"]}),
                "allowed_origins[0]",
            ),
            (
                json!({"name": "x", "cookie_domain": "a.com", "redirect_domains": ["a b.com"]}),
                "redirect_domains[0]",
            ),
            (
                // Within 253 once trimmed, but the value sent is longer than the documented bound.
                json!({"name": "x", "cookie_domain": "a.com",
                       "redirect_domains": [format!("shop.com{}", "\u{85}".repeat(250))]}),
                "redirect_domains[0]",
            ),
            (
                json!({"name": "x", "cookie_domain": "a.com", "require_consent": "yes"}),
                "require_consent",
            ),
            (
                json!({"name": "x", "cookie_domain": "a.com", "allowed_origins": "https://a.com"}),
                "allowed_origins",
            ),
        ];
        for (body, field) in cases {
            let err = ContainerSettings::parse(&body, &TestZones).unwrap_err();
            assert_eq!(err.field.as_deref(), Some(field), "{body}");
        }
    }

    #[test]
    fn public_suffixes_are_refused_as_cookie_or_redirect_domains() {
        for suffix in ["co.uk", "com.au", "github.io"] {
            let err = ContainerSettings::parse(
                &json!({"name": "x", "cookie_domain": suffix}),
                &TestZones,
            )
            .unwrap_err();
            assert_eq!(
                (err.code, err.field.as_deref()),
                ("public_suffix", Some("cookie_domain"))
            );
            let err = ContainerSettings::parse(
                &json!({"name": "x", "cookie_domain": "shop.com", "redirect_domains": ["ok.com", suffix]}),
                &TestZones,
            )
            .unwrap_err();
            assert_eq!(
                (err.code, err.field.as_deref()),
                ("public_suffix", Some("redirect_domains[1]"))
            );
        }
        for fine in ["shop.co.uk", "shop.test", "shop.localhost.test"] {
            let body = json!({"name": "x", "cookie_domain": fine, "redirect_domains": [fine]});
            assert!(
                ContainerSettings::parse(&body, &TestZones).is_ok(),
                "{fine}"
            );
        }
    }
}
