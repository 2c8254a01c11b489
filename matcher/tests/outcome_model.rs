//! Model-based test of the follow-up loop (issue 11): random sequences of operations —
//! registrations, proposals, outcomes from every source, contradicting public answers,
//! corrections, close and reopen, erasure, retention checks and passes, time passing —
//! run on the real `Engine` and on a small reference model written here from the rules.
//! After every step the engine's records equal the model's, the invariants hold on what
//! the engine stores, and the monthly review's figures equal the model's exactly.
//!
//! `DOM_MODEL_CASES=2000 cargo test -p matcher --test outcome_model` runs more cases.

use std::collections::BTreeMap;

use matcher::model::{
    Actor, FollowUpKind, FollowUpStatus, Id, NotHiredReason, OutcomeKind, Reporter, RequestStatus,
    Role, WorkerInput, WorkerStatus,
};
use matcher::{
    Correction, Date, Engine, Error, FollowUpPolicy, Month, MonthlyReport, OutcomeInput,
    PublicAnswer, PublicOutcome,
};
use proptest::prelude::*;
use serde_json::json;

const DESK: Actor = Actor {
    operator_id: Id(0xe0),
    org_id: Id(0xd0),
    role: Role::Operator,
};
const REFERRER: Actor = Actor {
    operator_id: Id(0xe1),
    org_id: Id(0xd1),
    role: Role::Referrer,
};
const MAX_WORKERS: usize = 6;
const MAX_REQUESTS: usize = 6;
const NAMES: [&str; MAX_WORKERS] = ["Ana", "Olga", "Maria", "Irina", "Fatou", "Rosa"];
const FAMILIES: [&str; MAX_WORKERS] = ["Popa", "Lupu", "Reyes", "Sow", "Kola", "Ramos"];

fn start_day() -> Date {
    "2026-01-05".parse().unwrap()
}

/// An outcome as an operator or a referrer sends it.
#[derive(Debug, Clone)]
struct Spec {
    kind: OutcomeKind,
    reason: NotHiredReason,
    /// Start of the job, days from today.
    start: i32,
    reported_by: Reporter,
}

#[derive(Debug, Clone)]
enum Op {
    RegisterWorker,
    RegisterRequest {
        positions: u8,
        start: i32,
    },
    Propose {
        r: usize,
        w: usize,
    },
    Record {
        p: usize,
        spec: Spec,
        referrer: bool,
    },
    Correct {
        p: usize,
        spec: Spec,
        referrer: bool,
    },
    Public {
        p: usize,
        hired: bool,
        start: Option<i32>,
        worker: bool,
    },
    AnswerRetention {
        p: usize,
        which: usize,
        kept: bool,
    },
    Close {
        r: usize,
        referrer: bool,
    },
    /// Only the desk reopens (the server answers a referrer 403 before the engine).
    Reopen {
        r: usize,
        referrer: bool,
    },
    Erase {
        w: usize,
    },
    RetentionPass {
        back: i32,
    },
    Advance {
        days: i32,
    },
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        prop::sample::select(vec![
            OutcomeKind::Hired,
            OutcomeKind::Hired,
            OutcomeKind::NotHired,
            OutcomeKind::NoAnswer,
        ]),
        prop::sample::select(NotHiredReason::ALL.to_vec()),
        -20i32..30,
        prop::sample::select(Reporter::ALL.to_vec()),
    )
        .prop_map(|(kind, reason, start, reported_by)| Spec {
            kind,
            reason,
            start,
            reported_by,
        })
}

fn op() -> impl Strategy<Value = Op> {
    let ix = || 0usize..16;
    prop_oneof![
        1 => Just(Op::RegisterWorker),
        1 => (1u8..=3, -20i32..40).prop_map(|(positions, start)| Op::RegisterRequest { positions, start }),
        6 => (ix(), ix()).prop_map(|(r, w)| Op::Propose { r, w }),
        5 => (ix(), spec(), prop::bool::weighted(0.2)).prop_map(|(p, spec, referrer)| Op::Record { p, spec, referrer }),
        3 => (ix(), spec(), prop::bool::weighted(0.1)).prop_map(|(p, spec, referrer)| Op::Correct { p, spec, referrer }),
        5 => (ix(), any::<bool>(), prop::option::weighted(0.3, -20i32..20), any::<bool>())
            .prop_map(|(p, hired, start, worker)| Op::Public { p, hired, start, worker }),
        2 => (ix(), 0usize..3, any::<bool>()).prop_map(|(p, which, kept)| Op::AnswerRetention { p, which, kept }),
        1 => (ix(), any::<bool>()).prop_map(|(r, referrer)| Op::Close { r, referrer }),
        1 => ix().prop_map(|r| Op::Reopen { r, referrer: false }),
        1 => ix().prop_map(|w| Op::Erase { w }),
        1 => (0i32..200).prop_map(|back| Op::RetentionPass { back }),
        3 => (1i32..45).prop_map(|days| Op::Advance { days }),
    ]
}

