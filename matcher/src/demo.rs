//! Twelve months of deterministic demo history (a Florence desk's own workers, requests,
//! proposals, outcomes, a few corrections, family answers left for review and retention
//! checks) so the review's charts have content on first run.
//!
//! Everything goes through the engine's own commands with a past `today`, in date order,
//! so scores, ranks, follow-ups and codes are real and the engine's invariants hold. The
//! history lives in another province than the demo cards so it never reaches their requests.

use std::collections::{BTreeMap, HashSet};

use crate::date::Date;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::fixtures;
use crate::followup::FollowUpPolicy;
use crate::model::{
    Actor, FollowUpKind, FollowUpStatus, Gender, Id, LiveIn, NotHiredReason, OrgKind, Organisation,
    OutcomeKind, Reporter, Role, WorkerStatus,
};
use crate::outcome::{Correction, OutcomeInput, PublicOutcome};
use crate::report::Month;
use crate::synth::{Area, Rng, Synth};

const SEED: u64 = 0xD020_2611;
/// Far from the Grosseto demo cards: no history worker reaches a demo request.
const PROVINCE: &str = "FI";
const ORG: Id = Id(0xd0c00000000000f1);
const OPERATOR: Id = Id(0xe0000000000000f1);
/// How many workers the history registers (besides the demo cards).
const WORKERS: usize = 120;

