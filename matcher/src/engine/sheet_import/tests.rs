//! Importing the fixture sheets through the engine: what is created, kept incomplete,
//! held as a duplicate or refused; audit lines; dry runs; completing an incomplete card.

use serde_json::json;

use super::*;
use crate::engine::Eligibility;
use crate::rank::Exclusion;
use crate::sheet;

fn today() -> Date {
    Date::from_ymd(2026, 11, 23).unwrap()
}

fn fixture(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/import")
        .join(name);
    std::fs::read(path).unwrap()
}

fn parsed(name: &str, kind: Kind) -> Parsed {
    sheet::parse_file(&fixture(name), Some(name), kind, None, today()).unwrap()
}

fn import(e: &Engine, name: &str, kind: Kind, opts: ImportOptions) -> SheetReport {
    e.import_sheet(&parsed(name, kind), kind, opts, None, today(), &mut |_| {})
        .unwrap()
}

#[test]
fn workers_sheet_creates_complete_and_incomplete_cards_and_refuses_the_rest() {
    let e = Engine::temporary().unwrap();
    let report = import(
        &e,
        "lavoratori.xlsx",
        Kind::Workers,
        ImportOptions::default(),
    );
    assert_eq!(report.created.count, 1);
    assert_eq!(report.incomplete.count, 1);
    // Rows 6 and 8 give row 5's phone in other spellings: likely duplicates of it, held.
    let held: Vec<(usize, bool)> = report
        .duplicates
        .rows
        .iter()
        .map(|d| (d.row, d.duplicates[0].same_phone))
        .collect();
    assert_eq!(held, vec![(6, true), (8, true)]);
    let refused: Vec<(usize, &str)> = report
        .refused
        .iter()
        .map(|r| (r.row, r.column.as_str()))
        .collect();
    assert_eq!(refused, vec![(10, "Mansione")]);
    assert_eq!(e.worker_count(), 2);

    let inc = &report.incomplete.rows[0];
    assert_eq!(
        (inc.row, inc.missing.clone()),
        (9, vec!["consent".to_string()])
    );
    assert_eq!(inc.message.as_deref(), Some("manca: data del consenso"));
    let card = e.worker(inc.id.unwrap()).unwrap();
    assert_eq!(card.status, WorkerStatus::Incomplete);
    assert_eq!(card.missing, vec!["consent"]);

    for row in report.created.rows.iter().chain(&report.incomplete.rows) {
        let lines = e.audit_of(row.id.unwrap()).unwrap();
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].action, AuditAction::Import);
    }
}

#[test]
fn an_incomplete_card_is_never_a_candidate_until_completed_and_reconfirmed() {
    let e = Engine::temporary().unwrap();
    let report = import(
        &e,
        "lavoratori.csv",
        Kind::Workers,
        ImportOptions::default(),
    );
    let id = report.incomplete.rows[0].id.unwrap();
    let r = e
        .register_request(
            &json!({
                "family_name": "Rossi", "phone": "0564 000000", "comune": "Grosseto",
                "job": "badante", "live_in": "yes", "hours_per_week": 40,
                "start_on": "2026-12-01"
            }),
            None,
            today(),
        )
        .unwrap();
    let excluded = |e: &Engine| match e.eligibility(id, &r, today()).unwrap() {
        Eligibility::Excluded(x) => x.contains(&Exclusion::Unavailable(WorkerStatus::Incomplete)),
        Eligibility::Eligible(_) => false,
    };
    assert!(excluded(&e));
    assert!(e
        .candidates(r.id, 50, today())
        .unwrap()
        .iter()
        .all(|c| c.worker_id != id));

    let actor = Actor {
        operator_id: Id(1),
        org_id: Id(2),
        role: crate::model::Role::Operator,
    };
    // Asking for `available` while something is missing is refused, naming it.
    let err = e
        .patch_worker(&actor, id, &json!({"status": "available"}), today())
        .unwrap_err();
    assert_eq!(err.field(), Some("consent"));
    // Completed but not reconfirmed: still incomplete.
    let consent = json!({"consent": {"given_on": "2026-11-20"}});
    let w = e.patch_worker(&actor, id, &consent, today()).unwrap();
    assert_eq!((w.status, w.missing.len()), (WorkerStatus::Incomplete, 0));
    assert!(excluded(&e));
    let w = e
        .patch_worker(&actor, id, &json!({"reconfirm": true}), today())
        .unwrap();
    assert_eq!(w.status, WorkerStatus::Available);
    assert!(!excluded(&e));
}

