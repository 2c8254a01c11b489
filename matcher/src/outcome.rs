//! What became of a proposal: outcomes reported by the desk, the referrer, or — with the
//! code on the card — the family, kept as a history; the invariants that keep them true
//! (no more hires than positions, one active job per worker) enforced in the same
//! transaction; and corrections by the desk that recompute worker and request states.

use serde::{Deserialize, Serialize};

use crate::date::Date;
use crate::engine::{Change, Engine};
use crate::error::{Error, Result};
use crate::followup::{FollowUpPolicy, ProposalView};
use crate::model::{
    Actor, AuditAction, AuditEntry, ContractShape, FollowUp, FollowUpKind, FollowUpStatus, Id,
    NotHiredReason, Outcome, OutcomeKind, OutcomeReport, Proposal, RecordKind, Reporter, Request,
    RequestStatus, Role, Via, WorkerStatus,
};

/// The body of `POST /api/v1/proposals/{id}/outcome`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct OutcomeInput {
    pub outcome: OutcomeKind,
    pub reported_by: Reporter,
    #[serde(default)]
    pub reason: Option<NotHiredReason>,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub start_on: Option<Date>,
    #[serde(default)]
    pub contract: Option<ContractShape>,
    /// Replaces an outcome already decided (desk operators only), saying why.
    #[serde(default)]
    pub correction: Option<Correction>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Correction {
    pub reason: String,
}

/// The public body of `POST /api/v1/outcome/{code}`: exactly these fields.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct PublicOutcome {
    pub outcome: OutcomeKind,
    #[serde(default)]
    pub start_on: Option<Date>,
}

/// What a public answer did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PublicAnswer {
    /// Recorded (or it agrees with what was recorded).
    Recorded,
    /// It contradicts what is recorded, or cannot be true: kept for the desk to check.
    NeedsReview,
}

/// A not-hired outcome the engine records by itself, and why.
const PLACED_ELSEWHERE_NOTE: &str =
    "chiusa automaticamente: la persona è stata assunta per un'altra richiesta";

impl Engine {
    /// Records what became of a proposal, reported by an operator or a referrer. A
    /// decided outcome is replaced only by a desk operator's `correction`.
    pub fn record_outcome(
        &self,
        actor: Option<&Actor>,
        proposal_id: Id,
        input: OutcomeInput,
        policy: &FollowUpPolicy,
        today: Date,
    ) -> Result<ProposalView> {
        let outcome = checked_outcome(&input, today)?;
        let correction = match &input.correction {
            None => None,
            Some(c) => {
                if actor.is_none_or(|a| a.role != Role::Operator) {
                    return Err(Error::Conflict(
                        "solo un operatore dello sportello può correggere un esito".into(),
                    ));
                }
                // A correction says what did happen: "no answer" would reopen a decided
                // proposal, perhaps of someone who has been placed elsewhere since.
                if input.outcome == OutcomeKind::NoAnswer {
                    return Err(Error::invalid(
                        "outcome",
                        "una correzione indica l'esito: hired (assunzione) o not_hired (nessuna assunzione)",
                    ));
                }
                let reason = c.reason.trim();
                if reason.is_empty() || reason.chars().count() > 500 {
                    return Err(Error::invalid(
                        "correction.reason",
                        "indicare il motivo della correzione (al massimo 500 caratteri)",
                    ));
                }
                crate::guard::check_text("correction.reason", reason)?;
                Some(reason.to_string())
            }
        };
        let _u = self.lock_updates();
        let p = self.store().proposals.fetch(proposal_id)?;
        let decided = is_decided(&p);
        let mut change = Change::default();
        let p = match (decided, correction) {
            (true, None) => {
                return Err(Error::Conflict(format!(
                    "l'esito di questa proposta è già stato registrato ({}); per cambiarlo un \
                     operatore dello sportello indica il motivo della correzione",
                    p.outcome.as_ref().map_or("", |o| o.outcome.label())
                )))
            }
            (true, Some(reason)) => {
                let p = self.undo_outcome(p, &mut change, today)?;
                let mut p = self.apply_outcome(p, outcome, policy, &mut change, today)?;
                if let Some(last) = p.history.last_mut() {
                    last.correction = Some(reason);
                }
                p.needs_review = false;
                change
                    .audit
                    .push(audit(actor, AuditAction::Correction, p.id));
                p
            }
            (false, _) => {
                let mut p = self.apply_outcome(p, outcome, policy, &mut change, today)?;
                // The desk deciding a proposal kept for review is that review.
                if actor.is_some_and(|a| a.role == Role::Operator) {
                    p.needs_review = false;
                }
                change.audit.push(audit(actor, AuditAction::Outcome, p.id));
                p
            }
        };
        change.proposals.push(p.clone());
        self.apply(change)?;
        self.proposal_view(p)
    }

