//! The authorisation matrix: every route of the API × every role × a record of another
//! organisation. Each refusal is 401/403/404 and its body holds none of the record's
//! data; each allowed read answers 200 and lists only what the role may see.

use serde_json::json;

use crate::openapi::CLIENT_ROUTES;
use crate::util::Server;
use crate::{request_body, ADMIN, COORD, DESK, DESK_FOLLONICA, NATALIA, PUNTO, ROSSI, SOCIAL};

/// Data of the records used below that must never appear in a refusal: the Rossi
/// request, Natalia's card and the request of [`request_body`].
fn secrets() -> impl Iterator<Item = &'static str> {
    crate::ROSSI_NATALIA_SECRETS
        .into_iter()
        .chain(["Bianchini", "diabete", "0564 123456"])
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Role {
    Nobody,
    Desk,
    OtherDesk,
    Punto,
    Social,
    Coordinator,
    Admin,
}

use Role::*;

const ROLES: [(Role, Option<&str>); 7] = [
    (Nobody, None),
    (Desk, Some(DESK)),
    (OtherDesk, Some(DESK_FOLLONICA)),
    (Punto, Some(PUNTO)),
    (Social, Some(SOCIAL)),
    (Coordinator, Some(COORD)),
    (Admin, Some(ADMIN)),
];

fn is_operator(r: Role) -> bool {
    matches!(r, Desk | OtherDesk)
}

fn is_referrer(r: Role) -> bool {
    matches!(r, Punto | Social)
}

/// The demo desk operator, the record the operator routes are tried on.
const DESK_OPERATOR: &str = "e000000000000001";

/// Whether `role` may call `method template` on another organisation's record.
fn allowed(role: Role, method: &str, template: &str) -> bool {
    if role == Nobody {
        return false;
    }
    match (method, template) {
        (_, t) if t.starts_with("/api/v1/workers") => is_operator(role),
        ("post" | "get", "/api/v1/requests") => is_operator(role) || is_referrer(role),
        (_, "/api/v1/requests/{id}")
        | ("get", "/api/v1/requests/{id}/proposals")
        | (_, "/api/v1/proposals/{id}")
        | (_, "/api/v1/proposals/{id}/outcome")
        | (_, "/api/v1/requests/{id}/contacts") => is_operator(role),
        (
            _,
            "/api/v1/requests/{id}/candidates" | "/api/v1/requests/{id}/candidates/{worker_id}",
        )
        | ("post", "/api/v1/requests/{id}/proposals") => is_operator(role),
        ("get", "/api/v1/follow-ups") => is_operator(role),
        (_, "/api/v1/imports/workers" | "/api/v1/imports/requests" | "/api/v1/exports/workers") => {
            is_operator(role)
        }
        // Follow-ups belong to the desk that proposed: another desk's is not found.
        ("post", "/api/v1/follow-ups/{id}/retention") => false,
        ("get", "/api/v1/reports/monthly") => is_operator(role) || role == Coordinator,
        (
            _,
            "/api/v1/organisations"
            | "/api/v1/organisations/{id}"
            | "/api/v1/operators"
            | "/api/v1/operators/{id}"
            | "/api/v1/operators/{id}/revoke"
            | "/api/v1/operators/{id}/rotate"
            | "/api/v1/audit"
            | "/api/v1/admin/backup",
        ) => role == Admin,
        other => panic!("route {other:?} missing from the authorisation matrix"),
    }
}

fn id_of(r: &crate::util::Response) -> String {
    assert!(r.status == 201, "{}", r.body);
    r.json()["id"].as_str().unwrap().to_string()
}

