//! Spotting the same person registered twice: same phone number, or a similar name
//! (Jaro-Winkler, also with given and family name swapped) with the same birth year.
//!
//! Packed for national scale (issue 17): each card is one 32-byte slot in a vector, every
//! folded name lives in one shared string, and the lookups (id to slot, phone to the first
//! slot of its chain, birth year to its slots) hold slot numbers only, reading keys from
//! the slots rather than storing them twice. About 75 bytes a card, where a map of boxed
//! names per card took ~200.

use std::collections::HashMap;

use crate::comuni::fold_key;
use crate::model::{DuplicateMatch, Id, Worker};
use crate::slots::SlotTable;
use crate::validate::phone_key;

/// Names at least this similar (0–1), with the same birth year, are flagged. High enough
/// that "Ana Popescu" / "Anna Popescu" match and "Ana Popa" / "Ana Popescu" do not.
pub const NAME_SIMILARITY: f64 = 0.93;

/// No slot: the end of a chain.
const NONE: u32 = u32::MAX;

/// Longest folded name kept, in bytes (a slot has 16 bits for it). Validation allows
/// 80 characters a part, so only cards built around validation come near it.
const MAX_NAME: usize = u16::MAX as usize;

/// Dead name bytes are reclaimed once they outweigh the live ones and pass this size, so
/// a rewrite of the name buffer is paid for by at least as many bytes of edits.
const COMPACT_MIN: usize = 4096;

/// What dedupe keeps of a card: a phone key, the birth year and the folded name
/// ("given family", no spaces inside either part).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonKeys {
    pub phone: u64,
    pub birth_year: u16,
    pub name: Box<str>,
}

/// A card's keys as the index holds them, borrowed: what the snapshot writes, without a
/// copy of every name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeysRef<'a> {
    pub phone: u64,
    pub birth_year: u16,
    pub name: &'a str,
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

    pub fn borrowed(&self) -> KeysRef<'_> {
        KeysRef {
            phone: self.phone,
            birth_year: self.birth_year,
            name: &self.name,
        }
    }
}

/// The name with given and family swapped.
fn swapped(name: &str) -> String {
    match name.split_once(' ') {
        Some((g, f)) => format!("{f} {g}"),
        None => name.to_string(),
    }
}

/// The ids of `names` that contain every word of `query` (as word beginnings) or resemble
/// it (also with given and family name swapped), best first, ties by id.
fn names_like<'a>(query: &str, names: impl Iterator<Item = (Id, &'a str)>) -> Vec<Id> {
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
    for (id, name) in names {
        let contains = words
            .iter()
            .all(|w| name.split(' ').any(|p| p.starts_with(w.as_str())));
        let sim =
            strsim::jaro_winkler(&joined, name).max(strsim::jaro_winkler(&joined, &swapped(name)));
        if contains || sim >= NAME_SIMILARITY {
            out.push((id, if contains { 1.0 + sim } else { sim }));
        }
    }
    out.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    out.into_iter().map(|x| x.0).collect()
}

/// The phone key as a number: a leading 1 keeps leading zeros ("0564…") distinct.
fn phone_number(phone: &str) -> u64 {
    let digits = phone_key(phone);
    format!("1{}", &digits[..digits.len().min(18)])
        .parse()
        .unwrap_or(0)
}

