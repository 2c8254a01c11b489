//! Who may see or change what, decided in one place for the API and the web pages alike:
//! role checks, organisation scoping, and the access-checked loads and actions both share.
//! Another organisation's record is "not found", so not even its existence leaks.

use std::net::SocketAddr;

use matcher::model::{
    Actor, AuditAction, Contact, ContactInput, FollowUp, Id, Proposal, RecordKind, Reporter,
    Request, Role, Worker,
};
use matcher::{
    Date, Engine, OutcomeInput, ProposalView, PublicAnswer, PublicOutcome, RequestScope,
};

use crate::app::State;
use crate::error::ApiError;

/// Refuses with 403 unless the actor has one of `roles`.
pub fn require(actor: &Actor, roles: &[Role]) -> Result<(), ApiError> {
    if roles.contains(&actor.role) {
        Ok(())
    } else {
        Err(ApiError::Forbidden)
    }
}

/// Desk staff only: people's full cards, rankings, proposals, follow-ups.
pub fn desk(actor: &Actor) -> Result<(), ApiError> {
    require(actor, &[Role::Operator])
}

/// Administration only: organisations, operators, audit, backups.
pub fn admin(actor: &Actor) -> Result<(), ApiError> {
    require(actor, &[Role::Admin])
}

/// The monthly review: the coordinator and the desks.
pub fn review(actor: &Actor) -> Result<(), ApiError> {
    require(actor, &[Role::Coordinator, Role::Operator])
}

/// Which requests an actor works with: desks all, referrers their organisation's.
pub fn request_scope(actor: &Actor) -> Result<RequestScope, ApiError> {
    match actor.role {
        Role::Operator => Ok(RequestScope::All),
        Role::Referrer => Ok(RequestScope::Organisation(actor.org_id)),
        Role::Coordinator | Role::Admin => Err(ApiError::Forbidden),
    }
}

/// A request the actor may see and change; one outside its scope is not found.
pub fn visible_request(engine: &Engine, actor: &Actor, id: Id) -> Result<Request, ApiError> {
    let scope = request_scope(actor)?;
    match engine.find_request(id)? {
        Some(r) if scope.includes(&r) => Ok(r),
        _ => Err(ApiError::NotFound),
    }
}

/// `visible_request`, and the read of the family's details is audited.
pub fn read_request(engine: &Engine, actor: &Actor, id: Id) -> Result<Request, ApiError> {
    let r = visible_request(engine, actor, id)?;
    engine.audit(actor, AuditAction::Read, RecordKind::Request, id)?;
    Ok(r)
}

/// Changing a request's state: closing is for whoever may change the request; reopening
/// (which changes what the review counts) is the desk's.
pub fn may_change_status(actor: &Actor, patch: &serde_json::Value) -> Result<(), ApiError> {
    match patch.get("status").and_then(|s| s.as_str()) {
        Some("open") => desk(actor),
        _ => Ok(()),
    }
}

/// Changes a request the actor may see (fields, closing, reopening). The patch is read
/// only once access is granted, so another organisation's request is "not found"
/// whatever the body says; reopening stays the desk's (`may_change_status`).
pub fn patch_request(
    engine: &Engine,
    actor: &Actor,
    id: Id,
    patch: impl FnOnce() -> Result<serde_json::Value, ApiError>,
) -> Result<Request, ApiError> {
    visible_request(engine, actor, id)?;
    let patch = patch()?;
    may_change_status(actor, &patch)?;
    Ok(engine.patch_request(actor, id, &patch, Date::today())?)
}

/// Whether workers' phones show on candidate and proposal cards: only to the desk, which
/// holds the full cards (a referrer sees the family card, never how to reach the person).
pub fn sees_worker_phone(actor: &Actor) -> bool {
    desk(actor).is_ok()
}

