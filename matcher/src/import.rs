//! Bulk import of worker cards from JSONL (one create body per line): lines are parsed
//! and validated in parallel, then stored and indexed in batches with one flush and one
//! index commit per batch. A bad line is reported with its number and changes nothing.

use std::io::BufRead;

use rayon::prelude::*;

use crate::date::Date;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::json;
use crate::model::{Id, Request, RequestInput, Worker, WorkerInput};
use crate::validate;

/// Lines stored per batch: large enough to amortise flush and commit.
const BATCH: usize = 20_000;
/// Longest accepted line: a card with maximal notes is well under this.
pub const MAX_LINE: usize = 64 * 1024;

/// What an import did.
#[derive(Debug, Default)]
pub struct ImportReport {
    pub imported: usize,
    /// Line number (from 1) and why it was refused.
    pub refused: Vec<(usize, Error)>,
}

/// Parses and validates one line into a worker record.
pub fn parse_line(line: &str, today: Date) -> Result<Worker> {
    if line.len() > MAX_LINE {
        return Err(Error::invalid("", format!("riga oltre {MAX_LINE} byte")));
    }
    let input: WorkerInput = json::parse_bytes(line.as_bytes())?;
    validate::worker(input, Id::random(), today)
}

/// Parses and validates one line into a family request (the guard included).
pub fn parse_request_line(line: &str, today: Date) -> Result<Request> {
    if line.len() > MAX_LINE {
        return Err(Error::invalid("", format!("riga oltre {MAX_LINE} byte")));
    }
    let value = json::parse_value(line.as_bytes())?;
    crate::guard::check_fields(&value)?;
    let input: RequestInput = json::parse(value)?;
    validate::request(input, Id::random(), today)
}

/// The non-blank lines of a JSONL file with their numbers (from 1). A line that is not
/// UTF-8 is that line's problem, not the whole file's (found by the import_jsonl fuzz
/// target); a read error is the file's.
fn numbered_lines(reader: impl BufRead) -> impl Iterator<Item = Result<(usize, Result<String>)>> {
    reader
        .split(b'\n')
        .enumerate()
        .filter_map(|(n, line)| match line {
            Err(e) => Some(Err(e.into())),
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(line) if line.trim().is_empty() => None,
                Ok(line) => Some(Ok((n + 1, Ok(line)))),
                Err(_) => Some(Ok((
                    n + 1,
                    Err(Error::invalid("", "riga non codificata in UTF-8")),
                ))),
            },
        })
}

impl Engine {
    /// Imports family requests from JSONL, one create body per line.
    pub fn import_requests_jsonl(&self, reader: impl BufRead, today: Date) -> Result<ImportReport> {
        let mut report = ImportReport::default();
        let mut requests = Vec::new();
        for item in numbered_lines(reader) {
            let (n, line) = item?;
            match line.and_then(|line| parse_request_line(&line, today)) {
                Ok(r) => requests.push(r),
                Err(e) => report.refused.push((n, e)),
            }
        }
        self.import_requests(&requests)?;
        report.imported = requests.len();
        Ok(report)
    }

    /// Imports every valid line of `reader`. Duplicates are not checked here: an import
    /// loads a list the desk already keeps; `dom` flags them when cards are edited.
    ///
    /// A pipeline: one thread reads and parses batch N+1 (in parallel) while this one
    /// stores and indexes batch N. Each batch is durable in the store when stored; the
    /// index is committed once, at the end (a crash before it is caught up at start-up
    /// from the change log, as after any write).
    pub fn import_jsonl(&self, reader: impl BufRead + Send, today: Date) -> Result<ImportReport> {
        let mut report = ImportReport::default();
        std::thread::scope(|s| -> Result<()> {
            let (tx, rx) = std::sync::mpsc::sync_channel(1);
            s.spawn(move || parse_batches(reader, today, &tx));
            for batch in rx {
                let Parsed { workers, refused } = batch?;
                report.refused.extend(refused);
                self.store_workers(&workers)?;
                report.imported += workers.len();
            }
            Ok(())
        })?;
        self.commit()?;
        report.refused.sort_by_key(|(n, _)| *n);
        Ok(report)
    }
}

/// One batch of lines parsed: the valid cards, and the refused lines with their reasons.
struct Parsed {
    workers: Vec<Worker>,
    refused: Vec<(usize, Error)>,
}

