//! Every Italian comune (ISTAT list with GeoNames coordinates, embedded from `fixtures/`):
//! lookup by ISTAT code, typo-tolerant lookup by name, great-circle distances.

use std::collections::HashMap;
use std::sync::OnceLock;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Longest input resolved: the longest name ("San Valentino in Abruzzo Citeriore", 34
/// characters) with a province and generous spacing fits.
const MAX_INPUT: usize = 80;
const CSV: &str = include_str!("../../fixtures/comuni-italiani.csv");

/// Similarity a fuzzy match must reach to be taken without asking (Jaro-Winkler on the
/// folded name). Below it, or when two comuni score alike, the operator chooses.
const ACCEPT_SIMILARITY: f64 = 0.92;
const CLEAR_LEAD: f64 = 0.02;
const SUGGESTIONS: usize = 5;

#[derive(Debug, Clone, PartialEq)]
pub struct Comune {
    pub istat: String,
    pub name: String,
    pub province: String,
    pub region: String,
    pub lat: f64,
    pub lon: f64,
    /// True when the point is the province's centroid, so distances are rough.
    pub approximate: bool,
}

/// A possible comune for a name the operator typed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ComuneMatch {
    pub istat_code: String,
    pub name: String,
    pub province: String,
    pub similarity: f64,
}

/// The table of comuni. Slots (`u16`) are stable for one build of DOM and let the
/// in-memory matching tables refer to a comune in two bytes.
pub struct Comuni {
    list: Vec<Comune>,
    by_code: HashMap<String, u16>,
    /// Folded names without spaces or punctuation, parallel to `list`.
    keys: Vec<String>,
    /// Cosine of each comune's latitude, parallel to `list`: a distance row computes
    /// ~7,900 haversines, and the cosine was half of each.
    cos_lat: Vec<f64>,
}

