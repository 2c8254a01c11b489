//! A binary snapshot of the in-memory tables (scoring features, note terms, BM25
//! statistics, dedupe keys), tagged with the store sequence number it reflects, so a
//! restart loads a million cards in well under a second instead of decoding every record.
//! Derived data like the index: a missing, damaged or stale snapshot is simply rebuilt.

use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;

use crate::date::Date;
use crate::dedupe::{DedupeIndex, KeysRef};
use crate::error::Result;
use crate::features::{PackedLang, WorkerFeatures, MAX_LANGS};
use crate::model::{Id, LiveIn, PermitKind, WorkerStatus};
use crate::relevance::{DocTerms, TermStats};

/// Version 2: fixed-size rows, so a million of them decode in parallel with one read.
const MAGIC: &[u8; 8] = b"DOMTAB02";
/// Bytes of one row: features, then note length and term count.
const ROW: usize = 64;
/// Bytes of one row of dedupe keys: id, phone key, birth year, name length.
const KEY_ROW: usize = 19;

pub struct Snapshot {
    pub seq: u64,
    pub rows: Vec<(WorkerFeatures, DocTerms)>,
    pub stats: TermStats,
    pub keys: KeyBlock,
}

/// The dedupe keys still in the file's bytes, checked: the index is built straight from
/// them (no boxed name per card on the way), and can be built while the table is.
pub struct KeyBlock {
    bytes: Vec<u8>,
    /// Where the key rows and the names sit in `bytes`.
    rows: std::ops::Range<usize>,
    names: std::ops::Range<usize>,
}

impl KeyBlock {
    /// Every row: id and keys. The names were checked to be UTF-8 at each row's bounds
    /// when the snapshot was read.
    pub fn iter(&self) -> impl Iterator<Item = (Id, KeysRef<'_>)> + '_ {
        let names = std::str::from_utf8(&self.bytes[self.names.clone()]).unwrap_or("");
        let mut at = 0;
        self.bytes[self.rows.clone()]
            .chunks_exact(KEY_ROW)
            .map(move |r| {
                let end = at + usize::from(r[18]);
                let name = names.get(at..end).unwrap_or("");
                at = end;
                (
                    Id(u64_at(r, 0)),
                    KeysRef {
                        phone: u64_at(r, 8),
                        birth_year: u16_at(r, 16),
                        name,
                    },
                )
            })
    }

    pub fn index(&self) -> DedupeIndex {
        DedupeIndex::build(self.rows.len() / KEY_ROW, self.names.len(), self.iter())
    }
}

struct Out(Vec<u8>);

impl Out {
    fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    fn u16(&mut self, v: u16) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn i32(&mut self, v: i32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
}

struct In<'a>(&'a [u8]);

impl<'a> In<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.0.len() < n {
            return None;
        }
        let (a, b) = self.0.split_at(n);
        self.0 = b;
        Some(a)
    }
    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
    /// A count of `unit`-byte items, as bytes.
    fn counted(&mut self, unit: usize) -> Option<usize> {
        usize::try_from(self.u64()?).ok()?.checked_mul(unit)
    }
}

/// Little-endian fields of a fixed-size row, by offset.
fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}
fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}
fn u64_at(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes([
        b[at],
        b[at + 1],
        b[at + 2],
        b[at + 3],
        b[at + 4],
        b[at + 5],
        b[at + 6],
        b[at + 7],
    ])
}

fn put_row(o: &mut Out, f: &WorkerFeatures, d: &DocTerms) {
    let start = o.0.len();
    o.u64(f.id.0);
    o.u16(f.comune);
    o.u16(f.max_travel_km);
    o.u8(f.jobs);
    o.u8(f.live_in.index() as u8);
    o.u8(f.status.index() as u8);
    o.u8(u8::from(f.driving_license) | (u8::from(f.possible_duplicate) << 1));
    o.u8(f.permit.index() as u8);
    o.u8(f.hours_min);
    o.u8(f.hours_max);
    o.i32(f.permit_until);
    o.i32(f.permit_expires.map_or(i32::MIN, Date::days));
    o.u32(f.wage_cents.unwrap_or(u32::MAX));
    o.i32(f.confirmed_on.days());
    o.i32(f.waiting_since.days());
    o.0.extend_from_slice(&f.experience);
    for l in f.languages {
        o.u16(l.raw());
    }
    let (terms, len) = d.raw();
    o.u16(len);
    o.u8(terms.len() as u8);
    debug_assert_eq!(o.0.len() - start, ROW);
}

/// One of a closed vocabulary by its stored position; an unknown position marks the
/// snapshot damaged (and the first value stands in until it is thrown away).
fn pick<T: Copy>(all: &[T], at: u8, bad: &AtomicBool) -> T {
    match all.get(usize::from(at)) {
        Some(v) => *v,
        None => {
            bad.store(true, Ordering::Relaxed);
            all[0]
        }
    }
}

