//! The follow-up loop's rules, as a client meets them: outcomes that cannot be true are
//! refused, contradicting public answers are kept for review, the desk corrects, and
//! "why is this person not a candidate?" has an answer (issue 11).

use serde_json::json;

use crate::util::Server;
use crate::{today, DESK, NATALIA, PUNTO, ROSSI};

const IRINA: &str = "a000000000000015";
/// No driving licence, which the Rossi family requires.
const OLENA: &str = "a000000000000002";

fn propose(s: &Server, worker: &str) -> serde_json::Value {
    let r = s.post_as(
        DESK,
        &format!("/api/v1/requests/{ROSSI}/proposals"),
        &json!({"worker_id": worker}),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    r.json()
}

/// A family's answer by code that contradicts what is recorded: kept for the desk.
fn kept_for_review(s: &Server, code: &str, body: serde_json::Value) {
    let r = s.post_as("", &format!("/api/v1/outcome/{code}"), &body);
    assert_eq!(r.status, 202, "{}", r.body);
    assert_eq!(r.json()["status"], "needs_review");
}

fn outcome(
    s: &Server,
    token: &str,
    proposal: &str,
    body: serde_json::Value,
) -> crate::util::Response {
    s.post_as(
        token,
        &format!("/api/v1/proposals/{proposal}/outcome"),
        &body,
    )
}

#[test]
fn one_position_one_hire_and_the_desk_corrects_with_a_reason() {
    let s = Server::demo();
    let natalia = propose(&s, NATALIA);
    let irina = propose(&s, IRINA);
    let (n, i) = (
        natalia["id"].as_str().unwrap(),
        irina["id"].as_str().unwrap(),
    );
    let hired = json!({"outcome": "hired", "reported_by": "operator", "start_on": today()});
    assert_eq!(outcome(&s, DESK, n, hired.clone()).status, 200);
    // The Rossi family wants one live-in carer: a second hire is a conflict naming who
    // holds the place, and changes nothing.
    let r = outcome(&s, DESK, i, hired.clone());
    assert_eq!(r.status, 409, "{}", r.body);
    assert_eq!(r.json()["error"]["code"], "conflict");
    assert!(r.json()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("Natalia"));
    let again = outcome(
        &s,
        DESK,
        n,
        json!({"outcome": "not_hired", "reported_by": "operator", "reason": "wage"}),
    );
    assert_eq!(again.status, 409, "a decided outcome is not overwritten");

    // A referrer may not correct; the desk may, with a reason, and states follow.
    let correction = json!({"outcome": "not_hired", "reported_by": "operator", "reason": "family_chose_other",
        "correction": {"reason": "la famiglia ha cambiato idea prima di iniziare"}});
    assert_eq!(outcome(&s, PUNTO, n, correction.clone()).status, 403);
    let r = outcome(&s, DESK, n, correction);
    assert_eq!(r.status, 200, "{}", r.body);
    let p = r.json();
    assert_eq!(p["outcome"]["outcome"], "not_hired");
    assert_eq!(p["history"].as_array().unwrap().len(), 2);
    assert_eq!(p["history"][0]["outcome"], "hired");
    assert!(p["history"][1]["correction"].is_string());
    assert_eq!(
        s.get_as(DESK, &format!("/api/v1/workers/{NATALIA}")).json()["status"],
        "available"
    );
    assert_eq!(
        s.get_as(DESK, &format!("/api/v1/requests/{ROSSI}")).json()["status"],
        "proposals_sent"
    );
    // Now Irina can take the place.
    assert_eq!(outcome(&s, DESK, i, hired).status, 200);
}

#[test]
fn public_answers_use_the_agreed_start_and_contradictions_wait_for_the_desk() {
    let s = Server::demo();
    let p = propose(&s, NATALIA);
    let (id, code) = (
        p["id"].as_str().unwrap(),
        p["outcome_code"].as_str().unwrap(),
    );
    let r = s.post_as(
        "",
        &format!("/api/v1/outcome/{code}"),
        &json!({"outcome": "hired"}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let start = s.get_as(DESK, &format!("/api/v1/requests/{ROSSI}")).json()["start_on"]
        .as_str()
        .unwrap()
        .to_string();
    let expected = if start.as_str() <= today().as_str() {
        start
    } else {
        today()
    };
    let read = s.get_as(DESK, &format!("/api/v1/proposals/{id}")).json();
    assert_eq!(read["outcome"]["start_on"], expected.as_str());
    assert_eq!(read["needs_review"], false);
    // "Non è andata" afterwards: kept, not applied, and the desk is told.
    kept_for_review(&s, code, json!({"outcome": "not_hired"}));
    let read = s.get_as(DESK, &format!("/api/v1/proposals/{id}")).json();
    assert_eq!(read["needs_review"], true);
    assert_eq!(read["outcome"]["outcome"], "hired");
    let applied: Vec<bool> = read["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["applied"].as_bool().unwrap())
        .collect();
    assert_eq!(applied, vec![true, false]);
    // The referrer who owns the request sees the same flag.
    assert_eq!(
        s.get_as(PUNTO, &format!("/api/v1/proposals/{id}")).json()["needs_review"],
        true
    );
}

#[test]
fn why_not_lists_every_failing_constraint_and_proposals_say_so_too() {
    let s = Server::demo();
    let r = s.get_as(
        DESK,
        &format!("/api/v1/requests/{ROSSI}/candidates/{OLENA}"),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let why = r.json();
    assert_eq!(why["eligible"], false);
    assert!(why["rank"].is_null() && why["score"].is_null());
    let constraints: Vec<&str> = why["excluded_by"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["constraint"].as_str().unwrap())
        .collect();
    assert!(constraints.contains(&"driving_license"), "{constraints:?}");
    let r = s.get_as(
        DESK,
        &format!("/api/v1/requests/{ROSSI}/candidates/{NATALIA}"),
    );
    let ok = r.json();
    assert_eq!(ok["eligible"], true);
    assert!(ok["rank"].as_u64().unwrap() >= 1);
    let sum: f64 = ok["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["points"].as_f64().unwrap())
        .sum();
    assert!((sum - ok["score"].as_f64().unwrap()).abs() < 1e-6);
    // Proposing her anyway: refused, with the same list.
    let r = s.post_as(
        DESK,
        &format!("/api/v1/requests/{ROSSI}/proposals"),
        &json!({"worker_id": OLENA}),
    );
    assert_eq!(r.status, 409);
    assert_eq!(
        r.json()["error"]["excluded_by"][0]["constraint"],
        "driving_license"
    );
    // Referrers do not see rankings.
    assert_eq!(
        s.get_as(
            PUNTO,
            &format!("/api/v1/requests/{ROSSI}/candidates/{NATALIA}")
        )
        .status,
        403
    );
}

#[test]
fn closing_needs_a_reason_and_only_the_desk_reopens() {
    let s = Server::demo();
    let path = format!("/api/v1/requests/{ROSSI}");
    let r = s.patch_as(PUNTO, &path, &json!({"status": "closed"}));
    assert_eq!(r.status, 422);
    assert_eq!(r.json()["error"]["field"], "close_reason");
    let r = s.patch_as(
        PUNTO,
        &path,
        &json!({"status": "closed", "close_reason": "la famiglia ha trovato da sola"}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["status"], "closed");
    assert_eq!(
        s.patch_as(
            PUNTO,
            &path,
            &json!({"status": "open", "reopen_reason": "errore"})
        )
        .status,
        403
    );
    assert_eq!(
        s.patch_as(DESK, &path, &json!({"status": "open"})).status,
        422
    );
    let r = s.patch_as(
        DESK,
        &path,
        &json!({"status": "open", "reopen_reason": "chiusa per errore"}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["status"], "open");
    // Positions are part of a request; cards are retired and reactivated, never "placed" by hand.
    assert_eq!(
        s.patch_as(DESK, &path, &json!({"positions": 2})).json()["positions"],
        2
    );
    assert_eq!(
        s.patch_as(DESK, &path, &json!({"positions": 9})).status,
        422
    );
    let w = format!("/api/v1/workers/{NATALIA}");
    assert_eq!(
        s.patch_as(DESK, &w, &json!({"status": "inactive"})).json()["status"],
        "inactive"
    );
    assert_eq!(
        s.patch_as(DESK, &w, &json!({"status": "placed"})).status,
        422
    );
    assert_eq!(
        s.patch_as(DESK, &w, &json!({"status": "available"})).json()["status"],
        "available"
    );
}

/// The Rossi body as a new request of the desk: Natalia and Irina fit it too.
fn rossi_like(family: &str, positions: u8) -> serde_json::Value {
    json!({
        "family_name": family, "phone": "+39 0564 111111", "comune": "053023",
        "job": "badante", "live_in": "yes", "hours_per_week": 54, "start_on": crate::in_days(10),
        "needs": ["dementia", "mobility"],
        "requires": {"driving_license": true, "italian_min": "A2", "languages": []},
        "offered": {"monthly_eur": 1100}, "notes": "", "positions": positions
    })
}

fn create(s: &Server, body: serde_json::Value) -> String {
    let r = s.post_as(DESK, "/api/v1/requests", &body);
    assert_eq!(r.status, 201, "{}", r.body);
    r.json()["id"].as_str().unwrap().to_string()
}

fn propose_to(s: &Server, request: &str, worker: &str) -> String {
    let r = s.post_as(
        DESK,
        &format!("/api/v1/requests/{request}/proposals"),
        &json!({"worker_id": worker}),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    r.json()["id"].as_str().unwrap().to_string()
}

fn hired_today() -> serde_json::Value {
    json!({"outcome": "hired", "reported_by": "operator", "start_on": today()})
}

fn monthly(s: &Server) -> serde_json::Value {
    let r = s.get_as(
        crate::COORD,
        &format!("/api/v1/reports/monthly?month={}", &today()[..7]),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()
}

#[test]
fn positions_bound_the_hires_and_a_filled_request_is_not_closed() {
    let s = Server::demo();
    let request = create(&s, rossi_like("Ferri", 2));
    let path = format!("/api/v1/requests/{request}");
    let natalia = propose_to(&s, &request, NATALIA);
    let irina = propose_to(&s, &request, IRINA);
    let candidates = s
        .get_as(DESK, &format!("{path}/candidates?limit=20"))
        .json();
    let someone_else = candidates["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["worker_id"].as_str().unwrap())
        .find(|w| ![NATALIA, IRINA].contains(w))
        .expect("a third candidate")
        .to_string();
    let third = propose_to(&s, &request, &someone_else);
    assert_eq!(outcome(&s, DESK, &natalia, hired_today()).status, 200);
    // One of two places taken: still open.
    assert_eq!(s.get_as(DESK, &path).json()["status"], "proposals_sent");
    assert_eq!(outcome(&s, DESK, &irina, hired_today()).status, 200);
    assert_eq!(s.get_as(DESK, &path).json()["status"], "filled");
    let r = outcome(&s, DESK, &third, hired_today());
    assert_eq!(r.status, 409, "{}", r.body);
    let message = r.json()["error"]["message"].as_str().unwrap().to_string();
    assert!(
        message.contains("Natalia") && message.contains("Irina"),
        "{message}"
    );
    let p = s.get_as(DESK, &format!("/api/v1/proposals/{third}")).json();
    assert!(p["outcome"].is_null() && p["history"].as_array().unwrap().is_empty());
    // Closing a filled request would hide its placements from the review: refused.
    let close = json!({"status": "closed", "close_reason": "la famiglia è a posto"});
    let r = s.patch_as(DESK, &path, &close);
    assert_eq!(r.status, 409, "{}", r.body);
    assert_eq!(r.json()["error"]["code"], "conflict");
    let read = s.get_as(DESK, &path).json();
    assert_eq!(
        (&read["status"], &read["closed_on"]),
        (&json!("filled"), &json!(today()))
    );
    // Positions cannot drop below the hires already recorded.
    let r = s.patch_as(DESK, &path, &json!({"positions": 1}));
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(r.json()["error"]["field"], "positions");
}

#[test]
fn hiring_closes_the_persons_other_proposals_and_one_job_at_a_time() {
    let s = Server::demo();
    let other = create(&s, rossi_like("Ferri", 1));
    let here = propose(&s, NATALIA)["id"].as_str().unwrap().to_string();
    let there = propose_to(&s, &other, NATALIA);
    assert_eq!(outcome(&s, DESK, &here, hired_today()).status, 200);
    let p = s.get_as(DESK, &format!("/api/v1/proposals/{there}")).json();
    assert_eq!(p["outcome"]["outcome"], "not_hired");
    assert_eq!(p["outcome"]["reason"], "worker_placed_elsewhere");
    assert!(p["follow_ups"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["status"] == "cancelled"));
    // The family there says she started: she works for the Rossi family, so the desk checks.
    kept_for_review(
        &s,
        p["outcome_code"].as_str().unwrap(),
        json!({"outcome": "hired"}),
    );
    let r = outcome(
        &s,
        DESK,
        &there,
        json!({"outcome": "hired", "reported_by": "operator", "start_on": today(),
            "correction": {"reason": "la famiglia dice che ha iniziato"}}),
    );
    assert_eq!(r.status, 409, "{}", r.body);
    assert!(r.json()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("già assunta"));
    // Proposing her elsewhere while she is placed: not eligible.
    let third = create(&s, rossi_like("Galli", 1));
    let r = s.post_as(
        DESK,
        &format!("/api/v1/requests/{third}/proposals"),
        &json!({"worker_id": NATALIA}),
    );
    assert_eq!(r.status, 409, "{}", r.body);
    assert_eq!(
        r.json()["error"]["excluded_by"][0]["constraint"],
        "availability"
    );
}

#[test]
fn the_public_body_is_exact_and_hired_takes_the_agreed_start_when_past() {
    let s = Server::demo();
    let path = format!("/api/v1/requests/{ROSSI}");
    // The family agreed a start five days ago.
    let agreed = crate::in_days(-5);
    let r = s.patch_as(DESK, &path, &json!({"start_on": agreed}));
    assert_eq!(r.status, 200, "{}", r.body);
    let p = propose(&s, NATALIA);
    let (id, code) = (
        p["id"].as_str().unwrap(),
        p["outcome_code"].as_str().unwrap(),
    );
    let public = format!("/api/v1/outcome/{code}");
    for (body, field) in [
        (json!({"outcome": "hired", "note": "grazie"}), "note"),
        (json!({"outcome": "hired", "reason": "wage"}), "reason"),
        (json!({"outcome": "no_answer"}), "outcome"),
    ] {
        let r = s.post_as("", &public, &body);
        assert_eq!(r.status, 422, "{body}: {}", r.body);
        assert_eq!(r.json()["error"]["field"], field, "{body}");
    }
    let read = s.get_as(DESK, &format!("/api/v1/proposals/{id}")).json();
    assert!(read["outcome"].is_null(), "refused bodies change nothing");
    assert!(read["history"].as_array().unwrap().is_empty());
    assert_eq!(s.get_as(DESK, &path).json()["status"], "proposals_sent");

    let r = s.post_as("", &public, &json!({"outcome": "hired"}));
    assert_eq!(r.status, 200, "{}", r.body);
    let read = s.get_as(DESK, &format!("/api/v1/proposals/{id}")).json();
    assert_eq!(read["outcome"]["start_on"], agreed.as_str());
    assert_eq!(read["outcome"]["reported_by"], "family");
    assert_eq!(read["history"][0]["start_on"], agreed.as_str());
    // Saying it again agrees: 200, kept in the history, nothing to review.
    let r = s.post_as(
        "",
        &public,
        &json!({"outcome": "hired", "start_on": agreed}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let read = s.get_as(DESK, &format!("/api/v1/proposals/{id}")).json();
    assert_eq!(read["history"].as_array().unwrap().len(), 2);
    assert_eq!(read["needs_review"], false);
}

#[test]
fn a_place_already_taken_goes_to_review_until_the_desk_decides() {
    let s = Server::demo();
    let natalia = propose(&s, NATALIA)["id"].as_str().unwrap().to_string();
    let irina = propose(&s, IRINA);
    let (i, code) = (
        irina["id"].as_str().unwrap(),
        irina["outcome_code"].as_str().unwrap(),
    );
    assert_eq!(outcome(&s, DESK, &natalia, hired_today()).status, 200);
    kept_for_review(&s, code, json!({"outcome": "hired"}));
    let read = s.get_as(DESK, &format!("/api/v1/proposals/{i}")).json();
    assert_eq!(read["needs_review"], true);
    assert!(read["outcome"].is_null(), "kept, not applied");
    assert_eq!(read["history"][0]["applied"], false);
    // The desk calls the family and records what happened: the review is done.
    let r = outcome(
        &s,
        DESK,
        i,
        json!({"outcome": "not_hired", "reported_by": "operator", "reason": "family_chose_other"}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["needs_review"], false);
    assert_eq!(r.json()["history"].as_array().unwrap().len(), 2);
}

#[test]
fn corrections_need_a_reason_and_recompute_the_review() {
    let s = Server::demo();
    let p = propose(&s, NATALIA)["id"].as_str().unwrap().to_string();
    let before = monthly(&s);
    let r = outcome(&s, DESK, &p, hired_today());
    assert_eq!(r.status, 200, "{}", r.body);
    let check = r.json()["follow_ups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["kind"] == "retention")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let hired = monthly(&s);
    assert_eq!(
        hired["placements"].as_u64().unwrap(),
        before["placements"].as_u64().unwrap() + 1
    );
    let not_hired = |correction: serde_json::Value| {
        json!({"outcome": "not_hired", "reported_by": "operator", "reason": "need_changed",
            "correction": correction})
    };
    for bad in [json!({"reason": ""}), json!({"reason": "   "}), json!({})] {
        let r = outcome(&s, DESK, &p, not_hired(bad.clone()));
        assert_eq!(r.status, 422, "{bad}: {}", r.body);
    }
    let r = outcome(
        &s,
        DESK,
        &p,
        json!({"outcome": "no_answer", "reported_by": "operator",
            "correction": {"reason": "non sappiamo"}}),
    );
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(r.json()["error"]["field"], "outcome");
    assert_eq!(
        monthly(&s)["placements"],
        hired["placements"],
        "refusals change nothing"
    );

    let r = outcome(
        &s,
        DESK,
        &p,
        not_hired(json!({"reason": "la signora è stata ricoverata prima dell'inizio"})),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let after = monthly(&s);
    assert_eq!(after["placements"], before["placements"]);
    assert_eq!(
        after["failure_reasons"]["need_changed"].as_u64().unwrap(),
        before["failure_reasons"]["need_changed"]
            .as_u64()
            .unwrap_or(0)
            + 1
    );
    assert_eq!(after["outcomes"]["known"], hired["outcomes"]["known"]);
    // The check of a hire that never was cannot be answered any more.
    let r = s.post_as(
        DESK,
        &format!("/api/v1/follow-ups/{check}/retention"),
        &json!({"still_employed": false}),
    );
    assert_eq!(r.status, 409, "{}", r.body);
    let export = s.get_as(DESK, &format!("/api/v1/workers/{NATALIA}/export"));
    assert_eq!(export.status, 200, "{}", export.body);
    assert!(
        export.json()["audit"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["action"] == "correction"),
        "the correction has its audit line"
    );
}