impl Comuni {
    /// The embedded table, parsed once per process.
    pub fn get() -> &'static Comuni {
        static TABLE: OnceLock<Comuni> = OnceLock::new();
        TABLE.get_or_init(|| Comuni::parse(CSV).expect("embedded comuni table is valid"))
    }

    fn parse(csv: &str) -> std::result::Result<Comuni, String> {
        let mut list = Vec::new();
        for (n, line) in csv.lines().enumerate().skip(1) {
            if line.trim().is_empty() {
                continue;
            }
            let cols: Vec<&str> = line.split(',').collect();
            let [istat, name, province, region, lat, lon, source] = cols[..] else {
                return Err(format!("line {}: expected 7 columns", n + 1));
            };
            let num = |s: &str| s.parse::<f64>().map_err(|e| format!("line {}: {e}", n + 1));
            list.push(Comune {
                istat: istat.to_string(),
                name: name.to_string(),
                province: province.to_string(),
                region: region.to_string(),
                lat: num(lat)?,
                lon: num(lon)?,
                approximate: source == "province-centroid",
            });
        }
        let by_code = list
            .iter()
            .enumerate()
            .map(|(i, c)| (c.istat.clone(), i as u16))
            .collect();
        let keys = list.iter().map(|c| fold_key(&c.name)).collect();
        let cos_lat = list.iter().map(|c| c.lat.to_radians().cos()).collect();
        Ok(Comuni {
            list,
            by_code,
            keys,
            cos_lat,
        })
    }

    pub fn len(&self) -> usize {
        self.list.len()
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    pub fn slot(&self, istat: &str) -> Option<u16> {
        self.by_code.get(istat).copied()
    }

    pub fn by_slot(&self, slot: u16) -> &Comune {
        &self.list[slot as usize]
    }

    pub fn by_code(&self, istat: &str) -> Option<&Comune> {
        self.slot(istat).map(|s| self.by_slot(s))
    }

    /// The name to show for a stored code. Stored codes were validated, so an unknown
    /// one means a table from another year: show the code rather than hide the record.
    pub fn name_of(&self, istat: &str) -> String {
        self.by_code(istat)
            .map_or_else(|| istat.to_string(), |c| c.name.clone())
    }

    /// `name_of` with the province: "Orbetello (GR)".
    pub fn name_with_province(&self, istat: &str) -> String {
        self.by_code(istat).map_or_else(
            || istat.to_string(),
            |c| format!("{} ({})", c.name, c.province),
        )
    }

    pub fn iter(&self) -> impl Iterator<Item = &Comune> {
        self.list.iter()
    }

    /// Resolves what an operator typed — an ISTAT code, a name with typos or odd
    /// spacing ("Rocca strada"), or a name with its province ("Castro (BG)") — to a comune.
    /// An unknown or ambiguous name is an error listing the closest matches.
    pub fn resolve(&self, field: &str, input: &str) -> Result<&Comune> {
        let input = input.trim();
        // Fuzzy matching costs length × length per comune: a long string would be a cheap
        // way to tie up a core (found by the comune_name fuzz target).
        if input.chars().count() > MAX_INPUT {
            return Err(Error::invalid(
                field,
                format!("nome del comune troppo lungo (al massimo {MAX_INPUT} caratteri)"),
            ));
        }
        if !input.is_empty() && input.bytes().all(|b| b.is_ascii_digit()) {
            return self.by_code(input).ok_or_else(|| Error::UnknownComune {
                field: field.to_string(),
                query: input.to_string(),
                suggestions: Vec::new(),
            });
        }
        let (name, province) = split_province(input);
        let key = fold_key(name);
        if key.is_empty() {
            return Err(Error::invalid(field, "indicare il comune"));
        }
        let in_province =
            |i: &usize| province.is_none_or(|p| self.list[*i].province.eq_ignore_ascii_case(p));

        let exact: Vec<usize> = (0..self.list.len())
            .filter(|i| self.keys[*i] == key)
            .filter(in_province)
            .collect();
        if exact.len() == 1 {
            return Ok(&self.list[exact[0]]);
        }

        let mut scored: Vec<(usize, f64)> = (0..self.list.len())
            .filter(in_province)
            .map(|i| (i, strsim::jaro_winkler(&key, &self.keys[i])))
            .collect();
        scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let clear = match scored.as_slice() {
            [(best, s), rest @ ..] if exact.is_empty() && *s >= ACCEPT_SIMILARITY => rest
                .first()
                .is_none_or(|(_, second)| s - second >= CLEAR_LEAD)
                .then_some(*best),
            _ => None,
        };
        if let Some(i) = clear {
            return Ok(&self.list[i]);
        }
        Err(Error::UnknownComune {
            field: field.to_string(),
            query: input.to_string(),
            suggestions: scored
                .into_iter()
                .take(SUGGESTIONS)
                .map(|(i, s)| ComuneMatch {
                    istat_code: self.list[i].istat.clone(),
                    name: self.list[i].name.clone(),
                    province: self.list[i].province.clone(),
                    similarity: (s * 1000.0).round() / 1000.0,
                })
                .collect(),
        })
    }

    /// Distances in km from one comune to every comune, by slot: computed once per
    /// request so a scan reads a distance instead of computing it. Split across the
    /// pool: 7,896 haversines (0.14 ms on one core, 0.09 ms on two) are a request's
    /// largest fixed cost the first time its comune is seen. Each distance is computed
    /// alone, so the bits do not change.
    pub fn distances_from(&self, slot: u16) -> Vec<f64> {
        let from = self.by_slot(slot);
        let from_cos = self.cos_lat[slot as usize];
        self.list
            .par_iter()
            .zip(&self.cos_lat)
            .with_min_len(1024)
            .map(|(c, &cos)| haversine_cos(from.lat, from.lon, from_cos, c.lat, c.lon, cos))
            .collect()
    }

    /// Great-circle distance in km between two comuni.
    pub fn distance_km(&self, a: u16, b: u16) -> f64 {
        let (a, b) = (self.by_slot(a), self.by_slot(b));
        haversine_km(a.lat, a.lon, b.lat, b.lon)
    }
}

/// "Castro (BG)" or "Castro, BG" → ("Castro", Some("BG")).
fn split_province(input: &str) -> (&str, Option<&str>) {
    if let Some(open) = input.rfind('(') {
        if let Some(p) = input[open + 1..].strip_suffix(')') {
            if p.trim().len() == 2 {
                return (input[..open].trim(), Some(p.trim()));
            }
        }
    }
    if let Some((name, p)) = input.rsplit_once(',') {
        if p.trim().len() == 2 && p.trim().chars().all(|c| c.is_ascii_alphabetic()) {
            return (name.trim(), Some(p.trim()));
        }
    }
    (input, None)
}

/// Lowercase, accents folded, only letters and digits: "Castell'Azzara" → "castellazzara".
pub fn fold_key(s: &str) -> String {
    crate::text::fold(s)
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect()
}

pub fn haversine_km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (cos1, cos2) = (lat1.to_radians().cos(), lat2.to_radians().cos());
    haversine_cos(lat1, lon1, cos1, lat2, lon2, cos2)
}

