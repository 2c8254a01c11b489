//! Write commands on records: register, edit, erase, seed, and the administration's
//! organisations and operators. Each builds one `Change` whose audit lines commit in the
//! same transaction as the records they describe.

use super::Engine;
use crate::date::Date;
use crate::error::{Error, Result};
use crate::fixtures;
use crate::incomplete;
use crate::json;
use crate::model::{
    Actor, AuditAction, AuditEntry, Contact, FollowUp, Id, Operator, Organisation, Proposal,
    RecordKind, Request, RequestInput, RequestStatus, Worker, WorkerInput, WorkerStatus,
};
use crate::validate;

/// Records to write together, with the audit lines that describe them.
#[derive(Debug, Default)]
pub struct Change {
    pub workers: Vec<Worker>,
    pub requests: Vec<Request>,
    pub erased_workers: Vec<Id>,
    pub proposals: Vec<Proposal>,
    pub follow_ups: Vec<FollowUp>,
    /// Contact-log lines written, and those removed with the record they were about.
    pub contacts: Vec<Contact>,
    pub removed_contacts: Vec<Contact>,
    pub organisations: Vec<Organisation>,
    pub operators: Vec<Operator>,
    /// Public outcome codes and their proposals.
    pub codes: Vec<(String, Id)>,
    pub audit: Vec<AuditEntry>,
    /// Seal the workers and requests under new keys, destroying the old ones, so no
    /// earlier version stays readable anywhere (de-identification).
    pub rekey: bool,
}

impl Change {
    /// A change audited as `action` by `actor` (the system when `None`) on one record.
    pub(crate) fn audited(
        actor: Option<&Actor>,
        action: AuditAction,
        kind: RecordKind,
        id: Id,
    ) -> Change {
        Change {
            audit: vec![AuditEntry::by(actor, action, kind, id)],
            ..Change::default()
        }
    }
}