    /// Records what the family reports with the code on its card. `hired` without a date
    /// takes the agreed start when it is not in the future, else today. An answer that
    /// contradicts the recorded outcome, or that cannot be true (the place is taken, the
    /// person works elsewhere), is kept in the history and marks the proposal for review.
    pub fn record_public_outcome(
        &self,
        proposal_id: Id,
        answer: PublicOutcome,
        reported_by: Reporter,
        policy: &FollowUpPolicy,
        today: Date,
    ) -> Result<PublicAnswer> {
        if answer.outcome == OutcomeKind::NoAnswer {
            return Err(Error::invalid(
                "outcome",
                "indicare hired (abbiamo iniziato) o not_hired (non è andata)",
            ));
        }
        let _u = self.lock_updates();
        let p = self.store().proposals.fetch(proposal_id)?;
        let r = self.store().requests.fetch(p.request_id)?;
        let start_on = match answer.outcome {
            OutcomeKind::Hired => Some(answer.start_on.unwrap_or(if r.start_on <= today {
                r.start_on
            } else {
                today
            })),
            _ => None,
        };
        let input = OutcomeInput {
            outcome: answer.outcome,
            reported_by,
            reason: (answer.outcome == OutcomeKind::NotHired).then_some(NotHiredReason::Other),
            note: String::new(),
            start_on,
            contract: None,
            correction: None,
        };
        let outcome = checked_outcome(&input, today)?;
        let report = report_of(&outcome, false);
        let recorded = p.outcome.as_ref().filter(|_| is_decided(&p));
        let mut change = Change::default();
        let (p, answer) = match recorded {
            Some(o) if o.outcome == outcome.outcome => {
                let mut p = p.clone();
                p.history.push(report);
                (p, PublicAnswer::Recorded)
            }
            Some(_) => (for_review(p, report), PublicAnswer::NeedsReview),
            None => match self.apply_outcome(p.clone(), outcome, policy, &mut change, today) {
                Ok(p) => (p, PublicAnswer::Recorded),
                // The place is taken or the person works elsewhere: the desk checks.
                Err(Error::Conflict(_)) => {
                    change = Change::default();
                    (for_review(p, report), PublicAnswer::NeedsReview)
                }
                Err(e) => return Err(e),
            },
        };
        let mut line = audit(None, AuditAction::Outcome, p.id);
        line.via = Via::OutcomeCode;
        change.audit.push(line);
        change.proposals.push(p);
        self.apply(change)?;
        Ok(answer)
    }

    /// Applies a (new) outcome to `p`: follow-ups, and for a hire the invariants and the
    /// worker's, the request's and the worker's other proposals' states.
    fn apply_outcome(
        &self,
        mut p: Proposal,
        outcome: Outcome,
        policy: &FollowUpPolicy,
        change: &mut Change,
        today: Date,
    ) -> Result<Proposal> {
        let mut open: Vec<FollowUp> = self
            .follow_ups_of(p.id)?
            .into_iter()
            .filter(|f| f.kind == FollowUpKind::Outcome && is_open(f))
            .collect();
        if outcome.outcome == OutcomeKind::NoAnswer {
            // Nobody answered this time: close the follow-up at hand, ask again later.
            open.truncate(1);
        }
        for mut f in open {
            f.status = FollowUpStatus::Done;
            // The follow-up keeps what was decided, not the free text (the proposal,
            // sealed under the worker's key, holds that).
            f.outcome = Some(Outcome {
                note: String::new(),
                ..outcome.clone()
            });
            f.done_on = Some(today);
            change.follow_ups.push(f);
        }
        if let (OutcomeKind::Hired, Some(start)) = (outcome.outcome, outcome.start_on) {
            self.hire(&p, start, policy, change, today)?;
        }
        p.history.push(report_of(&outcome, true));
        p.outcome = Some(outcome);
        Ok(p)
    }

