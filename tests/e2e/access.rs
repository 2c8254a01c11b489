//! Who may see and change what. A referrer sees only its own organisation's requests and
//! the family card of proposed workers; the coordinator sees aggregates; the admin
//! manages accounts. Every refusal is 401, 403 or 404 and carries none of the data.

use serde_json::json;

use crate::util::{Response, Server};
use crate::{
    request_body, worker_body, ADMIN, COORD, DESK, DESK_FOLLONICA, NATALIA, PUNTO, ROSSI, SOCIAL,
};

/// Words of the Rossi request and of Natalia's card (her permit kind too) that must
/// never leak.
fn secrets() -> impl Iterator<Item = &'static str> {
    crate::ROSSI_NATALIA_SECRETS.into_iter().chain(["work"])
}

fn refused(r: &Response, statuses: &[u16]) {
    assert!(
        statuses.contains(&r.status),
        "status {}: {}",
        r.status,
        r.body
    );
    let code = r.json()["error"]["code"].as_str().unwrap().to_string();
    assert!(
        ["unauthorized", "forbidden", "not_found"].contains(&code.as_str()),
        "{code}"
    );
    for s in secrets() {
        assert!(!r.body.contains(s), "refusal leaks {s}: {}", r.body);
    }
}

#[test]
fn referrers_cannot_reach_another_organisations_request() {
    let s = Server::demo();
    // The Rossi request belongs to the Punto Insieme; social services try everything.
    let p = s.post_as(
        DESK,
        &format!("/api/v1/requests/{ROSSI}/proposals"),
        &json!({"worker_id": NATALIA}),
    );
    assert_eq!(p.status, 201, "{}", p.body);
    let proposal = p.json()["id"].as_str().unwrap().to_string();
    refused(
        &s.get_as(SOCIAL, &format!("/api/v1/requests/{ROSSI}")),
        &[404],
    );
    refused(
        &s.patch_as(
            SOCIAL,
            &format!("/api/v1/requests/{ROSSI}"),
            &json!({"status": "closed"}),
        ),
        &[404],
    );
    refused(
        &s.get_as(SOCIAL, &format!("/api/v1/requests/{ROSSI}/proposals")),
        &[404],
    );
    refused(
        &s.get_as(SOCIAL, &format!("/api/v1/proposals/{proposal}")),
        &[404],
    );
    refused(
        &s.post_as(
            SOCIAL,
            &format!("/api/v1/proposals/{proposal}/outcome"),
            &json!({"outcome": "hired", "reported_by": "family", "start_on": crate::today()}),
        ),
        &[404],
    );
    refused(
        &s.get_as(SOCIAL, &format!("/api/v1/requests/{ROSSI}/candidates")),
        &[403],
    );
    let list = s.get_as(SOCIAL, "/api/v1/requests");
    assert_eq!(list.status, 200);
    assert!(!list.body.contains(ROSSI));
    // The request is untouched and its owner still sees it.
    let own = s.get_as(PUNTO, &format!("/api/v1/requests/{ROSSI}"));
    assert_eq!(own.status, 200);
    assert_eq!(own.json()["status"], "proposals_sent");
}

#[test]
fn referrers_and_coordinators_never_read_worker_cards() {
    let s = Server::demo();
    for token in [PUNTO, SOCIAL, COORD, ADMIN] {
        refused(
            &s.get_as(token, &format!("/api/v1/workers/{NATALIA}")),
            &[403],
        );
        refused(&s.get_as(token, "/api/v1/workers?name=popa"), &[403]);
        refused(
            &s.get_as(token, &format!("/api/v1/workers/{NATALIA}/openings")),
            &[403],
        );
        refused(
            &s.patch_as(
                token,
                &format!("/api/v1/workers/{NATALIA}"),
                &json!({"notes": "x"}),
            ),
            &[403],
        );
        refused(
            &s.request(
                "DELETE",
                &format!("/api/v1/workers/{NATALIA}"),
                Some(token),
                None,
            ),
            &[403],
        );
        refused(
            &s.post_as(
                token,
                "/api/v1/workers",
                &worker_body("X", "+39 320 1111111"),
            ),
            &[403],
        );
    }
    for token in [COORD, ADMIN] {
        refused(
            &s.get_as(token, &format!("/api/v1/requests/{ROSSI}")),
            &[403],
        );
        refused(
            &s.post_as(token, "/api/v1/requests", &request_body()),
            &[403],
        );
    }
    refused(&s.get_as(PUNTO, "/api/v1/reports/monthly"), &[403]);
    refused(
        &s.get_as(DESK, &format!("/api/v1/audit?record={NATALIA}")),
        &[403],
    );
    refused(&s.get_as(DESK, "/api/v1/operators"), &[403]);
    assert_eq!(s.get_as(COORD, "/api/v1/reports/monthly").status, 200);
    assert_eq!(s.get_as(ADMIN, "/api/v1/organisations").status, 200);
}

#[test]
fn follow_ups_belong_to_the_proposing_desk() {
    let s = Server::demo();
    s.post_as(
        DESK,
        &format!("/api/v1/requests/{ROSSI}/proposals"),
        &json!({"worker_id": NATALIA}),
    );
    let mine = s.get_as(
        DESK,
        &format!("/api/v1/follow-ups?due_before={}", crate::in_days(60)),
    );
    assert_eq!(mine.json()["follow_ups"].as_array().unwrap().len(), 2);
    let theirs = s.get_as(
        DESK_FOLLONICA,
        &format!("/api/v1/follow-ups?due_before={}", crate::in_days(60)),
    );
    assert_eq!(theirs.status, 200);
    assert!(theirs.json()["follow_ups"].as_array().unwrap().is_empty());
    let id = mine.json()["follow_ups"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    refused(
        &s.post_as(
            DESK_FOLLONICA,
            &format!("/api/v1/follow-ups/{id}/retention"),
            &json!({"still_employed": true}),
        ),
        &[404],
    );
}

#[test]
fn missing_or_wrong_tokens_are_unauthorized() {
    let s = Server::demo();
    let r = s.request("GET", &format!("/api/v1/workers/{NATALIA}"), None, None);
    refused(&r, &[401]);
    assert_eq!(r.header("www-authenticate"), Some("Bearer"));
    refused(
        &s.get_as("not-a-token", &format!("/api/v1/requests/{ROSSI}")),
        &[401],
    );
    refused(&s.post_as("", "/api/v1/requests", &request_body()), &[401]);
}

#[test]
fn admin_creates_accounts_whose_tokens_work_at_once() {
    let s = Server::demo();
    let org = s.post_as(
        ADMIN,
        "/api/v1/organisations",
        &json!({"name": "Punto Insieme Follonica", "kind": "punto_insieme", "comune": "Follonica"}),
    );
    assert_eq!(org.status, 201, "{}", org.body);
    let org_id = org.json()["id"].as_str().unwrap().to_string();
    let op = s.post_as(
        ADMIN,
        "/api/v1/operators",
        &json!({"org_id": org_id, "name": "Laura", "role": "referrer"}),
    );
    assert_eq!(op.status, 201, "{}", op.body);
    let token = op.json()["token"].as_str().unwrap().to_string();
    let r = s.post_as(&token, "/api/v1/requests", &request_body());
    assert_eq!(r.status, 201, "{}", r.body);
    // The new referrer sees its request and not the others.
    let list = s.get_as(&token, "/api/v1/requests");
    assert_eq!(list.json()["total"], 1);
    // Tokens are never listed.
    let ops = s.get_as(ADMIN, "/api/v1/operators");
    assert!(!ops.body.contains(&token) && !ops.body.contains("token"));
}
