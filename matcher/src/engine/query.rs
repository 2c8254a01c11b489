//! Named read queries: rankings (candidates, a single pair's eligibility, openings), the
//! desk's search, and the records the server shows, each in the shape it needs.

use serde::Serialize;

use super::Engine;
use crate::date::Date;
use crate::error::{Error, ExcludedBy, Result};
use crate::features::{RequestFeatures, WorkerFeatures};
use crate::index::WorkerFilter;
use crate::model::{
    AuditEntry, Candidate, DuplicateMatch, FollowUp, FollowUpStatus, Id, Opening, Operator,
    Organisation, Proposal, Reason, Request, RequestStatus, Worker,
};
use crate::rank::{self, Breakdown, Exclusion};
use crate::relevance::DocTerms;
use crate::text;

/// Which requests a query may return: all, or one organisation's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestScope {
    All,
    Organisation(Id),
}

impl RequestScope {
    pub fn includes(self, r: &Request) -> bool {
        match self {
            RequestScope::All => true,
            RequestScope::Organisation(org) => r.org_id == Some(org),
        }
    }
}

/// A follow-up with what the desk needs to act on it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DueFollowUp {
    #[serde(flatten)]
    pub follow_up: FollowUp,
    pub request_id: Option<Id>,
    pub worker_id: Option<Id>,
    pub worker_given_name: Option<String>,
    pub outcome_code: Option<String>,
    pub proposed_on: Option<Date>,
    /// The worker's full name and the request, for the desk's own list (the API's
    /// answer carries only the first name and ids).
    #[serde(skip)]
    pub worker_name: Option<String>,
    #[serde(skip)]
    pub request: Option<Request>,
}

/// The answer to "why is this person (not) a candidate?" (`GET …/candidates/{worker}`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct WhyNot {
    pub request_id: Id,
    pub worker_id: Id,
    pub eligible: bool,
    pub excluded_by: Vec<ExcludedBy>,
    /// Place in the ranking (1 = first); `null` when ineligible or below `MAX_LIMIT`.
    pub rank: Option<u32>,
    pub score: Option<f64>,
    pub reasons: Vec<Reason>,
    pub warnings: Vec<String>,
}

/// Whether a worker is a candidate for a request, and why not or how well.
#[derive(Debug, Clone, PartialEq)]
pub enum Eligibility {
    /// Every hard constraint it fails, in check order.
    Excluded(Vec<Exclusion>),
    /// Scored exactly as `candidates` would.
    Eligible(Candidate),
}

impl Engine {
    /// A worker card.
    pub fn worker(&self, id: Id) -> Result<Worker> {
        self.store.workers.fetch(id)
    }

    /// A worker card, if it exists (erased ones do not).
    pub fn find_worker(&self, id: Id) -> Result<Option<Worker>> {
        self.store.workers.get(id)
    }

    /// A family request, if it exists.
    pub fn find_request(&self, id: Id) -> Result<Option<Request>> {
        self.store.requests.get(id)
    }

    /// Requests in `scope` (and with `status`, if given), newest first.
    pub fn requests(
        &self,
        scope: RequestScope,
        status: Option<RequestStatus>,
    ) -> Result<Vec<Request>> {
        let mut all = self
            .store
            .requests
            .select(|r| scope.includes(r) && status.is_none_or(|s| r.status == s))?;
        all.sort_by(|a, b| b.created_on.cmp(&a.created_on).then(a.id.cmp(&b.id)));
        Ok(all)
    }

    /// A proposal, if it exists.
    pub fn find_proposal(&self, id: Id) -> Result<Option<Proposal>> {
        self.store.proposals.get(id)
    }

    /// The proposal an outcome code was issued for, if any.
    pub fn proposal_by_code(&self, code: &str) -> Result<Option<Proposal>> {
        match self.store.proposal_for_code(code)? {
            Some(id) => self.store.proposals.get(id),
            None => Ok(None),
        }
    }

    /// A follow-up, if it exists.
    pub fn find_follow_up(&self, id: Id) -> Result<Option<FollowUp>> {
        self.store.follow_ups.get(id)
    }