#[test]
fn every_route_refuses_every_role_it_should() {
    let s = Server::demo();
    // A request of the social services beside the Punto Insieme's Rossi request, and
    // proposals by each desk.
    let social_request = id_of(&s.post_as(SOCIAL, "/api/v1/requests", &request_body()));
    let on_rossi = |token| {
        s.post_as(
            token,
            &format!("/api/v1/requests/{ROSSI}/proposals"),
            &json!({"worker_id": NATALIA}),
        )
    };
    let p_desk = on_rossi(DESK).json();
    let candidate = |request: &str, rank: usize| {
        s.get_as(DESK, &format!("/api/v1/requests/{request}/candidates"))
            .json()["candidates"][rank]["worker_id"]
            .clone()
    };
    let p_other = s
        .post_as(
            DESK_FOLLONICA,
            &format!("/api/v1/requests/{ROSSI}/proposals"),
            &json!({"worker_id": candidate(ROSSI, 1)}),
        )
        .json();
    let p_social = s
        .post_as(
            DESK,
            &format!("/api/v1/requests/{social_request}/proposals"),
            &json!({"worker_id": candidate(&social_request, 0)}),
        )
        .json();
    for p in [&p_desk, &p_other, &p_social] {
        assert!(p["id"].is_string(), "{p}");
    }
    let follow_up = |p: &serde_json::Value| p["follow_ups"][0]["id"].as_str().unwrap().to_string();

    let mut checked = 0;
    for (role, token) in ROLES {
        // Another organisation's records, from this role's point of view.
        let request = if role == Punto {
            social_request.clone()
        } else {
            ROSSI.to_string()
        };
        let proposal = match role {
            Punto => &p_social,
            OtherDesk => &p_desk,
            _ => &p_other,
        };
        let f = follow_up(if role == Desk { &p_other } else { &p_desk });
        for (method, template) in CLIENT_ROUTES {
            let path = template
                .replace("/workers/{id}", &format!("/workers/{NATALIA}"))
                .replace("/requests/{id}", &format!("/requests/{request}"))
                .replace(
                    "/proposals/{id}",
                    &format!("/proposals/{}", proposal["id"].as_str().unwrap()),
                )
                .replace("/follow-ups/{id}", &format!("/follow-ups/{f}"))
                .replace("{worker_id}", NATALIA)
                .replace("/operators/{id}", &format!("/operators/{DESK_OPERATOR}"));
            let path = if *template == "/api/v1/audit" {
                format!("{path}?record={ROSSI}")
            } else {
                path
            };
            let ok = allowed(role, method, template);
            if ok && *method != "get" {
                continue; // allowed writes are exercised by the flow tests
            }
            let body = (*method != "get" && *method != "delete").then_some(r#"{"status":"closed","notes":"x","outcome":"hired","reported_by":"operator","retained":true,"worker_id":"a000000000000003","name":"x","kind":"desk"}"#);
            let r = s.request(&method.to_uppercase(), &path, token, body);
            checked += 1;
            if ok {
                assert_eq!(r.status, 200, "{role:?} {method} {path}: {}", r.body);
                if is_referrer(role) && *template == "/api/v1/requests" {
                    assert!(
                        !r.body.contains(&request),
                        "{role:?} lists another organisation's request"
                    );
                }
                if *template == "/api/v1/follow-ups" {
                    assert!(
                        !r.body.contains(&f),
                        "{role:?} lists another desk's follow-up"
                    );
                }
                continue;
            }
            let expected: &[u16] = match role {
                Nobody => &[401],
                _ => &[403, 404],
            };
            assert!(
                expected.contains(&r.status),
                "{role:?} {method} {path}: {} {}",
                r.status,
                r.body
            );
            let code = r.json()["error"]["code"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            assert!(
                ["unauthorized", "forbidden", "not_found"].contains(&code.as_str()),
                "{code}"
            );
            for secret in secrets() {
                assert!(
                    !r.body.contains(secret),
                    "{role:?} {method} {path} leaks {secret}"
                );
            }
        }
    }
    assert!(checked > CLIENT_ROUTES.len() * 4, "{checked}");
    // Nothing refused changed anything: the Rossi request is as it was.
    let rossi = s.get_as(PUNTO, &format!("/api/v1/requests/{ROSSI}")).json();
    assert_eq!(rossi["status"], "proposals_sent");
    assert_eq!(
        s.get_as(DESK, &format!("/api/v1/workers/{NATALIA}")).status,
        200
    );
}
