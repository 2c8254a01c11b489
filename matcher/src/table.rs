//! The in-memory matching table: every worker's scoring features and note terms, with a
//! packed column of filter bits and partitions (job × live-in, job × comune) so a request
//! reads only the slots that can pass its job and live-in filters. Slots are stable (a
//! removed worker leaves a tombstone that the next insert reuses). Beside each row, a
//! `Hot` summary (`rank/bound.rs`) lets a scan bound a row's score without reading it.

use rayon::slice::ParallelSliceMut;

use crate::features::{RequestFeatures, WorkerFeatures};
use crate::model::Id;
use crate::partition::{Partitions, Scan};
use crate::rank::{self, Hot};
use crate::relevance::{DocTerms, TermStats};
use crate::slots::SlotTable;

/// Set on every live row; a tombstone has no bits at all.
const LIVE: u32 = 1 << 31;

/// The row's filter bits: liveness plus every hard constraint's own bits.
fn flags_of(w: &WorkerFeatures) -> u32 {
    LIVE | rank::worker_bits(w)
}

/// Bits a worker must all have for a request, and the group of which one must be set.
pub fn required_flags(r: &RequestFeatures) -> (u32, u32) {
    let (need, any_of) = rank::required_bits(r);
    (LIVE | need, any_of)
}

/// Below this many rows filed out of order, a bulk write does not lay the table out.
const LAYOUT_MIN: usize = 1024;

/// Where a row goes when the table is laid out, as one key that sorts so: rows that can
/// live in first, then those who only commute; in each, by comune, then by job mask,
/// then by the slot it had. A live-in list (job × live-in) is then a few long runs of
/// neighbouring slots, and a commute list (job × comune) two short ones; a commute scan
/// visits comuni in index order (neighbouring comuni have neighbouring indices), so it
/// moves forward through memory.
fn layout_key(flags: u32, comune: u16, slot: u32) -> u64 {
    let commute_only = u64::from(flags & rank::bits::CAN_LIVE_IN == 0);
    commute_only << 63 | u64::from(comune) << 40 | u64::from(flags & 0xFF) << 32 | u64::from(slot)
}

/// Everything a scan reads of a row before it decides to read the row itself: the
/// filter bits, the place (comune slot and reach in km, for the commute test) and the
/// hot summary (a scan bounds the row's score from it). One 32-byte entry, aligned, so a
/// slot the scan visits costs one cache line, not one per column.
#[derive(Debug, Clone, Copy, Default)]
#[repr(C, align(32))]
struct ScanRow {
    flags: u32,
    comune: u16,
    reach: u16,
    hot: Hot,
}

impl ScanRow {
    fn of(f: &WorkerFeatures, terms: &DocTerms) -> ScanRow {
        ScanRow {
            flags: flags_of(f),
            comune: f.comune,
            reach: f.max_travel_km,
            hot: Hot::of(f, terms),
        }
    }
}

/// A hint that the cache line holding `at` will be read soon.
#[inline]
fn prefetch(at: *const u8) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        // SAFETY: a prefetch reads nothing into the program and cannot fault, whatever
        // the address; SSE is part of x86_64.
        unsafe { _mm_prefetch::<_MM_HINT_T0>(at.cast()) };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = at;
}

#[derive(Default)]
pub struct WorkerTable {
    rows: Vec<WorkerFeatures>,
    terms: Vec<DocTerms>,
    /// Beside each row, what a scan reads first.
    scan: Vec<ScanRow>,
    /// Slot numbers hashed by their row's id: the id is read from the row, not stored a
    /// second time in a map (8 bytes a card at a million).
    slots: SlotTable,
    free: Vec<u32>,
    parts: Partitions,
    /// Rows filed in a new or reused slot since the table was last laid out.
    unordered: usize,
    /// BM25 statistics of the workers' notes.
    pub stats: TermStats,
}