/// The haversine with the latitudes' cosines given, so a row of distances from one
/// comune reuses them; same operations in the same order, so the same bits.
fn haversine_cos(lat1: f64, lon1: f64, cos1: f64, lat2: f64, lon2: f64, cos2: f64) -> f64 {
    const EARTH_RADIUS_KM: f64 = 6371.0088;
    let dp = (lat2 - lat1).to_radians();
    let dl = (lon2 - lon1).to_radians();
    let h = (dp / 2.0).sin().powi(2) + cos1 * cos2 * (dl / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * h.sqrt().min(1.0).asin()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name_of(input: &str) -> String {
        Comuni::get().resolve("comune", input).unwrap().name.clone()
    }

    #[test]
    fn loads_every_comune() {
        assert_eq!(Comuni::get().len(), 7896);
        let grosseto = Comuni::get().by_code("053011").unwrap();
        assert_eq!(grosseto.name, "Grosseto");
        assert_eq!(grosseto.province, "GR");
    }

    #[test]
    fn resolves_codes_spacing_case_and_typos() {
        assert_eq!(name_of("053011"), "Grosseto");
        assert_eq!(name_of("Rocca strada"), "Roccastrada");
        assert_eq!(name_of("scansano"), "Scansano");
        assert_eq!(name_of("Folonica"), "Follonica");
        assert_eq!(name_of("castell azzara"), "Castell'Azzara");
        assert_eq!(name_of("Civitella Paganico"), "Civitella Paganico");
        assert_eq!(
            name_of("Castiglione della Pescaia"),
            "Castiglione della Pescaia"
        );
        assert_eq!(name_of("Castro (BG)"), "Castro");
    }

    #[test]
    fn homonyms_are_ambiguous_without_province() {
        match Comuni::get().resolve("comune", "Castro") {
            Err(Error::UnknownComune { suggestions, .. }) => {
                let provinces: Vec<_> = suggestions
                    .iter()
                    .filter(|s| s.name == "Castro")
                    .map(|s| s.province.as_str())
                    .collect();
                assert_eq!(provinces.len(), 2, "{suggestions:?}");
            }
            other => panic!("expected ambiguity, got {other:?}"),
        }
    }

    #[test]
    fn unknown_names_list_closest_matches() {
        match Comuni::get().resolve("comune", "Grossetto di Sopra") {
            Err(Error::UnknownComune {
                field, suggestions, ..
            }) => {
                assert_eq!(field, "comune");
                assert_eq!(suggestions.len(), SUGGESTIONS);
            }
            other => panic!("expected unknown, got {other:?}"),
        }
        assert!(matches!(
            Comuni::get().resolve("comune", "999999"),
            Err(Error::UnknownComune { .. })
        ));
        assert!(Comuni::get().resolve("comune", "  ").is_err());
    }

    #[test]
    fn distances_are_great_circle() {
        let c = Comuni::get();
        let d = c.distance_km(c.slot("053011").unwrap(), c.slot("053009").unwrap());
        // Grosseto–Follonica is about 34 km as the crow flies (46 by road).
        assert!((30.0..38.0).contains(&d), "{d}");
        let milano_palermo = c.distance_km(c.slot("015146").unwrap(), c.slot("082053").unwrap());
        assert!((880.0..900.0).contains(&milano_palermo), "{milano_palermo}");
        assert_eq!(c.distance_km(5, 5), 0.0);
    }

    #[test]
    fn distance_rows_are_bit_identical_to_the_formula() {
        let c = Comuni::get();
        let textbook = |lat1: f64, lon1: f64, lat2: f64, lon2: f64| {
            let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
            let dp = (lat2 - lat1).to_radians();
            let dl = (lon2 - lon1).to_radians();
            let h = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
            2.0 * 6371.0088 * h.sqrt().min(1.0).asin()
        };
        for from in [0u16, 1234, c.slot("053011").unwrap(), (c.len() - 1) as u16] {
            let a = c.by_slot(from);
            let row = c.distances_from(from);
            assert_eq!(row.len(), c.len());
            for (to, d) in row.iter().enumerate() {
                let b = c.by_slot(to as u16);
                let want = textbook(a.lat, a.lon, b.lat, b.lon);
                assert_eq!(d.to_bits(), want.to_bits(), "{from} → {to}");
                assert_eq!(c.distance_km(from, to as u16).to_bits(), want.to_bits());
            }
        }
    }

    #[test]
    fn overlong_input_is_refused_before_fuzzy_matching() {
        let c = Comuni::get();
        assert!(c
            .resolve("comune", "San Valentino in Abruzzo Citeriore (PE)")
            .is_ok());
        let long = "Grosseto".repeat(20);
        assert!(matches!(
            c.resolve("comune", &long),
            Err(Error::Invalid { field, .. }) if field == "comune"
        ));
    }
}
