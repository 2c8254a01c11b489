//! The public outcome endpoint: the family or the worker, with the code printed on the
//! card, says "we started" or "it did not work out" — no login, so rate-limited per code
//! and per client, and answering nothing about the people involved.

use std::net::SocketAddr;
use std::sync::Arc;

use matcher::model::{OutcomeKind, Reporter};
use matcher::{json, normalise_code, PublicAnswer, PublicOutcome, CODE_LEN};
use serde_json::json as j;
use warp::http::StatusCode;
use warp::Filter;

use super::describe::{op, Described};
use super::wire::{PublicReply, PublicState, PublicStatus};
use super::{body, json, respond};
use crate::access::{self, public_attempt};
use crate::app::State;
use crate::error::ApiError;

pub fn routes(state: Arc<State>) -> Vec<Described> {
    // POST /api/v1/outcome/{code}
    let report = route!(post warp::path!("api" / "v1" / "outcome" / String), warp::addr::remote(), body();
        state.clone() => |c, a, b, s| respond(report(c, a, b, s)));
    // GET /api/v1/outcome/{code}
    let status = route!(get warp::path!("api" / "v1" / "outcome" / String), warp::addr::remote();
        state => |c, a, s| respond(status(c, a, s)));
    let path = "/api/v1/outcome/{code}";
    vec![
        op(
            "post",
            path,
            "reportOutcome",
            "public",
            "The family reports the outcome with the card's code",
            "La famiglia comunica l'esito con il codice della scheda: 200 registrato; 202 \
             needs_review se contraddice l'esito registrato. Limitato per codice e per client.",
        )
        .body::<PublicOutcome>(Some(j!({"outcome": "hired", "start_on": "2026-12-01"})))
        .answers::<PublicReply>(200, "Recorded")
        .answers::<PublicReply>(
            202,
            "Kept for the desk to check: it contradicts the recorded outcome",
        )
        .errors(&[429])
        .serves(report),
        op(
            "get",
            path,
            "outcomeReported",
            "public",
            "Whether the outcome was already reported",
            "Se l'esito è già stato comunicato con questo codice.",
        )
        .answers::<PublicState>(200, "Whether it was")
        .errors(&[429])
        .serves(status),
    ]
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
            &PublicReply {
                status: PublicStatus::Recorded,
                message: "Grazie, l'esito è stato registrato.".into(),
            },
        ),
        PublicAnswer::NeedsReview => json(
            StatusCode::ACCEPTED,
            &PublicReply {
                status: PublicStatus::NeedsReview,
                message: "Grazie: la risposta è diversa da quella registrata, lo sportello la \
                          verificherà."
                    .into(),
            },
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
    Ok(json(StatusCode::OK, &PublicState { recorded }))
}
