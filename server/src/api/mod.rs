//! Routing: which filter answers which path, and the one place where every rejection
//! becomes the contract's JSON error.

mod health;

use std::convert::Infallible;
use std::sync::Arc;

use warp::http::StatusCode;
use warp::{Filter, Rejection, Reply};

use crate::app::State;
use crate::error::ApiError;

/// Every route of the service.
pub fn routes(
    state: Arc<State>,
) -> impl Filter<Extract = (impl Reply,), Error = Infallible> + Clone {
    health::routes(state).recover(handle_rejection)
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
    } else if let Some(e) = r.find::<warp::reject::InvalidQuery>() {
        ApiError::BadInput {
            field: None,
            message: format!("parametri della richiesta non validi: {e}"),
        }
    } else if let Some(e) = r.find::<warp::reject::MissingHeader>() {
        if e.name() == "authorization" {
            ApiError::Unauthorized
        } else {
            ApiError::BadInput {
                field: None,
                message: format!("intestazione mancante: {}", e.name()),
            }
        }
    } else if r.find::<warp::reject::UnsupportedMediaType>().is_some() {
        ApiError::BadInput {
            field: None,
            message: "il corpo della richiesta deve essere JSON (Content-Type: application/json)"
                .into(),
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
    warp::reply::with_status(warp::reply::json(&e.to_json()), status).into_response()
}
