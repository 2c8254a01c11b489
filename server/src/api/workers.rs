//! Worker cards: register, read, change, erase, and the open requests that fit them.
//! Desk operators only: cards hold contact and residence-permit details.

use std::collections::HashMap;
use std::sync::Arc;

use matcher::json;
use matcher::model::{Actor, Id, Job, LiveIn, Worker, WorkerInput, WorkerStatus};
use matcher::Date;
use serde_json::json as j;
use warp::filters::BoxedFilter;
use warp::http::StatusCode;
use warp::{Filter, Reply};

use super::{
    body, first_of, int_param, json, offset_param, only_params, query, respond, token, with_record,
};
use crate::access::{self, parse_id};
use crate::app::State;
use crate::error::ApiError;

pub fn routes(state: Arc<State>) -> BoxedFilter<(warp::reply::Response,)> {
    let base = warp::path!("api" / "v1" / "workers" / ..);
    // POST /api/v1/workers?allow_duplicate=true
    let create = route!(post base, warp::path::end(), token(), query(), body();
        state.clone() => |t, q, b, s| respond(create(t, q, b, s)));
    // GET /api/v1/workers?q=&name=&job=&comune=&live_in=&status=&limit=&offset=
    let search = route!(get base, warp::path::end(), token(), query();
        state.clone() => |t, q, s| respond(search(t, q, s)));
    // GET /api/v1/workers/{id}
    let read = record_route!(get base.and(warp::path!(String)); state.clone() => read);
    // PATCH /api/v1/workers/{id}
    let patch = record_route!(patch base.and(warp::path!(String)), body; state.clone() => patch);
    // DELETE /api/v1/workers/{id}
    let erase = route!(delete base, warp::path!(String), token();
        state.clone() => |id, t, s| respond(erase(id, t, s)));
    // GET /api/v1/workers/{id}/export
    let export = route!(get base, warp::path!(String / "export"), token();
        state.clone() => |id, t, s| respond(export(id, t, s)));
    // GET /api/v1/workers/{id}/openings?limit=20
    let openings = route!(get base, warp::path!(String / "openings"), token(), query();
        state => |id, t, q, s| respond(openings(id, t, q, s)));
    first_of(create, [search, read, patch, erase, openings, export])
}

fn operator(state: &State, token: Option<String>) -> Result<Actor, ApiError> {
    let actor = state.auth.authenticate(token.as_deref())?;
    access::desk(&actor)?;
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

/// An optional query parameter from a closed vocabulary.
fn vocabulary<T>(
    q: &HashMap<String, String>,
    name: &str,
    parse: fn(&str) -> Option<T>,
    message: &str,
) -> Result<Option<T>, ApiError> {
    q.get(name)
        .map(|v| parse(v).ok_or_else(|| bad(name, message)))
        .transpose()
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
    let filter = matcher::WorkerFilter {
        text,
        job: vocabulary(&q, "job", Job::parse, "lavoro non valido")?,
        status: vocabulary(&q, "status", WorkerStatus::parse, "stato non valido")?,
        live_in: vocabulary(&q, "live_in", LiveIn::parse, "valori: yes, no, either")?,
        comune: q
            .get("comune")
            .map(|c| Ok::<_, ApiError>(matcher::Comuni::get().resolve("comune", c)?.istat.clone()))
            .transpose()?,
    };
    let name = q.get("name").cloned().unwrap_or_default();
    let limit = int_param(&q, "limit", 20, 200)?;
    let offset = offset_param(&q)?;
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

fn read(s: &State, actor: Actor, id: Id) -> Result<Worker, ApiError> {
    access::worker_card(&s.engine, &actor, id)
}

fn patch(s: &State, actor: Actor, id: Id, body: &[u8]) -> Result<Worker, ApiError> {
    access::desk(&actor)?;
    let patch = json::parse_value(body)?;
    Ok(s.engine.patch_worker(&actor, id, &patch, Date::today())?)
}

async fn erase(
    id: String,
    token: Option<String>,
    state: Arc<State>,
) -> Result<warp::reply::Response, ApiError> {
    with_record(state, token, id, |s, actor, id| {
        access::desk(&actor)?;
        Ok(s.engine.erase_worker(id, Some(&actor), Date::today())?)
    })
    .await?;
    Ok(warp::reply::with_status(warp::reply(), StatusCode::NO_CONTENT).into_response())
}

/// Everything held about the person, for their right of access and portability.
async fn export(
    id: String,
    token: Option<String>,
    state: Arc<State>,
) -> Result<warp::reply::Response, ApiError> {
    let (id, export) = with_record(state, token, id, |s, actor, id| {
        access::desk(&actor)?;
        Ok((id, s.engine.export_worker(id, &actor, Date::today())?))
    })
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
    let limit = int_param(&q, "limit", 20, matcher::MAX_LIMIT)?;
    let openings = state
        .blocking(move |s| Ok(s.engine.openings(id, limit, Date::today())?))
        .await?;
    Ok(json(
        StatusCode::OK,
        &j!({"worker_id": id, "openings": openings}),
    ))
}