/// What the engine answered, as far as the rules decide it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Answer {
    Done,
    Recorded,
    NeedsReview,
    Conflict,
    Invalid,
    NotFound,
    NotEligible,
}

fn answer<T>(r: Result<T, Error>) -> Answer {
    match r {
        Ok(_) => Answer::Done,
        Err(Error::Conflict(_)) => Answer::Conflict,
        Err(Error::Invalid { .. }) => Answer::Invalid,
        Err(Error::NotFound { .. }) => Answer::NotFound,
        Err(Error::NotEligible { .. }) => Answer::NotEligible,
        Err(e) => panic!("unexpected engine error: {e}"),
    }
}

#[derive(Debug, Clone, PartialEq)]
struct MOutcome {
    kind: OutcomeKind,
    reason: Option<NotHiredReason>,
    start_on: Option<Date>,
    recorded_on: Date,
    reported_by: Reporter,
}

#[derive(Debug, Clone)]
struct MWorker {
    id: Id,
    erased: bool,
}

#[derive(Debug, Clone)]
struct MRequest {
    id: Id,
    positions: u8,
    status: RequestStatus,
    closed_on: Option<Date>,
    start_on: Date,
    created_on: Date,
    deidentified: bool,
}

#[derive(Debug, Clone)]
struct MProposal {
    id: Id,
    request: usize,
    worker: usize,
    proposed_on: Date,
    score: f64,
    rank: Option<u32>,
    outcome: Option<MOutcome>,
    needs_review: bool,
    history: usize,
}

#[derive(Debug, Clone)]
struct MFollowUp {
    /// Learnt from the engine after the step that created it.
    id: Option<Id>,
    proposal: usize,
    kind: FollowUpKind,
    due_on: Date,
    /// `Due`, `Done` or `Cancelled` (nothing here sweeps to `Overdue`).
    status: FollowUpStatus,
    retained: Option<bool>,
    done_on: Option<Date>,
}

/// The reference model: the rules of issue 11 on plain vectors.
#[derive(Debug, Clone)]
struct Model {
    today: Date,
    workers: Vec<MWorker>,
    requests: Vec<MRequest>,
    proposals: Vec<MProposal>,
    follow_ups: Vec<MFollowUp>,
}

fn decided(o: &Option<MOutcome>) -> bool {
    o.as_ref().is_some_and(|o| o.kind != OutcomeKind::NoAnswer)
}

fn hire(o: &Option<MOutcome>) -> bool {
    o.as_ref().is_some_and(|o| o.kind == OutcomeKind::Hired)
}

fn within_a_year(d: Date, today: Date) -> bool {
    d >= today.add_days(-366) && d <= today.add_days(366)
}

impl Model {
    fn new() -> Model {
        Model {
            today: start_day(),
            workers: vec![],
            requests: vec![],
            proposals: vec![],
            follow_ups: vec![],
        }
    }

    /// A hire is an active job until its retention check says it ended.
    fn active_job(&self, p: usize) -> bool {
        hire(&self.proposals[p].outcome)
            && !self
                .follow_ups
                .iter()
                .any(|f| f.proposal == p && f.retained == Some(false))
    }

    /// Placed exactly while the person has an active job.
    fn worker_status(&self, w: usize) -> WorkerStatus {
        let placed =
            (0..self.proposals.len()).any(|p| self.proposals[p].worker == w && self.active_job(p));
        if placed {
            WorkerStatus::Placed
        } else {
            WorkerStatus::Available
        }
    }

    fn hires(&self, r: usize) -> usize {
        self.proposals
            .iter()
            .filter(|p| p.request == r && hire(&p.outcome))
            .count()
    }

    fn outcome_of(&self, spec: &Spec) -> MOutcome {
        MOutcome {
            kind: spec.kind,
            reason: (spec.kind == OutcomeKind::NotHired).then_some(spec.reason),
            start_on: (spec.kind == OutcomeKind::Hired).then(|| self.today.add_days(spec.start)),
            recorded_on: self.today,
            reported_by: spec.reported_by,
        }
    }

    fn propose(&mut self, r: usize, w: usize, id: Id, score: f64, rank: Option<u32>) -> Answer {
        if !matches!(
            self.requests[r].status,
            RequestStatus::Open | RequestStatus::ProposalsSent
        ) || self
            .proposals
            .iter()
            .any(|p| p.request == r && p.worker == w)
        {
            return Answer::Conflict;
        }
        if self.workers[w].erased {
            return Answer::NotFound;
        }
        if self.worker_status(w) != WorkerStatus::Available {
            return Answer::NotEligible;
        }
        let req = &mut self.requests[r];
        if req.status == RequestStatus::Open {
            req.status = RequestStatus::ProposalsSent;
        }
        self.proposals.push(MProposal {
            id,
            request: r,
            worker: w,
            proposed_on: self.today,
            score,
            rank,
            outcome: None,
            needs_review: false,
            history: 0,
        });
        let p = self.proposals.len() - 1;
        for d in FollowUpPolicy::default().after_days {
            self.follow_up(p, FollowUpKind::Outcome, self.today.add_days(d));
        }
        Answer::Done
    }

