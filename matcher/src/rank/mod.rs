//! Ranking: which workers can do a job (hard constraints), how well (soft factors), and
//! the exact top k of a request over the in-memory table, explained in Italian.
//!
//! A candidates request flows: `Engine::candidates` → `top_candidates` (the request's
//! partitions in pieces; the packed filter column; `score_reaching` with a shared floor
//! on the full score, text added to the rows that survive it) → `explain` per
//! finalist.

mod bound;
mod constraint;
mod factor;
#[cfg(test)]
pub(crate) mod testing;
mod topk;

use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};

use rayon::prelude::*;

use crate::date::Date;
use crate::error::{Error, Result};
use crate::features::{RequestFeatures, WorkerFeatures};
use crate::model::Candidate;
use crate::partition::Scan;
use crate::relevance::{DocTerms, TextQuery};
use crate::table::{self, WorkerTable};

pub(crate) use bound::Hot;
use bound::RowBound;
pub(crate) use constraint::{bits, required_bits, worker_bits};
pub use constraint::{documentation, failing, Constraint, Exclusion};
pub(crate) use factor::{reasons, warnings};
pub use factor::{score, score_at, score_reaching, Breakdown, Context, Factor};
use topk::TopK;

/// Largest `limit` a ranking accepts.
pub const MAX_LIMIT: usize = 200;
/// Slots per piece of a scan: large enough that taking a piece costs nothing, small
/// enough that both cores get work on a few thousand candidates.
const SCORE_CHUNK: usize = 1024;
/// Scans of fewer slots run on the caller's thread: handing them to the pool would cost
/// more than the scan.
const PARALLEL_FROM: usize = 4096;
/// How many slots ahead of the one being bounded a scan asks for its entry: enough to
/// cover a memory load at a slot's cost in arithmetic.
const PREFETCH_AHEAD: usize = 16;
/// The same for the rows read after their bound, best bound first: their stems (on the
/// heap) this far ahead, the rows and terms (which say where the stems are) twice as far.
const ROWS_AHEAD: usize = 4;
/// Slack for f32 rounding of approximate scores and bounds before exact scoring decides.
const ROUNDING: f32 = 0.25;
/// The most text can add (points).
const TEXT_MAX: f32 = factor::TEXT_MAX_POINTS as f32;

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
/// The request's partitions come in pieces that the rayon workers take in turn. A row
/// whose bound (`bound.rs`, from its hot summary) is below the floor is dismissed unread;
/// the others, best bound first, are scored without text by `score_reaching` against a
/// floor shared by all workers, leaving room only for the text its notes could give
/// (their signature's bound); the survivors get their exact text relevance at once, so
/// the floor is a proven lower bound on the `limit`-th *full* score.
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
    let all: Vec<u32>;
    let scan = match table.scan(need, any_of, dist) {
        Some(scan) => scan,
        None => {
            all = (0..table.capacity() as u32).collect();
            Scan::everything(&all)
        }
    };
    let pieces = scan.pieces(SCORE_CHUNK);
    let bound = RowBound::new(rf, query, today);
    let next = AtomicUsize::new(0);
    // The best lower bound yet on the `limit`-th full score, shared by all workers (f32
    // bits: non-negative floats order like their bits).
    let shared_floor = AtomicU32::new(0);
    // Each worker takes the next piece until none is left. A piece is read in two
    // passes: the bound of every row that passes the filters (the hot column only), then
    // the rows whose bound reaches the floor, best bound first, so the floor rises on the
    // piece's strongest rows and the weaker ones stop at their bound instead of being
    // read and scored.
    let drain = |_: usize| {
        let mut top = TopK::new(limit, ROUNDING);
        let mut reaching: Vec<u64> = Vec::with_capacity(SCORE_CHUNK);
        loop {
            top.raise_floor(f32::from_bits(shared_floor.load(Ordering::Relaxed)));
            let Some(piece) = pieces.get(next.fetch_add(1, Ordering::Relaxed)) else {
                break;
            };
            let cut = top.floor() - ROUNDING;
            reaching.clear();
            for &(slots, skip) in piece {
                for (i, &slot) in slots.iter().enumerate() {
                    if let Some(&ahead) = slots.get(i + PREFETCH_AHEAD) {
                        table.prefetch(ahead as usize);
                    }
                    let s = slot as usize;
                    let Some((km, travel)) = table.passes(s, need, any_of, skip, dist) else {
                        continue;
                    };
                    if let Some(b) = bound.reaching(table.hot(s), km, travel, cut) {
                        reaching.push(by_bound(b, slot));
                    }
                }
            }
            // Best bound first (the bound's bits high, the slot low: sorting the keys
            // sorts by bound, then slot).
            reaching.sort_unstable_by(|a, b| b.cmp(a));
            top.raise_floor(f32::from_bits(shared_floor.load(Ordering::Relaxed)));
            for (i, &key) in reaching.iter().enumerate() {
                if let Some(&ahead) = reaching.get(i + 2 * ROWS_AHEAD) {
                    table.prefetch_row(of_key(ahead).1 as usize);
                }
                if let Some(&ahead) = reaching.get(i + ROWS_AHEAD) {
                    table.prefetch_stems(of_key(ahead).1 as usize);
                }
                let (b, slot) = of_key(key);
                if b < top.floor() - ROUNDING {
                    // Every row after this one has a bound no higher.
                    break;
                }
                let s = slot as usize;
                let (w, terms) = table.row(s);
                // The card's own text first: its bound counted what the notes' signature
                // allows, and where the notes give less, the row often stops here, before
                // its score. (`b - cap` is the bound of the rest to within the 0.05 by
                // which `cap` is rounded, well inside `ROUNDING`.)
                let share = query.share(terms);
                let text_points = factor::text_points(share);
                let text = text_points as f32;
                let cap = bound.text_points(table.hot(s)) as f32;
                if b - cap + text < top.floor() - ROUNDING {
                    continue;
                }
                // `score_reaching` counts text at full marks until the end: ask it for
                // more by what this card's notes do not give.
                let km = dist[w.comune as usize];
                let reach = f64::from(top.floor() - ROUNDING + (TEXT_MAX - text));
                let Ok(Some(b)) = score_reaching(w, rf, km, &no_text, reach) else {
                    continue;
                };
                let full = (b.total() + text_points) as f32;
                if let Some(floor) = top.push((slot, share), full) {
                    let mine = floor.max(0.0).to_bits();
                    let global = shared_floor.fetch_max(mine, Ordering::Relaxed);
                    top.raise_floor(f32::from_bits(global));
                }
            }
        }
        top.raise_floor(f32::from_bits(shared_floor.load(Ordering::Relaxed)));
        top.into_vec()
    };
    let slots = pieces.slots();
    let found: Vec<((u32, f64), f32)> = if slots < PARALLEL_FROM {
        drain(0)
    } else {
        let workers = rayon::current_num_threads().clamp(1, pieces.len());
        (0..workers).into_par_iter().flat_map_iter(&drain).collect()
    };
    // The finalists (approximate scores within `ROUNDING` of the floor), scored exactly.
    let mut scored: Vec<Scored> = found
        .into_iter()
        .filter_map(|((slot, share), _)| {
            let (w, _) = table.filtered(slot as usize, need, any_of)?;
            let mut b = score_at(w, rf, dist[w.comune as usize], &no_text).ok()?;
            b.set_text(share);
            Some((*w, b, share))
        })
        .collect();
    scored.sort_by(|a, b| {
        b.1.total()
            .total_cmp(&a.1.total())
            .then(a.0.id.cmp(&b.0.id))
    });
    scored.truncate(limit);
    scored
}

