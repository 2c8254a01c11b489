//! DOM's service: the warp HTTP API shared by desks, Punti Insieme and social services,
//! the background tasks, and the `dom` command line. All HTTP lives here, none in `matcher`.

pub mod access;
pub mod api;
pub mod app;
pub mod auth;
pub mod candidates_cache;
pub mod cli;
pub mod client;
pub mod error;
pub mod filters;
pub mod fuzzing;
pub mod limits;
pub mod logging;
pub mod maintenance;
pub mod metrics;
pub mod operators;
pub mod sheets;
pub mod web;