    fn follow_up(&mut self, p: usize, kind: FollowUpKind, due_on: Date) {
        self.follow_ups.push(MFollowUp {
            id: None,
            proposal: p,
            kind,
            due_on,
            status: FollowUpStatus::Due,
            retained: None,
            done_on: None,
        });
    }

    /// Closes `p`'s open follow-ups of `kind` (all of them, or the first `limit`).
    fn close_follow_ups(
        &mut self,
        p: usize,
        kind: Option<FollowUpKind>,
        status: FollowUpStatus,
        limit: usize,
    ) {
        let mut open: Vec<usize> = (0..self.follow_ups.len())
            .filter(|&i| {
                let f = &self.follow_ups[i];
                f.proposal == p
                    && f.status == FollowUpStatus::Due
                    && kind.is_none_or(|k| f.kind == k)
            })
            .collect();
        open.sort_by_key(|&i| self.follow_ups[i].due_on);
        for i in open.into_iter().take(limit) {
            self.follow_ups[i].status = status;
            self.follow_ups[i].done_on = Some(self.today);
        }
    }

    /// A new outcome on `p`: its follow-ups, and for a hire the invariants and effects.
    fn apply(&mut self, p: usize, o: MOutcome) -> Result<(), Answer> {
        let limit = if o.kind == OutcomeKind::NoAnswer {
            1
        } else {
            usize::MAX
        };
        self.close_follow_ups(p, Some(FollowUpKind::Outcome), FollowUpStatus::Done, limit);
        if let (OutcomeKind::Hired, Some(start)) = (o.kind, o.start_on) {
            let (r, w) = (self.proposals[p].request, self.proposals[p].worker);
            let holders = self.hires(r) - usize::from(hire(&self.proposals[p].outcome));
            if holders >= usize::from(self.requests[r].positions) {
                return Err(Answer::Conflict);
            }
            if !self.workers[w].erased {
                let others: Vec<usize> = (0..self.proposals.len())
                    .filter(|&q| q != p && self.proposals[q].worker == w)
                    .collect();
                if others.iter().any(|&q| self.active_job(q)) {
                    return Err(Answer::Conflict);
                }
                for q in others {
                    if !decided(&self.proposals[q].outcome) {
                        self.close_follow_ups(q, None, FollowUpStatus::Cancelled, usize::MAX);
                        let q = &mut self.proposals[q];
                        q.outcome = Some(MOutcome {
                            kind: OutcomeKind::NotHired,
                            reason: Some(NotHiredReason::WorkerPlacedElsewhere),
                            start_on: None,
                            recorded_on: self.today,
                            reported_by: Reporter::Operator,
                        });
                        q.history += 1;
                    }
                }
            }
            if holders + 1 >= usize::from(self.requests[r].positions) {
                self.requests[r].status = RequestStatus::Filled;
                self.requests[r].closed_on = Some(self.today);
            }
            let due = start.add_days(FollowUpPolicy::default().retention_days);
            self.follow_up(p, FollowUpKind::Retention, due);
        }
        let q = &mut self.proposals[p];
        q.outcome = Some(o);
        q.history += 1;
        Ok(())
    }

    /// Takes back a decided outcome before a correction.
    fn undo(&mut self, p: usize) {
        if hire(&self.proposals[p].outcome) {
            let r = &mut self.requests[self.proposals[p].request];
            if r.status == RequestStatus::Filled {
                r.status = RequestStatus::ProposalsSent;
                r.closed_on = None;
            }
            self.close_follow_ups(
                p,
                Some(FollowUpKind::Retention),
                FollowUpStatus::Cancelled,
                usize::MAX,
            );
        }
        self.proposals[p].outcome = None;
    }

    /// An outcome from an operator or a referrer, or a desk correction.
    fn record(&mut self, p: usize, spec: &Spec, actor: &Actor, correction: bool) -> Answer {
        if correction && actor.role != Role::Operator {
            return Answer::Conflict;
        }
        if correction && spec.kind == OutcomeKind::NoAnswer {
            return Answer::Invalid;
        }
        let o = self.outcome_of(spec);
        let mut next = self.clone();
        match (decided(&self.proposals[p].outcome), correction) {
            (true, false) => return Answer::Conflict,
            (true, true) => {
                next.undo(p);
                if let Err(a) = next.apply(p, o) {
                    return a;
                }
            }
            (false, _) => {
                if let Err(a) = next.apply(p, o) {
                    return a;
                }
            }
        }
        // The desk deciding is the desk's review.
        if actor.role == Role::Operator {
            next.proposals[p].needs_review = false;
        }
        *self = next;
        Answer::Done
    }

