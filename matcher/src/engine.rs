//! The engine: one object that keeps the store, the index and the in-memory tables in
//! step, and answers the matching questions. Writes go store → index → tables under one
//! lock, so the index never holds what the store does not; reads score in parallel.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::comuni::Comuni;
use crate::date::Date;
use crate::dedupe::DedupeIndex;
use crate::error::{Error, Result};
use crate::features::{RequestFeatures, WorkerFeatures};
use crate::fixtures;
use crate::index::{Corpus, OpenState, SearchIndex, WorkerFilter};
use crate::model::{
    Actor, AuditAction, AuditEntry, Candidate, DuplicateMatch, FollowUp, Id, Opening, Proposal,
    Request, RequestInput, Worker, WorkerInput,
};
use crate::relevance::{DocTerms, TermStats};
use crate::score::{self, Breakdown, Context};
use crate::snapshot;
use crate::store::{Kind, Store, WriteSet};
use crate::table::{self, WorkerTable};
use crate::text;
use crate::validate;

/// Staged index changes that trigger a commit on their own; below it, commits happen
/// before a search or on the server's timer.
const COMMIT_BATCH: usize = 10_000;
/// Workers scored per rayon task: large enough that scheduling costs nothing, small
/// enough that both cores get work on a few thousand candidates.
const SCORE_CHUNK: usize = 1024;
/// Changes after which the table snapshot is rewritten, and the longest it may age
/// while changes wait.
const SNAPSHOT_EVERY_CHANGES: u64 = 100_000;
const SNAPSHOT_EVERY: Duration = Duration::from_secs(600);
/// Largest `limit` a ranking accepts.
pub const MAX_LIMIT: usize = 200;

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

/// Records to write together, with the audit lines that describe them.
#[derive(Debug, Default)]
pub struct Change {
    pub workers: Vec<Worker>,
    pub requests: Vec<Request>,
    pub erased_workers: Vec<Id>,
    pub proposals: Vec<Proposal>,
    pub follow_ups: Vec<FollowUp>,
    /// Public outcome codes and their proposals.
    pub codes: Vec<(String, Id)>,
    pub audit: Vec<AuditEntry>,
    /// Seal the workers and requests under new keys, destroying the old ones, so no
    /// earlier version stays readable anywhere (de-identification).
    pub rekey: bool,
}

pub struct Engine {
    store: Store,
    index: SearchIndex,
    tables: RwLock<Tables>,
    write: Mutex<()>,
    updates: Mutex<()>,
    distances: Mutex<HashMap<u16, Arc<Vec<f64>>>>,
    recovery: Vec<(&'static str, Recovery)>,
    /// Where the table snapshot lives (none for temporary engines), the store sequence
    /// number it reflects, and when it was written.
    snapshot_path: Option<PathBuf>,
    snapshot_seq: AtomicU64,
    snapshot_at: Mutex<Instant>,
    snapshot_every: u64,
}

impl Engine {
    /// Opens the data folder (`store/` and `index/` inside), repairing the index from the
    /// store if a crash or a restore left them apart.
    pub fn open(dir: &Path) -> Result<Engine> {
        std::fs::create_dir_all(dir)?;
        let store = Store::open(&dir.join("store"), &dir.join("keys"))?;
        let (index, ws, rs) = SearchIndex::open(Some(&dir.join("index")))?;
        Self::assemble(
            store,
            index,
            ws,
            rs,
            Some(dir.join("tables.snap")),
            SNAPSHOT_EVERY_CHANGES,
        )
    }

    /// `open` with the snapshot rewritten after `every` changes (tests use a small one).
    #[cfg(test)]
    fn open_tuned(dir: &Path, every: u64) -> Result<Engine> {
        let store = Store::open(&dir.join("store"), &dir.join("keys"))?;
        let (index, ws, rs) = SearchIndex::open(Some(&dir.join("index")))?;
        Self::assemble(store, index, ws, rs, Some(dir.join("tables.snap")), every)
    }

    /// An engine on a throw-away store and an in-memory index.
    pub fn temporary() -> Result<Engine> {
        let (index, ws, rs) = SearchIndex::open(None)?;
        Self::assemble(
            Store::temporary()?,
            index,
            ws,
            rs,
            None,
            SNAPSHOT_EVERY_CHANGES,
        )
    }

    fn assemble(
        store: Store,
        index: SearchIndex,
        ws: OpenState,
        rs: OpenState,
        snapshot_path: Option<PathBuf>,
        snapshot_every: u64,
    ) -> Result<Engine> {
        let mut engine = Engine {
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
        };
        let w = engine.reconcile(Kind::Worker, ws)?;
        let r = engine.reconcile(Kind::Request, rs)?;
        engine.recovery = vec![("workers", w), ("requests", r)];
        // Tables first: the commit below may write a snapshot, which must hold them.
        engine.load_tables()?;
        engine.finish_commit()?;
        Ok(engine)
    }

