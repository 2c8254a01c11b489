//! Proposals: a desk proposes a worker to a family; desks and the referrer that owns the
//! request see them and record outcomes. Referrers see only the family card of each
//! proposed worker, never contact, permit, address or the score's reasons.

use std::sync::Arc;

use matcher::model::{Actor, Id, Role};
use matcher::ProposalView;
use matcher::{json, Date};
use serde::Deserialize;
use serde_json::json as j;
use warp::filters::BoxedFilter;
use warp::http::StatusCode;
use warp::Filter;

use super::{body, first_of, json, respond, token};
use crate::access::{self, parse_id};
use crate::app::State;
use crate::error::ApiError;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProposeBody {
    worker_id: Id,
}

pub fn routes(state: Arc<State>) -> BoxedFilter<(warp::reply::Response,)> {
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
    first_of(propose, [list, read, outcome])
}

/// A proposal as `actor` may see it, with the worker's family card.
fn view_for(state: &State, actor: &Actor, v: ProposalView) -> Result<serde_json::Value, ApiError> {
    let card = state
        .engine
        .find_worker(v.proposal.worker_id)?
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
        "needs_review": p.needs_review,
        "history": p.history,
        "follow_ups": v.follow_ups,
        "worker": card,
    }))
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

fn list(s: &State, actor: Actor, request_id: Id) -> Result<serde_json::Value, ApiError> {
    access::visible_request(&s.engine, &actor, request_id)?;
    let items = s
        .engine
        .proposals_of(request_id)?
        .into_iter()
        .map(|p| view_for(s, &actor, s.engine.proposal_view(p)?))
        .collect::<Result<Vec<_>, ApiError>>()?;
    Ok(j!({"request_id": request_id, "proposals": items}))
}

fn read(s: &State, actor: Actor, id: Id) -> Result<serde_json::Value, ApiError> {
    let p = access::visible_proposal(&s.engine, &actor, id)?;
    view_for(s, &actor, s.engine.proposal_view(p)?)
}

fn outcome(s: &State, actor: Actor, id: Id, body: &[u8]) -> Result<serde_json::Value, ApiError> {
    let v = access::record_outcome(s, &actor, id, || Ok(json::parse_bytes(body)?))?;
    view_for(s, &actor, v)
}
