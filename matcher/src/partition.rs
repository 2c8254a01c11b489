//! The matching table's partitions: slot lists by job × live-in, and by job × comune for
//! workers who commute, so a request reads only the rows that can pass its job and
//! live-in filters (and, for commuting, that live within reach) instead of every row.
//! Live-in lists (a quarter of the table each at national scale) are kept in blocks,
//! latest confirmation and most experience first, each with a `Summary` of its rows for
//! block-max pruning.

use crate::features::{WorkerFeatures, NO_EXPERIENCE};
use crate::rank::bits::{CAN_COMMUTE, CAN_LIVE_IN};
use crate::rank::{core_need, Summary};

/// Jobs are bits 0–7 of a row's filter bits.
const JOBS: usize = 8;
/// Slots per block of a live-in list: small enough that a block's best inputs are close
/// to its rows', large enough that the summaries (28 B) cost ~0.1 B a row.
pub const BLOCK: usize = 256;
/// A live-in list is sorted again once this share (1/n) of it changed since the last
/// sort: rows added since then sit at its end, in blocks of mixed dates. A list grown
/// from empty is thus sorted ~log n times, reading ~9 keys a row in all.
const RESORT_AFTER: usize = 8;

/// Days of confirmation dates sorted together (a recency point is ~33 days).
const DATE_BUCKET_DAYS: i32 = 32;

/// A live-in list in blocks of `BLOCK` slots, each summarised. Sorted by month of last
/// confirmation (latest first), then by years of the job's core experience (most
/// first), so a block's dates are close together and, within a month, its experience
/// too: both bounds are tight, and the blocks of short or no experience bound low.
/// Additions go to the end and a removal moves the last slot into the hole, widening
/// that block's summary, until the next sort.
#[derive(Default)]
struct Blocked {
    slots: Vec<u32>,
    summaries: Vec<Summary>,
    /// Additions and removals since the last sort.
    changes: usize,
    /// `ExperienceKind` index of the job's core experience.
    core: usize,
}

impl Blocked {
    fn push(&mut self, slot: u32, w: &WorkerFeatures) {
        if self.slots.len() % BLOCK == 0 {
            self.summaries.push(Summary::default());
        }
        self.slots.push(slot);
        if let Some(s) = self.summaries.last_mut() {
            s.add(w);
        }
        self.changes += 1;
    }

    fn remove(&mut self, slot: u32, rows: &[WorkerFeatures]) {
        let Some(i) = self.slots.iter().rposition(|&s| s == slot) else {
            return;
        };
        self.slots.swap_remove(i);
        if let Some(&moved) = self.slots.get(i) {
            if let (Some(s), Some(w)) =
                (self.summaries.get_mut(i / BLOCK), rows.get(moved as usize))
            {
                s.add(w);
            }
        }
        self.summaries.truncate(self.slots.len().div_ceil(BLOCK));
        self.changes += 1;
    }

    /// Sorts the list and summarises its blocks afresh.
    fn sort(&mut self, rows: &[WorkerFeatures]) {
        let core = self.core;
        let key = |s: &u32| {
            let w = &rows[*s as usize];
            let month = w.confirmed_on.days().div_euclid(DATE_BUCKET_DAYS);
            // Years past ten earn nothing more; none sorts after zero.
            let years = w.experience.get(core).map_or(0, |&y| match y {
                NO_EXPERIENCE => 0,
                y => y.min(10) + 1,
            });
            let (month, years) = (std::cmp::Reverse(month), std::cmp::Reverse(years));
            (
                month,
                years,
                std::cmp::Reverse(w.confirmed_on),
                w.waiting_since,
            )
        };
        // Keys read once (rows are scattered), then sorted as plain values.
        let mut keyed: Vec<_> = self.slots.iter().map(|s| (key(s), *s)).collect();
        keyed.sort_unstable();
        self.slots.clear();
        self.slots.extend(keyed.into_iter().map(|(_, s)| s));
        // Within a block the order does not matter: ascending slots read the table's
        // columns forward.
        for block in self.slots.chunks_mut(BLOCK) {
            block.sort_unstable();
        }
        self.summaries = self
            .slots
            .chunks(BLOCK)
            .map(|block| {
                let mut s = Summary::default();
                for &slot in block {
                    s.add(&rows[slot as usize]);
                }
                s
            })
            .collect();
        self.changes = 0;
    }

    fn blocks(&self) -> impl Iterator<Item = (&[u32], Option<&Summary>)> {
        self.slots
            .chunks(BLOCK)
            .zip(&self.summaries)
            .map(|(b, s)| (b, Some(s)))
    }
}

/// Slot lists kept in step with the table's filter bits and places. A slot is in the
/// live-in list of each of its jobs when it can live in, and in the commute list of each
/// of its jobs at its comune when it can commute.
pub struct Partitions {
    live_in: [Blocked; JOBS],
    /// `JOBS × comuni` lists, job-major.
    commute: Vec<Vec<u32>>,
    comuni: usize,
    /// The longest reach of any row ever added (km): a commute scan visits the comuni
    /// within it of the request. Never lowered, which only widens a scan.
    max_reach: u16,
}