    /// What start-up did, per corpus.
    pub fn recovery(&self) -> &[(&'static str, Recovery)] {
        &self.recovery
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The search index, for baselines that bypass scoring.
    pub fn index(&self) -> &SearchIndex {
        &self.index
    }

    fn corpus(&self, kind: Kind) -> &Corpus {
        match kind {
            Kind::Worker => &self.index.workers,
            Kind::Request => &self.index.requests,
        }
    }

    fn records_in_store(&self, kind: Kind) -> usize {
        match kind {
            Kind::Worker => self.store.workers.len(),
            Kind::Request => self.store.requests.len(),
        }
    }

    fn reconcile(&self, kind: Kind, state: OpenState) -> Result<Recovery> {
        let store_seq = self.store.seq()?;
        let rebuild = |reason: String| -> Result<Recovery> {
            self.rebuild_corpus(kind)?;
            Ok(Recovery::Rebuilt { reason })
        };
        let index_seq = match state {
            OpenState::Created { reason } => return rebuild(reason),
            OpenState::Existing { seq } => seq,
        };
        if index_seq > store_seq {
            return rebuild(format!(
                "indice più avanti dell'archivio ({index_seq} > {store_seq})"
            ));
        }
        let mut outcome = Recovery::Consistent;
        if index_seq < store_seq {
            let log_covers = self
                .store
                .first_change_seq()?
                .is_some_and(|first| first <= index_seq + 1);
            if !log_covers {
                return rebuild("registro delle modifiche incompleto".into());
            }
            let changes: Vec<_> = self
                .store
                .changes_since(index_seq)?
                .into_iter()
                .filter(|c| c.kind == kind)
                .collect();
            for c in &changes {
                self.restage(kind, c.id, c.seq)?;
            }
            outcome = Recovery::Replayed {
                changes: changes.len(),
            };
        }
        let corpus = self.corpus(kind);
        corpus.advance_to(store_seq);
        corpus.commit()?;
        if outcome == Recovery::Consistent {
            // The commit says it reflects exactly this store: counting every record (a
            // full scan of the tree) would cost more than the rest of start-up.
            return Ok(outcome);
        }
        // After a replay, belt and braces: the counts must agree.
        let (docs, records) = (corpus.num_docs(), self.records_in_store(kind) as u64);
        if docs != records {
            return rebuild(format!(
                "{docs} documenti nell'indice, {records} nell'archivio"
            ));
        }
        Ok(outcome)
    }

    /// Re-reads one record from the store into the index (or removes it if erased).
    fn restage(&self, kind: Kind, id: Id, seq: u64) -> Result<()> {
        match kind {
            Kind::Worker => match self.store.workers.get(id)? {
                Some(w) => self.index.stage_worker(&w, seq),
                None => self.index.stage_worker_removal(id, seq),
            },
            Kind::Request => match self.store.requests.get(id)? {
                Some(r) => self.index.stage_request(&r, seq),
                None => self.index.stage_request_removal(id, seq),
            },
        }
    }

    fn rebuild_corpus(&self, kind: Kind) -> Result<usize> {
        let seq = self.store.seq()?;
        let corpus = self.corpus(kind);
        corpus.clear(seq)?;
        let mut n = 0;
        match kind {
            Kind::Worker => {
                for w in self.store.workers.iter() {
                    self.index.stage_worker(&w?, seq)?;
                    n += 1;
                }
            }
            Kind::Request => {
                for r in self.store.requests.iter() {
                    self.index.stage_request(&r?, seq)?;
                    n += 1;
                }
            }
        }
        corpus.commit()?;
        Ok(n)
    }

    /// Rebuilds the whole index from the store (`dom reindex`). Returns documents indexed.
    pub fn rebuild_index(&self) -> Result<usize> {
        let _w = self.lock_writes();
        let n = self.rebuild_corpus(Kind::Worker)? + self.rebuild_corpus(Kind::Request)?;
        self.finish_commit()?;
        Ok(n)
    }

    fn load_tables(&self) -> Result<()> {
        let mut t = match self.tables_from_snapshot()? {
            Some(t) => t,
            None => self.tables_from_store()?,
        };
        let mut analyzer = text::italian_analyzer();
        for r in self.store.requests.iter() {
            t.upsert_request(&r?, &mut analyzer);
        }
        *self.tables_mut() = t;
        Ok(())
    }

    /// Every worker decoded from the store: the slow path, when there is no snapshot.
    fn tables_from_store(&self) -> Result<Tables> {
        let mut t = Tables::default();
        let mut analyzer = text::italian_analyzer();
        t.workers.reserve(self.store.workers.len());
        for w in self.store.workers.iter() {
            let w = w?;
            t.workers.upsert(
                WorkerFeatures::of(&w),
                DocTerms::of(&mut analyzer, &w.notes),
            );
            t.dedupe.insert(&w);
        }
        Ok(t)
    }

    /// The snapshot, brought up to date from the change log; `None` when there is no
    /// usable snapshot or the log no longer reaches back to it.
    fn tables_from_snapshot(&self) -> Result<Option<Tables>> {
        let Some(path) = &self.snapshot_path else {
            return Ok(None);
        };
        let Some(snap) = snapshot::read(path) else {
            return Ok(None);
        };
        let store_seq = self.store.seq()?;
        let covered = snap.seq == store_seq
            || (snap.seq < store_seq
                && self
                    .store
                    .first_change_seq()?
                    .is_some_and(|first| first <= snap.seq + 1));
        if !covered {
            return Ok(None);
        }
        let mut t = Tables::default();
        let mut rows = Vec::with_capacity(snap.rows.len());
        for (f, d, k) in snap.rows {
            t.dedupe.insert_keys(f.id, k);
            rows.push((f, d));
        }
        t.workers = WorkerTable::from_rows(rows, snap.stats);
        let mut analyzer = text::italian_analyzer();
        for c in self.store.changes_since(snap.seq)? {
            if c.kind != Kind::Worker {
                continue;
            }
            match self.store.workers.get(c.id)? {
                Some(w) => {
                    t.workers.upsert(
                        WorkerFeatures::of(&w),
                        DocTerms::of(&mut analyzer, &w.notes),
                    );
                    t.dedupe.insert(&w);
                }
                None => {
                    t.workers.remove(c.id);
                    t.dedupe.remove(c.id);
                }
            }
        }
        self.snapshot_seq.store(snap.seq, Ordering::SeqCst);
        Ok(Some(t))
    }

    /// Writes the table snapshot (needs the write lock held, so the tables and the
    /// sequence number agree).
    fn write_snapshot(&self) -> Result<()> {
        let Some(path) = &self.snapshot_path else {
            return Ok(());
        };
        let seq = self.store.seq()?;
        let t = self.tables();
        let mut keys = t.dedupe.all_keys();
        let rows: Vec<_> = t
            .workers
            .live()
            .filter_map(|(f, d)| Some((f, d, keys.remove(&f.id)?)))
            .collect();
        snapshot::write(path, seq, rows.into_iter(), &t.workers.stats)?;
        drop(t);
        self.snapshot_seq.store(seq, Ordering::SeqCst);
        *self.snapshot_at.lock().unwrap_or_else(|p| p.into_inner()) = Instant::now();
        Ok(())
    }

    /// Commits the index and writes the snapshot: a clean shutdown.
    pub fn close(&self) -> Result<()> {
        let _w = self.lock_writes();
        self.write_snapshot()?;
        self.finish_commit()
    }

    /// Anonymous memory of the worker table, for the memory benchmark.
    pub fn table_bytes(&self) -> usize {
        self.tables().workers.heap_bytes()
    }

    pub(crate) fn lock_writes(&self) -> MutexGuard<'_, ()> {
        self.write.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn tables(&self) -> RwLockReadGuard<'_, Tables> {
        self.tables.read().unwrap_or_else(|p| p.into_inner())
    }

    fn tables_mut(&self) -> RwLockWriteGuard<'_, Tables> {
        self.tables.write().unwrap_or_else(|p| p.into_inner())
    }

    /// Commits staged index changes so searches see them, and trims the change log.
    pub fn commit(&self) -> Result<()> {
        let _w = self.lock_writes();
        self.finish_commit()
    }

    /// Needs the write lock held (or exclusive access): the store's sequence number must
    /// not move between reading it and committing it as the index's.
    fn finish_commit(&self) -> Result<()> {
        let seq = self.store.seq()?;
        self.index.workers.advance_to(seq);
        self.index.requests.advance_to(seq);
        self.index.commit()?;
        if self.snapshot_path.is_none() {
            return self.store.prune_changes(seq);
        }
        // The change log also brings the snapshot up to date: keep what it lacks, and
        // refresh it when the log grows long or the snapshot old.
        let behind = seq - self.snapshot_seq.load(Ordering::SeqCst).min(seq);
        let age = self
            .snapshot_at
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .elapsed();
        // Scaled to the table, so bulk imports rewrite it a bounded number of times.
        let every = self.snapshot_every.max(self.tables().workers.len() as u64);
        if behind >= every || (behind > 0 && age >= SNAPSHOT_EVERY) {
            self.write_snapshot()?;
        }
        self.store
            .prune_changes(seq.min(self.snapshot_seq.load(Ordering::SeqCst)))
    }