    /// What the family or the worker says with the outcome code.
    fn public(&mut self, p: usize, hired: bool, start: Option<i32>, by: Reporter) -> Answer {
        let r = &self.requests[self.proposals[p].request];
        let kind = if hired {
            OutcomeKind::Hired
        } else {
            OutcomeKind::NotHired
        };
        let start_on = hired.then(|| match start {
            Some(d) => self.today.add_days(d),
            None if r.start_on <= self.today => r.start_on,
            None => self.today,
        });
        if start_on.is_some_and(|d| !within_a_year(d, self.today)) {
            return Answer::Invalid;
        }
        let o = MOutcome {
            kind,
            reason: (!hired).then_some(NotHiredReason::Other),
            start_on,
            recorded_on: self.today,
            reported_by: by,
        };
        let recorded = self.proposals[p]
            .outcome
            .clone()
            .filter(|_| decided(&self.proposals[p].outcome));
        match recorded {
            Some(r) if r.kind == kind => {
                self.proposals[p].history += 1;
                Answer::Recorded
            }
            Some(_) => self.for_review(p),
            None => {
                let mut next = self.clone();
                match next.apply(p, o) {
                    Ok(()) => {
                        *self = next;
                        Answer::Recorded
                    }
                    Err(_) => self.for_review(p),
                }
            }
        }
    }

    fn for_review(&mut self, p: usize) -> Answer {
        self.proposals[p].history += 1;
        self.proposals[p].needs_review = true;
        Answer::NeedsReview
    }

    fn answer_retention(&mut self, f: usize, kept: bool) -> Answer {
        let today = self.today;
        let f = &mut self.follow_ups[f];
        if f.status != FollowUpStatus::Due {
            return Answer::Conflict;
        }
        f.status = FollowUpStatus::Done;
        f.retained = Some(kept);
        f.done_on = Some(today);
        Answer::Done
    }

    fn close(&mut self, r: usize) -> Answer {
        let today = self.today;
        let req = &mut self.requests[r];
        if req.deidentified || req.status == RequestStatus::Filled {
            return Answer::Conflict;
        }
        if !within_a_year(req.start_on, today) {
            return Answer::Invalid;
        }
        if req.status != RequestStatus::Closed {
            req.status = RequestStatus::Closed;
            req.closed_on = Some(today);
        }
        Answer::Done
    }

    fn reopen(&mut self, r: usize) -> Answer {
        let today = self.today;
        let any = self.proposals.iter().any(|p| p.request == r);
        let req = &mut self.requests[r];
        if req.deidentified {
            return Answer::Conflict;
        }
        if !within_a_year(req.start_on, today) {
            return Answer::Invalid;
        }
        if !matches!(
            req.status,
            RequestStatus::Open | RequestStatus::ProposalsSent
        ) {
            req.status = if any {
                RequestStatus::ProposalsSent
            } else {
                RequestStatus::Open
            };
            req.closed_on = None;
        }
        Answer::Done
    }

    fn retention_pass(&mut self, cutoff: Date) {
        for r in &mut self.requests {
            if matches!(r.status, RequestStatus::Closed | RequestStatus::Filled)
                && r.closed_on.is_some_and(|d| d < cutoff)
            {
                r.deidentified = true;
            }
        }
    }
}

/// The figures of the monthly review the model can state.
#[derive(Debug, PartialEq)]
struct Figures {
    requests_received: u64,
    proposals_made: u64,
    outcomes_known: u64,
    outcomes_unknown: u64,
    placements: u64,
    requests_closed: u64,
    placement_rate: Option<f64>,
    failure_reasons: BTreeMap<String, u64>,
    follow_ups: (u64, u64, u64),
    retention: (u64, u64),
    cards: (u64, u64, u64),
    by_score_band: Vec<(u64, u64)>,
    by_rank: Vec<(u64, u64)>,
    outcome_known_share: Option<f64>,
    median_days_proposal_to_outcome: Option<f64>,
}

fn ratio(a: u64, b: u64) -> Option<f64> {
    (b > 0).then(|| ((a as f64 / b as f64) * 10_000.0).round() / 10_000.0)
}

fn median(mut xs: Vec<i32>) -> Option<f64> {
    xs.sort_unstable();
    let n = xs.len();
    match n {
        0 => None,
        _ if !n.is_multiple_of(2) => Some(f64::from(xs[n / 2])),
        _ => Some(f64::from(xs[n / 2 - 1] + xs[n / 2]) / 2.0),
    }
}