/// A proposal the actor may see: through its request.
pub fn visible_proposal(engine: &Engine, actor: &Actor, id: Id) -> Result<Proposal, ApiError> {
    request_scope(actor)?;
    let p = engine.find_proposal(id)?.ok_or(ApiError::NotFound)?;
    visible_request(engine, actor, p.request_id)?;
    Ok(p)
}

/// A follow-up of the desk's own organisation.
pub fn own_follow_up(engine: &Engine, actor: &Actor, id: Id) -> Result<FollowUp, ApiError> {
    desk(actor)?;
    match engine.find_follow_up(id)? {
        Some(f) if f.org_id == actor.org_id => Ok(f),
        _ => Err(ApiError::NotFound),
    }
}

/// The organisations whose follow-ups the actor works on: a desk its own.
pub fn follow_up_orgs(actor: &Actor) -> Vec<Id> {
    match actor.role {
        Role::Operator => vec![actor.org_id],
        _ => Vec::new(),
    }
}

/// A worker's full card, for a desk operator; the read is audited.
pub fn worker_card(engine: &Engine, actor: &Actor, id: Id) -> Result<Worker, ApiError> {
    desk(actor)?;
    let w = engine.worker(id)?;
    engine.audit(actor, AuditAction::Read, RecordKind::Worker, id)?;
    Ok(w)
}

/// Whether the actor may keep the contact log of a record: a worker card is the desk's;
/// a request is its desk's and its owning referrer's (another's is not found).
fn contact_record(
    engine: &Engine,
    actor: &Actor,
    about: RecordKind,
    id: Id,
) -> Result<(), ApiError> {
    match about {
        RecordKind::Worker => {
            desk(actor)?;
            engine.find_worker(id)?.ok_or(ApiError::NotFound)?;
        }
        RecordKind::Request => {
            visible_request(engine, actor, id)?;
        }
        _ => return Err(ApiError::NotFound),
    }
    Ok(())
}

/// The contact log of a record the actor may see, newest first, for a page that has
/// already audited the read of the record itself.
pub fn contacts(
    engine: &Engine,
    actor: &Actor,
    about: RecordKind,
    id: Id,
) -> Result<Vec<Contact>, ApiError> {
    contact_record(engine, actor, about, id)?;
    Ok(engine.contacts_of(id)?)
}

/// `contacts`, and the read is audited (the API's list).
pub fn read_contacts(
    engine: &Engine,
    actor: &Actor,
    about: RecordKind,
    id: Id,
) -> Result<Vec<Contact>, ApiError> {
    let log = contacts(engine, actor, about, id)?;
    engine.audit(actor, AuditAction::Read, about, id)?;
    Ok(log)
}

/// Adds a line to the contact log of a record the actor may see; the body is read only
/// once access is granted.
pub fn add_contact(
    engine: &Engine,
    actor: &Actor,
    about: RecordKind,
    id: Id,
    input: impl FnOnce() -> Result<ContactInput, ApiError>,
) -> Result<Contact, ApiError> {
    contact_record(engine, actor, about, id)?;
    let input = input()?;
    Ok(engine.add_contact(actor, about, id, input, Date::today())?)
}

/// Everything held about a person (right of access and portability), for a desk; the
/// export is audited by the engine.
pub fn export_worker(
    engine: &Engine,
    actor: &Actor,
    id: Id,
) -> Result<matcher::WorkerExport, ApiError> {
    desk(actor)?;
    Ok(engine.export_worker(id, actor, Date::today())?)
}

/// Erases a person's card (right to erasure), for a desk.
pub fn erase_worker(engine: &Engine, actor: &Actor, id: Id) -> Result<(), ApiError> {
    desk(actor)?;
    Ok(engine.erase_worker(id, Some(actor), Date::today())?)
}

