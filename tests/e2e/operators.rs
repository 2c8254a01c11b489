//! Operator tokens end to end: listing, revocation, rotation and expiry through the API,
//! the command line and the admin page, each change audited.

use serde_json::json;

use crate::util::{dom, Server};
use crate::web::{csrf, form_post, get, sign_in};
use crate::{today, ADMIN, COORD, DESK, PUNTO};

const DESK_ORG: &str = "d0c0000000000001";
const ADMIN_ID: &str = "e000000000000006";

/// Creates an operator of the Grosseto desk; returns (id, token).
fn new_operator(s: &Server, extra: serde_json::Value) -> (String, String) {
    let mut body = json!({"org_id": DESK_ORG, "name": "Nuova operatrice", "role": "operator"});
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        b.extend(e.clone());
    }
    let r = s.post_as(ADMIN, "/api/v1/operators", &body);
    assert_eq!(r.status, 201, "{}", r.body);
    let v = r.json();
    (
        v["id"].as_str().unwrap().to_string(),
        v["token"].as_str().unwrap().to_string(),
    )
}

fn listed(s: &Server, id: &str) -> serde_json::Value {
    let r = s.get_as(ADMIN, "/api/v1/operators");
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()["operators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["id"] == id)
        .cloned()
        .unwrap_or_else(|| panic!("{id} not listed: {}", r.body))
}

fn actions(s: &Server, id: &str) -> Vec<String> {
    let r = s.get_as(ADMIN, &format!("/api/v1/audit?record={id}"));
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_string())
        .collect()
}

/// A request the desk role may make: 200 with a valid token.
fn follow_ups(s: &Server, token: &str) -> u16 {
    s.get_as(token, "/api/v1/follow-ups").status
}

#[test]
fn the_list_shows_use_state_and_expiry_never_the_hash() {
    let s = Server::demo();
    assert_eq!(follow_ups(&s, DESK), 200);
    let r = s.get_as(ADMIN, "/api/v1/operators");
    assert!(!r.body.contains("token_sha256") && !r.body.contains("\"token\""));
    let desk = listed(&s, "e000000000000001");
    assert_eq!(desk["last_used_on"], today(), "{desk}");
    assert_eq!(desk["revoked"], false);
    assert!(desk["expires_on"].is_null());
    // The day's use is written once, as the operator's own audit line.
    for _ in 0..3 {
        assert_eq!(follow_ups(&s, DESK), 200);
    }
    listed(&s, "e000000000000001");
    let uses = actions(&s, "e000000000000001");
    assert_eq!(uses.iter().filter(|a| *a == "use").count(), 1, "{uses:?}");
}

#[test]
fn a_revoked_token_is_refused_from_the_next_request() {
    let s = Server::demo();
    let (id, token) = new_operator(&s, json!({}));
    assert_eq!(follow_ups(&s, &token), 200);
    let r = s.post_as(ADMIN, &format!("/api/v1/operators/{id}/revoke"), &json!({}));
    assert_eq!(r.status, 204, "{}", r.body);
    assert_eq!(follow_ups(&s, &token), 401);
    let op = listed(&s, &id);
    assert_eq!(op["revoked"], true);
    assert_eq!(op["revoked_on"], today());
    // A revoked operator cannot be given a new token: a new operator is needed.
    let r = s.post_as(ADMIN, &format!("/api/v1/operators/{id}/rotate"), &json!({}));
    assert_eq!(r.status, 409, "{}", r.body);
    assert_eq!(follow_ups(&s, &token), 401);
    let a = actions(&s, &id);
    assert!(
        a.contains(&"create".into()) && a.contains(&"revoke".into()),
        "{a:?}"
    );
    // An admin cannot revoke themselves; an unknown operator is 404.
    let r = s.post_as(
        ADMIN,
        &format!("/api/v1/operators/{ADMIN_ID}/revoke"),
        &json!({}),
    );
    assert_eq!(r.status, 409, "{}", r.body);
    let r = s.post_as(
        ADMIN,
        "/api/v1/operators/00000000000000ff/revoke",
        &json!({}),
    );
    assert_eq!(r.status, 404, "{}", r.body);
    assert_eq!(s.get_as(ADMIN, "/api/v1/operators").status, 200);
}

