//! The tantivy index, derived from the store: one corpus of worker cards, one of family
//! requests, each with the hard-filter fields and the notes under the Italian analyser.
//! Names, phones and addresses are never indexed. Each commit records the store sequence
//! number it reflects, so start-up can tell whether the index is behind or ahead.

use std::ops::Bound;
use std::path::Path;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::query::{BooleanQuery, ConstScoreQuery, Occur, Query, RangeQuery, TermQuery};
use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, FAST, INDEXED, STRING,
};
use tantivy::{
    DocId, Index, IndexReader, IndexWriter, ReloadPolicy, Score, SegmentReader, TantivyDocument,
    Term,
};

use crate::comuni::Comuni;
use crate::error::Result;
use crate::features::permit_until;
use crate::model::{Id, LiveIn, Request, Worker, WorkerStatus};
use crate::text;
use crate::validate::MAX_TRAVEL_KM;

/// Bump when the schema or analyser changes: an index of another version is rebuilt.
pub const SCHEMA_VERSION: u32 = 1;
/// At most this many distinct stems of a note are searched: enough for a long note,
/// bounded for a pasted letter.
const MAX_QUERY_TERMS: usize = 64;
const WRITER_HEAP_BYTES: usize = 64 * 1024 * 1024;

#[derive(Debug, Serialize, Deserialize, PartialEq)]
struct CommitPayload {
    seq: u64,
    schema: u32,
}

#[derive(Clone, Copy)]
struct Fields {
    id: Field,
    job: Field,
    status: Field,
    live_in: Field,
    license: Field,
    work_until: Field,
    start_on: Field,
    province: Field,
    comune: Field,
    lat: Field,
    lon: Field,
    notes: Field,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let notes_options = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(text::ITALIAN)
            .set_index_option(IndexRecordOption::WithFreqs),
    );
    let fields = Fields {
        id: b.add_u64_field("id", INDEXED | FAST),
        job: b.add_u64_field("job", INDEXED),
        status: b.add_u64_field("status", INDEXED),
        live_in: b.add_u64_field("live_in", INDEXED),
        license: b.add_u64_field("license", INDEXED),
        work_until: b.add_i64_field("work_until", INDEXED),
        start_on: b.add_i64_field("start_on", INDEXED),
        province: b.add_text_field("province", STRING),
        comune: b.add_text_field("comune", STRING),
        lat: b.add_f64_field("lat", INDEXED),
        lon: b.add_f64_field("lon", INDEXED),
        notes: b.add_text_field("notes", notes_options),
    };
    (b.build(), fields)
}

/// How start-up found a corpus.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpenState {
    /// Opened; reflects the store up to `seq`.
    Existing { seq: u64 },
    /// Created empty (first start, or the old one was unreadable / of another schema).
    Created { reason: String },
}

/// One tantivy index with its single writer and a manually reloaded reader.
pub struct Corpus {
    writer: Mutex<IndexWriter>,
    reader: IndexReader,
    f: Fields,
    pending: AtomicUsize,
    staged_seq: AtomicU64,
    committed_seq: AtomicU64,
}

/// Whether a staged document replaces one of the same id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Staging {
    /// The index may hold documents of the id: they are dropped.
    Replace,
    /// The caller knows it holds none (a record new to the store, a corpus just
    /// cleared): tantivy is spared a delete it would look up in every segment.
    New,
}

impl Corpus {
    fn open(dir: Option<&Path>) -> Result<(Corpus, OpenState)> {
        let (schema, f) = schema();
        let (index, state) = match dir {
            None => (
                Index::create_in_ram(schema),
                OpenState::Created {
                    reason: "indice in memoria".into(),
                },
            ),
            Some(dir) => open_dir(dir, schema)?,
        };
        index
            .tokenizers()
            .register(text::ITALIAN, text::italian_analyzer());
        let writer = index.writer(WRITER_HEAP_BYTES)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let seq = match state {
            OpenState::Existing { seq } => seq,
            OpenState::Created { .. } => 0,
        };
        Ok((
            Corpus {
                writer: Mutex::new(writer),
                reader,
                f,
                pending: AtomicUsize::new(0),
                staged_seq: AtomicU64::new(seq),
                committed_seq: AtomicU64::new(seq),
            },
            state,
        ))
    }