fn get_row(r: &[u8], terms: &[u8], bad: &AtomicBool) -> (WorkerFeatures, DocTerms) {
    let permit_expires = Some(u32_at(r, 23) as i32)
        .filter(|d| *d != i32::MIN)
        .map(Date::from_days);
    let wage_cents = Some(u32_at(r, 27)).filter(|w| *w != u32::MAX);
    let mut experience = [0u8; 10];
    experience.copy_from_slice(&r[39..49]);
    let mut languages = [PackedLang::default(); MAX_LANGS];
    for (k, l) in languages.iter_mut().enumerate() {
        *l = PackedLang::from_raw(u16_at(r, 49 + 2 * k));
    }
    let terms = terms
        .chunks_exact(4)
        .map(|t| u32::from_le_bytes([t[0], t[1], t[2], t[3]]))
        .collect();
    (
        WorkerFeatures {
            id: Id(u64_at(r, 0)),
            comune: u16_at(r, 8),
            max_travel_km: u16_at(r, 10),
            jobs: r[12],
            live_in: pick(LiveIn::ALL, r[13], bad),
            status: pick(WorkerStatus::ALL, r[14], bad),
            driving_license: r[15] & 1 != 0,
            permit: pick(PermitKind::ALL, r[16], bad),
            possible_duplicate: r[15] & 2 != 0,
            hours_min: r[17],
            hours_max: r[18],
            permit_until: u32_at(r, 19) as i32,
            permit_expires,
            wage_cents,
            confirmed_on: Date::from_days(u32_at(r, 31) as i32),
            waiting_since: Date::from_days(u32_at(r, 35) as i32),
            experience,
            languages,
        },
        DocTerms::from_raw(terms, u16_at(r, 61)),
    )
}

/// Where each row's variable part starts in its blob, from the lengths in the rows
/// (byte `at` of each `width`-byte row, in `unit`s); `None` unless they add up to `total`.
fn starts(rows: &[u8], width: usize, at: usize, unit: usize, total: usize) -> Option<Vec<usize>> {
    let mut out = Vec::with_capacity(rows.len() / width + 1);
    let mut next = 0;
    for r in rows.chunks_exact(width) {
        out.push(next);
        next += usize::from(r[at]) * unit;
    }
    out.push(next);
    (next == total).then_some(out)
}

/// Writes the snapshot atomically (temporary file, fsync, rename).
pub fn write<'a>(
    path: &Path,
    seq: u64,
    rows: impl ExactSizeIterator<Item = (&'a WorkerFeatures, &'a DocTerms, KeysRef<'a>)>,
    stats: &TermStats,
) -> Result<()> {
    let n = rows.len();
    let mut o = Out(Vec::with_capacity(n * ROW + 1024));
    let mut terms = Out(Vec::with_capacity(n * 64));
    let mut keys = Out(Vec::with_capacity(n * KEY_ROW));
    let mut names = Vec::with_capacity(n * 20);
    o.0.extend_from_slice(MAGIC);
    o.u64(seq);
    o.u64(n as u64);
    for (f, d, k) in rows {
        put_row(&mut o, f, d);
        for t in d.raw().0 {
            terms.u32(*t);
        }
        let name = &k.name.as_bytes()[..floor_char_boundary(k.name, 255)];
        keys.u64(f.id.0);
        keys.u64(k.phone);
        keys.u16(k.birth_year);
        keys.u8(name.len() as u8);
        names.extend_from_slice(name);
    }
    o.u64((terms.0.len() / 4) as u64);
    o.0.extend_from_slice(&terms.0);
    drop(terms);
    let (df, docs, total_len) = stats.parts();
    o.u64(docs);
    o.u64(total_len);
    o.u64(df.len() as u64);
    for (h, n) in df {
        o.u32(h);
        o.u32(n);
    }
    o.0.extend_from_slice(&keys.0);
    o.u64(names.len() as u64);
    o.0.extend_from_slice(&names);
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let (tmp, mut f) = crate::backup::private_temp(dir, "tables")?;
    let written = f.write_all(&o.0).and_then(|()| f.sync_all());
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(e.into());
    }
    std::fs::rename(&tmp, path)?;
    Ok(())
}

/// The longest prefix of `s` of at most `max` bytes that ends on a character boundary,
/// so a cut name stays UTF-8.
fn floor_char_boundary(s: &str, max: usize) -> usize {
    let mut end = s.len().min(max);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    end
}

