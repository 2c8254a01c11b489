//! What happens around a match: proposing a worker to a family, the dated follow-ups
//! that ask whether it became a job, outcomes (from operators or, by outcome code, from
//! the family or the worker), 90-day retention checks, edits, and the periodic sweep.

use serde::Serialize;

use crate::date::Date;
use crate::engine::{Change, Eligibility, Engine};
use crate::error::{Error, Result};
use crate::model::{
    Actor, AuditAction, AuditEntry, FollowUp, FollowUpKind, FollowUpStatus, Id, Proposal,
    RecordKind, RequestStatus, WorkerStatus,
};

/// When follow-ups fall due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowUpPolicy {
    /// Days after a proposal to ask whether it became a job.
    pub after_days: Vec<i32>,
    /// Days after the start of a job to ask whether it is still going.
    pub retention_days: i32,
}

impl Default for FollowUpPolicy {
    fn default() -> Self {
        FollowUpPolicy {
            after_days: vec![7, 30],
            retention_days: 90,
        }
    }
}

/// Cards not confirmed for this long become inactive.
pub const INACTIVE_AFTER_DAYS: i32 = 365;

/// A proposal with its follow-ups, as the API returns it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ProposalView {
    #[serde(flatten)]
    pub proposal: Proposal,
    pub follow_ups: Vec<FollowUp>,
}

/// Counts of what a sweep changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sweep {
    pub overdue: usize,
    pub inactivated: usize,
}

/// Letters and digits that cannot be confused when read aloud or handwritten.
const CODE_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
pub const CODE_LEN: usize = 10;

fn new_code() -> String {
    (0..CODE_LEN)
        .map(|_| CODE_ALPHABET[rand::random_range(0..CODE_ALPHABET.len())] as char)
        .collect()
}

