//! The forms over HTTP: every problem at once and nothing stored, a required permit
//! kind, second looks (an odd amount, a corrected comune) before saving, duplicates by
//! name, a search with an unknown comune, and the card's GDPR export and erasure.

use crate::util::{Response, Server};
use crate::web::{csrf, form_post, get, sign_in};
use crate::{DESK, NATALIA};

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            b' ' => "+".to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A new card that would be saved, as `(name, value)` pairs.
fn card(given: &str, phone: &str) -> Vec<(String, String)> {
    [
        ("given_name", given),
        ("family_name", "Moroz"),
        ("birth_year", "1978"),
        ("phone", phone),
        ("comune", "Grosseto"),
        ("nationality", "Moldova"),
        ("jobs", "colf"),
        ("live_in", "no"),
        ("hours_per_week.min", "10"),
        ("hours_per_week.max", "30"),
        ("max_travel_km", "15"),
        ("languages[0].code", "romeno"),
        ("languages[0].level", "C2"),
        ("permit.kind", "long_term"),
        ("wage_expectation.monthly_eur", "1.100"),
        ("consent.given_on", &crate::today()),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

fn set(pairs: &mut Vec<(String, String)>, name: &str, value: &str) {
    pairs.retain(|(k, _)| k != name);
    if !value.is_empty() {
        pairs.push((name.to_string(), value.to_string()));
    }
}

fn post_card(s: &Server, cookie: &str, pairs: &[(String, String)]) -> Response {
    let token = csrf(&get(s, "/ui/schede/nuova", cookie).body);
    let body: Vec<String> = std::iter::once(format!("csrf={token}"))
        .chain(pairs.iter().map(|(k, v)| format!("{}={}", enc(k), enc(v))))
        .collect();
    form_post(s, "/ui/schede/nuova", Some(cookie), &body.join("&"))
}

fn total(s: &Server) -> serde_json::Value {
    s.get_as(DESK, "/api/v1/workers?limit=1").json()["total"].clone()
}

#[test]
fn a_card_form_names_every_problem_at_once_and_stores_nothing() {
    let s = Server::demo();
    let cookie = sign_in(&s, DESK);
    let before = total(&s);
    let mut bad = card("", "telefono");
    set(&mut bad, "birth_year", "1850");
    set(&mut bad, "permit.kind", "");
    set(&mut bad, "nationality", "Atlantide");
    set(&mut bad, "comune", "Xqzzyville");
    let r = post_card(&s, &cookie, &bad);
    assert_eq!(r.status, 422);
    for id in [
        "e-given-name",
        "e-birth-year",
        "e-phone",
        "e-permit-kind",
        "e-nationality",
        "e-comune",
    ] {
        assert!(
            r.body.contains(&format!("id=\"{id}\"")),
            "{id} missing: {}",
            r.body.split("ul class=\"problems\"").nth(1).unwrap_or("")
        );
    }
    assert!(r.body.contains("Da controllare prima di salvare (6)"));
    assert!(r.body.contains("paese non riconosciuto"));
    assert!(!r.body.contains("invalid type"), "no serde English");
    assert_eq!(total(&s), before);
}

#[test]
fn odd_amounts_and_corrected_comuni_are_confirmed_before_saving() {
    let s = Server::demo();
    let cookie = sign_in(&s, DESK);
    let before = total(&s);
    // "1,5" a month is read as one and a half euro, and asked about.
    let mut odd = card("Vera", "+39 333 4440001");
    set(&mut odd, "wage_expectation.monthly_eur", "1,5");
    let r = post_card(&s, &cookie, &odd);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("letto come 1,50 € al mese"), "{}", r.body);
    assert!(r.body.contains("name=\"confirm_wage\""));
    assert_eq!(total(&s), before);
    set(&mut odd, "confirm_wage", "true");
    let r = post_card(&s, &cookie, &odd);
    assert_eq!(r.status, 303, "confirmed: saved");

    // "Orbtello" is shown corrected; saved once sent again as corrected.
    let mut typo = card("Nadia", "+39 333 4440002");
    set(&mut typo, "comune", "Orbtello");
    let r = post_card(&s, &cookie, &typo);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Orbtello → Orbetello (GR)"));
    assert!(r.body.contains("value=\"Orbetello (GR)\""));
    set(&mut typo, "comune", "Orbetello (GR)");
    let r = post_card(&s, &cookie, &typo);
    assert_eq!(r.status, 303);
    let id = r
        .header("location")
        .unwrap()
        .split(['/', '?'])
        .nth(3)
        .unwrap()
        .to_string();
    let saved = s.get_as(DESK, &format!("/api/v1/workers/{id}")).json();
    assert_eq!(
        saved["wage_expectation"]["monthly_eur"].as_f64(),
        Some(1100.0),
        "1.100 is 1100"
    );
    assert_eq!(saved["nationality"], "MD");
    assert_eq!(saved["languages"][0]["code"], "ro");
    // The edit form shows names and amounts the Italian way again.
    let page = get(&s, &format!("/ui/schede/{id}"), &cookie).body;
    assert!(page.contains("value=\"Moldavia\"") && page.contains("value=\"1.100\""));
}

#[test]
fn a_duplicate_is_named_with_comune_and_birth_year() {
    let s = Server::demo();
    let cookie = sign_in(&s, DESK);
    let natalia = s.get_as(DESK, &format!("/api/v1/workers/{NATALIA}")).json();
    let mut twin = card(
        natalia["given_name"].as_str().unwrap(),
        natalia["phone"].as_str().unwrap(),
    );
    set(
        &mut twin,
        "family_name",
        natalia["family_name"].as_str().unwrap(),
    );
    set(&mut twin, "birth_year", &natalia["birth_year"].to_string());
    let r = post_card(&s, &cookie, &twin);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Possibile doppione"));
    let full = format!(
        "{} {}",
        natalia["given_name"].as_str().unwrap(),
        natalia["family_name"].as_str().unwrap()
    );
    assert!(r.body.contains(&full), "named: {full}");
    assert!(r
        .body
        .contains(&format!("nata/o nel {}", natalia["birth_year"])));
    assert!(
        !r.body.contains(&format!(">scheda {NATALIA}<")),
        "not a bare id"
    );
}

#[test]
fn a_search_in_an_unknown_comune_says_so_and_offers_the_closest() {
    let s = Server::demo();
    let cookie = sign_in(&s, DESK);
    let r = get(&s, "/ui/schede?comune=Grosetto+Marittimo", &cookie);
    assert_eq!(r.status, 200);
    assert!(r.body.contains("non riconosciuto"), "{}", r.body);
    assert!(!r.body.contains("schede trovate"), "nobody listed");
    assert!(r.body.contains("Forse cercava"));
    assert!(r.body.contains("href=\"/ui/schede?comune="));
}

#[test]
fn the_card_page_exports_and_erases_through_the_session() {
    let s = Server::demo();
    let cookie = sign_in(&s, DESK);
    let card = get(&s, &format!("/ui/schede/{NATALIA}"), &cookie).body;
    assert!(card.contains(&format!("href=\"/ui/schede/{NATALIA}/esporta\"")));
    let r = get(&s, &format!("/ui/schede/{NATALIA}/esporta"), &cookie);
    assert_eq!(r.status, 200);
    assert!(r
        .header("content-type")
        .unwrap()
        .starts_with("application/json"));
    assert!(r
        .header("content-disposition")
        .unwrap()
        .contains("attachment"));
    assert!(r.body.contains("Popa"), "the person's data");
    // Erasure asks first; without the confirmation nothing happens.
    let confirm = get(&s, &format!("/ui/schede/{NATALIA}/cancella"), &cookie);
    assert_eq!(confirm.status, 200);
    let token = csrf(&confirm.body);
    let path = format!("/ui/schede/{NATALIA}/cancella");
    let r = form_post(&s, &path, Some(&cookie), &format!("csrf={token}"));
    assert_eq!(r.status, 422);
    assert_eq!(
        s.get_as(DESK, &format!("/api/v1/workers/{NATALIA}")).status,
        200
    );
    let r = form_post(
        &s,
        &path,
        Some(&cookie),
        &format!("csrf={token}&conferma_cancellazione=true"),
    );
    assert_eq!(r.status, 303);
    assert_eq!(
        s.get_as(DESK, &format!("/api/v1/workers/{NATALIA}")).status,
        404
    );
}
