//! Keeping the store, the index and the in-memory tables in step: start-up
//! reconciliation (replay the change log or rebuild), the table snapshot, index commits,
//! and applying one change to all three under the write lock.

use std::collections::HashSet;
use std::path::Path;
use std::sync::atomic::Ordering;
use std::time::Instant;

use rayon::prelude::*;

use super::{Change, Engine, Recovery, Tables, COMMIT_BATCH, SNAPSHOT_EVERY};
use crate::error::Result;
use crate::features::WorkerFeatures;
use crate::index::{Corpus, OpenState, Staging};
use crate::model::{Id, Request, Worker};
use crate::relevance::DocTerms;
use crate::snapshot;
use crate::store::{BulkWrite, Compaction, Kind, Record, WriteSet};
use crate::table::WorkerTable;
use crate::text;

/// The tables as the snapshot file holds them, not yet checked against the store.
pub(super) struct LoadedSnapshot {
    seq: u64,
    tables: Tables,
}

/// Reads the table snapshot and builds the tables from it: needs nothing of the store,
/// so it runs while sled opens.
pub(super) fn read_snapshot(path: &Path) -> Option<LoadedSnapshot> {
    let snap = snapshot::read(path)?;
    // Two independent builds of about the same cost: one each core.
    let keys = &snap.keys;
    let (workers, dedupe) = rayon::join(
        || WorkerTable::from_rows(snap.rows, snap.stats),
        || keys.index(),
    );
    let tables = Tables {
        workers,
        dedupe,
        ..Tables::default()
    };
    Some(LoadedSnapshot {
        seq: snap.seq,
        tables,
    })
}

impl Engine {
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

