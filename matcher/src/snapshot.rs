//! A binary snapshot of the in-memory tables (scoring features, note terms, BM25
//! statistics, dedupe keys), tagged with the store sequence number it reflects, so a
//! restart loads a million cards in well under a second instead of decoding every record.
//! Derived data like the index: a missing, damaged or stale snapshot is simply rebuilt.

use std::io::Write;
use std::path::Path;

use crate::date::Date;
use crate::dedupe::PersonKeys;
use crate::error::Result;
use crate::features::{PackedLang, WorkerFeatures, MAX_LANGS};
use crate::model::{Id, LiveIn, PermitKind, WorkerStatus};
use crate::relevance::{DocTerms, TermStats};

const MAGIC: &[u8; 8] = b"DOMTAB01";

pub struct Snapshot {
    pub seq: u64,
    pub rows: Vec<(WorkerFeatures, DocTerms, PersonKeys)>,
    pub stats: TermStats,
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

impl In<'_> {
    fn take(&mut self, n: usize) -> Option<&[u8]> {
        if self.0.len() < n {
            return None;
        }
        let (a, b) = self.0.split_at(n);
        self.0 = b;
        Some(a)
    }
    fn u8(&mut self) -> Option<u8> {
        Some(self.take(1)?[0])
    }
    fn u16(&mut self) -> Option<u16> {
        Some(u16::from_le_bytes(self.take(2)?.try_into().ok()?))
    }
    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }
    fn i32(&mut self) -> Option<i32> {
        Some(i32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }
    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
}

fn put_row(o: &mut Out, f: &WorkerFeatures, d: &DocTerms, k: &PersonKeys) {
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
    for t in terms {
        o.u32(*t);
    }
    o.u64(k.phone);
    o.u16(k.birth_year);
    let name = k.name.as_bytes();
    let name = &name[..name.len().min(255)];
    o.u8(name.len() as u8);
    o.0.extend_from_slice(name);
}

fn get_row(i: &mut In) -> Option<(WorkerFeatures, DocTerms, PersonKeys)> {
    let id = Id(i.u64()?);
    let comune = i.u16()?;
    let max_travel_km = i.u16()?;
    let jobs = i.u8()?;
    let live_in = *LiveIn::ALL.get(usize::from(i.u8()?))?;
    let status = *WorkerStatus::ALL.get(usize::from(i.u8()?))?;
    let bits = i.u8()?;
    let permit = *PermitKind::ALL.get(usize::from(i.u8()?))?;
    let hours_min = i.u8()?;
    let hours_max = i.u8()?;
    let permit_until = i.i32()?;
    let permit_expires = Some(i.i32()?)
        .filter(|d| *d != i32::MIN)
        .map(Date::from_days);
    let wage_cents = Some(i.u32()?).filter(|w| *w != u32::MAX);
    let confirmed_on = Date::from_days(i.i32()?);
    let waiting_since = Date::from_days(i.i32()?);
    let experience: [u8; 10] = i.take(10)?.try_into().ok()?;
    let mut languages = [PackedLang::default(); MAX_LANGS];
    for l in languages.iter_mut() {
        *l = PackedLang::from_raw(i.u16()?);
    }
    let len = i.u16()?;
    let n = i.u8()?;
    let terms = (0..n).map(|_| i.u32()).collect::<Option<Vec<u32>>>()?;
    let phone = i.u64()?;
    let birth_year = i.u16()?;
    let name_len = i.u8()?;
    let name = std::str::from_utf8(i.take(usize::from(name_len))?)
        .ok()?
        .into();
    Some((
        WorkerFeatures {
            id,
            comune,
            max_travel_km,
            jobs,
            live_in,
            status,
            driving_license: bits & 1 != 0,
            permit,
            possible_duplicate: bits & 2 != 0,
            hours_min,
            hours_max,
            permit_until,
            permit_expires,
            wage_cents,
            confirmed_on,
            waiting_since,
            experience,
            languages,
        },
        DocTerms::from_raw(terms, len),
        PersonKeys {
            phone,
            birth_year,
            name,
        },
    ))
}

/// Writes the snapshot atomically (temporary file, fsync, rename).
pub fn write<'a>(
    path: &Path,
    seq: u64,
    rows: impl ExactSizeIterator<Item = (&'a WorkerFeatures, &'a DocTerms, PersonKeys)>,
    stats: &TermStats,
) -> Result<()> {
    let mut o = Out(Vec::with_capacity(rows.len() * 140 + 1024));
    o.0.extend_from_slice(MAGIC);
    o.u64(seq);
    o.u64(rows.len() as u64);
    for (f, d, k) in rows {
        put_row(&mut o, f, d, &k);
    }
    let (df, docs, total_len) = stats.parts();
    o.u64(docs);
    o.u64(total_len);
    o.u64(df.len() as u64);
    for (h, n) in df {
        o.u32(h);
        o.u32(n);
    }
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

/// Reads a snapshot; `None` if there is none or it cannot be decoded whole.
pub fn read(path: &Path) -> Option<Snapshot> {
    let bytes = std::fs::read(path).ok()?;
    let mut i = In(&bytes);
    if i.take(8)? != MAGIC {
        return None;
    }
    let seq = i.u64()?;
    let n = i.u64()? as usize;
    let mut rows = Vec::with_capacity(n.min(bytes.len() / 60));
    for _ in 0..n {
        rows.push(get_row(&mut i)?);
    }
    let docs = i.u64()?;
    let total_len = i.u64()?;
    let n_df = i.u64()? as usize;
    let mut df = Vec::with_capacity(n_df.min(bytes.len() / 8));
    for _ in 0..n_df {
        df.push((i.u32()?, i.u32()?));
    }
    if !i.0.is_empty() {
        return None;
    }
    Some(Snapshot {
        seq,
        rows,
        stats: TermStats::from_parts(df, docs, total_len),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
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
            rows.iter().map(|(f, d, k)| (f, d, k.clone())),
            &stats,
        )
        .unwrap();
        let snap = read(&path).unwrap();
        assert_eq!(snap.seq, 42);
        assert_eq!(snap.rows, rows);
        let q = doc_terms("Alzheimer cucina");
        assert_eq!(
            snap.stats.query(&q).share(&rows[0].1),
            stats.query(&q).share(&rows[0].1)
        );
        let mut bytes = std::fs::read(&path).unwrap();
        bytes.truncate(bytes.len() - 3);
        std::fs::write(&path, &bytes).unwrap();
        assert!(read(&path).is_none());
        assert!(read(&dir.path().join("missing")).is_none());
    }
}