/// The longest prefix of `s` of at most `max` bytes that ends on a character boundary.
fn cut(s: &str, max: usize) -> &str {
    let mut end = s.len().min(max);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// One card. 32 bytes: the keys, where its name sits, and its links.
#[derive(Debug, Clone, Copy)]
struct Slot {
    id: u64,
    phone: u64,
    /// Where the folded name starts in the shared buffer.
    name_at: u32,
    /// The next card with the same phone key; on a free slot, the next free slot.
    next_phone: u32,
    /// The slot's position in its birth year's list, so removal swaps instead of scanning.
    year_at: u32,
    year: u16,
    name_len: u16,
}

pub struct DedupeIndex {
    slots: Vec<Slot>,
    /// Every live card's folded name, back to back (and dead ones until compaction).
    names: String,
    dead_name_bytes: usize,
    /// Head of the free-slot list, chained through `next_phone`.
    free: u32,
    /// Slot numbers by the slot's id.
    by_id: SlotTable,
    /// The first slot of each phone key's chain, by the slot's phone.
    by_phone: SlotTable,
    /// Per birth year, its cards' slots (unordered: answers are sorted).
    by_year: HashMap<u16, Vec<u32>>,
}

impl Default for DedupeIndex {
    fn default() -> DedupeIndex {
        DedupeIndex::with_capacity(0, 0)
    }
}

impl DedupeIndex {
    /// An empty index sized for `cards` cards of `name_bytes` bytes of names in all.
    pub fn with_capacity(cards: usize, name_bytes: usize) -> DedupeIndex {
        DedupeIndex {
            slots: Vec::with_capacity(cards),
            names: String::with_capacity(name_bytes),
            dead_name_bytes: 0,
            free: NONE,
            by_id: SlotTable::with_capacity(cards),
            by_phone: SlotTable::with_capacity(cards),
            by_year: HashMap::new(),
        }
    }

    pub fn insert(&mut self, w: &Worker) {
        self.insert_keys(w.id, PersonKeys::of(w));
    }

    pub fn insert_keys(&mut self, id: Id, k: PersonKeys) {
        self.insert_ref(id, k.borrowed());
    }

    /// Files a card's keys, replacing any it had.
    pub fn insert_ref(&mut self, id: Id, k: KeysRef<'_>) {
        let name = cut(k.name, MAX_NAME);
        match self.slot_of(id) {
            Some(s) => self.update(s, k.phone, k.birth_year, name),
            None => self.add(id, k.phone, k.birth_year, name),
        }
    }

    /// The index of many cards at once, sized once.
    #[cfg(test)]
    pub fn from_keys(keys: Vec<(Id, PersonKeys)>) -> DedupeIndex {
        let names = keys.iter().map(|(_, k)| k.name.len()).sum();
        DedupeIndex::build(
            keys.len(),
            names,
            keys.iter().map(|(id, k)| (*id, k.borrowed())),
        )
    }

    /// The index of `cards` cards with `name_bytes` bytes of names in all; a repeated id
    /// keeps its last keys, as inserting twice does.
    pub fn build<'a>(
        cards: usize,
        name_bytes: usize,
        keys: impl Iterator<Item = (Id, KeysRef<'a>)>,
    ) -> DedupeIndex {
        let mut d = DedupeIndex::with_capacity(cards, name_bytes);
        for (id, k) in keys {
            d.insert_ref(id, k);
        }
        // The year lists grew by doubling: give back the slack.
        for list in d.by_year.values_mut() {
            list.shrink_to_fit();
        }
        d
    }

    /// Cards filed.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    /// A card's keys, if it is filed.
    pub fn keys(&self, id: Id) -> Option<KeysRef<'_>> {
        self.slot_of(id).map(|s| self.keys_at(s))
    }

    /// Every filed card and its keys, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (Id, KeysRef<'_>)> + '_ {
        self.by_year
            .values()
            .flatten()
            .map(|&s| (Id(self.slots[s as usize].id), self.keys_at(s)))
    }

    /// Heap bytes held, for the memory benchmark.
    pub fn heap_bytes(&self) -> usize {
        let years: usize = self.by_year.values().map(|l| l.capacity() * 4).sum();
        self.slots.capacity() * std::mem::size_of::<Slot>()
            + self.names.capacity()
            + self.by_id.allocation_size()
            + self.by_phone.allocation_size()
            + self.by_year.capacity() * (std::mem::size_of::<(u16, Vec<u32>)>() + 1)
            + years
    }

    pub fn remove(&mut self, id: Id) {
        let slots = &self.slots;
        let Some(s) = self.by_id.remove(id.0, |x| slots[x as usize].id) else {
            return;
        };
        self.unlink_phone(s);
        self.unlink_year(s);
        let slot = &mut self.slots[s as usize];
        self.dead_name_bytes += usize::from(slot.name_len);
        slot.name_len = 0;
        slot.next_phone = self.free;
        self.free = s;
        self.compact_names_if_worth_it();
    }

    fn slot_of(&self, id: Id) -> Option<u32> {
        self.by_id.get(id.0, |s| self.slots[s as usize].id)
    }

    fn keys_at(&self, s: u32) -> KeysRef<'_> {
        let slot = &self.slots[s as usize];
        KeysRef {
            phone: slot.phone,
            birth_year: slot.year,
            name: self.name_of(slot),
        }
    }

    fn name_of(&self, slot: &Slot) -> &str {
        let at = slot.name_at as usize;
        self.names
            .get(at..at + usize::from(slot.name_len))
            .unwrap_or("")
    }

    fn add(&mut self, id: Id, phone: u64, year: u16, name: &str) {
        let (name_at, name_len) = self.store_name(name);
        let slot = Slot {
            id: id.0,
            phone,
            name_at,
            next_phone: NONE,
            year_at: 0,
            year,
            name_len,
        };
        let s = if self.free == NONE {
            // Past 4 billion cards slot numbers would wrap; far beyond any desk.
            self.slots.push(slot);
            (self.slots.len() - 1) as u32
        } else {
            let s = self.free;
            self.free = self.slots[s as usize].next_phone;
            self.slots[s as usize] = slot;
            s
        };
        self.link_phone(s);
        self.link_year(s);
        let slots = &self.slots;
        self.by_id.set(id.0, s, |x| slots[x as usize].id);
    }

    fn update(&mut self, s: u32, phone: u64, year: u16, name: &str) {
        let old = self.slots[s as usize];
        if old.phone != phone {
            self.unlink_phone(s);
            self.slots[s as usize].phone = phone;
            self.link_phone(s);
        }
        if old.year != year {
            self.unlink_year(s);
            self.slots[s as usize].year = year;
            self.link_year(s);
        }
        if self.name_of(&old) != name {
            self.dead_name_bytes += usize::from(old.name_len);
            let (name_at, name_len) = self.store_name(name);
            let slot = &mut self.slots[s as usize];
            slot.name_at = name_at;
            slot.name_len = name_len;
            self.compact_names_if_worth_it();
        }
    }

    /// Appends a name (already cut to `MAX_NAME`) to the shared buffer.
    fn store_name(&mut self, name: &str) -> (u32, u16) {
        match u32::try_from(self.names.len() + name.len()) {
            Ok(_) => {
                let at = self.names.len() as u32;
                self.names.push_str(name);
                (at, name.len() as u16)
            }
            // 4 GiB of names is some 200 million cards: file the card without one
            // rather than wrap an offset.
            Err(_) => (0, 0),
        }
    }

    fn compact_names_if_worth_it(&mut self) {
        if self.dead_name_bytes < COMPACT_MIN || self.dead_name_bytes * 2 < self.names.len() {
            return;
        }
        let old = std::mem::take(&mut self.names);
        self.names = String::with_capacity(old.len() - self.dead_name_bytes);
        for &s in self.by_year.values().flatten() {
            let slot = &mut self.slots[s as usize];
            let at = slot.name_at as usize;
            let name = old.get(at..at + usize::from(slot.name_len)).unwrap_or("");
            slot.name_at = self.names.len() as u32;
            self.names.push_str(name);
        }
        self.dead_name_bytes = 0;
    }

    fn link_year(&mut self, s: u32) {
        let list = self.by_year.entry(self.slots[s as usize].year).or_default();
        self.slots[s as usize].year_at = list.len() as u32;
        list.push(s);
    }

    fn unlink_year(&mut self, s: u32) {
        let Slot { year, year_at, .. } = self.slots[s as usize];
        let Some(list) = self.by_year.get_mut(&year) else {
            return;
        };
        let at = year_at as usize;
        if list.get(at) != Some(&s) {
            debug_assert!(false, "slot {s} not where its year list says");
            return;
        }
        list.swap_remove(at);
        if let Some(&moved) = list.get(at) {
            self.slots[moved as usize].year_at = year_at;
        }
        if list.is_empty() {
            self.by_year.remove(&year);
        }
    }

    /// Puts slot `s` at the head of its phone key's chain.
    fn link_phone(&mut self, s: u32) {
        let slots = &self.slots;
        let phone = slots[s as usize].phone;
        let next = self.by_phone.set(phone, s, |x| slots[x as usize].phone);
        self.slots[s as usize].next_phone = next.unwrap_or(NONE);
    }

    /// Takes slot `s` out of its phone key's chain (a walk: chains are a card or two).
    fn unlink_phone(&mut self, s: u32) {
        let slots = &self.slots;
        let Slot {
            phone,
            next_phone: next,
            ..
        } = slots[s as usize];
        let phone_of = |x: u32| slots[x as usize].phone;
        let Some(head) = self.by_phone.get(phone, phone_of) else {
            return;
        };
        if head == s {
            if next == NONE {
                self.by_phone.remove(phone, phone_of);
            } else {
                self.by_phone.set(phone, next, phone_of);
            }
            return;
        }
        let mut p = head;
        while p != NONE {
            let after = self.slots[p as usize].next_phone;
            if after == s {
                self.slots[p as usize].next_phone = next;
                return;
            }
            p = after;
        }
    }

    /// The slots in a phone key's chain.
    fn phone_chain(&self, phone: u64) -> impl Iterator<Item = u32> + '_ {
        let head = self
            .by_phone
            .get(phone, |x| self.slots[x as usize].phone)
            .unwrap_or(NONE);
        std::iter::successors(Some(head).filter(|&s| s != NONE), |&s| {
            Some(self.slots[s as usize].next_phone).filter(|&n| n != NONE)
        })
    }

    /// Cards whose name contains every word of `query` (case and accents folded), or
    /// resembles it: the desk's search by name, which the index cannot do because names
    /// are kept out of it.
    pub fn by_name(&self, query: &str) -> Vec<Id> {
        names_like(query, self.iter().map(|(id, k)| (id, k.name)))
    }

    /// Existing cards that look like `w` (never `w` itself), most similar first.
    pub fn find(&self, w: &Worker) -> Vec<DuplicateMatch> {
        let mut found: HashMap<Id, DuplicateMatch> = HashMap::new();
        let mine = PersonKeys::of(w);
        for s in self.phone_chain(mine.phone) {
            let id = Id(self.slots[s as usize].id);
            found.insert(
                id,
                DuplicateMatch {
                    worker_id: id,
                    name_similarity: 0.0,
                    same_birth_year: false,
                    same_phone: true,
                },
            );
        }
        let key = mine.name.as_ref();
        let swapped = swapped(key);
        for &s in self.by_year.get(&w.birth_year).into_iter().flatten() {
            let slot = &self.slots[s as usize];
            let a = self.name_of(slot);
            // Comparing the new name, straight and swapped, against each stored one.
            let sim = strsim::jaro_winkler(key, a).max(strsim::jaro_winkler(&swapped, a));
            let id = Id(slot.id);
            let entry = found.entry(id).or_insert(DuplicateMatch {
                worker_id: id,
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
        most_alike_first(&mut out);
        out
    }
}

/// Same phone first, then the most similar name, ties by id.
fn most_alike_first(found: &mut [DuplicateMatch]) {
    found.sort_by(|a, b| {
        (b.same_phone, b.name_similarity)
            .partial_cmp(&(a.same_phone, a.name_similarity))
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(a.worker_id.cmp(&b.worker_id))
    });
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

    /// What the index must answer, computed the obvious way over a plain list.
    struct Model(Vec<(Id, PersonKeys)>);

    impl Model {
        fn insert(&mut self, id: Id, k: PersonKeys) {
            self.remove(id);
            self.0.push((id, k));
        }

        fn remove(&mut self, id: Id) {
            self.0.retain(|(x, _)| *x != id);
        }

        fn find(&self, w: &Worker) -> Vec<DuplicateMatch> {
            let mine = PersonKeys::of(w);
            let mut out: Vec<DuplicateMatch> = Vec::new();
            for (id, k) in &self.0 {
                let same_phone = k.phone == mine.phone;
                let same_birth_year = k.birth_year == w.birth_year;
                let sim = strsim::jaro_winkler(&mine.name, &k.name)
                    .max(strsim::jaro_winkler(&swapped(&mine.name), &k.name));
                let name_similarity = if same_birth_year {
                    (sim * 1000.0).round() / 1000.0
                } else {
                    0.0
                };
                if *id != w.id && (same_phone || name_similarity >= NAME_SIMILARITY) {
                    out.push(DuplicateMatch {
                        worker_id: *id,
                        name_similarity,
                        same_birth_year,
                        same_phone,
                    });
                }
            }
            most_alike_first(&mut out);
            out
        }

        fn by_name(&self, query: &str) -> Vec<Id> {
            names_like(query, self.0.iter().map(|(id, k)| (*id, &*k.name)))
        }
    }

    #[test]
    fn packed_index_answers_as_a_plain_list_through_churn() {
        use rand::{Rng, SeedableRng};
        const GIVEN: [&str; 6] = ["Ana", "Anna", "Olena", "Maria", "Marìa", "Ion"];
        const FAMILY: [&str; 5] = ["Popescu", "Popesco", "Kovalenko", "Rossi", "Popa"];
        const PHONES: [&str; 4] = ["333 1234567", "+39 333 1234567", "320 555 0101", "347 1"];
        let mut rng = rand::rngs::StdRng::seed_from_u64(17);
        let random_person = |rng: &mut rand::rngs::StdRng, id: u64| {
            person(
                id,
                GIVEN[rng.random_range(0..GIVEN.len())],
                FAMILY[rng.random_range(0..FAMILY.len())],
                rng.random_range(1970..1973),
                PHONES[rng.random_range(0..PHONES.len())],
            )
        };
        let mut d = DedupeIndex::default();
        let mut model = Model(Vec::new());
        let mut most_live = 0;
        for step in 0..4000 {
            let id = rng.random_range(0..30);
            if rng.random_bool(0.3) {
                d.remove(Id(id));
                model.remove(Id(id));
            } else {
                let w = random_person(&mut rng, id);
                d.insert(&w);
                model.insert(w.id, PersonKeys::of(&w));
            }
            most_live = most_live.max(model.0.len());
            assert_eq!(d.len(), model.0.len(), "step {step}");
            for (id, k) in &model.0 {
                assert_eq!(d.keys(*id), Some(k.borrowed()), "step {step}");
            }
            let probe_id = rng.random_range(0..40);
            let probe = random_person(&mut rng, probe_id);
            assert_eq!(d.find(&probe), model.find(&probe), "step {step}");
            let query = format!("{} {}", probe.family_name, &probe.given_name[..2]);
            assert_eq!(d.by_name(&query), model.by_name(&query), "step {step}");
        }
        // Freed slots were reused and dead names reclaimed, not left to pile up.
        assert!(d.slots.len() <= most_live, "{} slots", d.slots.len());
        let live_names: usize = model.0.iter().map(|(_, k)| k.name.len()).sum();
        assert!(
            d.names.len() <= live_names + 2 * COMPACT_MIN,
            "{}",
            d.names.len()
        );
        let mut listed: Vec<Id> = d.iter().map(|(id, _)| id).collect();
        listed.sort();
        let mut expected: Vec<Id> = model.0.iter().map(|(id, _)| *id).collect();
        expected.sort();
        assert_eq!(listed, expected);
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