    fn commit_if_pending(&self) -> Result<()> {
        if self.index.workers.pending() + self.index.requests.pending() > 0 {
            self.commit()?;
        }
        Ok(())
    }

    fn after_write(&self) -> Result<()> {
        if self.index.workers.pending() + self.index.requests.pending() >= COMMIT_BATCH {
            self.finish_commit()?;
        }
        Ok(())
    }

    /// Cards already on file that look like `w`.
    pub fn duplicates_of(&self, w: &Worker) -> Vec<DuplicateMatch> {
        self.tables().dedupe.find(w)
    }

    /// Applies a change atomically: store (one transaction, flushed), then index, then
    /// tables. Read-modify-write callers hold `lock_updates` around their read and this.
    pub fn apply(&self, c: Change) -> Result<()> {
        let mut ws = WriteSet::new();
        for w in &c.workers {
            if c.rekey {
                ws.put_rekeyed(w)?;
            } else {
                ws.put(w)?;
            }
        }
        for r in &c.requests {
            if c.rekey {
                ws.put_rekeyed(r)?;
            } else {
                ws.put(r)?;
            }
        }
        for id in &c.erased_workers {
            ws.delete::<Worker>(*id);
        }
        for p in &c.proposals {
            ws.put(p)?;
        }
        for f in &c.follow_ups {
            ws.put(f)?;
        }
        for (code, proposal) in &c.codes {
            ws.put_code(code, *proposal);
        }
        for a in &c.audit {
            ws.audit(a)?;
        }
        let _w = self.lock_writes();
        let seq = self.store.apply(&ws)?;
        for w in &c.workers {
            self.index.stage_worker(w, seq)?;
        }
        for r in &c.requests {
            self.index.stage_request(r, seq)?;
        }
        for id in &c.erased_workers {
            self.index.stage_worker_removal(*id, seq)?;
        }
        let mut analyzer = text::italian_analyzer();
        let terms: Vec<DocTerms> = c
            .workers
            .iter()
            .map(|w| DocTerms::of(&mut analyzer, &w.notes))
            .collect();
        let mut t = self.tables_mut();
        for (w, terms) in c.workers.iter().zip(terms) {
            t.workers.upsert(WorkerFeatures::of(w), terms);
            t.dedupe.insert(w);
        }
        for r in &c.requests {
            t.upsert_request(r, &mut analyzer);
        }
        for id in &c.erased_workers {
            t.workers.remove(*id);
            t.dedupe.remove(*id);
        }
        drop(t);
        if c.erased_workers.is_empty() {
            self.after_write()
        } else {
            // Erasure is not lazy: the index and the snapshot forget the person now.
            self.finish_commit()?;
            self.index.workers.purge_deleted()?;
            self.write_snapshot()
        }
    }

    /// Serialises read-modify-write operations (proposals, outcomes, edits) so two of
    /// them never both act on the same old state.
    pub fn lock_updates(&self) -> MutexGuard<'_, ()> {
        self.updates.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Registers a worker card. A card that looks like an existing one is refused with
    /// the likely duplicates unless `allow_duplicate`, in which case it is kept and flagged.
    pub fn register_worker(
        &self,
        input: WorkerInput,
        actor: Option<&Actor>,
        allow_duplicate: bool,
        today: Date,
    ) -> Result<Worker> {
        let mut w = validate::worker(input, Id::random(), today)?;
        w.org_id = actor.map(|a| a.org_id);
        let duplicates = self.duplicates_of(&w);
        if !duplicates.is_empty() {
            if !allow_duplicate {
                return Err(Error::PossibleDuplicate { duplicates });
            }
            w.possible_duplicate_of = duplicates.iter().map(|d| d.worker_id).collect();
        }
        let audit = AuditEntry::by(actor, AuditAction::Create, "worker", w.id);
        self.apply(Change {
            workers: vec![w.clone()],
            audit: vec![audit],
            ..Change::default()
        })?;
        Ok(w)
    }

    /// Stores a (validated) worker record, replacing any with its id. Durable on return.
    pub fn put_worker(&self, w: &Worker) -> Result<()> {
        self.apply(Change {
            workers: vec![w.clone()],
            ..Change::default()
        })
    }

    /// Erases a person: their card leaves the store (its key destroyed), the index, the
    /// tables and the dedupe keys; their proposals keep only what the monthly review
    /// counts (dates, outcome kind, score), stripped of explanations and notes.
    pub fn erase_worker(&self, id: Id, actor: Option<&Actor>, today: Date) -> Result<()> {
        let _u = self.lock_updates();
        self.store.workers.fetch(id)?;
        let (proposals, follow_ups) =
            crate::privacy::stripped_proposals(self, |p| p.worker_id == id, today)?;
        self.apply(Change {
            erased_workers: vec![id],
            proposals,
            follow_ups,
            audit: vec![AuditEntry::by(actor, AuditAction::Erase, "worker", id)],
            ..Change::default()
        })
    }

    pub fn register_request(
        &self,
        input: RequestInput,
        actor: Option<&Actor>,
        today: Date,
    ) -> Result<Request> {
        let mut r = validate::request(input, Id::random(), today)?;
        r.org_id = actor.map(|a| a.org_id);
        let audit = AuditEntry::by(actor, AuditAction::Create, "request", r.id);
        self.apply(Change {
            requests: vec![r.clone()],
            audit: vec![audit],
            ..Change::default()
        })?;
        Ok(r)
    }

    pub fn put_request(&self, r: &Request) -> Result<()> {
        self.apply(Change {
            requests: vec![r.clone()],
            ..Change::default()
        })
    }

    /// Records that `actor` read a person's full record.
    pub fn audit_read(&self, actor: &Actor, kind: &str, id: Id) -> Result<()> {
        self.store
            .append_audit(&AuditEntry::by(Some(actor), AuditAction::Read, kind, id))
    }

    /// Stores many workers with one flush and one commit: imports and benchmarks.
    pub fn import_workers(&self, workers: &[Worker]) -> Result<()> {
        let _w = self.lock_writes();
        let seq = self.store.put_bulk(workers)?;
        for w in workers {
            self.index.stage_worker(w, seq)?;
        }
        // Analyse outside the lock, in parallel: the slow part of an import.
        let rows: Vec<(WorkerFeatures, DocTerms)> = workers
            .par_iter()
            .map_init(text::italian_analyzer, |a, w| {
                (WorkerFeatures::of(w), DocTerms::of(a, &w.notes))
            })
            .collect();
        let mut t = self.tables_mut();
        t.workers.reserve(workers.len());
        for (w, (f, terms)) in workers.iter().zip(rows) {
            t.workers.upsert(f, terms);
            t.dedupe.insert(w);
        }
        drop(t);
        self.finish_commit()
    }

