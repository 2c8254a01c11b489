//! Family requests: register (desks and referrers), list, read, change or close, and
//! their ranked candidates. A referrer only ever sees its own organisation's requests;
//! anyone else's is "not found", so not even their existence leaks.

use std::collections::HashMap;
use std::sync::Arc;

use matcher::model::{Actor, Request, RequestInput, RequestStatus, Role};
use matcher::{guard, json, Date};
use serde_json::json as j;
use warp::filters::BoxedFilter;
use warp::http::StatusCode;
use warp::Filter;

use super::{body, int_param, json, only_params, parse_id, query, respond, token, with_state};
use crate::app::State;
use crate::auth::require;
use crate::error::ApiError;

pub fn routes(state: Arc<State>) -> BoxedFilter<(warp::reply::Response,)> {
    let base = warp::path!("api" / "v1" / "requests" / ..);
    // POST /api/v1/requests
    let create = base
        .and(warp::path::end())
        .and(warp::post())
        .and(token())
        .and(body())
        .and(with_state(state.clone()))
        .and_then(|t, b, s| respond(create(t, b, s)));
    // GET /api/v1/requests?status=open&limit=50
    let list = base
        .and(warp::path::end())
        .and(warp::get())
        .and(token())
        .and(query())
        .and(with_state(state.clone()))
        .and_then(|t, q, s| respond(list(t, q, s)));
    // GET /api/v1/requests/{id}
    let read = base
        .and(warp::path!(String))
        .and(warp::get())
        .and(token())
        .and(with_state(state.clone()))
        .and_then(|id, t, s| respond(read(id, t, s)));
    // PATCH /api/v1/requests/{id}
    let patch = base
        .and(warp::path!(String))
        .and(warp::patch())
        .and(token())
        .and(body())
        .and(with_state(state.clone()))
        .and_then(|id, t, b, s| respond(patch(id, t, b, s)));
    // GET /api/v1/requests/{id}/candidates?limit=20
    let candidates = base
        .and(warp::path!(String / "candidates"))
        .and(warp::get())
        .and(token())
        .and(query())
        .and(with_state(state))
        .and_then(|id, t, q, s| respond(candidates(id, t, q, s)));
    create
        .or(list)
        .unify()
        .or(read)
        .unify()
        .or(patch)
        .unify()
        .or(candidates)
        .unify()
        .boxed()
}

/// Loads a request the actor may see: operators any, referrers their organisation's.
pub fn visible_request(
    state: &State,
    actor: &Actor,
    id: matcher::model::Id,
) -> Result<Request, ApiError> {
    require(actor, &[Role::Operator, Role::Referrer])?;
    let r = state
        .engine
        .store()
        .requests
        .get(id)?
        .ok_or(ApiError::NotFound)?;
    if actor.role == Role::Referrer && r.org_id != Some(actor.org_id) {
        return Err(ApiError::NotFound);
    }
    Ok(r)
}

async fn create(
    token: Option<String>,
    body: bytes::Bytes,
    state: Arc<State>,
) -> Result<warp::reply::Response, ApiError> {
    let actor = state.auth.authenticate(token.as_deref())?;
    require(&actor, &[Role::Operator, Role::Referrer])?;
    let r = state
        .blocking(move |s| {
            let value = json::parse_value(&body)?;
            // Before typed parsing: a `nationality` field is discriminatory, not "unknown".
            guard::check_fields(&value)?;
            let input: RequestInput = json::parse(value)?;
            Ok(s.engine
                .register_request(input, Some(&actor), Date::today())?)
        })
        .await?;
    Ok(json(StatusCode::CREATED, &r))
}

async fn list(
    token: Option<String>,
    q: HashMap<String, String>,
    state: Arc<State>,
) -> Result<warp::reply::Response, ApiError> {
    let actor = state.auth.authenticate(token.as_deref())?;
    require(&actor, &[Role::Operator, Role::Referrer])?;
    only_params(&q, &["status", "limit", "offset"])?;
    let status = q
        .get("status")
        .map(|s| {
            RequestStatus::parse(s).ok_or_else(|| ApiError::BadInput {
                field: Some("status".into()),
                message: "stato non valido (open, proposals_sent, filled, closed)".into(),
            })
        })
        .transpose()?;
    let limit = int_param(&q, "limit", 50, 500)?;
    let offset = match q.get("offset") {
        None => 0,
        Some(v) => v.parse::<usize>().map_err(|_| ApiError::BadInput {
            field: Some("offset".into()),
            message: "offset deve essere un numero intero non negativo".into(),
        })?,
    };
    let page = state
        .blocking(move |s| {
            let mut all: Vec<Request> = s
                .engine
                .store()
                .requests
                .iter()
                .collect::<Result<Vec<_>, _>>()?
                .into_iter()
                .filter(|r| actor.role != Role::Referrer || r.org_id == Some(actor.org_id))
                .filter(|r| status.is_none_or(|st| r.status == st))
                .collect();
            all.sort_by(|a, b| b.created_on.cmp(&a.created_on).then(a.id.cmp(&b.id)));
            let total = all.len();
            let items: Vec<Request> = all.into_iter().skip(offset).take(limit).collect();
            Ok(j!({"total": total, "offset": offset, "requests": items}))
        })
        .await?;
    Ok(json(StatusCode::OK, &page))
}

async fn read(
    id: String,
    token: Option<String>,
    state: Arc<State>,
) -> Result<warp::reply::Response, ApiError> {
    let actor = state.auth.authenticate(token.as_deref())?;
    let id = parse_id(&id)?;
    let r = state
        .blocking(move |s| {
            let r = visible_request(s, &actor, id)?;
            s.engine.audit_read(&actor, "request", id)?;
            Ok(r)
        })
        .await?;
    Ok(json(StatusCode::OK, &r))
}

async fn patch(
    id: String,
    token: Option<String>,
    body: bytes::Bytes,
    state: Arc<State>,
) -> Result<warp::reply::Response, ApiError> {
    let actor = state.auth.authenticate(token.as_deref())?;
    let id = parse_id(&id)?;
    let r = state
        .blocking(move |s| {
            visible_request(s, &actor, id)?;
            let patch = json::parse_value(&body)?;
            Ok(s.engine.patch_request(&actor, id, &patch, Date::today())?)
        })
        .await?;
    Ok(json(StatusCode::OK, &r))
}

async fn candidates(
    id: String,
    token: Option<String>,
    q: HashMap<String, String>,
    state: Arc<State>,
) -> Result<warp::reply::Response, ApiError> {
    let actor = state.auth.authenticate(token.as_deref())?;
    require(&actor, &[Role::Operator])?;
    let id = parse_id(&id)?;
    only_params(&q, &["limit"])?;
    let limit = int_param(&q, "limit", 20, matcher::engine::MAX_LIMIT)?;
    let candidates = state
        .blocking(move |s| Ok(s.engine.candidates(id, limit, Date::today())?))
        .await?;
    Ok(json(
        StatusCode::OK,
        &j!({"request_id": id, "candidates": candidates}),
    ))
}
