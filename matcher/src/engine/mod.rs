//! The engine: the one door to the matching core. It owns the store, the index and the
//! in-memory tables and keeps them in step (`sync`), runs every write under its own locks
//! with its audit line in the same transaction (`write`), and answers named queries and
//! rankings (`query`). Nobody outside holds the store.

mod eligible;
mod operators;
mod query;
mod register;
mod sheet_import;
mod sync;
mod write;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::{Duration, Instant};

use crate::comuni::Comuni;
use crate::dedupe::DedupeIndex;
use crate::error::Result;
use crate::features::RequestFeatures;
use crate::index::{OpenState, SearchIndex};
use crate::model::{Id, Request};
use crate::relevance::{DocTerms, TermStats};
use crate::store::{Kind, Store};
use crate::table::WorkerTable;

pub use query::{DueFollowUp, Eligibility, RequestScope, WhyNot};
pub use register::{Refusal, RefusedRequests};
pub use sheet_import::{
    DuplicateRow, ImportOptions, ImportedRow, RefusedRow, RowGroup, SheetReport,
};
pub use write::Change;

/// Staged index changes that trigger a commit on their own; below it, commits happen
/// before a search or on the server's timer.
const COMMIT_BATCH: usize = 10_000;
/// Changes after which the table snapshot is rewritten, and the longest it may age
/// while changes wait.
const SNAPSHOT_EVERY_CHANGES: u64 = 100_000;
const SNAPSHOT_EVERY: Duration = Duration::from_secs(600);
/// Distance rows kept (62 kB each): requests cluster in few comuni; past this many the
/// cache starts again rather than track use.
const DISTANCE_ROWS: usize = 512;

#[derive(Default)]
struct Tables {
    workers: WorkerTable,
    requests: HashMap<Id, (RequestFeatures, DocTerms)>,
    /// BM25 statistics of the requests' notes (for openings).
    request_stats: TermStats,
    dedupe: DedupeIndex,
}

impl Tables {
    fn upsert_request(&mut self, r: &Request, analyzer: &mut tantivy::tokenizer::TextAnalyzer) {
        let terms = DocTerms::of(analyzer, &r.notes);
        self.request_stats.add(&terms);
        if let Some((_, old)) = self.requests.insert(r.id, (RequestFeatures::of(r), terms)) {
            self.request_stats.remove(&old);
        }
    }
}

/// What start-up had to do to make the index agree with the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recovery {
    Consistent,
    Replayed { changes: usize },
    Rebuilt { reason: String },
}

pub struct Engine {
    store: Store,
    index: SearchIndex,
    tables: RwLock<Tables>,
    /// Held while a change goes store → index → tables.
    write: Mutex<()>,
    /// Held across a read-modify-write, so two never act on the same old state.
    updates: Mutex<()>,
    distances: Mutex<HashMap<u16, Arc<Vec<f64>>>>,
    recovery: Vec<(&'static str, Recovery)>,
    /// Where the table snapshot lives (none for temporary engines), the store sequence
    /// number it reflects, and when it was written.
    snapshot_path: Option<PathBuf>,
    snapshot_seq: AtomicU64,
    snapshot_at: Mutex<Instant>,
    snapshot_every: u64,
    /// Write generation: see [`Engine::generation`].
    generation: AtomicU64,
}

/// Bumps the write generation when dropped: on every path out of a write once the store
/// holds it, error paths included, and only after the tables were updated.
struct Visible<'a>(&'a AtomicU64);

impl Drop for Visible<'_> {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::AcqRel);
    }
}

impl Engine {
    /// Opens the data folder (`store/` and `index/` inside), repairing the index from the
    /// store if a crash or a restore left them apart.
    pub fn open(dir: &Path) -> Result<Engine> {
        std::fs::create_dir_all(dir)?;
        Self::open_tuned(dir, SNAPSHOT_EVERY_CHANGES)
    }

    /// `open` with the snapshot rewritten after `every` changes (tests use a small one).
    fn open_tuned(dir: &Path, every: u64) -> Result<Engine> {
        let snapshot = dir.join("tables.snap");
        // sled's recovery, the table snapshot and tantivy read different files: open the
        // three side by side (the snapshot is checked against the store once both are in).
        let (store, index, tables) = std::thread::scope(|s| {
            let tables = s.spawn(|| sync::read_snapshot(&snapshot));
            let index = s.spawn(|| SearchIndex::open(Some(&dir.join("index"))));
            let store = Store::open(&dir.join("store"), &dir.join("keys"));
            (store, joined(index), joined(tables))
        });
        // The store's error first: sled's lock is what says another process holds the
        // folder (tantivy's writer lock, failing sooner, would only name the index).
        let store = store?;
        let (index, ws, rs) = index?;
        let mut engine = Self::assemble(store, index, Some(snapshot), every)?;
        engine.start(ws, rs, tables)?;
        Ok(engine)
    }