    pub fn import_requests(&self, requests: &[Request]) -> Result<()> {
        let _w = self.lock_writes();
        let seq = self.store.put_bulk(requests)?;
        for r in requests {
            self.index.stage_request(r, seq)?;
        }
        let mut analyzer = text::italian_analyzer();
        let mut t = self.tables_mut();
        for r in requests {
            t.upsert_request(r, &mut analyzer);
        }
        drop(t);
        self.finish_commit()
    }

    /// Loads the demo organisations, operators, workers and requests into an empty store.
    /// Returns false (and changes nothing) if the store already holds data.
    pub fn seed_demo(&self, today: Date) -> Result<bool> {
        if !self.store.organisations.is_empty() || !self.store.workers.is_empty() {
            return Ok(false);
        }
        let demo = fixtures::demo_organisations()?;
        for o in &demo.organisations {
            self.store.put(o)?;
        }
        for (op, _) in &demo.operators {
            self.store.put(op)?;
        }
        self.import_workers(&fixtures::demo_workers_at(today)?)?;
        self.import_requests(&fixtures::demo_requests_at(today)?)?;
        Ok(true)
    }

    /// The desk's search: by name (in memory, never indexed), or by free text over the
    /// notes plus filters (index). Returns the total and one page, best first.
    pub fn search_workers(
        &self,
        name: &str,
        filter: &WorkerFilter,
        offset: usize,
        limit: usize,
    ) -> Result<(usize, Vec<Worker>)> {
        let ids: Vec<Id> = if name.trim().is_empty() {
            self.commit_if_pending()?;
            let mut hits = self.index.search_workers(filter)?;
            let t = self.tables();
            let confirmed = |id: &Id| t.workers.get(*id).map(|w| w.confirmed_on);
            hits.sort_by(|a, b| {
                b.1.total_cmp(&a.1)
                    .then(confirmed(&b.0).cmp(&confirmed(&a.0)))
                    .then(a.0.cmp(&b.0))
            });
            hits.into_iter().map(|h| h.0).collect()
        } else {
            self.tables().dedupe.by_name(name)
        };
        let total = ids.len();
        let mut page = Vec::new();
        for id in ids.into_iter().skip(offset).take(limit) {
            if let Some(w) = self.store.workers.get(id)? {
                page.push(w);
            }
        }
        Ok((total, page))
    }

    /// The state of every card, from memory (the monthly review counts them).
    pub fn worker_statuses(&self) -> Vec<crate::model::WorkerStatus> {
        self.tables()
            .workers
            .live()
            .map(|(f, _)| f.status)
            .collect()
    }

    /// Ids of the cards whose scoring features satisfy `keep`.
    pub fn worker_ids_where(&self, keep: impl Fn(&WorkerFeatures) -> bool) -> Vec<Id> {
        self.tables()
            .workers
            .live()
            .filter(|(f, _)| keep(f))
            .map(|(f, _)| f.id)
            .collect()
    }

    /// The scoring features the in-memory table holds for a worker.
    pub fn worker_features(&self, id: Id) -> Option<WorkerFeatures> {
        self.tables().workers.get(id).copied()
    }

    pub fn worker_count(&self) -> usize {
        self.tables().workers.len()
    }

    /// Ranked candidates for a stored request.
    pub fn candidates(&self, request_id: Id, limit: usize, today: Date) -> Result<Vec<Candidate>> {
        let r = self.store.requests.fetch(request_id)?;
        self.candidates_for(&r, limit, today)
    }

    /// Distances from a comune to every comune, cached: requests cluster in few comuni.
    fn distances(&self, comune: u16) -> Arc<Vec<f64>> {
        let mut cache = self.distances.lock().unwrap_or_else(|p| p.into_inner());
        if cache.len() > 512 {
            cache.clear();
        }
        cache
            .entry(comune)
            .or_insert_with(|| Arc::new(Comuni::get().distances_from(comune)))
            .clone()
    }

    /// Ranked candidates, best first, for a request (stored or not): hard constraints
    /// exclude, the rest is scored in parallel and explained.
    ///
    /// The scan reads the packed filter column, scores survivors without text in rayon
    /// chunks, then adds text relevance only where it can change the top `limit`: text
    /// is worth at most 15 points, so a worker whose other points trail the current
    /// `limit`-th score by more than that cannot enter. The result is exactly the top
    /// `limit` of the full score.
    pub fn candidates_for(&self, r: &Request, limit: usize, today: Date) -> Result<Vec<Candidate>> {
        let limit = check_limit(limit)?;
        let rf = RequestFeatures::of(r);
        let dist = self.distances(rf.comune);
        let mut analyzer = text::italian_analyzer();
        let request_terms = DocTerms::of(&mut analyzer, &r.notes);
        let t = self.tables();
        let q = t.workers.stats.query(&request_terms);
        let (need, any_of) = table::required_flags(&rf);
        let no_text = Context {
            today,
            text_share: 0.0,
        };
        let cap = t.workers.capacity();
        // The best lower bound yet on the `limit`-th full score, shared by all chunks
        // (f32 bits: non-negative floats order like their bits).
        let floor_bits = AtomicU32::new(0);
        let mut base: Vec<(u32, f32)> = (0..cap.div_ceil(SCORE_CHUNK))
            .into_par_iter()
            .flat_map_iter(|chunk| {
                let range = chunk * SCORE_CHUNK..((chunk + 1) * SCORE_CHUNK).min(cap);
                let mut local: Vec<(u32, f32)> = Vec::new();
                let mut floor = f32::from_bits(floor_bits.load(Ordering::Relaxed));
                let mut prune_at = 4 * limit;
                for slot in range {
                    let Some((w, _)) = t.workers.reachable(slot, need, any_of, &dist) else {
                        continue;
                    };
                    // The bound counts text at full marks until the end; margin for rounding.
                    let reach = f64::from(floor - 0.2);
                    let km = dist[w.comune as usize];
                    if let Ok(Some(b)) = score::score_reaching(w, &rf, km, &no_text, reach) {
                        local.push((slot as u32, b.total() as f32));
                    }
                    // `limit` workers of this chunk score at least the `limit`-th best
                    // here: a floor for everyone. Pruned when the list doubles, so the
                    // selection costs linear time overall.
                    if local.len() >= prune_at {
                        let desc = |a: &(u32, f32), b: &(u32, f32)| b.1.total_cmp(&a.1);
                        local.select_nth_unstable_by(limit - 1, desc);
                        let kth = local[limit - 1].1.max(0.0);
                        let global = floor_bits.fetch_max(kth.to_bits(), Ordering::Relaxed);
                        floor = kth.max(f32::from_bits(global));
                        local.retain(|x| x.1 + TEXT_HEADROOM >= floor);
                        prune_at = (2 * local.len()).max(4 * limit);
                    }
                }
                let floor = f32::from_bits(floor_bits.load(Ordering::Relaxed)).max(floor);
                local.retain(|x| x.1 + TEXT_HEADROOM >= floor);
                local
            })
            .collect();
        let share = |slot: u32| {
            t.workers
                .filtered(slot as usize, need, any_of)
                .map_or(0.0, |(_, terms)| q.share(terms))
        };
        let full = |slot: u32, share: f64| -> Option<(WorkerFeatures, Breakdown, f64)> {
            let (w, _) = t.workers.filtered(slot as usize, need, any_of)?;
            let mut b = score::score_at(w, &rf, dist[w.comune as usize], &no_text).ok()?;
            b.set_text(share);
            Some((*w, b, share))
        };
        let top = top_with_text(&mut base, limit, share, full);
        let request_stems = text::stems(&mut analyzer, &r.notes);
        let out = top
            .iter()
            .map(|(w, b, share)| {
                let terms = t.workers.terms(w.id).cloned().unwrap_or_default();
                explain(
                    w,
                    &rf,
                    b,
                    *share,
                    &shared_words_in(&request_stems, &terms),
                    today,
                )
            })
            .collect();
        Ok(out)
    }

