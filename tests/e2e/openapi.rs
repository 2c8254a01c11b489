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

#[test]
fn every_route_is_described_and_served() {
    let s = Server::demo();
    let r = s.get("/openapi.json");
    assert_eq!(r.status, 200);
    let doc = r.json();
    assert_eq!(doc["openapi"].as_str().unwrap().chars().next(), Some('3'));
    for (method, template) in CLIENT_ROUTES {
        assert!(
            doc["paths"][template][method].is_object(),
            "{method} {template} undocumented"
        );
    }
    for public in ["/healthz", "/openapi.json", "/api/v1/outcome/{code}"] {
        assert!(doc["paths"][public].is_object(), "{public}");
    }
    // Served: without a token every protected route says 401, not 404.
    for (method, template) in CLIENT_ROUTES {
        let path = sample_path(template);
        let body = if *method == "get" || *method == "delete" {
            None
        } else {
            Some("{}")
        };
        let r = s.request(&method.to_uppercase(), &path, None, body);
        assert_eq!(r.status, 401, "{method} {path}: {}", r.body);
    }
    // And every documented path is one of those, or public.
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for method in ops.as_object().unwrap().keys() {
            let known = CLIENT_ROUTES.iter().any(|(m, t)| m == method && t == path)
                || ["/healthz", "/openapi.json", "/api/v1/outcome/{code}"].contains(&path.as_str());
            assert!(known, "documented but not tested: {method} {path}");
        }
    }
}