impl Figures {
    fn of(r: &MonthlyReport) -> Figures {
        let e = &r.effectiveness;
        Figures {
            requests_received: r.requests_received.total,
            proposals_made: r.proposals_made,
            outcomes_known: r.outcomes.known,
            outcomes_unknown: r.outcomes.unknown,
            placements: r.placements,
            requests_closed: r.requests_closed,
            placement_rate: r.placement_rate,
            failure_reasons: r.failure_reasons.clone(),
            follow_ups: (r.follow_ups.due, r.follow_ups.done, r.follow_ups.overdue),
            retention: (
                r.retention_90_days.checked,
                r.retention_90_days.still_employed,
            ),
            cards: (r.cards.active, r.cards.placed, r.cards.inactive),
            by_score_band: e
                .by_score_band
                .iter()
                .map(|b| (b.proposals, b.hired))
                .collect(),
            by_rank: e.by_rank.iter().map(|b| (b.proposals, b.hired)).collect(),
            outcome_known_share: e.outcome_known_share,
            median_days_proposal_to_outcome: e.median_days_proposal_to_outcome,
        }
    }

    /// The same figures, computed from the model by the review's definitions.
    fn expected(m: &Model, month: Month) -> Figures {
        let count = |n: usize| n as u64;
        let known = |o: &Option<MOutcome>| decided(o);
        let made: Vec<&MProposal> = m
            .proposals
            .iter()
            .filter(|p| month.contains(p.proposed_on))
            .collect();
        let placements = m
            .proposals
            .iter()
            .filter(|p| hire(&p.outcome))
            .filter(|p| {
                p.outcome
                    .as_ref()
                    .and_then(|o| o.start_on)
                    .is_some_and(|d| month.contains(d))
            })
            .count();
        let closed = m
            .requests
            .iter()
            .filter(|r| r.closed_on.is_some_and(|d| month.contains(d)))
            .count();
        let mut failure_reasons = BTreeMap::new();
        for o in m.proposals.iter().filter_map(|p| p.outcome.as_ref()) {
            if o.kind == OutcomeKind::NotHired && month.contains(o.recorded_on) {
                let reason = o.reason.map_or("other", |r| r.as_str());
                *failure_reasons.entry(reason.to_string()).or_default() += 1;
            }
        }
        let due: Vec<&MFollowUp> = m
            .follow_ups
            .iter()
            .filter(|f| month.contains(f.due_on))
            .collect();
        let checked: Vec<&MFollowUp> = m
            .follow_ups
            .iter()
            .filter(|f| f.retained.is_some() && f.done_on.is_some_and(|d| month.contains(d)))
            .collect();
        let live: Vec<usize> = (0..m.workers.len())
            .filter(|&w| !m.workers[w].erased)
            .collect();
        let placed = live
            .iter()
            .filter(|&&w| m.worker_status(w) == WorkerStatus::Placed)
            .count();
        // Effectiveness: the twelve months ending with `month`.
        let from = (0..11).fold(month, |x, _| x.previous());
        let window: Vec<&MProposal> = m
            .proposals
            .iter()
            .filter(|p| {
                p.proposed_on >= from.first_day() && p.proposed_on < month.next().first_day()
            })
            .collect();
        let mut bands = vec![(0, 0); 5];
        let mut ranks = vec![(0, 0); 4];
        for p in &window {
            let h = u64::from(hire(&p.outcome));
            let b = match p.score {
                s if s < 50.0 => 0,
                s if s < 60.0 => 1,
                s if s < 70.0 => 2,
                s if s < 80.0 => 3,
                _ => 4,
            };
            let k = match p.rank {
                Some(1) => 0,
                Some(2..=3) => 1,
                Some(4..=10) => 2,
                _ => 3,
            };
            bands[b].0 += 1;
            bands[b].1 += h;
            ranks[k].0 += 1;
            ranks[k].1 += h;
        }
        let outcome_days: Vec<i32> = window
            .iter()
            .filter(|p| known(&p.outcome))
            .map(|p| {
                p.outcome
                    .as_ref()
                    .unwrap()
                    .recorded_on
                    .days_since(p.proposed_on)
            })
            .collect();
        let placements = count(placements);
        let requests_closed = count(closed);
        Figures {
            requests_received: count(
                m.requests
                    .iter()
                    .filter(|r| month.contains(r.created_on))
                    .count(),
            ),
            proposals_made: count(made.len()),
            outcomes_known: count(made.iter().filter(|p| known(&p.outcome)).count()),
            outcomes_unknown: count(made.iter().filter(|p| !known(&p.outcome)).count()),
            placements,
            requests_closed,
            placement_rate: ratio(placements, requests_closed),
            failure_reasons,
            follow_ups: (
                count(due.len()),
                count(
                    due.iter()
                        .filter(|f| f.status == FollowUpStatus::Done)
                        .count(),
                ),
                count(
                    due.iter()
                        .filter(|f| f.status == FollowUpStatus::Due && f.due_on < m.today)
                        .count(),
                ),
            ),
            retention: (
                count(checked.len()),
                count(checked.iter().filter(|f| f.retained == Some(true)).count()),
            ),
            cards: (count(live.len() - placed), count(placed), 0),
            by_score_band: bands,
            by_rank: ranks,
            outcome_known_share: ratio(count(outcome_days.len()), count(window.len())),
            median_days_proposal_to_outcome: median(outcome_days),
        }
    }
}

