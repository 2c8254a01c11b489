//! `GET /healthz`: the service is up with its store and index open.

use std::sync::Arc;

use warp::filters::BoxedFilter;
use warp::{Filter, Reply};

use crate::app::State;

/// GET /healthz
pub fn routes(state: Arc<State>) -> BoxedFilter<(warp::reply::Response,)> {
    warp::path("healthz")
        .and(warp::path::end())
        .and(warp::get())
        .map(move || {
            // Reaching here means `State` exists, which means store and index opened.
            let _ = &state;
            warp::reply::json(&serde_json::json!({"status": "ok"})).into_response()
        })
        .boxed()
}
