//! The whole workflow, role by role: register a worker, a request (as a referrer),
//! candidates, propose, follow-ups, outcomes by operator and by code, monthly report.

use serde_json::json;

use crate::util::Server;
use crate::{in_days, request_body, today, worker_body, ADMIN, COORD, DESK, PUNTO};

#[test]
fn a_request_becomes_a_job_and_the_month_knows_it() {
    let s = Server::demo();

    // Desk operator registers a card.
    let r = s.post_as(
        DESK,
        "/api/v1/workers",
        &worker_body("Oksana", "+39 320 0000001"),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let worker = r.json();
    let worker_id = worker["id"].as_str().unwrap().to_string();
    assert_eq!(worker["comune"], "053011", "name resolved to ISTAT code");
    assert_eq!(worker["status"], "available");
    let read = s.get_as(DESK, &format!("/api/v1/workers/{worker_id}"));
    assert_eq!(read.status, 200);
    assert_eq!(read.json()["phone"], "+39 320 0000001");

    // The Punto Insieme registers a family request.
    let r = s.post_as(PUNTO, "/api/v1/requests", &request_body());
    assert_eq!(r.status, 201, "{}", r.body);
    let request_id = r.json()["id"].as_str().unwrap().to_string();
    assert_eq!(r.json()["status"], "open");

    // The desk sees the new card among the candidates, with reasons summing to the score.
    let r = s.get_as(
        DESK,
        &format!("/api/v1/requests/{request_id}/candidates?limit=20"),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let body = r.json();
    assert_eq!(body["request_id"], request_id);
    let cands = body["candidates"].as_array().unwrap();
    let mine = cands
        .iter()
        .find(|c| c["worker_id"] == worker_id.as_str())
        .expect("new card is a candidate");
    let sum: f64 = mine["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["points"].as_f64().unwrap())
        .sum();
    assert!((sum - mine["score"].as_f64().unwrap()).abs() < 1e-6);

    // Propose: follow-ups at 7 and 30 days, an outcome code, request moves on.
    let r = s.post_as(
        DESK,
        &format!("/api/v1/requests/{request_id}/proposals"),
        &json!({"worker_id": worker_id}),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let proposal = r.json();
    let proposal_id = proposal["id"].as_str().unwrap().to_string();
    let code = proposal["outcome_code"].as_str().unwrap().to_string();
    let due: Vec<&str> = proposal["follow_ups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["due_on"].as_str().unwrap())
        .collect();
    assert_eq!(due, vec![in_days(7), in_days(30)]);
    let r = s.get_as(PUNTO, &format!("/api/v1/requests/{request_id}"));
    assert_eq!(r.json()["status"], "proposals_sent");

    // The referrer sees the family card only.
    let r = s.get_as(PUNTO, &format!("/api/v1/requests/{request_id}/proposals"));
    assert_eq!(r.status, 200, "{}", r.body);
    let p = &r.json()["proposals"][0];
    assert_eq!(p["worker"]["given_name"], "Oksana");
    assert_eq!(p["outcome_code"], code.as_str());
    for hidden in [
        "+39 320",
        "Testova",
        "protection",
        "reasons",
        "warnings",
        "1980",
    ] {
        assert!(
            !r.body.contains(hidden),
            "referrer sees {hidden}: {}",
            r.body
        );
    }

    // Follow-ups due within 8 days, oldest first, for the proposing desk.
    let r = s.get_as(
        DESK,
        &format!("/api/v1/follow-ups?due_before={}", in_days(8)),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let fus = r.json()["follow_ups"].as_array().unwrap().clone();
    assert_eq!(fus.len(), 1);
    assert_eq!(fus[0]["proposal_id"], proposal_id.as_str());
    assert_eq!(fus[0]["due_on"], in_days(7).as_str());

    // A second proposal that does not work out, recorded by the operator.
    let r = s.post_as(
        DESK,
        &format!("/api/v1/requests/{request_id}/proposals"),
        &json!({"worker_id": "a00000000000000d"}),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let second = r.json()["id"].as_str().unwrap().to_string();
    let r = s.post_as(
        DESK,
        &format!("/api/v1/proposals/{second}/outcome"),
        &json!({"outcome": "not_hired", "reported_by": "operator", "reason": "wage", "note": "chiedeva di più"}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.json()["follow_ups"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["status"] == "done"));

    // The family reports with the code from the printed card, no login.
    let r = s.post_as(
        "none",
        &format!("/api/v1/outcome/{}", code.to_lowercase()),
        &json!({"outcome": "hired", "start_on": today()}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(!r.body.contains("Oksana"));
    assert_eq!(
        s.get(&format!("/api/v1/outcome/{code}")).json()["recorded"],
        true
    );
    let r = s.get_as(DESK, &format!("/api/v1/workers/{worker_id}"));
    assert_eq!(r.json()["status"], "placed");
    let r = s.get_as(PUNTO, &format!("/api/v1/requests/{request_id}"));
    assert_eq!(r.json()["status"], "filled");
    let r = s.get_as(DESK, &format!("/api/v1/proposals/{proposal_id}"));
    let p = r.json();
    assert_eq!(p["outcome"]["reported_by"], "family");
    assert!(p["follow_ups"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["kind"] == "retention" && f["due_on"] == in_days(90).as_str()));

    // The month's review counts it all.
    let month = &today()[..7];
    let r = s.get_as(COORD, &format!("/api/v1/reports/monthly?month={month}"));
    assert_eq!(r.status, 200, "{}", r.body);
    let rep = r.json();
    assert_eq!(rep["proposals_made"], 2);
    assert_eq!(rep["placements"], 1);
    assert_eq!(rep["outcomes"]["known"], 2);
    assert_eq!(rep["failure_reasons"]["wage"], 1);
    assert!(
        rep["requests_received"]["by_organisation"]["Punto Insieme Grosseto"]
            .as_u64()
            .unwrap()
            >= 1
    );
    let csv = s.get_with(
        COORD,
        &format!("/api/v1/reports/monthly?month={month}"),
        "Accept: text/csv",
    );
    assert_eq!(csv.status, 200);
    assert!(csv.header("content-type").unwrap().starts_with("text/csv"));
    assert!(csv.body.starts_with("\u{feff}Rapporto mensile"));
    assert!(
        csv.body.contains("Assunzioni iniziate nel mese;1\r\n"),
        "{}",
        csv.body
    );

    // The audit log shows who created and read the card, and nothing of its content.
    let r = s.get_as(ADMIN, &format!("/api/v1/audit?record={worker_id}"));
    assert_eq!(r.status, 200, "{}", r.body);
    let actions: Vec<String> = r.json()["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_string())
        .collect();
    assert!(
        actions.contains(&"create".into()) && actions.contains(&"read".into()),
        "{actions:?}"
    );
    for secret in ["+39 320", "protection", "Pulizie"] {
        assert!(!r.body.contains(secret));
    }
}

#[test]
fn a_card_can_be_edited_reconfirmed_and_erased() {
    let s = Server::demo();
    let id = s
        .post_as(
            DESK,
            "/api/v1/workers",
            &worker_body("Lesia", "+39 320 0000002"),
        )
        .json()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = s.patch_as(
        DESK,
        &format!("/api/v1/workers/{id}"),
        &json!({"max_travel_km": 35, "reconfirm": true}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["max_travel_km"], 35);
    assert_eq!(r.json()["confirmed_on"], today().as_str());
    let r = s.get_as(DESK, "/api/v1/workers?name=lesia");
    assert_eq!(r.json()["total"], 1);
    let r = s.request("DELETE", &format!("/api/v1/workers/{id}"), Some(DESK), None);
    assert_eq!(r.status, 204);
    assert_eq!(s.get_as(DESK, &format!("/api/v1/workers/{id}")).status, 404);
    assert_eq!(
        s.get_as(DESK, "/api/v1/workers?name=lesia").json()["total"],
        0
    );
}

#[test]
fn openings_and_request_closing() {
    let s = Server::demo();
    let r = s.get_as(
        DESK,
        &format!("/api/v1/workers/{}/openings", crate::NATALIA),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains(crate::ROSSI));
    let r = s.patch_as(
        PUNTO,
        &format!("/api/v1/requests/{}", crate::ROSSI),
        &json!({"status": "closed", "close_reason": "la famiglia ha trovato da sola"}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let r = s.get_as(
        DESK,
        &format!("/api/v1/workers/{}/openings", crate::NATALIA),
    );
    assert!(
        !r.body.contains(crate::ROSSI),
        "closed requests are not openings"
    );
}
