//! Property tests of validation through the real server: any body either stores a valid
//! record (201, readable back as sent) or is refused with a 4xx naming the field at
//! fault; never a 5xx, never a dropped connection, and a refusal stores nothing.

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{json, Map, Value};

use crate::util::{try_request, Server};
use crate::{request_body, worker_body, DESK, PUNTO};

/// Any JSON value, nested a little.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        (-1e6f64..1e6).prop_map(|f| json!(f)),
        "\\PC{0,40}".prop_map(Value::String),
        prop_oneof![
            Just("Grosseto"),
            Just("A2"),
            Just("badante"),
            Just("yes"),
            Just("2026-12-01"),
            Just("it"),
            Just("elderly"),
            Just("work"),
            Just("rumena"),
            Just("")
        ]
        .prop_map(|s| json!(s)),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_]{1,12}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// A valid body with some fields replaced, removed, or added.
fn mutated(base: Value) -> impl Strategy<Value = Value> {
    let keys: Vec<String> = base.as_object().unwrap().keys().cloned().collect();
    let n = keys.len();
    prop::collection::vec((0..n + 3, any_json(), 0u8..3), 0..4).prop_map(move |edits| {
        let mut body = base.clone();
        let obj = body.as_object_mut().unwrap();
        for (k, v, op) in edits {
            let key = keys.get(k).cloned().unwrap_or_else(|| format!("extra_{k}"));
            match op {
                0 => {
                    obj.remove(&key);
                }
                _ => {
                    obj.insert(key, v);
                }
            }
        }
        body
    })
}

fn total(s: &Server, path: &str, token: &str) -> u64 {
    s.get_as(token, path).json()["total"].as_u64().unwrap()
}

/// Posts `DOM_PROPTEST_CASES` (300 unless set) mutations of `base` to `path` on a fresh
/// demo server with no rate limit, counting the records through `list`.
fn run(token: &str, path: &str, list: &str, base: Value) {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path(), &["--demo", "--rate-per-token", "0"]);
    let s = &server;
    let cases: u32 = std::env::var("DOM_PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300);
    let before = total(s, list, token);
    let stored = std::cell::Cell::new(0u64);
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&mutated(base), |body| {
            let text = body.to_string();
            let r = try_request(s.port, "POST", path, Some(token), Some(&text))
                .ok_or_else(|| TestCaseError::fail(format!("no response to {text}")))?;
            prop_assert!(r.status < 500, "{} for {text}: {}", r.status, r.body);
            if r.status == 201 {
                stored.set(stored.get() + 1);
                let id = r.json()["id"].as_str().unwrap().to_string();
                let kind = if path.contains("workers") {
                    "workers"
                } else {
                    "requests"
                };
                let back = s.get_as(token, &format!("/api/v1/{kind}/{id}"));
                prop_assert_eq!(back.status, 200);
                prop_assert_eq!(back.json(), r.json());
            } else {
                prop_assert!((400..500).contains(&r.status), "{}", r.status);
                let e = r.json();
                let field = e["error"]["field"].as_str();
                prop_assert!(
                    field.is_some(),
                    "refusal without a field: {} for {}",
                    r.body,
                    text
                );
                prop_assert!(
                    ["invalid", "discriminatory_criterion"]
                        .contains(&e["error"]["code"].as_str().unwrap_or("")),
                    "{}",
                    r.body
                );
            }
            Ok(())
        })
        .unwrap();
    assert_eq!(
        total(s, list, token),
        before + stored.get(),
        "refusals stored nothing"
    );
    // Both sides of the property were exercised.
    assert!(
        stored.get() > 0 && stored.get() < u64::from(cases),
        "stored {} of {cases}",
        stored.get()
    );
    eprintln!(
        "{path}: {cases} bodies, {} stored, the rest refused",
        stored.get()
    );
}

#[test]
fn any_worker_body_is_stored_or_refused_naming_a_field() {
    run(
        DESK,
        "/api/v1/workers?allow_duplicate=true",
        "/api/v1/workers?limit=1",
        worker_body("Proptesta", "+39 333 4445566"),
    );
}

#[test]
fn any_request_body_is_stored_or_refused_naming_a_field() {
    run(
        PUNTO,
        "/api/v1/requests",
        "/api/v1/requests?limit=1",
        request_body(),
    );
}