/// The engine and the model side by side.
struct Run {
    engine: Engine,
    model: Model,
    policy: FollowUpPolicy,
}

fn worker_body(i: usize, today: Date) -> WorkerInput {
    let italian = ["A2", "B1", "B2", "C1"][i % 4];
    serde_json::from_value(json!({
        "given_name": NAMES[i],
        "family_name": FAMILIES[i],
        "birth_year": 1960 + 3 * i,
        "gender": "F",
        "phone": format!("+39 333 100000{i}"),
        "comune": "053023",
        "jobs": ["badante"],
        "live_in": "either",
        "hours_per_week": {"min": 20, "max": 54},
        "languages": [{"code": "it", "level": italian}],
        "experience": [{"kind": "elderly", "years": 2 * i + 1}, {"kind": "dementia", "years": i}],
        "driving_license": i.is_multiple_of(2),
        "max_travel_km": 30,
        "permit": {"kind": "eu_citizen"},
        "wage_expectation": {"monthly_eur": 900 + 100 * i},
        "notes": "",
        "consent": {"given_on": today.to_string()},
    }))
    .unwrap()
}

fn request_body(positions: u8, start_on: Date) -> serde_json::Value {
    json!({
        "family_name": "Bianchi",
        "phone": "+39 0564 000000",
        "comune": "053023",
        "job": "badante",
        "live_in": "no",
        "hours_per_week": 30,
        "start_on": start_on.to_string(),
        "needs": ["dementia"],
        "requires": {"driving_license": false, "italian_min": "A2", "languages": []},
        "offered": {"monthly_eur": 1000},
        "notes": "",
        "positions": positions,
    })
}

fn spec_input(spec: &Spec, today: Date, correction: bool) -> OutcomeInput {
    OutcomeInput {
        outcome: spec.kind,
        reported_by: spec.reported_by,
        reason: Some(spec.reason),
        note: String::new(),
        start_on: Some(today.add_days(spec.start)),
        contract: None,
        correction: correction.then(|| Correction {
            reason: "corretto dallo sportello dopo una telefonata".into(),
        }),
    }
}

impl Run {
    fn new() -> Run {
        Run {
            engine: Engine::temporary().unwrap(),
            model: Model::new(),
            policy: FollowUpPolicy::default(),
        }
    }

