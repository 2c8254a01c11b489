//! Spotting the same person registered twice: same phone number, or a similar name
//! (Jaro-Winkler, also with given and family name swapped) with the same birth year.

use std::collections::HashMap;

use crate::comuni::fold_key;
use crate::model::{DuplicateMatch, Id, Worker};
use crate::validate::phone_key;

/// Names at least this similar (0–1), with the same birth year, are flagged. High enough
/// that "Ana Popescu" / "Anna Popescu" match and "Ana Popa" / "Ana Popescu" do not.
pub const NAME_SIMILARITY: f64 = 0.93;

/// What dedupe keeps of a card: a phone key, the birth year and the folded name
/// ("given family", no spaces inside either part). About 60 bytes a card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonKeys {
    pub phone: u64,
    pub birth_year: u16,
    pub name: Box<str>,
}

impl PersonKeys {
    pub fn of(w: &Worker) -> PersonKeys {
        PersonKeys {
            phone: phone_number(&w.phone),
            birth_year: w.birth_year,
            name: format!("{} {}", fold_key(&w.given_name), fold_key(&w.family_name))
                .into_boxed_str(),
        }
    }

    /// The name with given and family swapped.
    fn swapped(&self) -> String {
        match self.name.split_once(' ') {
            Some((g, f)) => format!("{f} {g}"),
            None => self.name.to_string(),
        }
    }
}

/// The phone key as a number: a leading 1 keeps leading zeros ("0564…") distinct.
fn phone_number(phone: &str) -> u64 {
    let digits = phone_key(phone);
    format!("1{}", &digits[..digits.len().min(18)])
        .parse()
        .unwrap_or(0)
}

#[derive(Default)]
pub struct DedupeIndex {
    by_phone: HashMap<u64, Vec<Id>>,
    /// Per birth year: id and folded "given family".
    by_year: HashMap<u16, Vec<(Id, Box<str>)>>,
    /// Where each card sits, so removal touches two buckets only.
    buckets: HashMap<Id, (u64, u16)>,
}

impl DedupeIndex {
    pub fn insert(&mut self, w: &Worker) {
        self.insert_keys(w.id, PersonKeys::of(w));
    }

    pub fn insert_keys(&mut self, id: Id, k: PersonKeys) {
        self.remove(id);
        self.file(id, k);
    }

    /// Files a card known not to be in the index yet.
    fn file(&mut self, id: Id, k: PersonKeys) {
        self.by_phone.entry(k.phone).or_default().push(id);
        self.buckets.insert(id, (k.phone, k.birth_year));
        self.by_year
            .entry(k.birth_year)
            .or_default()
            .push((id, k.name));
    }

    /// The index of many distinct cards at once (a snapshot): no removal of earlier
    /// entries, maps sized once.
    pub fn from_keys(keys: Vec<(Id, PersonKeys)>) -> DedupeIndex {
        let mut d = DedupeIndex {
            by_phone: HashMap::with_capacity(keys.len()),
            by_year: HashMap::new(),
            buckets: HashMap::with_capacity(keys.len()),
        };
        for (id, k) in keys {
            if d.buckets.contains_key(&id) {
                // Not in a snapshot (one row per card), but stay exact if it happens.
                d.insert_keys(id, k);
            } else {
                d.file(id, k);
            }
        }
        d
    }

    /// Every card's keys, for the snapshot (one pass, not a lookup per card).
    pub fn all_keys(&self) -> HashMap<Id, PersonKeys> {
        let mut out = HashMap::with_capacity(self.buckets.len());
        for (year, people) in &self.by_year {
            for (id, name) in people {
                if let Some((phone, _)) = self.buckets.get(id) {
                    out.insert(
                        *id,
                        PersonKeys {
                            phone: *phone,
                            birth_year: *year,
                            name: name.clone(),
                        },
                    );
                }
            }
        }
        out
    }

    pub fn remove(&mut self, id: Id) {
        let Some((phone, year)) = self.buckets.remove(&id) else {
            return;
        };
        if let Some(ids) = self.by_phone.get_mut(&phone) {
            ids.retain(|x| *x != id);
            if ids.is_empty() {
                self.by_phone.remove(&phone);
            }
        }
        if let Some(people) = self.by_year.get_mut(&year) {
            people.retain(|(x, _)| *x != id);
        }
    }

    /// Cards whose name contains every word of `query` (case and accents folded), or
    /// resembles it: the desk's search by name, which the index cannot do because names
    /// are kept out of it.
    pub fn by_name(&self, query: &str) -> Vec<Id> {
        let words: Vec<String> = crate::text::fold(query)
            .split_whitespace()
            .map(fold_key)
            .filter(|w| !w.is_empty())
            .collect();
        if words.is_empty() {
            return Vec::new();
        }
        let joined = words.join(" ");
        let mut out: Vec<(Id, f64)> = Vec::new();
        for (year, people) in &self.by_year {
            for (id, a) in people {
                let contains = words
                    .iter()
                    .all(|w| a.split(' ').any(|p| p.starts_with(w.as_str())));
                let keys = PersonKeys {
                    phone: 0,
                    birth_year: *year,
                    name: a.clone(),
                };
                let sim = strsim::jaro_winkler(&joined, a)
                    .max(strsim::jaro_winkler(&joined, &keys.swapped()));
                if contains || sim >= NAME_SIMILARITY {
                    out.push((*id, if contains { 1.0 + sim } else { sim }));
                }
            }
        }
        out.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        out.into_iter().map(|x| x.0).collect()
    }

