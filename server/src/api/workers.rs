//! Worker cards: register, read, change, erase, and the open requests that fit them.
//! Desk operators only: cards hold contact and residence-permit details.

use std::collections::HashMap;
use std::sync::Arc;

use matcher::json;
use matcher::model::{Actor, Id, Job, LiveIn, Role, Worker, WorkerInput, WorkerStatus};
use matcher::Date;
use schemars::gen::SchemaGenerator;
use schemars::schema::Schema;
use serde_json::json as j;
use warp::http::StatusCode;
use warp::{Filter, Reply};

use super::describe::{int, offset, op, schema, text, Described};
use super::wire::{Openings, WorkerPage, WorkerSummary};
use super::{
    body, int_param, json, offset_param, only_params, openapi, query, respond, token, with_record,
};
use crate::access::{self, parse_id};
use crate::app::State;
use crate::error::ApiError;

const DESK: &[Role] = &[Role::Operator];

pub fn routes(state: Arc<State>) -> Vec<Described> {
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
    let path = "/api/v1/workers";
    let one = "/api/v1/workers/{id}";
    vec![
        op("post", path, "createWorker", "workers", "Register a worker card",
            "Registra una scheda lavoratore. Se somiglia a una scheda esistente risponde 409 con \
             `duplicates`; `allow_duplicate=true` conferma la registrazione.")
            .roles(DESK)
            .query("allow_duplicate", "Register although it looks like an existing card", j!({"type": "boolean", "default": false}))
            .body::<WorkerInput>(openapi::example_worker())
            .answers::<Worker>(201, "The card as stored")
            .errors(&[409])
        .links_by_id(201, &["getWorker", "patchWorker", "exportWorker", "workerOpenings"])
            .serves(create),
        op("get", path, "searchWorkers", "workers", "Search worker cards",
            "Cerca schede: testo libero nelle note (q), nome (name) e filtri; risultati paginati.")
            .roles(DESK)
            .query("q", "Free text searched in the notes", text(500))
            .query("name", "Given or family name", text(100))
            .query_of::<Job>("job", "Kind of work sought")
            .query("comune", "ISTAT code or name of the comune", text(100))
            .query_of::<LiveIn>("live_in", "Live-in arrangement")
            .query_of::<WorkerStatus>("status", "State of the card")
            .query("limit", "Page size", int(1, 200, 20))
            .query("offset", "Cards to skip", offset())
            .answers::<WorkerPage>(200, "A page of summaries")
            .link(200, "getWorker", j!({"id": "$response.body#/workers/0/id"}))
            .serves(search),
        op("get", one, "getWorker", "workers", "Read a worker card",
            "Legge una scheda (la lettura è registrata nel log di audit).")
            .roles(DESK)
            .answers::<Worker>(200, "The card")
            .serves(read),
        op("patch", one, "patchWorker", "workers", "Change a worker card",
            "Modifica una scheda (merge patch); anche `status` (available, inactive) e \
             `reconfirm: true` (la persona conferma che la scheda è ancora valida).")
            .roles(DESK)
            .patch(worker_patch)
            .answers::<Worker>(200, "The card as changed")
            .errors(&[409])
            .serves(patch),
        op("delete", one, "eraseWorker", "workers", "Erase a worker from store and index",
            "Cancella la persona da archivio e indice (diritto alla cancellazione).")
            .roles(DESK)
            .answers_nothing(204, "Erased")
            .serves(erase),
        op("get", "/api/v1/workers/{id}/export", "exportWorker", "workers",
            "Everything held about the person (access and portability)",
            "Tutti i dati sulla persona in JSON (diritto di accesso e portabilità; registrato nel log di audit).")
            .roles(DESK)
            .answers::<matcher::WorkerExport>(200, "The person's data")
            .serves(export),
        op("get", "/api/v1/workers/{id}/openings", "workerOpenings", "workers",
            "Open requests that fit the worker, best first",
            "Richieste aperte adatte alla persona, ordinate per punteggio.")
            .roles(DESK)
            .query("limit", "How many", int(1, matcher::MAX_LIMIT as u64, 20))
            .answers::<Openings>(200, "Ranked openings")
            .serves(openings),
    ]
}

/// A worker card's merge patch: the create fields, plus `status` and `reconfirm`.
fn worker_patch(g: &mut SchemaGenerator) -> Schema {
    let of = schema::<WorkerInput>(g);
    openapi::merge_patch(
        g,
        "WorkerPatch",
        of,
        j!({
            "status": {"type": "string", "enum": ["available", "inactive"]},
            "reconfirm": {"type": "boolean", "description": "The person confirmed the card today"}
        }),
    )
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
    let page = WorkerPage {
        total,
        offset,
        workers: workers.iter().map(WorkerSummary::from).collect(),
    };
    Ok(json(StatusCode::OK, &page))
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
        access::erase_worker(&s.engine, &actor, id)
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
        Ok((id, access::export_worker(&s.engine, &actor, id)?))
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
        &Openings {
            worker_id: id,
            openings,
        },
    ))
}
