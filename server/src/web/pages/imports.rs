//! "Importa schede": a desk operator uploads a spreadsheet of cards or requests, reads
//! the dry run's report in a table, and confirms the import; plus the desk's own cards
//! as CSV/XLSX. The uploaded file waits in memory, bound to the operator, until confirmed.

use std::collections::HashMap;
use std::fmt::Write;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use bytes::Buf;
use futures_util::TryStreamExt;
use matcher::model::{Id, Role};
use matcher::sheet::Kind;
use matcher::{ImportOptions, SheetReport};
use warp::filters::BoxedFilter;
use warp::reply::Response;
use warp::Filter;

use crate::app::State;
use crate::error::ApiError;
use crate::limits::SHEET_UPLOAD_LIMIT;
use crate::sheets::{self, SheetFormat};
use crate::web::html::{esc, page};
use crate::web::session::Session;
use crate::web::{checked, csrf_input, form, ok_html, render, session, signed_in, Page};

/// How long an uploaded file waits for confirmation, and how many files wait at most:
/// enough for a desk's morning, bounded so uploads cannot fill the memory.
const KEPT_FOR: Duration = Duration::from_secs(30 * 60);
const MAX_KEPT: usize = 16;

/// An upload waiting for confirmation.
struct Upload {
    operator: Id,
    kind: Kind,
    hint: Option<String>,
    bytes: Vec<u8>,
    allow_duplicates: bool,
    at: Instant,
}

fn uploads() -> &'static Mutex<HashMap<String, Upload>> {
    static UPLOADS: OnceLock<Mutex<HashMap<String, Upload>>> = OnceLock::new();
    UPLOADS.get_or_init(Default::default)
}

/// Keeps an upload; returns its random key.
fn keep(upload: Upload) -> String {
    let key: String = rand::random::<[u8; 16]>()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let mut all = uploads().lock().unwrap_or_else(|p| p.into_inner());
    all.retain(|_, u| u.at.elapsed() < KEPT_FOR);
    while all.len() >= MAX_KEPT {
        let oldest = all.iter().min_by_key(|(_, u)| u.at).map(|(k, _)| k.clone());
        match oldest {
            Some(k) => all.remove(&k),
            None => break,
        };
    }
    all.insert(key.clone(), upload);
    key
}

/// Takes back the operator's own upload (once: a confirmed file is gone).
fn take(key: &str, operator: Id) -> Option<Upload> {
    let mut all = uploads().lock().unwrap_or_else(|p| p.into_inner());
    match all.get(key) {
        Some(u) if u.operator == operator && u.at.elapsed() < KEPT_FOR => all.remove(key),
        _ => None,
    }
}

pub fn routes(state: Arc<State>) -> BoxedFilter<(Response,)> {
    let form_page = warp::path!("ui" / "importa")
        .and(warp::get())
        .and(session(state.clone()))
        .and_then(|s, _st| render(async move { upload_page(s) }));
    let upload = warp::path!("ui" / "importa")
        .and(warp::post())
        .and(warp::multipart::form().max_length(SHEET_UPLOAD_LIMIT + 64 * 1024))
        .and(session(state.clone()))
        .and_then(|f, s, st| render(dry_run(f, s, st)));
    let confirm = warp::path!("ui" / "importa" / "conferma")
        .and(warp::post())
        .and(form())
        .and(session(state.clone()))
        .and_then(|f, s, st| render(confirm(f, s, st)));
    let cards = |format: SheetFormat| {
        warp::path("ui")
            .and(warp::path(format!("schede.{}", format.extension())))
            .and(warp::path::end())
            .and(warp::get())
            .and(session(state.clone()))
            .and_then(move |s, st| render(cards(format, s, st)))
    };
    form_page
        .or(upload)
        .unify()
        .or(confirm)
        .unify()
        .or(cards(SheetFormat::Csv))
        .unify()
        .or(cards(SheetFormat::Xlsx))
        .unify()
        .boxed()
}