/// A row's bound and slot as one key that sorts by bound, then slot (a bound is never
/// negative, and non-negative floats order like their bits).
fn by_bound(bound: f32, slot: u32) -> u64 {
    u64::from(bound.max(0.0).to_bits()) << 32 | u64::from(slot)
}

fn of_key(key: u64) -> (f32, u32) {
    (f32::from_bits((key >> 32) as u32), key as u32)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::comuni::Comuni;
    use crate::model::Id;
    use crate::relevance::doc_terms;
    use crate::synth::{Area, Synth};

    #[test]
    fn keys_sort_by_bound_then_slot_and_give_both_back() {
        let mut keys = vec![
            by_bound(3.5, 7),
            by_bound(80.25, 2),
            by_bound(3.5, 9),
            by_bound(0.0, 1),
            by_bound(79.9, 4),
        ];
        keys.sort_unstable_by(|a, b| b.cmp(a));
        let back: Vec<(f32, u32)> = keys.into_iter().map(of_key).collect();
        assert_eq!(
            back,
            vec![(80.25, 2), (79.9, 4), (3.5, 9), (3.5, 7), (0.0, 1)]
        );
        // A negative bound (never produced) would sort as 0, never below its row's score.
        assert_eq!(of_key(by_bound(-1.0, 3)), (0.0, 3));
    }

    /// The pruned ranking (floor on the full score, each card's text bound) is exactly
    /// the top 20 of scoring every row: after upserts (re-confirmed cards), removals and
    /// slot reuse, with many weak live-in cards, on days after the table was built, and
    /// with the same rows laid out (other slots, other scan order).
    #[test]
    fn pruned_ranking_equals_scoring_everyone_after_changes_and_days() {
        let day0: Date = "2026-11-20".parse().unwrap();
        let mut synth = Synth::new(23, day0);
        let workers = synth.workers(3000);
        let mut t = WorkerTable::default();
        for w in &workers {
            t.upsert(WorkerFeatures::of(w), doc_terms(&w.notes));
        }
        for (i, w) in workers.iter().enumerate().step_by(9) {
            let mut f = WorkerFeatures::of(w);
            f.confirmed_on = day0.add_days(-(i as i32 % 40));
            f.waiting_since = day0.add_days(-(i as i32 % 400));
            t.upsert(f, doc_terms(&w.notes));
        }
        for w in workers.iter().skip(4).step_by(13) {
            t.remove(w.id);
        }
        for w in synth.workers(100) {
            t.upsert(WorkerFeatures::of(&w), doc_terms(&w.notes));
        }
        // Live-in carers who fit no request well (stale, no experience, no languages,
        // dear): what a good floor dismisses.
        for w in synth.workers(1500) {
            let f = WorkerFeatures {
                jobs: crate::model::Job::Badante.bit() as u8,
                live_in: crate::model::LiveIn::Yes,
                status: crate::model::WorkerStatus::Available,
                confirmed_on: day0.add_days(-1500),
                waiting_since: day0,
                experience: [crate::features::NO_EXPERIENCE; 10],
                languages: Default::default(),
                wage_cents: Some(2_000_000),
                ..WorkerFeatures::of(&w)
            };
            t.upsert(f, doc_terms(&w.notes));
        }
        let laid_out = WorkerTable::from_rows(
            t.live().map(|(f, d)| (*f, d.clone())).collect(),
            t.stats.clone(),
        );
        for (t, today) in [
            (&t, day0),
            (&t, day0.add_days(45)),
            (&laid_out, day0.add_days(400)),
            (&laid_out, day0),
        ] {
            for area in [
                Area::National,
                Area::Region("Lazio".into()),
                Area::Province("RM".into()),
            ] {
                for _ in 0..10 {
                    let r = synth.request(&area);
                    let rf = RequestFeatures::of(&r);
                    let q = t.stats.query(&doc_terms(&r.notes));
                    let dist = Comuni::get().distances_from(rf.comune);
                    let fast = top_candidates(t, &rf, &q, &dist, 20, today);
                    let fast: Vec<(f64, Id)> = fast.iter().map(|x| (x.1.total(), x.0.id)).collect();
                    let mut brute: Vec<(f64, Id)> = t
                        .live()
                        .filter_map(|(w, d)| {
                            let ctx = Context {
                                today,
                                text_share: q.share(d),
                            };
                            score(w, &rf, &ctx).ok().map(|b| (b.total(), w.id))
                        })
                        .collect();
                    brute.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
                    brute.truncate(20);
                    assert_eq!(fast, brute, "{today:?} {:?}", rf.live_in);
                }
            }
        }
    }
}
