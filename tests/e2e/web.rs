//! The web interface without a browser: the session cookie's flags, sign-out ending the
//! session on the server, forms refused without their CSRF token, pages closed to roles
//! that may not see them, and no asset from outside.

use crate::util::{Response, Server};
use crate::{DESK, PUNTO};

pub(crate) fn form_post(s: &Server, path: &str, cookie: Option<&str>, body: &str) -> Response {
    let cookie = cookie.map_or(String::new(), |c| format!("Cookie: {c}\r\n"));
    s.raw(&format!(
        "POST {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n{cookie}\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    ))
}

pub(crate) fn get(s: &Server, path: &str, cookie: &str) -> Response {
    s.raw(&format!(
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nCookie: {cookie}\r\n\r\n"
    ))
}

/// Signs in; returns the cookie pair (`dom_sessione=…`).
pub(crate) fn sign_in(s: &Server, token: &str) -> String {
    let r = form_post(s, "/ui/accesso", None, &format!("token={token}"));
    assert_eq!(r.status, 303, "{}", r.body);
    let set = r
        .header("set-cookie")
        .expect("a session cookie")
        .to_string();
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Strict"),
        "{set}"
    );
    set.split(';').next().unwrap().to_string()
}

pub(crate) fn csrf(page: &str) -> String {
    let at = page.find("name=\"csrf\" value=\"").expect("a csrf field") + 19;
    page[at..at + 64].to_string()
}

#[test]
fn sessions_are_http_only_end_on_sign_out_and_forms_need_their_token() {
    let s = Server::demo();
    let cookie = sign_in(&s, DESK);
    let home = get(&s, "/ui/", &cookie);
    assert_eq!(home.status, 200);
    assert!(home.body.contains("Oggi allo sportello"));
    assert_eq!(home.header("cache-control"), Some("no-store"));
    assert!(home
        .header("content-security-policy")
        .unwrap()
        .contains("default-src 'self'"));
    // No asset, font or script from another host.
    assert!(
        !home.body.contains("http://") && !home.body.contains("https://"),
        "external reference"
    );

    // A form without the session's CSRF token changes nothing.
    let before = s.get_as(DESK, "/api/v1/workers?limit=1").json()["total"].clone();
    let body = "given_name=Ana&family_name=Test&birth_year=1980&phone=%2B39+333+9876012&comune=Grosseto&jobs=colf&live_in=no&permit.kind=eu_citizen&consent.given_on=2026-11-01";
    let r = form_post(&s, "/ui/schede/nuova", Some(&cookie), body);
    assert_eq!(r.status, 403);
    assert_eq!(
        s.get_as(DESK, "/api/v1/workers?limit=1").json()["total"],
        before
    );

    // With it, the card is stored and the browser is sent to it.
    let token = csrf(&get(&s, "/ui/schede/nuova", &cookie).body);
    let r = form_post(
        &s,
        "/ui/schede/nuova",
        Some(&cookie),
        &format!("csrf={token}&{body}&hours_per_week.min=5&hours_per_week.max=20&max_travel_km=10"),
    );
    assert_eq!(r.status, 303, "{}", &r.body[..r.body.len().min(300)]);
    assert!(r.header("location").unwrap().starts_with("/ui/schede/"));

    // Signing out ends the session on the server: the old cookie no longer works.
    let r = form_post(&s, "/ui/esci", Some(&cookie), &format!("csrf={token}"));
    assert_eq!(r.status, 303);
    assert!(r.header("set-cookie").unwrap().contains("Max-Age=0"));
    let r = get(&s, "/ui/", &cookie);
    assert_eq!((r.status, r.header("location")), (303, Some("/ui/accesso")));
}

#[test]
fn pages_follow_the_roles_of_the_api() {
    let s = Server::demo();
    let punto = sign_in(&s, PUNTO);
    for path in ["/ui/schede", "/ui/schede/a000000000000017", "/ui/verifiche"] {
        let r = get(&s, path, &punto);
        assert_eq!(r.status, 403, "{path}");
        assert!(!r.body.contains("Popa"), "{path} leaks the card");
    }
    // Unknown pages are pages too, not the API's JSON.
    let r = get(&s, "/ui/nessuna-pagina", &punto);
    assert_eq!(r.status, 404);
    assert!(
        r.header("content-type").unwrap().starts_with("text/html")
            && r.body.contains("Non trovato")
    );
    // Another organisation's request is not found, as in the API.
    let social = sign_in(&s, crate::SOCIAL);
    let r = get(&s, &format!("/ui/richieste/{}", crate::ROSSI), &social);
    assert_eq!(r.status, 404);
    assert!(!r.body.contains("Rossi") && !r.body.contains("Alzheimer"));
    // Its owner sees it, with the notes; no candidates (desk only).
    let r = get(&s, &format!("/ui/richieste/{}", crate::ROSSI), &punto);
    assert_eq!(r.status, 200);
    assert!(r.body.contains("Alzheimer") && !r.body.contains("article class=\"candidate\""));
}