    /// Follow-ups of `org` due before `before`, oldest first, each with its proposal's
    /// request, worker's first name and outcome code.
    pub fn due_follow_ups(&self, org: Id, before: Date) -> Result<Vec<DueFollowUp>> {
        let mut out = Vec::new();
        for f in self.follow_ups_due(org, before)? {
            let p = self.store.proposals.get(f.proposal_id)?;
            let (worker, request) = match &p {
                Some(p) => (
                    self.store.workers.get(p.worker_id)?,
                    self.store.requests.get(p.request_id)?,
                ),
                None => (None, None),
            };
            out.push(DueFollowUp {
                request_id: p.as_ref().map(|p| p.request_id),
                worker_id: p.as_ref().map(|p| p.worker_id),
                worker_name: worker.as_ref().map(Worker::full_name),
                worker_given_name: worker.map(|w| w.given_name),
                outcome_code: p.as_ref().map(|p| p.outcome_code.clone()),
                proposed_on: p.as_ref().map(|p| p.proposed_on),
                request,
                follow_up: f,
            });
        }
        Ok(out)
    }

    /// How many follow-ups are past their date (the service's metrics).
    pub fn overdue_follow_ups(&self) -> Result<usize> {
        Ok(self
            .store
            .follow_ups
            .select(|f| f.status == FollowUpStatus::Overdue)?
            .len())
    }

    pub fn organisations(&self) -> Result<Vec<Organisation>> {
        self.store.organisations.select(|_| true)
    }

    pub fn find_organisation(&self, id: Id) -> Result<Option<Organisation>> {
        self.store.organisations.get(id)
    }

    pub fn operators(&self) -> Result<Vec<Operator>> {
        self.store.operators.select(|_| true)
    }

    /// Every audit line about a record, oldest first.
    pub fn audit_of(&self, record: Id) -> Result<Vec<AuditEntry>> {
        self.store.audit_of(record)
    }

