//! Importing a desk's spreadsheet: every row goes the way one registration goes
//! (validation, the guard for requests, the duplicate check for cards, sealing, index,
//! tables), with an `import` audit line per created record, and comes back in a report
//! that says, row by row, what was created, kept as incomplete, held as a likely
//! duplicate or refused. A dry run builds the same report and writes nothing.

use std::collections::HashMap;

use serde::Serialize;
use serde_json::Value;

use super::write::Change;
use super::Engine;
use crate::date::Date;
use crate::dedupe::DedupeIndex;
use crate::error::{Error, Result};
use crate::incomplete;
use crate::json;
use crate::model::{
    Actor, AuditAction, AuditEntry, DuplicateMatch, Id, RecordKind, Request, RequestInput, Worker,
    WorkerInput, WorkerStatus,
};
use crate::sheet::{CellProblem, ColumnUse, Kind, Parsed, RowOutcome, Skipped};
use crate::validate;

/// Records written per store transaction: one flush for many rows, few enough that a
/// crash loses at most a batch nobody was told about yet.
const BATCH: usize = 500;

/// How to import.
#[derive(Debug, Clone, Copy, Default)]
pub struct ImportOptions {
    /// Build the report, write nothing.
    pub dry_run: bool,
    /// Create likely duplicates too (flagged on the card, as in registration).
    pub allow_duplicates: bool,
}

/// One row that was (or, in a dry run, would be) stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ImportedRow {
    pub row: usize,
    /// `None` in a dry run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<Id>,
    /// Whose card or which family, so the operator recognises the row.
    pub name: String,
    /// What an incomplete card lacks (create-body field names).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<String>,
    /// Italian: what to complete.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// Rows in one group of the report, with their number.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RowGroup<T> {
    pub count: usize,
    pub rows: Vec<T>,
}

impl<T> Default for RowGroup<T> {
    fn default() -> Self {
        RowGroup {
            count: 0,
            rows: Vec::new(),
        }
    }
}

impl<T> RowGroup<T> {
    fn push(&mut self, row: T) {
        self.count += 1;
        self.rows.push(row);
    }
}

/// A row that looks like a card already on file (or an earlier row of the same file).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DuplicateRow {
    pub row: usize,
    pub name: String,
    /// The cards it looks like; ids of rows of this file in a dry run are provisional.
    pub duplicates: Vec<DuplicateMatch>,
    /// Whether it was created anyway (`allow_duplicates`).
    pub created: bool,
    /// Italian.
    pub message: String,
}

/// A row not imported, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RefusedRow {
    pub row: usize,
    /// The sheet's heading of the column at fault (empty when the row as a whole is).
    pub column: String,
    /// Italian.
    pub message: String,
    /// The cell as shown.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub value: String,
}

/// What importing a sheet did (or, in a dry run, would do).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SheetReport {
    pub dry_run: bool,
    /// "workers" or "requests".
    pub kind: &'static str,
    /// Which file and sheet were read, in Italian.
    pub file: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    pub header_row: usize,
    /// Complete records created.
    pub created: RowGroup<ImportedRow>,
    /// Cards created as `incomplete` ("da completare").
    pub incomplete: RowGroup<ImportedRow>,
    pub duplicates: RowGroup<DuplicateRow>,
    pub refused: Vec<RefusedRow>,
    /// Values taken with an assumption, for the operator to check.
    pub notices: Vec<CellProblem>,
    pub skipped: Vec<Skipped>,
    pub columns: Vec<ColumnUse>,
    pub assumptions: Vec<String>,
}

impl SheetReport {
    fn new(parsed: &Parsed, kind: Kind, dry_run: bool) -> SheetReport {
        SheetReport {
            dry_run,
            kind: match kind {
                Kind::Workers => "workers",
                Kind::Requests => "requests",
            },
            file: parsed.file.clone(),
            sheet: parsed.sheet.clone(),
            header_row: parsed.header_row,
            created: RowGroup::default(),
            incomplete: RowGroup::default(),
            duplicates: RowGroup::default(),
            refused: Vec::new(),
            notices: parsed.rows.iter().flat_map(|r| r.notices.clone()).collect(),
            skipped: parsed.skipped.clone(),
            columns: parsed.columns.clone(),
            assumptions: parsed.assumptions.clone(),
        }
    }

    /// One sentence for the command line and the page's heading.
    pub fn summary(&self) -> String {
        let verb = if self.dry_run {
            "da importare"
        } else {
            "importate"
        };
        format!(
            "{verb}: {} complete, {} da completare; possibili doppioni: {}; righe scartate: {}",
            self.created.count,
            self.incomplete.count,
            self.duplicates.count,
            self.refused.len()
        )
    }

    fn refuse(&mut self, row: usize, column: String, message: String, value: String) {
        self.refused.push(RefusedRow {
            row,
            column,
            message,
            value,
        });
    }