impl Engine {
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
        let mut c = Change::audited(actor, AuditAction::Create, RecordKind::Worker, w.id);
        c.workers.push(w.clone());
        self.apply(c)?;
        Ok(w)
    }

    /// Erases a person: their card and contact log leave the store (its key destroyed),
    /// the index, the tables and the dedupe keys; their proposals keep only what the
    /// monthly review counts (dates, outcome kind, score), stripped of explanations and
    /// notes.
    pub fn erase_worker(&self, id: Id, actor: Option<&Actor>, today: Date) -> Result<()> {
        let _u = self.lock_updates();
        self.store.workers.fetch(id)?;
        let (proposals, follow_ups) =
            crate::privacy::stripped_proposals(self, self.proposals_of_worker(id)?, today)?;
        let mut c = Change::audited(actor, AuditAction::Erase, RecordKind::Worker, id);
        c.erased_workers.push(id);
        c.proposals = proposals;
        c.follow_ups = follow_ups;
        c.removed_contacts = self.contacts_of(id)?;
        self.apply(c)
    }

    /// Registers a family request from its JSON body. The anti-discrimination guard
    /// reads the body before typed parsing, so a `nationality` field is refused as
    /// discriminatory rather than merely unknown; free text is checked by validation.
    pub fn register_request(
        &self,
        body: &serde_json::Value,
        actor: Option<&Actor>,
        today: Date,
    ) -> Result<Request> {
        let org = actor.map(|a| a.org_id);
        self.noting_refusal(org, today, crate::guard::check_fields(body))?;
        let input: RequestInput = json::parse(body.clone())?;
        let mut r =
            self.noting_refusal(org, today, validate::request(input, Id::random(), today))?;
        r.org_id = org;
        let mut c = Change::audited(actor, AuditAction::Create, RecordKind::Request, r.id);
        c.requests.push(r.clone());
        self.apply(c)?;
        Ok(r)
    }

    /// Records that `actor` read or exported a person's record (or, for a backup, the
    /// whole store).
    pub fn audit(
        &self,
        actor: &Actor,
        action: AuditAction,
        kind: RecordKind,
        id: Id,
    ) -> Result<()> {
        self.store
            .append_audit(&AuditEntry::by(Some(actor), action, kind, id))
    }

    /// `audit` for every record of a list the actor was shown (a page of requests).
    pub fn audit_each(
        &self,
        actor: &Actor,
        action: AuditAction,
        kind: RecordKind,
        ids: impl IntoIterator<Item = Id>,
    ) -> Result<()> {
        for id in ids {
            self.audit(actor, action, kind, id)?;
        }
        Ok(())
    }

    /// Loads the demo organisations, operators, workers and requests into an empty store.
    /// Returns false (and changes nothing) if the store already holds data.
    pub fn seed_demo(&self, today: Date) -> Result<bool> {
        if !self.store.organisations.is_empty() || !self.store.workers.is_empty() {
            return Ok(false);
        }
        let demo = fixtures::demo_organisations()?;
        self.apply(Change {
            organisations: demo.organisations,
            operators: demo.operators.into_iter().map(|(op, _)| op).collect(),
            ..Change::default()
        })?;
        self.import_workers(&fixtures::demo_workers_at(today)?)?;
        self.import_requests(&fixtures::demo_requests_at(today)?)?;
        Ok(true)
    }

    /// `seed_demo` and twelve months of history behind it (`--demo`), so the monthly
    /// review's charts and effectiveness have content on first run. The demo set alone
    /// stays what unit tests seed.
    pub fn seed_demo_with_history(&self, today: Date) -> Result<bool> {
        let seeded = self.seed_demo(today)?;
        if seeded {
            crate::demo::seed_history(self, today)?;
        }
        Ok(seeded)
    }

    /// Applies a JSON merge patch to a worker card. Besides the create fields it takes
    /// `status` (`available` / `inactive`) and `reconfirm: true` (the person confirmed
    /// the card today). The result is validated like a new card. An `incomplete` card
    /// sheds each missing field the patch sets, and becomes `available` when nothing is
    /// missing and the patch reconfirms it.
    pub fn patch_worker(
        &self,
        actor: &Actor,
        id: Id,
        patch: &serde_json::Value,
        today: Date,
    ) -> Result<Worker> {
        let _u = self.lock_updates();
        let old = self.store.workers.fetch(id)?;
        let mut patch = patch.clone();
        let obj = patch
            .as_object_mut()
            .ok_or_else(|| Error::invalid("", "il corpo deve essere un oggetto JSON"))?;
        // `placed` follows from a recorded hire, never from an edit.
        let status = match obj.remove("status").map(json::parse::<WorkerStatus>) {
            None => None,
            Some(Ok(s)) if s != WorkerStatus::Placed && s != WorkerStatus::Incomplete => Some(s),
            Some(_) => {
                return Err(Error::invalid(
                    "status",
                    "stato non valido: available (disponibile) o inactive (ritirata); \
                     «collocata» si registra con l'esito di una proposta",
                ))
            }
        };
        let reconfirm = match obj.remove("reconfirm") {
            None => false,
            Some(v) => v
                .as_bool()
                .ok_or_else(|| Error::invalid("reconfirm", "deve essere true o false"))?,
        };
        let missing = incomplete::still_missing(&old.missing, obj);
        let input: WorkerInput = json::patched(&old.to_input(), &patch)?;
        let mut w = validate::worker(input, id, today)?;
        w.org_id = old.org_id;
        w.registered_on = old.registered_on;
        w.last_proposed_on = old.last_proposed_on;
        w.possible_duplicate_of = old.possible_duplicate_of.clone();
        w.confirmed_on = if reconfirm { today } else { old.confirmed_on };
        w.status = status.unwrap_or(old.status);
        if old.status == WorkerStatus::Incomplete {
            // A card from a sheet becomes a candidate only once complete and confirmed
            // with the person: until then its placeholders must not be matched.
            w.status = match status {
                Some(WorkerStatus::Inactive) => WorkerStatus::Inactive,
                Some(WorkerStatus::Available) if !missing.is_empty() => {
                    return Err(Error::invalid(
                        missing[0].clone(),
                        format!("scheda da completare: {}", incomplete::describe(&missing)),
                    ))
                }
                _ if missing.is_empty() && reconfirm => WorkerStatus::Available,
                _ => WorkerStatus::Incomplete,
            };
            w.missing = missing;
        }
        let mut c = Change::audited(Some(actor), AuditAction::Update, RecordKind::Worker, id);
        c.workers.push(w.clone());
        self.apply(c)?;
        Ok(w)
    }

    /// Applies a JSON merge patch to a request. Besides the create fields it takes
    /// `status`: `closed` closes it, `open` reopens it.
    pub fn patch_request(
        &self,
        actor: &Actor,
        id: Id,
        patch: &serde_json::Value,
        today: Date,
    ) -> Result<Request> {
        let _u = self.lock_updates();
        let old = self.store.requests.fetch(id)?;
        if old.deidentified_on.is_some() {
            return Err(Error::Conflict(
                "richiesta anonimizzata per scadenza dei termini di conservazione: non modificabile"
                    .into(),
            ));
        }
        let mut patch = patch.clone();
        self.noting_refusal(
            Some(actor.org_id),
            today,
            crate::guard::check_fields(&patch),
        )?;
        let obj = patch
            .as_object_mut()
            .ok_or_else(|| Error::invalid("", "il corpo deve essere un oggetto JSON"))?;
        let status = obj
            .remove("status")
            .map(json::parse::<RequestStatus>)
            .transpose()
            .map_err(|_| Error::invalid("status", "stato non valido (open, closed)"))?;
        let org = Some(actor.org_id);
        let close_reason = self.noting_refusal(org, today, reason_field(obj, "close_reason"))?;
        let reopen_reason = self.noting_refusal(org, today, reason_field(obj, "reopen_reason"))?;
        let input: RequestInput = json::patched(&old.to_input(), &patch)?;
        let mut r = self.noting_refusal(
            Some(actor.org_id),
            today,
            validate::request(input, id, today),
        )?;
        r.org_id = old.org_id;
        r.created_on = old.created_on;
        r.status = old.status;
        r.closed_on = old.closed_on;
        r.status_reason = old.status_reason.clone();
        match status {
            None => {}
            Some(RequestStatus::Closed) if old.status == RequestStatus::Filled => {
                return Err(Error::Conflict(
                    "la richiesta è coperta: per cambiarla si corregge l'esito della proposta"
                        .into(),
                ))
            }
            Some(RequestStatus::Closed) => {
                r.status = RequestStatus::Closed;
                // Closing again keeps the day it was closed: the review counts it then.
                r.closed_on = Some(old.closed_on.filter(|_| !old.is_open()).unwrap_or(today));
                r.status_reason = Some(close_reason.ok_or_else(|| {
                    Error::invalid("close_reason", "indicare perché si chiude la richiesta")
                })?);
            }
            Some(RequestStatus::Open) if old.is_open() => {}
            Some(RequestStatus::Open) => {
                // Reopening changes what the review counts: only with a reason.
                r.status = if self.proposals_of(id)?.is_empty() {
                    RequestStatus::Open
                } else {
                    RequestStatus::ProposalsSent
                };
                r.closed_on = None;
                r.status_reason = Some(reopen_reason.ok_or_else(|| {
                    Error::invalid("reopen_reason", "indicare perché si riapre la richiesta")
                })?);
            }
            Some(_) => {
                return Err(Error::invalid(
                    "status",
                    "si può solo chiudere (closed) o riaprire (open); «coperta» si registra con l'esito",
                ))
            }
        }
        if r.positions < old.positions && self.hires_of(id)? > usize::from(r.positions) {
            return Err(Error::invalid(
                "positions",
                "ci sono già più assunzioni dei posti indicati",
            ));
        }
        let mut c = Change::audited(Some(actor), AuditAction::Update, RecordKind::Request, id);
        c.requests.push(r.clone());
        self.apply(c)?;
        Ok(r)
    }

    /// How many proposals of a request ended in a hire.
    fn hires_of(&self, request: Id) -> Result<usize> {
        Ok(self
            .proposals_of(request)?
            .iter()
            .filter(|p| {
                p.outcome
                    .as_ref()
                    .is_some_and(|o| o.outcome == crate::model::OutcomeKind::Hired)
            })
            .count())
    }

    /// Creates an organisation (administration), audited.
    pub fn create_organisation(
        &self,
        actor: Option<&Actor>,
        org: Organisation,
    ) -> Result<Organisation> {
        let mut c = Change::audited(actor, AuditAction::Create, RecordKind::Organisation, org.id);
        c.organisations.push(org.clone());
        self.apply(c)?;
        Ok(org)
    }

    /// Changes an organisation's name or profile (administration), audited.
    pub fn update_organisation(
        &self,
        actor: Option<&Actor>,
        id: Id,
        patch: crate::model::OrganisationPatch,
    ) -> Result<Organisation> {
        let _u = self.lock_updates();
        let old = self
            .store
            .organisations
            .get(id)?
            .ok_or_else(|| Error::NotFound {
                kind: "organizzazione",
                id: id.to_string(),
            })?;
        let org = crate::validate::organisation(&old, patch)?;
        let mut c = Change::audited(actor, AuditAction::Update, RecordKind::Organisation, id);
        c.organisations.push(org.clone());
        self.apply(c)?;
        Ok(org)
    }

    /// Creates an operator of an existing organisation (administration), audited.
    pub fn create_operator(&self, actor: Option<&Actor>, op: Operator) -> Result<Operator> {
        let _u = self.lock_updates();
        if self.store.organisations.get(op.org_id)?.is_none() {
            return Err(Error::invalid("org_id", "organizzazione inesistente"));
        }
        let mut c = Change::audited(actor, AuditAction::Create, RecordKind::Operator, op.id);
        c.operators.push(op.clone());
        self.apply(c)?;
        Ok(op)
    }
}

/// A free-text reason taken out of a patch body: trimmed, at most 500 characters, and
/// read by the anti-discrimination guard like every text about a request.
fn reason_field(
    obj: &mut serde_json::Map<String, serde_json::Value>,
    field: &str,
) -> Result<Option<String>> {
    let Some(v) = obj.remove(field) else {
        return Ok(None);
    };
    let text = v
        .as_str()
        .ok_or_else(|| Error::invalid(field, "deve essere un testo"))?
        .trim()
        .to_string();
    if text.is_empty() || text.chars().count() > 500 {
        return Err(Error::invalid(field, "da 1 a 500 caratteri"));
    }
    crate::guard::check_text(field, &text)?;
    Ok(Some(text))
}
