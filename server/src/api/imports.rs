//! A desk's spreadsheets: `POST /api/v1/imports/{workers,requests}` (the file as the body,
//! `?dry_run=true` to see the report first) and `GET /api/v1/exports/workers`, the desk's
//! own cards in the columns the importer reads. Desk operators only.

use std::collections::HashMap;
use std::sync::Arc;

use matcher::sheet::Kind;
use matcher::ImportOptions;
use warp::filters::BoxedFilter;
use warp::http::StatusCode;
use warp::Filter;

use super::{first_of, json, only_params, query, respond, token};
use crate::access;
use crate::app::State;
use crate::error::ApiError;
use crate::limits::SHEET_UPLOAD_LIMIT;
use crate::sheets::{self, SheetFormat};

pub fn routes(state: Arc<State>) -> BoxedFilter<(warp::reply::Response,)> {
    let upload = || {
        warp::body::content_length_limit(SHEET_UPLOAD_LIMIT)
            .and(warp::body::bytes())
            .boxed()
    };
    let content_type = || warp::header::optional::<String>("content-type");
    // POST /api/v1/imports/workers?dry_run=true&allow_duplicates=true
    let workers = route!(post warp::path!("api" / "v1" / "imports" / "workers"), token(), query(), content_type(), upload();
        state.clone() => |t, q, c, b, s| respond(import(Kind::Workers, t, q, c, b, s)));
    // POST /api/v1/imports/requests?dry_run=true
    let requests = route!(post warp::path!("api" / "v1" / "imports" / "requests"), token(), query(), content_type(), upload();
        state.clone() => |t, q, c, b, s| respond(import(Kind::Requests, t, q, c, b, s)));
    // GET /api/v1/exports/workers?format=csv|xlsx
    let export = route!(get warp::path!("api" / "v1" / "exports" / "workers"), token(), query(), warp::header::optional::<String>("accept");
        state => |t, q, a, s| respond(export(t, q, a, s)));
    first_of(workers, [requests, export])
}

fn flag(q: &HashMap<String, String>, name: &str) -> Result<bool, ApiError> {
    match q.get(name).map(String::as_str) {
        None | Some("false") => Ok(false),
        Some("true") => Ok(true),
        Some(_) => Err(ApiError::BadInput {
            field: Some(name.into()),
            message: format!("{name} vale true o false"),
        }),
    }
}

async fn import(
    kind: Kind,
    token: Option<String>,
    q: HashMap<String, String>,
    content_type: Option<String>,
    body: bytes::Bytes,
    state: Arc<State>,
) -> Result<warp::reply::Response, ApiError> {
    let actor = state.auth.authenticate(token.as_deref())?;
    access::desk(&actor)?;
    match kind {
        Kind::Workers => only_params(&q, &["dry_run", "allow_duplicates"])?,
        Kind::Requests => only_params(&q, &["dry_run"])?,
    }
    let opts = ImportOptions {
        dry_run: flag(&q, "dry_run")?,
        allow_duplicates: flag(&q, "allow_duplicates")?,
    };
    let report = state
        .blocking(move |s| sheets::import(s, &actor, kind, &body, content_type.as_deref(), opts))
        .await?;
    let status = if opts.dry_run {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok(json(status, &report))
}

async fn export(
    token: Option<String>,
    q: HashMap<String, String>,
    accept: Option<String>,
    state: Arc<State>,
) -> Result<warp::reply::Response, ApiError> {
    let actor = state.auth.authenticate(token.as_deref())?;
    access::desk(&actor)?;
    only_params(&q, &["format"])?;
    let format = match q.get("format") {
        Some(f) => SheetFormat::parse(f).ok_or_else(|| ApiError::BadInput {
            field: Some("format".into()),
            message: "format vale csv o xlsx".into(),
        })?,
        None => accept
            .as_deref()
            .and_then(SheetFormat::from_accept)
            .unwrap_or(SheetFormat::Csv),
    };
    let file = state
        .blocking(move |s| sheets::desk_cards(s, &actor, format))
        .await?;
    Ok(sheets::download(file, "dom-schede", format))
}
