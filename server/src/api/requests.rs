//! Family requests: register (desks and referrers), list, read, change or close, and
//! their ranked candidates. Who sees which request is `access`'s to decide.

use std::collections::HashMap;
use std::sync::Arc;

use matcher::model::{Actor, AuditAction, Id, RecordKind, Request, RequestStatus};
use matcher::{json, Date};
use serde_json::json as j;
use warp::filters::BoxedFilter;
use warp::http::StatusCode;
use warp::Filter;

use super::{
    body, first_of, int_param, json, offset_param, on_record, only_params, query, respond, token,
};
use crate::access::{self, parse_id};
use crate::app::State;
use crate::error::ApiError;

pub fn routes(state: Arc<State>) -> BoxedFilter<(warp::reply::Response,)> {
    let base = warp::path!("api" / "v1" / "requests" / ..);
    // POST /api/v1/requests
    let create = route!(post base, warp::path::end(), token(), body();
        state.clone() => |t, b, s| respond(create(t, b, s)));
    // GET /api/v1/requests?status=open&limit=50
    let list = route!(get base, warp::path::end(), token(), query();
        state.clone() => |t, q, s| respond(list(t, q, s)));
    // GET /api/v1/requests/{id}
    let read = record_route!(get base.and(warp::path!(String)); state.clone() => read);
    // PATCH /api/v1/requests/{id}
    let patch = record_route!(patch base.and(warp::path!(String)), body; state.clone() => patch);
    // GET /api/v1/requests/{id}/candidates?limit=20
    let candidates = route!(get base, warp::path!(String / "candidates"), token(), query();
        state.clone() => |id, t, q, s| respond(candidates(id, t, q, s)));
    // GET /api/v1/requests/{id}/candidates/{worker_id}: why (not) a candidate
    let why = route!(get base, warp::path!(String / "candidates" / String), token();
        state => |id, w, t, s| respond(why(id, w, t, s)));
    first_of(create, [list, read, patch, candidates, why])
}

async fn create(
    token: Option<String>,
    body: bytes::Bytes,
    state: Arc<State>,
) -> Result<warp::reply::Response, ApiError> {
    let actor = state.auth.authenticate(token.as_deref())?;
    access::request_scope(&actor)?;
    let r = state
        .blocking(move |s| {
            let value = json::parse_value(&body)?;
            Ok(s.engine
                .register_request(&value, Some(&actor), Date::today())?)
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
    let scope = access::request_scope(&actor)?;
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
    let offset = offset_param(&q)?;
    let page = state
        .blocking(move |s| {
            let all = s.engine.requests(scope, status)?;
            let total = all.len();
            let items: Vec<Request> = all.into_iter().skip(offset).take(limit).collect();
            // The page carries families' phones and health notes: each one read is audited.
            s.engine.audit_each(
                &actor,
                AuditAction::Read,
                RecordKind::Request,
                items.iter().map(|r| r.id),
            )?;
            Ok(j!({"total": total, "offset": offset, "requests": items}))
        })
        .await?;
    Ok(json(StatusCode::OK, &page))
}

fn read(s: &State, actor: Actor, id: Id) -> Result<Request, ApiError> {
    access::read_request(&s.engine, &actor, id)
}

fn patch(s: &State, actor: Actor, id: Id, body: &[u8]) -> Result<Request, ApiError> {
    access::patch_request(&s.engine, &actor, id, || Ok(json::parse_value(body)?))
}

async fn why(
    id: String,
    worker: String,
    token: Option<String>,
    state: Arc<State>,
) -> Result<warp::reply::Response, ApiError> {
    let worker = parse_id(&worker)?;
    on_record(state, token, id, move |s, actor, id| {
        access::desk(&actor)?;
        Ok(s.engine.why(id, worker, Date::today())?)
    })
    .await
}

async fn candidates(
    id: String,
    token: Option<String>,
    q: HashMap<String, String>,
    state: Arc<State>,
) -> Result<warp::reply::Response, ApiError> {
    let actor = state.auth.authenticate(token.as_deref())?;
    access::desk(&actor)?;
    let id = parse_id(&id)?;
    only_params(&q, &["limit"])?;
    let limit = int_param(&q, "limit", 20, matcher::MAX_LIMIT)?;
    let candidates = state
        .blocking(move |s| Ok(s.engine.candidates(id, limit, Date::today())?))
        .await?;
    Ok(json(
        StatusCode::OK,
        &j!({"request_id": id, "candidates": candidates}),
    ))
}
