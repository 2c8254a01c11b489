//! Family requests: register (desks and referrers), list, read, change or close, and
//! their ranked candidates. Who sees which request is `access`'s to decide.

use std::collections::HashMap;
use std::sync::Arc;

use matcher::model::{
    Actor, AuditAction, Id, RecordKind, Request, RequestInput, RequestStatus, Role,
};
use matcher::{json, Date};
use schemars::gen::SchemaGenerator;
use schemars::schema::Schema;
use serde_json::json as j;
use warp::http::StatusCode;
use warp::Filter;

use super::describe::{int, offset, op, schema, Described};
use super::wire::{Candidates, RequestPage};
use super::{
    body, int_param, json, json_bytes, offset_param, on_record, only_params, openapi, query,
    respond, token,
};
use crate::access::{self, parse_id};
use crate::app::State;
use crate::candidates_cache::Key;
use crate::error::ApiError;

const DESK: &[Role] = &[Role::Operator];
const DESK_OR_REFERRER: &[Role] = &[Role::Operator, Role::Referrer];

pub fn routes(state: Arc<State>) -> Vec<Described> {
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
    let path = "/api/v1/requests";
    let one = "/api/v1/requests/{id}";
    vec![
        op(
            "post",
            path,
            "createRequest",
            "requests",
            "Register a family request",
            "Registra la richiesta di una famiglia. Un criterio discriminatorio nelle note è \
             rifiutato (422 discriminatory_criterion).",
        )
        .roles(DESK_OR_REFERRER)
        .body::<RequestInput>(openapi::example_request())
        .answers::<Request>(201, "The request as stored")
        .links_by_id(
            201,
            &[
                "getRequest",
                "patchRequest",
                "listCandidates",
                "listProposals",
            ],
        )
        .serves(create),
        op(
            "get",
            path,
            "listRequests",
            "requests",
            "List requests, newest first",
            "Elenco delle richieste (i Punti Insieme e i servizi sociali vedono solo le proprie).",
        )
        .roles(DESK_OR_REFERRER)
        .query_of::<RequestStatus>("status", "Only requests in this state")
        .query("limit", "Page size", int(1, 500, 50))
        .query("offset", "Requests to skip", offset())
        .answers::<RequestPage>(200, "A page of requests")
        .link(
            200,
            "getRequest",
            j!({"id": "$response.body#/requests/0/id"}),
        )
        .serves(list),
        op(
            "get",
            one,
            "getRequest",
            "requests",
            "Read a request",
            "Legge una richiesta (registrato nel log di audit).",
        )
        .roles(DESK_OR_REFERRER)
        .answers::<Request>(200, "The request")
        .serves(read),
        op(
            "patch",
            one,
            "patchRequest",
            "requests",
            "Change, close or reopen a request",
            "Modifica (merge patch), chiude (`status: closed` con `close_reason`) o riapre \
             (`status: open` con `reopen_reason`, solo lo sportello) una richiesta.",
        )
        .roles(DESK_OR_REFERRER)
        .patch(request_patch)
        .answers::<Request>(200, "The request as changed")
        .errors(&[409])
        .serves(patch),
        op(
            "get",
            "/api/v1/requests/{id}/candidates",
            "listCandidates",
            "requests",
            "Ranked candidates with the reasons of each score",
            "Candidati ordinati per punteggio, con le ragioni di ogni punteggio.",
        )
        .roles(DESK)
        .query("limit", "How many", int(1, matcher::MAX_LIMIT as u64, 20))
        .answers::<Candidates>(200, "Candidates, best first")
        .link_body(
            200,
            "propose",
            j!({"id": "$request.path.id"}),
            j!({"worker_id": "$response.body#/candidates/0/worker_id"}),
        )
        .link(
            200,
            "whyCandidate",
            j!({"id": "$request.path.id",
                "worker_id": "$response.body#/candidates/0/worker_id"}),
        )
        .serves(candidates),
        op(
            "get",
            "/api/v1/requests/{id}/candidates/{worker_id}",
            "whyCandidate",
            "requests",
            "Why a worker is or is not a candidate",
            "Perché una persona è o non è candidata: ogni vincolo non soddisfatto \
             (excluded_by), oppure posizione, punteggio e ragioni.",
        )
        .roles(DESK)
        .answers::<matcher::WhyNot>(200, "Eligibility and its reasons")
        .serves(why),
    ]
}

/// A request's merge patch: the create fields, plus `status` and its reasons.
fn request_patch(g: &mut SchemaGenerator) -> Schema {
    let of = schema::<RequestInput>(g);
    openapi::merge_patch(
        g,
        "RequestPatch",
        of,
        j!({
            "status": {"type": "string", "enum": ["open", "closed"]},
            "close_reason": {"type": "string", "maxLength": 500, "description": "Why it is closed"},
            "reopen_reason": {"type": "string", "maxLength": 500, "description": "Why it is reopened (desks only)"}
        }),
    )
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
            Ok(RequestPage {
                total,
                offset,
                requests: items,
            })
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
    // Everything above runs for a cached answer too: only the matching is saved, and
    // only while no write and no midnight came between (`candidates_cache`).
    let key = Key {
        request: id,
        limit,
        view: actor.role,
    };
    let stamp = state.stamp();
    if let Some(body) = state.candidates.get(&key, stamp) {
        return Ok(json_bytes(StatusCode::OK, body));
    }
    let body = state
        .blocking(move |s| {
            let candidates = s.engine.candidates(id, limit, stamp.day)?;
            serde_json::to_vec(&Candidates {
                request_id: id,
                candidates,
            })
            .map_err(|e| ApiError::Internal(e.to_string()))
        })
        .await?;
    let body = bytes::Bytes::from(body);
    state.candidates.put(key, stamp, body.clone());
    Ok(json_bytes(StatusCode::OK, body))
}
