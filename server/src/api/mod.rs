//! Routing: which filter answers which path, the small helpers every resource shares
//! (state, token, body, query), and the one place where errors become responses.

/// One route: `METHOD path` with its extractors, then the shared state, answered by a
/// handler (`|…, state| respond(handler(…, state))`); boxed so routes chain cheaply.
macro_rules! route {
    ($method:ident $path:expr $(, $filter:expr)*; $state:expr => $handler:expr) => {
        $path
            .and(warp::$method())
            $(.and($filter))*
            .and($crate::filters::with_state($state))
            .and_then($handler)
            .boxed()
    };
}

/// A route on one record (`…/{id}…`, token, optional JSON body) whose handler is a plain
/// function `(state, actor, id[, body]) -> Result<T, ApiError>` answered as JSON 200 by
/// `on_record`: authentication, the id and the blocking pool are handled once, here.
macro_rules! record_route {
    ($method:ident $path:expr; $state:expr => $handler:path) => {
        route!($method $path, $crate::api::token(); $state =>
            |id, t, s| $crate::api::respond($crate::api::on_record(s, t, id, $handler)))
    };
    ($method:ident $path:expr, body; $state:expr => $handler:path) => {
        route!($method $path, $crate::api::token(), $crate::api::body(); $state =>
            |id, t, b: bytes::Bytes, s| $crate::api::respond($crate::api::on_record(s, t, id,
                move |s: &$crate::app::State, a, id| $handler(s, a, id, &b))))
    };
}

pub mod admin;
mod contacts;
pub mod describe;
mod followups;
mod health;
mod imports;
pub mod openapi;
mod outcome;
mod proposals;
mod reports;
mod requests;
pub mod wire;
mod workers;

use std::collections::HashMap;
use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;

use serde::Serialize;
use warp::filters::BoxedFilter;
use warp::http::StatusCode;
use warp::{Filter, Rejection, Reply};

use matcher::model::{Actor, Id};

use crate::access::parse_id;
use crate::app::State;
use crate::error::ApiError;
pub use crate::filters::{query, with_state};
use describe::{Described, Route};

/// Largest JSON body accepted: a worker card with long notes is about 6 KiB.
pub const BODY_LIMIT: u64 = 64 * 1024;

/// Every route of the API, each with its description (the web interface is mounted
/// beside it, in `app`).
pub fn described(state: Arc<State>) -> Vec<Described> {
    [
        health::routes(state.clone()),
        workers::routes(state.clone()),
        requests::routes(state.clone()),
        proposals::routes(state.clone()),
        followups::routes(state.clone()),
        contacts::routes(state.clone()),
        outcome::routes(state.clone()),
        reports::routes(state.clone()),
        imports::routes(state.clone()),
        admin::routes(state),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// The API: every described route, `/openapi.json` describing them, and a 405 with
/// `Allow` for a described path asked with another method.
pub fn routes(state: Arc<State>) -> Route {
    let all = described(state);
    let outside = openapi::outside_the_routes();
    let ops: Vec<&describe::Operation> = outside.iter().chain(all.iter().map(|d| &d.op)).collect();
    let doc = openapi::document(ops.iter().copied());
    let allowed = not_allowed(describe::methods_by_path(&ops));
    first_of(openapi::serve(doc), all.into_iter().map(|d| d.route))
        .or(allowed)
        .unify()
        .boxed()
}

/// Rejects a request to a described path with a method it does not serve as a 405 that
/// names the methods it does; anything else stays not found (the first rejection wins).
fn not_allowed(methods: std::collections::BTreeMap<&'static str, Vec<&'static str>>) -> Route {
    let methods = Arc::new(methods);
    warp::path::full()
        .and(warp::method())
        .and_then(
            move |path: warp::path::FullPath, method: warp::http::Method| {
                let methods = methods.clone();
                async move {
                    let asked = method.as_str().to_ascii_lowercase();
                    let mut served: Vec<&str> = methods
                        .iter()
                        .filter(|(template, _)| describe::fits(template, path.as_str()))
                        .flat_map(|(_, m)| m.iter().copied())
                        .collect();
                    if served.is_empty() || served.contains(&asked.as_str()) {
                        return Err::<warp::reply::Response, _>(warp::reject::not_found());
                    }
                    served.sort_unstable();
                    served.dedup();
                    let allow = served
                        .iter()
                        .map(|m| m.to_ascii_uppercase())
                        .collect::<Vec<_>>()
                        .join(", ");
                    Err(warp::reject::custom(ApiError::MethodNotAllowed(Some(
                        allow,
                    ))))
                }
            },
        )
        .boxed()
}

/// The routes tried in turn: the first that matches answers.
pub fn first_of(first: Route, rest: impl IntoIterator<Item = Route>) -> Route {
    rest.into_iter()
        .fold(first, |all, next| all.or(next).unify().boxed())
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

pub fn json<T: Serialize>(status: StatusCode, value: &T) -> warp::reply::Response {
    warp::reply::with_status(warp::reply::json(value), status).into_response()
}

/// A JSON answer already serialised (a cached one), sent as it is.
pub fn json_bytes(status: StatusCode, body: bytes::Bytes) -> warp::reply::Response {
    let mut resp = warp::reply::Response::new(body.into());
    *resp.status_mut() = status;
    resp.headers_mut().insert(
        warp::http::header::CONTENT_TYPE,
        warp::http::HeaderValue::from_static("application/json"),
    );
    resp
}

/// The shape of most record routes: authenticate, read the path's record id, run `f` on
/// the blocking pool with the actor and the id, answer `200` with its result as JSON.
pub async fn on_record<T: Serialize + Send + 'static>(
    state: Arc<State>,
    token: Option<String>,
    id: String,
    f: impl FnOnce(&State, Actor, Id) -> Result<T, ApiError> + Send + 'static,
) -> Result<warp::reply::Response, ApiError> {
    let value = with_record(state, token, id, f).await?;
    Ok(json(StatusCode::OK, &value))
}

/// `on_record` for handlers that shape their own answer: returns what `f` returned.
pub async fn with_record<T: Send + 'static>(
    state: Arc<State>,
    token: Option<String>,
    id: String,
    f: impl FnOnce(&State, Actor, Id) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let actor = state.auth.authenticate(token.as_deref())?;
    let id = parse_id(&id)?;
    state.blocking(move |s| f(s, actor, id)).await
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
        ApiError::MethodNotAllowed(None)
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
        tracing::error!(error = %e.log_line(), "errore interno");
    }
    let mut resp = json(status, &e.to_json());
    if status == StatusCode::UNAUTHORIZED {
        resp.headers_mut().insert(
            warp::http::header::WWW_AUTHENTICATE,
            warp::http::HeaderValue::from_static("Bearer"),
        );
    }
    if let ApiError::MethodNotAllowed(Some(allow)) = e {
        if let Ok(v) = warp::http::HeaderValue::from_str(allow) {
            resp.headers_mut().insert(warp::http::header::ALLOW, v);
        }
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

/// Reads the optional `offset` of a paged list (default 0).
pub fn offset_param(q: &HashMap<String, String>) -> Result<usize, ApiError> {
    q.get("offset").map_or(Ok(0), |v| {
        v.parse::<usize>().map_err(|_| ApiError::BadInput {
            field: Some("offset".into()),
            message: "offset deve essere un numero intero non negativo".into(),
        })
    })
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
