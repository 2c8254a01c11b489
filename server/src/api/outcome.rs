//! The public outcome endpoint: the family or the worker, with the code printed on the
//! card, says "we started" or "it did not work out" — no login, so rate-limited per code
//! and per client, and answering nothing about the people involved.

use std::net::SocketAddr;
use std::sync::Arc;

use matcher::followup::{normalise_code, OutcomeInput, CODE_LEN};
use matcher::model::{NotHiredReason, OutcomeKind, Reporter};
use matcher::{json, Date};
use serde_json::json as j;
use warp::filters::BoxedFilter;
use warp::http::StatusCode;
use warp::Filter;

use super::{body, json, respond, with_state};
use crate::app::State;
use crate::error::ApiError;

pub fn routes(state: Arc<State>) -> BoxedFilter<(warp::reply::Response,)> {
    // POST /api/v1/outcome/{code}
    let report = warp::path!("api" / "v1" / "outcome" / String)
        .and(warp::post())
        .and(warp::addr::remote())
        .and(body())
        .and(with_state(state.clone()))
        .and_then(|c, a, b, s| respond(report(c, a, b, s)));
    // GET /api/v1/outcome/{code}
    let status = warp::path!("api" / "v1" / "outcome" / String)
        .and(warp::get())
        .and(warp::addr::remote())
        .and(with_state(state))
        .and_then(|c, a, s| respond(status(c, a, s)));
    report.or(status).unify().boxed()
}

fn too_many() -> ApiError {
    ApiError::TooManyRequests
}

/// Counts one try for this client and this code (shared with the public web page). The
/// client is the one behind trusted proxies (`crate::client`), not the proxy's socket.
pub fn limit(state: &State, client: Option<SocketAddr>, code: &str) -> Result<(), ApiError> {
    let client = crate::client::current()
        .map(|c| c.client)
        .or(client.map(|a| a.ip()))
        .map_or("unknown".to_string(), crate::client::limit_key);
    if !state.outcome_per_client.allow(&client) || !state.outcome_per_code.allow(code) {
        return Err(too_many());
    }
    Ok(())
}

async fn report(
    code: String,
    client: Option<SocketAddr>,
    body: bytes::Bytes,
    state: Arc<State>,
) -> Result<warp::reply::Response, ApiError> {
    let code = normalise_code(&code);
    limit(&state, client, &code)?;
    if code.len() != CODE_LEN {
        return Err(ApiError::NotFound);
    }
    state
        .blocking(move |s| {
            let input: OutcomeInput = json::parse_bytes(&body)?;
            record_public(s, &code, input)
        })
        .await?;
    Ok(json(
        StatusCode::OK,
        &j!({"status": "recorded", "message": "Grazie, l'esito è stato registrato."}),
    ))
}

/// Records what the family or the worker reports with a code (the API and the web page).
pub fn record_public(s: &State, code: &str, mut input: OutcomeInput) -> Result<(), ApiError> {
    let proposal = s
        .engine
        .store()
        .proposal_for_code(code)?
        .ok_or(ApiError::NotFound)?;
    if !matches!(input.reported_by, Reporter::Family | Reporter::Worker) {
        return Err(matcher::Error::invalid(
            "reported_by",
            "indicare chi scrive: family (la famiglia) o worker (il lavoratore)",
        )
        .into());
    }
    if input.outcome == OutcomeKind::NoAnswer {
        return Err(matcher::Error::invalid(
            "outcome",
            "indicare hired (abbiamo iniziato) o not_hired (non è andata)",
        )
        .into());
    }
    if input.outcome == OutcomeKind::NotHired && input.reason.is_none() {
        input.reason = Some(NotHiredReason::Other);
    }
    s.engine
        .record_outcome(None, proposal, input, &s.policy, Date::today())?;
    Ok(())
}

async fn status(
    code: String,
    client: Option<SocketAddr>,
    state: Arc<State>,
) -> Result<warp::reply::Response, ApiError> {
    let code = normalise_code(&code);
    limit(&state, client, &code)?;
    if code.len() != CODE_LEN {
        return Err(ApiError::NotFound);
    }
    let recorded = state
        .blocking(move |s| {
            let id = s
                .engine
                .store()
                .proposal_for_code(&code)?
                .ok_or(ApiError::NotFound)?;
            let p = s.engine.store().proposals.fetch(id)?;
            Ok(p.outcome
                .is_some_and(|o| o.outcome != OutcomeKind::NoAnswer))
        })
        .await?;
    Ok(json(StatusCode::OK, &j!({"recorded": recorded})))
}
