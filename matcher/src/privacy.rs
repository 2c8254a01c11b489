//! The person's rights and the store's memory limits: export of everything held about a
//! worker, de-identification of what erasure leaves behind, and retention (closed
//! requests and old proposals lose names, phones, notes and explanations).

use std::collections::HashSet;

use serde::Serialize;

use crate::date::Date;
use crate::engine::{Change, Engine};
use crate::error::Result;
use crate::model::{
    AuditAction, AuditEntry, Contact, FollowUp, Id, Job, Proposal, RecordKind, Request,
    RequestStatus, Worker,
};

/// Everything DOM holds about one worker (GDPR art. 15 and 20), as one JSON document.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct WorkerExport {
    pub exported_on: Date,
    pub worker: Worker,
    /// Proposals of the person to families: only the request's job and comune, since
    /// the rest of the request is the family's data.
    pub proposals: Vec<ExportedProposal>,
    pub follow_ups: Vec<FollowUp>,
    /// The desk's contact log of the card, newest first.
    pub contacts: Vec<Contact>,
    /// Who read, changed or proposed the card, and when.
    pub audit: Vec<AuditEntry>,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ExportedProposal {
    #[serde(flatten)]
    pub proposal: Proposal,
    pub request_job: Option<Job>,
    pub request_comune: Option<String>,
}

/// What a retention pass de-identified.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RetentionPass {
    pub requests: usize,
    pub proposals: usize,
}

/// These proposals, those not yet de-identified,, stripped of everything but
/// what the monthly review counts, with their follow-ups likewise.
pub(crate) fn stripped_proposals(
    engine: &Engine,
    mut proposals: Vec<Proposal>,
    today: Date,
) -> Result<(Vec<Proposal>, Vec<FollowUp>)> {
    proposals.retain(|p| p.deidentified_on.is_none());
    let mut follow_ups = follow_ups_of(engine, &proposals)?;
    for p in &mut proposals {
        for r in &mut p.reasons {
            r.detail.clear();
        }
        p.warnings.clear();
        if let Some(o) = &mut p.outcome {
            o.note.clear();
        }
        p.deidentified_on = Some(today);
    }
    for f in &mut follow_ups {
        if let Some(o) = &mut f.outcome {
            o.note.clear();
        }
    }
    Ok((proposals, follow_ups))
}

/// The follow-ups of these proposals, through the by-proposal index.
fn follow_ups_of(engine: &Engine, proposals: &[Proposal]) -> Result<Vec<FollowUp>> {
    let mut out = Vec::new();
    for p in proposals {
        out.extend(engine.follow_ups_of(p.id)?);
    }
    Ok(out)
}

/// A request without the family's name, phone and notes (which may describe health).
fn deidentified(mut r: Request, today: Date) -> Request {
    r.family_name.clear();
    r.phone.clear();
    r.notes.clear();
    r.deidentified_on = Some(today);
    r
}

impl Engine {
    /// Everything held about a worker. The export itself is audited.
    pub fn export_worker(
        &self,
        id: Id,
        actor: &crate::model::Actor,
        today: Date,
    ) -> Result<WorkerExport> {
        let worker = self.store().workers.fetch(id)?;
        let proposals = self.proposals_of_worker(id)?;
        let ids: HashSet<Id> = proposals.iter().map(|p| p.id).collect();
        let follow_ups = follow_ups_of(self, &proposals)?;
        let mut exported = Vec::with_capacity(proposals.len());
        for p in proposals {
            let r = self.store().requests.get(p.request_id)?;
            exported.push(ExportedProposal {
                request_job: r.as_ref().map(|r| r.job),
                request_comune: r.map(|r| r.comune),
                proposal: p,
            });
        }
        self.store().append_audit(&AuditEntry::by(
            Some(actor),
            AuditAction::Export,
            RecordKind::Worker,
            id,
        ))?;
        Ok(WorkerExport {
            exported_on: today,
            audit: self
                .store()
                .audit_where(|e| e.record_id == id || ids.contains(&e.record_id))?,
            contacts: self.contacts_of(id)?,
            worker,
            proposals: exported,
            follow_ups,
        })
    }

