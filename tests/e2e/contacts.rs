//! The contact log of cards and requests through the API: lines listed newest first,
//! refused input changes nothing, another organisation's request is not found, and a
//! worker's log is erased with the card (nothing readable left on disk).

use serde_json::json;

use crate::privacy::files_containing;
use crate::util::Server;
use crate::{in_days, today, worker_body, DESK, NATALIA, PUNTO, ROSSI, SOCIAL};

fn line(on: &str, channel: &str, note: &str) -> serde_json::Value {
    json!({"on": on, "channel": channel, "note": note})
}

fn notes(s: &Server, token: &str, path: &str) -> Vec<String> {
    let r = s.get_as(token, path);
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()["contacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["note"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn lines_are_created_and_listed_newest_first() {
    let s = Server::demo();
    let path = format!("/api/v1/workers/{NATALIA}/contacts");
    let r = s.post_as(
        DESK,
        &path,
        &line(&in_days(-2), "phone", "chiamata, non risponde"),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let c = r.json();
    assert_eq!(c["channel"], "phone");
    assert_eq!(c["about"], NATALIA);
    assert!(c["id"].is_string());
    let r = s.post_as(
        DESK,
        &path,
        &line(&today(), "whatsapp", "ha risposto su WhatsApp"),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(
        notes(&s, DESK, &path),
        ["ha risposto su WhatsApp", "chiamata, non risponde"]
    );
    // A request's log is its own, kept by the desk and by the owning referrer.
    let rpath = format!("/api/v1/requests/{ROSSI}/contacts");
    let r = s.post_as(
        PUNTO,
        &rpath,
        &line(&today(), "in_person", "la figlia passa domani"),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(notes(&s, DESK, &rpath), ["la figlia passa domani"]);
    assert_eq!(notes(&s, PUNTO, &rpath).len(), 1);
    // The audit names the record, never the note.
    let audit = s.get_as(crate::ADMIN, &format!("/api/v1/audit?record={NATALIA}"));
    assert!(audit.body.contains("\"contact\""), "{}", audit.body);
    assert!(!audit.body.contains("non risponde"), "{}", audit.body);
}

#[test]
fn refused_lines_change_nothing() {
    let s = Server::demo();
    let path = format!("/api/v1/workers/{NATALIA}/contacts");
    for (body, field) in [
        (line("2026-02-30", "phone", "x"), "on"),
        (line(&in_days(3), "phone", "domani"), "on"),
        (line(&today(), "piccione", "x"), "channel"),
        (line(&today(), "phone", "   "), "note"),
        (line(&today(), "phone", &"x".repeat(1001)), "note"),
        (
            json!({"on": today(), "channel": "sms", "note": "x", "by": "me"}),
            "by",
        ),
    ] {
        let r = s.post_as(DESK, &path, &body);
        assert_eq!(r.status, 422, "{body}: {}", r.body);
        assert_eq!(r.json()["error"]["field"], field, "{}", r.body);
    }
    assert!(notes(&s, DESK, &path).is_empty());
}

#[test]
fn other_organisations_and_roles_are_refused() {
    let s = Server::demo();
    let rpath = format!("/api/v1/requests/{ROSSI}/contacts");
    // The Rossi request belongs to the Punto Insieme: another referrer does not see it.
    let r = s.post_as(SOCIAL, &rpath, &line(&today(), "phone", "x"));
    assert_eq!(r.status, 404, "{}", r.body);
    assert_eq!(s.get_as(SOCIAL, &rpath).status, 404);
    // Worker cards are the desk's only.
    let wpath = format!("/api/v1/workers/{NATALIA}/contacts");
    assert_eq!(
        s.post_as(PUNTO, &wpath, &line(&today(), "phone", "x"))
            .status,
        403
    );
    assert_eq!(s.get_as(crate::COORD, &wpath).status, 403);
    assert_eq!(
        s.get_as(DESK, "/api/v1/workers/0000000000000001/contacts")
            .status,
        404
    );
    assert!(notes(&s, DESK, &rpath).is_empty());
}

#[test]
fn a_workers_log_is_erased_with_the_card() {
    let data = tempfile::tempdir().unwrap();
    let s = Server::start(data.path(), &["--demo", "--demo-without-history"]);
    let w = s.post_as(
        DESK,
        "/api/v1/workers",
        &worker_body("Ottilie", "+39 345 1112223"),
    );
    assert_eq!(w.status, 201, "{}", w.body);
    let id = w.json()["id"].as_str().unwrap().to_string();
    let path = format!("/api/v1/workers/{id}/contacts");
    let secret = "Zanzibarese richiamare lunedi";
    let r = s.post_as(DESK, &path, &line(&today(), "sms", secret));
    assert_eq!(r.status, 201, "{}", r.body);
    let x = s.get_as(DESK, &format!("/api/v1/workers/{id}/export"));
    assert_eq!(x.json()["contacts"][0]["note"], secret, "{}", x.body);
    // Sealed: the raw store never holds the note in plain text.
    assert!(files_containing(data.path(), "Zanzibarese").is_empty());
    let r = s.request("DELETE", &format!("/api/v1/workers/{id}"), Some(DESK), None);
    assert_eq!(r.status, 204, "{}", r.body);
    assert_eq!(s.get_as(DESK, &path).status, 404);
    assert_eq!(
        s.post_as(DESK, &path, &line(&today(), "sms", "ancora"))
            .status,
        404
    );
    s.kill();
    let s = Server::start(data.path(), &[]);
    assert_eq!(s.get_as(DESK, &path).status, 404);
    assert!(files_containing(data.path(), "Zanzibarese").is_empty());
}
