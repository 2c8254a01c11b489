//! Bad input gets the contract's error, naming the field, and changes nothing.

use serde_json::{json, Value};

use crate::util::{Response, Server};
use crate::{request_body, worker_body, DESK, PUNTO};

fn workers_total(s: &Server) -> u64 {
    s.get_as(DESK, "/api/v1/workers?limit=1").json()["total"]
        .as_u64()
        .unwrap()
}

fn requests_total(s: &Server) -> u64 {
    s.get_as(DESK, "/api/v1/requests?limit=1").json()["total"]
        .as_u64()
        .unwrap()
}

fn error(r: &Response, status: u16, code: &str, field: Option<&str>) {
    assert_eq!(r.status, status, "{}", r.body);
    let e = &r.json()["error"];
    assert_eq!(e["code"], code, "{}", r.body);
    assert!(!e["message"].as_str().unwrap().is_empty());
    if let Some(f) = field {
        assert_eq!(e["field"], f, "{}", r.body);
    }
}

/// A change that breaks a valid body.
type Edit = fn(&mut Value);

/// The contract's answer to a body or parameter that is wrong in `field`.
fn invalid(r: &Response, field: &str) {
    error(r, 422, "invalid", Some(field));
}

#[test]
fn bad_worker_bodies_are_refused_and_store_nothing() {
    let s = Server::demo();
    let before = workers_total(&s);
    // Each edit of a valid body is refused naming the field it broke.
    let edits: [(Edit, &str); 4] = [
        (|w| w["birth_year"] = json!("millenovecento"), "birth_year"),
        (
            |w| w["languages"][1]["level"] = json!("Z9"),
            "languages[1].level",
        ),
        (
            |w| {
                w.as_object_mut().unwrap().remove("consent");
            },
            "consent",
        ),
        (|w| w["religion"] = json!("x"), "religion"),
    ];
    for (edit, field) in edits {
        let mut body = worker_body("A", "+39 320 2222222");
        edit(&mut body);
        let r = s.post_as(DESK, "/api/v1/workers", &body);
        invalid(&r, field);
    }
    let mut comune = worker_body("A", "+39 320 2222222");
    comune["comune"] = json!("Grossetto di Mare");
    let r = s.post_as(DESK, "/api/v1/workers", &comune);
    invalid(&r, "comune");
    assert_eq!(
        r.json()["error"]["suggestions"].as_array().unwrap().len(),
        5
    );
    let (refused_workers, _) = matcher::fixtures::refused().unwrap();
    for f in refused_workers {
        let r = s.post_as(DESK, "/api/v1/workers", &f.body);
        error(&r, 422, &f.why, Some(&f.field));
    }
    let malformed = s.request(
        "POST",
        "/api/v1/workers",
        Some(DESK),
        Some("{\"given_name\": "),
    );
    error(&malformed, 422, "invalid", None);
    let huge = format!("{{\"notes\": \"{}\"}}", "x".repeat(100_000));
    error(
        &s.request("POST", "/api/v1/workers", Some(DESK), Some(&huge)),
        413,
        "too_large",
        None,
    );
    assert_eq!(workers_total(&s), before, "nothing stored");
}

#[test]
fn duplicates_need_confirmation() {
    let s = Server::demo();
    let before = workers_total(&s);
    let mut anna = worker_body("Anna", "+39 349 0000009");
    anna["family_name"] = json!("Popescu");
    anna["birth_year"] = json!(1975);
    let r = s.post_as(DESK, "/api/v1/workers", &anna);
    error(&r, 409, "conflict", None);
    assert!(r.body.contains("a000000000000001"), "{}", r.body);
    assert_eq!(workers_total(&s), before);
    let r = s.post_as(DESK, "/api/v1/workers?allow_duplicate=true", &anna);
    assert_eq!(r.status, 201, "{}", r.body);
    assert!(r.body.contains("a000000000000001"));
    assert_eq!(workers_total(&s), before + 1);
}