#[test]
fn rotation_refuses_the_old_token_and_accepts_the_new() {
    let s = Server::demo();
    let (id, old) = new_operator(&s, json!({}));
    let r = s.post_as(ADMIN, &format!("/api/v1/operators/{id}/rotate"), &json!({}));
    assert_eq!(r.status, 200, "{}", r.body);
    let new = r.json()["token"].as_str().unwrap().to_string();
    assert_ne!(new, old);
    assert_eq!(follow_ups(&s, &old), 401);
    assert_eq!(follow_ups(&s, &new), 200);
    // The new token is shown once: neither the list nor the audit log holds it.
    assert!(!s.get_as(ADMIN, "/api/v1/operators").body.contains(&new));
    assert!(actions(&s, &id).contains(&"rotate".into()));
}

#[test]
fn an_expired_token_is_refused_and_expiry_can_be_cleared() {
    let s = Server::demo();
    let (id, token) = new_operator(&s, json!({"expires_on": "2000-01-31"}));
    assert_eq!(follow_ups(&s, &token), 401);
    assert_eq!(listed(&s, &id)["expires_on"], "2000-01-31");
    let path = format!("/api/v1/operators/{id}");
    let r = s.patch_as(ADMIN, &path, &json!({"expires_on": null}));
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.json()["expires_on"].is_null());
    assert_eq!(follow_ups(&s, &token), 200);
    let r = s.patch_as(ADMIN, &path, &json!({"expires_on": "2099-12-31"}));
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(follow_ups(&s, &token), 200);
    let r = s.patch_as(ADMIN, &path, &json!({"expires_on": "2001-01-01"}));
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(follow_ups(&s, &token), 401);
    for bad in [
        json!({}),
        json!({"expires_on": "31/12/2099"}),
        json!({"role": "admin"}),
    ] {
        let r = s.patch_as(ADMIN, &path, &bad);
        assert_eq!(r.status, 422, "{bad}: {}", r.body);
    }
    let expiries = actions(&s, &id).iter().filter(|a| *a == "expiry").count();
    assert_eq!(expiries, 3);
}

#[test]
fn only_the_admin_manages_tokens() {
    let s = Server::demo();
    let (id, token) = new_operator(&s, json!({}));
    for t in [DESK, PUNTO, COORD, token.as_str()] {
        let revoke = s.post_as(t, &format!("/api/v1/operators/{id}/revoke"), &json!({}));
        let rotate = s.post_as(t, &format!("/api/v1/operators/{id}/rotate"), &json!({}));
        let patch = s.patch_as(
            t,
            &format!("/api/v1/operators/{id}"),
            &json!({"expires_on": null}),
        );
        let list = s.get_as(t, "/api/v1/operators");
        for r in [revoke, rotate, patch, list] {
            assert_eq!(r.status, 403, "{}", r.body);
        }
    }
    let r = s.request(
        "POST",
        &format!("/api/v1/operators/{id}/revoke"),
        None,
        None,
    );
    assert_eq!(r.status, 401);
    assert_eq!(follow_ups(&s, &token), 200);
    // Only the creation (and the token's own daily use): nothing refused was applied.
    let a = actions(&s, &id);
    assert!(a.iter().all(|a| a == "create" || a == "use"), "{a:?}");
    assert_eq!(listed(&s, &id)["revoked"], false);
}

fn run(args: &[&str]) -> (bool, String, String) {
    let out = dom().args(args).output().expect("dom runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The value after `prefix` on the first line that has it.
fn after<'a>(out: &'a str, prefix: &str) -> &'a str {
    out.lines()
        .find_map(|l| l.strip_prefix(prefix))
        .unwrap_or_else(|| panic!("no {prefix:?} in {out}"))
        .split_whitespace()
        .next()
        .unwrap()
}