/// Records an outcome on a proposal the actor may see. The input is read only once
/// access is granted, so another organisation's proposal is "not found" whatever the
/// body says.
pub fn record_outcome(
    state: &State,
    actor: &Actor,
    id: Id,
    input: impl FnOnce() -> Result<OutcomeInput, ApiError>,
) -> Result<ProposalView, ApiError> {
    visible_proposal(&state.engine, actor, id)?;
    let input = input()?;
    if input.correction.is_some() {
        // Correcting a decided outcome is the desk's.
        desk(actor)?;
    }
    Ok(state
        .engine
        .record_outcome(Some(actor), id, input, &state.policy, Date::today())?)
}

/// Answers a 90-day check of the actor's own organisation; the answer is read only once
/// access is granted, so the refusal never depends on the body.
pub fn answer_retention(
    state: &State,
    actor: &Actor,
    id: Id,
    still_employed: impl FnOnce() -> Result<bool, ApiError>,
) -> Result<FollowUp, ApiError> {
    own_follow_up(&state.engine, actor, id)?;
    let still_employed = still_employed()?;
    Ok(state
        .engine
        .answer_retention(actor, id, still_employed, Date::today())?)
}

/// Counts one public try for this client and this code; refused past either budget.
pub fn public_attempt(
    state: &State,
    client: Option<SocketAddr>,
    code: &str,
) -> Result<(), ApiError> {
    // The client behind trusted proxies (`crate::client`), not the proxy's socket.
    let client = crate::client::current()
        .map(|c| c.client)
        .or(client.map(|a| a.ip()))
        .map_or("unknown".to_string(), crate::client::limit_key);
    if !state.outcome_per_client.allow(&client) || !state.outcome_per_code.allow(code) {
        return Err(ApiError::TooManyRequests);
    }
    Ok(())
}

/// Records what the family (or the worker) reports with the code on the card: holding
/// the code is the access (the API and the web page).
pub fn record_public(
    s: &State,
    code: &str,
    answer: PublicOutcome,
    reported_by: Reporter,
) -> Result<PublicAnswer, ApiError> {
    let proposal = s.engine.proposal_by_code(code)?.ok_or(ApiError::NotFound)?;
    Ok(s.engine.record_public_outcome(
        proposal.id,
        answer,
        reported_by,
        &s.policy,
        Date::today(),
    )?)
}

/// The start the family agreed on, offered as the answer to "da quando?" (today when it
/// is still in the future); `None` for an unknown code.
pub fn agreed_start(s: &State, code: &str) -> Result<Option<Date>, ApiError> {
    let Some(p) = s.engine.proposal_by_code(code)? else {
        return Ok(None);
    };
    let today = Date::today();
    Ok(s.engine
        .find_request(p.request_id)?
        .map(|r| r.start_on.min(today)))
}

/// A path segment as a record id; anything else is simply not found.
pub fn parse_id(s: &str) -> Result<Id, ApiError> {
    s.parse().map_err(|_| ApiError::NotFound)
}

#[cfg(test)]
mod tests {
    use super::*;
    use matcher::fixtures;
    use matcher::FollowUpPolicy;

    const DESK: Id = Id(0xd0c0000000000001);
    const OTHER_DESK: Id = Id(0xd0c0000000000002);
    const PUNTO_INSIEME: Id = Id(0xd0c0000000000003);
    /// The Rossi request, registered by the Punto Insieme.
    const ROSSI: Id = Id(0xb000000000000001);
    const NATALIA: Id = Id(0xa000000000000017);

    fn actor(role: Role, org: Id) -> Actor {
        Actor {
            operator_id: Id(0xe0000000000000ff),
            org_id: org,
            role,
        }
    }

    /// The demo store with one proposal (and its follow-ups) made by the desk.
    fn engine() -> (Engine, Proposal, FollowUp) {
        let e = Engine::temporary().unwrap();
        let today = fixtures::reference_date();
        e.seed_demo(today).unwrap();
        let desk = actor(Role::Operator, DESK);
        let v = e
            .propose(&desk, ROSSI, NATALIA, &FollowUpPolicy::default(), today)
            .unwrap();
        let f = v.follow_ups[0].clone();
        (e, v.proposal, f)
    }

