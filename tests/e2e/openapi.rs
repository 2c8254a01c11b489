//! `GET /openapi.json` describes every route, and every described route is served.

use crate::util::Server;

/// The routes a client of API v1 relies on (method, path with sample ids).
pub const CLIENT_ROUTES: &[(&str, &str, &str)] = &[
    ("get", "/api/v1/workers", "/api/v1/workers"),
    ("post", "/api/v1/workers", "/api/v1/workers"),
    (
        "get",
        "/api/v1/workers/{id}",
        "/api/v1/workers/a000000000000001",
    ),
    (
        "patch",
        "/api/v1/workers/{id}",
        "/api/v1/workers/a000000000000001",
    ),
    (
        "delete",
        "/api/v1/workers/{id}",
        "/api/v1/workers/a000000000000001",
    ),
    (
        "get",
        "/api/v1/workers/{id}/export",
        "/api/v1/workers/a000000000000001/export",
    ),
    (
        "get",
        "/api/v1/workers/{id}/openings",
        "/api/v1/workers/a000000000000001/openings",
    ),
    ("post", "/api/v1/requests", "/api/v1/requests"),
    ("get", "/api/v1/requests", "/api/v1/requests"),
    (
        "get",
        "/api/v1/requests/{id}",
        "/api/v1/requests/b000000000000001",
    ),
    (
        "patch",
        "/api/v1/requests/{id}",
        "/api/v1/requests/b000000000000001",
    ),
    (
        "get",
        "/api/v1/requests/{id}/candidates",
        "/api/v1/requests/b000000000000001/candidates",
    ),
    (
        "get",
        "/api/v1/requests/{id}/candidates/{worker_id}",
        "/api/v1/requests/b000000000000001/candidates/a000000000000017",
    ),
    (
        "post",
        "/api/v1/requests/{id}/proposals",
        "/api/v1/requests/b000000000000001/proposals",
    ),
    (
        "get",
        "/api/v1/requests/{id}/proposals",
        "/api/v1/requests/b000000000000001/proposals",
    ),
    (
        "get",
        "/api/v1/proposals/{id}",
        "/api/v1/proposals/0000000000000001",
    ),
    (
        "post",
        "/api/v1/proposals/{id}/outcome",
        "/api/v1/proposals/0000000000000001/outcome",
    ),
    ("get", "/api/v1/follow-ups", "/api/v1/follow-ups"),
    (
        "post",
        "/api/v1/follow-ups/{id}/retention",
        "/api/v1/follow-ups/0000000000000001/retention",
    ),
    ("get", "/api/v1/reports/monthly", "/api/v1/reports/monthly"),
    ("get", "/api/v1/organisations", "/api/v1/organisations"),
    ("post", "/api/v1/organisations", "/api/v1/organisations"),
    ("get", "/api/v1/operators", "/api/v1/operators"),
    ("post", "/api/v1/operators", "/api/v1/operators"),
    (
        "patch",
        "/api/v1/operators/{id}",
        "/api/v1/operators/0000000000000001",
    ),
    (
        "post",
        "/api/v1/operators/{id}/revoke",
        "/api/v1/operators/0000000000000001/revoke",
    ),
    (
        "post",
        "/api/v1/operators/{id}/rotate",
        "/api/v1/operators/0000000000000001/rotate",
    ),
    ("get", "/api/v1/audit", "/api/v1/audit"),
    ("get", "/api/v1/admin/backup", "/api/v1/admin/backup"),
];

#[test]
fn every_route_is_described_and_served() {
    let s = Server::demo();
    let r = s.get("/openapi.json");
    assert_eq!(r.status, 200);
    let doc = r.json();
    assert_eq!(doc["openapi"].as_str().unwrap().chars().next(), Some('3'));
    for (method, template, _) in CLIENT_ROUTES {
        assert!(
            doc["paths"][template][method].is_object(),
            "{method} {template} undocumented"
        );
    }
    for public in ["/healthz", "/openapi.json", "/api/v1/outcome/{code}"] {
        assert!(doc["paths"][public].is_object(), "{public}");
    }
    // Served: without a token every protected route says 401, not 404.
    for (method, _, path) in CLIENT_ROUTES {
        let body = if *method == "get" || *method == "delete" {
            None
        } else {
            Some("{}")
        };
        let r = s.request(&method.to_uppercase(), path, None, body);
        assert_eq!(r.status, 401, "{method} {path}: {}", r.body);
    }
    // And every documented path is one of those, or public.
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for method in ops.as_object().unwrap().keys() {
            let known = CLIENT_ROUTES
                .iter()
                .any(|(m, t, _)| m == method && t == path)
                || ["/healthz", "/openapi.json", "/api/v1/outcome/{code}"].contains(&path.as_str());
            assert!(known, "documented but not tested: {method} {path}");
        }
    }
}
