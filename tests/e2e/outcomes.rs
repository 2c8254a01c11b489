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
    let r = s.post_as(
        "",
        &format!("/api/v1/outcome/{code}"),
        &json!({"outcome": "not_hired"}),
    );
    assert_eq!(r.status, 202, "{}", r.body);
    assert_eq!(r.json()["status"], "needs_review");
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
