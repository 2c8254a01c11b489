//! Italian names of countries (ISO 3166-1 alpha-2) and languages (ISO 639-1), both ways:
//! what a desk types ("ucraina", "Perù", "romeno") → code, and code → name for the UI.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::comuni::fold_key;

const COUNTRIES_TSV: &str = include_str!("../../fixtures/names/countries.tsv");
const LANGUAGES_TSV: &str = include_str!("../../fixtures/names/languages.tsv");

/// One country: its code, Italian name and the language most of its people speak.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Country {
    pub code: &'static str,
    pub name: &'static str,
    /// ISO 639-1 code of the main language, when one clearly dominates.
    pub language: Option<&'static str>,
}

/// One language: its code and Italian name (masculine, as in "parla rumeno").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Language {
    pub code: &'static str,
    pub name: &'static str,
}

/// A folded-key → code table with typo-tolerant lookup.
struct Lexicon<T: 'static> {
    items: Vec<T>,
    /// Folded key → index in `items`; every name, spelling and demonym has one.
    keys: HashMap<String, usize>,
    /// Code (uppercase for countries, lowercase for languages) → index.
    codes: HashMap<&'static str, usize>,
}

impl<T> Lexicon<T> {
    fn lookup(&self, input: &str) -> Option<&T> {
        let trimmed = input.trim();
        if trimmed.len() == 2 && trimmed.bytes().all(|b| b.is_ascii_alphabetic()) {
            let found = self
                .codes
                .get(trimmed.to_ascii_uppercase().as_str())
                .or_else(|| self.codes.get(trimmed.to_ascii_lowercase().as_str()));
            if let Some(&i) = found {
                return Some(&self.items[i]);
            }
        }
        let key = fold_key(trimmed);
        if key.is_empty() {
            return None;
        }
        if let Some(&i) = self.keys.get(&key) {
            return Some(&self.items[i]);
        }
        // Short names differ from each other by one letter ("mali", "malta"): allowing a
        // typo there would turn one country into another.
        let tolerance = match key.chars().count() {
            0..=4 => return None,
            5..=8 => 1,
            _ => 2,
        };
        let mut best: Option<(usize, usize)> = None;
        let mut tie = false;
        for (k, &i) in &self.keys {
            // Optimal string alignment counts a swap of two letters as one typo, like
            // Damerau-Levenshtein, without its per-call allocation.
            if k.len().abs_diff(key.len()) > tolerance {
                continue;
            }
            let d = strsim::osa_distance(&key, k);
            if d > tolerance {
                continue;
            }
            match best {
                Some((bd, bi)) if d == bd && bi != i => tie = true,
                Some((bd, _)) if d >= bd => {}
                _ => {
                    best = Some((d, i));
                    tie = false;
                }
            }
        }
        match (best, tie) {
            (Some((_, i)), false) => Some(&self.items[i]),
            _ => None,
        }
    }
}

fn data_lines(tsv: &'static str) -> impl Iterator<Item = Vec<&'static str>> {
    tsv.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| l.split('\t').collect())
}

fn countries() -> &'static Lexicon<Country> {
    static TABLE: OnceLock<Lexicon<Country>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut lex = Lexicon {
            items: Vec::new(),
            keys: HashMap::new(),
            codes: HashMap::new(),
        };
        for cols in data_lines(COUNTRIES_TSV) {
            let (code, name) = (cols[0], cols.get(1).copied().unwrap_or(""));
            let i = lex.items.len();
            lex.items.push(Country {
                code,
                name,
                language: cols.get(3).map(|s| s.trim()).filter(|s| !s.is_empty()),
            });
            lex.codes.insert(code, i);
            let others = cols.get(2).copied().unwrap_or("");
            for spelling in std::iter::once(name).chain(others.split('|')) {
                let key = fold_key(spelling);
                if !key.is_empty() {
                    // First writer wins: the file lists the intended owner of a shared
                    // word ("congolese") first.
                    lex.keys.entry(key).or_insert(i);
                }
            }
        }
        lex
    })
}

fn languages() -> &'static Lexicon<Language> {
    static TABLE: OnceLock<Lexicon<Language>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut lex = Lexicon {
            items: Vec::new(),
            keys: HashMap::new(),
            codes: HashMap::new(),
        };
        for cols in data_lines(LANGUAGES_TSV) {
            let (code, name) = (cols[0], cols.get(1).copied().unwrap_or(""));
            let i = lex.items.len();
            lex.items.push(Language { code, name });
            lex.codes.insert(code, i);
            let others = cols.get(2).copied().unwrap_or("");
            for spelling in std::iter::once(name).chain(others.split('|')) {
                let key = fold_key(spelling);
                if key.is_empty() {
                    continue;
                }
                // "lingua rumena": the feminine agrees with "lingua".
                if let Some(stem) = key.strip_suffix('o') {
                    lex.keys.entry(format!("{stem}a")).or_insert(i);
                }
                lex.keys.entry(key).or_insert(i);
            }
        }
        lex
    })
}

/// The country named by `input`: an Italian name ("Perù", "Moldova"), a demonym in any
/// gender or number ("ucraina", "filippino", "rumene"), or the ISO code, with small typos
/// tolerated. `None` when nothing matches or two countries match equally well.
pub fn country(input: &str) -> Option<&'static Country> {
    let input = input.trim();
    // "cittadinanza rumena", "nazionalità: peruviana".
    let input = strip_words(
        input,
        &["cittadinanza", "nazionalita", "cittadina", "cittadino"],
    );
    countries().lookup(&input)
}

