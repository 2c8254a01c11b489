//! Proposals: a desk proposes a worker to a family; desks and the referrer that owns the
//! request see them and record outcomes. Referrers see only the family card of each
//! proposed worker, never contact, permit, address or the score's reasons.

use std::sync::Arc;

use matcher::followup::{OutcomeInput, ProposalView};
use matcher::model::{Actor, Id, Role};
use matcher::{json, Date};
use serde::Deserialize;
use serde_json::json as j;
use warp::filters::BoxedFilter;
use warp::http::StatusCode;
use warp::Filter;

use super::requests::visible_request;
use super::{body, json, parse_id, respond, token, with_state};
use crate::app::State;
use crate::auth::require;
use crate::error::ApiError;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProposeBody {
    worker_id: Id,
}

pub fn routes(state: Arc<State>) -> BoxedFilter<(warp::reply::Response,)> {
    // POST /api/v1/requests/{id}/proposals
    let propose = warp::path!("api" / "v1" / "requests" / String / "proposals")
        .and(warp::post())
        .and(token())
        .and(body())
        .and(with_state(state.clone()))
        .and_then(|id, t, b, s| respond(propose(id, t, b, s)));
    // GET /api/v1/requests/{id}/proposals
    let list = warp::path!("api" / "v1" / "requests" / String / "proposals")
        .and(warp::get())
        .and(token())
        .and(with_state(state.clone()))
        .and_then(|id, t, s| respond(list(id, t, s)));
    // GET /api/v1/proposals/{id}
    let read = warp::path!("api" / "v1" / "proposals" / String)
        .and(warp::get())
        .and(token())
        .and(with_state(state.clone()))
        .and_then(|id, t, s| respond(read(id, t, s)));
    // POST /api/v1/proposals/{id}/outcome
    let outcome = warp::path!("api" / "v1" / "proposals" / String / "outcome")
        .and(warp::post())
        .and(token())
        .and(body())
        .and(with_state(state))
        .and_then(|id, t, b, s| respond(outcome(id, t, b, s)));
    propose
        .or(list)
        .unify()
        .or(read)
        .unify()
        .or(outcome)
        .unify()
        .boxed()
}

/// A proposal as `actor` may see it, with the worker's family card.
fn view_for(state: &State, actor: &Actor, v: ProposalView) -> Result<serde_json::Value, ApiError> {
    let card = state
        .engine
        .store()
        .workers
        .get(v.proposal.worker_id)?
        .map(|w| w.family_card());
    if actor.role == Role::Operator {
        let mut out = serde_json::to_value(&v).map_err(|e| ApiError::Internal(e.to_string()))?;
        out["worker"] = serde_json::to_value(card).unwrap_or_default();
        return Ok(out);
    }
    let p = &v.proposal;
    Ok(j!({
        "id": p.id,
        "request_id": p.request_id,
        "worker_id": p.worker_id,
        "proposed_on": p.proposed_on,
        "outcome_code": p.outcome_code,
        "outcome": p.outcome,
        "follow_ups": v.follow_ups,
        "worker": card,
    }))
}

/// Loads a proposal the actor may see (through its request).
fn visible_proposal(state: &State, actor: &Actor, id: Id) -> Result<ProposalView, ApiError> {
    let p = state
        .engine
        .store()
        .proposals
        .get(id)?
        .ok_or(ApiError::NotFound)?;
    visible_request(state, actor, p.request_id)?;
    Ok(state.engine.proposal_view(p)?)
}

/// Records an outcome reported by an operator or referrer who may see the proposal
/// (the API and the web interface). The input is read only once access is granted, so
/// another organisation's proposal is "not found" whatever the body says.
pub(crate) fn record_outcome_as(
    state: &State,
    actor: &Actor,
    id: Id,
    input: impl FnOnce() -> Result<OutcomeInput, ApiError>,
) -> Result<ProposalView, ApiError> {
    let p = state
        .engine
        .store()
        .proposals
        .get(id)?
        .ok_or(ApiError::NotFound)?;
    visible_request(state, actor, p.request_id)?;
    let input = input()?;
    Ok(state
        .engine
        .record_outcome(Some(actor), id, input, &state.policy, Date::today())?)
}

async fn propose(
    id: String,
    token: Option<String>,
    body: bytes::Bytes,
    state: Arc<State>,
) -> Result<warp::reply::Response, ApiError> {
    let actor = state.auth.authenticate(token.as_deref())?;
    require(&actor, &[Role::Operator])?;
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

async fn list(
    id: String,
    token: Option<String>,
    state: Arc<State>,
) -> Result<warp::reply::Response, ApiError> {
    let actor = state.auth.authenticate(token.as_deref())?;
    let request_id = parse_id(&id)?;
    let items = state
        .blocking(move |s| {
            visible_request(s, &actor, request_id)?;
            s.engine
                .proposals_of(request_id)?
                .into_iter()
                .map(|p| view_for(s, &actor, s.engine.proposal_view(p)?))
                .collect::<Result<Vec<_>, ApiError>>()
        })
        .await?;
    Ok(json(
        StatusCode::OK,
        &j!({"request_id": request_id, "proposals": items}),
    ))
}

async fn read(
    id: String,
    token: Option<String>,
    state: Arc<State>,
) -> Result<warp::reply::Response, ApiError> {
    let actor = state.auth.authenticate(token.as_deref())?;
    let id = parse_id(&id)?;
    let v = state
        .blocking(move |s| {
            let v = visible_proposal(s, &actor, id)?;
            view_for(s, &actor, v)
        })
        .await?;
    Ok(json(StatusCode::OK, &v))
}

async fn outcome(
    id: String,
    token: Option<String>,
    body: bytes::Bytes,
    state: Arc<State>,
) -> Result<warp::reply::Response, ApiError> {
    let actor = state.auth.authenticate(token.as_deref())?;
    let id = parse_id(&id)?;
    let v = state
        .blocking(move |s| {
            let v = record_outcome_as(s, &actor, id, || Ok(json::parse_bytes(&body)?))?;
            view_for(s, &actor, v)
        })
        .await?;
    Ok(json(StatusCode::OK, &v))
}
