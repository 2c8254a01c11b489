//! The desks' own kinds of files in `fixtures/import/`, read end to end, and the
//! worker export read back into the same create bodies.

use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use super::*;
use crate::model::{Worker, WorkerInput};
use crate::sheet::test_util::today;

fn fixture_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/import");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

/// What every workers file holds, in the spelling of `nicoleta`/`balan` for the row 5
/// and row 6 names (an Italian keyboard's CSV has no "ă"). The bodies are data, kept in
/// `fixture_workers.json` (row 6's consent is typed as text in every file, "03/10/2026");
/// the travel distance is the importer's default, added here.
fn expected_workers(nicoleta: &str, balan: &str) -> Vec<(usize, Option<Value>)> {
    let text = include_str!("fixture_workers.json")
        .replace("Nicoletă", nicoleta)
        .replace("Bălan", balan);
    let mut rows: Vec<(usize, Option<Value>)> = serde_json::from_str(&text).unwrap();
    for body in rows.iter_mut().filter_map(|(_, b)| b.as_mut()) {
        body["max_travel_km"] = json!(DEFAULT_MAX_TRAVEL_KM);
    }
    rows
}

fn check_workers_file(name: &str, parsed: &Parsed) {
    let (nicoleta, balan) = if name == "lavoratori.csv" {
        ("Nicoleta", "Balan")
    } else {
        ("Nicoletă", "Bălan")
    };
    assert_eq!(parsed.header_row, 4, "{name}");
    let skipped: Vec<(usize, &str)> = parsed.skipped.iter().map(|s| (s.row, s.reason)).collect();
    assert_eq!(
        skipped,
        vec![(7, "riga vuota"), (11, "riga dei totali")],
        "{name}"
    );
    let unknown: Vec<&str> = parsed
        .columns
        .iter()
        .filter(|c| c.field.is_none())
        .map(|c| c.column.as_str())
        .collect();
    assert_eq!(unknown, vec!["E-mail"], "{name}");
    let permit_type = parsed.columns.iter().find(|c| c.field == Some("permit"));
    assert_eq!(
        permit_type.map(|c| c.column.as_str()),
        Some("Permesso di soggiorno Tipo"),
        "{name}"
    );
    assert_eq!(
        parsed.assumptions.len(),
        1,
        "{name}: the distance default is said once"
    );

    let got: Vec<(usize, Option<Value>)> = parsed
        .rows
        .iter()
        .map(|r| (r.row, r.input.clone()))
        .collect();
    assert_eq!(got, expected_workers(nicoleta, balan), "{name}");

    let status: Vec<RowStatus> = parsed.rows.iter().map(RowOutcome::status).collect();
    use RowStatus::*;
    assert_eq!(
        status,
        vec![Ready, Ready, Ready, Incomplete, Refused],
        "{name}"
    );
    // The row without the consent date can only be stored as incomplete.
    assert_eq!(parsed.rows[3].missing, vec!["consent"], "{name}");
    // The refused value is named by row, column and value.
    let refused = &parsed.rows[4];
    assert_eq!(refused.problems.len(), 1, "{name}");
    let p = &refused.problems[0];
    assert_eq!(
        (p.row, p.column.as_str(), p.value.as_str()),
        (10, "Mansione", "giardiniere"),
        "{name}"
    );
    assert!(
        p.message.starts_with("lavoro non riconosciuto"),
        "{name}: {}",
        p.message
    );
    // Assumptions are shown, not silent: the permit from the nationality, the native
    // language's level, years of experience not written.
    let notices: Vec<usize> = parsed.rows.iter().map(|r| r.notices.len()).collect();
    assert_eq!(notices, vec![1, 2, 1, 1, 1], "{name}");
    // Every complete row is a body the API accepts.
    for row in parsed.rows.iter().filter(|r| r.status() == Ready) {
        let input: WorkerInput = serde_json::from_value(row.input.clone().unwrap()).unwrap();
        crate::validate::worker(input, crate::model::Id(1), today()).unwrap();
    }
}