    /// De-identifies requests closed before `cutoff` and proposals made before it. The
    /// requests are re-sealed under new keys, so their old versions become unreadable;
    /// their contact logs are removed.
    pub fn apply_retention(&self, cutoff: Date, today: Date) -> Result<RetentionPass> {
        let _u = self.lock_updates();
        let requests: Vec<Request> = self
            .store()
            .requests
            .select(|r| {
                r.deidentified_on.is_none()
                    && matches!(r.status, RequestStatus::Closed | RequestStatus::Filled)
                    && r.closed_on.is_some_and(|d| d < cutoff)
            })?
            .into_iter()
            .map(|r| deidentified(r, today))
            .collect();
        let (proposals, follow_ups) = stripped_proposals(
            self,
            self.store().proposals.select(|p| p.proposed_on < cutoff)?,
            today,
        )?;
        let done = RetentionPass {
            requests: requests.len(),
            proposals: proposals.len(),
        };
        if done == RetentionPass::default() {
            return Ok(done);
        }
        let mut removed_contacts = Vec::new();
        for r in &requests {
            removed_contacts.extend(self.contacts_of(r.id)?);
        }
        let audit = requests
            .iter()
            .map(|r| AuditEntry::by(None, AuditAction::Update, RecordKind::Request, r.id))
            .collect();
        self.apply(Change {
            requests,
            proposals,
            follow_ups,
            removed_contacts,
            audit,
            rekey: true,
            ..Change::default()
        })?;
        if done.requests > 0 {
            self.index().requests.purge_deleted()?;
        }
        Ok(done)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::followup::FollowUpPolicy;
    use crate::model::{Actor, Role};

    fn today() -> Date {
        Date::from_ymd(2026, 11, 20).unwrap()
    }

    fn desk() -> Actor {
        Actor {
            operator_id: Id(0xd1),
            org_id: Id(0xd0),
            role: Role::Operator,
        }
    }

    /// A demo engine with one proposal of the best candidate for the first request.
    fn with_proposal() -> (Engine, Proposal) {
        let e = Engine::temporary().unwrap();
        e.seed_demo(today()).unwrap();
        let r = e.store().requests.iter().next().unwrap().unwrap();
        let best = e.candidates(r.id, 1, today()).unwrap().remove(0);
        let p = e
            .propose(
                &desk(),
                r.id,
                best.worker_id,
                &FollowUpPolicy::default(),
                today(),
            )
            .unwrap()
            .proposal;
        (e, p)
    }

    #[test]
    fn export_holds_the_card_its_proposals_and_who_touched_it() {
        let (e, p) = with_proposal();
        e.audit(&desk(), AuditAction::Read, RecordKind::Worker, p.worker_id)
            .unwrap();
        let x = e.export_worker(p.worker_id, &desk(), today()).unwrap();
        assert_eq!(x.worker.id, p.worker_id);
        assert_eq!(x.proposals.len(), 1);
        assert_eq!(x.proposals[0].proposal.id, p.id);
        assert!(x.proposals[0].request_job.is_some());
        assert_eq!(
            x.follow_ups.len(),
            FollowUpPolicy::default().after_days.len()
        );
        assert!(x.audit.iter().any(|a| a.action == AuditAction::Read));
        let json = serde_json::to_value(&x).unwrap();
        assert!(json["proposals"][0].get("request_comune").is_some());
        // The export is itself on the record.
        let audit = e.store().audit_of(p.worker_id).unwrap();
        assert!(audit.iter().any(|a| a.action == AuditAction::Export));
    }

    #[test]
    fn erasure_keeps_counts_but_not_explanations() {
        let (e, p) = with_proposal();
        assert!(p.reasons.iter().any(|r| !r.detail.is_empty()));
        e.erase_worker(p.worker_id, Some(&desk()), today()).unwrap();
        let kept = e.store().proposals.fetch(p.id).unwrap();
        assert_eq!(kept.deidentified_on, Some(today()));
        assert!(kept.reasons.iter().all(|r| r.detail.is_empty()));
        assert_eq!(kept.score, p.score, "the score still counts");
        let month = crate::report::Month::of(today());
        assert_eq!(e.monthly_report(month, today()).unwrap().proposals_made, 1);
    }

    #[test]
    fn retention_deidentifies_closed_requests_and_old_proposals_only() {
        let (e, p) = with_proposal();
        let mut closed = e.store().requests.fetch(p.request_id).unwrap();
        closed.status = RequestStatus::Closed;
        closed.closed_on = Some(today().add_days(-800));
        e.apply(Change {
            requests: vec![closed.clone()],
            ..Change::default()
        })
        .unwrap();
        let open_count = e
            .store()
            .requests
            .select(|r| r.status == RequestStatus::Open)
            .unwrap()
            .len();
        // Nothing is old enough yet for a cutoff before everything.
        assert_eq!(
            e.apply_retention(today().add_days(-900), today()).unwrap(),
            RetentionPass::default()
        );
        let done = e.apply_retention(today().add_days(-730), today()).unwrap();
        assert_eq!(
            done,
            RetentionPass {
                requests: 1,
                proposals: 0
            }
        );
        let r = e.store().requests.fetch(p.request_id).unwrap();
        assert!(r.family_name.is_empty() && r.phone.is_empty() && r.notes.is_empty());
        assert_eq!(
            (r.job, r.comune.clone()),
            (closed.job, closed.comune.clone())
        );
        assert_eq!(
            e.store()
                .requests
                .select(|r| r.status == RequestStatus::Open)
                .unwrap()
                .len(),
            open_count,
            "open requests untouched"
        );
        // Proposals go once they are older than the cutoff; a second pass finds nothing.
        let done = e.apply_retention(today().add_days(1), today()).unwrap();
        assert_eq!(done.proposals, 1);
        assert_eq!(
            e.apply_retention(today().add_days(1), today()).unwrap(),
            RetentionPass {
                requests: 0,
                proposals: 0
            }
        );
        assert!(e.check().unwrap().is_consistent());
    }
}