    /// An engine on a throw-away store and an in-memory index.
    pub fn temporary() -> Result<Engine> {
        let (index, ws, rs) = SearchIndex::open(None)?;
        let mut engine = Self::assemble(Store::temporary()?, index, None, SNAPSHOT_EVERY_CHANGES)?;
        engine.start(ws, rs, None)?;
        Ok(engine)
    }

    fn assemble(
        store: Store,
        index: SearchIndex,
        snapshot_path: Option<PathBuf>,
        snapshot_every: u64,
    ) -> Result<Engine> {
        Ok(Engine {
            store,
            index,
            tables: RwLock::new(Tables::default()),
            write: Mutex::new(()),
            updates: Mutex::new(()),
            distances: Mutex::new(HashMap::new()),
            recovery: Vec::new(),
            snapshot_path,
            snapshot_seq: AtomicU64::new(0),
            snapshot_at: Mutex::new(Instant::now()),
            snapshot_every,
            generation: AtomicU64::new(0),
        })
    }

    /// Brings the index and the tables (from `snapshot`, when it was read and is usable)
    /// up to the store.
    fn start(
        &mut self,
        ws: OpenState,
        rs: OpenState,
        snapshot: Option<sync::LoadedSnapshot>,
    ) -> Result<()> {
        let w = self.reconcile(Kind::Worker, ws)?;
        let r = self.reconcile(Kind::Request, rs)?;
        self.recovery = vec![("workers", w), ("requests", r)];
        // Tables first: the commit below may write a snapshot, which must hold them.
        self.load_tables(snapshot)?;
        self.finish_commit()
    }

    /// The write generation: it changes after every write that can change a query's
    /// answer (workers, requests, proposals, outcomes, erasures, imports, operators),
    /// once the store and the tables both show it. An answer computed after reading
    /// generation `g` is still current while this returns `g` (the server's candidates
    /// cache relies on it); audit lines alone do not change it.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Taken right after the store accepted a write: the generation moves when the
    /// returned guard is dropped, at the end of the write.
    fn visible_on_return(&self) -> Visible<'_> {
        Visible(&self.generation)
    }

    /// What start-up did, per corpus.
    pub fn recovery(&self) -> &[(&'static str, Recovery)] {
        &self.recovery
    }

    /// The store, for the engine's own modules only: every write outside goes through a
    /// named engine command.
    pub(crate) fn store(&self) -> &Store {
        &self.store
    }

    /// The search index, for the engine's own modules (consistency check, erasure).
    pub(crate) fn index(&self) -> &SearchIndex {
        &self.index
    }

    /// Anonymous memory of the worker table, for the memory benchmark.
    pub fn table_bytes(&self) -> usize {
        self.tables().workers.heap_bytes()
    }

    /// Heap bytes of the parts DOM itself sizes, by name, for the memory benchmark's
    /// breakdown (what remains of resident memory is sled's cache, tantivy and the
    /// allocator's slack).
    pub fn memory_parts(&self) -> Vec<(&'static str, usize)> {
        let t = self.tables();
        let requests =
            t.requests.capacity() * (std::mem::size_of::<(Id, (RequestFeatures, DocTerms))>() + 1);
        vec![
            ("table", t.workers.heap_bytes()),
            ("dedupe", t.dedupe.heap_bytes()),
            ("keys", self.store.key_bytes()),
            ("requests", requests),
        ]
    }

    /// Bytes the store takes on disk.
    pub fn store_size_on_disk(&self) -> Result<u64> {
        self.store.size_on_disk()
    }

    pub(crate) fn lock_writes(&self) -> MutexGuard<'_, ()> {
        self.write.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Serialises read-modify-write operations (proposals, outcomes, edits): take it
    /// before reading what the change is computed from.
    pub(crate) fn lock_updates(&self) -> MutexGuard<'_, ()> {
        self.updates.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn tables(&self) -> RwLockReadGuard<'_, Tables> {
        self.tables.read().unwrap_or_else(|p| p.into_inner())
    }

    fn tables_mut(&self) -> RwLockWriteGuard<'_, Tables> {
        self.tables.write().unwrap_or_else(|p| p.into_inner())
    }

    /// Distances from a comune to every comune, cached: requests cluster in few comuni.
    /// A missing row is computed outside the lock, so one request's new comune does
    /// not hold up the others' cached reads.
    fn distances(&self, comune: u16) -> Arc<Vec<f64>> {
        let cache = || self.distances.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(row) = cache().get(&comune) {
            return row.clone();
        }
        let row = Arc::new(Comuni::get().distances_from(comune));
        let mut cache = cache();
        if cache.len() >= DISTANCE_ROWS {
            cache.clear();
        }
        cache.entry(comune).or_insert(row).clone()
    }
}

/// A scoped thread's result; its panic goes on in the caller.
fn joined<T>(h: std::thread::ScopedJoinHandle<'_, T>) -> T {
    h.join().unwrap_or_else(|p| std::panic::resume_unwind(p))
}

#[cfg(test)]
mod tests;