    /// Every stored card, decoded from the store (the naive baseline; `dom check`).
    pub fn stored_workers(&self) -> impl Iterator<Item = Result<Worker>> + '_ {
        self.store.workers.iter()
    }

    /// The cards an organisation's desk registered or imported, in the store's order.
    pub fn desk_workers(&self, org: Id) -> Result<Vec<Worker>> {
        let mut out = Vec::new();
        for w in self.store.workers.iter() {
            let w = w?;
            if w.org_id == Some(org) {
                out.push(w);
            }
        }
        Ok(out)
    }

    /// Cards already on file that look like `w`.
    pub fn duplicates_of(&self, w: &Worker) -> Vec<DuplicateMatch> {
        self.tables().dedupe.find(w)
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
    pub(crate) fn worker_statuses(&self) -> Vec<crate::model::WorkerStatus> {
        self.tables()
            .workers
            .live()
            .map(|(f, _)| f.status)
            .collect()
    }

    /// Ids of the cards whose scoring features satisfy `keep`.
    pub(crate) fn worker_ids_where(&self, keep: impl Fn(&WorkerFeatures) -> bool) -> Vec<Id> {
        self.tables()
            .workers
            .live()
            .filter(|(f, _)| keep(f))
            .map(|(f, _)| f.id)
            .collect()
    }

    /// The scoring features the in-memory table holds for a worker.
    pub(crate) fn worker_features(&self, id: Id) -> Option<WorkerFeatures> {
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

    /// Ranked candidates, best first, for a request (stored or not): exactly the top
    /// `limit` of the full score (see `rank::top_candidates`), explained.
    pub fn candidates_for(&self, r: &Request, limit: usize, today: Date) -> Result<Vec<Candidate>> {
        let limit = rank::check_limit(limit)?;
        let rf = RequestFeatures::of(r);
        let dist = self.distances(rf.comune);
        let (request_terms, request_stems) =
            DocTerms::with_stems(&mut text::italian_analyzer(), &r.notes);
        let t = self.tables();
        let query = t.workers.stats.query(&request_terms);
        let top = rank::top_candidates(&t.workers, &rf, &query, &dist, limit, today);
        Ok(top
            .iter()
            .map(|(w, b, share)| {
                let shared = t
                    .workers
                    .terms(w.id)
                    .map(|terms| rank::shared_words_in(&request_stems, terms))
                    .unwrap_or_default();
                rank::explain(w, &rf, b, *share, &shared, today)
            })
            .collect())
    }

    /// Whether one worker is a candidate for a request: every constraint it fails, or
    /// its score exactly as `candidates_for` would give it.
    pub fn eligibility(&self, worker_id: Id, r: &Request, today: Date) -> Result<Eligibility> {
        let rf = RequestFeatures::of(r);
        let (request_terms, stems) = DocTerms::with_stems(&mut text::italian_analyzer(), &r.notes);
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
        let km = self.distances(rf.comune)[w.comune as usize];
        let failing = rank::failing(&w, &rf, km);
        if !failing.is_empty() {
            return Ok(Eligibility::Excluded(failing));
        }
        let ctx = rank::Context {
            today,
            text_share: share,
        };
        let b: Breakdown =
            rank::score_at(&w, &rf, km, &ctx).map_err(|e| Error::Conflict(e.detail()))?;
        let shared = rank::shared_words_in(&stems, &terms);
        Ok(Eligibility::Eligible(rank::explain(
            &w, &rf, &b, share, &shared, today,
        )))
    }

    /// "Why not?": whether a worker is a candidate for a stored request — every hard
    /// constraint they fail, or their rank, score and reasons.
    pub fn why(&self, request_id: Id, worker_id: Id, today: Date) -> Result<WhyNot> {
        let r = self.store.requests.fetch(request_id)?;
        let mut out = WhyNot {
            request_id,
            worker_id,
            eligible: false,
            excluded_by: Vec::new(),
            rank: None,
            score: None,
            reasons: Vec::new(),
            warnings: Vec::new(),
        };
        match self.eligibility(worker_id, &r, today)? {
            Eligibility::Excluded(why) => {
                out.excluded_by = why.iter().map(Exclusion::excluded_by).collect();
            }
            Eligibility::Eligible(c) => {
                out.eligible = true;
                out.rank = self
                    .candidates_for(&r, rank::MAX_LIMIT, today)?
                    .iter()
                    .position(|x| x.worker_id == worker_id)
                    .map(|i| i as u32 + 1);
                out.score = Some(c.score);
                out.reasons = c.reasons;
                out.warnings = c.warnings;
            }
        }
        Ok(out)
    }

    /// The tantivy-only ranking (filters + BM25), for the benchmark's baseline.
    pub fn tantivy_baseline(&self, r: &Request, k: usize) -> Result<Vec<(Id, f32)>> {
        self.index.top_workers_for(r, k)
    }

    /// Copies of the rows a request must consider (those passing its filters, and
    /// within reach for commuting), read from every slot: the benchmark's raw pass
    /// reads exactly these.
    pub fn considered_rows(&self, r: &Request) -> Vec<WorkerFeatures> {
        let rf = RequestFeatures::of(r);
        let (need, any_of) = crate::table::required_flags(&rf);
        let dist = self.distances(rf.comune);
        let t = self.tables();
        (0..t.workers.capacity())
            .filter_map(|s| t.workers.reachable(s, need, any_of, &dist).map(|(w, _)| *w))
            .collect()
    }

    /// Open requests that fit a worker, best first: the same scoring in reverse, over the
    /// (few) requests kept in memory.
    pub fn openings(&self, worker_id: Id, limit: usize, today: Date) -> Result<Vec<Opening>> {
        let limit = rank::check_limit(limit)?;
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
                let ctx = rank::Context {
                    today,
                    text_share: share,
                };
                rank::score(&wf, r, &ctx).ok().map(|b| (*r, b, share))
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
            let shared = rank::shared_words_in(&request_stems, &worker_terms);
            let c = rank::explain(&wf, &rf, &b, share, &shared, today);
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