    fn writer(&self) -> std::sync::MutexGuard<'_, IndexWriter> {
        // A panic while holding the writer leaves tantivy's own state consistent: the
        // uncommitted batch is simply redone from the change log.
        self.writer.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Stages `doc` (none: a removal) for `id`, in place of the documents of `id`
    /// already staged or committed unless `how` says there are none.
    fn stage(&self, id: Id, doc: Option<TantivyDocument>, seq: u64, how: Staging) -> Result<()> {
        let w = self.writer();
        if how == Staging::Replace || doc.is_none() {
            w.delete_term(Term::from_field_u64(self.f.id, id.0));
        }
        if let Some(doc) = doc {
            w.add_document(doc)?;
        }
        self.pending.fetch_add(1, Ordering::SeqCst);
        self.staged_seq.fetch_max(seq, Ordering::SeqCst);
        Ok(())
    }

    /// Records that the store is at `seq` even if nothing of this corpus changed, so
    /// the next commit's payload says the corpus is current.
    pub fn advance_to(&self, seq: u64) {
        self.staged_seq.fetch_max(seq, Ordering::SeqCst);
    }

    /// Changes staged but not yet visible to searches.
    pub fn pending(&self) -> usize {
        self.pending.load(Ordering::SeqCst)
    }

    pub fn committed_seq(&self) -> u64 {
        self.committed_seq.load(Ordering::SeqCst)
    }

    /// Makes staged changes durable and visible, recording the store sequence number.
    /// Returns whether anything was committed.
    pub fn commit(&self) -> Result<bool> {
        let mut w = self.writer();
        let seq = self.staged_seq.load(Ordering::SeqCst);
        if self.pending.load(Ordering::SeqCst) == 0 && seq == self.committed_seq() {
            return Ok(false);
        }
        let payload = serde_json::to_string(&CommitPayload {
            seq,
            schema: SCHEMA_VERSION,
        })
        .unwrap_or_default();
        let mut prepared = w.prepare_commit()?;
        prepared.set_payload(&payload);
        prepared.commit()?;
        self.reader.reload()?;
        self.pending.store(0, Ordering::SeqCst);
        self.committed_seq.store(seq, Ordering::SeqCst);
        Ok(true)
    }

    /// Rewrites the segments that still hold deleted documents and removes the old
    /// files, so an erased person's note terms leave the disk now, not at some later
    /// merge. Call after the deletion is committed.
    pub fn purge_deleted(&self) -> Result<()> {
        let mut w = self.writer();
        // A background merge may take (and purge) the same segments between reading the
        // list and asking for the merge; tantivy then refuses the merge as naming
        // segments it no longer has. Read the committed list again and retry.
        let mut attempts = 0;
        loop {
            let segments: Vec<tantivy::index::SegmentId> = w
                .index()
                .searchable_segment_metas()?
                .iter()
                .filter(|m| m.num_deleted_docs() > 0)
                .map(|m| m.id())
                .collect();
            if segments.is_empty() {
                break;
            }
            match w.merge(&segments).wait() {
                Ok(_) => break,
                Err(tantivy::TantivyError::InvalidArgument(_)) if attempts < 20 => {
                    attempts += 1;
                    std::thread::sleep(std::time::Duration::from_millis(5 * attempts));
                }
                Err(e) => return Err(e.into()),
            }
        }
        w.garbage_collect_files().wait()?;
        self.reader.reload()?;
        Ok(())
    }

    /// Drops every document (before a rebuild); takes effect at the next commit.
    pub fn clear(&self, seq: u64) -> Result<()> {
        self.writer().delete_all_documents()?;
        self.pending.fetch_add(1, Ordering::SeqCst);
        self.staged_seq.store(seq, Ordering::SeqCst);
        Ok(())
    }

