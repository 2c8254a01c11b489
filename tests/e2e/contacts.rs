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

/// A server whose first follow-up falls due tomorrow, with Natalia proposed to the Rossi
/// family: the follow-up's id and the proposal's outcome code.
pub(crate) fn with_follow_up_due(data: &std::path::Path) -> (Server, String, String) {
    let s = Server::start(
        data,
        &[
            "--demo",
            "--demo-without-history",
            "--follow-up-days",
            "1",
            "--public-url",
            "https://dom.esempio.it/",
        ],
    );
    let p = s.post_as(
        DESK,
        &format!("/api/v1/requests/{ROSSI}/proposals"),
        &json!({"worker_id": NATALIA}),
    );
    assert_eq!(p.status, 201, "{}", p.body);
    let code = p.json()["outcome_code"].as_str().unwrap().to_string();
    let due = s.get_as(
        DESK,
        &format!("/api/v1/follow-ups?due_before={}", in_days(3)),
    );
    let f = due.json()["follow_ups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["outcome_code"] == code.as_str())
        .expect("the proposal's follow-up")["id"]
        .as_str()
        .unwrap()
        .to_string();
    (s, f, code)
}

#[test]
fn a_message_link_logs_a_contact_and_leads_to_whatsapp_or_sms() {
    use crate::web::{csrf, form_post, get, sign_in};
    let data = tempfile::tempdir().unwrap();
    let (s, f, code) = with_follow_up_due(data.path());
    let cookie = sign_in(&s, DESK);
    let home = get(&s, "/ui/", &cookie);
    assert!(
        home.body.contains(&format!("/ui/verifiche/{f}/scrivi")),
        "{}",
        home.body
    );
    assert!(home
        .header("content-security-policy")
        .unwrap()
        .contains("form-action 'self' https://wa.me sms:"));
    let token = csrf(&home.body);
    let write = |form: &str| {
        form_post(
            &s,
            &format!("/ui/verifiche/{f}/scrivi"),
            Some(&cookie),
            form,
        )
    };
    let r = write(&format!("csrf={token}&lingua=&via=whatsapp"));
    assert_eq!(r.status, 303, "{}", r.body);
    let to = r.header("location").unwrap();
    // The family (Rossi, +39 0564 000000) is asked in Italian, with the page's address.
    assert!(to.starts_with("https://wa.me/390564000000?text="), "{to}");
    assert!(
        to.contains(&format!("https%3A%2F%2Fdom.esempio.it%2Fesito%2F{code}")),
        "{to}"
    );
    assert!(to.contains("Avete%20iniziato"), "{to}");
    let r = write(&format!("csrf={token}&lingua=ro&via=sms"));
    assert_eq!(r.status, 303, "{}", r.body);
    let to = r.header("location").unwrap();
    assert!(to.starts_with("sms:+390564000000?body="), "{to}");
    assert!(to.contains("lingua%3Dro"), "{to}");
    let log = s.get_as(DESK, &format!("/api/v1/requests/{ROSSI}/contacts"));
    let channels: Vec<String> = log.json()["contacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["channel"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(channels.len(), 2, "{}", log.body);
    assert!(channels.contains(&"sms".into()) && channels.contains(&"whatsapp".into()));
    assert!(log.body.contains(&code), "{}", log.body);
    // Without the CSRF token nothing is logged and nobody is sent anywhere.
    let r = write("via=whatsapp");
    assert_eq!(r.status, 403);
    let log = s.get_as(DESK, &format!("/api/v1/requests/{ROSSI}/contacts"));
    assert_eq!(log.json()["contacts"].as_array().unwrap().len(), 2);
    // "Verifiche" is its own page, listing the open follow-up.
    let v = get(&s, "/ui/verifiche", &cookie);
    assert!(v.body.contains("<h1>Verifiche</h1>"), "{}", v.body);
    assert!(v.body.contains(&format!("/ui/verifiche/{f}/scrivi")));
}

#[test]
fn the_card_page_adds_and_lists_contacts() {
    use crate::web::{csrf, form_post, get, sign_in};
    let s = Server::demo();
    let cookie = sign_in(&s, DESK);
    let card = get(&s, &format!("/ui/schede/{NATALIA}"), &cookie);
    assert!(
        card.body.contains("Registro dei contatti (0)"),
        "{}",
        card.body
    );
    let token = csrf(&card.body);
    let path = format!("/ui/schede/{NATALIA}/contatti");
    let r = form_post(
        &s,
        &path,
        Some(&cookie),
        &format!(
            "csrf={token}&on={}&channel=in_person&note=passata+allo+sportello",
            today()
        ),
    );
    assert_eq!(r.status, 303, "{}", r.body);
    // A refused line shows the form again with the error, and stores nothing.
    let r = form_post(
        &s,
        &path,
        Some(&cookie),
        &format!("csrf={token}&on={}&channel=phone&note=+", today()),
    );
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("id=\"e-note\""), "{}", r.body);
    let card = get(&s, &format!("/ui/schede/{NATALIA}"), &cookie);
    assert!(
        card.body.contains("Registro dei contatti (1)"),
        "{}",
        card.body
    );
    assert!(card.body.contains("di persona — passata allo sportello"));
}
