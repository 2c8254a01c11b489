//! The matching table's partitions: slot lists by job × live-in, and by job × comune for
//! workers who commute, so a request reads only the rows that can pass its job and
//! live-in filters (and, for commuting, that live within reach) instead of every row.

use crate::rank::bits::{CAN_COMMUTE, CAN_LIVE_IN};

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
/// and can serve it live-in, or commute from within the longest reach, exactly once.
pub struct Scan<'a> {
    live_in: &'a [u32],
    /// Gathered from the comuni within reach.
    commute: Vec<u32>,
}

impl Scan<'_> {
    /// The slots in pieces of at most `chunk`, for parallel scoring.
    pub fn chunks(&self, chunk: usize) -> impl Iterator<Item = &[u32]> {
        self.live_in.chunks(chunk).chain(self.commute.chunks(chunk))
    }
}

/// Calls `f` with each list a row with these bits and comune belongs in, as an index:
/// `0..JOBS` the live-in list of a job, `JOBS + job × comuni + comune` a commute list.
/// (Indices, not references: filing a row allocates nothing.)
fn lists_of(flags: u32, comune: u16, comuni: usize, mut f: impl FnMut(usize)) {
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
    /// `any_of`, with `dist` its distances to every comune and `flags` a slot's filter
    /// bits; `None` when the request does not name exactly one job (the caller scans
    /// everything).
    pub fn scan(
        &self,
        job_bits: u32,
        any_of: u32,
        dist: &[f64],
        flags: impl Fn(u32) -> u32,
    ) -> Option<Scan<'_>> {
        if job_bits.count_ones() != 1 || job_bits >= 1 << JOBS {
            return None;
        }
        let job = job_bits.trailing_zeros() as usize;
        let live_in: &[u32] = if any_of & CAN_LIVE_IN != 0 {
            &self.live_in[job]
        } else {
            &[]
        };
        let mut commute = Vec::new();
        if any_of & CAN_COMMUTE != 0 {
            let reach = f64::from(self.max_reach);
            // Who can live in is already in the live-in list when that is read too.
            let skip = any_of & CAN_LIVE_IN;
            let by_comune = &self.commute[job * self.comuni..(job + 1) * self.comuni];
            for (list, _) in by_comune.iter().zip(dist).filter(|(_, &km)| km <= reach) {
                commute.extend(list.iter().filter(|&&s| flags(s) & skip == 0));
            }
        }
        Some(Scan { live_in, commute })
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

    const CARE: u32 = 1 << 2;
    const HOUSE: u32 = 1 << 3;

    fn all(scan: &Scan) -> Vec<u32> {
        let mut out: Vec<u32> = scan.chunks(2).flatten().copied().collect();
        out.sort();
        out
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
        let places = [(0, 10), (1, 20), (2, 5), (0, 5), (1, 5)];
        let mut p = Partitions::new(3);
        for (slot, (&f, &(comune, reach))) in flags.iter().zip(&places).enumerate() {
            p.add(slot as u32, f, comune, reach);
        }
        // Comune 2 is beyond every reach from the request's comune.
        let dist = [0.0, 15.0, 100.0];
        let scan = |job, any_of| all(&p.scan(job, any_of, &dist, |s| flags[s as usize]).unwrap());
        assert_eq!(scan(CARE, CAN_LIVE_IN), vec![0, 2, 4]);
        assert_eq!(scan(CARE, CAN_COMMUTE), vec![1, 4]);
        // Either: each slot once, though 4 is in both lists.
        assert_eq!(scan(CARE, CAN_LIVE_IN | CAN_COMMUTE), vec![0, 1, 2, 4]);
        assert_eq!(scan(HOUSE, CAN_LIVE_IN | CAN_COMMUTE), vec![1, 3]);
        assert!(p
            .scan(CARE | HOUSE, CAN_COMMUTE, &dist, |s| flags[s as usize])
            .is_none());
        p.remove(1, flags[1], 1);
        let scan = |job, any_of| all(&p.scan(job, any_of, &dist, |s| flags[s as usize]).unwrap());
        assert_eq!(scan(CARE, CAN_COMMUTE), vec![4]);
        assert_eq!(scan(HOUSE, CAN_COMMUTE), vec![3]);
    }

    #[test]
    fn filed_as_a_column_the_lists_are_those_filed_row_by_row() {
        let flags: Vec<u32> = (0..200u32)
            .map(|i| {
                (1 << (i % JOBS as u32))
                    | [CAN_LIVE_IN, CAN_COMMUTE, CAN_LIVE_IN | CAN_COMMUTE][i as usize % 3]
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
