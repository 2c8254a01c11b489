//! Filters both the API and the web interface extract with: the shared state, and the
//! query string as a map within a length limit.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::Arc;

use warp::filters::BoxedFilter;
use warp::Filter;

use crate::app::State;
use crate::error::ApiError;

pub fn with_state(
    state: Arc<State>,
) -> impl Filter<Extract = (Arc<State>,), Error = Infallible> + Clone {
    warp::any().map(move || state.clone())
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
