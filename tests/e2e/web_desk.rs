//! The desk's day in the web interface without a browser (issue 11): editing, closing
//! and reopening a request, "Perché non compare?", phones on the cards, outcomes needing
//! review and their correction, retiring a card. Each form action is tried with and
//! without its CSRF token and by a role that may not use it; the API shows the result.

use serde_json::json;

use crate::util::{Response, Server};
use crate::web::{csrf, form_post, get, sign_in};
use crate::{in_days, DESK, NATALIA, PUNTO, ROSSI, SOCIAL};

/// No driving licence, which the Rossi family requires.
const OLENA: &str = "a000000000000002";
/// Natalia's phone as a `tel:` link dials it.
const NATALIA_TEL: &str = "href=\"tel:";

/// Percent-encodes a form value.
fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn form(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Signs in and returns the cookie and a CSRF token of the session.
fn session(s: &Server, token: &str) -> (String, String) {
    let cookie = sign_in(s, token);
    let page = get(s, "/ui/richieste/nuova", &cookie);
    (cookie.clone(), csrf(&page.body))
}

fn request(s: &Server, id: &str) -> serde_json::Value {
    let r = s.get_as(DESK, &format!("/api/v1/requests/{id}"));
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()
}

fn location(r: &Response) -> &str {
    assert_eq!(r.status, 303, "{}", &r.body[..r.body.len().min(400)]);
    r.header("location").expect("a redirect")
}

/// The edit form's fields for the request made by `request_body`, with `positions`.
fn edit_fields(positions: &str) -> Vec<(&'static str, String)> {
    vec![
        ("family_name", "Bianchini".into()),
        ("phone", "+39 0564 123456".into()),
        ("comune", "Grosseto (GR)".into()),
        ("job", "colf".into()),
        ("live_in", "no".into()),
        ("hours_per_week", "20".into()),
        ("start_on", in_days(10)),
        ("needs", "housekeeping".into()),
        ("requires.italian_min", "A2".into()),
        ("offered.monthly_eur", "800".into()),
        ("notes", "Pulizie e stiro in appartamento.".into()),
        ("positions", positions.into()),
    ]
}

fn with_csrf(csrf: &str, fields: &[(&str, String)], extra: &[(&str, &str)]) -> String {
    let mut pairs: Vec<(&str, &str)> = vec![("csrf", csrf)];
    pairs.extend(fields.iter().map(|(k, v)| (*k, v.as_str())));
    pairs.extend_from_slice(extra);
    form(&pairs)
}

#[test]
fn a_request_is_edited_closed_and_reopened_by_whom_the_api_allows() {
    let s = Server::demo();
    let created = s.post_as(PUNTO, "/api/v1/requests", &crate::request_body());
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.json()["id"].as_str().unwrap().to_string();
    let (punto, punto_csrf) = session(&s, PUNTO);
    let (desk, desk_csrf) = session(&s, DESK);

    // The edit form is the request form, filled in, with the positions.
    let page = get(&s, &format!("/ui/richieste/{id}/modifica"), &punto);
    assert_eq!(page.status, 200);
    assert!(page.body.contains("name=\"positions\"") && page.body.contains("Bianchini"));
    assert!(page
        .body
        .contains(&format!("action=\"/ui/richieste/{id}/modifica\"")));
    // Another organisation's referrer does not find it, to read or to change.
    let social = sign_in(&s, SOCIAL);
    assert_eq!(
        get(&s, &format!("/ui/richieste/{id}/modifica"), &social).status,
        404
    );

    // Without the session's token nothing changes; with it, every field is saved.
    let edit = format!("/ui/richieste/{id}/modifica");
    let fields = edit_fields("2");
    let r = form_post(&s, &edit, Some(&punto), &with_csrf("x", &fields, &[]));
    assert_eq!(r.status, 403);
    assert_eq!(request(&s, &id)["positions"], 1);
    // A status slipped into the edit form is not a way to change the state.
    let r = form_post(
        &s,
        &edit,
        Some(&punto),
        &with_csrf(&punto_csrf, &fields, &[("status", "closed")]),
    );
    assert_eq!(location(&r), format!("/ui/richieste/{id}?salvata=1"));
    let saved = request(&s, &id);
    assert_eq!(saved["positions"], 2);
    assert_eq!(saved["hours_per_week"], 20);
    assert_eq!(saved["offered"]["monthly_eur"], 800.0);
    assert_eq!(saved["status"], "open");
    // A refusal shows the form again with the message beside the field.
    let r = form_post(
        &s,
        &edit,
        Some(&punto),
        &with_csrf(&punto_csrf, &edit_fields("9"), &[]),
    );
    assert_eq!(r.status, 422);
    assert!(
        r.body.contains("id=\"e-positions\""),
        "the error is beside the field"
    );
    assert_eq!(request(&s, &id)["positions"], 2);

    // Closing needs a reason and the token; the owning referrer may close.
    let status_steps = |steps: &[(&str, &str, &str, &str, Then, &str)]| {
        for (cookie, token, action, reason, then, after) in steps {
            let path = format!("/ui/richieste/{id}/{action}");
            let r = form_post(
                &s,
                &path,
                Some(cookie),
                &form(&[("csrf", token), ("reason", reason)]),
            );
            match then {
                Then::Refused => assert_eq!(r.status, 403, "{action} {reason:?}"),
                Then::Told => assert!(location(&r).contains("errore="), "{action} {reason:?}"),
                Then::Done(done) => {
                    assert_eq!(location(&r), format!("/ui/richieste/{id}?{done}=1"))
                }
            }
            assert_eq!(request(&s, &id)["status"], *after, "{action} {reason:?}");
        }
    };
    let found_alone = "la famiglia ha trovato da sola";
    status_steps(&[
        (&punto, &punto_csrf, "chiudi", "", Then::Told, "open"),
        (&punto, "x", "chiudi", found_alone, Then::Refused, "open"),
        (
            &punto,
            &punto_csrf,
            "chiudi",
            found_alone,
            Then::Done("chiusa"),
            "closed",
        ),
    ]);
    assert_eq!(request(&s, &id)["status_reason"], found_alone);

    // Reopening is the desk's: the referrer has no button and is refused if it posts.
    let page = get(&s, &format!("/ui/richieste/{id}"), &punto);
    assert!(page.body.contains("trovato da sola") && !page.body.contains("/riapri\""));
    let page = get(&s, &format!("/ui/richieste/{id}"), &desk);
    assert!(page
        .body
        .contains(&format!("action=\"/ui/richieste/{id}/riapri\"")));
    status_steps(&[
        (
            &punto,
            &punto_csrf,
            "riapri",
            "per errore",
            Then::Refused,
            "closed",
        ),
        (&desk, "x", "riapri", "per errore", Then::Refused, "closed"),
        (&desk, &desk_csrf, "riapri", " ", Then::Told, "closed"),
        (
            &desk,
            &desk_csrf,
            "riapri",
            "chiusa per errore",
            Then::Done("riaperta"),
            "open",
        ),
    ]);
}

/// What a status form does: refused (403), told on the page why not, or done.
enum Then {
    Refused,
    Told,
    Done(&'static str),
}

#[test]
fn why_not_explains_olena_and_any_eligible_person_can_be_proposed() {
    let s = Server::demo();
    let (desk, desk_csrf) = session(&s, DESK);
    let page = format!("/ui/richieste/{ROSSI}");

    // Found by name, then picked: absent because the family requires a licence.
    let found = get(&s, &format!("{page}?nome=Olena+Kovalenko"), &desk);
    assert_eq!(found.status, 200);
    assert!(found.body.contains("Perché non compare?"));
    assert!(
        found.body.contains(&format!("persona={OLENA}")),
        "Olena is found"
    );
    let why = get(&s, &format!("{page}?nome=Olena&persona={OLENA}"), &desk);
    assert!(
        why.body.contains("Olena Kovalenko non compare"),
        "the verdict"
    );
    let excluded = &why.body[why.body.find("class=\"excluded\"").expect("the reasons")..];
    assert!(excluded.contains("patente"), "the licence sentence");
    assert!(!why
        .body
        .contains(&format!("name=\"worker_id\" value=\"{OLENA}\"")));

    // Someone eligible below the top nine: rank, score and a "Proponi" of their own.
    let ranked = s.get_as(
        DESK,
        &format!("/api/v1/requests/{ROSSI}/candidates?limit=50"),
    );
    let ranked = ranked.json()["candidates"].as_array().unwrap().clone();
    assert!(
        ranked.len() > 9,
        "the demo has more than nine candidates for Rossi"
    );
    let tenth = ranked[9]["worker_id"].as_str().unwrap().to_string();
    let why = get(&s, &format!("{page}?persona={tenth}"), &desk);
    assert!(why.body.contains("può essere proposta"));
    assert!(why.body.contains("è al 10° posto"), "the rank is shown");
    assert!(why
        .body
        .contains(&format!("name=\"worker_id\" value=\"{tenth}\"")));
    let propose = format!("{page}/proponi");
    let r = form_post(&s, &propose, Some(&desk), &form(&[("worker_id", &tenth)]));
    assert_eq!(r.status, 403, "CSRF required");
    let r = form_post(
        &s,
        &propose,
        Some(&desk),
        &form(&[("csrf", &desk_csrf), ("worker_id", &tenth)]),
    );
    assert_eq!(location(&r), format!("{page}?proposte=1"));
    let proposals = s.get_as(DESK, &format!("/api/v1/requests/{ROSSI}/proposals"));
    assert!(proposals.body.contains(&tenth), "{}", proposals.body);
    // Olena posted anyway is refused, and the page says why.
    let r = form_post(
        &s,
        &propose,
        Some(&desk),
        &form(&[("csrf", &desk_csrf), ("worker_id", OLENA)]),
    );
    assert!(location(&r).contains("errore="));
    assert!(!s
        .get_as(DESK, &format!("/api/v1/requests/{ROSSI}/proposals"))
        .body
        .contains(OLENA));

    // The referrer sees neither the section nor any verdict.
    let punto = sign_in(&s, PUNTO);
    let r = get(&s, &format!("{page}?nome=Olena&persona={OLENA}"), &punto);
    assert_eq!(r.status, 200);
    assert!(!r.body.contains("Perché non compare?") && !r.body.contains("Kovalenko"));
}

#[test]
fn phones_for_the_desk_outcomes_to_review_are_corrected_and_cards_retired() {
    let s = Server::demo();
    let (desk, desk_csrf) = session(&s, DESK);
    let (punto, punto_csrf) = session(&s, PUNTO);
    let page = format!("/ui/richieste/{ROSSI}");

    // Candidate cards carry the phone as a link, for the desk.
    let r = get(&s, &page, &desk);
    let first = &r.body[r
        .body
        .find("<article class=\"candidate\"")
        .expect("candidates")..];
    let first = &first[..first.find("</article>").unwrap()];
    assert!(first.contains(NATALIA_TEL), "{first}");

    // Natalia proposed and hired; the family then says it did not work out.
    let p = s.post_as(
        DESK,
        &format!("/api/v1/requests/{ROSSI}/proposals"),
        &json!({"worker_id": NATALIA}),
    );
    assert_eq!(p.status, 201, "{}", p.body);
    let p = p.json();
    let (pid, code) = (
        p["id"].as_str().unwrap().to_string(),
        p["outcome_code"].as_str().unwrap().to_string(),
    );
    let hired = json!({"outcome": "hired", "reported_by": "operator", "start_on": crate::today()});
    assert_eq!(
        s.post_as(DESK, &format!("/api/v1/proposals/{pid}/outcome"), &hired)
            .status,
        200
    );
    let r = s.post_as(
        DESK,
        &format!("/api/v1/outcome/{code}"),
        &json!({"outcome": "not_hired"}),
    );
    assert_eq!(r.status, 202, "{}", r.body);

    // The desk sees it first, with the history and the phone; the referrer no phone.
    let r = get(&s, &page, &desk);
    assert!(r.body.contains("Proposte da verificare: 1"));
    assert!(r.body.contains("class=\"proposal needs-review\""));
    assert!(r.body.contains("non registrato: da verificare"));
    let card = &r.body[r.body.find(&format!("id=\"p-{pid}\"")).unwrap()..];
    assert!(card[..card.find("</article>").unwrap()].contains(NATALIA_TEL));
    assert!(card.contains(&format!("action=\"/ui/proposte/{pid}/esito\"")));
    let r = get(&s, &page, &punto);
    assert!(!r.body.contains("tel:") && !r.body.contains("328 7070707"));
    assert!(
        !r.body.contains("correction_reason"),
        "no correction for referrers"
    );

    // The correction: a reason is required, CSRF too, and it is the desk's.
    let esito = format!("/ui/proposte/{pid}/esito");
    let fix = |csrf: &str, reason: &str| {
        form(&[
            ("csrf", csrf),
            ("back", &page),
            ("outcome", "not_hired"),
            ("reason", "worker_declined"),
            ("correction_reason", reason),
        ])
    };
    assert_eq!(
        form_post(&s, &esito, Some(&desk), &fix("x", "ha lasciato")).status,
        403
    );
    assert_eq!(
        form_post(&s, &esito, Some(&punto), &fix(&punto_csrf, "ha lasciato")).status,
        403,
        "a referrer does not correct"
    );
    let r = form_post(&s, &esito, Some(&desk), &fix(&desk_csrf, ""));
    assert!(location(&r).contains("errore="), "no reason, no correction");
    let read = s.get_as(DESK, &format!("/api/v1/proposals/{pid}")).json();
    assert_eq!(read["outcome"]["outcome"], "hired");
    let r = form_post(
        &s,
        &esito,
        Some(&desk),
        &fix(&desk_csrf, "ha lasciato dopo due giorni"),
    );
    assert_eq!(location(&r), format!("{page}?esito=1"));
    let read = s.get_as(DESK, &format!("/api/v1/proposals/{pid}")).json();
    assert_eq!(read["outcome"]["outcome"], "not_hired");
    assert_eq!(read["needs_review"], false);
    assert_eq!(read["history"].as_array().unwrap().len(), 3);
    let r = get(&s, &page, &desk);
    assert!(!r.body.contains("Proposte da verificare"));
    assert!(r.body.contains("correzione: ha lasciato dopo due giorni"));

    // Retiring a card needs the confirmation, the token and the desk.
    let card = format!("/ui/schede/{NATALIA}");
    let stato = format!("{card}/stato");
    let r = get(&s, &card, &desk);
    assert!(r.body.contains(&format!("action=\"{stato}\"")) && r.body.contains("Ritira la scheda"));
    let retire = |csrf: &str, confirm: bool| {
        let mut pairs = vec![("csrf", csrf), ("status", "inactive")];
        if confirm {
            pairs.push(("conferma", "si"));
        }
        form(&pairs)
    };
    let status = || s.get_as(DESK, &format!("/api/v1/workers/{NATALIA}")).json()["status"].clone();
    assert_eq!(
        form_post(&s, &stato, Some(&desk), &retire("x", true)).status,
        403
    );
    assert_eq!(
        form_post(&s, &stato, Some(&punto), &retire(&punto_csrf, true)).status,
        403
    );
    let r = form_post(&s, &stato, Some(&desk), &retire(&desk_csrf, false));
    assert!(location(&r).contains("errore="));
    assert_eq!(status(), "available");
    let r = form_post(&s, &stato, Some(&desk), &retire(&desk_csrf, true));
    assert_eq!(location(&r), format!("{card}?ritirata=1"));
    assert_eq!(status(), "inactive");
    let r = get(&s, &card, &desk);
    assert!(r.body.contains("Rendi di nuovo disponibile"));
    let r = form_post(
        &s,
        &stato,
        Some(&desk),
        &form(&[
            ("csrf", &desk_csrf),
            ("status", "available"),
            ("conferma", "si"),
        ]),
    );
    assert_eq!(location(&r), format!("{card}?riattivata=1"));
    assert_eq!(status(), "available");
    // "Placed" follows from a hire, never from this form.
    let r = form_post(
        &s,
        &stato,
        Some(&desk),
        &form(&[
            ("csrf", &desk_csrf),
            ("status", "placed"),
            ("conferma", "si"),
        ]),
    );
    assert_eq!(r.status, 422);
    assert_eq!(status(), "available");
}
