//! `GET /openapi.json` describes every route, and every described route is served.

use crate::util::Server;

/// The routes a client of API v1 relies on (method, path template).
pub const CLIENT_ROUTES: &[(&str, &str)] = &[
    ("get", "/api/v1/workers"),
    ("post", "/api/v1/workers"),
    ("get", "/api/v1/workers/{id}"),
    ("patch", "/api/v1/workers/{id}"),
    ("delete", "/api/v1/workers/{id}"),
    ("get", "/api/v1/workers/{id}/export"),
    ("get", "/api/v1/workers/{id}/openings"),
    ("post", "/api/v1/workers/{id}/contacts"),
    ("get", "/api/v1/workers/{id}/contacts"),
    ("post", "/api/v1/requests"),
    ("get", "/api/v1/requests"),
    ("get", "/api/v1/requests/{id}"),
    ("patch", "/api/v1/requests/{id}"),
    ("get", "/api/v1/requests/{id}/candidates"),
    ("get", "/api/v1/requests/{id}/candidates/{worker_id}"),
    ("post", "/api/v1/requests/{id}/proposals"),
    ("get", "/api/v1/requests/{id}/proposals"),
    ("post", "/api/v1/requests/{id}/contacts"),
    ("get", "/api/v1/requests/{id}/contacts"),
    ("get", "/api/v1/proposals/{id}"),
    ("post", "/api/v1/proposals/{id}/outcome"),
    ("get", "/api/v1/follow-ups"),
    ("post", "/api/v1/follow-ups/{id}/retention"),
    ("get", "/api/v1/reports/monthly"),
    ("post", "/api/v1/imports/workers"),
    ("post", "/api/v1/imports/requests"),
    ("get", "/api/v1/exports/workers"),
    ("get", "/api/v1/organisations"),
    ("post", "/api/v1/organisations"),
    ("patch", "/api/v1/organisations/{id}"),
    ("get", "/api/v1/operators"),
    ("post", "/api/v1/operators"),
    ("get", "/api/v1/audit"),
    ("get", "/api/v1/admin/backup"),
    ("patch", "/api/v1/operators/{id}"),
    ("post", "/api/v1/operators/{id}/revoke"),
    ("post", "/api/v1/operators/{id}/rotate"),
];

/// `template` with sample ids of the demo data in place of its parameters.
fn sample_path(template: &str) -> String {
    template
        .replace("/workers/{id}", "/workers/a000000000000001")
        .replace("/requests/{id}", "/requests/b000000000000001")
        .replace("{worker_id}", "a000000000000017")
        .replace("{id}", "0000000000000001")
}

/// The document committed beside the code, and where to write it.
const COMMITTED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/openapi.json");
/// The previous published version: the current one may only add to it.
const PREVIOUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/openapi.previous.json");

const PUBLIC: &[&str] = &["/healthz", "/openapi.json", "/api/v1/outcome/{code}"];

#[test]
fn every_route_is_described_and_served() {
    let s = Server::demo();
    let r = s.get("/openapi.json");
    assert_eq!(r.status, 200);
    let doc = r.json();
    assert_eq!(doc["openapi"], "3.0.3");
    for (method, template) in CLIENT_ROUTES {
        assert!(
            doc["paths"][template][method].is_object(),
            "{method} {template} undocumented"
        );
    }
    // Every described operation is served: without a token a protected one says 401
    // (not 404 or 405), a public one answers something other than 404/405.
    let mut ids = std::collections::BTreeSet::new();
    let mut links = Vec::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            assert!(
                ids.insert(op["operationId"].as_str().unwrap().to_string()),
                "{method} {path}: operationId repeated"
            );
            assert!(
                op["tags"][0].is_string() && op["summary"].is_string(),
                "{method} {path}"
            );
            let sample = sample_path(path).replace("{code}", "ABCDEFGHJK");
            let body = (method != "get" && method != "delete").then_some("{}");
            let r = s.request(&method.to_uppercase(), &sample, None, body);
            if PUBLIC.contains(&path.as_str()) {
                assert!(op["security"] == serde_json::json!([]), "{method} {path}");
                assert!(
                    ![404, 405].contains(&r.status) || path.contains("{code}") && r.status == 404,
                    "{method} {sample}: {}",
                    r.status
                );
            } else {
                assert_eq!(
                    op["security"][0]["bearer"],
                    serde_json::json!([]),
                    "{method} {path}"
                );
                assert_eq!(r.status, 401, "{method} {sample}: {}", r.body);
                for status in ["401", "403", "429"] {
                    assert!(
                        op["responses"][status].is_object(),
                        "{method} {path} {status}"
                    );
                }
            }
            for r in op["responses"].as_object().unwrap().values() {
                for link in r["links"].as_object().into_iter().flat_map(|l| l.values()) {
                    links.push(link["operationId"].as_str().unwrap().to_string());
                }
            }
            let documented: Vec<&String> = op["responses"].as_object().unwrap().keys().collect();
            assert!(
                documented.iter().any(|k| k.starts_with('2')),
                "{method} {path}: no success answer"
            );
        }
    }
    // Links (create → read → propose → outcome) name operations that exist.
    assert!(links.len() > 10, "{links:?}");
    for l in &links {
        assert!(ids.contains(l), "link to unknown operation {l}");
    }
}

