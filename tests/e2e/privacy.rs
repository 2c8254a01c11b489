//! Privacy by design, seen from outside: erasure leaves nothing on disk, a person can get
//! all their data, families and referrers see only the family card, and the audit log
//! records who did what without the sensitive content.

use std::path::{Path, PathBuf};

use serde_json::json;

use crate::util::Server;
use crate::{worker_body, ADMIN, DESK, NATALIA, PUNTO, ROSSI};

/// Every file under `dir` containing `needle` (case-insensitively for ASCII).
pub(crate) fn files_containing(dir: &Path, needle: &str) -> Vec<PathBuf> {
    let needles = [
        needle.as_bytes().to_vec(),
        needle.to_ascii_lowercase().into_bytes(),
    ];
    let mut hits = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(bytes) = std::fs::read(&path) {
                if needles
                    .iter()
                    .any(|n| bytes.windows(n.len()).any(|w| w == n.as_slice()))
                {
                    hits.push(path);
                }
            }
        }
    }
    hits
}

#[test]
fn an_erased_person_is_nowhere_on_disk() {
    let data = tempfile::tempdir().unwrap();
    let s = Server::start(data.path(), &["--demo"]);
    let mut body = worker_body("Wilhelmina", "+39 345 8765123");
    body["family_name"] = json!("Oxenstierna");
    // What a proposal's reasons and warnings copy from the card: the wage asked, a
    // permit expiring soon after the start, a word of the notes; plus an outcome note.
    let permit_expiry = crate::in_days(40);
    // Reasons and warnings write dates and amounts the Italian way.
    let (y, rest) = permit_expiry.split_once('-').unwrap();
    let (m, d) = rest.split_once('-').unwrap();
    let permit_warning = format!("scadenza il {d}/{m}/{y}");
    body["wage_expectation"] = json!({"monthly_eur": 1234.56});
    body["permit"] = json!({"kind": "work", "expires_on": permit_expiry});
    let w = s.post_as(DESK, "/api/v1/workers", &body);
    assert_eq!(w.status, 201, "{}", w.body);
    let id = w.json()["id"].as_str().unwrap().to_string();
    // Edited twice and proposed once, so several versions and a proposal exist.
    for notes in ["Stiro e pulizie.", "Stiro, pulizie e cucina quirinesca."] {
        let r = s.patch_as(
            DESK,
            &format!("/api/v1/workers/{id}"),
            &json!({"notes": notes}),
        );
        assert_eq!(r.status, 200, "{}", r.body);
    }
    let mut request_body = crate::request_body();
    request_body["notes"] = json!("Pulizie, stiro e cucina quirinesca per una signora anziana.");
    let r = s.post_as(DESK, "/api/v1/requests", &request_body);
    let request = r.json()["id"].as_str().unwrap().to_string();
    let p = s.post_as(
        DESK,
        &format!("/api/v1/requests/{request}/proposals"),
        &json!({"worker_id": id}),
    );
    assert_eq!(p.status, 201, "{}", p.body);
    let proposal = p.json()["id"].as_str().unwrap().to_string();
    let reasons = p.body.clone();
    for copied in ["1.234,56", permit_warning.as_str(), "quirinesca"] {
        assert!(
            reasons.contains(copied),
            "the proposal copies {copied}: {reasons}"
        );
    }
    let r = s.post_as(
        DESK,
        &format!("/api/v1/proposals/{proposal}/outcome"),
        &json!({"outcome": "not_hired", "reported_by": "operator", "reason": "other",
                "note": "Zebedeide non ha risposto"}),
    );
    assert_eq!(r.status, 200, "{}", r.body);

    let r = s.request("DELETE", &format!("/api/v1/workers/{id}"), Some(DESK), None);
    assert_eq!(r.status, 204, "{}", r.body);
    assert_eq!(s.get_as(DESK, &format!("/api/v1/workers/{id}")).status, 404);
    let found = s.get_as(DESK, "/api/v1/workers?name=Wilhelmina Oxenstierna");
    assert!(!found.body.contains(&id), "{}", found.body);
    for needle in [
        "Wilhelmina",
        "Oxenstierna",
        "8765123",
        "345 8765123",
        "1234.56",
        "1.234,56",
        // The date alone may be anything's date; the warning that copies it is not.
        permit_warning.as_str(),
        "quirinesca",
        "Zebedeide",
    ] {
        let hits = files_containing(data.path(), needle);
        assert!(hits.is_empty(), "{needle} still in {hits:?}");
    }
    // The proposal still counts for the monthly review, without explanations.
    let kept = s.get_as(DESK, &format!("/api/v1/proposals/{proposal}"));
    assert_eq!(kept.status, 200, "{}", kept.body);
    assert!(kept.json()["deidentified_on"].is_string());
    let month = &crate::today()[..7];
    let report = s.get_as(
        crate::COORD,
        &format!("/api/v1/reports/monthly?month={month}"),
    );
    assert_eq!(report.json()["proposals_made"], 1, "{}", report.body);
    // And after a restart it does not come back.
    s.kill();
    let s = Server::start(data.path(), &[]);
    assert_eq!(s.get_as(DESK, &format!("/api/v1/workers/{id}")).status, 404);
}

