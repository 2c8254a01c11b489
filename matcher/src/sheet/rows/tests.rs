//! Tests of `sheet::rows`.
use super::*;
use crate::model::{RequestInput, WorkerInput};
use crate::sheet::test_util::{cells, grid, today};

/// The headings of the worker export but the travel distance: the importer's default
/// stands in for it.
fn head() -> Vec<&'static str> {
    crate::sheet::write::WORKER_HEADINGS
        .into_iter()
        .filter(|h| *h != "Distanza massima (km)")
        .collect()
}

/// The first seven cells of Ana's row under [`head`]: who she is and where.
const ANA: &str = "Ana|Popescu|1975|F|Romania|333 1234567|Grosseto";

#[test]
fn a_complete_row_is_a_valid_create_body() {
    let head = head();
    let g = grid(&[
        &head,
        &cells(&format!(
            "{ANA}|badante|convivente|20-54|rumeno madrelingua, italiano B1|\
             anziani 8 anni, Alzheimer 5|sì|||1.100|Cucina toscana|01/11/2026"
        )),
    ]);
    let parsed = parse_workers(&g, None, today()).unwrap();
    let row = &parsed.rows[0];
    assert_eq!(row.status(), RowStatus::Ready, "{row:?}");
    let input = row.input.clone().unwrap();
    let typed: WorkerInput = serde_json::from_value(input.clone()).unwrap();
    assert_eq!(typed.phone, "+39 333 1234567");
    assert_eq!(typed.comune, "053011");
    assert_eq!(typed.permit.kind, PermitKind::EuCitizen);
    assert_eq!(typed.max_travel_km, DEFAULT_MAX_TRAVEL_KM);
    assert_eq!(typed.wage_expectation.map(|w| w.monthly_eur), Some(1100.0));
    assert_eq!(
        input["languages"],
        json!([{"code": "ro", "level": "C2"}, {"code": "it", "level": "B1"}])
    );
    assert_eq!(
        input["experience"],
        json!([{"kind": "elderly", "years": 8}, {"kind": "dementia", "years": 5}])
    );
    assert_eq!(input["consent"], json!({"given_on": "2026-11-01"}));
    crate::validate::worker(typed, crate::model::Id(1), today()).unwrap();
    // The assumptions are shown: permit from nationality.
    assert!(
        row.notices.iter().any(|n| n.column == "Cittadinanza"),
        "{:?}",
        row.notices
    );
}

#[test]
fn refused_values_name_row_column_and_value() {
    let head = head();
    let g = grid(&[
        &["Elenco"],
        &head,
        &cells(&format!(
            "{ANA}|giardiniere|convivente|20-54||||||||01/11/2026"
        )),
    ]);
    let row = &parse_workers(&g, None, today()).unwrap().rows[0];
    assert_eq!(row.status(), RowStatus::Refused);
    assert_eq!(row.input, None);
    assert_eq!(row.problems.len(), 1);
    let p = &row.problems[0];
    assert_eq!(
        (p.row, p.column.as_str(), p.value.as_str()),
        (3, "Mansione", "giardiniere")
    );
    assert!(
        p.message.contains("lavoro non riconosciuto"),
        "{}",
        p.message
    );
}

#[test]
fn missing_fields_make_a_row_incomplete() {
    let head = head();
    let g = grid(&[
        &head,
        &cells(
            "José|Peña|1980|M|Perù|333 7654321|Follonica|colf|ad ore||spagnolo||no|\
             lavoro subordinato||||",
        ),
    ]);
    let row = &parse_workers(&g, None, today()).unwrap().rows[0];
    assert_eq!(row.status(), RowStatus::Incomplete);
    assert_eq!(
        row.missing,
        vec!["hours_per_week", "consent", "permit.expires_on"]
    );
    let input = row.input.as_ref().unwrap();
    assert_eq!(input["given_name"], "José");
    // Spanish for a Peruvian is the native language.
    assert_eq!(input["languages"], json!([{"code": "es", "level": "C2"}]));
}