/// The ISO 3166-1 alpha-2 code for an Italian country name or demonym.
pub fn country_code(input: &str) -> Option<&'static str> {
    country(input).map(|c| c.code)
}

/// The Italian name of a country code ("UA" → "Ucraina"); case-insensitive.
pub fn country_name(code: &str) -> Option<&'static str> {
    let code = code.trim().to_ascii_uppercase();
    let lex = countries();
    lex.codes.get(code.as_str()).map(|&i| lex.items[i].name)
}

/// Every country, in code order.
pub fn all_countries() -> &'static [Country] {
    &countries().items
}

/// The language named by `input` ("rumeno", "romeno", "lingua inglese", "en"), with
/// small typos tolerated.
pub fn language(input: &str) -> Option<&'static Language> {
    let input = strip_words(input.trim(), &["lingua"]);
    languages().lookup(&input)
}

/// The ISO 639-1 code of an Italian language name.
pub fn language_code(input: &str) -> Option<&'static str> {
    language(input).map(|l| l.code)
}

/// The Italian name of a language code ("ro" → "rumeno"); case-insensitive.
pub fn language_name(code: &str) -> Option<&'static str> {
    let code = code.trim().to_ascii_lowercase();
    let lex = languages();
    lex.codes.get(code.as_str()).map(|&i| lex.items[i].name)
}

/// Every language, in code order.
pub fn all_languages() -> &'static [Language] {
    &languages().items
}

/// `input` without a leading word of `words` (compared folded), so "lingua rumena" is
/// looked up as "rumena".
fn strip_words(input: &str, words: &[&str]) -> String {
    let mut parts = input.split_whitespace();
    match parts.next() {
        Some(first) if words.contains(&fold_key(first).as_str()) => {
            let rest: Vec<&str> = parts.collect();
            if rest.is_empty() {
                input.to_string()
            } else {
                rest.join(" ")
            }
        }
        _ => input.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_iso_country_is_listed_once() {
        let all = all_countries();
        // 249 ISO 3166-1 codes plus XK (Kosovo), which Italian registries use.
        assert_eq!(all.len(), 250);
        let mut codes: Vec<&str> = all.iter().map(|c| c.code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), 250);
        assert!(codes
            .iter()
            .all(|c| c.len() == 2 && c.bytes().all(|b| b.is_ascii_uppercase())));
    }

    #[test]
    fn names_and_demonyms_find_the_country() {
        for (input, code) in [
            ("Ucraina", "UA"),
            ("ucraina", "UA"),
            ("ucraino", "UA"),
            ("Romania", "RO"),
            ("rumena", "RO"),
            ("romeno", "RO"),
            ("Filippine", "PH"),
            ("filippina", "PH"),
            ("Perù", "PE"),
            ("peru", "PE"),
            ("peruviana", "PE"),
            ("Moldavia", "MD"),
            ("Moldova", "MD"),
            ("moldava", "MD"),
            ("Repubblica Dominicana", "DO"),
            ("Dominica", "DM"),
            ("Costa d’Avorio", "CI"),
            ("cittadinanza marocchina", "MA"),
            ("srilankese", "LK"),
            ("Niger", "NE"),
            ("Nigeria", "NG"),
            ("ro", "RO"),
            ("UA", "UA"),
        ] {
            assert_eq!(country_code(input), Some(code), "{input}");
        }
    }

    #[test]
    fn small_typos_are_tolerated_but_not_on_short_names() {
        assert_eq!(country_code("Ucrania"), Some("UA"));
        assert_eq!(country_code("Marrocco"), Some("MA"));
        assert_eq!(country_code("Filipine"), Some("PH"));
        assert_eq!(country_code("Equador"), Some("EC"));
        assert_eq!(country_code("Malo"), None);
        assert_eq!(country_code("Atlantide"), None);
        assert_eq!(country_code(""), None);
    }

    #[test]
    fn codes_give_italian_names() {
        assert_eq!(country_name("ua"), Some("Ucraina"));
        assert_eq!(country_name("PE"), Some("Perù"));
        assert_eq!(country_name("ZZ"), None);
        assert_eq!(country("MD").and_then(|c| c.language), Some("ro"));
        assert_eq!(language_name("ro"), Some("rumeno"));
        assert_eq!(language_name("UK"), Some("ucraino"));
        assert_eq!(language_name("xx"), None);
    }

    #[test]
    fn every_country_name_round_trips() {
        for c in all_countries() {
            assert_eq!(country_code(c.name), Some(c.code), "{}", c.name);
        }
        for l in all_languages() {
            assert_eq!(language_code(l.name), Some(l.code), "{}", l.name);
        }
    }

    #[test]
    fn languages_by_italian_name() {
        for (input, code) in [
            ("rumeno", "ro"),
            ("romeno", "ro"),
            ("lingua rumena", "ro"),
            ("Inglese", "en"),
            ("ucraino", "uk"),
            ("spagnola", "es"),
            ("tagalog", "tl"),
            ("russso", "ru"),
            ("en", "en"),
        ] {
            assert_eq!(language_code(input), Some(code), "{input}");
        }
        assert_eq!(language_code("klingon"), None);
    }
}