    /// Documents visible to searches.
    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Every matching document's id and BM25 score (filters score zero).
    pub fn search(&self, query: &dyn Query) -> Result<Vec<(Id, f32)>> {
        let searcher = self.reader.searcher();
        Ok(searcher
            .search(query, &AllScored)?
            .into_iter()
            .map(|(id, s)| (Id(id), s))
            .collect())
    }

    fn term(&self, field: Field, value: u64) -> Box<dyn Query> {
        Box::new(TermQuery::new(
            Term::from_field_u64(field, value),
            IndexRecordOption::Basic,
        ))
    }

    fn any_of(&self, field: Field, values: &[u64]) -> Box<dyn Query> {
        Box::new(BooleanQuery::new(
            values
                .iter()
                .map(|v| (Occur::Should, self.term(field, *v)))
                .collect(),
        ))
    }

    /// Points within `km` of a comune, as a bounding box (exact distance is checked
    /// by scoring).
    fn near(&self, comune: &str, km: f64) -> Option<Box<dyn Query>> {
        let c = Comuni::get().by_code(comune)?;
        let dlat = km / 111.0;
        let dlon = km / (111.0 * c.lat.to_radians().cos().max(0.1));
        let range = |field: Field, mid: f64, d: f64| -> (Occur, Box<dyn Query>) {
            (
                Occur::Must,
                Box::new(RangeQuery::new(
                    Bound::Included(Term::from_field_f64(field, mid - d)),
                    Bound::Included(Term::from_field_f64(field, mid + d)),
                )),
            )
        };
        Some(Box::new(BooleanQuery::new(vec![
            range(self.f.lat, c.lat, dlat),
            range(self.f.lon, c.lon, dlon),
        ])))
    }

    /// Filters as a zero-scoring clause plus the note's stems as optional BM25 clauses.
    fn filtered_text(&self, filters: Vec<Box<dyn Query>>, notes: &str) -> Box<dyn Query> {
        let filter = BooleanQuery::new(filters.into_iter().map(|q| (Occur::Must, q)).collect());
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(
            Occur::Must,
            Box::new(ConstScoreQuery::new(Box::new(filter), 0.0)),
        )];
        let mut analyzer = text::italian_analyzer();
        for (stem, _) in text::stems(&mut analyzer, notes)
            .into_iter()
            .take(MAX_QUERY_TERMS)
        {
            clauses.push((
                Occur::Should,
                Box::new(TermQuery::new(
                    Term::from_field_text(self.f.notes, &stem),
                    IndexRecordOption::WithFreqs,
                )),
            ));
        }
        Box::new(BooleanQuery::new(clauses))
    }
}

fn open_dir(dir: &Path, schema: Schema) -> Result<(Index, OpenState)> {
    std::fs::create_dir_all(dir)?;
    let existing = if dir.join("meta.json").exists() {
        match Index::open_in_dir(dir) {
            Ok(index) => match index.load_metas() {
                Ok(metas) => {
                    let payload = metas
                        .payload
                        .as_deref()
                        .and_then(|p| serde_json::from_str::<CommitPayload>(p).ok());
                    match payload {
                        Some(p) if p.schema == SCHEMA_VERSION && index.schema() == schema => {
                            Ok((index, p.seq))
                        }
                        Some(p) => Err(format!("schema {} invece di {SCHEMA_VERSION}", p.schema)),
                        None => Err("nessun numero di sequenza nell'indice".to_string()),
                    }
                }
                Err(e) => Err(e.to_string()),
            },
            Err(e) => Err(e.to_string()),
        }
    } else {
        Err("nuovo indice".to_string())
    };
    match existing {
        Ok((index, seq)) => Ok((index, OpenState::Existing { seq })),
        Err(reason) => {
            // The index is derived data: starting it afresh loses nothing, the store
            // rebuilds it.
            std::fs::remove_dir_all(dir)?;
            std::fs::create_dir_all(dir)?;
            let index = Index::create_in_dir(dir, schema)?;
            Ok((index, OpenState::Created { reason }))
        }
    }
}

