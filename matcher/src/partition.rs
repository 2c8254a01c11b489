//! The matching table's partitions: slot lists by job × live-in, and by job × comune for
//! workers who commute, so a request reads only the rows that can pass its job and
//! live-in filters (and, for commuting, that live within reach) instead of every row.

use crate::rank::bits::{AVAILABLE, CAN_COMMUTE, CAN_LIVE_IN};

/// Jobs are bits 0–7 of a row's filter bits.
const JOBS: usize = 8;

/// Slot lists kept in step with the table's filter bits and places. A slot is in the
/// live-in list of each of its jobs when it can live in, and in the commute list of each
/// of its jobs at its comune when it can commute.
pub struct Partitions {
    live_in: [Vec<u32>; JOBS],
    /// `JOBS × comuni` lists, job-major.
    commute: Vec<Vec<u32>>,
    comuni: usize,
    /// The longest reach of any row ever added (km): a commute scan visits the comuni
    /// within it of the request. Never lowered, which only widens a scan.
    max_reach: u16,
}

/// The slots a request must consider: every slot of the table that has the request's job
/// and can serve it live-in, or commute from within the longest reach, exactly once. The
/// lists are read where they are (a commute request reaches hundreds of comuni's lists;
/// gathering them into one would copy, and touch each row's bits, before the scan).
pub struct Scan<'a> {
    /// The lists to read, each with the filter bits a slot read through it must not have
    /// (a slot that can live in is in a commute list too, and the live-in list already
    /// gives it when that is read).
    lists: Vec<(&'a [u32], u32)>,
}

/// Part of a scan: list slices of about `chunk` slots in all, each with the bits its slots
/// must not have.
pub type Piece<'s, 'a> = &'s [(&'a [u32], u32)];

impl<'a> Scan<'a> {
    /// Every slot of the table, for a request that names no single job.
    pub fn everything(slots: &'a [u32]) -> Scan<'a> {
        Scan {
            lists: vec![(slots, 0)],
        }
    }

    /// The scan in pieces of about `chunk` slots, for parallel scoring: a long list is
    /// cut, short ones are read together.
    pub fn pieces(self, chunk: usize) -> Pieces<'a> {
        let chunk = chunk.max(1);
        let mut cut = Vec::with_capacity(self.lists.len());
        for (list, skip) in self.lists {
            cut.extend(list.chunks(chunk).map(|c| (c, skip)));
        }
        let mut ends = Vec::new();
        let mut filled = 0;
        for (i, (slice, _)) in cut.iter().enumerate() {
            filled += slice.len();
            if filled >= chunk {
                ends.push(i + 1);
                filled = 0;
            }
        }
        if filled > 0 {
            ends.push(cut.len());
        }
        Pieces { slices: cut, ends }
    }
}

/// A scan cut into pieces (`Scan::pieces`).
pub struct Pieces<'a> {
    slices: Vec<(&'a [u32], u32)>,
    /// Where each piece ends in `slices`.
    ends: Vec<usize>,
}

impl<'a> Pieces<'a> {
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// The `i`-th piece.
    pub fn get(&self, i: usize) -> Option<Piece<'_, 'a>> {
        let end = *self.ends.get(i)?;
        let start = i.checked_sub(1).map_or(0, |p| self.ends[p]);
        Some(&self.slices[start..end])
    }

    /// Slots in all.
    pub fn slots(&self) -> usize {
        self.slices.iter().map(|(l, _)| l.len()).sum()
    }
}

/// Calls `f` with each list a row with these bits and comune belongs in, as an index:
/// `0..JOBS` the live-in list of a job, `JOBS + job × comuni + comune` a commute list.
/// Every request needs an available worker, so a row that is not (placed, inactive) is
/// filed nowhere: the cards a desk keeps after placing someone cost a scan nothing.
/// (Indices, not references: filing a row allocates nothing.)
fn lists_of(flags: u32, comune: u16, comuni: usize, mut f: impl FnMut(usize)) {
    if flags & AVAILABLE == 0 {
        return;
    }
    let commute_here = flags & CAN_COMMUTE != 0 && usize::from(comune) < comuni;
    for job in (0..JOBS).filter(|j| flags & (1 << j) != 0) {
        if flags & CAN_LIVE_IN != 0 {
            f(job);
        }
        if commute_here {
            f(JOBS + job * comuni + usize::from(comune));
        }
    }
}

impl Default for Partitions {
    fn default() -> Partitions {
        Partitions::new(crate::comuni::Comuni::get().len())
    }
}