    /// The effects of a hire, refused when they cannot be true.
    fn hire(
        &self,
        p: &Proposal,
        start: Date,
        policy: &FollowUpPolicy,
        change: &mut Change,
        today: Date,
    ) -> Result<()> {
        let mut r = self.store().requests.fetch(p.request_id)?;
        let holders: Vec<Proposal> = self
            .proposals_of(r.id)?
            .into_iter()
            .filter(|q| q.id != p.id && is_hire(q))
            .collect();
        if holders.len() >= usize::from(r.positions) {
            return Err(Error::Conflict(format!(
                "la richiesta ha {} posto/i, già occupato/i da: {}",
                r.positions,
                self.names_of(&holders)?
            )));
        }
        if let Some(mut w) = self.store().workers.get(p.worker_id)? {
            let mut others = self.proposals_of_worker(w.id)?;
            others.retain(|q| q.id != p.id);
            if let Some(job) = others.iter().find(|q| is_hire(q)) {
                if self.job_is_active(job)? {
                    return Err(Error::Conflict(format!(
                        "{} risulta già assunta/o per un'altra richiesta (proposta {}): \
                         registrare prima la fine di quel lavoro",
                        w.given_name, job.id
                    )));
                }
            }
            for q in others.into_iter().filter(|q| !is_decided(q)) {
                self.close_as_placed_elsewhere(q, change, today)?;
            }
            // A correction of a job whose retention check said it ended keeps it ended.
            if self.job_is_active(p)? {
                w.status = WorkerStatus::Placed;
                change.workers.push(w);
            }
        }
        if holders.len() + 1 >= usize::from(r.positions) {
            r.status = RequestStatus::Filled;
            r.closed_on = Some(today);
        }
        change.requests.push(r);
        change.follow_ups.push(FollowUp {
            id: Id::random(),
            proposal_id: p.id,
            org_id: p.org_id,
            kind: FollowUpKind::Retention,
            due_on: start.add_days(policy.retention_days),
            status: FollowUpStatus::Due,
            outcome: None,
            retained: None,
            done_on: None,
        });
        Ok(())
    }

    /// Takes back the effects of `p`'s decided outcome before a correction.
    fn undo_outcome(&self, mut p: Proposal, change: &mut Change, today: Date) -> Result<Proposal> {
        if is_hire(&p) {
            // Only an active job placed the person: an ended one freed them already,
            // and they may have another job now.
            let active = self.job_is_active(&p)?;
            if let Some(mut w) = self.store().workers.get(p.worker_id)?.filter(|_| active) {
                if w.status == WorkerStatus::Placed {
                    w.status = WorkerStatus::Available;
                    change.workers.push(w);
                }
            }
            let mut r = self.store().requests.fetch(p.request_id)?;
            if r.status == RequestStatus::Filled {
                r.status = RequestStatus::ProposalsSent;
                r.closed_on = None;
                change.requests.push(r);
            }
            for mut f in self.follow_ups_of(p.id)? {
                if f.kind == FollowUpKind::Retention && is_open(&f) {
                    f.status = FollowUpStatus::Cancelled;
                    f.done_on = Some(today);
                    change.follow_ups.push(f);
                }
            }
        }
        p.outcome = None;
        Ok(p)
    }

    /// Closes another open proposal of a worker who was just hired elsewhere.
    fn close_as_placed_elsewhere(
        &self,
        mut q: Proposal,
        change: &mut Change,
        today: Date,
    ) -> Result<()> {
        let outcome = Outcome {
            outcome: OutcomeKind::NotHired,
            reported_by: Reporter::Operator,
            reason: Some(NotHiredReason::WorkerPlacedElsewhere),
            note: PLACED_ELSEWHERE_NOTE.into(),
            start_on: None,
            contract: None,
            recorded_on: today,
        };
        for mut f in self.follow_ups_of(q.id)? {
            if is_open(&f) {
                f.status = FollowUpStatus::Cancelled;
                f.done_on = Some(today);
                change.follow_ups.push(f);
            }
        }
        q.history.push(report_of(&outcome, true));
        q.outcome = Some(outcome);
        change.proposals.push(q);
        Ok(())
    }