/// Normalises a code as typed by a person: case, spaces and dashes do not matter.
pub fn normalise_code(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

impl Engine {
    /// All proposals made for a request, oldest first.
    pub fn proposals_of(&self, request_id: Id) -> Result<Vec<Proposal>> {
        let mut out = self.store().proposals.children(request_id)?;
        out.sort_by_key(|p| (p.proposed_on, p.id));
        Ok(out)
    }

    /// All proposals made of a worker, oldest first (through the by-worker index).
    pub fn proposals_of_worker(&self, worker_id: Id) -> Result<Vec<Proposal>> {
        let mut out = self
            .store()
            .proposals
            .linked(crate::store::TreeName::ProposalsByWorker, worker_id)?;
        out.sort_by_key(|p| (p.proposed_on, p.id));
        Ok(out)
    }

    /// The follow-ups of a proposal, by due date.
    pub fn follow_ups_of(&self, proposal_id: Id) -> Result<Vec<FollowUp>> {
        let mut out = self.store().follow_ups.children(proposal_id)?;
        out.sort_by_key(|f| (f.due_on, f.id));
        Ok(out)
    }

    pub fn proposal_view(&self, p: Proposal) -> Result<ProposalView> {
        let follow_ups = self.follow_ups_of(p.id)?;
        Ok(ProposalView {
            proposal: p,
            follow_ups,
        })
    }

    /// Proposes a worker to a family: records the score as it is now, moves the request
    /// to `proposals_sent`, schedules the follow-ups and issues the outcome code.
    pub fn propose(
        &self,
        actor: &Actor,
        request_id: Id,
        worker_id: Id,
        policy: &FollowUpPolicy,
        today: Date,
    ) -> Result<ProposalView> {
        let _u = self.lock_updates();
        let mut r = self.store().requests.fetch(request_id)?;
        if !r.is_open() {
            return Err(Error::Conflict(format!(
                "la richiesta è {}: non si possono fare nuove proposte",
                r.status.label()
            )));
        }
        if self
            .proposals_of(request_id)?
            .iter()
            .any(|p| p.worker_id == worker_id)
        {
            return Err(Error::Conflict(
                "questa persona è già stata proposta per questa richiesta".into(),
            ));
        }
        let candidate = match self.eligibility(worker_id, &r, today)? {
            Eligibility::Eligible(c) => c,
            Eligibility::Excluded(why) => {
                return Err(Error::NotEligible {
                    excluded_by: why
                        .iter()
                        .map(crate::rank::Exclusion::excluded_by)
                        .collect(),
                });
            }
        };
        let rank = self
            .candidates_for(&r, crate::rank::MAX_LIMIT, today)?
            .iter()
            .position(|c| c.worker_id == worker_id)
            .map(|i| i as u32 + 1);
        let mut w = self.store().workers.fetch(worker_id)?;
        w.last_proposed_on = Some(today);
        if r.status == RequestStatus::Open {
            r.status = RequestStatus::ProposalsSent;
        }
        let mut code = new_code();
        while self.store().proposal_for_code(&code)?.is_some() {
            code = new_code();
        }
        let p = Proposal {
            id: Id::random(),
            request_id,
            worker_id,
            org_id: actor.org_id,
            proposed_by: actor.operator_id,
            proposed_on: today,
            score: candidate.score,
            rank,
            reasons: candidate.reasons,
            warnings: candidate.warnings,
            outcome_code: code.clone(),
            outcome: None,
            needs_review: false,
            history: Vec::new(),
            deidentified_on: None,
        };
        let follow_ups: Vec<FollowUp> = policy
            .after_days
            .iter()
            .map(|d| FollowUp {
                id: Id::random(),
                proposal_id: p.id,
                org_id: actor.org_id,
                kind: FollowUpKind::Outcome,
                due_on: today.add_days(*d),
                status: FollowUpStatus::Due,
                outcome: None,
                retained: None,
                done_on: None,
            })
            .collect();
        self.apply(Change {
            workers: vec![w],
            requests: vec![r],
            proposals: vec![p.clone()],
            follow_ups: follow_ups.clone(),
            codes: vec![(code, p.id)],
            audit: vec![AuditEntry::by(
                Some(actor),
                AuditAction::Propose,
                RecordKind::Proposal,
                p.id,
            )],
            ..Change::default()
        })?;
        Ok(ProposalView {
            proposal: p,
            follow_ups,
        })
    }

    /// Answers a 90-day retention check. A job that ended makes the card available again.
    pub fn answer_retention(
        &self,
        actor: &Actor,
        follow_up_id: Id,
        still_employed: bool,
        today: Date,
    ) -> Result<FollowUp> {
        let _u = self.lock_updates();
        let mut f = self.store().follow_ups.fetch(follow_up_id)?;
        if f.kind != FollowUpKind::Retention {
            return Err(Error::Conflict(
                "questa verifica chiede l'esito della proposta, non la durata del lavoro".into(),
            ));
        }
        match f.status {
            FollowUpStatus::Done => return Err(Error::Conflict("verifica già registrata".into())),
            // Cancelled when the hire it asked about was corrected: nothing left to ask.
            FollowUpStatus::Cancelled => {
                return Err(Error::Conflict(
                    "verifica annullata: l'assunzione a cui si riferiva è stata corretta".into(),
                ))
            }
            FollowUpStatus::Due | FollowUpStatus::Overdue => {}
        }
        f.status = FollowUpStatus::Done;
        f.retained = Some(still_employed);
        f.done_on = Some(today);
        let mut change = Change::default();
        if !still_employed {
            let p = self.store().proposals.fetch(f.proposal_id)?;
            if let Some(mut w) = self.store().workers.get(p.worker_id)? {
                if w.status == WorkerStatus::Placed {
                    w.status = WorkerStatus::Available;
                    change.workers.push(w);
                }
            }
        }
        change.follow_ups.push(f.clone());
        change.audit.push(AuditEntry::by(
            Some(actor),
            AuditAction::FollowUp,
            RecordKind::FollowUp,
            f.id,
        ));
        self.apply(change)?;
        Ok(f)
    }

    /// Open follow-ups of an organisation due before `before`, oldest first.
    pub fn follow_ups_due(&self, org: Id, before: Date) -> Result<Vec<FollowUp>> {
        let mut out = self.store().follow_ups.select(|f| {
            f.org_id == org
                && f.due_on < before
                && matches!(f.status, FollowUpStatus::Due | FollowUpStatus::Overdue)
        })?;
        out.sort_by_key(|f| (f.due_on, f.id));
        Ok(out)
    }

    /// The background task's work: follow-ups past their date become overdue; cards not
    /// confirmed for a year become inactive.
    pub fn sweep(&self, today: Date) -> Result<Sweep> {
        let _u = self.lock_updates();
        let mut change = Change::default();
        for f in self.store().follow_ups.iter() {
            let mut f = f?;
            if f.status == FollowUpStatus::Due && f.due_on < today {
                f.status = FollowUpStatus::Overdue;
                change.follow_ups.push(f);
            }
        }
        // The in-memory table knows status and confirmation date: only the cards that
        // change are read from the store (an hourly full decode would not scale).
        let stale = self.worker_ids_where(|f| {
            f.status == WorkerStatus::Available
                && today.days_since(f.confirmed_on) >= INACTIVE_AFTER_DAYS
        });
        for id in stale {
            let Some(mut w) = self.store().workers.get(id)? else {
                continue;
            };
            if w.status == WorkerStatus::Available {
                w.status = WorkerStatus::Inactive;
                change.audit.push(AuditEntry::by(
                    None,
                    AuditAction::Update,
                    RecordKind::Worker,
                    w.id,
                ));
                change.workers.push(w);
            }
        }
        let sweep = Sweep {
            overdue: change.follow_ups.len(),
            inactivated: change.workers.len(),
        };
        if sweep != Sweep::default() {
            self.apply(change)?;
        }
        Ok(sweep)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{NotHiredReason, OutcomeKind, Reporter};
    use crate::outcome::OutcomeInput;

    use crate::fixtures::testing::{desk, engine, today, NATALIA, ROSSI};

    /// The demo engine with Natalia proposed to the Rossi family today.
    fn natalia_proposed() -> (Engine, FollowUpPolicy, Proposal) {
        let e = engine();
        let policy = FollowUpPolicy::default();
        let p = e
            .propose(&desk(), ROSSI, NATALIA, &policy, today())
            .unwrap()
            .proposal;
        (e, policy, p)
    }

    fn hired(start: &str) -> OutcomeInput {
        OutcomeInput {
            outcome: OutcomeKind::Hired,
            reported_by: Reporter::Family,
            reason: None,
            note: String::new(),
            start_on: Some(start.parse().unwrap()),
            contract: None,
            correction: None,
        }
    }

    #[test]
    fn proposing_records_score_schedules_follow_ups_and_moves_request() {
        let e = engine();
        let policy = FollowUpPolicy::default();
        let view = e
            .propose(&desk(), ROSSI, NATALIA, &policy, today())
            .unwrap();
        assert!(view.proposal.score > 0.0);
        assert!(
            view.proposal.rank.is_some_and(|r| r >= 1),
            "Natalia ranks among the candidates"
        );
        assert_eq!(view.proposal.reasons.len(), 8);
        assert_eq!(view.proposal.outcome_code.len(), CODE_LEN);
        let due: Vec<_> = view.follow_ups.iter().map(|f| f.due_on).collect();
        assert_eq!(due, vec![today().add_days(7), today().add_days(30)]);
        let r = e.store().requests.fetch(ROSSI).unwrap();
        assert_eq!(r.status, RequestStatus::ProposalsSent);
        let w = e.store().workers.fetch(NATALIA).unwrap();
        assert_eq!(w.last_proposed_on, Some(today()));
        assert_eq!(
            e.store()
                .proposal_for_code(&view.proposal.outcome_code)
                .unwrap(),
            Some(view.proposal.id)
        );
        // Twice is refused, and so is someone the constraints exclude.
        assert!(matches!(
            e.propose(&desk(), ROSSI, NATALIA, &policy, today()),
            Err(Error::Conflict(_))
        ));
        let olena = Id(0xa000000000000002); // no driving licence, which Rossi require
        assert!(matches!(
            e.propose(&desk(), ROSSI, olena, &policy, today()),
            Err(Error::NotEligible { excluded_by }) if excluded_by.iter().any(|e| e.detail.contains("patente"))
        ));
    }

    #[test]
    fn hired_places_worker_fills_request_and_schedules_retention() {
        let (e, policy, p) = natalia_proposed();
        let view = e
            .record_outcome(None, p.id, hired("2026-12-03"), &policy, today())
            .unwrap();
        assert_eq!(
            view.proposal.outcome.as_ref().unwrap().outcome,
            OutcomeKind::Hired
        );
        assert!(view
            .follow_ups
            .iter()
            .filter(|f| f.kind == FollowUpKind::Outcome)
            .all(|f| f.status == FollowUpStatus::Done));
        let retention = view
            .follow_ups
            .iter()
            .find(|f| f.kind == FollowUpKind::Retention)
            .unwrap();
        assert_eq!(retention.due_on, "2027-03-03".parse().unwrap());
        assert_eq!(
            e.store().workers.fetch(NATALIA).unwrap().status,
            WorkerStatus::Placed
        );
        let r = e.store().requests.fetch(ROSSI).unwrap();
        assert_eq!(
            (r.status, r.closed_on),
            (RequestStatus::Filled, Some(today()))
        );
        // A second outcome is a conflict; the job ending frees the card.
        assert!(matches!(
            e.record_outcome(None, p.id, hired("2026-12-03"), &policy, today()),
            Err(Error::Conflict(_))
        ));
        let f = e
            .answer_retention(&desk(), retention.id, false, today())
            .unwrap();
        assert_eq!(f.retained, Some(false));
        assert_eq!(
            e.store().workers.fetch(NATALIA).unwrap().status,
            WorkerStatus::Available
        );
    }

    #[test]
    fn no_answer_closes_only_the_follow_up_at_hand() {
        let (e, policy, p) = natalia_proposed();
        let input = OutcomeInput {
            outcome: OutcomeKind::NoAnswer,
            reported_by: Reporter::Operator,
            reason: None,
            note: "telefono spento".into(),
            start_on: None,
            contract: None,
            correction: None,
        };
        let view = e
            .record_outcome(Some(&desk()), p.id, input, &policy, today())
            .unwrap();
        let statuses: Vec<_> = view.follow_ups.iter().map(|f| f.status).collect();
        assert_eq!(statuses, vec![FollowUpStatus::Done, FollowUpStatus::Due]);
        // Later a real answer is still accepted.
        let mut not_hired = hired("2026-12-03");
        not_hired.outcome = OutcomeKind::NotHired;
        assert!(matches!(
            e.record_outcome(Some(&desk()), p.id, not_hired.clone(), &policy, today()),
            Err(Error::Invalid { field, .. }) if field == "reason"
        ));
        not_hired.reason = Some(NotHiredReason::Wage);
        let view = e
            .record_outcome(Some(&desk()), p.id, not_hired, &policy, today())
            .unwrap();
        assert!(view
            .follow_ups
            .iter()
            .all(|f| f.status == FollowUpStatus::Done));
        assert_eq!(view.proposal.outcome.unwrap().start_on, None);
    }

    #[test]
    fn due_list_is_per_organisation_and_oldest_first() {
        let e = engine();
        let policy = FollowUpPolicy::default();
        e.propose(&desk(), ROSSI, NATALIA, &policy, today())
            .unwrap();
        e.propose(
            &desk(),
            ROSSI,
            Id(0xa000000000000015),
            &policy,
            today().add_days(1),
        )
        .unwrap();
        let due = e
            .follow_ups_due(desk().org_id, today().add_days(40))
            .unwrap();
        assert_eq!(due.len(), 4);
        assert!(due.windows(2).all(|w| w[0].due_on <= w[1].due_on));
        assert!(e
            .follow_ups_due(desk().org_id, today().add_days(7))
            .unwrap()
            .is_empty());
        assert!(e
            .follow_ups_due(Id(0xd0c0000000000002), today().add_days(40))
            .unwrap()
            .is_empty());
    }

    #[test]
    fn sweep_marks_overdue_and_inactivates_stale_cards() {
        let e = engine();
        let policy = FollowUpPolicy::default();
        e.propose(&desk(), ROSSI, NATALIA, &policy, today())
            .unwrap();
        let s = e.sweep(today().add_days(8)).unwrap();
        assert_eq!(s.overdue, 1);
        let far = e.sweep(today().add_days(400)).unwrap();
        assert_eq!(far.overdue, 1);
        assert!(far.inactivated > 10);
        assert_eq!(e.sweep(today().add_days(400)).unwrap(), Sweep::default());
    }

    #[test]
    fn patches_are_validated_like_creates() {
        let e = engine();
        let w = e
            .patch_worker(
                &desk(),
                NATALIA,
                &serde_json::json!({"max_travel_km": 50, "reconfirm": true}),
                today().add_days(3),
            )
            .unwrap();
        assert_eq!(w.max_travel_km, 50);
        assert_eq!(w.confirmed_on, today().add_days(3));
        assert!(matches!(
            e.patch_worker(&desk(), NATALIA, &serde_json::json!({"max_travel_km": 5000}), today()),
            Err(Error::Invalid { field, .. }) if field == "max_travel_km"
        ));
        assert!(matches!(
            e.patch_request(
                &desk(),
                ROSSI,
                &serde_json::json!({"notes": "solo italiane"}),
                today()
            ),
            Err(Error::Discriminatory { .. })
        ));
        assert!(matches!(
            e.patch_request(&desk(), ROSSI, &serde_json::json!({"status": "closed"}), today()),
            Err(Error::Invalid { field, .. }) if field == "close_reason"
        ));
        let r = e
            .patch_request(
                &desk(),
                ROSSI,
                &serde_json::json!({"status": "closed", "close_reason": "la famiglia ha trovato da sola"}),
                today(),
            )
            .unwrap();
        assert_eq!(
            r.status_reason.as_deref(),
            Some("la famiglia ha trovato da sola")
        );
        assert_eq!(r.status, RequestStatus::Closed);
        assert_eq!(
            e.store().requests.fetch(ROSSI).unwrap().status,
            RequestStatus::Closed
        );
        // Closing again changes the reason, not the day the review counts it closed.
        let again = e
            .patch_request(
                &desk(),
                ROSSI,
                &serde_json::json!({"status": "closed", "close_reason": "nessuna risposta"}),
                today().add_days(40),
            )
            .unwrap();
        assert_eq!(again.closed_on, Some(today()));
    }

    #[test]
    fn a_filled_request_is_not_closed_and_a_cancelled_check_is_not_answered() {
        let (e, policy, p) = natalia_proposed();
        let view = e
            .record_outcome(Some(&desk()), p.id, hired("2026-12-03"), &policy, today())
            .unwrap();
        let check = view
            .follow_ups
            .iter()
            .find(|f| f.kind == FollowUpKind::Retention)
            .unwrap();
        let close = serde_json::json!({"status": "closed", "close_reason": "fatto"});
        assert!(matches!(
            e.patch_request(&desk(), ROSSI, &close, today().add_days(30)),
            Err(Error::Conflict(m)) if m.contains("coperta")
        ));
        assert_eq!(
            e.store().requests.fetch(ROSSI).unwrap().closed_on,
            Some(today())
        );
        let mut never = hired("2026-12-03");
        never.outcome = OutcomeKind::NotHired;
        never.reason = Some(NotHiredReason::NeedChanged);
        never.correction = Some(crate::outcome::Correction {
            reason: "non ha mai iniziato".into(),
        });
        e.record_outcome(Some(&desk()), p.id, never, &policy, today())
            .unwrap();
        // The check asked about a hire that no longer stands: answering it changes nothing.
        assert!(matches!(
            e.answer_retention(&desk(), check.id, false, today()),
            Err(Error::Conflict(_))
        ));
        assert_eq!(
            e.store().follow_ups.fetch(check.id).unwrap().status,
            FollowUpStatus::Cancelled
        );
    }
}