    /// A row refused by validation or the guard, under the column of the field it names.
    fn refuse_error(&mut self, row: usize, columns: &[ColumnUse], e: &Error) {
        let column = e.field().map(|f| column_of(columns, f));
        self.refuse(
            row,
            column.unwrap_or_default(),
            message_of(e),
            String::new(),
        );
    }
}

/// The sheet heading of the column that fills create-body `field` (`permit.expires_on`
/// falls back to the `permit` column), or "" when none does.
fn column_of(columns: &[ColumnUse], field: &str) -> String {
    let mut key = field;
    loop {
        if let Some(c) = columns
            .iter()
            .find(|c| c.field == Some(key) && !c.duplicate)
        {
            return c.column.clone();
        }
        match key.rfind(['.', '[']) {
            Some(i) => key = &key[..i],
            None => return String::new(),
        }
    }
}

fn message_of(e: &Error) -> String {
    match e {
        Error::Invalid { message, .. } => message.clone(),
        other => other.to_string(),
    }
}

/// A validated record waiting for its batch.
struct Pending<T> {
    record: T,
    row: ImportedRow,
}

/// A record kind a sheet creates: how it joins a change and whether it is incomplete.
trait Imported: Clone {
    const KIND: RecordKind;
    fn id(&self) -> Id;
    fn add_to(self, c: &mut Change);
    fn incomplete(&self) -> bool;
}

impl Imported for Worker {
    const KIND: RecordKind = RecordKind::Worker;
    fn id(&self) -> Id {
        self.id
    }
    fn add_to(self, c: &mut Change) {
        c.workers.push(self);
    }
    fn incomplete(&self) -> bool {
        self.status == WorkerStatus::Incomplete
    }
}

impl Imported for Request {
    const KIND: RecordKind = RecordKind::Request;
    fn id(&self) -> Id {
        self.id
    }
    fn add_to(self, c: &mut Change) {
        c.requests.push(self);
    }
    /// A family request has no incomplete state (such rows are refused).
    fn incomplete(&self) -> bool {
        false
    }
}

impl Engine {
    /// Imports the rows of a parsed sheet of `kind` (see the module's doc). `progress`
    /// hears the number of rows handled so far.
    pub fn import_sheet(
        &self,
        parsed: &Parsed,
        kind: Kind,
        opts: ImportOptions,
        actor: Option<&Actor>,
        today: Date,
        progress: &mut dyn FnMut(usize),
    ) -> Result<SheetReport> {
        let mut report = SheetReport::new(parsed, kind, opts.dry_run);
        match kind {
            Kind::Workers => {
                self.import_worker_rows(parsed, opts, actor, today, &mut report, progress)?
            }
            Kind::Requests => {
                self.import_request_rows(parsed, opts, actor, today, &mut report, progress)?
            }
        }
        report.refused.sort_by_key(|r| r.row);
        Ok(report)
    }

    /// Refuses a row whose cells were not understood; true when it was.
    fn refused_cells(row: &RowOutcome, report: &mut SheetReport) -> bool {
        for p in &row.problems {
            report.refuse(p.row, p.column.clone(), p.message.clone(), p.value.clone());
        }
        !row.problems.is_empty()
    }

