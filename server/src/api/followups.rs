//! Follow-ups: the dated questions "did it become a job?" and "is it still going?",
//! listed oldest first for the desk that owns them, and the answer to a retention check.

use std::collections::HashMap;
use std::sync::Arc;

use matcher::model::{Actor, FollowUp, Id, Role};
use matcher::{json, Date};
use serde::Deserialize;
use serde_json::json as j;
use warp::filters::BoxedFilter;
use warp::http::StatusCode;
use warp::Filter;

use super::{body, date_param, json, only_params, parse_id, query, respond, token, with_state};
use crate::app::State;
use crate::auth::require;
use crate::error::ApiError;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RetentionBody {
    still_employed: bool,
}

pub fn routes(state: Arc<State>) -> BoxedFilter<(warp::reply::Response,)> {
    // GET /api/v1/follow-ups?due_before=YYYY-MM-DD
    let due = warp::path!("api" / "v1" / "follow-ups")
        .and(warp::get())
        .and(token())
        .and(query())
        .and(with_state(state.clone()))
        .and_then(|t, q, s| respond(due(t, q, s)));
    // POST /api/v1/follow-ups/{id}/retention
    let retention = warp::path!("api" / "v1" / "follow-ups" / String / "retention")
        .and(warp::post())
        .and(token())
        .and(body())
        .and(with_state(state))
        .and_then(|id, t, b, s| respond(retention(id, t, b, s)));
    due.or(retention).unify().boxed()
}

async fn due(
    token: Option<String>,
    q: HashMap<String, String>,
    state: Arc<State>,
) -> Result<warp::reply::Response, ApiError> {
    let actor = state.auth.authenticate(token.as_deref())?;
    require(&actor, &[Role::Operator])?;
    only_params(&q, &["due_before"])?;
    // By default: everything due up to and including today.
    let before = date_param(&q, "due_before")?.unwrap_or_else(|| Date::today().add_days(1));
    let items = state
        .blocking(move |s| {
            let mut out = Vec::new();
            for f in s.engine.follow_ups_due(actor.org_id, before)? {
                let p = s.engine.store().proposals.get(f.proposal_id)?;
                let mut item =
                    serde_json::to_value(&f).map_err(|e| ApiError::Internal(e.to_string()))?;
                if let Some(p) = p {
                    let name = s
                        .engine
                        .store()
                        .workers
                        .get(p.worker_id)?
                        .map(|w| w.given_name);
                    item["request_id"] = j!(p.request_id);
                    item["worker_id"] = j!(p.worker_id);
                    item["worker_given_name"] = j!(name);
                    item["outcome_code"] = j!(p.outcome_code);
                    item["proposed_on"] = j!(p.proposed_on);
                }
                out.push(item);
            }
            Ok(out)
        })
        .await?;
    Ok(json(
        StatusCode::OK,
        &j!({"due_before": before, "follow_ups": items}),
    ))
}

async fn retention(
    id: String,
    token: Option<String>,
    body: bytes::Bytes,
    state: Arc<State>,
) -> Result<warp::reply::Response, ApiError> {
    let actor = state.auth.authenticate(token.as_deref())?;
    require(&actor, &[Role::Operator])?;
    let id = parse_id(&id)?;
    let f = state
        .blocking(move |s| {
            answer_own_retention(s, &actor, id, || {
                Ok(json::parse_bytes::<RetentionBody>(&body)?.still_employed)
            })
        })
        .await?;
    Ok(json(StatusCode::OK, &f))
}

/// Answers a 90-day check of the actor's own organisation; another's is not found (the
/// API and the web interface). The answer is read only once access is granted, so the
/// refusal never depends on the body.
pub(crate) fn answer_own_retention(
    s: &State,
    actor: &Actor,
    id: Id,
    still_employed: impl FnOnce() -> Result<bool, ApiError>,
) -> Result<FollowUp, ApiError> {
    let f = s
        .engine
        .store()
        .follow_ups
        .get(id)?
        .ok_or(ApiError::NotFound)?;
    if f.org_id != actor.org_id {
        return Err(ApiError::NotFound);
    }
    let still_employed = still_employed()?;
    Ok(s.engine
        .answer_retention(actor, id, still_employed, Date::today())?)
}