/// The slots a request must consider: every slot of the table that has the request's job
/// and can serve it live-in, or commute from within the longest reach, exactly once.
pub struct Scan<'a> {
    live_in: Option<&'a Blocked>,
    /// Gathered from the comuni within reach.
    commute: Vec<u32>,
}

impl Scan<'_> {
    /// The slots in pieces: the live-in list's blocks with their summaries, then the
    /// commute slots in pieces of at most `chunk`, unsummarised.
    pub fn pieces(&self, chunk: usize) -> impl Iterator<Item = (&[u32], Option<&Summary>)> {
        self.live_in
            .into_iter()
            .flat_map(Blocked::blocks)
            .chain(self.commute.chunks(chunk).map(|c| (c, None)))
    }
}

impl Default for Partitions {
    fn default() -> Partitions {
        Partitions::new(crate::comuni::Comuni::get().len())
    }
}

impl Partitions {
    pub fn new(comuni: usize) -> Partitions {
        let live_in = std::array::from_fn(|job| Blocked {
            core: core_need(1 << job).index(),
            ..Blocked::default()
        });
        Partitions {
            live_in,
            commute: vec![Vec::new(); JOBS * comuni],
            comuni,
            max_reach: 0,
        }
    }

    /// The lists `flags` and `comune` file a slot under: live-in lists, commute lists.
    fn lists(&mut self, flags: u32, comune: u16) -> (Vec<&mut Blocked>, Vec<&mut Vec<u32>>) {
        let comuni = self.comuni;
        let (mut live_in, mut commute) = (Vec::new(), Vec::new());
        let commute_here = flags & CAN_COMMUTE != 0 && usize::from(comune) < comuni;
        for (job, (blocked, by_comune)) in self
            .live_in
            .iter_mut()
            .zip(self.commute.chunks_mut(comuni.max(1)))
            .enumerate()
        {
            if flags & (1 << job) == 0 {
                continue;
            }
            if flags & CAN_LIVE_IN != 0 {
                live_in.push(blocked);
            }
            if commute_here {
                commute.push(&mut by_comune[usize::from(comune)]);
            }
        }
        (live_in, commute)
    }

    /// Files `slot`, holding `w`, under the lists its filter bits and comune select.
    pub fn add(&mut self, slot: u32, flags: u32, w: &WorkerFeatures) {
        self.max_reach = self.max_reach.max(w.max_travel_km);
        let (live_in, commute) = self.lists(flags, w.comune);
        for list in live_in {
            list.push(slot, w);
        }
        for list in commute {
            list.push(slot);
        }
    }

    /// Takes `slot` out of the lists it was filed under with these bits and comune;
    /// `rows` are the table's rows (a slot moved into the hole widens its block).
    pub fn remove(&mut self, slot: u32, flags: u32, comune: u16, rows: &[WorkerFeatures]) {
        let (live_in, commute) = self.lists(flags, comune);
        for list in live_in {
            list.remove(slot, rows);
        }
        for list in commute {
            if let Some(i) = list.iter().rposition(|&s| s == slot) {
                list.swap_remove(i);
            }
        }
    }

    /// Sorts again the live-in lists that changed enough since their last sort (all of
    /// them with `force`), so their blocks' bounds stay tight.
    pub fn tidy(&mut self, rows: &[WorkerFeatures], force: bool) {
        for list in &mut self.live_in {
            let due = list.changes > 0 && list.changes * RESORT_AFTER >= list.slots.len();
            if due || (force && list.changes > 0) {
                list.sort(rows);
            }
        }
    }