fn check_requests_file(name: &str, parsed: &Parsed) {
    assert_eq!(parsed.header_row, 3, "{name}");
    let skipped: Vec<(usize, &str)> = parsed.skipped.iter().map(|s| (s.row, s.reason)).collect();
    assert_eq!(
        skipped,
        vec![(7, "riga vuota"), (8, "riga dei totali")],
        "{name}"
    );
    assert!(parsed.columns.iter().all(|c| c.field.is_some()), "{name}");
    let rossi = json!({
        "family_name": "Rossi", "phone": "+39 0564000000", "comune": "053023",
        "job": "badante", "live_in": "yes", "hours_per_week": 54, "start_on": "2026-12-01",
        "needs": ["dementia", "mobility"],
        "requires": {"driving_license": true, "italian_min": "A2"},
        "offered": {"monthly_eur": 1100.0}, "notes": "Signora di 86 anni, vive sola."
    });
    let ferri = json!({
        "family_name": "Niccolò Ferri", "phone": "+39 347 2223334", "comune": "053009",
        "job": "babysitter", "live_in": "no", "hours_per_week": 20, "needs": ["children"],
        "requires": {"driving_license": true, "italian_min": "B1"},
        "offered": {"monthly_eur": 700.0}, "notes": "Due bambini di 3 e 6 anni."
    });
    let got: Vec<(usize, Option<Value>, RowStatus)> = parsed
        .rows
        .iter()
        .map(|r| (r.row, r.input.clone(), r.status()))
        .collect();
    assert_eq!(
        got,
        vec![
            (4, Some(rossi.clone()), RowStatus::Ready),
            (5, None, RowStatus::Refused),
            (6, Some(ferri), RowStatus::Incomplete),
        ],
        "{name}"
    );
    let p = &parsed.rows[1].problems[0];
    assert_eq!(
        (p.row, p.column.as_str(), p.value.as_str()),
        (5, "Ore settimanali", "tante")
    );
    assert_eq!(parsed.rows[2].missing, vec!["start_on"]);
    let input: crate::model::RequestInput = serde_json::from_value(rossi).unwrap();
    crate::validate::request(input, crate::model::Id(1), today()).unwrap();
}

#[test]
fn every_fixture_file_gives_the_expected_rows() {
    let files = fixture_files();
    let mut seen = Vec::new();
    for path in &files {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap()
            .to_string();
        let bytes = std::fs::read(path).unwrap();
        if name.ends_with(".toml") {
            // The sample mapping file: it must stay one the importer accepts.
            Mapping::from_toml(std::str::from_utf8(&bytes).unwrap()).unwrap();
            seen.push(name);
            continue;
        }
        let grid = read_table(&bytes, Some(&name)).unwrap();
        let expected_format = match name.rsplit('.').next() {
            Some("xlsx") => "Xlsx",
            Some("ods") => "Ods",
            _ => "Csv",
        };
        assert!(
            format!("{:?}", grid.format).starts_with(expected_format),
            "{name}"
        );
        if name.starts_with("lavoratori") {
            check_workers_file(&name, &parse_workers(&grid, None, today()).unwrap());
        } else if name.starts_with("richieste") {
            check_requests_file(&name, &parse_requests(&grid, None, today()).unwrap());
        } else {
            panic!("unexpected fixture {name}: give it expectations");
        }
        seen.push(name);
    }
    for name in [
        "lavoratori.csv",
        "lavoratori-utf8.csv",
        "lavoratori.xlsx",
        "lavoratori.ods",
        "richieste.csv",
        "richieste.xlsx",
        "corrispondenze.toml",
    ] {
        assert!(seen.iter().any(|s| s == name), "{name} missing");
    }
}

#[test]
fn fixture_encodings_and_separators_are_the_desks() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/import");
    let read = |n: &str| read_table(&std::fs::read(dir.join(n)).unwrap(), None).unwrap();
    assert_eq!(
        read("lavoratori.csv").format,
        Format::Csv {
            encoding: "windows-1252",
            delimiter: b';'
        }
    );
    assert_eq!(
        read("lavoratori.csv").format.describe(),
        "CSV (windows-1252, separatore ;)"
    );
    // The first sheet with data, past the empty "Foglio1".
    assert_eq!(
        read("richieste.xlsx").sheet.as_deref(),
        Some("Richieste famiglie")
    );
    assert_eq!(
        read("lavoratori-utf8.csv").format,
        Format::Csv {
            encoding: "UTF-8",
            delimiter: b','
        }
    );
    // The XLSX keeps real date cells and merged headings; the text date stays text.
    let grid = read("lavoratori.xlsx");
    assert_eq!(
        grid.rows[4][17],
        Cell::Date(Date::from_ymd(2026, 10, 1).unwrap())
    );
    assert_eq!(grid.rows[5][17], Cell::Text("03/10/2026".into()));
    assert_eq!(grid.rows[2][14], Cell::Text("Permesso di soggiorno".into()));
    let ods = read("lavoratori.ods");
    assert_eq!(
        ods.rows[4][17],
        Cell::Date(Date::from_ymd(2026, 10, 1).unwrap())
    );
}