    fn import_worker_rows(
        &self,
        parsed: &Parsed,
        opts: ImportOptions,
        actor: Option<&Actor>,
        today: Date,
        report: &mut SheetReport,
        progress: &mut dyn FnMut(usize),
    ) -> Result<()> {
        // Earlier rows of this file, for duplicates within it.
        let mut this_file = DedupeIndex::default();
        let mut row_of: HashMap<Id, usize> = HashMap::new();
        let mut batch: Vec<Pending<Worker>> = Vec::new();
        for (n, row) in parsed.rows.iter().enumerate() {
            progress(n);
            if Self::refused_cells(row, report) {
                continue;
            }
            let Some(Value::Object(mut body)) = row.input.clone() else {
                continue;
            };
            if let Some(key) = incomplete::blocking(&row.missing) {
                report.refuse(
                    row.row,
                    String::new(),
                    format!(
                        "manca {}: senza non si può conservare la scheda",
                        incomplete::label(key)
                    ),
                    String::new(),
                );
                continue;
            }
            incomplete::fill_placeholders(&mut body, &row.missing, today);
            let validated = json::parse::<WorkerInput>(Value::Object(body))
                .and_then(|input| validate::worker(input, Id::random(), today));
            let mut w = match validated {
                Ok(w) => w,
                Err(e) => {
                    report.refuse_error(row.row, &parsed.columns, &e);
                    continue;
                }
            };
            w.org_id = actor.map(|a| a.org_id);
            if !row.missing.is_empty() {
                w.status = WorkerStatus::Incomplete;
                w.missing = row.missing.iter().map(|k| k.to_string()).collect();
            }
            let mut duplicates = self.duplicates_of(&w);
            let on_file = !duplicates.is_empty();
            let earlier: Vec<usize> = this_file
                .find(&w)
                .into_iter()
                .map(|d| {
                    let n = row_of.get(&d.worker_id).copied().unwrap_or(0);
                    duplicates.push(d);
                    n
                })
                .collect();
            let name = w.full_name();
            if !duplicates.is_empty() {
                let created = opts.allow_duplicates;
                let like = match (on_file, earlier.as_slice()) {
                    (true, _) => "simile a una scheda già presente".to_string(),
                    (false, [n]) => format!("simile alla riga {n} di questo file"),
                    (false, rows) => format!(
                        "simile alle righe {} di questo file",
                        rows.iter()
                            .map(ToString::to_string)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                };
                report.duplicates.push(DuplicateRow {
                    row: row.row,
                    name: name.clone(),
                    duplicates: duplicates.clone(),
                    created,
                    message: if created {
                        format!("{like}: creata e segnalata come possibile doppione")
                    } else {
                        format!("{like}: non creata (confermare per crearla comunque)")
                    },
                });
                if !created {
                    continue;
                }
                w.possible_duplicate_of = duplicates.iter().map(|d| d.worker_id).collect();
            }
            this_file.insert(&w);
            row_of.insert(w.id, row.row);
            let missing = w.missing.clone();
            let message = (!missing.is_empty()).then(|| incomplete::describe(&missing));
            batch.push(Pending {
                row: ImportedRow {
                    row: row.row,
                    id: None,
                    name,
                    missing,
                    message,
                },
                record: w,
            });
            if batch.len() == BATCH {
                self.store_batch(std::mem::take(&mut batch), opts, actor, report)?;
            }
        }
        self.store_batch(batch, opts, actor, report)
    }

    /// Writes a batch of records in one change (unless a dry run), each with its
    /// `import` audit line, and reports them.
    fn store_batch<T: Imported>(
        &self,
        batch: Vec<Pending<T>>,
        opts: ImportOptions,
        actor: Option<&Actor>,
        report: &mut SheetReport,
    ) -> Result<()> {
        if batch.is_empty() {
            return Ok(());
        }
        if !opts.dry_run {
            let mut c = Change::default();
            for p in &batch {
                c.audit.push(AuditEntry::by(
                    actor,
                    AuditAction::Import,
                    T::KIND,
                    p.record.id(),
                ));
                p.record.clone().add_to(&mut c);
            }
            self.apply(c)?;
        }
        for mut p in batch {
            p.row.id = (!opts.dry_run).then_some(p.record.id());
            if p.record.incomplete() {
                report.incomplete.push(p.row);
            } else {
                report.created.push(p.row);
            }
        }
        Ok(())
    }

    fn import_request_rows(
        &self,
        parsed: &Parsed,
        opts: ImportOptions,
        actor: Option<&Actor>,
        today: Date,
        report: &mut SheetReport,
        progress: &mut dyn FnMut(usize),
    ) -> Result<()> {
        let org = actor.map(|a| a.org_id);
        let mut batch: Vec<Pending<Request>> = Vec::new();
        for (n, row) in parsed.rows.iter().enumerate() {
            progress(n);
            if Self::refused_cells(row, report) {
                continue;
            }
            let Some(body) = row.input.clone() else {
                continue;
            };
            if !row.missing.is_empty() {
                // A family request has no incomplete state: the desk completes the row.
                report.refuse(
                    row.row,
                    String::new(),
                    format!(
                        "{}: la richiesta non può essere registrata",
                        incomplete::describe(&row.missing)
                    ),
                    String::new(),
                );
                continue;
            }
            let guarded = crate::guard::check_fields(&body)
                .and_then(|()| json::parse::<RequestInput>(body))
                .and_then(|input| validate::request(input, Id::random(), today));
            // A dry run changes nothing, the register of refusals included.
            let checked = if opts.dry_run {
                guarded
            } else {
                self.noting_refusal(org, today, guarded)
            };
            let mut r = match checked {
                Ok(r) => r,
                Err(e) => {
                    report.refuse_error(row.row, &parsed.columns, &e);
                    continue;
                }
            };
            r.org_id = org;
            batch.push(Pending {
                row: ImportedRow {
                    row: row.row,
                    id: None,
                    name: r.family_name.clone(),
                    missing: Vec::new(),
                    message: None,
                },
                record: r,
            });
            if batch.len() == BATCH {
                self.store_batch(std::mem::take(&mut batch), opts, actor, report)?;
            }
        }
        self.store_batch(batch, opts, actor, report)
    }
}

#[cfg(test)]
mod tests;