#[test]
fn a_second_import_holds_duplicates_unless_allowed() {
    let e = Engine::temporary().unwrap();
    import(
        &e,
        "lavoratori.ods",
        Kind::Workers,
        ImportOptions::default(),
    );
    let again = import(
        &e,
        "lavoratori-utf8.csv",
        Kind::Workers,
        ImportOptions::default(),
    );
    assert_eq!((again.created.count, again.incomplete.count), (0, 0));
    assert_eq!(again.duplicates.count, 4);
    assert!(again.duplicates.rows.iter().all(|d| !d.created));
    assert_eq!(e.worker_count(), 2);
    let allowed = ImportOptions {
        allow_duplicates: true,
        ..ImportOptions::default()
    };
    let forced = import(&e, "lavoratori-utf8.csv", Kind::Workers, allowed);
    assert_eq!((forced.created.count, forced.incomplete.count), (3, 1));
    assert!(forced.duplicates.rows.iter().all(|d| d.created));
    let id = forced.created.rows[0].id.unwrap();
    assert!(!e.worker(id).unwrap().possible_duplicate_of.is_empty());
    assert_eq!(e.worker_count(), 6);
}

#[test]
fn a_dry_run_reports_the_same_and_writes_nothing() {
    let e = Engine::temporary().unwrap();
    let dry = ImportOptions {
        dry_run: true,
        ..ImportOptions::default()
    };
    let report = import(&e, "lavoratori.xlsx", Kind::Workers, dry);
    assert!(report.dry_run);
    assert_eq!((report.created.count, report.incomplete.count), (1, 1));
    assert_eq!(report.duplicates.count, 2);
    assert!(report.created.rows.iter().all(|r| r.id.is_none()));
    assert_eq!(e.worker_count(), 0);
    assert_eq!(e.store().workers.len(), 0);
    let requests = import(&e, "richieste.xlsx", Kind::Requests, dry);
    assert_eq!(requests.created.count, 1);
    assert_eq!(e.store().requests.len(), 0);
}

#[test]
fn requests_sheet_goes_through_validation_and_the_guard() {
    let e = Engine::temporary().unwrap();
    let report = import(
        &e,
        "richieste.csv",
        Kind::Requests,
        ImportOptions::default(),
    );
    assert_eq!(report.created.count, 1);
    assert_eq!(report.incomplete.count, 0);
    let refused: Vec<(usize, &str)> = report
        .refused
        .iter()
        .map(|r| (r.row, r.column.as_str()))
        .collect();
    assert_eq!(refused, vec![(5, "Ore settimanali"), (6, "")]);
    assert!(report.refused[1].message.contains("data di inizio"));
    let id = report.created.rows[0].id.unwrap();
    assert_eq!(e.audit_of(id).unwrap()[0].action, AuditAction::Import);

    // A discriminatory note is the guard's refusal, by row and column.
    let sheet = "Cognome;Telefono;Comune;Mansione;Convivenza;Ore settimanali;Data inizio;Note\n\
                 Bianchi;0564 111111;Grosseto;colf;no;20;01/12/2026;solo italiane\n";
    let p = sheet::parse_file(
        sheet.as_bytes(),
        Some("x.csv"),
        Kind::Requests,
        None,
        today(),
    )
    .unwrap();
    let r = e
        .import_sheet(
            &p,
            Kind::Requests,
            ImportOptions::default(),
            None,
            today(),
            &mut |_| {},
        )
        .unwrap();
    assert_eq!(r.created.count, 0);
    assert_eq!(r.refused.len(), 1);
    assert_eq!(r.refused[0].column, "Note");
}