fn worker(i: u64, input: Value) -> Worker {
    let input: WorkerInput = serde_json::from_value(input).unwrap();
    crate::validate::worker(input, crate::model::Id(i), today()).unwrap()
}

fn sample_workers() -> Vec<Worker> {
    vec![
        worker(
            1,
            json!({
                "given_name": "Nicoletă", "family_name": "Popescu", "birth_year": 1975,
                "gender": "F", "nationality": "RO", "phone": "+39 333 1234567",
                "comune": "053011", "jobs": ["badante", "assistenza_notturna"], "live_in": "either",
                "hours_per_week": {"min": 20, "max": 54},
                "languages": [{"code": "ro", "level": "C2"}, {"code": "it", "level": "B1"}],
                "experience": [
                    {"kind": "dementia", "years": 5}, {"kind": "elderly", "years": 8},
                    {"kind": "mobility", "years": 2}, {"kind": "night_care", "years": 1},
                    {"kind": "hospital", "years": 0}
                ],
                "driving_license": true, "max_travel_km": 30,
                "permit": {"kind": "eu_citizen", "expires_on": null},
                "wage_expectation": {"monthly_eur": 1100.5},
                "notes": "Cucina toscana; \"brava\" con l'Alzheimer.\nSeconda riga.",
                "consent": {"given_on": "2026-11-01"}
            }),
        ),
        worker(
            2,
            json!({
                "given_name": "José", "family_name": "Peña García", "birth_year": 1980,
                "phone": "+39 0564123456", "comune": "053009",
                "jobs": ["colf", "babysitter", "assistenza_ospedaliera"], "live_in": "no",
                "hours_per_week": {"min": 25, "max": 25},
                "experience": [
                    {"kind": "children", "years": 3}, {"kind": "newborn", "years": 1},
                    {"kind": "housekeeping", "years": 10}, {"kind": "cooking", "years": 4},
                    {"kind": "disability", "years": 2}
                ],
                "max_travel_km": 0,
                "permit": {"kind": "work", "expires_on": "2027-06-30"},
                "consent": {"given_on": "2026-10-15"}
            }),
        ),
        worker(
            3,
            json!({
                "given_name": "Oksana", "family_name": "Kovalenko", "birth_year": 1990,
                "gender": "X", "nationality": "UA", "phone": "+39 347 9876543",
                "comune": "053018", "jobs": ["badante"], "live_in": "yes",
                "hours_per_week": {"min": 54, "max": 54},
                "languages": [{"code": "uk", "level": "C2"}, {"code": "ru", "level": "B2"}],
                "max_travel_km": 15,
                "permit": {"kind": "renewal_pending", "expires_on": null},
                "consent": {"given_on": "2026-09-01"}
            }),
        ),
    ]
}

/// Parses an exported file and checks it gives back every card's create body.
fn assert_round_trip(bytes: &[u8], workers: &[Worker]) {
    let grid = read_table(bytes, None).unwrap();
    let parsed = parse_workers(&grid, None, today()).unwrap();
    assert!(
        parsed
            .columns
            .iter()
            .all(|c| c.field.is_some() && !c.duplicate),
        "{:?}",
        parsed.columns
    );
    assert!(parsed.assumptions.is_empty());
    assert_eq!(parsed.rows.len(), workers.len());
    for (row, w) in parsed.rows.iter().zip(workers) {
        assert_eq!(row.status(), RowStatus::Ready, "{row:?}");
        assert!(row.notices.is_empty(), "{:?}", row.notices);
        let back: WorkerInput = serde_json::from_value(row.input.clone().unwrap()).unwrap();
        assert_eq!(
            serde_json::to_value(back).unwrap(),
            serde_json::to_value(w.to_input()).unwrap()
        );
    }
}

#[test]
fn exported_cards_import_as_the_same_inputs() {
    let workers = sample_workers();
    let table = workers_table(&workers);
    assert_round_trip(&write_csv(std::slice::from_ref(&table)), &workers);
    for layout in [XlsxLayout::SheetPerTable, XlsxLayout::Stacked] {
        assert_round_trip(
            &write_xlsx(std::slice::from_ref(&table), layout).unwrap(),
            &workers,
        );
    }
}

#[test]
fn exported_headings_are_the_ones_the_reader_recognises() {
    for heading in write::WORKER_HEADINGS {
        assert!(
            header::recognise(Kind::Workers, heading).is_some(),
            "{heading}"
        );
    }
}