impl WorkerTable {
    pub fn upsert(&mut self, f: WorkerFeatures, terms: DocTerms) {
        self.stats.add(&terms);
        if let Some(slot) = self.slot_of(f.id) {
            let s = slot as usize;
            let was = &self.scan[s];
            if layout_key(was.flags, was.comune, 0) != layout_key(flags_of(&f), f.comune, 0) {
                self.unordered += 1;
            }
            self.stats.remove(&self.terms[s]);
            self.parts
                .remove(slot, self.scan[s].flags, self.scan[s].comune);
            self.fill(slot, f, terms);
            return;
        }
        self.unordered += 1;
        let slot = match self.free.pop() {
            Some(s) => {
                self.fill(s, f, terms);
                s
            }
            None => {
                let s = self.rows.len() as u32;
                self.scan.push(ScanRow::default());
                self.rows.push(f);
                self.terms.push(DocTerms::default());
                self.fill(s, f, terms);
                s
            }
        };
        self.file_id(slot);
    }

    fn slot_of(&self, id: Id) -> Option<u32> {
        let rows = &self.rows;
        self.slots.get(id, |s| rows[s as usize].id)
    }

    /// Files the id of the row in `slot` (written already) as being there.
    fn file_id(&mut self, slot: u32) {
        let rows = &self.rows;
        self.slots
            .set(rows[slot as usize].id, slot, |s| rows[s as usize].id);
    }

    /// Writes a row into `slot` (out of every partition) and files it in its partitions.
    fn fill(&mut self, slot: u32, f: WorkerFeatures, terms: DocTerms) {
        let s = slot as usize;
        let row = ScanRow::of(&f, &terms);
        self.parts.add(slot, row.flags, row.comune, row.reach);
        self.scan[s] = row;
        self.rows[s] = f;
        self.terms[s] = terms;
    }

    pub fn remove(&mut self, id: Id) {
        let rows = &self.rows;
        if let Some(slot) = self.slots.remove(id, |s| rows[s as usize].id) {
            let s = slot as usize;
            self.stats.remove(&self.terms[s]);
            self.parts
                .remove(slot, self.scan[s].flags, self.scan[s].comune);
            self.scan[s].flags = 0;
            self.terms[s] = DocTerms::default();
            self.free.push(slot);
        }
    }

    pub fn get(&self, id: Id) -> Option<&WorkerFeatures> {
        self.slot_of(id).map(|s| &self.rows[s as usize])
    }

    pub fn terms(&self, id: Id) -> Option<&DocTerms> {
        self.slot_of(id).map(|s| &self.terms[s as usize])
    }

    /// Slots in use or free; a scan runs over `0..capacity()`.
    pub fn capacity(&self) -> usize {
        self.rows.len()
    }

