//! Follow-ups: the dated questions "did it become a job?" and "is it still going?",
//! listed oldest first for the desk that owns them, and the answer to a retention check.

use std::collections::HashMap;
use std::sync::Arc;

use matcher::model::{Actor, FollowUp, Id, Role};
use matcher::{json, Date};
use serde_json::json as j;
use warp::http::StatusCode;
use warp::Filter;

use super::describe::{date, op, Described};
use super::wire::{DueFollowUps, RetentionBody};
use super::{date_param, json, only_params, query, respond, token};
use crate::access;
use crate::app::State;
use crate::error::ApiError;

const DESK: &[Role] = &[Role::Operator];

pub fn routes(state: Arc<State>) -> Vec<Described> {
    // GET /api/v1/follow-ups?due_before=YYYY-MM-DD
    let due = route!(get warp::path!("api" / "v1" / "follow-ups"), token(), query();
        state.clone() => |t, q, s| respond(due(t, q, s)));
    // POST /api/v1/follow-ups/{id}/retention
    let retention = record_route!(post warp::path!("api" / "v1" / "follow-ups" / String / "retention"), body;
        state => retention);
    vec![
        op("get", "/api/v1/follow-ups", "dueFollowUps", "follow-ups",
            "Follow-ups due, oldest first",
            "Verifiche in scadenza dello sportello, le più vecchie prima (per difetto fino a oggi compreso).")
            .roles(DESK)
            .query("due_before", "Due before this day (default: tomorrow)", date())
            .answers::<DueFollowUps>(200, "The follow-ups due")
            .link(200, "answerRetention", j!({"id": "$response.body#/follow_ups/0/id"}))
            .serves(due),
        op("post", "/api/v1/follow-ups/{id}/retention", "answerRetention", "follow-ups",
            "Answer the 90-day retention check",
            "Risposta alla verifica a 90 giorni: la persona lavora ancora presso la famiglia?")
            .roles(DESK)
            .body::<RetentionBody>(Some(j!({"still_employed": true})))
            .answers::<FollowUp>(200, "The follow-up, done")
            .errors(&[409])
            .serves(retention),
    ]
}

async fn due(
    token: Option<String>,
    q: HashMap<String, String>,
    state: Arc<State>,
) -> Result<warp::reply::Response, ApiError> {
    let actor = state.auth.authenticate(token.as_deref())?;
    access::desk(&actor)?;
    only_params(&q, &["due_before"])?;
    // By default: everything due up to and including today.
    let before = date_param(&q, "due_before")?.unwrap_or_else(|| Date::today().add_days(1));
    let items = state
        .blocking(move |s| Ok(s.engine.due_follow_ups(actor.org_id, before)?))
        .await?;
    Ok(json(
        StatusCode::OK,
        &DueFollowUps {
            due_before: before,
            follow_ups: items,
        },
    ))
}

fn retention(s: &State, actor: Actor, id: Id, body: &[u8]) -> Result<FollowUp, ApiError> {
    access::answer_retention(s, &actor, id, || {
        Ok(json::parse_bytes::<RetentionBody>(body)?.still_employed)
    })
}
