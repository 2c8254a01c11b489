//! `cargo bench --bench matching`: top-20 candidates with reasons for one request, at
//! each size in `DOM_BENCH_SIZES` (default 10000), against three baselines measured in
//! the same run (`DOM_BENCH_REPEAT=n`: DOM's figures are each request's fastest of n
//! passes over the set, steadier on a shared machine): (a) naive — deserialise every
//! stored card and score it sequentially;
//! (b) tantivy alone — the same filters and BM25 top-20, no compatibility scoring;
//! (c) raw pass — read exactly the rows the request must consider (copied contiguous
//! beforehand), scoring nothing: the physical floor. Requests: 70% within one province,
//! 20% regional, 10% national.

#[path = "../server/src/allocator.rs"]
mod allocator;

use std::time::Instant;

use matcher::bench::{cpu_seconds, raw_pass, score, Context, RequestFeatures, WorkerFeatures};
use matcher::model::Request;
use matcher::synth::{Area, Synth};
use matcher::{Date, Engine};

fn env_list(name: &str, default: &str) -> Vec<usize> {
    std::env::var(name)
        .unwrap_or_else(|_| default.to_string())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect()
}

fn percentile(sorted_ms: &[f64], p: f64) -> f64 {
    if sorted_ms.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted_ms.len() as f64 - 1.0) * p).round() as usize;
    sorted_ms[i]
}

fn time_each<F: FnMut(&Request)>(requests: &[Request], f: F) -> Vec<f64> {
    time_min_of(requests, 1, f)
}

/// Times each request `repeat` times (the whole set, then again) and keeps each one's
/// fastest: on a shared machine the minimum is what the code costs, the rest is the
/// neighbours.
fn time_min_of<F: FnMut(&Request)>(requests: &[Request], repeat: usize, mut f: F) -> Vec<f64> {
    let mut best = vec![f64::INFINITY; requests.len()];
    for _ in 0..repeat.max(1) {
        for (r, b) in requests.iter().zip(best.iter_mut()) {
            let t = Instant::now();
            f(r);
            *b = b.min(t.elapsed().as_secs_f64() * 1000.0);
        }
    }
    best.sort_by(f64::total_cmp);
    best
}

fn requests(synth: &mut Synth, n: usize) -> Vec<Request> {
    let provinces = ["GR", "RM", "MI", "TO", "NA", "FI", "BO", "PA"];
    let regions = ["Toscana", "Lazio", "Lombardia", "Piemonte", "Campania"];
    (0..n)
        .map(|i| {
            let area = match i % 10 {
                0..=6 => Area::Province(provinces[i % provinces.len()].into()),
                7 | 8 => Area::Region(regions[i % regions.len()].into()),
                _ => Area::National,
            };
            synth.request(&area)
        })
        .collect()
}

fn main() {
    allocator::return_freed_memory_at_once();
    let sizes = env_list("DOM_BENCH_SIZES", "10000");
    let n_requests = env_list("DOM_BENCH_REQUESTS", "1000")
        .first()
        .copied()
        .unwrap_or(1000);
    let today: Date = "2026-11-20".parse().expect("date");
    for size in sizes {
        let mut synth = Synth::new(42, today);
        let engine = Engine::temporary().expect("engine");
        let t = Instant::now();
        for chunk in synth.workers(size).chunks(50_000) {
            engine.import_workers(chunk).expect("import");
        }
        let import_s = t.elapsed().as_secs_f64();
        let reqs = requests(&mut synth, n_requests);

        // Warm-up: page cache, allocator, rayon pool.
        for r in reqs.iter().take(50) {
            engine.candidates_for(r, 20, today).expect("match");
        }
        // DOM_BENCH_REPEAT=n: the request set n times over, each request's fastest kept.
        let repeat = env_list("DOM_BENCH_REPEAT", "1")
            .first()
            .copied()
            .unwrap_or(1);
        let cpu = cpu_seconds();
        let dom = time_min_of(&reqs, repeat, |r| {
            engine.candidates_for(r, 20, today).expect("match");
        });
        // Mean CPU per request over every pass, both cores counted.
        let cpu_ms = (cpu_seconds() - cpu) * 1000.0 / (reqs.len() * repeat.max(1)) as f64;
        // DOM_BENCH_BASELINES=0 skips the baselines (for profiling DOM alone).
        let baselines = std::env::var("DOM_BENCH_BASELINES").map_or(true, |v| v != "0");
        let reqs_b = if baselines { &reqs[..] } else { &reqs[..1] };
        let tantivy = time_each(reqs_b, |r| {
            let hits = engine.tantivy_baseline(r, 20).expect("search");
            std::hint::black_box(hits);
        });
        // The naive baseline is slow: measure it on a sample at large sizes.
        let naive_sample = &reqs_b[..reqs_b.len().min(if size > 100_000 { 10 } else { 100 })];
        let naive = time_each(naive_sample, |r| {
            let rf = RequestFeatures::of(r);
            let ctx = Context {
                today,
                text_share: 0.0,
            };
            let mut scored: Vec<(f64, matcher::model::Id)> = engine
                .stored_workers()
                .filter_map(|w| {
                    let w = w.expect("decode");
                    let f = WorkerFeatures::of(&w);
                    score(&f, &rf, &ctx).ok().map(|b| (b.total(), w.id))
                })
                .collect();
            scored.sort_by(|a, b| b.0.total_cmp(&a.0));
            scored.truncate(20);
            std::hint::black_box(scored);
        });
        // The raw pass: each request's rows copied out untimed (one request at a time, so
        // a national request's quarter of the table is not held 300 times over), read
        // once to warm them, then once timed.
        let mut raw = Vec::with_capacity(reqs.len());
        let mut considered = Vec::with_capacity(reqs.len());
        for r in &reqs {
            let rows = engine.considered_rows(r);
            std::hint::black_box(raw_pass(&rows));
            let t = Instant::now();
            std::hint::black_box(raw_pass(&rows));
            raw.push(t.elapsed().as_secs_f64() * 1000.0);
            considered.push(rows.len());
        }
        raw.sort_by(f64::total_cmp);
        considered.sort_unstable();
        let considered = (
            considered[considered.len() / 2],
            considered[considered.len() * 99 / 100],
        );
        let (p50, p99) = (percentile(&dom, 0.5), percentile(&dom, 0.99));
        let naive_p50 = percentile(&naive, 0.5);
        let tantivy_p50 = percentile(&tantivy, 0.5);
        let (raw_p50, raw_p99) = (percentile(&raw, 0.5), percentile(&raw, 0.99));
        eprintln!(
            "profiles={size} import={:.0}/s dom p50={p50:.3}ms p99={p99:.3}ms | naive p50={naive_p50:.3}ms ({:.1}x) | tantivy p50={tantivy_p50:.3}ms p99={:.3}ms ({:.2}x of tantivy) | raw pass p50={raw_p50:.3}ms p99={raw_p99:.3}ms over {}/{} rows (p50/p99): dom = {:.1}x / {:.1}x of it",
            size as f64 / import_s,
            naive_p50 / p50,
            percentile(&tantivy, 0.99),
            p50 / tantivy_p50,
            considered.0,
            considered.1,
            p50 / raw_p50,
            p99 / raw_p99,
        );
        println!(
            "RESULT matching profiles={size} p50_ms={p50:.3} p99_ms={p99:.3} naive_p50_ms={naive_p50:.3} tantivy_p50_ms={tantivy_p50:.3} raw_p50_ms={raw_p50:.3} raw_p99_ms={raw_p99:.3} cpu_ms_per_request={cpu_ms:.3}"
        );
    }
}