    /// Runs one operation on both; their answers must agree.
    fn step(&mut self, op: &Op) {
        let today = self.model.today;
        let (e, m) = (&self.engine, &mut self.model);
        let pick = |i: usize, n: usize| (n > 0).then(|| i % n);
        let (expected, got) = match *op {
            Op::RegisterWorker => {
                let i = m.workers.len();
                if i == MAX_WORKERS {
                    return;
                }
                let w = e
                    .register_worker(worker_body(i, today), Some(&DESK), true, today)
                    .unwrap();
                m.workers.push(MWorker {
                    id: w.id,
                    erased: false,
                });
                return;
            }
            Op::RegisterRequest { positions, start } => {
                if m.requests.len() == MAX_REQUESTS {
                    return;
                }
                let start_on = today.add_days(start);
                let r = e
                    .register_request(&request_body(positions, start_on), Some(&DESK), today)
                    .unwrap();
                m.requests.push(MRequest {
                    id: r.id,
                    positions,
                    status: RequestStatus::Open,
                    closed_on: None,
                    start_on,
                    created_on: today,
                    deidentified: false,
                });
                return;
            }
            Op::Propose { r, w } => {
                let (Some(r), Some(w)) = (pick(r, m.requests.len()), pick(w, m.workers.len()))
                else {
                    return;
                };
                let got = e.propose(
                    &DESK,
                    m.requests[r].id,
                    m.workers[w].id,
                    &self.policy,
                    today,
                );
                let (id, score, rank) = match &got {
                    Ok(v) => (v.proposal.id, v.proposal.score, v.proposal.rank),
                    Err(_) => (Id(0), 0.0, None),
                };
                (m.propose(r, w, id, score, rank), answer(got))
            }
            Op::Record {
                p,
                ref spec,
                referrer,
            }
            | Op::Correct {
                p,
                ref spec,
                referrer,
            } => {
                let Some(p) = pick(p, m.proposals.len()) else {
                    return;
                };
                let correction = matches!(op, Op::Correct { .. });
                let actor = if referrer { REFERRER } else { DESK };
                let got = e.record_outcome(
                    Some(&actor),
                    m.proposals[p].id,
                    spec_input(spec, today, correction),
                    &self.policy,
                    today,
                );
                (m.record(p, spec, &actor, correction), answer(got))
            }
            Op::Public {
                p,
                hired,
                start,
                worker,
            } => {
                let Some(p) = pick(p, m.proposals.len()) else {
                    return;
                };
                let by = if worker {
                    Reporter::Worker
                } else {
                    Reporter::Family
                };
                let body = PublicOutcome {
                    outcome: if hired {
                        OutcomeKind::Hired
                    } else {
                        OutcomeKind::NotHired
                    },
                    start_on: start.map(|d| today.add_days(d)),
                };
                let got = e.record_public_outcome(m.proposals[p].id, body, by, &self.policy, today);
                let got = match got {
                    Ok(PublicAnswer::Recorded) => Answer::Recorded,
                    Ok(PublicAnswer::NeedsReview) => Answer::NeedsReview,
                    Err(e) => answer::<()>(Err(e)),
                };
                (m.public(p, hired, start, by), got)
            }
            Op::AnswerRetention { p, which, kept } => {
                let Some(p) = pick(p, m.proposals.len()) else {
                    return;
                };
                let checks: Vec<usize> = (0..m.follow_ups.len())
                    .filter(|&f| {
                        m.follow_ups[f].proposal == p
                            && m.follow_ups[f].kind == FollowUpKind::Retention
                    })
                    .collect();
                let Some(f) = pick(which, checks.len()).map(|i| checks[i]) else {
                    return;
                };
                let id = m.follow_ups[f].id.expect("ids are learnt after each step");
                let got = e.answer_retention(&DESK, id, kept, today);
                (m.answer_retention(f, kept), answer(got))
            }
            Op::Close { r, referrer } | Op::Reopen { r, referrer } => {
                let Some(r) = pick(r, m.requests.len()) else {
                    return;
                };
                let close = matches!(op, Op::Close { .. });
                let body = if close {
                    json!({"status": "closed", "close_reason": "la famiglia ha rinunciato"})
                } else {
                    json!({"status": "open", "reopen_reason": "la famiglia cerca ancora"})
                };
                let actor = if referrer { REFERRER } else { DESK };
                let got = e.patch_request(&actor, m.requests[r].id, &body, today);
                let expected = if close { m.close(r) } else { m.reopen(r) };
                (expected, answer(got))
            }
            Op::Erase { w } => {
                let Some(w) = pick(w, m.workers.len()) else {
                    return;
                };
                let got = e.erase_worker(m.workers[w].id, Some(&DESK), today);
                let expected = if m.workers[w].erased {
                    Answer::NotFound
                } else {
                    m.workers[w].erased = true;
                    Answer::Done
                };
                (expected, answer(got))
            }
            Op::RetentionPass { back } => {
                let cutoff = today.add_days(-back);
                e.apply_retention(cutoff, today).unwrap();
                m.retention_pass(cutoff);
                return;
            }
            Op::Advance { days } => {
                m.today = today.add_days(days);
                return;
            }
        };
        assert_eq!(got, expected, "{op:?} on {today}");
    }

