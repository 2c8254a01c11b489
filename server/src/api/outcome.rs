//! The public outcome endpoint: the family or the worker, with the code printed on the
//! card, says "we started" or "it did not work out" — no login, so rate-limited per code
//! and per client, and answering nothing about the people involved.

use std::net::SocketAddr;
use std::sync::Arc;

use matcher::model::{OutcomeKind, Reporter};
use matcher::{json, normalise_code, PublicAnswer, PublicOutcome, CODE_LEN};
use serde_json::json as j;
use warp::filters::BoxedFilter;
use warp::http::StatusCode;
use warp::Filter;

use super::{body, first_of, json, respond};
use crate::access::{self, public_attempt};
use crate::app::State;
use crate::error::ApiError;

pub fn routes(state: Arc<State>) -> BoxedFilter<(warp::reply::Response,)> {
    // POST /api/v1/outcome/{code}
    let report = route!(post warp::path!("api" / "v1" / "outcome" / String), warp::addr::remote(), body();
        state.clone() => |c, a, b, s| respond(report(c, a, b, s)));
    // GET /api/v1/outcome/{code}
    let status = route!(get warp::path!("api" / "v1" / "outcome" / String), warp::addr::remote();
        state => |c, a, s| respond(status(c, a, s)));
    first_of(report, [status])
}

/// The code as a person typed it, normalised, once this try is within the budgets; a
/// code of the wrong length is simply not found.
fn public_code(state: &State, client: Option<SocketAddr>, code: &str) -> Result<String, ApiError> {
    let code = normalise_code(code);
    public_attempt(state, client, &code)?;
    if code.len() != CODE_LEN {
        return Err(ApiError::NotFound);
    }
    Ok(code)
}

async fn report(
    code: String,
    client: Option<SocketAddr>,
    body: bytes::Bytes,
    state: Arc<State>,
) -> Result<warp::reply::Response, ApiError> {
    let code = public_code(&state, client, &code)?;
    let answer = state
        .blocking(move |s| {
            let answer: PublicOutcome = json::parse_bytes(&body)?;
            access::record_public(s, &code, answer, Reporter::Family)
        })
        .await?;
    Ok(match answer {
        PublicAnswer::Recorded => json(
            StatusCode::OK,
            &j!({"status": "recorded", "message": "Grazie, l'esito è stato registrato."}),
        ),
        PublicAnswer::NeedsReview => json(
            StatusCode::ACCEPTED,
            &j!({"status": "needs_review",
                 "message": "Grazie: la risposta è diversa da quella registrata, lo sportello la verificherà."}),
        ),
    })
}

async fn status(
    code: String,
    client: Option<SocketAddr>,
    state: Arc<State>,
) -> Result<warp::reply::Response, ApiError> {
    let code = public_code(&state, client, &code)?;
    let recorded = state
        .blocking(move |s| {
            let p = s
                .engine
                .proposal_by_code(&code)?
                .ok_or(ApiError::NotFound)?;
            Ok(p.outcome
                .is_some_and(|o| o.outcome != OutcomeKind::NoAnswer))
        })
        .await?;
    Ok(json(StatusCode::OK, &j!({"recorded": recorded})))
}