    /// Scores one worker for a request exactly as `candidates_for` would.
    pub fn score_pair(
        &self,
        worker_id: Id,
        r: &Request,
        today: Date,
    ) -> Result<std::result::Result<Candidate, score::Exclusion>> {
        let rf = RequestFeatures::of(r);
        let mut analyzer = text::italian_analyzer();
        let request_terms = DocTerms::of(&mut analyzer, &r.notes);
        let t = self.tables();
        let (w, terms) = match (t.workers.get(worker_id), t.workers.terms(worker_id)) {
            (Some(w), Some(terms)) => (*w, terms.clone()),
            _ => {
                return Err(Error::NotFound {
                    kind: "scheda lavoratore",
                    id: worker_id.to_string(),
                })
            }
        };
        let share = t.workers.stats.query(&request_terms).share(&terms);
        drop(t);
        let ctx = Context {
            today,
            text_share: share,
        };
        match score::score(&w, &rf, &ctx) {
            Err(why) => Ok(Err(why)),
            Ok(b) => {
                let stems = text::stems(&mut analyzer, &r.notes);
                let shared = shared_words_in(&stems, &terms);
                Ok(Ok(explain(&w, &rf, &b, share, &shared, today)))
            }
        }
    }

    /// Open requests that fit a worker, best first: the same scoring in reverse, over the
    /// (few) requests kept in memory.
    pub fn openings(&self, worker_id: Id, limit: usize, today: Date) -> Result<Vec<Opening>> {
        let limit = check_limit(limit)?;
        let w = self.store.workers.fetch(worker_id)?;
        let wf = WorkerFeatures::of(&w);
        let mut analyzer = text::italian_analyzer();
        let worker_terms = DocTerms::of(&mut analyzer, &w.notes);
        let t = self.tables();
        let q = t.request_stats.query(&worker_terms);
        let mut top: Vec<(RequestFeatures, Breakdown, f64)> = t
            .requests
            .values()
            .filter(|(r, _)| r.is_open())
            .filter_map(|(r, terms)| {
                let share = q.share(terms);
                let ctx = Context {
                    today,
                    text_share: share,
                };
                score::score(&wf, r, &ctx).ok().map(|b| (*r, b, share))
            })
            .collect();
        drop(t);
        top.sort_by(|a, b| {
            b.1.total()
                .total_cmp(&a.1.total())
                .then(a.0.id.cmp(&b.0.id))
        });
        top.truncate(limit);
        let mut out = Vec::with_capacity(top.len());
        for (rf, b, share) in top {
            let notes = self
                .store
                .requests
                .get(rf.id)?
                .map(|x| x.notes)
                .unwrap_or_default();
            let request_stems = text::stems(&mut analyzer, &notes);
            let shared = shared_words_in(&request_stems, &worker_terms);
            let c = explain(&wf, &rf, &b, share, &shared, today);
            out.push(Opening {
                request_id: rf.id,
                score: c.score,
                reasons: c.reasons,
                warnings: c.warnings,
            });
        }
        Ok(out)
    }
}

/// The most text can add (points), with a margin for rounding.
const TEXT_HEADROOM: f32 = 15.0 + 0.2;

/// Exact top `limit` by full score from scores without text. Text is added to the
/// `limit` best without it, which sets a floor; then only to those within reach of it,
/// cheaply (points without text + text points); the finalists are then scored exactly.
fn top_with_text<S, F>(
    base: &mut [(u32, f32)],
    limit: usize,
    share: S,
    full: F,
) -> Vec<(WorkerFeatures, Breakdown, f64)>
where
    S: Fn(u32) -> f64 + Sync,
    F: Fn(u32, f64) -> Option<(WorkerFeatures, Breakdown, f64)> + Sync,
{
    let text_points =
        |s: f64| (f64::from(score::Factor::Text.max_points() as f32) * s * 10.0).round() / 10.0;
    let desc = |a: &(u32, f32, f64), b: &(u32, f32, f64)| b.1.total_cmp(&a.1);
    let with_text = |(slot, without): &(u32, f32)| {
        let s = share(*slot);
        (*slot, without + text_points(s) as f32, s)
    };
    let split = limit.min(base.len());
    if base.len() > limit {
        base.select_nth_unstable_by(limit - 1, |a, b| b.1.total_cmp(&a.1));
    }
    let (seeds, rest) = base.split_at_mut(split);
    let mut approx: Vec<(u32, f32, f64)> = seeds.iter().map(with_text).collect();
    if approx.len() == limit {
        // Best first: once a worker's points without text plus all the text points
        // cannot beat the current `limit`-th full score, nobody after them can.
        rest.sort_unstable_by(|a, b| b.1.total_cmp(&a.1));
        let mut kth = approx.iter().map(|x| x.1).fold(f32::INFINITY, f32::min);
        for block in rest.chunks(256) {
            if block[0].1 + TEXT_HEADROOM < kth {
                break;
            }
            let scored: Vec<(u32, f32, f64)> = block
                .iter()
                .filter(|(_, without_text)| without_text + TEXT_HEADROOM >= kth)
                .map(with_text)
                .collect();
            approx.extend(scored);
            if approx.len() > 2 * limit {
                approx.select_nth_unstable_by(limit - 1, desc);
                kth = kth.max(approx[limit - 1].1);
                approx.retain(|x| x.1 >= kth - 0.25);
            }
        }
    }
    // Keep a margin for f32 rounding, then let exact scores decide.
    if approx.len() > limit {
        approx.select_nth_unstable_by(limit - 1, desc);
        let kth = approx[limit - 1].1;
        approx.retain(|x| x.1 >= kth - 0.25);
    }
    let mut scored: Vec<(WorkerFeatures, Breakdown, f64)> = approx
        .iter()
        .filter_map(|(slot, _, s)| full(*slot, *s))
        .collect();
    scored.sort_by(|a, b| {
        b.1.total()
            .total_cmp(&a.1.total())
            .then(a.0.id.cmp(&b.0.id))
    });
    scored.truncate(limit);
    scored
}

fn check_limit(limit: usize) -> Result<usize> {
    if limit == 0 || limit > MAX_LIMIT {
        return Err(Error::invalid(
            "limit",
            format!("limit deve essere tra 1 e {MAX_LIMIT}"),
        ));
    }
    Ok(limit)
}

/// Reasons and warnings for one scored pair.
fn explain(
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
        reasons: score::reasons(w, rf, b, &ctx, &shared.to_vec()),
        warnings: score::warnings(w, rf, today),
    }
}

