//! `cargo bench --bench store`: for each size in `DOM_BENCH_SIZES` (default 10000),
//! (1) bulk import of JSONL cards into store, index and tables; (2) start-up: reopen the
//! store and index and answer the first match; (3) memory: anonymous resident memory per
//! loaded profile, broken down by part, and disk per profile for store and index; (4)
//! sled's own open, before and after compaction.
//!
//! `DOM_BENCH_KEEP=dir` imports into `dir` and leaves it there; with it,
//! `DOM_BENCH_OPEN_ONLY=1` skips the import and measures only the reopen of that kept
//! store (an import of a million cards takes over a minute).

#[path = "../server/src/allocator.rs"]
mod allocator;

use std::path::Path;
use std::time::Instant;

use matcher::bench::cpu_seconds;
use matcher::synth::{Area, Synth};
use matcher::{Date, Engine};

fn sizes() -> Vec<usize> {
    std::env::var("DOM_BENCH_SIZES")
        .unwrap_or_else(|_| "10000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect()
}

/// Anonymous resident memory (heap), excluding file-backed pages such as the page cache
/// of sled and tantivy files.
fn rss_anon_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("RssAnon:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .map_or(0, |kb| kb * 1024)
}

fn dir_bytes(p: &Path) -> u64 {
    let mut total = 0;
    if let Ok(entries) = std::fs::read_dir(p) {
        for e in entries.flatten() {
            match e.metadata() {
                Ok(m) if m.is_dir() => total += dir_bytes(&e.path()),
                Ok(m) => total += m.len(),
                Err(_) => {}
            }
        }
    }
    total
}

/// Reopens `dir` in this (fresh) process and reports start-up and memory: run as a child
/// so resident memory counts only what loading the data costs.
fn reopen(dir: &Path, size: usize, today: Date) {
    let mut synth = Synth::new(7, today);
    let request = synth.request(&Area::Province("GR".into()));
    let before = rss_anon_bytes();
    let t = Instant::now();
    let engine = Engine::open(dir).expect("reopen");
    let open_ms = t.elapsed().as_secs_f64() * 1000.0;
    let cands = engine.candidates_for(&request, 20, today).expect("match");
    let first_ms = t.elapsed().as_secs_f64() * 1000.0;
    let recovery = format!("{:?}", engine.recovery());
    let rss = rss_anon_bytes().saturating_sub(before);
    println!(
        "RESULT startup profiles={size} open_ms={open_ms:.0} first_match_ms={first_ms:.0} candidates={} consistent={}",
        cands.len(),
        !recovery.contains("Rebuilt") && !recovery.contains("Replayed")
    );
    let store = dir_bytes(&dir.join("store"));
    let index = dir_bytes(&dir.join("index"));
    let snapshot = dir_bytes(dir) - store - index;
    println!(
        "RESULT memory profiles={size} rss_anon_per_profile={} table_per_profile={} store_disk_per_profile={} index_disk_per_profile={} snapshot_disk_per_profile={}",
        rss / size as u64,
        engine.table_bytes() / size,
        store / size as u64,
        index / size as u64,
        snapshot / size as u64,
    );
    // The parts DOM sizes itself; the rest of resident memory is sled's cache, tantivy
    // and the allocator's slack.
    let parts = engine.memory_parts();
    let known: usize = parts.iter().map(|p| p.1).sum();
    let rest = (rss as usize).saturating_sub(known);
    for (name, bytes) in parts.into_iter().chain([("rest", rest)]) {
        println!(
            "RESULT part profiles={size} name={name} bytes={bytes} per_profile={}",
            bytes / size
        );
    }
}

/// Opens only sled over the store in `dir`, in this (fresh) process: sled's own share of
/// start-up, measured apart from the index and tables.
fn sled_only(dir: &Path, size: usize) {
    let t = Instant::now();
    let workers = matcher::bench::open_sled(&dir.join("store")).expect("sled opens");
    let open_ms = t.elapsed().as_secs_f64() * 1000.0;
    let stage = std::env::var("DOM_BENCH_STAGE").unwrap_or_else(|_| "after".into());
    println!(
        "RESULT sled profiles={size} stage={stage} open_ms={open_ms:.0} workers_tree={workers}"
    );
}

/// Runs this benchmark again in a fresh process with `var` set to the data folder.
fn child(var: &str, dir: &Path, size: usize, stage: &str) {
    let out = std::process::Command::new(std::env::current_exe().expect("exe"))
        .env(var, dir)
        .env("DOM_BENCH_REOPEN_SIZE", size.to_string())
        .env("DOM_BENCH_STAGE", stage)
        .output()
        .expect("child runs");
    print!("{}", String::from_utf8_lossy(&out.stdout));
}

fn main() {
    let started = Instant::now();
    allocator::return_freed_memory_at_once();
    let today: Date = "2026-11-20".parse().expect("date");
    if let (Ok(dir), Ok(size)) = (
        std::env::var("DOM_BENCH_SLED"),
        std::env::var("DOM_BENCH_REOPEN_SIZE"),
    ) {
        sled_only(Path::new(&dir), size.parse().expect("size"));
        return;
    }
    if let (Ok(dir), Ok(size)) = (
        std::env::var("DOM_BENCH_REOPEN"),
        std::env::var("DOM_BENCH_REOPEN_SIZE"),
    ) {
        reopen(Path::new(&dir), size.parse().expect("size"), today);
        return;
    }
    let keep = std::env::var("DOM_BENCH_KEEP").ok();
    let open_only = std::env::var("DOM_BENCH_OPEN_ONLY").as_deref() == Ok("1");
    for size in sizes() {
        let temp = tempfile::tempdir().expect("temp dir");
        let dir = match &keep {
            Some(k) => Path::new(k).join(size.to_string()),
            None => temp.path().to_path_buf(),
        };
        if open_only && keep.is_some() {
            child("DOM_BENCH_REOPEN", &dir, size, "after");
            continue;
        }
        if dir.exists() {
            std::fs::remove_dir_all(&dir).expect("old kept store removed");
        }
        std::fs::create_dir_all(&dir).expect("data folder");
        let dir = dir.as_path();
        let mut synth = Synth::new(7, today);
        let jsonl: String = synth
            .workers(size)
            .iter()
            .map(|w| serde_json::to_string(&w.to_input()).expect("json") + "\n")
            .collect();

        // 1. Import.
        let engine = Engine::open(dir).expect("open");
        // For `perf record --delay`: when the import starts, from the process's start.
        eprintln!("import starts at {} ms", started.elapsed().as_millis());
        let cpu = cpu_seconds();
        let t = Instant::now();
        let report = engine
            .import_jsonl(jsonl.as_bytes(), today)
            .expect("import");
        let import_s = t.elapsed().as_secs_f64();
        let import_cpu = cpu_seconds() - cpu;
        assert_eq!(report.imported, size, "{:?}", report.refused.first());
        drop(jsonl);
        engine.close().expect("close");
        drop(engine);
        println!(
            "RESULT import profiles={size} per_s={:.0} seconds={import_s:.1} cpu_seconds={import_cpu:.1}",
            size as f64 / import_s
        );

        // What sled costs at open on the store the import left: the first open replays
        // its whole log (sled 0.34 writes its snapshot only while recovering at an open),
        // the second reads that snapshot. Then compaction, as `dom import` does after a
        // bulk import (`DOM_BENCH_COMPACT=0` skips both, for the store as imported).
        if std::env::var("DOM_BENCH_COMPACT").as_deref() != Ok("0") {
            child("DOM_BENCH_SLED", dir, size, "imported-first-open");
            child("DOM_BENCH_SLED", dir, size, "imported-second-open");
            let t = Instant::now();
            let c = Engine::compact(dir).expect("compaction");
            println!(
                "RESULT compact profiles={size} seconds={:.1} store_before_per_profile={} store_after_per_profile={}",
                t.elapsed().as_secs_f64(),
                c.bytes_before / size as u64,
                c.bytes_after / size as u64,
            );
        }

        // 2. Start-up and first match; 3. memory once loaded: in a fresh process. Then
        // sled alone, in another fresh process (the page cache is warm for both).
        child("DOM_BENCH_REOPEN", dir, size, "after");
        child("DOM_BENCH_SLED", dir, size, "after");
    }
}
