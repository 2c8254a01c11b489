//! Proposals: a desk proposes a worker to a family; desks and the referrer that owns the
//! request see them and record outcomes. Referrers see only the family card of each
//! proposed worker, never contact, permit, address or the score's reasons.

use std::sync::Arc;

use matcher::model::{Actor, Id, Role};
use matcher::ProposalView;
use matcher::{json, Date};
use serde_json::json as j;
use warp::http::StatusCode;
use warp::Filter;

use super::describe::{op, Described};
use super::wire::{ProposalOut, Proposals, ProposeBody};
use super::{body, json, respond, token};
use crate::access::{self, parse_id};
use crate::app::State;
use crate::error::ApiError;

const DESK: &[Role] = &[Role::Operator];
const DESK_OR_REFERRER: &[Role] = &[Role::Operator, Role::Referrer];

pub fn routes(state: Arc<State>) -> Vec<Described> {
    // POST /api/v1/requests/{id}/proposals
    let propose = route!(post warp::path!("api" / "v1" / "requests" / String / "proposals"), token(), body();
        state.clone() => |id, t, b, s| respond(propose(id, t, b, s)));
    // GET /api/v1/requests/{id}/proposals
    let list = record_route!(get warp::path!("api" / "v1" / "requests" / String / "proposals");
        state.clone() => list);
    // GET /api/v1/proposals/{id}
    let read = record_route!(get warp::path!("api" / "v1" / "proposals" / String);
        state.clone() => read);
    // POST /api/v1/proposals/{id}/outcome
    let outcome = record_route!(post warp::path!("api" / "v1" / "proposals" / String / "outcome"), body;
        state => outcome);
    vec![
        op(
            "post",
            "/api/v1/requests/{id}/proposals",
            "propose",
            "proposals",
            "Propose a worker to the family",
            "Propone una persona alla famiglia e pianifica le verifiche; la risposta porta il \
             codice da stampare sulla scheda per la famiglia.",
        )
        .roles(DESK)
        .body::<ProposeBody>(Some(j!({"worker_id": "a000000000000017"})))
        .answers::<ProposalOut>(201, "The proposal with its follow-ups")
        .errors(&[409])
        .links_by_id(201, &["getProposal", "recordOutcome"])
        .link(
            201,
            "reportOutcome",
            j!({"code": "$response.body#/outcome_code"}),
        )
        .link(
            201,
            "outcomeReported",
            j!({"code": "$response.body#/outcome_code"}),
        )
        .serves(propose),
        op(
            "get",
            "/api/v1/requests/{id}/proposals",
            "listProposals",
            "proposals",
            "Proposals made for a request",
            "Proposte fatte per la richiesta, con la scheda per la famiglia.",
        )
        .roles(DESK_OR_REFERRER)
        .answers::<Proposals>(200, "The proposals")
        .link(
            200,
            "getProposal",
            j!({"id": "$response.body#/proposals/0/id"}),
        )
        .serves(list),
        op(
            "get",
            "/api/v1/proposals/{id}",
            "getProposal",
            "proposals",
            "Read a proposal",
            "Legge una proposta.",
        )
        .roles(DESK_OR_REFERRER)
        .answers::<ProposalOut>(200, "The proposal")
        .serves(read),
        op(
            "post",
            "/api/v1/proposals/{id}/outcome",
            "recordOutcome",
            "proposals",
            "Record the outcome of a proposal",
            "Registra l'esito di una proposta (assunzione, nessuna assunzione con il motivo, \
             nessuna risposta); `correction` corregge un esito già deciso (solo lo sportello).",
        )
        .roles(DESK_OR_REFERRER)
        .body::<matcher::OutcomeInput>(Some(j!({
            "outcome": "hired", "reported_by": "family", "start_on": "2026-12-01",
            "contract": {"live_in": "yes", "hours_per_week": 54, "ccnl_level": "CS"}
        })))
        .answers::<ProposalOut>(200, "The proposal with its outcome")
        .errors(&[409])
        .serves(outcome),
    ]
}

/// A proposal as `actor` may see it, with the worker's family card.
fn view_for(state: &State, actor: &Actor, v: ProposalView) -> Result<ProposalOut, ApiError> {
    let card = state
        .engine
        .find_worker(v.proposal.worker_id)?
        .map(|w| w.family_card());
    Ok(ProposalOut::new(v, card, actor.role == Role::Operator))
}

async fn propose(
    id: String,
    token: Option<String>,
    body: bytes::Bytes,
    state: Arc<State>,
) -> Result<warp::reply::Response, ApiError> {
    let actor = state.auth.authenticate(token.as_deref())?;
    access::desk(&actor)?;
    let request_id = parse_id(&id)?;
    let view = state
        .blocking(move |s| {
            let b: ProposeBody = json::parse_bytes(&body)?;
            let v = s
                .engine
                .propose(&actor, request_id, b.worker_id, &s.policy, Date::today())?;
            view_for(s, &actor, v)
        })
        .await?;
    Ok(json(StatusCode::CREATED, &view))
}

fn list(s: &State, actor: Actor, request_id: Id) -> Result<Proposals, ApiError> {
    access::visible_request(&s.engine, &actor, request_id)?;
    let items = s
        .engine
        .proposals_of(request_id)?
        .into_iter()
        .map(|p| view_for(s, &actor, s.engine.proposal_view(p)?))
        .collect::<Result<Vec<_>, ApiError>>()?;
    Ok(Proposals {
        request_id,
        proposals: items,
    })
}

fn read(s: &State, actor: Actor, id: Id) -> Result<ProposalOut, ApiError> {
    let p = access::visible_proposal(&s.engine, &actor, id)?;
    view_for(s, &actor, s.engine.proposal_view(p)?)
}

fn outcome(s: &State, actor: Actor, id: Id, body: &[u8]) -> Result<ProposalOut, ApiError> {
    let v = access::record_outcome(s, &actor, id, || Ok(json::parse_bytes(body)?))?;
    view_for(s, &actor, v)
}