#[test]
fn a_method_a_path_does_not_serve_is_405_with_allow() {
    let s = Server::demo();
    let r = s.request("PUT", "/api/v1/workers/a000000000000001", None, Some("{}"));
    assert_eq!(r.status, 405, "{}", r.body);
    assert_eq!(r.header("allow"), Some("DELETE, GET, PATCH"));
    assert_eq!(r.json()["error"]["code"], "method_not_allowed");
    let r = s.request("DELETE", "/api/v1/requests", None, None);
    assert_eq!(r.status, 405);
    assert_eq!(r.header("allow"), Some("GET, POST"));
    // An unknown path stays 404; a served method still answers (401 without token).
    assert_eq!(
        s.request("PUT", "/api/v1/nothing", None, Some("{}")).status,
        404
    );
    assert_eq!(s.get("/api/v1/requests").status, 401);
}

/// The served document is the committed `docs/openapi.json`, so a contract change is a
/// visible diff in review.
#[test]
fn served_document_is_the_committed_one() {
    let s = Server::demo();
    let served = s.get("/openapi.json").json();
    let text = serde_json::to_string_pretty(&served).unwrap() + "\n";
    if std::env::var_os("DOM_UPDATE_OPENAPI").is_some() {
        std::fs::write(COMMITTED, &text).unwrap();
    }
    let committed = std::fs::read_to_string(COMMITTED).unwrap_or_default();
    assert!(
        committed == text,
        "the served /openapi.json differs from docs/openapi.json: review the change, then \
         regenerate it with\n  DOM_UPDATE_OPENAPI=1 cargo test -p server --test e2e openapi::served_document"
    );
}

/// Additions only: nothing an integrator relied on in the previous version is gone.
#[test]
fn committed_document_only_adds_to_the_previous_one() {
    let read = |p: &str| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
    };
    let (previous, current) = (read(PREVIOUS), read(COMMITTED));
    let (before, after) = (contract(&previous), contract(&current));
    let gone: Vec<&String> = before.difference(&after).collect();
    assert!(gone.is_empty(), "removed from the API: {gone:#?}");
    // The walk sees deep enough to notice a nested field or enum value.
    assert!(after.contains("post /api/v1/workers body.consent.given_on"));
    assert!(after.contains("post /api/v1/workers body.experience[].kind=hospital"));
    assert!(
        after.contains("get /api/v1/requests/{id}/candidates 200.candidates[].reasons[].points")
    );
}

/// What a client relies on, one line each: operations, parameters, success statuses,
/// and every field and enum value of bodies and answers, at every depth.
fn contract(doc: &serde_json::Value) -> std::collections::BTreeSet<String> {
    let mut out = std::collections::BTreeSet::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            let name = format!("{method} {path}");
            out.insert(name.clone());
            for p in op["parameters"].as_array().into_iter().flatten() {
                out.insert(format!("{name} param {}", p["name"].as_str().unwrap_or("")));
                fields(
                    doc,
                    &p["schema"],
                    &format!("{name} param {}", p["name"].as_str().unwrap_or("")),
                    0,
                    &mut out,
                );
            }
            if let Some(body) = op["requestBody"]["content"]["application/json"].get("schema") {
                fields(doc, body, &format!("{name} body"), 0, &mut out);
            }
            for (status, r) in op["responses"].as_object().into_iter().flatten() {
                if status.starts_with('2') {
                    out.insert(format!("{name} {status}"));
                    if let Some(s) = r["content"]["application/json"].get("schema") {
                        fields(doc, s, &format!("{name} {status}"), 0, &mut out);
                    }
                }
            }
        }
    }
    out
}

fn fields(
    doc: &serde_json::Value,
    schema: &serde_json::Value,
    at: &str,
    depth: usize,
    out: &mut std::collections::BTreeSet<String>,
) {
    if depth > 12 {
        return;
    }
    if let Some(r) = schema["$ref"].as_str() {
        let name = r.rsplit('/').next().unwrap_or("");
        return fields(doc, &doc["components"]["schemas"][name], at, depth + 1, out);
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        for s in schema[key].as_array().into_iter().flatten() {
            fields(doc, s, at, depth + 1, out);
        }
    }
    for v in schema["enum"].as_array().into_iter().flatten() {
        out.insert(format!(
            "{at}={}",
            v.as_str().map_or(v.to_string(), str::to_string)
        ));
    }
    if schema.get("items").is_some() {
        fields(doc, &schema["items"], &format!("{at}[]"), depth + 1, out);
    }
    for (k, v) in schema["properties"].as_object().into_iter().flatten() {
        let at = format!("{at}.{k}");
        out.insert(at.clone());
        fields(doc, v, &at, depth + 1, out);
    }
}
