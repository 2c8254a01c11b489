//! The contact log of worker cards and requests: `POST` a line (date, channel, note),
//! `GET` the log newest first. Who may keep which log is `access`'s to decide.

use std::sync::Arc;

use matcher::json;
use matcher::model::{Actor, ContactInput, Id, RecordKind};
use serde_json::json as j;
use warp::filters::BoxedFilter;
use warp::http::StatusCode;
use warp::Filter;

use super::{body, first_of, json, respond, token, with_record};
use crate::access;
use crate::app::State;
use crate::error::ApiError;

pub fn routes(state: Arc<State>) -> BoxedFilter<(warp::reply::Response,)> {
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
    first_of(worker_add, [worker_list, request_add, request_list])
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

fn log(s: &State, actor: Actor, about: RecordKind, id: Id) -> Result<serde_json::Value, ApiError> {
    let contacts = access::read_contacts(&s.engine, &actor, about, id)?;
    Ok(j!({ "contacts": contacts }))
}

fn worker_log(s: &State, actor: Actor, id: Id) -> Result<serde_json::Value, ApiError> {
    log(s, actor, RecordKind::Worker, id)
}

fn request_log(s: &State, actor: Actor, id: Id) -> Result<serde_json::Value, ApiError> {
    log(s, actor, RecordKind::Request, id)
}