/// The request's words (as written) whose stems the card's notes contain.
fn shared_words_in(request_stems: &[(String, String)], terms: &DocTerms) -> Vec<String> {
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
    use crate::model::{RequestStatus, WorkerStatus};

    fn today() -> Date {
        fixtures::reference_date()
    }

    fn demo_engine() -> Engine {
        let e = Engine::temporary().unwrap();
        assert!(e.seed_demo(today()).unwrap());
        e
    }

    fn contract_request() -> Request {
        fixtures::demo_requests().unwrap().remove(0)
    }

    #[test]
    fn seeding_happens_once() {
        let e = demo_engine();
        assert!(!e.seed_demo(today()).unwrap());
        assert_eq!(e.worker_count(), fixtures::demo_workers().unwrap().len());
    }

    #[test]
    fn candidates_respect_hard_constraints_and_order() {
        let e = demo_engine();
        let workers = fixtures::demo_workers().unwrap();
        for r in fixtures::demo_requests().unwrap() {
            let cands = e.candidates(r.id, 50, today()).unwrap();
            for pair in cands.windows(2) {
                assert!(pair[0].score >= pair[1].score);
            }
            for c in &cands {
                let w = workers.iter().find(|w| w.id == c.worker_id).unwrap();
                assert_eq!(w.status, WorkerStatus::Available, "{}", w.full_name());
                assert!(w.jobs.contains(&r.job));
                let sum: f64 = c.reasons.iter().map(|x| x.points).sum();
                assert!((sum - c.score).abs() < 1e-9);
            }
        }
    }

    #[test]
    fn contract_request_finds_dementia_carers_first() {
        let e = demo_engine();
        let cands = e.candidates(contract_request().id, 5, today()).unwrap();
        assert_eq!(cands.len(), 5);
        let top = e.store().workers.fetch(cands[0].worker_id).unwrap();
        assert!(top
            .experience_years(crate::model::ExperienceKind::Dementia)
            .is_some());
        let text = cands[0]
            .reasons
            .iter()
            .find(|r| r.factor == "text")
            .unwrap();
        assert!(text.points > 0.0, "{text:?}");
    }

    #[test]
    fn expired_permits_and_unconsented_never_appear() {
        let e = demo_engine();
        let workers = fixtures::demo_workers().unwrap();
        let bad: Vec<Id> = workers
            .iter()
            .filter(|w| {
                crate::features::permit_until(w.permit.kind, w.permit.expires_on)
                    < today().add_days(5).days()
            })
            .map(|w| w.id)
            .collect();
        assert!(!bad.is_empty());
        for r in fixtures::demo_requests().unwrap() {
            for c in e.candidates(r.id, 200, today()).unwrap() {
                if r.start_on >= today().add_days(5) {
                    assert!(!bad.contains(&c.worker_id));
                }
            }
        }
    }

    #[test]
    fn new_cards_are_found_at_once_and_erased_ones_never() {
        let e = demo_engine();
        let mut w = fixtures::demo_workers().unwrap().remove(0);
        w.id = Id(42);
        w.phone = "+39 300 0000000".into();
        w.given_name = "Zlata".into();
        w.family_name = "Novak".into();
        w.last_proposed_on = None;
        w.registered_on = today().add_days(-400);
        e.put_worker(&w).unwrap();
        let r = contract_request();
        let found = |e: &Engine| {
            e.candidates(r.id, 200, today())
                .unwrap()
                .iter()
                .any(|c| c.worker_id == Id(42))
        };
        assert!(found(&e));
        e.erase_worker(Id(42), None, today()).unwrap();
        assert!(!found(&e));
        assert!(matches!(
            e.erase_worker(Id(42), None, today()),
            Err(Error::NotFound { .. })
        ));
    }

    #[test]
    fn duplicates_are_refused_unless_allowed() {
        let e = demo_engine();
        let body = serde_json::json!({
          "given_name": "Anna", "family_name": "Popescu", "birth_year": 1975,
          "phone": "+39 349 0000000", "comune": "Grosseto",
          "jobs": ["badante"], "live_in": "either", "hours_per_week": {"min": 20, "max": 54},
          "max_travel_km": 30, "permit": {"kind": "eu_citizen"},
          "consent": {"given_on": "2026-11-01"}
        });
        let input: WorkerInput = serde_json::from_value(body).unwrap();
        let ana_id = fixtures::demo_workers().unwrap()[0].id;
        let before = e.store().workers.len();
        match e.register_worker(input.clone(), None, false, today()) {
            Err(Error::PossibleDuplicate { duplicates }) => {
                assert!(duplicates.iter().any(|d| d.worker_id == ana_id));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(e.store().workers.len(), before, "nothing stored");
        let w = e.register_worker(input, None, true, today()).unwrap();
        assert!(w.possible_duplicate_of.contains(&ana_id));
        assert_eq!(e.store().workers.len(), before + 1);
    }

    #[test]
    fn openings_run_the_same_machinery_in_reverse() {
        let e = demo_engine();
        // Natalia Popa lives in Scansano and has dementia experience: the Rossi request.
        let natalia = fixtures::demo_workers()
            .unwrap()
            .into_iter()
            .find(|w| w.family_name == "Popa")
            .unwrap();
        let openings = e.openings(natalia.id, 10, today()).unwrap();
        assert!(openings
            .iter()
            .any(|o| o.request_id == contract_request().id));
        let requests = fixtures::demo_requests().unwrap();
        for o in &openings {
            let r = requests.iter().find(|r| r.id == o.request_id).unwrap();
            assert!(r.is_open(), "filled request offered");
            assert_ne!(r.status, RequestStatus::Filled);
            // The pair scores the same in both directions, but for text relevance: BM25
            // is relative to the other documents of the corpus searched.
            let cands = e.candidates(r.id, 200, today()).unwrap();
            let c = cands.iter().find(|c| c.worker_id == natalia.id).unwrap();
            let not_text = |rs: &[crate::model::Reason]| -> Vec<f64> {
                rs.iter()
                    .filter(|x| x.factor != "text")
                    .map(|x| x.points)
                    .collect()
            };
            assert_eq!(not_text(&c.reasons), not_text(&o.reasons));
        }
    }

    #[test]
    fn desk_search_by_text_filters_and_name() {
        let e = demo_engine();
        let f = WorkerFilter {
            text: "Alzheimer".into(),
            ..WorkerFilter::default()
        };
        let (n, page) = e.search_workers("", &f, 0, 50).unwrap();
        assert!(n >= 3);
        assert!(page
            .iter()
            .all(|w| w.notes.to_lowercase().contains("alzheimer")));
        let f = WorkerFilter {
            job: Some(crate::model::Job::Babysitter),
            comune: Some("053009".into()),
            ..WorkerFilter::default()
        };
        let (_, page) = e.search_workers("", &f, 0, 50).unwrap();
        assert!(!page.is_empty());
        assert!(page
            .iter()
            .all(|w| w.comune == "053009" && w.jobs.contains(&crate::model::Job::Babysitter)));
        let (n, page) = e
            .search_workers("popescu", &WorkerFilter::default(), 0, 50)
            .unwrap();
        assert_eq!(n, 2, "Ana and her duplicate Anna");
        assert!(page.iter().all(|w| w.family_name == "Popescu"));
        let (all, _) = e
            .search_workers("", &WorkerFilter::default(), 0, 1)
            .unwrap();
        assert_eq!(all, e.worker_count());
    }

    #[test]
    fn pruned_ranking_equals_scoring_everyone() {
        let e = Engine::temporary().unwrap();
        let mut synth = crate::synth::Synth::new(11, today());
        e.import_workers(&synth.workers(4000)).unwrap();
        let t = e.tables();
        let rows: Vec<(WorkerFeatures, DocTerms)> = (0..t.workers.capacity())
            .filter_map(|s| {
                t.workers
                    .filtered(s, 0, u32::MAX)
                    .map(|(w, d)| (*w, d.clone()))
            })
            .collect();
        let stats = t.workers.stats.clone();
        drop(t);
        for area in [
            crate::synth::Area::Province("RM".into()),
            crate::synth::Area::Region("Toscana".into()),
            crate::synth::Area::National,
        ] {
            for _ in 0..15 {
                let r = synth.request(&area);
                let rf = RequestFeatures::of(&r);
                let q = stats.query(&crate::relevance::doc_terms(&r.notes));
                let mut brute: Vec<(f64, Id)> = rows
                    .iter()
                    .filter_map(|(w, d)| {
                        let ctx = Context {
                            today: today(),
                            text_share: q.share(d),
                        };
                        score::score(w, &rf, &ctx).ok().map(|b| (b.total(), w.id))
                    })
                    .collect();
                brute.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
                brute.truncate(20);
                let fast: Vec<(f64, Id)> = e
                    .candidates_for(&r, 20, today())
                    .unwrap()
                    .iter()
                    .map(|c| (c.score, c.worker_id))
                    .collect();
                assert_eq!(fast, brute, "{:?}", r.comune);
            }
        }
    }

    #[test]
    fn limits_are_checked() {
        let e = demo_engine();
        let id = contract_request().id;
        assert!(matches!(
            e.candidates(id, 0, today()),
            Err(Error::Invalid { .. })
        ));
        assert!(e.candidates(id, MAX_LIMIT + 1, today()).is_err());
        assert!(matches!(
            e.candidates(Id(7), 5, today()),
            Err(Error::NotFound { .. })
        ));
    }

    #[test]
    fn reopening_finds_index_consistent() {
        let dir = tempfile::tempdir().unwrap();
        {
            let e = Engine::open(dir.path()).unwrap();
            e.seed_demo(today()).unwrap();
        }
        let e = Engine::open(dir.path()).unwrap();
        assert!(
            e.recovery().iter().all(|(_, r)| *r == Recovery::Consistent),
            "{:?}",
            e.recovery()
        );
        assert_eq!(
            e.candidates(contract_request().id, 5, today())
                .unwrap()
                .len(),
            5
        );
    }

    #[test]
    fn index_behind_store_is_replayed() {
        let dir = tempfile::tempdir().unwrap();
        let w = fixtures::demo_workers().unwrap().remove(0);
        {
            let e = Engine::open(dir.path()).unwrap();
            e.seed_demo(today()).unwrap();
        }
        {
            // Written to the store but never reaching the index: as after a crash
            // between the two.
            let store = Store::open(&dir.path().join("store"), &dir.path().join("keys")).unwrap();
            let mut w2 = w.clone();
            w2.notes = "Nota aggiornata dopo il colloquio".into();
            store.put_worker(&w2).unwrap();
        }
        let e = Engine::open(dir.path()).unwrap();
        assert_eq!(e.recovery()[0].1, Recovery::Replayed { changes: 1 });
        assert_eq!(
            e.store().workers.fetch(w.id).unwrap().notes,
            "Nota aggiornata dopo il colloquio"
        );
    }

    #[test]
    fn snapshot_plus_change_log_rebuilds_the_tables() {
        let dir = tempfile::tempdir().unwrap();
        let extra = {
            let mut w = fixtures::demo_workers().unwrap().remove(22);
            w.id = Id(77);
            w.phone = "+39 300 7777777".into();
            w
        };
        {
            let e = Engine::open(dir.path()).unwrap();
            e.seed_demo(today()).unwrap();
            e.close().unwrap();
        }
        assert!(dir.path().join("tables.snap").exists());
        {
            // A change after the snapshot, as if the process died before the next one.
            let store = Store::open(&dir.path().join("store"), &dir.path().join("keys")).unwrap();
            store.put_worker(&extra).unwrap();
            store.delete_worker(Id(0xa000000000000002)).unwrap();
        }
        let e = Engine::open(dir.path()).unwrap();
        assert_eq!(e.worker_count(), fixtures::demo_workers().unwrap().len());
        assert!(e.tables().workers.get(Id(77)).is_some());
        assert!(e.tables().workers.get(Id(0xa000000000000002)).is_none());
        // Dedupe keys came back too: the copy of Natalia is spotted by name and year.
        let dups = e.duplicates_of(&extra);
        assert_eq!(dups.len(), 1);
        assert_eq!(dups[0].worker_id, Id(0xa000000000000017));
        // The same answers as a store scan.
        let from_store = e.tables_from_store().unwrap();
        assert_eq!(from_store.workers.len(), e.worker_count());
        for id in [Id(77), Id(0xa000000000000017)] {
            assert_eq!(from_store.workers.get(id), e.tables().workers.get(id));
        }
    }

    #[test]
    fn snapshots_written_during_bulk_writes_and_reopening_keep_every_card() {
        let dir = tempfile::tempdir().unwrap();
        let workers = crate::synth::Synth::new(9, today()).workers(300);
        {
            // A tiny threshold: snapshots are rewritten during the import and at start-up.
            let e = Engine::open_tuned(dir.path(), 10).unwrap();
            for chunk in workers.chunks(50) {
                e.import_workers(chunk).unwrap();
            }
        }
        for _ in 0..2 {
            let e = Engine::open_tuned(dir.path(), 10).unwrap();
            assert_eq!(e.worker_count(), 300);
            assert!(e.table_bytes() > 300 * 64);
        }
    }

    #[test]
    fn index_ahead_of_store_is_rebuilt() {
        let dir = tempfile::tempdir().unwrap();
        let backup = tempfile::tempdir().unwrap();
        {
            let e = Engine::open(dir.path()).unwrap();
            drop(e);
        }
        copy_dir(&dir.path().join("store"), &backup.path().join("store"));
        std::fs::copy(dir.path().join("keys"), backup.path().join("keys")).unwrap();
        {
            let e = Engine::open(dir.path()).unwrap();
            e.seed_demo(today()).unwrap();
        }
        // Put back the empty store (and its keys) under the seeded index, as a careless
        // restore would.
        std::fs::remove_dir_all(dir.path().join("store")).unwrap();
        copy_dir(&backup.path().join("store"), &dir.path().join("store"));
        std::fs::copy(backup.path().join("keys"), dir.path().join("keys")).unwrap();
        let e = Engine::open(dir.path()).unwrap();
        assert!(matches!(e.recovery()[0].1, Recovery::Rebuilt { .. }));
        assert_eq!(e.index.workers.num_docs(), 0);
    }

    fn copy_dir(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            let target = to.join(entry.file_name());
            if entry.file_type().unwrap().is_dir() {
                copy_dir(&entry.path(), &target);
            } else {
                std::fs::copy(entry.path(), target).unwrap();
            }
        }
    }

    #[test]
    fn rebuild_gives_the_same_answers() {
        let e = demo_engine();
        let id = contract_request().id;
        let before = e.candidates(id, 20, today()).unwrap();
        assert_eq!(
            e.rebuild_index().unwrap(),
            e.store().workers.len() + e.store().requests.len()
        );
        assert_eq!(e.candidates(id, 20, today()).unwrap(), before);
    }

    fn search_notes(e: &Engine, text: &str) -> Vec<Id> {
        let filter = WorkerFilter {
            text: text.into(),
            job: None,
            status: None,
            live_in: None,
            comune: None,
        };
        e.search_workers("", &filter, 0, 50)
            .unwrap()
            .1
            .iter()
            .map(|w| w.id)
            .collect()
    }

    /// Every file under `dir` that contains `needle`.
    fn files_containing(dir: &Path, needle: &[u8]) -> Vec<PathBuf> {
        let mut hits = Vec::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            for entry in std::fs::read_dir(&d).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                } else if std::fs::read(&path)
                    .unwrap()
                    .windows(needle.len())
                    .any(|w| w == needle)
                {
                    hits.push(path);
                }
            }
        }
        hits
    }

    #[test]
    fn erasure_leaves_no_trace_of_name_phone_or_notes_on_disk() {
        let dir = tempfile::tempdir().unwrap();
        let mut w = fixtures::demo_workers().unwrap().remove(3);
        w.id = Id(0x5eed);
        w.given_name = "Quirinella".into();
        w.family_name = "Zbignievska".into();
        w.phone = "+39 366 9081726".into();
        w.notes = "Referenze dalla famiglia Xylofonetti di Manciano".into();
        let needles: [&[u8]; 4] = [b"Quirinella", b"Zbignievska", b"9081726", b"xylofonett"];
        {
            let e = Engine::open(dir.path()).unwrap();
            e.seed_demo(today()).unwrap();
            e.put_worker(&w).unwrap();
            // Several versions, as edits leave them in sled's log.
            w.notes.push_str(" (aggiornato)");
            e.put_worker(&w).unwrap();
            e.close().unwrap();
        }
        // Sealed in the store; the tables snapshot still holds the dedupe keys.
        assert!(files_containing(&dir.path().join("store"), b"Quirinella").is_empty());
        assert!(!files_containing(dir.path(), b"quirinella").is_empty());
        let e = Engine::open(dir.path()).unwrap();
        assert_eq!(search_notes(&e, "xylofonetti"), vec![w.id]);
        e.erase_worker(w.id, None, today()).unwrap();
        assert!(search_notes(&e, "xylofonetti").is_empty());
        assert_eq!(e.store().workers.get(w.id).unwrap(), None);
        assert!(e.duplicates_of(&w).is_empty());
        for needle in needles {
            for case in [needle.to_vec(), needle.to_ascii_lowercase()] {
                let hits = files_containing(dir.path(), &case);
                assert!(
                    hits.is_empty(),
                    "{} found in {hits:?}",
                    String::from_utf8_lossy(&case)
                );
            }
        }
        drop(e);
        let e = Engine::open(dir.path()).unwrap();
        assert_eq!(e.store().workers.get(w.id).unwrap(), None);
        assert!(e.tables().workers.get(w.id).is_none());
    }

    #[test]
    fn a_crash_between_key_destruction_and_removal_finishes_the_erasure() {
        let dir = tempfile::tempdir().unwrap();
        let victim = fixtures::demo_workers().unwrap()[5].clone();
        {
            let e = Engine::open(dir.path()).unwrap();
            e.seed_demo(today()).unwrap();
            e.close().unwrap();
        }
        {
            let store = Store::open(&dir.path().join("store"), &dir.path().join("keys")).unwrap();
            // The first half of an erasure only.
            store.vault().shred(victim.id).unwrap();
            store.vault().sync().unwrap();
            assert_eq!(
                store.workers.get(victim.id).unwrap(),
                None,
                "unreadable at once"
            );
            assert!(store.workers.contains(victim.id).unwrap());
        }
        let e = Engine::open(dir.path()).unwrap();
        assert!(!e.store().workers.contains(victim.id).unwrap());
        assert!(e.tables().workers.get(victim.id).is_none());
        assert!(e.index().workers.num_docs() as usize == e.worker_count());
        assert_eq!(
            e.worker_count(),
            fixtures::demo_workers().unwrap().len() - 1
        );
    }

    #[test]
    fn a_store_whose_key_file_is_lost_refuses_to_open() {
        let dir = tempfile::tempdir().unwrap();
        {
            let e = Engine::open(dir.path()).unwrap();
            e.seed_demo(today()).unwrap();
            e.close().unwrap();
        }
        std::fs::remove_file(dir.path().join("keys")).unwrap();
        match Engine::open(dir.path()) {
            Err(Error::Corrupt { what, .. }) => assert_eq!(what, "chiavi"),
            Err(other) => panic!("{other:?}"),
            Ok(_) => panic!("opened without keys"),
        }
        // Nothing was emptied: with the keys back every card reads again.
        assert!(!dir.path().join("keys").exists());
    }
}
