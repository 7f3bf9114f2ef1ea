//! Which parameter a request name is: spelling-insensitive classification (the user-data and
//! click-parameter registries supply their own spellings), bracket keys, and the sorting of a
//! request's entries by meaning before any value is checked.

use super::{Invalid, MAX_PARAMETERS, MAX_PARAMETER_NAME_LEN};
use crate::core::click_params::CLICK_PARAMS;
use crate::core::form;
use crate::core::input::Raw;
use crate::core::user_data::{UserField, USER_FIELDS};
use std::collections::BTreeMap;

/// What a parameter name means, whatever its spelling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Param {
    /// The API key (`k`), which the edge reads; never stored.
    Key,
    Track,
    Value,
    Currency,
    Url,
    /// A field of the user-data registry ([`crate::core::user_data::USER_FIELDS`]).
    User(UserFieldKey),
    /// A parameter of the click-parameter registry, by its canonical name.
    Click(&'static str),
    EventId,
    UserAgent,
    Ip,
    ActionSource,
    EventAttributes,
    EventSourceDomain,
    IsPartial,
    ForceNewSessionCreatedAt,
    Source,
    PcTest,
    VisitorId,
    Consent,
}

/// The parameters that are neither user data nor click parameters, by the spelling seed 002
/// documents (ours, in its style, for the extensions `pcTest`, `visitorId` and `consent`).
/// [`classify`] reads this table and [`documented_parameters`] lists it, so the parser and the
/// API document cannot name different parameters.
const NAMED_PARAMS: &[(&str, Param)] = &[
    ("k", Param::Key),
    ("track", Param::Track),
    ("value", Param::Value),
    ("currency", Param::Currency),
    ("url", Param::Url),
    ("eventId", Param::EventId),
    ("userAgent", Param::UserAgent),
    ("ip", Param::Ip),
    ("actionSource", Param::ActionSource),
    ("eventAttributes", Param::EventAttributes),
    ("eventSourceDomain", Param::EventSourceDomain),
    ("isPartial", Param::IsPartial),
    ("forceNewSessionCreatedAt", Param::ForceNewSessionCreatedAt),
    ("source", Param::Source),
    ("pcTest", Param::PcTest),
    ("visitorId", Param::VisitorId),
    ("consent", Param::Consent),
];

/// Every parameter `/webhook` knows, by its documented spelling, with its meaning: the named
/// ones, then each user-data field under seed 002's spelling, then each click parameter under
/// its Tracklution name, in the registries' order. The other spellings the registries hold
/// (`phone`, `phoneVariants`) and any variant in case, `_` or `-` (`rdt_cid`) are the same
/// parameters.
pub fn documented_parameters() -> impl Iterator<Item = (&'static str, Param)> {
    let user = USER_FIELDS.iter().enumerate().filter_map(|(index, spec)| {
        (spec.tracklution_names.first()).map(|name| (*name, Param::User(UserFieldKey(index))))
    });
    let clicks = CLICK_PARAMS
        .iter()
        .map(|p| (p.tracklution_name, Param::Click(p.name)));
    NAMED_PARAMS.iter().copied().chain(user).chain(clicks)
}

/// A [`UserField`] as a map key: its position in the registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct UserFieldKey(usize);

impl UserFieldKey {
    pub fn field(self) -> UserField {
        USER_FIELDS[self.0].field
    }

    /// The spelling seed 002 documents, for errors about the field as a whole.
    pub(super) fn documented(self) -> &'static str {
        USER_FIELDS[self.0]
            .tracklution_names
            .first()
            .copied()
            .unwrap_or(USER_FIELDS[self.0].key)
    }
}

/// Lower-case, without `_` and `-`: `utm_source`, `utmSource` and `UTM-SOURCE` are one name.
pub(super) fn squash(name: &str) -> String {
    name.chars()
        .filter(|c| *c != '_' && *c != '-')
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

fn classify(squashed: &str) -> Option<Param> {
    NAMED_PARAMS
        .iter()
        .find(|(name, _)| squash(name) == squashed)
        .map(|(_, param)| *param)
        .or_else(|| registry_param(squashed))
}

/// A name of the user-data or the click-parameter registry, by any of its `/webhook` spellings.
fn registry_param(squashed: &str) -> Option<Param> {
    let user = USER_FIELDS
        .iter()
        .position(|spec| spec.tracklution_names.iter().any(|n| squash(n) == squashed));
    if let Some(index) = user {
        return Some(Param::User(UserFieldKey(index)));
    }
    CLICK_PARAMS
        .iter()
        .find(|p| squash(p.tracklution_name) == squashed)
        .map(|p| Param::Click(p.name))
}

/// One parameter as it arrived: the name as sent (for error fields) and its raw value.
#[derive(Debug, Clone, Copy)]
pub(super) struct Entry<'a> {
    pub(super) name: &'a str,
    pub(super) raw: Raw<'a>,
}

/// The request's parameters sorted by meaning, before any value is checked.
#[derive(Default)]
pub(super) struct Collected<'a> {
    pub(super) singles: BTreeMap<Param, Entry<'a>>,
    /// The entries of each variants list (`emailVariants`, `emailVariants[]`, ...).
    pub(super) variants: BTreeMap<UserFieldKey, Vec<Entry<'a>>>,
    /// `consent[advertising]=denied`, by purpose.
    pub(super) consent_items: Vec<(&'a str, Entry<'a>)>,
    /// Whole `eventAttributes` objects (JSON, or JSON-encoded text).
    pub(super) attribute_objects: Vec<Entry<'a>>,
    /// `eventAttributes[plan]=Premium`, by inner key.
    pub(super) attribute_items: Vec<(&'a str, Entry<'a>)>,
    pub(super) unknown: Vec<Entry<'a>>,
}

