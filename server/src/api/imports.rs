//! A desk's spreadsheets: `POST /api/v1/imports/{workers,requests}` (the file as the body,
//! `?dry_run=true` to see the report first) and `GET /api/v1/exports/workers`, the desk's
//! own cards in the columns the importer reads. Desk operators only.

use std::collections::HashMap;
use std::sync::Arc;

use matcher::sheet::Kind;
use matcher::ImportOptions;
use warp::http::StatusCode;
use warp::Filter;

use matcher::model::Role;
use matcher::SheetReport;
use serde_json::json as j;

use super::describe::{op, Described};
use super::{json, only_params, query, respond, token};
use crate::access;
use crate::app::State;
use crate::error::ApiError;
use crate::limits::SHEET_UPLOAD_LIMIT;
use crate::sheets::{self, SheetFormat};

pub fn routes(state: Arc<State>) -> Vec<Described> {
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
    let import_op = |method, path, id, summary, description| {
        op(method, path, id, "imports", summary, description)
            .roles(&[Role::Operator])
            .body_file()
            .query(
                "dry_run",
                "true: only the report, nothing stored",
                j!({"type": "boolean", "default": false}),
            )
            .answers::<SheetReport>(200, "The report of a dry run")
            .answers::<SheetReport>(201, "The report of the import")
            .errors(&[413])
    };
    vec![
        import_op(
            "post",
            "/api/v1/imports/workers",
            "importWorkers",
            "Import worker cards from a CSV, XLSX or ODS sheet",
            "Importa schede da un foglio CSV, XLSX o ODS (colonne riconosciute per nome; \
             ?dry_run=true mostra il resoconto senza salvare; ?allow_duplicates=true crea \
             anche i possibili doppioni).",
        )
        .query(
            "allow_duplicates",
            "true: create likely duplicates too",
            j!({"type": "boolean", "default": false}),
        )
        .serves(workers),
        import_op(
            "post",
            "/api/v1/imports/requests",
            "importRequests",
            "Import family requests from a CSV, XLSX or ODS sheet",
            "Importa richieste delle famiglie da un foglio (stesse regole della registrazione, \
             controllo antidiscriminazione compreso; ?dry_run=true per il resoconto).",
        )
        .serves(requests),
        op(
            "get",
            "/api/v1/exports/workers",
            "exportWorkers",
            "imports",
            "The desk's cards as CSV or XLSX, in the columns the importer reads",
            "Le schede dello sportello in CSV (Excel italiano) o XLSX, con le colonne che \
             l'importazione riconosce.",
        )
        .roles(&[Role::Operator])
        .query(
            "format",
            "csv (default) or xlsx",
            j!({"type": "string", "enum": ["csv", "xlsx"], "default": "csv"}),
        )
        .answers_sheet(200, "The sheet")
        .serves(export),
    ]
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