fn upload_page(s: Option<Session>) -> Page {
    let s = signed_in(s, &[Role::Operator])?;
    let body = format!(
        "<p>Carichi l'elenco che lo sportello tiene in Excel, LibreOffice o CSV. Prima vedrà \
         che cosa succederà a ogni riga; nulla viene importato finché non conferma.</p>\
         <form method=\"post\" action=\"/ui/importa\" enctype=\"multipart/form-data\" class=\"narrow\">{csrf}\
         <fieldset><legend>Che cosa contiene il file</legend>\
         <label><input type=\"radio\" name=\"tipo\" value=\"schede\" checked> Schede di lavoratrici e lavoratori</label>\
         <label><input type=\"radio\" name=\"tipo\" value=\"richieste\"> Richieste delle famiglie</label></fieldset>\
         <label for=\"file\">File (CSV, XLSX o ODS, al massimo {mb} MB)</label>\
         <input type=\"file\" id=\"file\" name=\"file\" accept=\".csv,.txt,.xlsx,.ods\" required>\
         <label><input type=\"checkbox\" name=\"doppioni\" value=\"si\"> Crea anche le schede simili a schede già presenti (segnalate come possibili doppioni)</label>\
         <button type=\"submit\">Controlla il file</button></form>\
         <h2>Schede dello sportello</h2><p>Le schede registrate dallo sportello, con le colonne \
         che l'importazione riconosce: <a href=\"/ui/schede.csv\" download>Scarica CSV</a> · \
         <a href=\"/ui/schede.xlsx\" download>Scarica Excel</a></p>",
        csrf = csrf_input(&s),
        mb = SHEET_UPLOAD_LIMIT / (1024 * 1024),
    );
    ok_html(page(Some(&s), "Importa schede", &body))
}

fn bad(message: &str) -> ApiError {
    ApiError::BadInput {
        field: None,
        message: message.into(),
    }
}

async fn dry_run(form: warp::multipart::FormData, s: Option<Session>, state: Arc<State>) -> Page {
    let s = signed_in(s, &[Role::Operator])?;
    let mut fields: Vec<(String, String)> = Vec::new();
    let mut file: Option<(Option<String>, Vec<u8>)> = None;
    let mut form = form;
    // Each part is read before the next: the form is one stream.
    while let Some(part) = form
        .try_next()
        .await
        .map_err(|_| bad("caricamento non riuscito: riprovare"))?
    {
        let name = part.name().to_string();
        let hint = part
            .filename()
            .map(str::to_string)
            .or_else(|| part.content_type().map(str::to_string));
        let bytes: Vec<u8> = part
            .stream()
            .try_fold(Vec::new(), |mut acc, mut buf| async move {
                while buf.has_remaining() {
                    let chunk = buf.chunk();
                    acc.extend_from_slice(chunk);
                    let n = chunk.len();
                    buf.advance(n);
                }
                Ok(acc)
            })
            .await
            .map_err(|_| bad("caricamento non riuscito: riprovare"))?;
        if name == "file" {
            file = Some((hint, bytes));
        } else {
            fields.push((name, String::from_utf8_lossy(&bytes).into_owned()));
        }
    }
    checked(&s, &fields)?;
    let field = |k: &str| fields.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let kind = match field("tipo") {
        Some("richieste") => Kind::Requests,
        _ => Kind::Workers,
    };
    let (hint, bytes) = file
        .filter(|(_, b)| !b.is_empty())
        .ok_or_else(|| bad("scegliere il file da importare"))?;
    let upload = Upload {
        operator: s.actor.operator_id,
        kind,
        hint,
        bytes,
        allow_duplicates: kind == Kind::Workers && field("doppioni") == Some("si"),
        at: Instant::now(),
    };
    let actor = s.actor;
    let (hint, bytes) = (upload.hint.clone(), upload.bytes.clone());
    let opts = ImportOptions {
        dry_run: true,
        allow_duplicates: upload.allow_duplicates,
    };
    let report = state
        .blocking(move |st| sheets::import(st, &actor, kind, &bytes, hint.as_deref(), opts))
        .await?;
    let key = keep(upload);
    let confirm = if report.created.count + report.incomplete.count > 0 {
        format!(
            "<form method=\"post\" action=\"/ui/importa/conferma\">{}\
             <input type=\"hidden\" name=\"caricamento\" value=\"{key}\">\
             <button type=\"submit\">Importa {} righe</button> <a href=\"/ui/importa\">Annulla</a></form>",
            csrf_input(&s),
            report.created.count + report.incomplete.count
        )
    } else {
        "<p>Nessuna riga da importare. <a href=\"/ui/importa\">Carica un altro file</a></p>".into()
    };
    let body = format!("{}{confirm}", report_html(&report));
    ok_html(page(Some(&s), "Importa schede: controllo", &body))
}