#[test]
fn a_person_can_have_all_their_data() {
    let s = Server::demo();
    let p = s.post_as(
        DESK,
        &format!("/api/v1/requests/{ROSSI}/proposals"),
        &json!({"worker_id": NATALIA}),
    );
    assert_eq!(p.status, 201);
    let r = s.get_as(DESK, &format!("/api/v1/workers/{NATALIA}/export"));
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r
        .header("content-disposition")
        .unwrap()
        .contains("attachment"));
    let x = r.json();
    assert_eq!(x["worker"]["id"], NATALIA);
    assert_eq!(x["worker"]["family_name"], "Popa");
    assert!(x["worker"]["consent"]["given_on"].is_string());
    assert!(x["worker"]["consent"]["text_version"].is_string());
    assert_eq!(x["proposals"][0]["request_id"], ROSSI);
    assert_eq!(x["proposals"][0]["request_job"], "badante");
    // The family's own data is not the worker's to take.
    assert!(!r.body.contains("Rossi") && !r.body.contains("0564 000000"));
    assert_eq!(x["follow_ups"].as_array().unwrap().len(), 2);
    assert!(x["audit"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["action"] == "propose"));
    assert_eq!(
        s.get_as(PUNTO, &format!("/api/v1/workers/{NATALIA}/export"))
            .status,
        403
    );
}

#[test]
fn families_and_referrers_see_only_the_family_card() {
    let s = Server::demo();
    let card = s.get_as(DESK, &format!("/api/v1/workers/{NATALIA}")).json();
    let p = s.post_as(
        DESK,
        &format!("/api/v1/requests/{ROSSI}/proposals"),
        &json!({"worker_id": NATALIA}),
    );
    assert_eq!(p.status, 201);
    let r = s.get_as(PUNTO, &format!("/api/v1/requests/{ROSSI}/proposals"));
    assert_eq!(r.status, 200, "{}", r.body);
    let family_card = &r.json()["proposals"][0]["worker"];
    assert_eq!(family_card["given_name"], card["given_name"]);
    for hidden in [
        "phone",
        "permit",
        "comune",
        "family_name",
        "birth_year",
        "nationality",
        "notes",
    ] {
        assert!(
            family_card.get(hidden).is_none(),
            "family card shows {hidden}"
        );
    }
    let phone = card["phone"].as_str().unwrap();
    assert!(!r.body.contains(phone), "{}", r.body);
    assert!(!r.body.contains(card["family_name"].as_str().unwrap()));
}

#[test]
fn the_audit_log_says_who_and_when_but_holds_no_sensitive_content() {
    let s = Server::demo();
    let request = s.get_as(DESK, &format!("/api/v1/requests/{ROSSI}")).json();
    let worker = s.get_as(DESK, &format!("/api/v1/workers/{NATALIA}")).json();
    s.post_as(
        DESK,
        &format!("/api/v1/requests/{ROSSI}/proposals"),
        &json!({"worker_id": NATALIA}),
    );
    let mut sensitive: Vec<String> = vec![
        request["notes"].as_str().unwrap().to_string(),
        request["phone"].as_str().unwrap().to_string(),
        worker["phone"].as_str().unwrap().to_string(),
        "Alzheimer".into(),
        "permit".into(),
    ];
    if let Some(exp) = worker["permit"]["expires_on"].as_str() {
        sensitive.push(exp.to_string());
    }
    for record in [ROSSI, NATALIA] {
        let r = s.get_as(ADMIN, &format!("/api/v1/audit?record={record}"));
        assert_eq!(r.status, 200, "{}", r.body);
        let entries = r.json()["entries"].as_array().cloned().unwrap_or_default();
        assert!(!entries.is_empty(), "{record}: {}", r.body);
        for e in &entries {
            assert!(e["at"].is_number() && e["action"].is_string(), "{e}");
        }
        for secret in &sensitive {
            assert!(
                !r.body.contains(secret.as_str()),
                "audit holds {secret}: {}",
                r.body
            );
        }
    }
    // Append-only: the API offers no way to change or delete an entry.
    for method in ["DELETE", "PATCH", "PUT", "POST"] {
        let r = s.request(method, "/api/v1/audit", Some(ADMIN), Some("{}"));
        assert!([404, 405].contains(&r.status), "{method}: {}", r.status);
    }
}

/// Reading families' details leaves a trace: the request list writes a read line per
/// request it returns, and so do the web request and print pages (issue 13).
#[test]
fn listing_and_web_pages_write_read_lines() {
    let s = Server::demo();
    let reads = |record: &str| -> usize {
        let r = s.get_as(crate::ADMIN, &format!("/api/v1/audit?record={record}"));
        assert_eq!(r.status, 200, "{}", r.body);
        r.json()["entries"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["action"] == "read")
            .count()
    };
    let before = reads(ROSSI);
    let listed = s.get_as(crate::PUNTO, "/api/v1/requests?limit=500");
    assert!(listed.body.contains(ROSSI));
    assert_eq!(reads(ROSSI), before + 1, "the list read the Rossi request");
    let cookie = crate::web::sign_in(&s, DESK);
    for page in [
        format!("/ui/richieste/{ROSSI}"),
        format!("/ui/richieste/{ROSSI}/stampa"),
    ] {
        assert_eq!(crate::web::get(&s, &page, &cookie).status, 200, "{page}");
    }
    assert_eq!(reads(ROSSI), before + 3, "the web request and print pages");
}