#[test]
fn the_command_line_lists_revokes_rotates_and_expires() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().to_str().unwrap();
    assert!(run(&["init", "--data", dir]).0);
    let (ok, out, err) = run(&[
        "admin",
        "add-org",
        "--name",
        "Sportello",
        "--kind",
        "desk",
        "--data",
        dir,
    ]);
    assert!(ok, "{err}");
    let org = after(&out, "organizzazione creata: ").to_string();
    let add = |name: &str, extra: &[&str]| {
        let mut args = vec![
            "admin",
            "add-operator",
            "--org",
            &org,
            "--name",
            name,
            "--role",
            "operator",
        ];
        args.extend_from_slice(extra);
        args.extend_from_slice(&["--data", dir]);
        let (ok, out, err) = run(&args);
        assert!(ok, "{err}");
        (
            after(&out, "operatore creato: ").to_string(),
            after(&out, "token (conservarlo ora: non sarà più mostrato): ").to_string(),
        )
    };
    let (kept, kept_old) = add("Anna", &["--expires-on", "2099-12-31"]);
    let (gone, gone_token) = add("Bruno", &[]);
    let (ok, _, err) = run(&[
        "admin",
        "add-operator",
        "--org",
        &org,
        "--name",
        "C",
        "--role",
        "operator",
        "--expires-on",
        "domani",
        "--data",
        dir,
    ]);
    assert!(!ok && err.contains("--expires-on"), "{err}");
    let (ok, out, err) = run(&["admin", "rotate", "--id", &kept, "--data", dir]);
    assert!(ok, "{err}");
    let kept_new = after(&out, "token (conservarlo ora: non sarà più mostrato): ").to_string();
    assert!(run(&["admin", "revoke", "--id", &gone, "--data", dir]).0);
    let (ok, out, err) = run(&["admin", "list-operators", "--data", dir]);
    assert!(ok, "{err}");
    let line = |id: &str| out.lines().find(|l| l.starts_with(id)).unwrap().to_string();
    assert!(
        line(&kept).contains("attivo") && line(&kept).contains("2099-12-31"),
        "{out}"
    );
    assert!(
        line(&gone).contains("revocato") && line(&gone).contains("mai"),
        "{out}"
    );
    for token in [&kept_old, &kept_new, &gone_token] {
        assert!(!out.contains(token.as_str()));
    }
    // An expiry already past shows as expired; without --on it is cleared.
    let (ok, out, err) = run(&[
        "admin",
        "set-expiry",
        "--id",
        &kept,
        "--on",
        "2000-01-01",
        "--data",
        dir,
    ]);
    assert!(ok && out.contains("2000-01-01"), "{err}");
    let (_, out, _) = run(&["admin", "list-operators", "--data", dir]);
    assert!(
        out.lines()
            .any(|l| l.starts_with(&kept) && l.contains("scaduto")),
        "{out}"
    );
    let (ok, out, err) = run(&["admin", "set-expiry", "--id", &kept, "--data", dir]);
    assert!(ok && out.contains("non ha più scadenza"), "{err}");
    let (_, out, _) = run(&["admin", "list-operators", "--data", dir]);
    assert!(
        out.lines()
            .any(|l| l.starts_with(&kept) && l.contains("attivo\tmai\tnessuna")),
        "{out}"
    );
    let (ok, _, err) = run(&["admin", "revoke", "--id", "00000000000000ff", "--data", dir]);
    assert!(!ok && !err.is_empty());

    let s = Server::start(data.path(), &[]);
    assert_eq!(follow_ups(&s, &kept_old), 401);
    assert_eq!(follow_ups(&s, &gone_token), 401);
    assert_eq!(follow_ups(&s, &kept_new), 200);
}

