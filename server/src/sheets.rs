//! Spreadsheets in and out, shared by the API and the web pages: importing a desk's file
//! through the engine, the desk's own cards as CSV/XLSX (audited as an export), and the
//! file types both front ends answer with.

use matcher::model::{Actor, AuditAction, RecordKind};
use matcher::sheet::{self, Kind, Table, XlsxLayout};
use matcher::{Date, ImportOptions, SheetReport};

use warp::http::HeaderValue;

use crate::app::State;
use crate::error::ApiError;

/// A downloadable table file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SheetFormat {
    Csv,
    Xlsx,
}

pub const XLSX_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

impl SheetFormat {
    /// `csv` or `xlsx`, as in a `format` parameter.
    pub fn parse(s: &str) -> Option<SheetFormat> {
        match s {
            "csv" => Some(SheetFormat::Csv),
            "xlsx" => Some(SheetFormat::Xlsx),
            _ => None,
        }
    }

    /// The format an `Accept` header asks for, if it names one of ours.
    pub fn from_accept(accept: &str) -> Option<SheetFormat> {
        if accept.contains(XLSX_TYPE) {
            Some(SheetFormat::Xlsx)
        } else if accept.contains("text/csv") {
            Some(SheetFormat::Csv)
        } else {
            None
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            SheetFormat::Csv => "text/csv; charset=utf-8",
            SheetFormat::Xlsx => XLSX_TYPE,
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            SheetFormat::Csv => "csv",
            SheetFormat::Xlsx => "xlsx",
        }
    }

    /// The tables as a file of this format; CSV stacks them, XLSX gives each a sheet.
    pub fn write(self, tables: &[Table]) -> Result<Vec<u8>, ApiError> {
        Ok(match self {
            SheetFormat::Csv => sheet::write_csv(tables),
            SheetFormat::Xlsx => sheet::write_xlsx(tables, XlsxLayout::SheetPerTable)?,
        })
    }
}

/// Reads an uploaded sheet of `kind` (`hint`: its content type or file name) and imports
/// it as `actor` through the engine; a dry run changes nothing.
pub fn import(
    s: &State,
    actor: &Actor,
    kind: Kind,
    bytes: &[u8],
    hint: Option<&str>,
    opts: ImportOptions,
) -> Result<SheetReport, ApiError> {
    let today = Date::today();
    let parsed = sheet::parse_file(bytes, hint, kind, None, today)?;
    Ok(s.engine
        .import_sheet(&parsed, kind, opts, Some(actor), today, &mut |_| {})?)
}

/// The cards of the actor's desk as a file the importer reads back; every card exported
/// is an audit line, as reading one is.
pub fn desk_cards(s: &State, actor: &Actor, format: SheetFormat) -> Result<Vec<u8>, ApiError> {
    let workers = s.engine.desk_workers(actor.org_id)?;
    s.engine.audit_each(
        actor,
        AuditAction::Export,
        RecordKind::Worker,
        workers.iter().map(|w| w.id),
    )?;
    format.write(&[sheet::workers_table(&workers)])
}

/// A file to save, with its type and name (`name` without the extension).
pub fn download(file: Vec<u8>, name: &str, format: SheetFormat) -> warp::reply::Response {
    let mut resp = warp::reply::Response::new(file.into());
    let h = resp.headers_mut();
    h.insert(
        warp::http::header::CONTENT_TYPE,
        HeaderValue::from_static(format.content_type()),
    );
    let disposition = format!("attachment; filename=\"{name}.{}\"", format.extension());
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(warp::http::header::CONTENT_DISPOSITION, v);
    }
    resp
}
