//! Worker cards: register, read, change, erase, and the open requests that fit them.
//! Desk operators only: cards hold contact and residence-permit details.

use std::collections::HashMap;
use std::sync::Arc;

use matcher::json;
use matcher::model::{Actor, Role, WorkerInput};
use matcher::Date;
use serde_json::json as j;
use warp::filters::BoxedFilter;
use warp::http::StatusCode;
use warp::{Filter, Reply};

use super::{body, int_param, json, only_params, parse_id, query, respond, token, with_state};
use crate::app::State;
use crate::auth::require;
use crate::error::ApiError;

pub fn routes(state: Arc<State>) -> BoxedFilter<(warp::reply::Response,)> {
    let base = warp::path!("api" / "v1" / "workers" / ..);
    // POST /api/v1/workers?allow_duplicate=true
    let create = base
        .and(warp::path::end())
        .and(warp::post())
        .and(token())
        .and(query())
        .and(body())
        .and(with_state(state.clone()))
        .and_then(|t, q, b, s| respond(create(t, q, b, s)));
    // GET /api/v1/workers?q=&name=&job=&comune=&live_in=&status=&limit=&offset=
    let search = base
        .and(warp::path::end())
        .and(warp::get())
        .and(token())
        .and(query())
        .and(with_state(state.clone()))
        .and_then(|t, q, s| respond(search(t, q, s)));
    // GET /api/v1/workers/{id}
    let read = base
        .and(warp::path!(String))
        .and(warp::get())
        .and(token())
        .and(with_state(state.clone()))
        .and_then(|id, t, s| respond(read(id, t, s)));
    // PATCH /api/v1/workers/{id}
    let patch = base
        .and(warp::path!(String))
        .and(warp::patch())
        .and(token())
        .and(body())
        .and(with_state(state.clone()))
        .and_then(|id, t, b, s| respond(patch(id, t, b, s)));
    // DELETE /api/v1/workers/{id}
    let erase = base
        .and(warp::path!(String))
        .and(warp::delete())
        .and(token())
        .and(with_state(state.clone()))
        .and_then(|id, t, s| respond(erase(id, t, s)));
    // GET /api/v1/workers/{id}/export
    let export = base
        .and(warp::path!(String / "export"))
        .and(warp::get())
        .and(token())
        .and(with_state(state.clone()))
        .and_then(|id, t, s| respond(export(id, t, s)));
    // GET /api/v1/workers/{id}/openings?limit=20
    let openings = base
        .and(warp::path!(String / "openings"))
        .and(warp::get())
        .and(token())
        .and(query())
        .and(with_state(state))
        .and_then(|id, t, q, s| respond(openings(id, t, q, s)));
    create
        .or(search)
        .unify()
        .or(read)
        .unify()
        .or(patch)
        .unify()
        .or(erase)
        .unify()
        .or(openings)
        .unify()
        .or(export)
        .unify()
        .boxed()
}

fn operator(state: &State, token: Option<String>) -> Result<Actor, ApiError> {
    let actor = state.auth.authenticate(token.as_deref())?;
    require(&actor, &[Role::Operator])?;
    Ok(actor)
}

async fn create(
    token: Option<String>,
    q: HashMap<String, String>,
    body: bytes::Bytes,
    state: Arc<State>,
) -> Result<warp::reply::Response, ApiError> {
    let actor = operator(&state, token)?;
    only_params(&q, &["allow_duplicate"])?;
    let allow = match q.get("allow_duplicate").map(String::as_str) {
        None | Some("false") => false,
        Some("true") => true,
        Some(_) => {
            return Err(ApiError::BadInput {
                field: Some("allow_duplicate".into()),
                message: "allow_duplicate vale true o false".into(),
            })
        }
    };
    let w = state
        .blocking(move |s| {
            let input: WorkerInput = json::parse_bytes(&body)?;
            Ok(s.engine
                .register_worker(input, Some(&actor), allow, Date::today())?)
        })
        .await?;
    Ok(json(StatusCode::CREATED, &w))
}

fn bad(field: &str, message: &str) -> ApiError {
    ApiError::BadInput {
        field: Some(field.into()),
        message: message.into(),
    }
}

