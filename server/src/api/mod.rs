//! Routing: which filter answers which path, the small helpers every resource shares
//! (state, token, body, query), and the one place where errors become responses.

pub mod admin;
pub(crate) mod followups;
mod health;
pub mod openapi;
pub(crate) mod outcome;
pub(crate) mod proposals;
mod reports;
pub(crate) mod requests;
mod workers;

use std::collections::HashMap;
use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;

use matcher::model::Id;
use serde::Serialize;
use warp::filters::BoxedFilter;
use warp::http::StatusCode;
use warp::{Filter, Rejection, Reply};

use crate::app::State;
use crate::error::ApiError;

/// Largest JSON body accepted: a worker card with long notes is about 6 KiB.
pub const BODY_LIMIT: u64 = 64 * 1024;

/// Every route of the service.
pub fn routes(
    state: Arc<State>,
) -> impl Filter<Extract = (impl Reply,), Error = Infallible> + Clone {
    health::routes(state.clone())
        .or(openapi::routes())
        .or(workers::routes(state.clone()))
        .or(requests::routes(state.clone()))
        .or(proposals::routes(state.clone()))
        .or(followups::routes(state.clone()))
        .or(outcome::routes(state.clone()))
        .or(reports::routes(state.clone()))
        .or(admin::routes(state.clone()))
        .or(crate::web::routes(state))
        .recover(handle_rejection)
}

pub fn with_state(
    state: Arc<State>,
) -> impl Filter<Extract = (Arc<State>,), Error = Infallible> + Clone {
    warp::any().map(move || state.clone())
}

/// The raw `Authorization` header; handlers authenticate after the route matched, so an
/// unknown path is 404 and a known one without token is 401.
pub fn token() -> BoxedFilter<(Option<String>,)> {
    warp::header::optional::<String>("authorization").boxed()
}

/// A JSON body within `BODY_LIMIT`, parsed by the handler so errors name the field.
pub fn body() -> BoxedFilter<(bytes::Bytes,)> {
    warp::body::content_length_limit(BODY_LIMIT)
        .and(warp::body::bytes())
        .boxed()
}

/// Longest query string accepted: the longest legitimate one (a 500-character search
/// with every filter) is well under it.
pub const QUERY_LIMIT: usize = 2048;

/// The query string as a map; each handler reads and checks its own parameters.
pub fn query() -> BoxedFilter<(HashMap<String, String>,)> {
    warp::query::raw()
        .or(warp::any().map(String::new))
        .unify()
        .and_then(|raw: String| async move {
            if raw.len() > QUERY_LIMIT {
                Err(warp::reject::custom(ApiError::BadInput {
                    field: None,
                    message: format!(
                        "parametri della richiesta troppo lunghi (al massimo {QUERY_LIMIT} caratteri)"
                    ),
                }))
            } else {
                Ok(())
            }
        })
        .untuple_one()
        .and(warp::query::<HashMap<String, String>>())
        .boxed()
}

/// A path segment as a record id; anything else is simply not found.
pub fn parse_id(s: &str) -> Result<Id, ApiError> {
    s.parse().map_err(|_| ApiError::NotFound)
}

pub fn json<T: Serialize>(status: StatusCode, value: &T) -> warp::reply::Response {
    warp::reply::with_status(warp::reply::json(value), status).into_response()
}

/// Runs a handler and renders its error, if any, the one way errors are rendered.
pub async fn respond(
    f: impl Future<Output = Result<warp::reply::Response, ApiError>>,
) -> Result<warp::reply::Response, Infallible> {
    Ok(f.await.unwrap_or_else(|e| render(&e)))
}

/// Renders any rejection as the contract's error body.
pub async fn handle_rejection(r: Rejection) -> Result<warp::reply::Response, Infallible> {
    if let Some(e) = r.find::<ApiError>() {
        return Ok(render(e));
    }
    let err = if r.is_not_found() {
        ApiError::NotFound
    } else if r.find::<warp::reject::PayloadTooLarge>().is_some() {
        ApiError::TooLarge
    } else if r.find::<warp::reject::MethodNotAllowed>().is_some() {
        ApiError::MethodNotAllowed
    } else if r.find::<warp::reject::LengthRequired>().is_some() {
        ApiError::BadInput {
            field: None,
            message: "indicare Content-Length: il corpo della richiesta deve avere una lunghezza"
                .into(),
        }
    } else if let Some(e) = r.find::<warp::reject::InvalidQuery>() {
        ApiError::BadInput {
            field: None,
            message: format!("parametri della richiesta non validi: {e}"),
        }
    } else if let Some(e) = r.find::<warp::reject::InvalidHeader>() {
        ApiError::BadInput {
            field: None,
            message: format!("intestazione non valida: {}", e.name()),
        }
    } else {
        ApiError::Internal(format!("{r:?}"))
    };
    Ok(render(&err))
}

/// The one place an error becomes a response.
pub fn render(e: &ApiError) -> warp::reply::Response {
    let status = e.status_and_code().0;
    if status == StatusCode::INTERNAL_SERVER_ERROR {
        eprintln!("errore interno: {e:?}");
    }
    let mut resp = json(status, &e.to_json());
    if status == StatusCode::UNAUTHORIZED {
        resp.headers_mut().insert(
            warp::http::header::WWW_AUTHENTICATE,
            warp::http::HeaderValue::from_static("Bearer"),
        );
    }
    resp
}

/// Reads an optional positive integer parameter within `1..=max`.
pub fn int_param(
    q: &HashMap<String, String>,
    name: &str,
    default: usize,
    max: usize,
) -> Result<usize, ApiError> {
    match q.get(name) {
        None => Ok(default),
        Some(v) => v
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=max).contains(n))
            .ok_or_else(|| ApiError::BadInput {
                field: Some(name.to_string()),
                message: format!("{name} deve essere un numero intero tra 1 e {max}"),
            }),
    }
}

/// Reads an optional date parameter.
pub fn date_param(
    q: &HashMap<String, String>,
    name: &str,
) -> Result<Option<matcher::Date>, ApiError> {
    q.get(name)
        .map(|v| {
            v.parse().map_err(|_| ApiError::BadInput {
                field: Some(name.to_string()),
                message: format!("{name}: data non valida, usare AAAA-MM-GG"),
            })
        })
        .transpose()
}

/// Refuses query parameters the endpoint does not know, so typos do not pass silently.
pub fn only_params(q: &HashMap<String, String>, known: &[&str]) -> Result<(), ApiError> {
    match q.keys().find(|k| !known.contains(&k.as_str())) {
        Some(k) => Err(ApiError::BadInput {
            field: Some(k.clone()),
            message: format!("parametro non previsto: {k}"),
        }),
        None => Ok(()),
    }
}