fn invalid_parameter(name: &str, message: &str) -> Invalid {
    let shown: String = name.chars().take(MAX_PARAMETER_NAME_LEN).collect();
    Invalid::field("invalid_parameter", shown, message)
}

/// `base[inner]` → (`base`, Some(`inner`)); a name without brackets → (name, None).
fn split_brackets(name: &str) -> Result<(&str, Option<&str>), Invalid> {
    let Some(open) = name.find('[') else {
        return Ok((name, None));
    };
    let inner = name[open + 1..]
        .strip_suffix(']')
        .filter(|inner| !inner.contains(['[', ']']));
    match inner {
        Some(inner) => Ok((&name[..open], Some(inner))),
        None => Err(invalid_parameter(
            name,
            "bracket names take one level, like eventAttributes[plan]",
        )),
    }
}

impl<'a> Collected<'a> {
    pub(super) fn from_entries(entries: Vec<(&'a str, Raw<'a>)>) -> Result<Self, Invalid> {
        if entries.len() > MAX_PARAMETERS {
            return Err(Invalid::new(
                "too_many_parameters",
                format!("at most {MAX_PARAMETERS} parameters per request"),
            ));
        }
        let mut c = Collected::default();
        for (name, raw) in entries {
            let entry = Entry { name, raw };
            if !crate::core::input::is_field_name(name) {
                return Err(invalid_parameter(
                    name,
                    "parameter names are 1 to 64 printable characters",
                ));
            }
            let (base, inner) = split_brackets(name)?;
            match (classify(&squash(base)), inner) {
                (Some(Param::Key), None) => {}
                (Some(Param::EventAttributes), None) => c.attribute_objects.push(entry),
                (Some(Param::EventAttributes), Some(key)) if !key.trim().is_empty() => {
                    c.attribute_items.push((key, entry));
                }
                (Some(Param::User(key)), inner)
                    if key.field().is_list() && is_list_index(inner) =>
                {
                    c.variants.entry(key).or_default().push(entry);
                }
                (Some(Param::Consent), Some(purpose)) => c.consent_items.push((purpose, entry)),
                (Some(param), None) => c.insert_single(param, entry)?,
                (Some(_), Some(_)) => {
                    return Err(invalid_parameter(name, "this parameter takes no brackets"));
                }
                (None, _) => c.unknown.push(entry),
            }
        }
        Ok(c)
    }

    fn insert_single(&mut self, param: Param, entry: Entry<'a>) -> Result<(), Invalid> {
        if let Some(earlier) = self.singles.get(&param) {
            let same = matches!(
                (earlier.raw.as_text(earlier.name), entry.raw.as_text(entry.name)),
                (Ok(a), Ok(b)) if a.as_deref().map(str::trim) == b.as_deref().map(str::trim)
            );
            if !same {
                return Err(Invalid::field(
                    form::DUPLICATE_PARAMETER,
                    entry.name,
                    format!("{} was already given with another value", earlier.name),
                ));
            }
            return Ok(());
        }
        self.singles.insert(param, entry);
        Ok(())
    }

    pub(super) fn text(&self, param: Param) -> Result<Option<(String, &'a str)>, Invalid> {
        let Some(entry) = self.singles.get(&param) else {
            return Ok(None);
        };
        Ok(entry
            .raw
            .as_text(entry.name)?
            .map(|t| (t.into_owned(), entry.name)))
    }

    /// Read one parameter through one of the `input` parsers.
    pub(super) fn read(
        &self,
        param: Param,
        parser: fn(&str, &str) -> Result<Option<String>, Invalid>,
    ) -> Result<Option<String>, Invalid> {
        match self.text(param)? {
            Some((text, name)) => parser(&text, name),
            None => Ok(None),
        }
    }
}

/// `emailVariants[]`, `emailVariants[0]` and plain `emailVariants` are list entries.
fn is_list_index(inner: Option<&str>) -> bool {
    inner.is_none_or(|i| i.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_parameter_is_read_as_what_the_document_says_it_is() {
        let documented: Vec<_> = documented_parameters().collect();
        for (name, param) in &documented {
            assert_eq!(classify(&squash(name)), Some(*param), "{name}");
        }
        let mut names: Vec<String> = documented.iter().map(|(n, _)| squash(n)).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), documented.len(), "two parameters share a name");
    }

    #[test]
    fn the_documented_parameters_cover_both_registries() {
        let documented: Vec<_> = documented_parameters().map(|(_, p)| p).collect();
        for click in CLICK_PARAMS {
            assert!(
                documented.contains(&Param::Click(click.name)),
                "{}",
                click.name
            );
        }
        for spec in USER_FIELDS
            .iter()
            .filter(|s| !s.tracklution_names.is_empty())
        {
            assert!(
                documented
                    .iter()
                    .any(|p| matches!(p, Param::User(k) if k.field() == spec.field)),
                "{}",
                spec.key
            );
        }
        assert!(documented.contains(&Param::Consent));
    }
}
