//! The contact log of worker cards and requests: `POST` a line (date, channel, note),
//! `GET` the log newest first. Who may keep which log is `access`'s to decide.

use std::sync::Arc;

use matcher::json;
use matcher::model::{Actor, Contact, ContactInput, Id, RecordKind, Role};
use serde_json::json as j;
use warp::http::StatusCode;
use warp::Filter;

use super::describe::{op, Described};
use super::wire::Contacts;
use super::{body, json, respond, token, with_record};
use crate::access;
use crate::app::State;
use crate::error::ApiError;

pub fn routes(state: Arc<State>) -> Vec<Described> {
    // POST and GET /api/v1/workers/{id}/contacts
    let worker_add = route!(post warp::path!("api" / "v1" / "workers" / String / "contacts"),
        token(), body(); state.clone() => |id, t, b, s| respond(add(RecordKind::Worker, id, t, b, s)));
    let worker_list = record_route!(get warp::path!("api" / "v1" / "workers" / String / "contacts");
        state.clone() => worker_log);
    // POST and GET /api/v1/requests/{id}/contacts
    let request_add = route!(post warp::path!("api" / "v1" / "requests" / String / "contacts"),
        token(), body(); state.clone() => |id, t, b, s| respond(add(RecordKind::Request, id, t, b, s)));
    let request_list = record_route!(get warp::path!("api" / "v1" / "requests" / String / "contacts");
        state => request_log);
    let example = j!({"on": "2026-11-20", "channel": "phone", "note": "chiamata, non risponde"});
    vec![
        op(
            "post",
            "/api/v1/workers/{id}/contacts",
            "addWorkerContact",
            "workers",
            "Add a line to a worker card's contact log",
            "Aggiunge una riga al registro dei contatti della scheda (data, canale, nota).",
        )
        .roles(&[Role::Operator])
        .body::<ContactInput>(Some(example.clone()))
        .answers::<Contact>(201, "The line as stored")
        .serves(worker_add),
        op(
            "get",
            "/api/v1/workers/{id}/contacts",
            "workerContacts",
            "workers",
            "A worker card's contact log, newest first",
            "Registro dei contatti della scheda, i più recenti prima.",
        )
        .roles(&[Role::Operator])
        .answers::<Contacts>(200, "The contact log")
        .serves(worker_list),
        op(
            "post",
            "/api/v1/requests/{id}/contacts",
            "addRequestContact",
            "requests",
            "Add a line to a request's contact log",
            "Aggiunge una riga al registro dei contatti della richiesta (data, canale, nota).",
        )
        .roles(&[Role::Operator, Role::Referrer])
        .body::<ContactInput>(Some(example))
        .answers::<Contact>(201, "The line as stored")
        .serves(request_add),
        op(
            "get",
            "/api/v1/requests/{id}/contacts",
            "requestContacts",
            "requests",
            "A request's contact log, newest first",
            "Registro dei contatti della richiesta, i più recenti prima.",
        )
        .roles(&[Role::Operator, Role::Referrer])
        .answers::<Contacts>(200, "The contact log")
        .serves(request_list),
    ]
}

async fn add(
    about: RecordKind,
    id: String,
    token: Option<String>,
    body: bytes::Bytes,
    state: Arc<State>,
) -> Result<warp::reply::Response, ApiError> {
    let contact = with_record(state, token, id, move |s, actor, id| {
        access::add_contact(&s.engine, &actor, about, id, || {
            Ok(json::parse_bytes::<ContactInput>(&body)?)
        })
    })
    .await?;
    Ok(json(StatusCode::CREATED, &contact))
}

fn log(s: &State, actor: Actor, about: RecordKind, id: Id) -> Result<Contacts, ApiError> {
    let contacts = access::read_contacts(&s.engine, &actor, about, id)?;
    Ok(Contacts { contacts })
}

fn worker_log(s: &State, actor: Actor, id: Id) -> Result<Contacts, ApiError> {
    log(s, actor, RecordKind::Worker, id)
}

fn request_log(s: &State, actor: Actor, id: Id) -> Result<Contacts, ApiError> {
    log(s, actor, RecordKind::Request, id)
}