#[test]
fn discriminatory_requests_are_refused_and_store_nothing() {
    let s = Server::demo();
    let before = requests_total(&s);
    let (_, refused_requests) = matcher::fixtures::refused().unwrap();
    for f in refused_requests {
        let r = s.post_as(PUNTO, "/api/v1/requests", &f.body);
        error(&r, 422, &f.why, Some(&f.field));
    }
    let mut field = request_body();
    field["requires"]["nationality"] = json!("IT");
    error(
        &s.post_as(PUNTO, "/api/v1/requests", &field),
        422,
        "discriminatory_criterion",
        Some("requires.nationality"),
    );
    let mut text = request_body();
    text["notes"] = json!("Cerchiamo badante italiana, no straniere");
    let r = s.post_as(DESK, "/api/v1/requests", &text);
    error(&r, 422, "discriminatory_criterion", Some("notes"));
    let e = &r.json()["error"];
    assert!(e["message"].as_str().unwrap().contains("286/1998"));
    // The refusal teaches: the ground, the words that set it, a lawful rewording.
    assert_eq!(e["ground"], "nationality");
    assert_eq!(e["words"], json!(["badante", "italiana"]));
    assert!(e["suggestion"]
        .as_str()
        .unwrap()
        .contains("livello minimo B1"));
    let mut age = request_body();
    age["notes"] = json!("Preferibilmente giovane, massimo 45 anni");
    let r = s.post_as(DESK, "/api/v1/requests", &age);
    error(&r, 422, "discriminatory_criterion", Some("notes"));
    let e = &r.json()["error"];
    assert_eq!(e["ground"], "age");
    assert!(e["message"].as_str().unwrap().contains("216/2003"));
    assert!(!e["suggestion"].as_str().unwrap().is_empty());
    // Facts about the family pass.
    let mut fact = request_body();
    fact["notes"] =
        json!("La signora è musulmana e mangia halal, parla solo arabo: serve chi parla arabo.");
    let r = s.post_as(DESK, "/api/v1/requests", &fact);
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(requests_total(&s), before + 1);
    let mut hours = request_body();
    hours["hours_per_week"] = json!("quindici");
    invalid(
        &s.post_as(PUNTO, "/api/v1/requests", &hours),
        "hours_per_week",
    );
    assert_eq!(requests_total(&s), before + 1, "refusals stored nothing");
}

#[test]
fn bad_parameters_are_named() {
    let s = Server::demo();
    let candidates = format!("/api/v1/requests/{}/candidates", crate::ROSSI);
    for (token, path, field) in [
        (DESK, format!("{candidates}?limit=0"), "limit"),
        (DESK, format!("{candidates}?limit=abc"), "limit"),
        (DESK, format!("{candidates}?lmit=5"), "lmit"),
        (
            DESK,
            "/api/v1/follow-ups?due_before=domani".into(),
            "due_before",
        ),
        (
            crate::COORD,
            "/api/v1/reports/monthly?month=2026-13".into(),
            "month",
        ),
    ] {
        invalid(&s.get_as(token, &path), field);
    }
    for path in [
        "/api/v1/requests/not-an-id",
        "/api/v1/requests/00000000000000ff/candidates",
    ] {
        error(&s.get_as(DESK, path), 404, "not_found", None);
    }
    error(
        &s.request("PUT", "/api/v1/requests", Some(DESK), None),
        405,
        "method_not_allowed",
        None,
    );
}

#[test]
fn outcome_codes_are_checked_and_rate_limited() {
    let s = Server::demo();
    let body = json!({"outcome": "hired", "start_on": crate::today()});
    error(
        &s.post_as("", "/api/v1/outcome/ZZZZZZZZZZ", &body),
        404,
        "not_found",
        None,
    );
    let p = s.post_as(
        DESK,
        &format!("/api/v1/requests/{}/proposals", crate::ROSSI),
        &json!({"worker_id": crate::NATALIA}),
    );
    let code = p.json()["outcome_code"].as_str().unwrap().to_string();
    // The public body is exactly {"outcome", "start_on"?}: anything else is refused.
    let with_more =
        json!({"outcome": "hired", "reported_by": "family", "start_on": crate::today()});
    let r = s.post_as("", &format!("/api/v1/outcome/{code}"), &with_more);
    invalid(&r, "reported_by");
    let mut last = 0;
    for _ in 0..10 {
        last = s.get(&format!("/api/v1/outcome/{code}")).status;
    }
    assert_eq!(last, 429, "the code is rate-limited");
    let r = s.get(&format!("/api/v1/outcome/{code}"));
    error(&r, 429, "too_many_requests", None);
}