#[test]
fn the_admin_page_lists_operators_and_rotates_a_token_once() {
    let s = Server::demo();
    let (id, old) = new_operator(&s, json!({"expires_on": "2099-12-31"}));
    let cookie = sign_in(&s, ADMIN);
    let home = get(&s, "/ui/", &cookie);
    assert_eq!(home.status, 200, "{}", home.body);
    for text in [
        "Nuova operatrice",
        "31/12/2099",
        "attivo",
        "Revoca",
        "Nuovo token",
    ] {
        assert!(home.body.contains(text), "{text}");
    }
    let token = csrf(&home.body);
    // Without the CSRF token nothing changes.
    let path = format!("/ui/operatori/{id}/nuovo-token");
    let r = form_post(&s, &path, Some(&cookie), "csrf=wrong");
    assert_ne!(r.status, 200);
    assert_eq!(follow_ups(&s, &old), 200);
    let r = form_post(&s, &path, Some(&cookie), &format!("csrf={token}"));
    assert_eq!(r.status, 200, "{}", r.body);
    let new = r
        .body
        .split("<p><code>")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .to_string();
    assert_eq!(follow_ups(&s, &old), 401);
    assert_eq!(follow_ups(&s, &new), 200);
    // The token is not on the home page afterwards: shown once.
    assert!(!get(&s, "/ui/", &cookie).body.contains(&new));
    let revoke = format!("/ui/operatori/{id}/revoca");
    let r = form_post(&s, &revoke, Some(&cookie), &format!("csrf={token}"));
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(follow_ups(&s, &new), 401);
    assert!(get(&s, "/ui/", &cookie).body.contains("revocato"));
    let a = actions(&s, &id);
    assert!(
        a.contains(&"rotate".into()) && a.contains(&"revoke".into()),
        "{a:?}"
    );
    // A desk operator's session cannot use these forms.
    let desk = sign_in(&s, DESK);
    let desk_csrf = csrf(&get(&s, "/ui/", &desk).body);
    let r = form_post(&s, &revoke, Some(&desk), &format!("csrf={desk_csrf}"));
    assert_eq!(r.status, 403, "{}", r.body);
}

#[test]
fn the_admin_fills_an_organisations_profile_checked_and_audited() {
    let s = Server::demo();
    let path = format!("/api/v1/organisations/{DESK_ORG}");
    let listed = |s: &Server| {
        s.get_as(ADMIN, "/api/v1/organisations").json()["organisations"]
            .as_array()
            .expect("organisations")
            .iter()
            .find(|o| o["id"] == DESK_ORG)
            .expect("the desk")
            .clone()
    };
    assert_eq!(
        listed(&s)["profile"]["phone"],
        "0564 488 701",
        "the demo desk is filled"
    );
    let r = s.patch_as(
        ADMIN,
        &path,
        &json!({"profile": {"phone": "0564 111 222", "opening_hours": "lun–ven 9:00–12:00"}}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["profile"]["phone"], "0564 111 222");
    assert_eq!(
        r.json()["profile"]["address"],
        "Via Mazzini 105, 58100 Grosseto (GR)",
        "what the patch omits is kept"
    );
    let before = listed(&s);
    for (body, field) in [
        (
            json!({"profile": {"email": "non-una-mail"}}),
            "profile.email",
        ),
        (
            json!({"profile": {"phone": "0564 111 222", "fax": "1"}}),
            "profile.fax",
        ),
        (json!({"name": ""}), "name"),
    ] {
        let r = s.patch_as(ADMIN, &path, &body);
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(
            r.json()["error"]["field"]
                .as_str()
                .is_some_and(|f| f.starts_with(field.split('.').next().unwrap_or(field))),
            "{}",
            r.body
        );
    }
    assert_eq!(listed(&s), before, "a refused patch changes nothing");
    for token in [DESK, PUNTO, COORD] {
        assert_eq!(s.patch_as(token, &path, &json!({})).status, 403, "{token}");
    }
    assert_eq!(
        s.patch_as(ADMIN, "/api/v1/organisations/0123456789abcdef", &json!({}))
            .status,
        404
    );
    let audit = s
        .get_as(ADMIN, &format!("/api/v1/audit?record={DESK_ORG}"))
        .json();
    let actions: Vec<&str> = audit["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert!(actions.contains(&"update"), "{audit}");
}
