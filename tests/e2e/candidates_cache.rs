//! The candidates cache from outside: asking again gives the same answer, every kind of
//! write shows in the very next answer, and a cached answer opens no door.

use serde_json::json;

use crate::util::Server;
use crate::{request_body, today, worker_body, ADMIN, COORD, DESK, DESK_FOLLONICA, PUNTO};

fn path(request: &str) -> String {
    format!("/api/v1/requests/{request}/candidates?limit=20")
}

/// The ranking's worker ids, asked as the desk.
fn ranked(s: &Server, request: &str) -> Vec<String> {
    let r = s.get_as(DESK, &path(request));
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()["candidates"]
        .as_array()
        .expect("candidates")
        .iter()
        .map(|c| c["worker_id"].as_str().expect("worker_id").to_string())
        .collect()
}

fn new_request(s: &Server, family: &str) -> String {
    let mut body = request_body();
    body["family_name"] = json!(family);
    let r = s.post_as(DESK, "/api/v1/requests", &body);
    assert_eq!(r.status, 201, "{}", r.body);
    r.json()["id"].as_str().expect("id").to_string()
}

/// A card that fits `request_body` (a colf in Grosseto).
fn new_worker(s: &Server, given: &str, phone: &str) -> String {
    let r = s.post_as(DESK, "/api/v1/workers", &worker_body(given, phone));
    assert_eq!(r.status, 201, "{}", r.body);
    r.json()["id"].as_str().expect("id").to_string()
}

#[test]
fn asking_again_gives_the_same_answer_and_a_new_card_shows_at_once() {
    let s = Server::demo();
    let request = new_request(&s, "Lombardi");
    let first = s.get_as(DESK, &path(&request));
    assert_eq!(first.status, 200, "{}", first.body);
    let again = s.get_as(DESK, &path(&request));
    assert_eq!(again.status, 200);
    assert_eq!(again.body, first.body);
    assert_eq!(again.header("content-type"), Some("application/json"));
    // Another desk sees the same ranking.
    assert_eq!(s.get_as(DESK_FOLLONICA, &path(&request)).body, first.body);

    let worker = new_worker(&s, "Oksana", "+39 320 0000011");
    assert!(!first.body.contains(&worker));
    assert!(
        ranked(&s, &request).contains(&worker),
        "the card registered after the cached answer is ranked"
    );
}

#[test]
fn a_changed_request_is_ranked_anew() {
    let s = Server::demo();
    let request = new_request(&s, "Ferri");
    let worker = new_worker(&s, "Iryna", "+39 320 0000012");
    assert!(ranked(&s, &request).contains(&worker));
    assert!(ranked(&s, &request).contains(&worker), "cached");
    // The family moves to Milan: a worker who travels 20 km from Grosseto cannot reach it.
    let r = s.patch_as(
        DESK,
        &format!("/api/v1/requests/{request}"),
        &json!({"comune": "015146"}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(!ranked(&s, &request).contains(&worker));
}

#[test]
fn a_hired_worker_leaves_the_cached_ranking() {
    let s = Server::demo();
    let request = new_request(&s, "Galli");
    let worker = new_worker(&s, "Olena", "+39 320 0000013");
    let r = s.post_as(
        DESK,
        &format!("/api/v1/requests/{request}/proposals"),
        &json!({"worker_id": worker}),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let proposal = r.json()["id"].as_str().expect("id").to_string();
    // Proposed, still available: ranked, and the answer is cached.
    assert!(ranked(&s, &request).contains(&worker));
    assert!(ranked(&s, &request).contains(&worker));
    let r = s.post_as(
        DESK,
        &format!("/api/v1/proposals/{proposal}/outcome"),
        &json!({"outcome": "hired", "reported_by": "operator", "start_on": today()}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(
        !ranked(&s, &request).contains(&worker),
        "placed workers are no candidates"
    );
}

#[test]
fn an_erased_card_is_gone_from_the_next_answer() {
    let s = Server::demo();
    let request = new_request(&s, "Conti");
    let worker = new_worker(&s, "Halyna", "+39 320 0000014");
    let before = s.get_as(DESK, &path(&request));
    assert!(before.body.contains(&worker));
    assert_eq!(s.get_as(DESK, &path(&request)).body, before.body);
    let r = s.request(
        "DELETE",
        &format!("/api/v1/workers/{worker}"),
        Some(DESK),
        None,
    );
    assert_eq!(r.status, 204, "{}", r.body);
    let after = s.get_as(DESK, &path(&request));
    assert_eq!(after.status, 200);
    assert!(!after.body.contains(&worker), "{}", after.body);
}

#[test]
fn a_cached_answer_is_no_way_around_access() {
    let s = Server::demo();
    let request = new_request(&s, "Marchi");
    let cached = s.get_as(DESK, &path(&request));
    assert_eq!(cached.status, 200);
    assert_eq!(s.get_as(DESK, &path(&request)).body, cached.body);
    for token in [PUNTO, COORD, ADMIN] {
        let r = s.get_as(token, &path(&request));
        assert_eq!(r.status, 403, "{token}: {}", r.body);
        assert!(!r.body.contains("worker_id"), "{token}: {}", r.body);
    }
    for token in [None, Some("not-a-token")] {
        let r = s.request("GET", &path(&request), token, None);
        assert_eq!(r.status, 401, "{token:?}: {}", r.body);
    }
    let r = s.get_as(
        DESK,
        "/api/v1/requests/00000000000000ff/candidates?limit=20",
    );
    assert_eq!(r.status, 404, "{}", r.body);
    let r = s.get_as(
        DESK,
        &format!("/api/v1/requests/{request}/candidates?limit=20&x=1"),
    );
    assert_eq!(r.status, 422, "{}", r.body);
    // Still served to the desk afterwards, the same.
    assert_eq!(s.get_as(DESK, &path(&request)).body, cached.body);
}