impl Partitions {
    pub fn new(comuni: usize) -> Partitions {
        Partitions {
            live_in: Default::default(),
            commute: vec![Vec::new(); JOBS * comuni],
            comuni,
            max_reach: 0,
        }
    }

    fn list_mut(&mut self, i: usize) -> &mut Vec<u32> {
        match i.checked_sub(JOBS) {
            None => &mut self.live_in[i],
            Some(c) => &mut self.commute[c],
        }
    }

    /// Files `slot` under the lists its filter bits and comune select.
    pub fn add(&mut self, slot: u32, flags: u32, comune: u16, reach: u16) {
        self.max_reach = self.max_reach.max(reach);
        lists_of(flags, comune, self.comuni, |i| self.list_mut(i).push(slot));
    }

    /// Files slots `0..` of an empty table at once (a snapshot), from each slot's filter
    /// bits, comune and reach: every list is counted first and sized exactly, rather than
    /// grown by doubling row after row.
    pub fn add_column<I>(&mut self, rows: I)
    where
        I: Iterator<Item = (u32, u16, u16)> + Clone,
    {
        let mut counts = vec![0u32; JOBS + self.commute.len()];
        for (f, comune, _) in rows.clone() {
            lists_of(f, comune, self.comuni, |i| counts[i] += 1);
        }
        for (i, &n) in counts.iter().enumerate() {
            self.list_mut(i).reserve_exact(n as usize);
        }
        for (slot, (f, comune, reach)) in rows.enumerate() {
            self.add(slot as u32, f, comune, reach);
        }
    }

    /// Takes `slot` out of the lists it was filed under with these bits and comune.
    pub fn remove(&mut self, slot: u32, flags: u32, comune: u16) {
        lists_of(flags, comune, self.comuni, |i| {
            let list = self.list_mut(i);
            if let Some(at) = list.iter().rposition(|&s| s == slot) {
                list.swap_remove(at);
            }
        });
    }

