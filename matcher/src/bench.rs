//! What the benchmarks and fuzz targets reach below the engine: scoring features, the
//! pure scoring functions, the raw pass that is the matching benchmark's floor, sled's
//! own share of start-up, and the process's CPU time.

use std::path::Path;

use rayon::prelude::*;

use crate::error::Result;
use crate::store::TreeName;

pub use crate::features::{RequestFeatures, WorkerFeatures};
pub use crate::rank::{score, Breakdown, Context};

/// CPU seconds this process has used, user and system, every thread's (those that have
/// ended included), from `/proc/self/stat`: what a stretch of work cost, steadier than
/// its wall time on a shared machine. Counted in ticks of 10 ms, so a stretch shorter
/// than a few ticks reads as 0; `NaN` where the file does not exist.
pub fn cpu_seconds() -> f64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            // Fields after the command name (which may hold spaces), from field 3.
            let rest = s.get(s.rfind(')')? + 2..)?;
            let f: Vec<&str> = rest.split_whitespace().collect();
            let ticks = |i: usize| f.get(i)?.parse::<f64>().ok();
            Some(ticks(11)? + ticks(12)?)
        })
        .map_or(f64::NAN, |t| t / 100.0)
}

/// Reads every byte-carrying field of each row once and scores nothing: the least any
/// ranking over these rows must do. Runs on the same thread pool, in the same chunk
/// size, as the real scan, so the two compare on equal terms.
pub fn raw_pass(rows: &[WorkerFeatures]) -> u64 {
    rows.par_chunks(1024)
        .map(|chunk| chunk.iter().fold(0u64, |acc, w| acc ^ fold_row(w)))
        .reduce(|| 0, |a, b| a ^ b)
}

/// Opens the sled database of a store folder and every tree DOM keeps, reading nothing:
/// what sled itself costs at start-up. Returns whether the workers' tree holds a record
/// (one read; `Tree::len` would scan the whole tree and measure that instead).
pub fn open_sled(store_dir: &Path) -> Result<bool> {
    let db = crate::store::open_db(store_dir)?;
    let mut workers = false;
    for t in TreeName::ALL {
        let tree = db.open_tree(t.name())?;
        if t == TreeName::Workers {
            workers = tree.first()?.is_some();
        }
    }
    Ok(workers)
}

fn fold_row(w: &WorkerFeatures) -> u64 {
    let mut x = w.id.0
        ^ u64::from(w.comune)
        ^ u64::from(w.max_travel_km) << 16
        ^ u64::from(w.jobs) << 32
        ^ u64::from(w.hours_min) << 40
        ^ u64::from(w.hours_max) << 48
        ^ (w.live_in as u64) << 56
        ^ (w.status as u64) << 58
        ^ (w.permit as u64) << 60
        ^ u64::from(w.driving_license) << 62
        ^ u64::from(w.possible_duplicate) << 63;
    x ^= w.permit_until as u64;
    x ^= w.permit_expires.map_or(0, |d| d.days() as u64) << 8;
    x ^= u64::from(w.wage_cents.unwrap_or(0)) << 16;
    x ^= (w.confirmed_on.days() as u64) << 24 ^ (w.waiting_since.days() as u64) << 32;
    for (i, e) in w.experience.iter().enumerate() {
        x ^= u64::from(*e) << (i * 6);
    }
    for (i, l) in w.languages.iter().enumerate() {
        x ^= u64::from(l.raw()) << (i * 10);
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_raw_pass_reads_what_differs_between_rows() {
        let rows: Vec<WorkerFeatures> = crate::fixtures::demo_workers()
            .unwrap()
            .iter()
            .map(WorkerFeatures::of)
            .collect();
        let mut changed = rows.clone();
        changed[3].experience[2] ^= 1;
        assert_ne!(raw_pass(&rows), raw_pass(&changed));
        assert_eq!(raw_pass(&[]), 0);
    }
}
