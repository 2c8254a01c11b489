//! `dom import` on a stopped store: a desk's spreadsheet (CSV/XLSX/ODS, with an optional
//! mapping file) through the engine's import, or JSONL in the API's format in bulk.

use std::io::IsTerminal;

use matcher::sheet::{self, Kind};
use matcher::{ImportOptions, SheetReport};

use super::*;

/// Rows of each kind printed before "… e altre N".
const SHOWN: usize = 50;

pub(super) fn import(a: ImportArgs) -> Result {
    let (path, kind) = match (&a.source.workers, &a.source.requests) {
        (Some(p), None) => (p, Kind::Workers),
        (None, Some(p)) => (p, Kind::Requests),
        _ => return Err("indicare --workers FILE oppure --requests FILE".into()),
    };
    let is_jsonl = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("jsonl") || e.eq_ignore_ascii_case("json"));
    if is_jsonl {
        if a.mapping.is_some() || a.dry_run || a.allow_duplicates {
            return Err(
                "--mapping, --dry-run e --allow-duplicates valgono per i fogli (CSV, XLSX, ODS)"
                    .into(),
            );
        }
        return import_jsonl(&a, path, kind);
    }
    let read = |p: &Path| {
        std::fs::read(p).map_err(|e| format!("impossibile leggere {}: {e}", p.display()))
    };
    let bytes = read(path)?;
    let mapping = match &a.mapping {
        Some(p) => Some(
            String::from_utf8(read(p)?)
                .map_err(|_| format!("{}: il file deve essere in UTF-8", p.display()))?,
        ),
        None => None,
    };
    let today = Date::today();
    let name = path.file_name().and_then(|n| n.to_str());
    let parsed = sheet::parse_file(&bytes, name, kind, mapping.as_deref(), today)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let engine = open(&a.data.data, a.demo)?;
    let opts = ImportOptions {
        dry_run: a.dry_run,
        allow_duplicates: a.allow_duplicates,
    };
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new(parsed.rows.len() as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} righe")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    });
    let report = engine
        .import_sheet(&parsed, kind, opts, None, today, &mut |n| {
            if let Some(b) = &bar {
                b.set_position(n as u64);
            }
        })
        .map_err(|e| e.to_string())?;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    engine.close().map_err(|e| e.to_string())?;
    drop(engine);
    print_report(&report)?;
    let stored = report.created.count + report.incomplete.count;
    compact_after(&a.data.data, if report.dry_run { 0 } else { stored })
}

/// Compacts the store after a bulk import (see `compact::AFTER_IMPORT`).
fn compact_after(data: &Path, imported: usize) -> Result {
    if imported < super::compact::AFTER_IMPORT {
        return Ok(());
    }
    super::compact::compact(data)
}

/// The report in Italian, as the web page shows it.
fn print_report(r: &SheetReport) -> Result {
    let mut out = std::io::stdout().lock();
    let sheet = r
        .sheet
        .as_deref()
        .map_or(String::new(), |s| format!(", foglio «{s}»"));
    writeln!(
        out,
        "{}{sheet}; intestazione alla riga {}",
        r.file, r.header_row
    )?;
    for a in &r.assumptions {
        writeln!(out, "nota: {a}")?;
    }
    let unused: Vec<&str> = r
        .columns
        .iter()
        .filter(|c| c.field.is_none())
        .map(|c| c.column.as_str())
        .collect();
    if !unused.is_empty() {
        writeln!(out, "colonne non importate: {}", unused.join(", "))?;
    }
    let created = if r.dry_run { "da creare" } else { "creata" };
    for row in r.created.rows.iter().take(SHOWN) {
        writeln!(out, "riga {}: {created}: {}", row.row, row.name)?;
    }
    for row in r.incomplete.rows.iter().take(SHOWN) {
        writeln!(
            out,
            "riga {}: {created} da completare: {} ({})",
            row.row,
            row.name,
            row.message.as_deref().unwrap_or("")
        )?;
    }
    for d in r.duplicates.rows.iter().take(SHOWN) {
        writeln!(
            out,
            "riga {}: possibile doppione: {} — {}",
            d.row, d.name, d.message
        )?;
    }
    for x in r.refused.iter().take(SHOWN) {
        let column = if x.column.is_empty() {
            String::new()
        } else {
            format!(", colonna «{}»", x.column)
        };
        let value = if x.value.is_empty() || x.message.contains(&x.value) {
            String::new()
        } else {
            format!(" («{}»)", x.value)
        };
        writeln!(
            out,
            "riga {}{column}: scartata: {}{value}",
            x.row, x.message
        )?;
    }
    for n in r.notices.iter().take(SHOWN) {
        writeln!(
            out,
            "riga {}, colonna «{}»: da verificare: {}",
            n.row, n.column, n.message
        )?;
    }
    for s in &r.skipped {
        writeln!(out, "riga {}: saltata ({})", s.row, s.reason)?;
    }
    let more = [
        r.created.rows.len(),
        r.incomplete.rows.len(),
        r.duplicates.rows.len(),
        r.refused.len(),
        r.notices.len(),
    ]
    .iter()
    .map(|n| n.saturating_sub(SHOWN))
    .sum::<usize>();
    if more > 0 {
        writeln!(out, "… e altre {more} righe")?;
    }
    if r.dry_run {
        writeln!(out, "prova: nulla è stato importato")?;
    }
    writeln!(out, "{}", r.summary())?;
    Ok(())
}

/// Cards or requests in the API's JSON, one per line, stored in bulk.
fn import_jsonl(a: &ImportArgs, path: &Path, kind: Kind) -> Result {
    let engine = open(&a.data.data, a.demo)?;
    let file = std::fs::File::open(path)
        .map(std::io::BufReader::new)
        .map_err(|e| format!("impossibile leggere {}: {e}", path.display()))?;
    let started = std::time::Instant::now();
    let report = match kind {
        Kind::Workers => engine.import_jsonl(file, Date::today()),
        Kind::Requests => engine.import_requests_jsonl(file, Date::today()),
    }
    .map_err(|e| e.to_string())?;
    engine.close().map_err(|e| e.to_string())?;
    drop(engine);
    let mut err = std::io::stderr().lock();
    for (line, e) in report.refused.iter().take(20) {
        writeln!(
            err,
            "riga {line}: {e} (campo: {})",
            e.field().unwrap_or("-")
        )?;
    }
    say!(
        "importate {} righe, scartate {}, in {:.1} s",
        report.imported,
        report.refused.len(),
        started.elapsed().as_secs_f64()
    )?;
    compact_after(&a.data.data, report.imported)
}