/// Given and family names of the history's people (none of them a demo card's).
const WOMEN: &[&str] = &[
    "Ilinca",
    "Mădălina",
    "Corina",
    "Teodora",
    "Zinaida",
    "Liubov",
    "Halyna",
    "Veronica",
    "Dorina",
    "Florentina",
    "Valeria",
    "Ludmila",
    "Fatou",
    "Aminata",
    "Rosario",
    "Jocelyn",
    "Mirela",
    "Silvia",
    "Ketevan",
    "Dilnoza",
    "Samira",
    "Hasna",
];
const MEN: &[&str] = &["Bogdan", "Andrii", "Mamadou", "Rodel", "Giorgi"];
const FAMILIES: &[&str] = &[
    "Moldovan",
    "Ciobanu",
    "Lupu",
    "Sandu",
    "Zaharia",
    "Bejan",
    "Hrytsenko",
    "Marchenko",
    "Lysenko",
    "Rudenko",
    "Kola",
    "Shehu",
    "Reyes",
    "Bautista",
    "Mendoza",
    "Condori",
    "Haddad",
    "Zerrouki",
    "Sow",
    "Camara",
    "Tsiklauri",
    "Nurmatova",
    "Ramos",
    "Villanueva",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Event {
    Propose(Id),
    Decide(Id),
    /// The desk corrects an outcome of the request after a phone call.
    Correct(Id),
    /// The family of a hire answers "non è andata" by code: kept for the desk's review.
    Contradict(Id),
    Retention(Id),
}

/// Seeds the history: requests in each of the last eleven months and this one; proposals,
/// outcomes and retention answers only before this month, so this month's figures stay
/// exactly what the desks do today.
pub(crate) fn seed_history(engine: &Engine, today: Date) -> Result<()> {
    let this_month = Month::of(today).first_day();
    let first = (0..11).fold(Month::of(today), |m, _| m.previous());
    let mut synth = Synth::new(SEED, today);
    let mut rng = Rng::new(SEED.rotate_left(17));
    let area = Area::Province(PROVINCE.into());
    engine.create_organisation(
        None,
        Organisation {
            id: ORG,
            name: "Sportello Info Immigrati Firenze".into(),
            kind: OrgKind::Desk,
            comune: Some("048017".into()),
            profile: crate::model::OrgProfile::default(),
        },
    )?;
    let actor = Actor {
        operator_id: OPERATOR,
        org_id: ORG,
        role: Role::Operator,
    };

    // Names of their own, none a demo card's, so searches by name in the demo and the
    // duplicate checks of cards registered later find what they did before.
    let taken: HashSet<String> = fixtures::demo_workers_at(today)?
        .iter()
        .flat_map(|w| [w.given_name.to_lowercase(), w.family_name.to_lowercase()])
        .collect();
    let free = |names: &[&'static str]| -> Vec<&'static str> {
        let left: Vec<&'static str> = names
            .iter()
            .copied()
            .filter(|n| !taken.contains(&n.to_lowercase()))
            .collect();
        // Should the demo ever take them all, sharing a name beats an empty list.
        if left.is_empty() {
            names.to_vec()
        } else {
            left
        }
    };
    let (women, men, families) = (free(WOMEN), free(MEN), free(FAMILIES));
    let registered = first.first_day().add_days(-30);
    let workers: Vec<_> = (0..WORKERS)
        .map(|_| {
            let mut w = synth.worker();
            let given = if w.gender == Some(Gender::M) {
                &men
            } else {
                &women
            };
            w.given_name = (*rng.pick(given)).into();
            w.family_name = (*rng.pick(&families)).into();
            w.comune = synth.comune_in(&area);
            // Live-in work has no distance limit: commuting only keeps the history's
            // people and the demo's apart in both directions.
            w.live_in = LiveIn::No;
            w.status = WorkerStatus::Available;
            w.registered_on = registered;
            w.consent.given_on = registered;
            w.confirmed_on = today.add_days(-(rng.below(200) as i32));
            w.org_id = Some(ORG);
            w
        })
        .collect();
    engine.import_workers(&workers)?;

    let mut requests = Vec::new();
    let mut month = first;
    loop {
        let start = month.first_day();
        let days = month.next().first_day().days_since(start);
        let n = if start == this_month {
            3
        } else {
            rng.range(7, 10)
        };
        for _ in 0..n {
            let mut r = synth.request(&area);
            let created = start.add_days(rng.below(days as u64) as i32).min(today);
            r.start_on = created.add_days(r.start_on.days_since(today));
            r.created_on = created;
            r.org_id = Some(ORG);
            if r.live_in != LiveIn::No {
                r.live_in = LiveIn::No;
                r.hours_per_week = r.hours_per_week.min(40);
            }
            requests.push(r);
        }
        if start == this_month {
            break;
        }
        month = month.next();
    }
    engine.import_requests(&requests)?;

    let mut events: BTreeMap<(Date, u64), Event> = BTreeMap::new();
    let mut seq = 0u64;
    let mut at = |events: &mut BTreeMap<(Date, u64), Event>, d: Date, e: Event| {
        seq += 1;
        events.insert((d, seq), e);
    };
    for r in &requests {
        at(
            &mut events,
            r.created_on.add_days(rng.range(1, 6) as i32),
            Event::Propose(r.id),
        );
    }
    let policy = FollowUpPolicy::default();
    let ours: HashSet<Id> = workers.iter().map(|w| w.id).collect();
    let mut history = History {
        ours: &ours,
        engine,
        actor: &actor,
        policy: &policy,
        rng: &mut rng,
    };
    while let Some(((day, _), event)) = events.pop_first() {
        // Nothing happens this month: today's figures belong to the live demo.
        if day >= this_month {
            continue;
        }
        match event {
            Event::Propose(id) => {
                if history.propose(id, day)? {
                    let decide = day.add_days(history.rng.range(4, 25) as i32);
                    at(&mut events, decide, Event::Decide(id));
                }
            }
            Event::Decide(id) => {
                let started = history.decide(id, day, this_month)?;
                if history.rng.chance(0.12) {
                    let on = day.add_days(history.rng.range(3, 12) as i32);
                    at(&mut events, on, Event::Correct(id));
                }
                if let Some(start) = started {
                    let check =
                        start.add_days(policy.retention_days + history.rng.range(0, 6) as i32);
                    if check < today {
                        at(&mut events, check, Event::Retention(id));
                    }
                    if history.rng.chance(0.1) {
                        let on = start.add_days(history.rng.range(5, 30) as i32);
                        at(&mut events, on, Event::Contradict(id));
                    }
                }
            }
            Event::Correct(id) => history.correct(id, day)?,
            Event::Contradict(id) => history.contradict(id, day)?,
            Event::Retention(id) => history.retention(id, day)?,
        }
    }
    Ok(())
}

struct History<'a> {
    /// The history's own workers: only they are ever proposed.
    ours: &'a HashSet<Id>,
    engine: &'a Engine,
    actor: &'a Actor,
    policy: &'a FollowUpPolicy,
    rng: &'a mut Rng,
}

/// A refusal by the engine's rules: that step simply does not happen in the history.
fn refused<T>(r: Result<T>) -> Result<Option<T>> {
    match r {
        Ok(x) => Ok(Some(x)),
        Err(Error::Conflict(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

impl History<'_> {
    /// Proposes one to three candidates, mostly from the top of the ranking.
    fn propose(&mut self, request: Id, day: Date) -> Result<bool> {
        let Some(r) = self.engine.find_request(request)? else {
            return Ok(false);
        };
        let ranked: Vec<_> = self
            .engine
            .candidates_for(&r, 30, day)?
            .into_iter()
            .filter(|c| self.ours.contains(&c.worker_id))
            .collect();
        if ranked.is_empty() {
            return Ok(false);
        }
        let k = self.rng.range(1, 3) as usize;
        let mut picked: Vec<usize> = Vec::new();
        for _ in 0..k * 3 {
            if picked.len() == k {
                break;
            }
            let (lo, hi) =
                *self
                    .rng
                    .weighted(&[((0, 0), 40), ((1, 2), 30), ((3, 9), 20), ((10, 29), 10)]);
            let i = self.rng.range(lo, hi) as usize;
            if i < ranked.len() && !picked.contains(&i) {
                picked.push(i);
            }
        }
        let mut any = false;
        for i in picked {
            let worker = ranked[i].worker_id;
            any |= refused(
                self.engine
                    .propose(self.actor, request, worker, self.policy, day),
            )?
            .is_some();
        }
        Ok(any)
    }

    /// Records what became of a request's proposals: perhaps one hire (more likely for the
    /// better ranked), the others not hired with a reason, some never answered. Returns
    /// the start of the job when someone was hired.
    fn decide(&mut self, request: Id, day: Date, this_month: Date) -> Result<Option<Date>> {
        let mut proposals = self.engine.proposals_of(request)?;
        proposals.retain(|p| p.outcome.is_none());
        // Better ranked first, so the family's choice favours them.
        proposals.sort_by_key(|p| (p.rank.unwrap_or(u32::MAX), p.worker_id));
        let hire = proposals.iter().position(|p| {
            let chance = match p.rank.unwrap_or(u32::MAX) {
                1 => 0.5,
                2..=3 => 0.35,
                4..=10 => 0.2,
                _ => 0.1,
            } * (p.score / 80.0).min(1.2);
            self.rng.chance(chance)
        });
        let mut started = None;
        let order: Vec<usize> = (0..proposals.len())
            .filter(|i| Some(*i) != hire)
            .chain(hire)
            .collect();
        for i in order {
            let p = &proposals[i];
            if self.rng.chance(0.12) {
                // Nobody answered the first follow-up; some are never answered at all.
                let ask = p.proposed_on.add_days(7).min(day);
                refused(self.record(
                    p.id,
                    OutcomeKind::NoAnswer,
                    Reporter::Operator,
                    None,
                    None,
                    ask,
                ))?;
                if self.rng.chance(0.5) {
                    continue;
                }
            }
            let when = day
                .add_days(self.rng.range(0, 3) as i32)
                .min(this_month.add_days(-1));
            if Some(i) == hire && self.available(p.worker_id)? {
                let start = when
                    .add_days(self.rng.range(0, 14) as i32)
                    .min(this_month.add_days(-1));
                let reporter = *self.rng.weighted(&[
                    (Reporter::Operator, 5),
                    (Reporter::Family, 3),
                    (Reporter::Worker, 2),
                ]);
                if refused(self.record(
                    p.id,
                    OutcomeKind::Hired,
                    reporter,
                    None,
                    Some(start),
                    when,
                ))?
                .is_some()
                {
                    started = Some(start);
                }
                continue;
            }
            let reason = if hire.is_some() {
                NotHiredReason::FamilyChoseOther
            } else {
                *self.rng.weighted(&[
                    (NotHiredReason::WorkerDeclined, 4),
                    (NotHiredReason::Wage, 3),
                    (NotHiredReason::Hours, 2),
                    (NotHiredReason::Distance, 2),
                    (NotHiredReason::NeedChanged, 2),
                    (NotHiredReason::Unreachable, 1),
                    (NotHiredReason::Other, 1),
                ])
            };
            let reporter = *self.rng.weighted(&[
                (Reporter::Operator, 6),
                (Reporter::Family, 3),
                (Reporter::Worker, 1),
            ]);
            refused(self.record(
                p.id,
                OutcomeKind::NotHired,
                reporter,
                Some(reason),
                None,
                when,
            ))?;
        }
        if started.is_none() && self.rng.chance(0.6) {
            // Most families who found no one through the desk are closed by the desk.
            let on = day
                .add_days(self.rng.range(1, 5) as i32)
                .min(this_month.add_days(-1));
            let closed = self.engine.patch_request(
                self.actor,
                request,
                &serde_json::json!({"status": "closed"}),
                on,
            );
            // Best effort: should closing come to need more (a reason), the request
            // simply stays open in the history.
            if let Err(e) = closed {
                if !matches!(e, Error::Conflict(_) | Error::Invalid { .. }) {
                    return Err(e);
                }
            }
        }
        Ok(started)
    }

    fn available(&self, worker: Id) -> Result<bool> {
        Ok(self
            .engine
            .find_worker(worker)?
            .is_some_and(|w| w.status == WorkerStatus::Available))
    }

    /// An outcome as the desk records it, or as the family or the worker sends it with
    /// the outcome code (no actor; their "not hired" carries no reason of the list).
    fn record(
        &mut self,
        proposal: Id,
        outcome: OutcomeKind,
        reported_by: Reporter,
        reason: Option<NotHiredReason>,
        start_on: Option<Date>,
        day: Date,
    ) -> Result<()> {
        if reported_by != Reporter::Operator {
            // As the public page sends it: the outcome and the start, nothing else.
            let answer = PublicOutcome { outcome, start_on };
            return self
                .engine
                .record_public_outcome(proposal, answer, reported_by, self.policy, day)
                .map(|_| ());
        }
        let input = OutcomeInput {
            outcome,
            reported_by,
            reason,
            note: String::new(),
            start_on,
            contract: None,
            correction: None,
        };
        self.engine
            .record_outcome(Some(self.actor), proposal, input, self.policy, day)
            .map(|_| ())
    }

    /// Corrects one decided outcome of the request, as a desk does after calling the
    /// family: a "non è andata" sent by code gets its real reason; now and then a hire
    /// that never started becomes "not hired". The engine keeps both in the history.
    fn correct(&mut self, request: Id, day: Date) -> Result<()> {
        let mut proposals = self.engine.proposals_of(request)?;
        proposals.sort_by_key(|p| (p.rank.unwrap_or(u32::MAX), p.worker_id));
        let Some((p, o)) = proposals.iter().find_map(|p| {
            p.outcome
                .as_ref()
                .filter(|o| {
                    o.outcome == OutcomeKind::Hired
                        || o.reason
                            .is_some_and(|r| r != NotHiredReason::WorkerPlacedElsewhere)
                })
                .map(|o| (p, o))
        }) else {
            return Ok(());
        };
        let (reason, why) = if o.outcome == OutcomeKind::Hired {
            (
                NotHiredReason::NeedChanged,
                "la famiglia ha richiamato: il lavoro non è mai iniziato",
            )
        } else {
            let other = *self.rng.weighted(&[
                (NotHiredReason::Wage, 3),
                (NotHiredReason::Hours, 3),
                (NotHiredReason::Distance, 2),
                (NotHiredReason::WorkerDeclined, 2),
            ]);
            let reason = if o.reason == Some(other) {
                NotHiredReason::NeedChanged
            } else {
                other
            };
            (reason, "motivo chiarito con una telefonata alla famiglia")
        };
        let input = OutcomeInput {
            outcome: OutcomeKind::NotHired,
            reported_by: Reporter::Operator,
            reason: Some(reason),
            note: String::new(),
            start_on: None,
            contract: None,
            correction: Some(Correction { reason: why.into() }),
        };
        refused(
            self.engine
                .record_outcome(Some(self.actor), p.id, input, self.policy, day),
        )?;
        Ok(())
    }

    /// The family of the request's hire answers "non è andata" with the code on its
    /// card: the engine keeps it for the desk, which in the demo has not checked yet.
    fn contradict(&mut self, request: Id, day: Date) -> Result<()> {
        for p in self.engine.proposals_of(request)? {
            if p.outcome.as_ref().map(|o| o.outcome) == Some(OutcomeKind::Hired) {
                let answer = PublicOutcome {
                    outcome: OutcomeKind::NotHired,
                    start_on: None,
                };
                self.engine.record_public_outcome(
                    p.id,
                    answer,
                    Reporter::Family,
                    self.policy,
                    day,
                )?;
            }
        }
        Ok(())
    }

    /// Answers the retention check of the request's hire: mostly still employed; a job
    /// that ended frees the worker for another family.
    fn retention(&mut self, request: Id, day: Date) -> Result<()> {
        for p in self.engine.proposals_of(request)? {
            if p.outcome.as_ref().map(|o| o.outcome) != Some(OutcomeKind::Hired) {
                continue;
            }
            for f in self.engine.follow_ups_of(p.id)? {
                if f.kind == FollowUpKind::Retention
                    && matches!(f.status, FollowUpStatus::Due | FollowUpStatus::Overdue)
                {
                    let kept = self.rng.chance(0.7);
                    refused(self.engine.answer_retention(self.actor, f.id, kept, day))?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seeded(today: Date) -> Engine {
        let e = Engine::temporary().unwrap();
        assert!(e.seed_demo_with_history(today).unwrap());
        e
    }

    #[test]
    fn every_past_month_has_proposals_and_effectiveness_has_content() {
        let today: Date = "2026-11-23".parse().unwrap();
        let e = seeded(today);
        let mut m = Month::of(today);
        for _ in 0..11 {
            m = m.previous();
            let r = e.monthly_report(m, today).unwrap();
            assert!(r.proposals_made > 0, "{m}: no proposals");
        }
        let r = e.monthly_report(Month::of(today), today).unwrap();
        // This month belongs to the live demo: the history adds no proposal or placement.
        assert_eq!((r.proposals_made, r.placements), (0, 0));
        let eff = &r.effectiveness;
        let proposals: u64 = eff.by_rank.iter().map(|x| x.proposals).sum();
        let hired: u64 = eff.by_rank.iter().map(|x| x.hired).sum();
        assert!(proposals >= 100, "{proposals}");
        assert!(hired > 10 && hired < proposals, "{hired}");
        assert!(eff.by_rank.iter().filter(|x| x.proposals > 0).count() >= 3);
        assert!(eff.outcome_known_share.is_some_and(|s| s > 0.5 && s < 1.0));
        assert!(eff.median_days_proposal_to_outcome.is_some_and(|d| d > 0.0));
        // Every source of outcomes and some retention answers appear.
        let rec = e.report_records().unwrap();
        for who in [Reporter::Operator, Reporter::Family, Reporter::Worker] {
            assert!(rec
                .proposals
                .iter()
                .any(|p| p.outcome.as_ref().is_some_and(|o| o.reported_by == who)));
        }
        assert!(rec.follow_ups.iter().any(|f| f.retained == Some(false)));
        assert!(rec.follow_ups.iter().any(|f| f.retained == Some(true)));
    }

    #[test]
    fn the_history_keeps_the_engine_invariants() {
        let today: Date = "2026-11-23".parse().unwrap();
        let rec = seeded(today).report_records().unwrap();
        let mut hired_requests = HashSet::new();
        let mut jobs: BTreeMap<Id, Vec<(Date, Date)>> = BTreeMap::new();
        for p in &rec.proposals {
            let Some(o) = &p.outcome else { continue };
            assert!(
                o.recorded_on >= p.proposed_on,
                "outcome before its proposal"
            );
            if o.outcome == OutcomeKind::Hired {
                assert!(
                    hired_requests.insert(p.request_id),
                    "two hires on a request"
                );
                let start = o.start_on.unwrap();
                assert!(start >= p.proposed_on, "start before the proposal");
                assert!(start < Month::of(today).first_day());
                let end = rec
                    .follow_ups
                    .iter()
                    .find(|f| f.proposal_id == p.id && f.retained == Some(false))
                    .and_then(|f| f.done_on)
                    .unwrap_or(Date::from_days(i32::MAX / 2));
                jobs.entry(p.worker_id).or_default().push((start, end));
            }
        }
        assert!(!jobs.is_empty());
        for spans in jobs.values_mut() {
            spans.sort();
            for w in spans.windows(2) {
                assert!(w[1].0 >= w[0].1, "a worker in two jobs at once: {w:?}");
            }
        }
    }

    #[test]
    fn the_demo_cards_are_untouched_by_the_history() {
        let today: Date = "2026-11-23".parse().unwrap();
        let e = seeded(today);
        let demo: HashSet<Id> = fixtures::demo_workers_at(today)
            .unwrap()
            .iter()
            .map(|w| w.id)
            .collect();
        let rec = e.report_records().unwrap();
        assert!(rec.proposals.iter().all(|p| !demo.contains(&p.worker_id)));
        let names: HashSet<String> = fixtures::demo_workers_at(today)
            .unwrap()
            .iter()
            .flat_map(|w| [w.given_name.clone(), w.family_name.clone()])
            .collect();
        let ours: Vec<_> = e
            .stored_workers()
            .map(|w| w.unwrap())
            .filter(|w| !demo.contains(&w.id))
            .collect();
        assert_eq!(ours.len(), WORKERS);
        assert!(ours
            .iter()
            .all(|w| !names.contains(&w.given_name) && !names.contains(&w.family_name)));
        for r in fixtures::demo_requests_at(today).unwrap() {
            let ranked = e.candidates(r.id, 50, today).unwrap();
            assert!(
                ranked.iter().all(|c| demo.contains(&c.worker_id)),
                "history worker reaches {}",
                r.id
            );
        }
    }

    #[test]
    fn the_history_has_corrections_and_answers_left_for_review() {
        let today: Date = "2026-11-23".parse().unwrap();
        let e = seeded(today);
        let rec = e.report_records().unwrap();
        let corrected: Vec<_> = rec
            .proposals
            .iter()
            .filter(|p| p.history.iter().any(|h| h.correction.is_some()))
            .collect();
        assert!(corrected.len() >= 3, "{} corrections", corrected.len());
        for p in &corrected {
            // The corrected outcome is what counts; what it replaced stays in the history.
            let last = p.history.iter().rev().find(|h| h.applied).unwrap();
            assert!(last.correction.is_some());
            assert_eq!(Some(last.outcome), p.outcome.as_ref().map(|o| o.outcome));
            assert!(p.history.len() >= 2);
            assert!(e
                .audit_of(p.id)
                .unwrap()
                .iter()
                .any(|a| a.action == crate::model::AuditAction::Correction));
        }
        assert!(
            corrected
                .iter()
                .any(|p| p.history[0].outcome == OutcomeKind::Hired),
            "a hire corrected to not hired"
        );
        let review: Vec<_> = rec.proposals.iter().filter(|p| p.needs_review).collect();
        assert!(!review.is_empty(), "family answers left for the desk");
        for p in review {
            // Kept, not applied: the desk's hire still counts until it checks.
            assert_eq!(p.outcome.as_ref().unwrap().outcome, OutcomeKind::Hired);
            let kept = p.history.last().unwrap();
            assert!(!kept.applied && kept.outcome == OutcomeKind::NotHired);
            assert_eq!(kept.reported_by, Reporter::Family);
        }
        assert_eq!(
            e.proposals_needing_review().unwrap().len(),
            rec.proposals.iter().filter(|p| p.needs_review).count()
        );
    }

    #[test]
    fn seeding_twice_gives_identical_figures() {
        let today: Date = "2026-11-23".parse().unwrap();
        let (a, b) = (seeded(today), seeded(today));
        let mut month = Month::of(today);
        for _ in 0..12 {
            assert_eq!(
                a.monthly_report(month, today).unwrap(),
                b.monthly_report(month, today).unwrap(),
                "{month}"
            );
            month = month.previous();
        }
        let flags = |e: &Engine| {
            let mut v: Vec<_> = e
                .report_records()
                .unwrap()
                .proposals
                .iter()
                .map(|p| {
                    (
                        p.proposed_on,
                        p.score.to_bits(),
                        p.needs_review,
                        p.history.len(),
                    )
                })
                .collect();
            v.sort();
            v
        };
        assert_eq!(flags(&a), flags(&b));
    }
}
