//! Ranking: which workers can do a job (hard constraints), how well (soft factors), and
//! the exact top k of a request over the in-memory table, explained in Italian.
//!
//! A candidates request flows: `Engine::candidates` → `top_candidates` (scan of the
//! request's partitions and the packed filter column, `score_reaching` in rayon chunks
//! with a shared floor, text only where it can change the top k) → `explain` per
//! finalist.

mod constraint;
mod factor;
#[cfg(test)]
pub(crate) mod testing;
mod topk;

use std::sync::atomic::{AtomicU32, Ordering};

use rayon::prelude::*;

use crate::date::Date;
use crate::error::{Error, Result};
use crate::features::{RequestFeatures, WorkerFeatures};
use crate::model::Candidate;
use crate::relevance::{DocTerms, TextQuery};
use crate::table::{self, WorkerTable};

pub(crate) use constraint::{bits, required_bits, worker_bits};
pub use constraint::{documentation, failing, Constraint, Exclusion};
pub(crate) use factor::{reasons, warnings};
pub use factor::{score, score_at, score_reaching, Breakdown, Context, Factor};
use topk::TopK;

/// Largest `limit` a ranking accepts.
pub const MAX_LIMIT: usize = 200;
/// Workers scored per rayon task: large enough that scheduling costs nothing, small
/// enough that both cores get work on a few thousand candidates.
const SCORE_CHUNK: usize = 1024;
/// The most text can add (points), with a margin for rounding.
const TEXT_HEADROOM: f32 = factor::TEXT_MAX_POINTS as f32 + 0.2;
/// Slack for f32 rounding of approximate scores before exact scoring decides.
const ROUNDING: f32 = 0.25;

/// Refuses a `limit` outside `1..=MAX_LIMIT`.
pub fn check_limit(limit: usize) -> Result<usize> {
    if limit == 0 || limit > MAX_LIMIT {
        return Err(Error::invalid(
            "limit",
            format!("limit deve essere tra 1 e {MAX_LIMIT}"),
        ));
    }
    Ok(limit)
}

/// A scored pair: the worker, the breakdown, and the text relevance share.
pub(crate) type Scored = (WorkerFeatures, Breakdown, f64);

/// The exact top `limit` workers of the table for a request, best first (ties by id).
///
/// The scan reads the packed filter column, scores survivors without text in rayon
/// chunks that share a floor, then adds text relevance only where it can change the top
/// `limit`: text is worth at most `TEXT_MAX_POINTS`, so a worker whose other points
/// trail the `limit`-th score by more than that cannot enter.
pub(crate) fn top_candidates(
    table: &WorkerTable,
    rf: &RequestFeatures,
    query: &TextQuery,
    dist: &[f64],
    limit: usize,
    today: Date,
) -> Vec<Scored> {
    let (need, any_of) = table::required_flags(rf);
    let no_text = Context {
        today,
        text_share: 0.0,
    };
    // The request's partitions, or every slot when it names no single job.
    let scan = table.scan(need, any_of, dist);
    let all: Vec<u32>;
    let chunks: Vec<&[u32]> = match &scan {
        Some(scan) => scan.chunks(SCORE_CHUNK).collect(),
        None => {
            all = (0..table.capacity() as u32).collect();
            all.chunks(SCORE_CHUNK).collect()
        }
    };
    // The best lower bound yet on the `limit`-th score, shared by all chunks (f32 bits:
    // non-negative floats order like their bits).
    let shared_floor = AtomicU32::new(0);
    let base: Vec<(u32, f32)> = chunks
        .into_par_iter()
        .flat_map_iter(|chunk| {
            let mut top = TopK::new(limit, TEXT_HEADROOM);
            top.raise_floor(f32::from_bits(shared_floor.load(Ordering::Relaxed)));
            for &slot in chunk {
                let slot = slot as usize;
                let Some((w, _)) = table.reachable(slot, need, any_of, dist) else {
                    continue;
                };
                // `score_reaching` counts text at full marks until the end.
                let reach = f64::from(top.floor() - (TEXT_HEADROOM - TEXT_MAX));
                let km = dist[w.comune as usize];
                if let Ok(Some(b)) = score_reaching(w, rf, km, &no_text, reach) {
                    if let Some(floor) = top.push(slot as u32, b.total() as f32) {
                        let mine = floor.max(0.0).to_bits();
                        let global = shared_floor.fetch_max(mine, Ordering::Relaxed);
                        top.raise_floor(f32::from_bits(global));
                    }
                }
            }
            top.raise_floor(f32::from_bits(shared_floor.load(Ordering::Relaxed)));
            top.into_vec()
        })
        .collect();
    let share = |slot: u32| {
        table
            .filtered(slot as usize, need, any_of)
            .map_or(0.0, |(_, terms)| query.share(terms))
    };
    let full = |slot: u32, share: f64| -> Option<Scored> {
        let (w, _) = table.filtered(slot as usize, need, any_of)?;
        let mut b = score_at(w, rf, dist[w.comune as usize], &no_text).ok()?;
        b.set_text(share);
        Some((*w, b, share))
    };
    with_text(base, limit, share, full)
}