    /// A hire is an active job until its 90-day check says it ended.
    fn job_is_active(&self, job: &Proposal) -> Result<bool> {
        Ok(!self
            .follow_ups_of(job.id)?
            .iter()
            .any(|f| f.kind == FollowUpKind::Retention && f.retained == Some(false)))
    }

    /// First names of the workers of some proposals, for a message.
    fn names_of(&self, proposals: &[Proposal]) -> Result<String> {
        let mut names = Vec::new();
        for q in proposals {
            names.push(
                self.store()
                    .workers
                    .get(q.worker_id)?
                    .map_or_else(|| format!("proposta {}", q.id), |w| w.given_name),
            );
        }
        Ok(names.join(", "))
    }

    /// An organisation's proposals the desk should look at first: those needing review,
    /// and those the family or the worker answered about (with the code) since `since`.
    pub fn answers_to_review(
        &self,
        org: Id,
        since: Date,
    ) -> Result<Vec<(Proposal, Option<Request>)>> {
        let mut out = Vec::new();
        for p in self.store().proposals.select(|p| {
            p.org_id == org
                && (p.needs_review
                    || p.history
                        .iter()
                        .any(|h| h.reported_by != Reporter::Operator && h.on >= since))
        })? {
            let r = self.store().requests.get(p.request_id)?;
            out.push((p, r));
        }
        out.sort_by_key(|(p, _)| (!p.needs_review, p.id));
        Ok(out)
    }

    /// Requests whose proposals need the desk's review, for its day.
    pub fn proposals_needing_review(&self) -> Result<Vec<(Proposal, Option<Request>)>> {
        let mut out = Vec::new();
        for p in self.store().proposals.select(|p| p.needs_review)? {
            let r = self.store().requests.get(p.request_id)?;
            out.push((p, r));
        }
        Ok(out)
    }
}

/// Validates an outcome as reported and builds it.
fn checked_outcome(input: &OutcomeInput, today: Date) -> Result<Outcome> {
    match input.outcome {
        OutcomeKind::Hired => {
            let start = input.start_on.ok_or_else(|| {
                Error::invalid("start_on", "indicare la data di inizio del lavoro")
            })?;
            if start < today.add_days(-366) || start > today.add_days(366) {
                return Err(Error::invalid(
                    "start_on",
                    "la data di inizio deve essere entro un anno da oggi",
                ));
            }
        }
        OutcomeKind::NotHired if input.reason.is_none() => {
            return Err(Error::invalid(
                "reason",
                "indicare il motivo scegliendo dall'elenco (family_chose_other, \
                 worker_declined, wage, hours, distance, need_changed, unreachable, other)",
            ));
        }
        _ => {}
    }
    if input.note.chars().count() > 1000 {
        return Err(Error::invalid("note", "al massimo 1000 caratteri"));
    }
    let note = input.note.trim().to_string();
    crate::guard::check_text("note", &note)?;
    Ok(Outcome {
        outcome: input.outcome,
        reported_by: input.reported_by,
        reason: match input.outcome {
            OutcomeKind::NotHired => input.reason,
            _ => None,
        },
        note,
        start_on: match input.outcome {
            OutcomeKind::Hired => input.start_on,
            _ => None,
        },
        contract: input.contract,
        recorded_on: today,
    })
}

fn report_of(o: &Outcome, applied: bool) -> OutcomeReport {
    OutcomeReport {
        outcome: o.outcome,
        reported_by: o.reported_by,
        on: o.recorded_on,
        start_on: o.start_on,
        reason: o.reason,
        applied,
        correction: None,
    }
}

fn for_review(mut p: Proposal, report: OutcomeReport) -> Proposal {
    p.history.push(report);
    p.needs_review = true;
    p
}