    /// The engine's records equal the model's; ids of new follow-ups are learnt.
    fn compare(&mut self) {
        let (e, m) = (&self.engine, &mut self.model);
        for (w, mw) in m.workers.iter().enumerate() {
            let got = e.find_worker(mw.id).unwrap().map(|w| w.status);
            let expected = (!mw.erased).then(|| m.worker_status(w));
            assert_eq!(got, expected, "worker {w}");
        }
        for (r, mr) in m.requests.iter().enumerate() {
            let got = e.find_request(mr.id).unwrap().unwrap();
            assert_eq!(
                (
                    got.status,
                    got.closed_on,
                    got.positions,
                    got.deidentified_on.is_some()
                ),
                (mr.status, mr.closed_on, mr.positions, mr.deidentified),
                "request {r}"
            );
        }
        for (p, mp) in m.proposals.iter().enumerate() {
            let got = e.find_proposal(mp.id).unwrap().unwrap();
            let outcome = got.outcome.map(|o| MOutcome {
                kind: o.outcome,
                reason: o.reason,
                start_on: o.start_on,
                recorded_on: o.recorded_on,
                reported_by: o.reported_by,
            });
            assert_eq!(
                (&outcome, got.needs_review, got.history.len()),
                (&mp.outcome, mp.needs_review, mp.history),
                "proposal {p}"
            );
            let mut theirs: Vec<_> = e
                .follow_ups_of(mp.id)
                .unwrap()
                .into_iter()
                .map(|f| {
                    let status = match f.status {
                        FollowUpStatus::Overdue => FollowUpStatus::Due,
                        s => s,
                    };
                    (f.kind, f.due_on, status, f.retained, f.done_on, f.id)
                })
                .collect();
            theirs.sort();
            let mut ours: Vec<usize> = (0..m.follow_ups.len())
                .filter(|&f| m.follow_ups[f].proposal == p)
                .collect();
            let key = |f: &MFollowUp| (f.kind, f.due_on, f.status, f.retained, f.done_on);
            ours.sort_by_key(|&f| (key(&m.follow_ups[f]), m.follow_ups[f].id));
            assert_eq!(
                theirs
                    .iter()
                    .map(|t| (t.0, t.1, t.2, t.3, t.4))
                    .collect::<Vec<_>>(),
                ours.iter()
                    .map(|&f| key(&m.follow_ups[f]))
                    .collect::<Vec<_>>(),
                "follow-ups of proposal {p}"
            );
            // New follow-ups take the ids of the engine's not yet known, same kind and date.
            for &f in &ours {
                if m.follow_ups[f].id.is_none() {
                    let k = key(&m.follow_ups[f]);
                    let known: Vec<Id> = m.follow_ups.iter().filter_map(|f| f.id).collect();
                    let id = theirs
                        .iter()
                        .find(|t| (t.0, t.1, t.2, t.3, t.4) == k && !known.contains(&t.5))
                        .map(|t| t.5);
                    m.follow_ups[f].id = id;
                }
            }
        }
    }

    /// The rules, read from what the engine stores (not from the model).
    fn invariants(&self) {
        let e = &self.engine;
        let rec = e.report_records().unwrap();
        let mut active: BTreeMap<Id, usize> = BTreeMap::new();
        for r in &rec.requests {
            let hires = rec
                .proposals
                .iter()
                .filter(|p| p.request_id == r.id && hire_of(p))
                .count();
            assert!(hires <= usize::from(r.positions), "hires beyond positions");
            if r.status == RequestStatus::Filled {
                assert_eq!(hires, usize::from(r.positions), "filled without its hires");
            }
        }
        for p in rec.proposals.iter().filter(|p| hire_of(p)) {
            let ended = rec
                .follow_ups
                .iter()
                .any(|f| f.proposal_id == p.id && f.retained == Some(false));
            if !ended {
                *active.entry(p.worker_id).or_default() += 1;
            }
        }
        for m in &self.model.workers {
            let Some(w) = e.find_worker(m.id).unwrap() else {
                continue;
            };
            let jobs = active.get(&w.id).copied().unwrap_or(0);
            assert!(jobs <= 1, "a worker in two active jobs");
            assert_eq!(
                w.status == WorkerStatus::Placed,
                jobs == 1,
                "placed ↔ active job"
            );
            if jobs == 1 {
                let open = rec
                    .proposals
                    .iter()
                    .filter(|p| p.worker_id == w.id && !hire_of(p))
                    .filter(|p| {
                        p.outcome
                            .as_ref()
                            .is_none_or(|o| o.outcome == OutcomeKind::NoAnswer)
                    })
                    .count();
                assert_eq!(open, 0, "a hired worker with another open proposal");
            }
        }
        for p in &rec.proposals {
            if p.needs_review {
                assert!(
                    p.history.iter().any(|h| !h.applied),
                    "needs_review with no answer kept for review"
                );
            }
        }
    }

    /// Every month since the start, as the review reports it and as the model counts it.
    fn review(&self) {
        let mut month = Month::of(start_day());
        let last = Month::of(self.model.today);
        loop {
            let got = self.engine.monthly_report(month, self.model.today).unwrap();
            assert_eq!(
                Figures::of(&got),
                Figures::expected(&self.model, month),
                "review of {month} on {}",
                self.model.today
            );
            if month == last {
                break;
            }
            month = month.next();
        }
    }
}

fn hire_of(p: &matcher::model::Proposal) -> bool {
    p.outcome
        .as_ref()
        .is_some_and(|o| o.outcome == OutcomeKind::Hired)
}

fn cases() -> u32 {
    std::env::var("DOM_MODEL_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(6)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: cases(),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn the_engine_follows_the_model(ops in prop::collection::vec(op(), 1..50)) {
        let mut run = Run::new();
        for _ in 0..3 {
            run.step(&Op::RegisterWorker);
            run.step(&Op::RegisterRequest { positions: 1, start: 10 });
        }
        run.step(&Op::RegisterRequest { positions: 2, start: 0 });
        for op in &ops {
            run.step(op);
            run.compare();
            run.invariants();
            run.review();
        }
    }
}