    /// What each role sees of a resource, in its own organisation and another's:
    /// `Ok`, or the refusal's HTTP code.
    #[test]
    fn every_role_in_own_and_other_organisation_on_every_resource() {
        let (e, p, f) = engine();
        let r = e.find_request(ROSSI).unwrap().unwrap();
        let owner = r.org_id.unwrap();
        assert_eq!(
            owner, PUNTO_INSIEME,
            "the demo request belongs to the Punto Insieme"
        );
        let code = |res: Result<(), ApiError>| match res {
            Ok(()) => "ok",
            Err(e) => e.status_and_code().1,
        };
        // (role, organisation, request, proposal, follow-up, worker card, review, admin)
        let cases: &[(Role, Id, [&str; 6])] = &[
            (
                Role::Operator,
                DESK,
                ["ok", "ok", "ok", "ok", "ok", "forbidden"],
            ),
            (
                Role::Operator,
                OTHER_DESK,
                ["ok", "ok", "not_found", "ok", "ok", "forbidden"],
            ),
            (
                Role::Referrer,
                PUNTO_INSIEME,
                [
                    "ok",
                    "ok",
                    "forbidden",
                    "forbidden",
                    "forbidden",
                    "forbidden",
                ],
            ),
            (
                Role::Referrer,
                OTHER_DESK,
                [
                    "not_found",
                    "not_found",
                    "forbidden",
                    "forbidden",
                    "forbidden",
                    "forbidden",
                ],
            ),
            (
                Role::Coordinator,
                DESK,
                [
                    "forbidden",
                    "forbidden",
                    "forbidden",
                    "forbidden",
                    "ok",
                    "forbidden",
                ],
            ),
            (
                Role::Coordinator,
                OTHER_DESK,
                [
                    "forbidden",
                    "forbidden",
                    "forbidden",
                    "forbidden",
                    "ok",
                    "forbidden",
                ],
            ),
            (
                Role::Admin,
                DESK,
                [
                    "forbidden",
                    "forbidden",
                    "forbidden",
                    "forbidden",
                    "forbidden",
                    "ok",
                ],
            ),
            (
                Role::Admin,
                OTHER_DESK,
                [
                    "forbidden",
                    "forbidden",
                    "forbidden",
                    "forbidden",
                    "forbidden",
                    "ok",
                ],
            ),
        ];
        for (role, org, expected) in cases {
            let a = actor(*role, *org);
            let got = [
                code(visible_request(&e, &a, ROSSI).map(|_| ())),
                code(visible_proposal(&e, &a, p.id).map(|_| ())),
                code(own_follow_up(&e, &a, f.id).map(|_| ())),
                code(worker_card(&e, &a, NATALIA).map(|_| ())),
                code(review(&a)),
                code(admin(&a)),
            ];
            assert_eq!(&got, expected, "{role:?} of {org}");
        }
    }

    #[test]
    fn scopes_follow_the_role() {
        let (e, _, _) = engine();
        let referrer = actor(Role::Referrer, PUNTO_INSIEME);
        let scope = request_scope(&referrer).unwrap();
        let mine = e.requests(scope, None).unwrap();
        assert!(!mine.is_empty());
        assert!(mine.iter().all(|r| r.org_id == Some(PUNTO_INSIEME)));
        let all = e
            .requests(request_scope(&actor(Role::Operator, DESK)).unwrap(), None)
            .unwrap();
        assert!(all.len() > mine.len());
        assert!(matches!(
            request_scope(&actor(Role::Coordinator, DESK)),
            Err(ApiError::Forbidden)
        ));
    }

    #[test]
    fn unknown_ids_are_not_found_for_everyone_allowed() {
        let (e, _, _) = engine();
        let desk = actor(Role::Operator, DESK);
        assert!(matches!(
            visible_request(&e, &desk, Id(42)),
            Err(ApiError::NotFound)
        ));
        assert!(matches!(parse_id("nope"), Err(ApiError::NotFound)));
    }
}
