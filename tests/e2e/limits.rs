//! Every limit on what a client may send or ask for, enforced with a clear error.

use serde_json::json;

use crate::util::{Response, Server};
use crate::{worker_body, DESK, DESK_FOLLONICA, ROSSI};

fn invalid(r: &Response, field: Option<&str>) {
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(r.json()["error"]["code"], "invalid", "{}", r.body);
    if let Some(f) = field {
        assert_eq!(r.json()["error"]["field"], f, "{}", r.body);
    }
}

#[test]
fn sizes_pages_and_query_lengths_are_bounded() {
    let s = Server::demo();
    // Body: 64 KiB.
    let mut big = worker_body("Grande", "+39 333 0000001");
    big["notes"] = json!("x".repeat(70 * 1024));
    let r = s.post_as(DESK, "/api/v1/workers", &big);
    assert_eq!(r.status, 413, "{}", r.body);
    assert_eq!(r.json()["error"]["code"], "too_large");
    // Page sizes and limits.
    invalid(&s.get_as(DESK, "/api/v1/workers?limit=201"), Some("limit"));
    invalid(&s.get_as(DESK, "/api/v1/requests?limit=501"), Some("limit"));
    invalid(
        &s.get_as(DESK, "/api/v1/requests?offset=-1"),
        Some("offset"),
    );
    invalid(
        &s.get_as(
            DESK,
            &format!("/api/v1/requests/{ROSSI}/candidates?limit=201"),
        ),
        Some("limit"),
    );
    invalid(
        &s.get_as(
            DESK,
            &format!("/api/v1/workers/{}/openings?limit=100000", crate::NATALIA),
        ),
        Some("limit"),
    );
    let r = s.get_as(DESK, "/api/v1/workers?limit=200");
    assert_eq!(r.status, 200, "the maximum itself is fine");
    // Search text and whole query strings.
    invalid(
        &s.get_as(DESK, &format!("/api/v1/workers?q={}", "a".repeat(501))),
        Some("q"),
    );
    invalid(
        &s.get_as(DESK, &format!("/api/v1/workers?name={}", "a".repeat(101))),
        Some("q"),
    );
    let r = s.get_as(
        DESK,
        &format!("/api/v1/workers?job=colf&x={}", "a".repeat(3000)),
    );
    invalid(&r, None);
    assert!(r.json()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("2048"));
}

#[test]
fn each_token_has_a_request_budget() {
    let data = tempfile::tempdir().unwrap();
    let s = Server::start(data.path(), &["--demo", "--rate-per-token", "5"]);
    for _ in 0..5 {
        assert_eq!(s.get_as(DESK, "/api/v1/follow-ups").status, 200);
    }
    let r = s.get_as(DESK, "/api/v1/follow-ups");
    assert_eq!(r.status, 429, "{}", r.body);
    assert_eq!(r.json()["error"]["code"], "too_many_requests");
    // Another operator is not slowed down by the first.
    assert_eq!(s.get_as(DESK_FOLLONICA, "/api/v1/follow-ups").status, 200);
}

#[test]
fn the_public_endpoint_limits_each_client() {
    let s = Server::demo();
    let body = json!({"outcome": "hired", "start_on": crate::today()});
    // Guessing codes: distinct wrong codes from one address run out after 30.
    let statuses: Vec<u16> = (0..32)
        .map(|n| {
            s.post_as("", &format!("/api/v1/outcome/GUESS{n:05}"), &body)
                .status
        })
        .collect();
    assert!(statuses[..30].iter().all(|st| *st == 404), "{statuses:?}");
    assert_eq!(statuses[31], 429, "{statuses:?}");
}
