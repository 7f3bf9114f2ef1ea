//! Connector templates for common affiliate networks and trackers: data in the repo
//! (`assets/connector_templates.json`), served to the console, which fills in the marketer's
//! account values and opens the result as an unsaved connector.
//!
//! A template's connector body is the admin API's connector body, except that account values
//! the marketer must supply are written `<key>` (one of the template's `fields`), and nothing
//! else in it uses `<`. The URL shapes, parameters and click parameters follow each network's
//! or tracker's published server-to-server postback documentation as named in its `notes`.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// The templates, as the repo holds them.
const SOURCE: &str = include_str!("../../assets/connector_templates.json");

/// An account value the marketer fills in: `<key>` in the connector body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TemplateField {
    pub key: String,
    /// What the console labels the input with.
    pub label: String,
    /// A value of the right shape, shown as the input's placeholder.
    pub example: String,
}

/// One network's or tracker's connector, before the account values are filled in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ConnectorTemplate {
    /// Stable id, e.g. `awin`.
    pub id: String,
    pub name: String,
    /// `network`, `tracker` or `generic`.
    pub kind: String,
    /// Where the template comes from and where the account values are found.
    pub notes: String,
    pub fields: Vec<TemplateField>,
    /// The connector body, with `<key>` for each field.
    #[cfg_attr(test, schema(value_type = Object))]
    pub connector: Value,
}

impl ConnectorTemplate {
    /// The connector body with each `<key>` replaced by `values[key]` (left as it is when
    /// absent, so an unfilled URL fails to parse rather than going out wrong).
    pub fn fill(&self, values: &BTreeMap<String, String>) -> Value {
        fill_value(&self.connector, values)
    }

    /// The body filled with each field's example value.
    pub fn example(&self) -> Value {
        let values = self
            .fields
            .iter()
            .map(|f| (f.key.clone(), f.example.clone()))
            .collect();
        self.fill(&values)
    }
}

fn fill_value(value: &Value, values: &BTreeMap<String, String>) -> Value {
    match value {
        Value::String(text) => {
            let mut out = text.clone();
            for (key, filled) in values {
                out = out.replace(&format!("<{key}>"), filled);
            }
            Value::String(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(|v| fill_value(v, values)).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), fill_value(v, values)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Every template, in the order the console lists them. The file is checked by the unit tests,
/// so a broken one never ships; should it fail to parse anyway, the list is empty.
pub fn templates() -> Vec<ConnectorTemplate> {
    serde_json::from_str(SOURCE).unwrap_or_default()
}

#[cfg(test)]
mod tests;