async fn search(
    token: Option<String>,
    q: HashMap<String, String>,
    state: Arc<State>,
) -> Result<warp::reply::Response, ApiError> {
    operator(&state, token)?;
    only_params(
        &q,
        &[
            "q", "name", "job", "comune", "live_in", "status", "limit", "offset",
        ],
    )?;
    let text = q.get("q").cloned().unwrap_or_default();
    if text.chars().count() > 500 || q.get("name").is_some_and(|n| n.chars().count() > 100) {
        return Err(bad("q", "testo di ricerca troppo lungo"));
    }
    let filter = matcher::index::WorkerFilter {
        text,
        job: q
            .get("job")
            .map(|v| matcher::model::Job::parse(v).ok_or_else(|| bad("job", "lavoro non valido")))
            .transpose()?,
        status: q
            .get("status")
            .map(|v| {
                matcher::model::WorkerStatus::parse(v)
                    .ok_or_else(|| bad("status", "stato non valido"))
            })
            .transpose()?,
        live_in: q
            .get("live_in")
            .map(|v| {
                matcher::model::LiveIn::parse(v)
                    .ok_or_else(|| bad("live_in", "valori: yes, no, either"))
            })
            .transpose()?,
        comune: q
            .get("comune")
            .map(|c| {
                Ok::<_, ApiError>(
                    matcher::comuni::Comuni::get()
                        .resolve("comune", c)?
                        .istat
                        .clone(),
                )
            })
            .transpose()?,
    };
    let name = q.get("name").cloned().unwrap_or_default();
    let limit = int_param(&q, "limit", 20, 200)?;
    let offset = match q.get("offset") {
        None => 0,
        Some(v) => v
            .parse::<usize>()
            .map_err(|_| bad("offset", "offset deve essere un numero intero non negativo"))?,
    };
    let (total, workers) = state
        .blocking(move |s| Ok(s.engine.search_workers(&name, &filter, offset, limit)?))
        .await?;
    // A list is not a read of the full record: summaries only (no phone, permit, notes).
    let rows: Vec<serde_json::Value> = workers
        .iter()
        .map(|w| {
            j!({
                "id": w.id, "given_name": w.given_name, "family_name": w.family_name,
                "comune": w.comune, "jobs": w.jobs, "live_in": w.live_in,
                "status": w.status, "confirmed_on": w.confirmed_on,
                "possible_duplicate": !w.possible_duplicate_of.is_empty(),
            })
        })
        .collect();
    Ok(json(
        StatusCode::OK,
        &j!({"total": total, "offset": offset, "workers": rows}),
    ))
}

async fn read(
    id: String,
    token: Option<String>,
    state: Arc<State>,
) -> Result<warp::reply::Response, ApiError> {
    let actor = operator(&state, token)?;
    let id = parse_id(&id)?;
    let w = state
        .blocking(move |s| {
            let w = s.engine.store().workers.fetch(id)?;
            s.engine.audit_read(&actor, "worker", id)?;
            Ok(w)
        })
        .await?;
    Ok(json(StatusCode::OK, &w))
}

async fn patch(
    id: String,
    token: Option<String>,
    body: bytes::Bytes,
    state: Arc<State>,
) -> Result<warp::reply::Response, ApiError> {
    let actor = operator(&state, token)?;
    let id = parse_id(&id)?;
    let w = state
        .blocking(move |s| {
            let patch = json::parse_value(&body)?;
            Ok(s.engine.patch_worker(&actor, id, &patch, Date::today())?)
        })
        .await?;
    Ok(json(StatusCode::OK, &w))
}

async fn erase(
    id: String,
    token: Option<String>,
    state: Arc<State>,
) -> Result<warp::reply::Response, ApiError> {
    let actor = operator(&state, token)?;
    let id = parse_id(&id)?;
    state
        .blocking(move |s| Ok(s.engine.erase_worker(id, Some(&actor), Date::today())?))
        .await?;
    Ok(warp::reply::with_status(warp::reply(), StatusCode::NO_CONTENT).into_response())
}

/// Everything held about the person, for their right of access and portability.
async fn export(
    id: String,
    token: Option<String>,
    state: Arc<State>,
) -> Result<warp::reply::Response, ApiError> {
    let actor = operator(&state, token)?;
    let id = parse_id(&id)?;
    let export = state
        .blocking(move |s| Ok(s.engine.export_worker(id, &actor, Date::today())?))
        .await?;
    let mut resp = json(StatusCode::OK, &export);
    if let Ok(v) = warp::http::HeaderValue::from_str(&format!(
        "attachment; filename=\"dom-dati-personali-{id}.json\""
    )) {
        resp.headers_mut().insert("content-disposition", v);
    }
    Ok(resp)
}

async fn openings(
    id: String,
    token: Option<String>,
    q: HashMap<String, String>,
    state: Arc<State>,
) -> Result<warp::reply::Response, ApiError> {
    operator(&state, token)?;
    let id = parse_id(&id)?;
    only_params(&q, &["limit"])?;
    let limit = int_param(&q, "limit", 20, matcher::engine::MAX_LIMIT)?;
    let openings = state
        .blocking(move |s| Ok(s.engine.openings(id, limit, Date::today())?))
        .await?;
    Ok(json(
        StatusCode::OK,
        &j!({"worker_id": id, "openings": openings}),
    ))
}