    /// Existing cards that look like `w` (never `w` itself), most similar first.
    pub fn find(&self, w: &Worker) -> Vec<DuplicateMatch> {
        let mut found: HashMap<Id, DuplicateMatch> = HashMap::new();
        let mine = PersonKeys::of(w);
        for id in self.by_phone.get(&mine.phone).into_iter().flatten() {
            found.insert(
                *id,
                DuplicateMatch {
                    worker_id: *id,
                    name_similarity: 0.0,
                    same_birth_year: false,
                    same_phone: true,
                },
            );
        }
        let key = mine.name.as_ref();
        let swapped = mine.swapped();
        for (id, a) in self.by_year.get(&w.birth_year).into_iter().flatten() {
            // Comparing the new name, straight and swapped, against each stored one.
            let sim = strsim::jaro_winkler(key, a).max(strsim::jaro_winkler(&swapped, a));
            let entry = found.entry(*id).or_insert(DuplicateMatch {
                worker_id: *id,
                name_similarity: 0.0,
                same_birth_year: true,
                same_phone: false,
            });
            entry.same_birth_year = true;
            entry.name_similarity = (sim * 1000.0).round() / 1000.0;
        }
        let mut out: Vec<DuplicateMatch> = found
            .into_values()
            .filter(|m| m.worker_id != w.id)
            .filter(|m| m.same_phone || m.name_similarity >= NAME_SIMILARITY)
            .collect();
        out.sort_by(|a, b| {
            (b.same_phone, b.name_similarity)
                .partial_cmp(&(a.same_phone, a.name_similarity))
                .unwrap_or(std::cmp::Ordering::Equal)
                .then(a.worker_id.cmp(&b.worker_id))
        });
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(id: u64, given: &str, family: &str, year: u16, phone: &str) -> Worker {
        let mut w = crate::fixtures::demo_workers().unwrap().remove(0);
        w.id = Id(id);
        w.given_name = given.into();
        w.family_name = family.into();
        w.birth_year = year;
        w.phone = phone.into();
        w
    }

    fn index() -> DedupeIndex {
        let mut d = DedupeIndex::default();
        d.insert(&person(1, "Ana", "Popescu", 1975, "+39 333 1234567"));
        d.insert(&person(2, "Olena", "Kovalenko", 1968, "320 555 0101"));
        d
    }

    #[test]
    fn built_in_bulk_it_finds_what_one_by_one_finds() {
        let people = [
            person(1, "Ana", "Popescu", 1975, "+39 333 1234567"),
            person(2, "Olena", "Kovalenko", 1968, "320 555 0101"),
            person(3, "Anna", "Popescu", 1975, "333 1234567"),
        ];
        let mut keys: Vec<(Id, PersonKeys)> =
            people.iter().map(|w| (w.id, PersonKeys::of(w))).collect();
        // A repeated id keeps only its last keys, as inserting twice does.
        keys.push((
            Id(2),
            PersonKeys::of(&person(2, "Olga", "Ivanova", 1970, "1")),
        ));
        let bulk = DedupeIndex::from_keys(keys.clone());
        let mut one_by_one = DedupeIndex::default();
        for (id, k) in keys {
            one_by_one.insert_keys(id, k);
        }
        let probe = person(9, "Ana", "Popescu", 1975, "333 1234567");
        let ids = |d: &DedupeIndex| {
            let mut v: Vec<Id> = d.find(&probe).iter().map(|m| m.worker_id).collect();
            v.sort();
            v
        };
        assert_eq!(ids(&bulk), vec![Id(1), Id(3)]);
        assert_eq!(ids(&bulk), ids(&one_by_one));
        assert_eq!(bulk.by_name("olga"), vec![Id(2)]);
        assert!(bulk.by_name("olena").is_empty());
    }

    #[test]
    fn similar_name_same_year_is_a_duplicate() {
        let found = index().find(&person(9, "Anna", "Popescu", 1975, "349 000 0000"));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].worker_id, Id(1));
        assert!(found[0].same_birth_year && !found[0].same_phone);
    }

    #[test]
    fn swapped_names_and_accents_still_match() {
        let found = index().find(&person(9, "Popescu", "Ána", 1975, "349 000 0000"));
        assert_eq!(found.len(), 1);
    }

    #[test]
    fn same_phone_in_another_spelling_is_a_duplicate() {
        let found = index().find(&person(9, "Maria", "Rossi", 1990, "0039 3331234567"));
        assert_eq!(found.len(), 1);
        assert!(found[0].same_phone);
    }

    #[test]
    fn different_people_are_not_flagged() {
        let d = index();
        assert!(d
            .find(&person(9, "Ana", "Popescu", 1980, "349 000 0000"))
            .is_empty());
        assert!(d
            .find(&person(9, "Ana", "Popa", 1975, "349 000 0000"))
            .is_empty());
        // A card never duplicates itself (e.g. when edited).
        assert!(d
            .find(&person(1, "Ana", "Popescu", 1975, "+39 333 1234567"))
            .is_empty());
    }

    #[test]
    fn name_search_finds_prefixes_and_typos() {
        let d = index();
        assert_eq!(d.by_name("popescu"), vec![Id(1)]);
        assert_eq!(d.by_name("Ana Pop"), vec![Id(1)]);
        assert_eq!(d.by_name("Kovalenco Olena"), vec![Id(2)]);
        assert!(d.by_name("Rossi").is_empty());
        assert!(d.by_name("  ").is_empty());
    }

    #[test]
    fn removed_cards_are_forgotten() {
        let mut d = index();
        d.remove(Id(1));
        assert!(d
            .find(&person(9, "Ana", "Popescu", 1975, "+39 333 1234567"))
            .is_empty());
    }
}