/// Reads a snapshot with one read and decodes its rows in parallel; `None` if there is
/// none or it cannot be decoded whole.
pub fn read(path: &Path) -> Option<Snapshot> {
    let bytes = std::fs::read(path).ok()?;
    let mut i = In(&bytes);
    if i.take(8)? != MAGIC {
        return None;
    }
    let seq = i.u64()?;
    let n = usize::try_from(i.u64()?).ok()?;
    let rows = i.take(n.checked_mul(ROW)?)?;
    let n_terms = i.counted(4)?;
    let terms = i.take(n_terms)?;
    let docs = i.u64()?;
    let total_len = i.u64()?;
    let df_bytes = i.counted(8)?;
    let df = i
        .take(df_bytes)?
        .chunks_exact(8)
        .map(|p| (u32_at(p, 0), u32_at(p, 4)))
        .collect();
    let keys_at = bytes.len() - i.0.len();
    let keys = i.take(n.checked_mul(KEY_ROW)?)?;
    let n_names = i.counted(1)?;
    let names_at = bytes.len() - i.0.len();
    let names = i.take(n_names)?;
    if !i.0.is_empty() {
        return None;
    }
    let term_at = starts(rows, ROW, 63, 4, terms.len())?;
    let name_at = starts(keys, KEY_ROW, 18, 1, names.len())?;
    // One check of the names, here, so the index build cannot meet a damaged one.
    let names_text = std::str::from_utf8(names).ok()?;
    if !name_at.iter().all(|&at| names_text.is_char_boundary(at)) {
        return None;
    }
    let bad = AtomicBool::new(false);
    let rows: Vec<(WorkerFeatures, DocTerms)> = rows
        .par_chunks_exact(ROW)
        .zip(term_at.par_windows(2))
        .map(|(r, w)| get_row(r, &terms[w[0]..w[1]], &bad))
        .collect();
    if bad.load(Ordering::Relaxed) {
        return None;
    }
    let keys = KeyBlock {
        rows: keys_at..keys_at + keys.len(),
        names: names_at..names_at + names.len(),
        bytes,
    };
    Some(Snapshot {
        seq,
        rows,
        stats: TermStats::from_parts(df, docs, total_len),
        keys,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dedupe::PersonKeys;
    use crate::relevance::doc_terms;

    #[test]
    fn roundtrips_every_field_and_refuses_damage() {
        let workers = crate::fixtures::demo_workers().unwrap();
        let rows: Vec<(WorkerFeatures, DocTerms, PersonKeys)> = workers
            .iter()
            .map(|w| {
                (
                    WorkerFeatures::of(w),
                    doc_terms(&w.notes),
                    PersonKeys::of(w),
                )
            })
            .collect();
        let mut stats = TermStats::default();
        for r in &rows {
            stats.add(&r.1);
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tables.snap");
        write(
            &path,
            42,
            rows.iter().map(|(f, d, k)| (f, d, k.borrowed())),
            &stats,
        )
        .unwrap();
        let snap = read(&path).unwrap();
        assert_eq!(snap.seq, 42);
        let pairs: Vec<_> = rows.iter().map(|(f, d, _)| (*f, d.clone())).collect();
        assert_eq!(snap.rows, pairs);
        let keys: Vec<_> = rows.iter().map(|(f, _, k)| (f.id, k.borrowed())).collect();
        assert_eq!(snap.keys.iter().collect::<Vec<_>>(), keys);
        let index = snap.keys.index();
        assert_eq!(index.len(), keys.len());
        for (id, k) in &keys {
            assert_eq!(index.keys(*id), Some(*k));
        }
        let q = doc_terms("Alzheimer cucina");
        assert_eq!(
            snap.stats.query(&q).share(&rows[0].1),
            stats.query(&q).share(&rows[0].1)
        );
        let mut bytes = std::fs::read(&path).unwrap();
        let mut unknown_arrangement = bytes.clone();
        unknown_arrangement[24 + 13] = 200;
        std::fs::write(&path, &unknown_arrangement).unwrap();
        assert!(read(&path).is_none(), "a position outside the vocabulary");
        let mut bad_name = bytes.clone();
        *bad_name.last_mut().unwrap() = 0xff;
        std::fs::write(&path, &bad_name).unwrap();
        assert!(read(&path).is_none(), "a name that is not UTF-8");
        bytes.truncate(bytes.len() - 3);
        std::fs::write(&path, &bytes).unwrap();
        assert!(read(&path).is_none());
        assert!(read(&dir.path().join("missing")).is_none());
    }

    #[test]
    fn a_long_name_is_cut_on_a_character_boundary() {
        let w = crate::fixtures::demo_workers().unwrap().remove(0);
        let (f, d) = (WorkerFeatures::of(&w), doc_terms(&w.notes));
        let k = PersonKeys {
            phone: 1,
            birth_year: 1980,
            name: "è".repeat(200).into(),
        };
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tables.snap");
        write(
            &path,
            1,
            std::iter::once((&f, &d, k.borrowed())),
            &TermStats::default(),
        )
        .unwrap();
        let snap = read(&path).expect("still readable");
        let (_, kept) = snap.keys.iter().next().expect("one row");
        assert_eq!(kept.name, "è".repeat(127).as_str());
    }
}