/// Collects every matching document's `id` fast field with its score.
struct AllScored;

struct AllScoredSegment {
    ids: Column<u64>,
    out: Vec<(u64, f32)>,
}

impl Collector for AllScored {
    type Fruit = Vec<(u64, f32)>;
    type Child = AllScoredSegment;

    fn for_segment(&self, _ord: u32, segment: &SegmentReader) -> tantivy::Result<AllScoredSegment> {
        Ok(AllScoredSegment {
            ids: segment.fast_fields().u64("id")?,
            out: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, fruits: Vec<Vec<(u64, f32)>>) -> tantivy::Result<Vec<(u64, f32)>> {
        Ok(fruits.into_iter().flatten().collect())
    }
}

impl SegmentCollector for AllScoredSegment {
    type Fruit = Vec<(u64, f32)>;

    fn collect(&mut self, doc: DocId, score: Score) {
        if let Some(id) = self.ids.first(doc) {
            self.out.push((id, score));
        }
    }

    fn harvest(self) -> Vec<(u64, f32)> {
        self.out
    }
}

/// What the desk's worker search asks for.
#[derive(Debug, Clone, Default)]
pub struct WorkerFilter {
    pub text: String,
    pub job: Option<crate::model::Job>,
    pub status: Option<WorkerStatus>,
    pub live_in: Option<LiveIn>,
    /// ISTAT code.
    pub comune: Option<String>,
}

/// Both corpora.
pub struct SearchIndex {
    pub workers: Corpus,
    pub requests: Corpus,
}

impl SearchIndex {
    /// Opens the index under `dir` (or in memory), reporting each corpus's state.
    pub fn open(dir: Option<&Path>) -> Result<(SearchIndex, OpenState, OpenState)> {
        let (workers, ws) = Corpus::open(dir.map(|d| d.join("workers")).as_deref())?;
        let (requests, rs) = Corpus::open(dir.map(|d| d.join("requests")).as_deref())?;
        Ok((SearchIndex { workers, requests }, ws, rs))
    }

    /// Stages a worker's card in place of any document of the same id.
    pub fn stage_worker(&self, w: &Worker, seq: u64) -> Result<()> {
        self.stage_worker_as(w, seq, Staging::Replace)
    }

    pub fn stage_worker_as(&self, w: &Worker, seq: u64, how: Staging) -> Result<()> {
        self.workers
            .stage(w.id, Some(self.worker_document(w)), seq, how)
    }

    fn worker_document(&self, w: &Worker) -> TantivyDocument {
        let f = self.workers.f;
        let mut doc = TantivyDocument::default();
        doc.add_u64(f.id, w.id.0);
        for j in &w.jobs {
            doc.add_u64(f.job, j.index() as u64);
        }
        doc.add_u64(f.status, w.status.index() as u64);
        doc.add_u64(f.live_in, w.live_in.index() as u64);
        doc.add_u64(f.license, u64::from(w.driving_license));
        doc.add_i64(
            f.work_until,
            i64::from(permit_until(w.permit.kind, w.permit.expires_on)),
        );
        add_place(&mut doc, f, &w.comune);
        doc.add_text(f.notes, &w.notes);
        doc
    }

    /// Stages a request in place of any document of the same id.
    pub fn stage_request(&self, r: &Request, seq: u64) -> Result<()> {
        self.stage_request_as(r, seq, Staging::Replace)
    }

    pub fn stage_request_as(&self, r: &Request, seq: u64, how: Staging) -> Result<()> {
        self.requests
            .stage(r.id, Some(self.request_document(r)), seq, how)
    }

    fn request_document(&self, r: &Request) -> TantivyDocument {
        let f = self.requests.f;
        let mut doc = TantivyDocument::default();
        doc.add_u64(f.id, r.id.0);
        doc.add_u64(f.job, r.job.index() as u64);
        doc.add_u64(f.status, r.status.index() as u64);
        doc.add_u64(f.live_in, r.live_in.index() as u64);
        doc.add_u64(f.license, u64::from(r.requires.driving_license));
        doc.add_i64(f.start_on, i64::from(r.start_on.days()));
        add_place(&mut doc, f, &r.comune);
        doc.add_text(f.notes, &r.notes);
        doc
    }

    pub fn stage_worker_removal(&self, id: Id, seq: u64) -> Result<()> {
        self.workers.stage(id, None, seq, Staging::Replace)
    }

    pub fn stage_request_removal(&self, id: Id, seq: u64) -> Result<()> {
        self.requests.stage(id, None, seq, Staging::Replace)
    }

    pub fn commit(&self) -> Result<bool> {
        let a = self.workers.commit()?;
        let b = self.requests.commit()?;
        Ok(a || b)
    }

    /// Available workers passing the request's indexable hard filters, with the BM25 of
    /// their notes against the request's notes.
    pub fn workers_for(&self, r: &Request) -> Result<Vec<(Id, f32)>> {
        let c = &self.workers;
        c.search(self.worker_query(r).as_ref())
    }

    /// The `k` best by BM25 alone among the workers passing the indexable filters: what
    /// tantivy on its own would answer (the benchmark's baseline).
    pub fn top_workers_for(&self, r: &Request, k: usize) -> Result<Vec<(Id, f32)>> {
        let c = &self.workers;
        let searcher = c.reader.searcher();
        let hits = searcher.search(
            self.worker_query(r).as_ref(),
            &tantivy::collector::TopDocs::with_limit(k).order_by_score(),
        )?;
        let mut out = Vec::with_capacity(hits.len());
        for (score, addr) in hits {
            let ids = searcher
                .segment_reader(addr.segment_ord)
                .fast_fields()
                .u64("id")?;
            if let Some(id) = ids.first(addr.doc_id) {
                out.push((Id(id), score));
            }
        }
        Ok(out)
    }

    fn worker_query(&self, r: &Request) -> Box<dyn Query> {
        let c = &self.workers;
        let live_in: &[LiveIn] = match r.live_in {
            LiveIn::Yes => &[LiveIn::Yes, LiveIn::Either],
            LiveIn::No => &[LiveIn::No, LiveIn::Either],
            LiveIn::Either => LiveIn::ALL,
        };
        let mut filters = vec![
            c.term(c.f.job, r.job.index() as u64),
            c.term(c.f.status, WorkerStatus::Available.index() as u64),
            c.any_of(
                c.f.live_in,
                &live_in.iter().map(|l| l.index() as u64).collect::<Vec<_>>(),
            ),
            Box::new(RangeQuery::new(
                Bound::Included(Term::from_field_i64(
                    c.f.work_until,
                    i64::from(r.start_on.days()),
                )),
                Bound::Unbounded,
            )),
        ];
        if r.requires.driving_license {
            filters.push(c.term(c.f.license, 1));
        }
        if r.live_in == LiveIn::No {
            filters.extend(c.near(&r.comune, f64::from(MAX_TRAVEL_KM)));
        }
        c.filtered_text(filters, &r.notes)
    }

    /// Worker cards for the desk's search box: optional free text over the notes (BM25)
    /// and exact filters. With no filter at all, every card.
    pub fn search_workers(&self, f: &WorkerFilter) -> Result<Vec<(Id, f32)>> {
        let c = &self.workers;
        let mut filters: Vec<Box<dyn Query>> = Vec::new();
        if let Some(j) = f.job {
            filters.push(c.term(c.f.job, j.index() as u64));
        }
        if let Some(s) = f.status {
            filters.push(c.term(c.f.status, s.index() as u64));
        }
        if let Some(l) = f.live_in {
            filters.push(c.term(c.f.live_in, l.index() as u64));
        }
        if let Some(comune) = &f.comune {
            filters.push(Box::new(TermQuery::new(
                Term::from_field_text(c.f.comune, comune),
                IndexRecordOption::Basic,
            )));
        }
        if filters.is_empty() {
            filters.push(Box::new(tantivy::query::AllQuery));
        }
        let mut hits = c.search(c.filtered_text(filters, &f.text).as_ref())?;
        if !text::stems(&mut text::italian_analyzer(), &f.text).is_empty() {
            hits.retain(|h| h.1 > 0.0);
        }
        Ok(hits)
    }
}

fn add_place(doc: &mut TantivyDocument, f: Fields, istat: &str) {
    doc.add_text(f.comune, istat);
    if let Some(c) = Comuni::get().by_code(istat) {
        doc.add_text(f.province, &c.province);
        doc.add_f64(f.lat, c.lat);
        doc.add_f64(f.lon, c.lon);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures;

    fn demo_index() -> (SearchIndex, Vec<Worker>, Vec<Request>) {
        let (index, _, _) = SearchIndex::open(None).unwrap();
        let workers = fixtures::demo_workers().unwrap();
        let requests = fixtures::demo_requests().unwrap();
        for (i, w) in workers.iter().enumerate() {
            index.stage_worker(w, i as u64 + 1).unwrap();
        }
        for r in &requests {
            index.stage_request(r, 100).unwrap();
        }
        index.commit().unwrap();
        (index, workers, requests)
    }

    #[test]
    fn filters_match_the_hard_constraints_they_mirror() {
        let (index, workers, requests) = demo_index();
        for r in &requests {
            let hits = index.workers_for(r).unwrap();
            for (id, _) in &hits {
                let w = workers.iter().find(|w| w.id == *id).unwrap();
                assert!(w.jobs.contains(&r.job));
                assert_eq!(w.status, WorkerStatus::Available);
                assert!(!r.requires.driving_license || w.driving_license);
                assert!(permit_until(w.permit.kind, w.permit.expires_on) >= r.start_on.days());
            }
        }
    }

    #[test]
    fn notes_rank_by_italian_stems() {
        let (index, _, requests) = demo_index();
        let r = requests
            .iter()
            .find(|r| r.notes.to_lowercase().contains("alzheimer"))
            .expect("a demo request about Alzheimer");
        let hits = index.workers_for(r).unwrap();
        assert!(
            hits.iter().any(|(_, s)| *s > 0.0),
            "no BM25 relevance at all"
        );
    }

    #[test]
    fn commit_records_sequence_and_reopens_with_it() {
        let dir = tempfile::tempdir().unwrap();
        let w = fixtures::demo_workers().unwrap().remove(0);
        {
            let (index, ws, _) = SearchIndex::open(Some(dir.path())).unwrap();
            assert!(matches!(ws, OpenState::Created { .. }));
            index.stage_worker(&w, 7).unwrap();
            assert_eq!(index.workers.num_docs(), 0, "not visible before commit");
            index.commit().unwrap();
            assert_eq!(index.workers.num_docs(), 1);
        }
        let (index, ws, rs) = SearchIndex::open(Some(dir.path())).unwrap();
        assert_eq!(ws, OpenState::Existing { seq: 7 });
        assert!(matches!(
            rs,
            OpenState::Existing { seq: 0 } | OpenState::Created { .. }
        ));
        assert_eq!(index.workers.num_docs(), 1);
        index.stage_worker_removal(w.id, 8).unwrap();
        index.commit().unwrap();
        assert_eq!(index.workers.num_docs(), 0);
    }

    #[test]
    fn unreadable_index_is_recreated() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("workers")).unwrap();
        std::fs::write(dir.path().join("workers/meta.json"), b"not json").unwrap();
        let (_, ws, _) = SearchIndex::open(Some(dir.path())).unwrap();
        assert!(matches!(ws, OpenState::Created { .. }));
    }
}