async fn confirm(pairs: Vec<(String, String)>, s: Option<Session>, state: Arc<State>) -> Page {
    let s = signed_in(s, &[Role::Operator])?;
    checked(&s, &pairs)?;
    let key = pairs
        .iter()
        .find(|(k, _)| k == "caricamento")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let upload = take(&key, s.actor.operator_id).ok_or_else(|| {
        bad("il file caricato non è più disponibile (già importato o scaduto dopo 30 minuti): caricarlo di nuovo")
    })?;
    let actor = s.actor;
    let opts = ImportOptions {
        dry_run: false,
        allow_duplicates: upload.allow_duplicates,
    };
    let report = state
        .blocking(move |st| {
            sheets::import(
                st,
                &actor,
                upload.kind,
                &upload.bytes,
                upload.hint.as_deref(),
                opts,
            )
        })
        .await?;
    let body = format!(
        "{}<p><a href=\"/ui/schede?status=incomplete\">Schede da completare</a> · \
         <a href=\"/ui/importa\">Importa un altro file</a></p>",
        report_html(&report)
    );
    ok_html(page(Some(&s), "Importa schede: fatto", &body))
}

async fn cards(format: SheetFormat, s: Option<Session>, state: Arc<State>) -> Page {
    let s = signed_in(s, &[Role::Operator])?;
    let actor = s.actor;
    let file = state
        .blocking(move |st| sheets::desk_cards(st, &actor, format))
        .await?;
    Ok(sheets::download(file, "dom-schede", format))
}

/// The report as the operator reads it: the summary, then one table row per sheet row.
fn report_html(r: &SheetReport) -> String {
    let mut out = format!(
        "<p><strong>{}</strong></p><p>{}{}; intestazione alla riga {}.</p>",
        esc(&r.summary()),
        esc(&r.file),
        r.sheet
            .as_deref()
            .map_or(String::new(), |s| format!(", foglio «{}»", esc(s))),
        r.header_row
    );
    for a in &r.assumptions {
        let _ = write!(out, "<p class=\"notice\">{}</p>", esc(a));
    }
    let mut rows: Vec<(usize, String, String, String)> = Vec::new();
    let done = if r.dry_run { "da creare" } else { "creata" };
    for x in &r.created.rows {
        rows.push((x.row, done.into(), esc(&x.name), String::new()));
    }
    for x in &r.incomplete.rows {
        let what = format!("{done}, da completare");
        rows.push((
            x.row,
            what,
            esc(&x.name),
            esc(x.message.as_deref().unwrap_or("")),
        ));
    }
    for x in &r.duplicates.rows {
        rows.push((
            x.row,
            "possibile doppione".into(),
            esc(&x.name),
            esc(&x.message),
        ));
    }
    for x in &r.refused {
        let column = if x.column.is_empty() {
            String::new()
        } else {
            format!("colonna «{}»: ", esc(&x.column))
        };
        rows.push((
            x.row,
            "scartata".into(),
            String::new(),
            format!("{column}{}", esc(&x.message)),
        ));
    }
    for x in &r.notices {
        let text = format!("colonna «{}»: {}", esc(&x.column), esc(&x.message));
        rows.push((x.row, "da verificare".into(), String::new(), text));
    }
    for x in &r.skipped {
        rows.push((x.row, "saltata".into(), String::new(), esc(x.reason)));
    }
    rows.sort_by_key(|r| r.0);
    out.push_str(
        "<table class=\"compact\"><caption>Riga per riga</caption><thead><tr><th scope=\"col\">Riga</th>\
         <th scope=\"col\">Esito</th><th scope=\"col\">Nome</th><th scope=\"col\">Dettagli</th></tr></thead><tbody>",
    );
    for (row, what, name, detail) in rows {
        let _ = write!(
            out,
            "<tr><td>{row}</td><td>{what}</td><td>{name}</td><td>{detail}</td></tr>"
        );
    }
    out.push_str("</tbody></table>");
    out
}
