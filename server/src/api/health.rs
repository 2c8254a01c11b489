//! `GET /healthz`: the service is up with its store and index open.

use std::sync::Arc;

use warp::{Filter, Reply};

use super::describe::{op, Described};
use super::wire::Health;
use crate::app::State;

/// GET /healthz
pub fn routes(state: Arc<State>) -> Vec<Described> {
    let health = warp::path("healthz")
        .and(warp::path::end())
        .and(warp::get())
        .map(move || {
            // Reaching here means `State` exists, which means store and index opened.
            let _ = &state;
            warp::reply::json(&Health { status: "ok" }).into_response()
        })
        .boxed();
    vec![op(
        "get",
        "/healthz",
        "health",
        "service",
        "The service is up",
        "Servizio attivo, archivio e indice aperti.",
    )
    .answers::<Health>(200, "Up")
    .serves(health)]
}
