//! Where a postback may go. Only http and https, and no address inside the deployment's own
//! network (loopback, private ranges, link-local cloud metadata, ...) unless the deployment
//! explicitly allows private targets, as local development and tests do.
//!
//! This check sees the URL only. The `url` crate has already turned integer, octal and hex
//! IPv4 spellings (`2130706433`, `0x7f.1`, `017700000001`) into addresses, so they are caught
//! here. A hostname other than `localhost` cannot be resolved in pure code: a public name that
//! resolves to a private address (DNS rebinding) is out of scope for this check and is left to
//! the platform's outbound network, which on Cloudflare does not reach private networks.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use url::{Host, Url};

/// The kind of non-public address a target pointed at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressRange {
    Loopback,
    /// RFC 1918, IPv6 unique-local and site-local, local-use NAT64.
    Private,
    /// 169.254/16 (which holds cloud metadata at 169.254.169.254) and fe80::/10.
    LinkLocal,
    /// 100.64/10, carrier-grade NAT.
    SharedAddressSpace,
    /// 0.0.0.0/8 and `::`.
    Unspecified,
    Multicast,
    Broadcast,
    /// Documentation, benchmarking, protocol-assignment and future-use ranges, and IPv6
    /// transition forms that can hide an arbitrary IPv4 address.
    Reserved,
}

impl AddressRange {
    pub fn as_str(self) -> &'static str {
        match self {
            AddressRange::Loopback => "loopback",
            AddressRange::Private => "private network",
            AddressRange::LinkLocal => "link-local (includes cloud metadata)",
            AddressRange::SharedAddressSpace => "carrier-grade NAT",
            AddressRange::Unspecified => "unspecified address",
            AddressRange::Multicast => "multicast",
            AddressRange::Broadcast => "broadcast",
            AddressRange::Reserved => "reserved range",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetRefused {
    UnsupportedScheme(String),
    MissingHost,
    NonPublic { host: String, range: AddressRange },
}

impl TargetRefused {
    pub fn code(&self) -> &'static str {
        match self {
            TargetRefused::UnsupportedScheme(_) => "unsupported_scheme",
            TargetRefused::MissingHost => "missing_host",
            TargetRefused::NonPublic { .. } => "private_target",
        }
    }
}

impl fmt::Display for TargetRefused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TargetRefused::UnsupportedScheme(s) => {
                write!(f, "{s}: URLs are refused; only http and https are allowed")
            }
            TargetRefused::MissingHost => write!(f, "the URL names no host"),
            TargetRefused::NonPublic { host, range } => write!(
                f,
                "{host} is a {} address; this deployment does not allow private targets",
                range.as_str()
            ),
        }
    }
}

impl std::error::Error for TargetRefused {}

/// Refuse a target outside http/https, or inside a non-public range unless `allow_private`.
pub fn check_target(url: &Url, allow_private: bool) -> Result<(), TargetRefused> {
    if !matches!(url.scheme(), "http" | "https") {
        return Err(TargetRefused::UnsupportedScheme(url.scheme().to_string()));
    }
    let host = url.host().ok_or(TargetRefused::MissingHost)?;
    if allow_private {
        return Ok(());
    }
    let range = match &host {
        Host::Domain(name) => domain_range(name),
        Host::Ipv4(ip) => ipv4_range(*ip),
        Host::Ipv6(ip) => ipv6_range(*ip),
    };
    match range {
        Some(range) => Err(TargetRefused::NonPublic {
            host: host.to_string(),
            range,
        }),
        None => Ok(()),
    }
}

/// `localhost` and `*.localhost` always mean this machine (RFC 6761), with or without the
/// trailing root dot.
fn domain_range(name: &str) -> Option<AddressRange> {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    let is_localhost = name == "localhost" || name.ends_with(".localhost");
    if is_localhost {
        return Some(AddressRange::Loopback);
    }
    // Defensive: the url crate turns IP spellings into `Host::Ipv4`, but an address that
    // somehow arrives as a name is still judged as an address.
    match name.parse::<IpAddr>() {
        Ok(IpAddr::V4(ip)) => ipv4_range(ip),
        Ok(IpAddr::V6(ip)) => ipv6_range(ip),
        Err(_) => None,
    }
}

/// The non-public range an IPv4 address falls in, if any.
pub fn ipv4_range(ip: Ipv4Addr) -> Option<AddressRange> {
    let [a, b, c, _] = ip.octets();
    let range = match (a, b, c) {
        (0, _, _) => AddressRange::Unspecified,
        (127, _, _) => AddressRange::Loopback,
        (10, _, _) => AddressRange::Private,
        (172, 16..=31, _) => AddressRange::Private,
        (192, 168, _) => AddressRange::Private,
        (169, 254, _) => AddressRange::LinkLocal,
        (100, 64..=127, _) => AddressRange::SharedAddressSpace,
        (192, 0, 0) | (192, 0, 2) | (198, 51, 100) | (203, 0, 113) => AddressRange::Reserved,
        (198, 18..=19, _) => AddressRange::Reserved,
        (224..=239, _, _) => AddressRange::Multicast,
        (255, 255, 255) if ip.is_broadcast() => AddressRange::Broadcast,
        (240..=255, _, _) => AddressRange::Reserved,
        _ => return None,
    };
    Some(range)
}

/// The non-public range an IPv6 address falls in, if any. Forms that embed an IPv4 address
/// (mapped, compatible, NAT64, 6to4) are judged by that address.
pub fn ipv6_range(ip: Ipv6Addr) -> Option<AddressRange> {
    let s = ip.segments();
    if ip.is_unspecified() {
        return Some(AddressRange::Unspecified);
    }
    if ip.is_loopback() {
        return Some(AddressRange::Loopback);
    }
    let embedded = |hi: u16, lo: u16| {
        let [a, b] = hi.to_be_bytes();
        let [c, d] = lo.to_be_bytes();
        Ipv4Addr::new(a, b, c, d)
    };
    // ::ffff:a.b.c.d (mapped) and the deprecated ::a.b.c.d (compatible).
    if s[..5] == [0; 5] && (s[5] == 0xffff || s[5] == 0) {
        return ipv4_range(embedded(s[6], s[7]));
    }
    // 64:ff9b::a.b.c.d, the well-known NAT64 prefix.
    if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return ipv4_range(embedded(s[6], s[7]));
    }
    // 2002:AABB:CCDD::/48, 6to4.
    if s[0] == 0x2002 {
        return ipv4_range(embedded(s[1], s[2]));
    }
    let range = match s[0] {
        0x0064 if s[1] == 0xff9b && s[2] == 1 => AddressRange::Private,
        0xfc00..=0xfdff => AddressRange::Private,
        0xfe80..=0xfebf => AddressRange::LinkLocal,
        0xfec0..=0xfeff => AddressRange::Private,
        0xff00..=0xffff => AddressRange::Multicast,
        // Documentation, and Teredo (which tunnels to an arbitrary IPv4 address).
        0x2001 if s[1] == 0x0db8 || s[1] == 0 => AddressRange::Reserved,
        // Discard-only 100::/64.
        0x0100 if s[1..4] == [0, 0, 0] => AddressRange::Reserved,
        _ => return None,
    };
    Some(range)
}
