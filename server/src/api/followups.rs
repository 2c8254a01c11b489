//! Follow-ups: the dated questions "did it become a job?" and "is it still going?",
//! listed oldest first for the desk that owns them, and the answer to a retention check.

use std::collections::HashMap;
use std::sync::Arc;

use matcher::model::{Actor, FollowUp, Id};
use matcher::{json, Date};
use serde::Deserialize;
use serde_json::json as j;
use warp::filters::BoxedFilter;
use warp::http::StatusCode;
use warp::Filter;

use super::{date_param, first_of, json, only_params, query, respond, token};
use crate::access;
use crate::app::State;
use crate::error::ApiError;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RetentionBody {
    still_employed: bool,
}

pub fn routes(state: Arc<State>) -> BoxedFilter<(warp::reply::Response,)> {
    // GET /api/v1/follow-ups?due_before=YYYY-MM-DD
    let due = route!(get warp::path!("api" / "v1" / "follow-ups"), token(), query();
        state.clone() => |t, q, s| respond(due(t, q, s)));
    // POST /api/v1/follow-ups/{id}/retention
    let retention = record_route!(post warp::path!("api" / "v1" / "follow-ups" / String / "retention"), body;
        state => retention);
    first_of(due, [retention])
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
        &j!({"due_before": before, "follow_ups": items}),
    ))
}

fn retention(s: &State, actor: Actor, id: Id, body: &[u8]) -> Result<FollowUp, ApiError> {
    access::answer_retention(s, &actor, id, || {
        Ok(json::parse_bytes::<RetentionBody>(body)?.still_employed)
    })
}