/// Reads `reader` in batches of `BATCH` lines, parses each in parallel and sends it on;
/// stops at the first read error (sent on) or when the receiver is gone.
fn parse_batches(
    reader: impl BufRead,
    today: Date,
    tx: &std::sync::mpsc::SyncSender<Result<Parsed>>,
) {
    let mut lines: Vec<(usize, String)> = Vec::with_capacity(BATCH);
    let mut refused = Vec::new();
    let send = |lines: &mut Vec<(usize, String)>, refused: &mut Vec<(usize, Error)>| {
        let parsed: Vec<(usize, Result<Worker>)> = lines
            .par_iter()
            .map(|(n, line)| (*n, parse_line(line, today)))
            .collect();
        lines.clear();
        let mut batch = Parsed {
            workers: Vec::with_capacity(parsed.len()),
            refused: std::mem::take(refused),
        };
        for (n, r) in parsed {
            match r {
                Ok(w) => batch.workers.push(w),
                Err(e) => batch.refused.push((n, e)),
            }
        }
        tx.send(Ok(batch)).is_ok()
    };
    for item in numbered_lines(reader) {
        match item {
            Err(e) => {
                let _ = tx.send(Err(e));
                return;
            }
            Ok((n, Err(e))) => refused.push((n, e)),
            Ok((n, Ok(line))) => {
                lines.push((n, line));
                if lines.len() == BATCH && !send(&mut lines, &mut refused) {
                    return;
                }
            }
        }
    }
    if !lines.is_empty() || !refused.is_empty() {
        send(&mut lines, &mut refused);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(w: &Worker) -> String {
        serde_json::to_string(&w.to_input()).unwrap()
    }

    #[test]
    fn a_line_reads_the_same_straight_from_its_bytes_as_through_a_json_value() {
        let today = crate::fixtures::reference_date();
        for w in crate::synth::Synth::new(9, today).workers(200) {
            let l = line(&w);
            let read: WorkerInput = json::parse_bytes(l.as_bytes()).unwrap();
            let through_value: WorkerInput =
                json::parse(json::parse_value(l.as_bytes()).unwrap()).unwrap();
            assert_eq!(
                serde_json::to_value(&read).unwrap(),
                serde_json::to_value(&through_value).unwrap()
            );
        }
        // What only the path through a JSON value accepts or explains reads as it did.
        let w = &crate::synth::Synth::new(9, today).workers(1)[0];
        let mut value = serde_json::to_value(w.to_input()).unwrap();
        let twice = line(w).replacen('{', "{\"notes\":\"prima\",", 1);
        assert!(serde_json::from_str::<WorkerInput>(&twice).is_err());
        value["notes"] = w.notes.clone().into();
        let read: WorkerInput = json::parse_bytes(twice.as_bytes()).unwrap();
        assert_eq!(
            serde_json::to_value(read).unwrap(),
            value,
            "a key given twice: the last wins, as before"
        );
        let bad = line(w).replacen('{', "{\"eta\":3,", 1);
        assert!(matches!(
            json::parse_bytes::<WorkerInput>(bad.as_bytes()),
            Err(Error::Invalid { field, .. }) if field == "eta"
        ));
    }

    #[test]
    fn imports_valid_lines_and_reports_bad_ones() {
        let e = Engine::temporary().unwrap();
        let today = crate::fixtures::reference_date();
        let ws = crate::synth::Synth::new(5, today).workers(30);
        let mut text: String = ws.iter().map(|w| line(w) + "\n").collect();
        text.push_str("{\"given_name\": 3}\n\n");
        text.push_str("not json\n");
        let mut bytes = text.into_bytes();
        bytes.extend_from_slice(b"\xbf\xbf\xc3\xbe\n");
        let report = e.import_jsonl(bytes.as_slice(), today).unwrap();
        assert_eq!(report.imported, 30);
        let lines: Vec<usize> = report.refused.iter().map(|r| r.0).collect();
        assert_eq!(lines, vec![31, 33, 34]);
        assert!(
            matches!(&report.refused[0].1, Error::Invalid { field, .. } if field == "given_name")
        );
        assert_eq!(e.worker_count(), 30);
        assert_eq!(e.store().workers.len(), 30);
    }
}