    pub(super) fn reconcile(&self, kind: Kind, state: OpenState) -> Result<Recovery> {
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
            // Cleared: every document is new to it.
            Kind::Worker => {
                for w in self.store.workers.iter() {
                    self.index.stage_worker_as(&w?, seq, Staging::New)?;
                    n += 1;
                }
            }
            Kind::Request => {
                for r in self.store.requests.iter() {
                    self.index.stage_request_as(&r?, seq, Staging::New)?;
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

    pub(super) fn load_tables(&self, snapshot: Option<LoadedSnapshot>) -> Result<()> {
        let mut t = match self.tables_from_snapshot(snapshot)? {
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
    pub(super) fn tables_from_store(&self) -> Result<Tables> {
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
        t.workers.lay_out();
        Ok(t)
    }

    /// The snapshot, brought up to date from the change log; `None` when there is no
    /// usable snapshot or the log no longer reaches back to it.
    fn tables_from_snapshot(&self, snap: Option<LoadedSnapshot>) -> Result<Option<Tables>> {
        let Some(mut snap) = snap.filter(|_| self.snapshot_path.is_some()) else {
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
        let t = &mut snap.tables;
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
        // A long replay (a crash after a large import) is a bulk write like any other.
        if t.workers.wants_layout() {
            t.workers.lay_out();
        }
        self.snapshot_seq.store(snap.seq, Ordering::SeqCst);
        Ok(Some(snap.tables))
    }

    /// Writes the table snapshot (needs the write lock held, so the tables and the
    /// sequence number agree).
    fn write_snapshot(&self) -> Result<()> {
        let Some(path) = &self.snapshot_path else {
            return Ok(());
        };
        let seq = self.store.seq()?;
        let t = self.tables();
        // Borrowed keys: writing a million cards copies no name.
        let rows: Vec<_> = t
            .workers
            .live()
            .filter_map(|(f, d)| Some((f, d, t.dedupe.keys(f.id)?)))
            .collect();
        snapshot::write(path, seq, rows.into_iter(), &t.workers.stats)?;
        drop(t);
        self.snapshot_seq.store(seq, Ordering::SeqCst);
        *self.snapshot_at.lock().unwrap_or_else(|p| p.into_inner()) = Instant::now();
        Ok(())
    }

    /// Rewrites the store of the stopped data folder `dir` into a fresh sled directory
    /// and swaps it in (`dom compact`, and `dom import` after a bulk import): one copy of
    /// each record on disk, and a next open that reads sled's snapshot instead of
    /// replaying its log. The index and the table snapshot stay valid: the records and
    /// the sequence number are copied as they are.
    pub fn compact(dir: &Path) -> Result<Compaction> {
        crate::store::compact(&dir.join("store"))
    }

    /// Commits the index and writes the snapshot: a clean shutdown.
    pub fn close(&self) -> Result<()> {
        let _w = self.lock_writes();
        self.write_snapshot()?;
        self.finish_commit()
    }

    /// Commits staged index changes so searches see them, and trims the change log.
    pub fn commit(&self) -> Result<()> {
        let _w = self.lock_writes();
        self.finish_commit()
    }

    /// Needs the write lock held (or exclusive access): the store's sequence number must
    /// not move between reading it and committing it as the index's.
    pub(super) fn finish_commit(&self) -> Result<()> {
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

    pub(super) fn commit_if_pending(&self) -> Result<()> {
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

    /// Applies a change atomically: store (one transaction, flushed), then index, then
    /// tables. Read-modify-write callers hold `lock_updates` around their read and this.
    pub(crate) fn apply(&self, c: Change) -> Result<()> {
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
        for o in &c.organisations {
            ws.put(o)?;
        }
        for o in &c.operators {
            ws.put(o)?;
        }
        for f in &c.follow_ups {
            ws.put(f)?;
        }
        for x in &c.contacts {
            ws.put(x)?;
        }
        for x in &c.removed_contacts {
            ws.remove_child(x);
        }
        for (code, proposal) in &c.codes {
            ws.put_code(code, *proposal);
        }
        for a in &c.audit {
            ws.audit(a)?;
        }
        let _w = self.lock_writes();
        let seq = self.store.apply(&ws)?;
        let _visible = self.visible_on_return();
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

    /// Stores many workers with one flush and one commit: imports and benchmarks.
    pub fn import_workers(&self, workers: &[Worker]) -> Result<()> {
        self.store_workers(workers)?;
        let _w = self.lock_writes();
        self.finish_commit()
    }

    /// Stores many workers with one flush, stages them in the index and fills the
    /// tables; the index commit is the caller's (a bulk import commits once at its end).
    pub(crate) fn store_workers(&self, workers: &[Worker]) -> Result<()> {
        let _w = self.lock_writes();
        // The table rows (analysis, the slow part of an import besides sled) are made on
        // the pool while sled writes; nothing is visible before both are done.
        let (seq, rows) = rayon::join(
            || self.store.put_bulk(workers),
            || {
                workers
                    .par_iter()
                    .map_init(text::italian_analyzer, |a, w| {
                        (WorkerFeatures::of(w), DocTerms::of(a, &w.notes))
                    })
                    .collect::<Vec<(WorkerFeatures, DocTerms)>>()
            },
        );
        let written = seq?;
        let _visible = self.visible_on_return();
        // Once stored: the index documents staged beside the tables filled, two serial
        // jobs under two different locks.
        let (staged, ()) = rayon::join(
            || {
                stage_bulk(written, workers, |w, seq, how| {
                    self.index.stage_worker_as(w, seq, how)
                })
            },
            || {
                let mut t = self.tables_mut();
                t.workers.reserve(workers.len());
                for (w, (f, terms)) in workers.iter().zip(rows) {
                    t.workers.upsert(f, terms);
                    t.dedupe.insert(w);
                }
                if t.workers.wants_layout() {
                    t.workers.lay_out();
                }
            },
        );
        staged?;
        Ok(())
    }

    pub fn import_requests(&self, requests: &[Request]) -> Result<()> {
        let _w = self.lock_writes();
        let written = self.store.put_bulk(requests)?;
        let _visible = self.visible_on_return();
        stage_bulk(written, requests, |r, seq, how| {
            self.index.stage_request_as(r, seq, how)
        })?;
        let mut analyzer = text::italian_analyzer();
        let mut t = self.tables_mut();
        for r in requests {
            t.upsert_request(r, &mut analyzer);
        }
        drop(t);
        self.finish_commit()
    }
}

/// Stages the records of a bulk write: as new documents, except those that replaced a
/// stored record (whose older document the index must drop).
fn stage_bulk<T: Record>(
    written: BulkWrite,
    records: &[T],
    mut stage: impl FnMut(&T, u64, Staging) -> Result<()>,
) -> Result<()> {
    let replaced: HashSet<Id> = written.replaced.into_iter().collect();
    for r in records {
        let how = if replaced.contains(&r.id()) {
            Staging::Replace
        } else {
            Staging::New
        };
        stage(r, written.seq, how)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bulk_write_over_stored_cards_leaves_one_document_each() {
        let e = Engine::temporary().unwrap();
        let today = crate::fixtures::reference_date();
        let mut synth = crate::synth::Synth::new(8, today);
        let workers = synth.workers(40);
        e.import_workers(&workers).unwrap();
        assert_eq!(e.index.workers.num_docs(), 40);
        // Two stored cards rewritten beside a new one: replaced, not added twice.
        let mut again = vec![workers[3].clone(), workers[17].clone()];
        again.push(synth.workers(1).remove(0));
        for w in &mut again {
            w.notes = "Parla correntemente giapponese.".into();
        }
        e.import_workers(&again).unwrap();
        assert_eq!(e.index.workers.num_docs(), 41);
        let hits = e
            .index
            .search_workers(&crate::index::WorkerFilter {
                text: "giapponese".into(),
                ..Default::default()
            })
            .unwrap();
        let mut found: Vec<Id> = hits.into_iter().map(|h| h.0).collect();
        let mut expected: Vec<Id> = again.iter().map(|w| w.id).collect();
        found.sort_unstable();
        expected.sort_unstable();
        assert_eq!(found, expected);
        // A rebuild (every document new to the cleared corpus) counts the same.
        assert_eq!(e.rebuild_index().unwrap(), 41);
        assert_eq!(e.index.workers.num_docs(), 41);
    }
}