    /// The slots to scan for a request needing `job_bits` (exactly one job) and one of
    /// `any_of`, with `dist` its distances to every comune; `None` when the request does
    /// not name exactly one job (the caller scans everything).
    pub fn scan(&self, job_bits: u32, any_of: u32, dist: &[f64]) -> Option<Scan<'_>> {
        if job_bits.count_ones() != 1 || job_bits >= 1 << JOBS {
            return None;
        }
        let job = job_bits.trailing_zeros() as usize;
        let mut lists = Vec::new();
        if any_of & CAN_LIVE_IN != 0 {
            lists.push((&self.live_in[job][..], 0));
        }
        if any_of & CAN_COMMUTE != 0 {
            let reach = f64::from(self.max_reach);
            // Who can live in is already in the live-in list when that is read too.
            let skip = any_of & CAN_LIVE_IN;
            let by_comune = &self.commute[job * self.comuni..(job + 1) * self.comuni];
            let within = by_comune.iter().zip(dist).filter(|(_, &km)| km <= reach);
            lists.extend(
                within
                    .filter(|(list, _)| !list.is_empty())
                    .map(|(list, _)| (&list[..], skip)),
            );
        }
        Some(Scan { lists })
    }

    /// Bytes held, for the memory benchmark.
    pub fn heap_bytes(&self) -> usize {
        let lists = self.live_in.iter().chain(&self.commute);
        self.commute.capacity() * std::mem::size_of::<Vec<u32>>()
            + lists.map(|l| l.capacity() * 4).sum::<usize>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Rows filed in these tests are available unless a test says otherwise.
    const CARE: u32 = AVAILABLE | 1 << 2;
    const HOUSE: u32 = AVAILABLE | 1 << 3;

    /// The slots a scan yields, read as the ranking reads them: piece by piece, each
    /// slot unless its bits have the piece's skip bits.
    fn all(scan: Scan, flags: &[u32]) -> Vec<u32> {
        let pieces = scan.pieces(2);
        let mut out = Vec::new();
        for i in 0..pieces.len() {
            for &(list, skip) in pieces.get(i).unwrap() {
                out.extend(list.iter().filter(|&&s| flags[s as usize] & skip == 0));
            }
        }
        out.sort();
        out
    }

    #[test]
    fn pieces_cut_long_lists_and_join_short_ones_keeping_every_slot_once() {
        let long: Vec<u32> = (0..10).collect();
        let short: Vec<Vec<u32>> = vec![vec![10], vec![11, 12], vec![13], vec![14, 15, 16]];
        let mut lists = vec![(&long[..], 0)];
        lists.extend(short.iter().map(|l| (&l[..], CAN_LIVE_IN)));
        let pieces = Scan { lists }.pieces(4);
        let sizes: Vec<usize> = (0..pieces.len())
            .map(|i| pieces.get(i).unwrap().iter().map(|(l, _)| l.len()).sum())
            .collect();
        // 10 = 4 + 4 + 2; the 2 goes on with short lists until 4 are reached (5: lists
        // are not cut to fill a piece), the rest makes the last piece.
        assert_eq!(sizes, vec![4, 4, 5, 4]);
        assert_eq!(pieces.slots(), 17);
        let mut seen: Vec<(u32, u32)> = (0..pieces.len())
            .flat_map(|i| pieces.get(i).unwrap().iter())
            .flat_map(|&(l, skip)| l.iter().map(move |&s| (s, skip)))
            .collect();
        seen.sort();
        let expected: Vec<(u32, u32)> = (0..17)
            .map(|s| (s, if s < 10 { 0 } else { CAN_LIVE_IN }))
            .collect();
        assert_eq!(seen, expected);
        assert!(pieces.get(5).is_none());
        assert_eq!(Scan { lists: vec![] }.pieces(4).len(), 0);
    }

    #[test]
    fn a_request_reads_its_job_and_arrangement_only() {
        let flags = [
            CARE | CAN_LIVE_IN,
            CARE | HOUSE | CAN_COMMUTE,
            CARE | CAN_LIVE_IN | CAN_COMMUTE,
            HOUSE | CAN_COMMUTE,
            CARE | CAN_LIVE_IN | CAN_COMMUTE,
            // Placed or inactive: no request can take it, no list holds it.
            (CARE | CAN_LIVE_IN | CAN_COMMUTE) & !AVAILABLE,
        ];
        let places = [(0, 10), (1, 20), (2, 5), (0, 5), (1, 5), (0, 60)];
        let mut p = Partitions::new(3);
        for (slot, (&f, &(comune, reach))) in flags.iter().zip(&places).enumerate() {
            p.add(slot as u32, f, comune, reach);
        }
        // Comune 2 is beyond every reach from the request's comune.
        let dist = [0.0, 15.0, 100.0];
        let scan = |job, any_of| all(p.scan(job & 0xFF, any_of, &dist).unwrap(), &flags);
        assert_eq!(scan(CARE, CAN_LIVE_IN), vec![0, 2, 4]);
        assert_eq!(scan(CARE, CAN_COMMUTE), vec![1, 4]);
        // Either: each slot once, though 4 is in both lists.
        assert_eq!(scan(CARE, CAN_LIVE_IN | CAN_COMMUTE), vec![0, 1, 2, 4]);
        assert_eq!(scan(HOUSE, CAN_LIVE_IN | CAN_COMMUTE), vec![1, 3]);
        assert!(p.scan((CARE | HOUSE) & 0xFF, CAN_COMMUTE, &dist).is_none());
        p.remove(1, flags[1], 1);
        let scan = |job, any_of| all(p.scan(job & 0xFF, any_of, &dist).unwrap(), &flags);
        assert_eq!(scan(CARE, CAN_COMMUTE), vec![4]);
        assert_eq!(scan(HOUSE, CAN_COMMUTE), vec![3]);
    }

    #[test]
    fn filed_as_a_column_the_lists_are_those_filed_row_by_row() {
        let flags: Vec<u32> = (0..200u32)
            .map(|i| {
                (1 << (i % JOBS as u32))
                    | [CAN_LIVE_IN, CAN_COMMUTE, CAN_LIVE_IN | CAN_COMMUTE][i as usize % 3]
                    | if i % 5 == 0 { 0 } else { AVAILABLE }
            })
            .collect();
        let places: Vec<(u16, u16)> = (0..200u16).map(|i| (i % 7, i % 50)).collect();
        let mut by_row = Partitions::new(7);
        for (slot, (&f, &(comune, reach))) in flags.iter().zip(&places).enumerate() {
            by_row.add(slot as u32, f, comune, reach);
        }
        let mut by_column = Partitions::new(7);
        by_column.add_column(flags.iter().zip(&places).map(|(&f, &(c, r))| (f, c, r)));
        assert_eq!(by_column.live_in, by_row.live_in);
        assert_eq!(by_column.commute, by_row.commute);
        assert_eq!(by_column.max_reach, 49);
        assert!(by_column.live_in.iter().any(|l| !l.is_empty()));
        // Sized exactly: no slack left by doubling.
        assert!(by_column.commute.iter().all(|l| l.capacity() == l.len()));
    }
}