#[test]
fn blank_totals_and_repeated_heading_rows_are_skipped() {
    let g = grid(&[
        &["Nome", "Cognome", "Ore settimanali", "Paga richiesta"],
        &["Ana", "Pop", "20", "900"],
        &[],
        &["Totale", "", "20", "900"],
        &["", "", "20", "900"],
        &["Nome", "Cognome", "Ore settimanali", "Paga richiesta"],
    ]);
    let parsed = parse_workers(&g, None, today()).unwrap();
    assert_eq!(parsed.rows.len(), 1);
    let skipped: Vec<(usize, &str)> = parsed.skipped.iter().map(|s| (s.row, s.reason)).collect();
    assert_eq!(
        skipped,
        vec![
            (3, "riga vuota"),
            (4, "riga dei totali"),
            (5, "riga dei totali"),
            (6, "intestazione ripetuta")
        ]
    );
}

#[test]
fn full_names_are_split_and_noticed() {
    let g = grid(&[
        &["Nome e cognome", "Telefono"],
        &["Ioana Bălan", "3331234567"],
    ]);
    let row = &parse_workers(&g, None, today()).unwrap().rows[0];
    let input = row.input.as_ref().unwrap();
    assert_eq!(
        (input["given_name"].as_str(), input["family_name"].as_str()),
        (Some("Ioana"), Some("Bălan"))
    );
    assert!(row.notices[0].message.contains("verificare"));
}

#[test]
fn mapping_columns_values_and_defaults_apply() {
    let m = Mapping::from_toml(
        "[columns]\n\"Recapito\" = \"phone\"\n\"Ruolo\" = \"jobs\"\n[values.jobs]\n\"aiuto cuoca\" = \"colf\"\n[defaults]\nmax_travel_km = 30\n",
    )
    .unwrap();
    let g = grid(&[
        &["Nome", "Cognome", "Recapito", "Ruolo"],
        &["Ana", "Pop", "333 1234567", "aiuto cuoca, badante"],
    ]);
    let input = parse_workers(&g, Some(&m), today()).unwrap().rows[0]
        .input
        .clone()
        .unwrap();
    assert_eq!(input["jobs"], json!(["colf", "badante"]));
    assert_eq!(input["phone"], "+39 333 1234567");
    assert_eq!(input["max_travel_km"], 30);
}

#[test]
fn a_request_row_is_a_valid_create_body() {
    let g = grid(&[
        &cells(
            "Famiglia|Telefono|Comune|Mansione|Convivenza|Ore settimanali|Data inizio|\
             Esigenze|Patente|Livello italiano|Paga offerta|Note",
        ),
        &cells(
            "Rossi|0564 000000|Scansano|badante|sì|54|01/12/2026|Alzheimer, allettata|x|A2|\
             1.100,00|Signora di 86 anni",
        ),
    ]);
    let row = &parse_requests(&g, None, today()).unwrap().rows[0];
    assert_eq!(row.status(), RowStatus::Ready, "{row:?}");
    let input = row.input.clone().unwrap();
    assert_eq!(input["needs"], json!(["dementia", "mobility"]));
    assert_eq!(
        input["requires"],
        json!({"driving_license": true, "italian_min": "A2"})
    );
    let typed: RequestInput = serde_json::from_value(input).unwrap();
    crate::validate::request(typed, crate::model::Id(1), today()).unwrap();
}

#[test]
fn a_request_for_two_jobs_is_refused() {
    let g = grid(&[&["Famiglia", "Mansione"], &["Rossi", "badante, colf"]]);
    let row = &parse_requests(&g, None, today()).unwrap().rows[0];
    assert_eq!(row.status(), RowStatus::Refused);
    assert!(row.problems[0].message.contains("un solo lavoro"));
}
