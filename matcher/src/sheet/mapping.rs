//! The optional mapping file (`--mapping FILE.toml`) for sheets whose headings or words
//! DOM does not know: column → field, value → vocabulary word, and defaults.
//!
//! ```toml
//! [columns]
//! "Recapito principale" = "phone"
//! "N. pratica" = "ignore"
//!
//! [values.jobs]
//! "aiuto cuoca" = "colf"
//!
//! [values.permit]
//! "cedolino" = "renewal_pending"
//!
//! [defaults]
//! max_travel_km = 30
//! ```

use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::model::{ExperienceKind, Gender, Job, Level, LiveIn, PermitKind};
use crate::names;

use super::header::{fields, fold_label, Field, Kind};
use super::read::Cell;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    columns: BTreeMap<String, String>,
    #[serde(default)]
    values: BTreeMap<String, BTreeMap<String, String>>,
    #[serde(default)]
    defaults: BTreeMap<String, toml::Value>,
}

/// A parsed, checked mapping file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Mapping {
    /// Folded heading → field key.
    columns: HashMap<String, String>,
    /// Field key → (folded value → vocabulary word).
    values: HashMap<String, HashMap<String, String>>,
    /// Field key → value used when the column is missing or the cell blank.
    defaults: HashMap<String, Cell>,
}

fn known_key(key: &str) -> bool {
    [Kind::Workers, Kind::Requests]
        .iter()
        .any(|k| Field::from_key(*k, key).is_some())
}

fn known_keys() -> String {
    let mut keys: Vec<&str> = [Kind::Workers, Kind::Requests]
        .iter()
        .flat_map(|k| fields(*k).iter().map(|(f, _)| f.key()))
        .chain([Field::Ignore.key()])
        .collect();
    keys.sort_unstable();
    keys.dedup();
    keys.join(", ")
}

/// Whether `word` belongs to the vocabulary of `key`; fields without one take any text.
fn valid_word(key: &str, word: &str) -> bool {
    match key {
        "jobs" | "job" => Job::parse(word).is_some(),
        "live_in" => LiveIn::parse(word).is_some(),
        "permit" => PermitKind::parse(word).is_some(),
        "gender" => Gender::parse(word).is_some(),
        "experience" | "needs" => ExperienceKind::parse(word).is_some(),
        "italian_level" | "requires.italian_min" => Level::parse(word).is_some(),
        "languages" | "requires.languages" => {
            word.len() == 2 && names::language_name(word).is_some()
        }
        "nationality" => word.len() == 2 && names::country_name(word).is_some(),
        "driving_license" | "requires.driving_license" => matches!(word, "true" | "false"),
        _ => true,
    }
}

impl Mapping {
    /// Parses and checks a mapping file; every error names the entry at fault.
    pub fn from_toml(text: &str) -> Result<Mapping> {
        let file: File = toml::from_str(text).map_err(|e| {
            Error::invalid(
                "mapping",
                format!("file di corrispondenze non valido: {}", e.message()),
            )
        })?;
        let mut mapping = Mapping::default();
        for (heading, key) in file.columns {
            if !known_key(&key) {
                return Err(Error::invalid(
                    "mapping",
                    format!(
                        "colonna \"{heading}\": campo \"{key}\" sconosciuto (campi: {})",
                        known_keys()
                    ),
                ));
            }
            mapping.columns.insert(fold_label(&heading), key);
        }
        for (key, table) in file.values {
            if !known_key(&key) {
                return Err(Error::invalid(
                    "mapping",
                    format!(
                        "[values.{key}]: campo sconosciuto (campi: {})",
                        known_keys()
                    ),
                ));
            }
            let mut words = HashMap::new();
            for (value, word) in table {
                if !valid_word(&key, &word) {
                    return Err(Error::invalid(
                        "mapping",
                        format!("[values.{key}] \"{value}\" = \"{word}\": parola non prevista per questo campo"),
                    ));
                }
                words.insert(fold_label(&value), word);
            }
            mapping.values.insert(key, words);
        }
        for (key, value) in file.defaults {
            if key == Field::ConsentDate.key() {
                // Consent is a fact about one person: a file cannot give it for everyone.
                return Err(Error::invalid(
                    "mapping",
                    "[defaults]: il consenso non può avere un valore predefinito, va registrato per ogni persona",
                ));
            }
            if !known_key(&key) {
                return Err(Error::invalid(
                    "mapping",
                    format!(
                        "[defaults] {key}: campo sconosciuto (campi: {})",
                        known_keys()
                    ),
                ));
            }
            let cell = match value {
                toml::Value::String(s) => Cell::Text(s),
                toml::Value::Integer(i) => Cell::Number(i as f64),
                toml::Value::Float(f) => Cell::Number(f),
                toml::Value::Boolean(b) => Cell::Bool(b),
                _ => {
                    return Err(Error::invalid(
                        "mapping",
                        format!("[defaults] {key}: indicare un testo, un numero o vero/falso"),
                    ))
                }
            };
            mapping.defaults.insert(key, cell);
        }
        Ok(mapping)
    }

    /// The field a heading is mapped to, for a sheet of `kind`.
    pub fn column(&self, kind: Kind, heading: &str) -> Option<Field> {
        let key = self.columns.get(&fold_label(heading))?;
        Field::from_key(kind, key)
    }

    /// The vocabulary word the file gives for `value` in `field`.
    pub fn value(&self, field: Field, value: &str) -> Option<&str> {
        self.values
            .get(field.key())?
            .get(&fold_label(value))
            .map(String::as_str)
    }

    /// The default for `field` when its column is missing or the cell blank.
    pub fn default_for(&self, field: Field) -> Option<&Cell> {
        self.defaults.get(field.key())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"
[columns]
"Recapito principale" = "phone"
"N. pratica" = "ignore"
"Mansione richiesta" = "job"

[values.jobs]
"Aiuto cuoca" = "colf"

[defaults]
max_travel_km = 30
live_in = "indifferente"
"#;

    #[test]
    fn columns_values_and_defaults() {
        let m = Mapping::from_toml(SAMPLE).unwrap();
        assert_eq!(
            m.column(Kind::Workers, "recapito  principale"),
            Some(Field::Phone)
        );
        assert_eq!(m.column(Kind::Workers, "N° pratica"), Some(Field::Ignore));
        assert_eq!(m.column(Kind::Workers, "N. pratica"), Some(Field::Ignore));
        // "job" is a request field: a worker sheet does not take it.
        assert_eq!(m.column(Kind::Workers, "Mansione richiesta"), None);
        assert_eq!(
            m.column(Kind::Requests, "Mansione richiesta"),
            Some(Field::Job)
        );
        assert_eq!(m.value(Field::Jobs, "aiuto cuoca"), Some("colf"));
        assert_eq!(m.default_for(Field::MaxTravelKm), Some(&Cell::Number(30.0)));
    }

    #[test]
    fn mistakes_are_refused_naming_the_entry() {
        for (text, needle) in [
            ("[columns]\n\"Tel\" = \"telefono\"\n", "telefono"),
            ("[values.jobs]\n\"cuoca\" = \"chef\"\n", "chef"),
            ("[defaults]\nconsent = \"2020-01-01\"\n", "consenso"),
            ("[colonne]\n", "non valido"),
            ("[values.nationality]\n\"moldova\" = \"XX\"\n", "XX"),
        ] {
            let err = Mapping::from_toml(text).unwrap_err();
            assert!(err.to_string().contains(needle), "{text}: {err}");
            assert_eq!(err.field(), Some("mapping"));
        }
    }
}