const TEXT_MAX: f32 = factor::TEXT_MAX_POINTS as f32;

/// Exact top `limit` by full score from scores without text. Text is added to the
/// `limit` best without it, which sets a floor; then, best first, only to those within
/// reach of it: once a worker's points without text plus all the text points cannot beat
/// the floor, nobody after them can. The finalists are then scored exactly.
fn with_text<S, F>(mut base: Vec<(u32, f32)>, limit: usize, share: S, full: F) -> Vec<Scored>
where
    S: Fn(u32) -> f64,
    F: Fn(u32, f64) -> Option<Scored>,
{
    base.sort_unstable_by(|a, b| b.1.total_cmp(&a.1));
    let (seeds, rest) = base.split_at(limit.min(base.len()));
    // Approximate full scores (f32 + rounded text points): a margin for rounding.
    let mut top = TopK::new(limit, ROUNDING);
    let add = |top: &mut TopK<(u32, f64)>, slot: u32, without: f32| {
        let s = share(slot);
        top.push((slot, s), without + factor::text_points(s) as f32);
    };
    for &(slot, without) in seeds {
        add(&mut top, slot, without);
    }
    top.settle();
    for block in rest.chunks(256) {
        if block[0].1 + TEXT_HEADROOM < top.floor() {
            break;
        }
        for &(slot, without) in block {
            if without + TEXT_HEADROOM >= top.floor() {
                add(&mut top, slot, without);
            }
        }
    }
    let mut scored: Vec<Scored> = top
        .into_vec()
        .into_iter()
        .filter_map(|((slot, s), _)| full(slot, s))
        .collect();
    scored.sort_by(|a, b| {
        b.1.total()
            .total_cmp(&a.1.total())
            .then(a.0.id.cmp(&b.0.id))
    });
    scored.truncate(limit);
    scored
}

/// Reasons and warnings for one scored pair.
pub(crate) fn explain(
    w: &WorkerFeatures,
    rf: &RequestFeatures,
    b: &Breakdown,
    share: f64,
    shared: &[String],
    today: Date,
) -> Candidate {
    let ctx = Context {
        today,
        text_share: share,
    };
    Candidate {
        worker_id: w.id,
        score: b.total(),
        reasons: reasons(w, rf, b, &ctx, shared),
        warnings: warnings(w, rf, today),
    }
}

/// The request's words (as written) whose stems the card's notes contain.
pub(crate) fn shared_words_in(request_stems: &[(String, String)], terms: &DocTerms) -> Vec<String> {
    request_stems
        .iter()
        .filter(|(stem, _)| terms.contains_stem(stem))
        .map(|(_, word)| word.clone())
        .take(8)
        .collect()
}
