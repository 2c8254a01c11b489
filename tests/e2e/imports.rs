//! A desk's spreadsheets through the API and `dom import`: the fixture files of
//! `fixtures/import/` (Windows-1252 CSV, XLSX, ODS), dry runs, incomplete cards,
//! duplicates, refusals by row and column, audit lines, limits, and the export that
//! imports back into an empty store as the same cards.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::util::{dom, p, run_ok, Server};
use crate::{ADMIN, DESK, PUNTO};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(fixture_path(name)).unwrap()
}

fn fixture_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/import")
        .join(name)
}

fn upload(
    s: &Server,
    token: &str,
    path: &str,
    content_type: Option<&str>,
    file: &[u8],
) -> (u16, Value) {
    let (r, _) = s.send_file("POST", path, token, content_type, file);
    let body = serde_json::from_str(&r.body).unwrap_or(Value::Null);
    (r.status, body)
}

fn rows(group: &Value) -> Vec<u64> {
    group["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["row"].as_u64().unwrap())
        .collect()
}

/// A store with one desk and its operator, served; the token and the folder.
fn fresh_desk() -> (Server, String, tempfile::TempDir) {
    let data = tempfile::tempdir().unwrap();
    let dir = p(data.path());
    run_ok(&["init", "--data", dir], None);
    let out = run_ok(
        &[
            "admin",
            "add-org",
            "--name",
            "Sportello",
            "--kind",
            "desk",
            "--data",
            dir,
        ],
        None,
    );
    let out = String::from_utf8_lossy(&out.stdout).into_owned();
    let org = after(&out, "organizzazione creata: ");
    let out = run_ok(
        &[
            "admin",
            "add-operator",
            "--org",
            &org,
            "--name",
            "Anna",
            "--role",
            "operator",
            "--data",
            dir,
        ],
        None,
    );
    let out = String::from_utf8_lossy(&out.stdout).into_owned();
    let token = after(&out, "token (conservarlo ora: non sarà più mostrato): ");
    (Server::start(data.path(), &[]), token, data)
}

fn after(out: &str, prefix: &str) -> String {
    let line = out.lines().find_map(|l| l.strip_prefix(prefix)).unwrap();
    line.split_whitespace().next().unwrap().to_string()
}

#[test]
fn a_dry_run_reports_every_row_and_changes_nothing() {
    let s = Server::demo();
    let before = s.get_as(DESK, "/api/v1/workers?limit=1").json()["total"].clone();
    let (status, r) = upload(
        &s,
        DESK,
        "/api/v1/imports/workers?dry_run=true",
        Some(XLSX),
        &fixture("lavoratori.xlsx"),
    );
    assert_eq!(status, 200, "{r}");
    assert_eq!(r["dry_run"], true);
    assert_eq!(r["created"]["count"], 0);
    assert_eq!(r["incomplete"]["count"], 1);
    assert_eq!(r["incomplete"]["rows"][0]["row"], 9);
    assert_eq!(r["incomplete"]["rows"][0]["missing"][0], "consent");
    // Row 5 looks like the demo's Popescu cards; the phone in three spellings is one
    // phone, so rows 6 and 8 look like row 5 too. Held, not created.
    assert_eq!(rows(&r["duplicates"]), vec![5, 6, 8]);
    assert_eq!(r["duplicates"]["rows"][0]["created"], false);
    let refused = &r["refused"][0];
    assert_eq!(
        (refused["row"].as_u64(), refused["column"].as_str()),
        (Some(10), Some("Mansione"))
    );
    assert!(refused["message"].as_str().unwrap().contains("giardiniere"));
    assert_eq!(
        r["skipped"].as_array().unwrap().len(),
        2,
        "blank and totals rows"
    );
    let after = s.get_as(DESK, "/api/v1/workers?limit=1").json()["total"].clone();
    assert_eq!(before, after, "a dry run creates nothing");
}

#[test]
fn an_import_creates_cards_audited_and_incomplete_ones_are_never_candidates() {
    let s = Server::demo();
    // The Windows-1252 CSV, its type from the header; duplicates confirmed.
    let (status, r) = upload(
        &s,
        DESK,
        "/api/v1/imports/workers?allow_duplicates=true",
        Some("text/csv"),
        &fixture("lavoratori.csv"),
    );
    assert_eq!(status, 201, "{r}");
    assert_eq!(
        (
            r["created"]["count"].as_u64(),
            r["incomplete"]["count"].as_u64()
        ),
        (Some(3), Some(1))
    );
    let created = r["created"]["rows"][0]["id"].as_str().unwrap().to_string();
    let incomplete = r["incomplete"]["rows"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let card = s
        .get_as(DESK, &format!("/api/v1/workers/{incomplete}"))
        .json();
    assert_eq!(card["status"], "incomplete");
    assert_eq!(card["missing"], serde_json::json!(["consent"]));
    let card = s.get_as(DESK, &format!("/api/v1/workers/{created}")).json();
    assert_eq!(
        card["given_name"], "Nicoleta",
        "accents of a Windows-1252 file"
    );
    assert_eq!(card["status"], "available");

    // Every created card has an audit line naming the import.
    for id in [&created, &incomplete] {
        let audit = s
            .get_as(ADMIN, &format!("/api/v1/audit?record={id}"))
            .json();
        assert!(
            audit["entries"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["action"] == "import"),
            "{audit}"
        );
    }

    // Oksana (badante, Grosseto, live-in, 40 h) is never a candidate while incomplete.
    let req = s.post_as(
        DESK,
        "/api/v1/requests",
        &serde_json::json!({
            "family_name": "Verdi", "phone": "0564 123456", "comune": "Grosseto",
            "job": "badante", "live_in": "yes", "hours_per_week": 40, "start_on": "2027-01-10"
        }),
    );
    assert_eq!(req.status, 201, "{}", req.body);
    let rid = req.json()["id"].as_str().unwrap().to_string();
    let why = s
        .get_as(
            DESK,
            &format!("/api/v1/requests/{rid}/candidates/{incomplete}"),
        )
        .json();
    assert_eq!(why["eligible"], false, "{why}");
    let listed = s.get_as(DESK, "/api/v1/workers?status=incomplete").json();
    assert!(listed.to_string().contains(&incomplete), "{listed}");
    // Completed and reconfirmed, the card can be proposed.
    let done = s.patch_as(
        DESK,
        &format!("/api/v1/workers/{incomplete}"),
        &serde_json::json!({"consent": {"given_on": "2026-10-01"}, "reconfirm": true}),
    );
    assert_eq!(done.status, 200, "{}", done.body);
    assert_eq!(done.json()["status"], "available");
}

#[test]
fn duplicates_are_held_unless_confirmed_and_the_type_is_sniffed() {
    let s = Server::demo();
    let (status, _) = upload(
        &s,
        DESK,
        "/api/v1/imports/workers",
        Some(XLSX),
        &fixture("lavoratori.xlsx"),
    );
    assert_eq!(status, 201);
    // The ODS file with no useful content type: read from its content.
    let ods = fixture("lavoratori.ods");
    let (status, r) = upload(
        &s,
        DESK,
        "/api/v1/imports/workers",
        Some("application/octet-stream"),
        &ods,
    );
    assert_eq!(status, 201, "{r}");
    assert_eq!(r["created"]["count"], 0);
    assert_eq!(r["duplicates"]["count"], 4);
    assert_eq!(r["duplicates"]["rows"][0]["created"], false);
    let (_, r) = upload(
        &s,
        DESK,
        "/api/v1/imports/workers?allow_duplicates=true",
        None,
        &ods,
    );
    assert_eq!(
        (
            r["created"]["count"].as_u64(),
            r["incomplete"]["count"].as_u64()
        ),
        (Some(3), Some(1))
    );
    assert_eq!(r["duplicates"]["rows"][0]["created"], true);
}

#[test]
fn requests_go_through_validation_and_the_guard() {
    let s = Server::demo();
    let (status, r) = upload(
        &s,
        DESK,
        "/api/v1/imports/requests",
        Some(XLSX),
        &fixture("richieste.xlsx"),
    );
    assert_eq!(status, 201, "{r}");
    assert_eq!(r["created"]["count"], 1);
    let refused: Vec<(u64, String)> = r["refused"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["row"].as_u64().unwrap(),
                x["column"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        refused,
        vec![(5, "Ore settimanali".into()), (6, String::new())]
    );
    let sheet = "Cognome;Telefono;Comune;Mansione;Convivenza;Ore settimanali;Data inizio;Note\n\
                 Bianchi;0564 111111;Grosseto;colf;no;20;01/12/2026;solo italiane\n";
    let (status, r) = upload(
        &s,
        DESK,
        "/api/v1/imports/requests",
        Some("text/csv"),
        sheet.as_bytes(),
    );
    assert_eq!(status, 201);
    assert_eq!(r["created"]["count"], 0);
    assert_eq!(r["refused"][0]["column"], "Note");
}

#[test]
fn bad_uploads_are_refused_clearly() {
    let s = Server::demo();
    let file = fixture("lavoratori.xlsx");
    let (status, _) = upload(&s, PUNTO, "/api/v1/imports/workers", Some(XLSX), &file);
    assert_eq!(status, 403, "referrers do not import cards");
    let (status, r) = upload(&s, DESK, "/api/v1/imports/workers?dry=1", Some(XLSX), &file);
    assert_eq!((status, r["error"]["field"].as_str()), (422, Some("dry")));
    let (status, r) = upload(
        &s,
        DESK,
        "/api/v1/imports/workers",
        Some(XLSX),
        b"PK\x03\x04 non un foglio",
    );
    assert_eq!(status, 422, "{r}");
    assert!(r["error"]["message"].as_str().is_some());
    let big = vec![b'a'; 9 * 1024 * 1024];
    let (status, _) = upload(&s, DESK, "/api/v1/imports/workers", Some("text/csv"), &big);
    assert_eq!(status, 413);
}

#[test]
fn exported_cards_import_into_an_empty_store_as_the_same_cards() {
    let (a, token_a, _da) = fresh_desk();
    let (status, r) = upload(
        &a,
        &token_a,
        "/api/v1/imports/workers?allow_duplicates=true",
        Some(XLSX),
        &fixture("lavoratori.xlsx"),
    );
    assert_eq!(status, 201, "{r}");
    assert_eq!(r["incomplete"]["count"], 1);
    let export = |s: &Server, token: &str, format: &str| {
        let (r, bytes) = s.send_file(
            "GET",
            &format!("/api/v1/exports/workers?format={format}"),
            token,
            None,
            b"",
        );
        assert_eq!(r.status, 200, "{}", r.body);
        bytes
    };
    let csv = export(&a, &token_a, "csv");
    assert_eq!(&csv[..3], b"\xEF\xBB\xBF", "UTF-8 with BOM");
    let text = String::from_utf8(csv[3..].to_vec()).unwrap();
    assert!(text.contains("Nome;Cognome;Anno di nascita;"), "{text}");
    let xlsx = export(&a, &token_a, "xlsx");
    assert_eq!(&xlsx[..2], b"PK");

    for file in [csv.clone(), xlsx] {
        let (b, token_b, _db) = fresh_desk();
        let kind = if file[0] == b'P' { XLSX } else { "text/csv" };
        let (status, r) = upload(
            &b,
            &token_b,
            "/api/v1/imports/workers?allow_duplicates=true",
            Some(kind),
            &file,
        );
        assert_eq!(status, 201, "{r}");
        assert_eq!(r["refused"], serde_json::json!([]), "{r}");
        assert_eq!(
            (
                r["created"]["count"].as_u64(),
                r["incomplete"]["count"].as_u64()
            ),
            (Some(3), Some(1))
        );
        let again = export(&b, &token_b, "csv");
        let lines = |bytes: &[u8]| {
            let mut l: Vec<String> = String::from_utf8_lossy(bytes)
                .lines()
                .map(str::to_string)
                .collect();
            l.sort();
            l
        };
        assert_eq!(lines(&again), lines(&csv), "the same cards");
    }
}

#[test]
fn dom_import_reads_sheets_with_a_mapping_and_a_dry_run() {
    let data = tempfile::tempdir().unwrap();
    let dir = p(data.path());
    run_ok(&["init", "--data", dir], None);
    let sheet = fixture_path("lavoratori.ods");
    let mapping = fixture_path("corrispondenze.toml");
    let args = |extra: &[&str]| {
        let mut a = vec!["import", "--workers", sheet.to_str().unwrap()];
        a.extend_from_slice(extra);
        a.extend_from_slice(&["--data", dir]);
        a.into_iter().map(String::from).collect::<Vec<_>>()
    };
    let out = dom().args(args(&["--dry-run"])).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("riga 10, colonna «Mansione»: scartata"),
        "{text}"
    );
    assert!(text.contains("riga 9: da creare da completare"), "{text}");
    assert!(text.contains("prova: nulla è stato importato"), "{text}");
    assert!(!text.contains('\u{1b}'), "no progress bar off a terminal");
    let out = dom()
        .args(args(&["--mapping", mapping.to_str().unwrap()]))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The mapping makes "giardiniere" a colf and sets the distance.
    assert!(text.contains("riga 10: creata: Maria Santos"), "{text}");
    assert!(!text.contains("nessuna colonna per la distanza"), "{text}");
    assert!(
        text.contains(
            "importate: 2 complete, 1 da completare; possibili doppioni: 2; righe scartate: 0"
        ),
        "{text}"
    );
    // Again: now every row is a duplicate of what the first import stored.
    let out = dom()
        .args(args(&["--mapping", mapping.to_str().unwrap()]))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("importate: 0 complete, 0 da completare; possibili doppioni: 5"),
        "{text}"
    );
    let bad = dom()
        .args(args(&["--mapping", sheet.to_str().unwrap()]))
        .output()
        .unwrap();
    assert!(!bad.status.success());
}

#[test]
fn the_import_page_shows_the_dry_run_and_imports_on_confirmation() {
    use crate::web::{csrf, form_post, get, sign_in};
    let s = Server::demo();
    let cookie = sign_in(&s, DESK);
    let home = get(&s, "/ui/", &cookie);
    assert!(
        home.body.contains("href=\"/ui/importa\""),
        "a nav link for desks"
    );
    let form = get(&s, "/ui/importa", &cookie);
    assert_eq!(form.status, 200);
    assert!(form.body.contains("multipart/form-data"));
    let token = csrf(&form.body);
    let file = String::from_utf8(fixture("lavoratori-utf8.csv")).unwrap();
    let post = |csrf: &str| {
        let b = "dom-confine";
        let body = format!(
            "--{b}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n\
             --{b}\r\nContent-Disposition: form-data; name=\"tipo\"\r\n\r\nschede\r\n\
             --{b}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"lavoratori.csv\"\r\n\
             Content-Type: text/csv\r\n\r\n{file}\r\n--{b}--\r\n"
        );
        s.raw(&format!(
            "POST /ui/importa HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nCookie: {cookie}\r\n\
             Content-Type: multipart/form-data; boundary={b}\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        ))
    };
    assert_eq!(
        post("sbagliato").status,
        403,
        "the form needs its CSRF token"
    );
    let before = s.get_as(DESK, "/api/v1/workers?limit=1").json()["total"].clone();
    let check = post(&token);
    assert_eq!(check.status, 200, "{}", check.body);
    assert!(
        crate::util::unlabelled(&check.body).contains("<td>10</td><td>scartata</td>"),
        "{}",
        check.body
    );
    assert!(check.body.contains("manca: data del consenso"));
    assert!(check.body.contains("Importa 1 righe"), "{}", check.body);
    assert_eq!(
        s.get_as(DESK, "/api/v1/workers?limit=1").json()["total"],
        before
    );
    let at = check.body.find("name=\"caricamento\" value=\"").unwrap() + 26;
    let key = &check.body[at..at + 32];
    let done = form_post(
        &s,
        "/ui/importa/conferma",
        Some(&cookie),
        &format!("csrf={token}&caricamento={key}"),
    );
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(
        done.body.contains("importate: 0 complete, 1 da completare"),
        "{}",
        done.body
    );
    let after = s.get_as(DESK, "/api/v1/workers?limit=1").json()["total"].as_u64();
    assert_eq!(after, before.as_u64().map(|n| n + 1));
    // Confirmed once: the kept file is gone.
    let again = form_post(
        &s,
        "/ui/importa/conferma",
        Some(&cookie),
        &format!("csrf={token}&caricamento={key}"),
    );
    assert_eq!(again.status, 422);
    let csv = get(&s, "/ui/schede.csv", &cookie);
    assert_eq!(csv.status, 200);
    assert!(csv.body.contains("Nome;Cognome;Anno di nascita"));
}