/// Whether the outcome is decided (a "no answer" is not).
fn is_decided(p: &Proposal) -> bool {
    p.outcome
        .as_ref()
        .is_some_and(|o| o.outcome != OutcomeKind::NoAnswer)
}

fn is_hire(p: &Proposal) -> bool {
    p.outcome
        .as_ref()
        .is_some_and(|o| o.outcome == OutcomeKind::Hired)
}

fn is_open(f: &FollowUp) -> bool {
    matches!(f.status, FollowUpStatus::Due | FollowUpStatus::Overdue)
}

fn audit(actor: Option<&Actor>, action: AuditAction, proposal: Id) -> AuditEntry {
    AuditEntry::by(actor, action, RecordKind::Proposal, proposal)
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::fixtures::testing::{desk, engine, today, IRINA, NATALIA, ROSSI};

    fn referrer() -> Actor {
        Actor {
            operator_id: Id(0xe000000000000003),
            org_id: Id(0xd0c0000000000003),
            role: Role::Referrer,
        }
    }

    fn propose(e: &Engine, request: Id, worker: Id) -> Proposal {
        e.propose(
            &desk(),
            request,
            worker,
            &FollowUpPolicy::default(),
            today(),
        )
        .unwrap()
        .proposal
    }

    fn input(outcome: OutcomeKind) -> OutcomeInput {
        OutcomeInput {
            outcome,
            reported_by: Reporter::Operator,
            reason: (outcome == OutcomeKind::NotHired).then_some(NotHiredReason::Wage),
            note: String::new(),
            start_on: (outcome == OutcomeKind::Hired).then(|| today().add_days(10)),
            contract: None,
            correction: None,
        }
    }

    fn record(e: &Engine, p: Id, i: OutcomeInput) -> Result<ProposalView> {
        e.record_outcome(Some(&desk()), p, i, &FollowUpPolicy::default(), today())
    }

    #[test]
    fn one_position_takes_one_hire_and_names_who_holds_it() {
        let e = engine();
        let natalia = propose(&e, ROSSI, NATALIA);
        let irina = propose(&e, ROSSI, IRINA);
        record(&e, natalia.id, input(OutcomeKind::Hired)).unwrap();
        let err = record(&e, irina.id, input(OutcomeKind::Hired)).unwrap_err();
        assert!(
            matches!(&err, Error::Conflict(m) if m.contains("Natalia")),
            "{err}"
        );
        // Irina's proposal was not touched by the refusal.
        assert!(e
            .find_proposal(irina.id)
            .unwrap()
            .unwrap()
            .outcome
            .is_none());
    }

    /// An open request besides Rossi's that Natalia fits.
    fn other_request_for_natalia(e: &Engine) -> Request {
        e.requests(crate::engine::RequestScope::All, Some(RequestStatus::Open))
            .unwrap()
            .into_iter()
            .find(|r| {
                r.id != ROSSI
                    && e.eligibility(NATALIA, r, today())
                        .is_ok_and(|x| matches!(x, crate::engine::Eligibility::Eligible(_)))
            })
            .expect("another request Natalia fits")
    }

    fn corrected(outcome: OutcomeKind) -> OutcomeInput {
        OutcomeInput {
            correction: Some(Correction {
                reason: "verificato con la famiglia".into(),
            }),
            ..input(outcome)
        }
    }

    /// Found by the model-based test (`tests/outcome_model.rs`): correcting a job that had
    /// ended set the person available although they had a new job, and correcting its
    /// start placed them again although the job had ended.
    #[test]
    fn correcting_an_ended_job_leaves_the_persons_current_state() {
        let e = engine();
        let policy = FollowUpPolicy::default();
        let first = propose(&e, ROSSI, NATALIA);
        let view = record(&e, first.id, input(OutcomeKind::Hired)).unwrap();
        let check = view
            .follow_ups
            .iter()
            .find(|f| f.kind == FollowUpKind::Retention)
            .unwrap();
        e.answer_retention(&desk(), check.id, false, today())
            .unwrap();
        assert_eq!(e.worker(NATALIA).unwrap().status, WorkerStatus::Available);
        // A new start date for the ended job: it stays ended, she stays available.
        record(&e, first.id, corrected(OutcomeKind::Hired)).unwrap();
        assert_eq!(e.worker(NATALIA).unwrap().status, WorkerStatus::Available);
        let other = other_request_for_natalia(&e);
        let second = e
            .propose(&desk(), other.id, NATALIA, &policy, today())
            .unwrap()
            .proposal;
        record(&e, second.id, input(OutcomeKind::Hired)).unwrap();
        assert_eq!(e.worker(NATALIA).unwrap().status, WorkerStatus::Placed);
        // The first job was never hers after all: her current job keeps her placed.
        record(&e, first.id, corrected(OutcomeKind::NotHired)).unwrap();
        assert_eq!(e.worker(NATALIA).unwrap().status, WorkerStatus::Placed);
    }

    #[test]
    fn the_desk_deciding_a_proposal_kept_for_review_clears_the_flag() {
        let e = engine();
        let policy = FollowUpPolicy::default();
        let natalia = propose(&e, ROSSI, NATALIA);
        let irina = propose(&e, ROSSI, IRINA);
        record(&e, natalia.id, input(OutcomeKind::Hired)).unwrap();
        // Irina's family says she started, but the one place is Natalia's: for review.
        let claim = PublicOutcome {
            outcome: OutcomeKind::Hired,
            start_on: None,
        };
        assert_eq!(
            e.record_public_outcome(irina.id, claim, Reporter::Family, &policy, today())
                .unwrap(),
            PublicAnswer::NeedsReview
        );
        let by_referrer = e
            .record_outcome(
                Some(&referrer()),
                irina.id,
                input(OutcomeKind::NoAnswer),
                &policy,
                today(),
            )
            .unwrap();
        assert!(
            by_referrer.proposal.needs_review,
            "the referrer is not the desk"
        );
        let by_desk = record(&e, irina.id, input(OutcomeKind::NotHired)).unwrap();
        assert!(!by_desk.proposal.needs_review);
        assert!(e.proposals_needing_review().unwrap().is_empty());
    }

    #[test]
    fn hiring_closes_the_workers_other_open_proposals() {
        let e = engine();
        let other = other_request_for_natalia(&e);
        let here = propose(&e, ROSSI, NATALIA);
        let there = propose(&e, other.id, NATALIA);
        record(&e, here.id, input(OutcomeKind::Hired)).unwrap();
        let closed = e.find_proposal(there.id).unwrap().unwrap();
        let o = closed.outcome.unwrap();
        assert_eq!(
            (o.outcome, o.reason),
            (
                OutcomeKind::NotHired,
                Some(NotHiredReason::WorkerPlacedElsewhere)
            )
        );
        assert!(e
            .follow_ups_of(there.id)
            .unwrap()
            .iter()
            .all(|f| f.status == FollowUpStatus::Cancelled));
        // And she cannot be hired there too while this job lasts.
        let again = record(
            &e,
            there.id,
            OutcomeInput {
                correction: Some(Correction {
                    reason: "la famiglia dice che ha iniziato".into(),
                }),
                ..input(OutcomeKind::Hired)
            },
        );
        assert!(matches!(again, Err(Error::Conflict(m)) if m.contains("già assunta")));
    }

    #[test]
    fn a_decided_outcome_changes_only_by_a_desk_correction_which_recomputes_states() {
        let e = engine();
        let p = propose(&e, ROSSI, NATALIA);
        record(&e, p.id, input(OutcomeKind::Hired)).unwrap();
        assert!(matches!(
            record(&e, p.id, input(OutcomeKind::NotHired)),
            Err(Error::Conflict(_))
        ));
        let by_referrer = e.record_outcome(
            Some(&referrer()),
            p.id,
            OutcomeInput {
                correction: Some(Correction {
                    reason: "errore".into(),
                }),
                ..input(OutcomeKind::NotHired)
            },
            &FollowUpPolicy::default(),
            today(),
        );
        assert!(matches!(by_referrer, Err(Error::Conflict(_))));
        assert!(matches!(
            record(&e, p.id, corrected(OutcomeKind::NoAnswer)),
            Err(Error::Invalid { field, .. }) if field == "outcome"
        ));
        let corrected = record(
            &e,
            p.id,
            OutcomeInput {
                correction: Some(Correction {
                    reason: "la famiglia ha cambiato idea prima di iniziare".into(),
                }),
                ..input(OutcomeKind::NotHired)
            },
        )
        .unwrap();
        let h = &corrected.proposal.history;
        assert_eq!(h.len(), 2);
        assert_eq!(h[0].outcome, OutcomeKind::Hired);
        assert!(h[1].correction.is_some() && h[1].applied);
        assert_eq!(e.worker(NATALIA).unwrap().status, WorkerStatus::Available);
        let r = e.find_request(ROSSI).unwrap().unwrap();
        assert_eq!(
            (r.status, r.closed_on),
            (RequestStatus::ProposalsSent, None)
        );
        assert!(corrected
            .follow_ups
            .iter()
            .filter(|f| f.kind == FollowUpKind::Retention)
            .all(|f| f.status == FollowUpStatus::Cancelled));
        assert!(e
            .audit_of(p.id)
            .unwrap()
            .iter()
            .any(|a| a.action == AuditAction::Correction));
    }

    #[test]
    fn public_answers_take_the_agreed_start_and_contradictions_go_to_review() {
        let e = engine();
        let policy = FollowUpPolicy::default();
        let p = propose(&e, ROSSI, NATALIA);
        let hired = PublicOutcome {
            outcome: OutcomeKind::Hired,
            start_on: None,
        };
        let later = today().add_days(30);
        assert_eq!(
            e.record_public_outcome(p.id, hired.clone(), Reporter::Family, &policy, later)
                .unwrap(),
            PublicAnswer::Recorded
        );
        let r = e.find_request(ROSSI).unwrap().unwrap();
        let p1 = e.find_proposal(p.id).unwrap().unwrap();
        assert_eq!(
            p1.outcome.unwrap().start_on,
            Some(r.start_on),
            "the agreed start"
        );
        // Saying the same again is fine; saying the opposite is kept, not applied.
        assert_eq!(
            e.record_public_outcome(p.id, hired, Reporter::Family, &policy, later)
                .unwrap(),
            PublicAnswer::Recorded
        );
        let no = PublicOutcome {
            outcome: OutcomeKind::NotHired,
            start_on: None,
        };
        assert_eq!(
            e.record_public_outcome(p.id, no, Reporter::Family, &policy, later)
                .unwrap(),
            PublicAnswer::NeedsReview
        );
        let p2 = e.find_proposal(p.id).unwrap().unwrap();
        assert!(p2.needs_review);
        assert_eq!(p2.outcome.unwrap().outcome, OutcomeKind::Hired);
        assert_eq!(
            p2.history.iter().map(|h| h.applied).collect::<Vec<_>>(),
            vec![true, false, false]
        );
        assert_eq!(e.proposals_needing_review().unwrap().len(), 1);
    }

    #[test]
    fn the_desks_day_lists_its_recent_public_answers_reviews_first() {
        let e = engine();
        let policy = FollowUpPolicy::default();
        let org = desk().org_id;
        let answered = propose(&e, ROSSI, IRINA);
        let contradicted = propose(&e, ROSSI, NATALIA);
        assert!(e.answers_to_review(org, today()).unwrap().is_empty());
        let said = |p: Id, outcome| {
            e.record_public_outcome(
                p,
                PublicOutcome {
                    outcome,
                    start_on: None,
                },
                Reporter::Worker,
                &policy,
                today(),
            )
            .unwrap()
        };
        said(answered.id, OutcomeKind::NotHired);
        said(contradicted.id, OutcomeKind::Hired);
        assert_eq!(
            said(contradicted.id, OutcomeKind::NotHired),
            PublicAnswer::NeedsReview
        );
        let ids = |since| -> Vec<Id> {
            e.answers_to_review(org, since)
                .unwrap()
                .into_iter()
                .map(|(p, _)| p.id)
                .collect()
        };
        assert_eq!(ids(today()), [contradicted.id, answered.id]);
        assert_eq!(
            ids(today().add_days(1)),
            [contradicted.id],
            "older answers drop off; a review stays until done"
        );
        assert!(e.answers_to_review(Id(1), today()).unwrap().is_empty());
    }
}