    /// The slots to scan for a request needing `job_bits` (exactly one job) and one of
    /// `any_of`, with `dist` its distances to every comune and `flags` the table's filter
    /// column; `None` when the request does not name exactly one job (the caller scans
    /// everything).
    pub fn scan(
        &self,
        job_bits: u32,
        any_of: u32,
        dist: &[f64],
        flags: &[u32],
    ) -> Option<Scan<'_>> {
        if job_bits.count_ones() != 1 || job_bits >= 1 << JOBS {
            return None;
        }
        let job = job_bits.trailing_zeros() as usize;
        let live_in = (any_of & CAN_LIVE_IN != 0).then(|| &self.live_in[job]);
        let mut commute = Vec::new();
        if any_of & CAN_COMMUTE != 0 {
            let reach = f64::from(self.max_reach);
            // Who can live in is already in the live-in list when that is read too.
            let skip = any_of & CAN_LIVE_IN;
            let by_comune = &self.commute[job * self.comuni..(job + 1) * self.comuni];
            for (list, _) in by_comune.iter().zip(dist).filter(|(_, &km)| km <= reach) {
                commute.extend(list.iter().filter(|&&s| flags[s as usize] & skip == 0));
            }
        }
        Some(Scan { live_in, commute })
    }

    /// Bytes held, for the memory benchmark.
    pub fn heap_bytes(&self) -> usize {
        let live_in = self.live_in.iter().map(|l| {
            l.slots.capacity() * 4 + l.summaries.capacity() * std::mem::size_of::<Summary>()
        });
        self.commute.capacity() * std::mem::size_of::<Vec<u32>>()
            + self.commute.iter().map(|l| l.capacity() * 4).sum::<usize>()
            + live_in.sum::<usize>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rank::testing::{day, request, worker};

    const CARE: u32 = 1 << 2;
    const HOUSE: u32 = 1 << 3;

    fn all(scan: &Scan) -> Vec<u32> {
        let mut out: Vec<u32> = scan.pieces(2).flat_map(|(p, _)| p).copied().collect();
        out.sort();
        out
    }

    fn row(comune: u16, reach: u16) -> WorkerFeatures {
        WorkerFeatures {
            comune,
            max_travel_km: reach,
            ..worker()
        }
    }

    #[test]
    fn a_request_reads_its_job_and_arrangement_only() {
        let flags = [
            CARE | CAN_LIVE_IN,
            CARE | HOUSE | CAN_COMMUTE,
            CARE | CAN_LIVE_IN | CAN_COMMUTE,
            HOUSE | CAN_COMMUTE,
            CARE | CAN_LIVE_IN | CAN_COMMUTE,
        ];
        let rows = [row(0, 10), row(1, 20), row(2, 5), row(0, 5), row(1, 5)];
        let mut p = Partitions::new(3);
        for (slot, (&f, w)) in flags.iter().zip(&rows).enumerate() {
            p.add(slot as u32, f, w);
        }
        // Comune 2 is beyond every reach from the request's comune.
        let dist = [0.0, 15.0, 100.0];
        let scan = |job, any_of| all(&p.scan(job, any_of, &dist, &flags).unwrap());
        assert_eq!(scan(CARE, CAN_LIVE_IN), vec![0, 2, 4]);
        assert_eq!(scan(CARE, CAN_COMMUTE), vec![1, 4]);
        // Either: each slot once, though 4 is in both lists.
        assert_eq!(scan(CARE, CAN_LIVE_IN | CAN_COMMUTE), vec![0, 1, 2, 4]);
        assert_eq!(scan(HOUSE, CAN_LIVE_IN | CAN_COMMUTE), vec![1, 3]);
        assert!(p.scan(CARE | HOUSE, CAN_COMMUTE, &dist, &flags).is_none());
        p.remove(1, flags[1], 1, &rows);
        let scan = |job, any_of| all(&p.scan(job, any_of, &dist, &flags).unwrap());
        assert_eq!(scan(CARE, CAN_COMMUTE), vec![4]);
        assert_eq!(scan(HOUSE, CAN_COMMUTE), vec![3]);
    }

    /// After a sort the blocks run latest confirmation first; after removals (the last
    /// slot moving into each hole) every block's summary still covers its rows.
    #[test]
    fn live_in_blocks_are_sorted_and_their_summaries_cover_them_after_removals() {
        let n = 3 * BLOCK + 17;
        let mut rows: Vec<WorkerFeatures> = (0..n)
            .map(|i| WorkerFeatures {
                confirmed_on: day("2025-01-01").add_days((i * 7919 % 700) as i32),
                hours_min: (i % 40) as u8,
                ..worker()
            })
            .collect();
        let mut p = Partitions::new(3);
        for (slot, w) in rows.iter().enumerate() {
            p.add(slot as u32, CARE | CAN_LIVE_IN, w);
        }
        p.tidy(&rows, true);
        let list = &p.live_in[2];
        // Blocks in order of confirmation month (within a block, slots ascend).
        let month = |s: &u32| {
            rows[*s as usize]
                .confirmed_on
                .days()
                .div_euclid(DATE_BUCKET_DAYS)
        };
        let blocks: Vec<&[u32]> = list.slots.chunks(BLOCK).collect();
        for pair in blocks.windows(2) {
            let oldest = pair[0].iter().map(month).min();
            let newest = pair[1].iter().map(month).max();
            assert!(oldest >= newest, "{oldest:?} {newest:?}");
        }
        assert_eq!(list.summaries.len(), 4);
        // Remove every fifth slot; change one row's dates in place (remove, change, add).
        for slot in (0..n as u32).step_by(5) {
            p.remove(slot, CARE | CAN_LIVE_IN, 0, &rows);
        }
        p.remove(1, CARE | CAN_LIVE_IN, 0, &rows);
        rows[1].confirmed_on = day("2026-11-19");
        p.add(1, CARE | CAN_LIVE_IN, &rows[1]);
        let r = request();
        let today = day("2026-11-20");
        let list = &p.live_in[2];
        assert_eq!(list.slots.len(), n - n.div_ceil(5));
        for (block, summary) in list.blocks() {
            let bound = summary.unwrap().bound(&r, today);
            for &slot in block {
                let mut only = Summary::default();
                only.add(&rows[slot as usize]);
                assert!(only.bound(&r, today) <= bound, "slot {slot}");
            }
        }
    }
}