    /// The slots a request needing `need` and one of `any_of` must consider (its job's
    /// partitions), with `dist` its distances; `None`: every slot.
    pub fn scan(&self, need: u32, any_of: u32, dist: &[f64]) -> Option<Scan<'_>> {
        self.parts.scan(need & 0xFF, any_of, dist)
    }

    /// The row in `slot` if it is live and has every bit of `need` and one of `any_of`.
    #[inline]
    pub fn filtered(
        &self,
        slot: usize,
        need: u32,
        any_of: u32,
    ) -> Option<(&WorkerFeatures, &DocTerms)> {
        let f = self.scan[slot].flags;
        (f & need == need && f & any_of != 0).then(|| (&self.rows[slot], &self.terms[slot]))
    }

    /// Like `filtered`, and for a worker who could only commute, within their reach of
    /// the comune whose distances are `dist`.
    #[inline]
    pub fn reachable(
        &self,
        slot: usize,
        need: u32,
        any_of: u32,
        dist: &[f64],
    ) -> Option<(&WorkerFeatures, &DocTerms)> {
        self.passes(slot, need, any_of, 0, dist)
            .map(|_| self.row(slot))
    }

    /// `reachable` without reading the row, for a slot that must not have the bits
    /// `skip` (read through a list that repeats another's): the distance (km) and the
    /// worker's reach, from the scan entry.
    #[inline]
    pub fn passes(
        &self,
        slot: usize,
        need: u32,
        any_of: u32,
        skip: u32,
        dist: &[f64],
    ) -> Option<(f64, u16)> {
        let row = &self.scan[slot];
        let f = row.flags;
        if f & need != need || f & any_of == 0 || f & skip != 0 {
            return None;
        }
        let km = dist[usize::from(row.comune)];
        let can_live_in_here = f & any_of & rank::bits::CAN_LIVE_IN != 0;
        (can_live_in_here || km <= f64::from(row.reach)).then_some((km, row.reach))
    }

    /// Asks the CPU to start loading the scan entry of `slot` (a hint: nothing happens
    /// when it is out of range). A national scan visits a quarter of the table in list
    /// order, one cache line a slot with gaps the hardware prefetcher does not follow;
    /// asking a few slots ahead overlaps those misses.
    #[inline]
    pub fn prefetch(&self, slot: usize) {
        if let Some(entry) = self.scan.get(slot) {
            prefetch(std::ptr::from_ref(entry).cast());
        }
    }

    /// `prefetch` for the row in `slot` and its terms (the row spans two cache lines).
    #[inline]
    pub fn prefetch_row(&self, slot: usize) {
        if let (Some(row), Some(terms)) = (self.rows.get(slot), self.terms.get(slot)) {
            let row: *const u8 = std::ptr::from_ref(row).cast();
            prefetch(row);
            prefetch(row.wrapping_add(std::mem::size_of::<WorkerFeatures>() - 1));
            prefetch(std::ptr::from_ref(terms).cast());
        }
    }

    /// `prefetch` for the stems of the row in `slot` (on the heap, where the row's
    /// terms point: ask once those terms are in the cache, `prefetch_row`).
    #[inline]
    pub fn prefetch_stems(&self, slot: usize) {
        if let Some(terms) = self.terms.get(slot) {
            prefetch(terms.stems_at());
        }
    }

    /// The hot summary of the row in `slot`.
    #[inline]
    pub fn hot(&self, slot: usize) -> &Hot {
        &self.scan[slot].hot
    }

    /// The row in `slot` and its terms, whatever its flags.
    #[inline]
    pub fn row(&self, slot: usize) -> (&WorkerFeatures, &DocTerms) {
        (&self.rows[slot], &self.terms[slot])
    }

    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// Every live row with its terms.
    pub fn live(&self) -> impl Iterator<Item = (&WorkerFeatures, &DocTerms)> + '_ {
        (0..self.rows.len())
            .filter(|s| self.scan[*s].flags & LIVE != 0)
            .map(|s| (&self.rows[s], &self.terms[s]))
    }

    /// A table from rows whose statistics are already known (a snapshot), laid out.
    pub fn from_rows(rows: Vec<(WorkerFeatures, DocTerms)>, stats: TermStats) -> WorkerTable {
        let mut t = WorkerTable {
            stats,
            ..WorkerTable::default()
        };
        t.rows.reserve_exact(rows.len());
        t.terms.reserve_exact(rows.len());
        t.scan.reserve_exact(rows.len());
        for (f, terms) in rows {
            t.scan.push(ScanRow::of(&f, &terms));
            t.rows.push(f);
            t.terms.push(terms);
        }
        // Written, not filed: the layout files every row where it puts it.
        t.lay_out();
        t
    }

    /// Rows filed in slots since the table was last laid out, when they are a quarter
    /// of it or more: a bulk write then lays the table out again (`lay_out`), so the
    /// cost of doing so stays proportional to what was written.
    pub fn wants_layout(&self) -> bool {
        self.unordered >= LAYOUT_MIN && self.unordered * 4 >= self.len()
    }

    /// Puts the live rows in layout order (`layout_key`) in slots `0..` and files them
    /// there, so each partition's lists become runs of neighbouring slots: a scan then
    /// reads its entries from memory in order, whole cache lines at a time, instead of one
    /// line a slot. Results do not depend on slots (ties go by id), only the speed of
    /// reading them.
    pub fn lay_out(&mut self) {
        let mut order: Vec<u64> = (0..self.rows.len())
            .filter(|&s| self.scan[s].flags & LIVE != 0)
            .map(|s| layout_key(self.scan[s].flags, self.scan[s].comune, s as u32))
            .collect();
        order.par_sort_unstable();
        let slot = |k: &u64| *k as u32 as usize;
        let mut t = WorkerTable {
            rows: order.iter().map(|k| self.rows[slot(k)]).collect(),
            terms: order
                .iter()
                .map(|k| std::mem::take(&mut self.terms[slot(k)]))
                .collect(),
            scan: order.iter().map(|k| self.scan[slot(k)]).collect(),
            stats: std::mem::take(&mut self.stats),
            ..WorkerTable::default()
        };
        // A fresh table: every slot filed once, each list sized exactly.
        let rows = &t.rows;
        t.slots.reserve(rows.len(), |s| rows[s as usize].id);
        for slot in 0..t.rows.len() as u32 {
            t.file_id(slot);
        }
        t.parts
            .add_column(t.scan.iter().map(|r| (r.flags, r.comune, r.reach)));
        *self = t;
    }

    pub fn reserve(&mut self, n: usize) {
        self.rows.reserve(n);
        self.terms.reserve(n);
        self.scan.reserve(n);
        let rows = &self.rows;
        self.slots.reserve(n, |s| rows[s as usize].id);
    }

    /// Approximate bytes held, for the memory benchmark.
    pub fn heap_bytes(&self) -> usize {
        self.rows.capacity() * std::mem::size_of::<WorkerFeatures>()
            + self.terms.capacity() * std::mem::size_of::<DocTerms>()
            + self.terms.iter().map(DocTerms::heap_bytes).sum::<usize>()
            + self.scan.capacity() * std::mem::size_of::<ScanRow>()
            + self.slots.allocation_size()
            + self.parts.heap_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::relevance::doc_terms;

    #[test]
    fn a_scan_entry_is_half_a_cache_line() {
        assert_eq!(std::mem::size_of::<ScanRow>(), 32);
        assert_eq!(std::mem::align_of::<ScanRow>(), 32);
    }

    #[test]
    fn slots_are_reused_and_lookups_stay_right() {
        let base = crate::fixtures::demo_workers().unwrap();
        let mut t = WorkerTable::default();
        for w in &base[..5] {
            t.upsert(WorkerFeatures::of(w), doc_terms(&w.notes));
        }
        t.remove(base[1].id);
        t.remove(Id(12345));
        assert_eq!(t.len(), 4);
        assert!(t.get(base[1].id).is_none());
        t.upsert(WorkerFeatures::of(&base[6]), doc_terms(&base[6].notes));
        assert_eq!(t.capacity(), 5, "the free slot was reused");
        for w in [&base[0], &base[2], &base[3], &base[4], &base[6]] {
            assert_eq!(t.get(w.id).unwrap().id, w.id);
        }
    }

    #[test]
    fn filter_bits_mirror_the_hard_constraints() {
        let base = crate::fixtures::demo_workers().unwrap();
        let requests = crate::fixtures::demo_requests().unwrap();
        let mut t = WorkerTable::default();
        for w in &base {
            t.upsert(WorkerFeatures::of(w), doc_terms(&w.notes));
        }
        for r in &requests {
            let rf = RequestFeatures::of(r);
            let (need, any_of) = required_flags(&rf);
            for slot in 0..t.capacity() {
                let row = &t.rows[slot];
                let passes_bits = t.filtered(slot, need, any_of).is_some();
                // Anyone who passes the full check passes the bits (never a false negative).
                let km = crate::comuni::Comuni::get().distance_km(row.comune, rf.comune);
                if rank::failing(row, &rf, km).is_empty() {
                    assert!(passes_bits, "{:?}", row.id);
                }
            }
        }
    }

    /// Whether every slot's row sorts after the one before it (`layout_key`, the old
    /// slot aside).
    fn in_layout_order(t: &WorkerTable) -> bool {
        let key = |s: usize| layout_key(t.scan[s].flags, t.scan[s].comune, 0);
        (1..t.capacity()).all(|s| key(s - 1) <= key(s))
    }

    #[test]
    fn a_table_is_laid_out_when_built_and_again_after_a_quarter_more_rows() {
        let day: crate::date::Date = "2026-11-20".parse().unwrap();
        let mut synth = crate::synth::Synth::new(8, day);
        let rows: Vec<(WorkerFeatures, DocTerms)> = synth
            .workers(3000)
            .iter()
            .map(|w| (WorkerFeatures::of(w), doc_terms(&w.notes)))
            .collect();
        let mut stats = TermStats::default();
        rows.iter().for_each(|(_, d)| stats.add(d));
        let mut t = WorkerTable::from_rows(rows.clone(), stats);
        assert!(in_layout_order(&t));
        for (f, d) in &rows {
            assert_eq!(t.get(f.id), Some(f));
            assert_eq!(t.terms(f.id), Some(d));
        }
        assert!(!t.wants_layout());
        // 700 new rows are under a quarter of 3,700; 1,100 are over it (and over the
        // minimum), and a layout puts them in order.
        let more = synth.workers(1100);
        for w in &more[..700] {
            t.upsert(WorkerFeatures::of(w), doc_terms(&w.notes));
        }
        assert!(!t.wants_layout());
        for w in &more[700..] {
            t.upsert(WorkerFeatures::of(w), doc_terms(&w.notes));
        }
        assert!(t.wants_layout());
        assert!(!in_layout_order(&t));
        t.lay_out();
        assert!(in_layout_order(&t) && !t.wants_layout());
        assert_eq!(t.len(), 4100);
    }

    #[test]
    fn partitions_hold_exactly_the_rows_a_request_can_reach_after_changes() {
        let day: crate::date::Date = "2026-11-20".parse().unwrap();
        let mut synth = crate::synth::Synth::new(5, day);
        let workers = synth.workers(600);
        let mut t = WorkerTable::default();
        for w in &workers {
            t.upsert(WorkerFeatures::of(w), DocTerms::default());
        }
        // Changes of job, arrangement and place in existing slots; removals; reuse.
        for (i, w) in workers.iter().enumerate().step_by(7) {
            let mut f = WorkerFeatures::of(w);
            f.jobs = workers[(i + 1) % workers.len()]
                .jobs
                .iter()
                .fold(0, |a, j| a | j.bit() as u8);
            f.live_in = workers[(i + 3) % workers.len()].live_in;
            f.comune = WorkerFeatures::of(&workers[(i + 5) % workers.len()]).comune;
            t.upsert(f, DocTerms::default());
        }
        for w in workers.iter().skip(3).step_by(11) {
            t.remove(w.id);
        }
        for w in synth.workers(30) {
            t.upsert(WorkerFeatures::of(&w), DocTerms::default());
        }
        let comuni = crate::comuni::Comuni::get();
        let requests: Vec<RequestFeatures> = [
            crate::synth::Area::Province("RM".into()),
            crate::synth::Area::National,
        ]
        .iter()
        .flat_map(|area| {
            (0..20)
                .map(|_| RequestFeatures::of(&synth.request(area)))
                .collect::<Vec<_>>()
        })
        .collect();
        let check = |t: &WorkerTable| {
            let mut reached = 0;
            for rf in &requests {
                let (need, any_of) = required_flags(rf);
                let dist = comuni.distances_from(rf.comune);
                let pieces = t.scan(need, any_of, &dist).unwrap().pieces(64);
                // As the ranking reads them: a slot given twice would show here twice.
                let mut scanned: Vec<u32> = (0..pieces.len())
                    .flat_map(|i| pieces.get(i).unwrap().iter())
                    .flat_map(|&(list, skip)| {
                        let dist = &dist;
                        list.iter().copied().filter(move |&s| {
                            t.passes(s as usize, need, any_of, skip, dist).is_some()
                        })
                    })
                    .collect();
                scanned.sort();
                let every: Vec<u32> = (0..t.capacity() as u32)
                    .filter(|&s| t.reachable(s as usize, need, any_of, &dist).is_some())
                    .collect();
                reached += every.len();
                assert_eq!(scanned, every, "{:?}", rf.live_in);
            }
            reached
        };
        let reached = check(&t);
        // Laid out, the table holds the same rows under the same ids, in slots `0..len`
        // and in layout order, and the partitions still give exactly the reachable rows.
        let before: Vec<(WorkerFeatures, DocTerms)> =
            t.live().map(|(f, d)| (*f, d.clone())).collect();
        t.lay_out();
        assert_eq!(t.capacity(), before.len());
        assert_eq!(t.len(), before.len());
        for (f, d) in &before {
            assert_eq!(t.get(f.id), Some(f));
            assert_eq!(t.terms(f.id), Some(d));
        }
        assert!(in_layout_order(&t));
        assert_eq!(check(&t), reached);
        assert!(reached > 100, "the requests reach someone: {reached}");
    }
}
