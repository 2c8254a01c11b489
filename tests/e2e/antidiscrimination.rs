//! The anti-discrimination protocol end to end: refusals from three organisations (API
//! and web form, creates and an edit) land in the register; a month of proposals and a hire give the fairness figures computed by
//! hand below; the coordinator reads both on the monthly review page.

use serde_json::{json, Value};

use crate::util::Server;
use crate::web::{csrf, form_post, get, sign_in};
use crate::{in_days, request_body, today, worker_body, COORD, DESK, PUNTO, SOCIAL};

fn refused(s: &Server, token: &str, notes: &str, ground: &str) {
    let mut body = request_body();
    body["notes"] = json!(notes);
    let r = s.post_as(token, "/api/v1/requests", &body);
    assert_eq!(r.status, 422, "{}", r.body);
    let e = &r.json()["error"];
    assert_eq!(e["code"], "discriminatory_criterion", "{}", r.body);
    assert_eq!(e["field"], "notes");
    assert_eq!(e["ground"], ground, "{notes}");
    assert!(!e["suggestion"].as_str().unwrap().is_empty());
}

/// A colf card that fits the Finnish-speaking request (no demo card speaks Finnish, so
/// the people below are exactly its eligible candidates).
fn finnish_speaker(i: usize, gender: &str, nationality: &str, permit: Value, born: i32) -> Value {
    const NAMES: [&str; 12] = [
        "Aino", "Elina", "Helmi", "Ilona", "Kaisa", "Liisa", "Mikko", "Juha", "Pekka", "Antti",
        "Timo", "Noa",
    ];
    const FAMILY: [&str; 12] = [
        "Virtanen",
        "Korhonen",
        "Nieminen",
        "Makinen",
        "Hamalainen",
        "Laine",
        "Heikkinen",
        "Koskinen",
        "Jarvinen",
        "Lehtonen",
        "Lehtinen",
        "Saarinen",
    ];
    let mut w = worker_body(NAMES[i], &format!("+39 320 77000{i:02}"));
    w["family_name"] = json!(FAMILY[i]);
    w["gender"] = json!(gender);
    w["nationality"] = json!(nationality);
    w["permit"] = permit;
    w["birth_year"] = json!(born);
    w["languages"] = json!([{"code": "it", "level": "B2"}, {"code": "fi", "level": "C2"}]);
    w
}

fn row<'a>(rows: &'a [Value], attribute: &str, group: &str) -> &'a Value {
    rows.iter()
        .find(|r| r["attribute"] == attribute && r["group"] == group)
        .unwrap_or_else(|| panic!("{attribute}/{group} in {rows:#?}"))
}

/// (eligible, proposed, hired, proposal_rate, ratio_to_best, flag)
fn figures(r: &Value) -> (u64, u64, u64, f64, f64, bool) {
    (
        r["eligible"].as_u64().unwrap(),
        r["proposed"].as_u64().unwrap(),
        r["hired"].as_u64().unwrap(),
        r["proposal_rate"].as_f64().unwrap(),
        r["ratio_to_best"].as_f64().unwrap(),
        r["flag"].as_bool().unwrap(),
    )
}

#[test]
fn refusals_are_registered_and_the_month_audits_the_desks_choices() {
    let s = Server::demo();

    // Two organisations' discriminatory requests are refused, and one edit.
    refused(&s, PUNTO, "Meglio se italiana", "nationality");
    refused(&s, SOCIAL, "Età massima 50 anni", "age");
    let mut finnish = request_body();
    finnish["requires"]["languages"] = json!([{"code": "fi", "level": "B2"}]);
    let r = s.post_as(DESK, "/api/v1/requests", &finnish);
    assert_eq!(r.status, 201, "{}", r.body);
    let request_id = r.json()["id"].as_str().unwrap().to_string();
    let r = s.patch_as(
        DESK,
        &format!("/api/v1/requests/{request_id}"),
        &json!({"notes": "Di sesso femminile"}),
    );
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(r.json()["error"]["ground"], "sex");
    // The web form's refusals count too (and the form keeps what was typed).
    let punto = sign_in(&s, PUNTO);
    let token = csrf(&get(&s, "/ui/richieste/nuova", &punto).body);
    let form = format!(
        "csrf={token}&family_name=Neri&job=colf&comune=Grosseto&live_in=no&hours_per_week=10\
         &phone=%2B39+333+1234567&start_on={}&notes=Preferenza+per+persone+di+religione+cristiana",
        in_days(7)
    );
    let r = form_post(&s, "/ui/richieste/nuova", Some(&punto), &form);
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("religione cristiana"), "{}", r.body);
    // A lawful request is not counted.
    let r = s.post_as(PUNTO, "/api/v1/requests", &request_body());
    assert_eq!(r.status, 201, "{}", r.body);

    // Twelve eligible people: 6 Romanian women aged 36, 5 Ukrainian men aged 25 (on a
    // protection permit), 1 Italian of gender X aged 65.
    let year: i32 = today()[..4].parse().unwrap();
    let protection = json!({"kind": "protection", "expires_on": in_days(400)});
    let mut ids = Vec::new();
    for i in 0..12 {
        let body = match i {
            0..=5 => finnish_speaker(i, "F", "RO", json!({"kind": "eu_citizen"}), year - 36),
            6..=10 => finnish_speaker(i, "M", "UA", protection.clone(), year - 25),
            _ => finnish_speaker(i, "X", "IT", json!({"kind": "italian"}), year - 65),
        };
        let r = s.post_as(DESK, "/api/v1/workers", &body);
        assert_eq!(r.status, 201, "{}", r.body);
        ids.push(r.json()["id"].as_str().unwrap().to_string());
    }
    // Proposed: three women and one man; the first woman is hired.
    let mut proposals = Vec::new();
    for i in [0, 1, 2, 6] {
        let r = s.post_as(
            DESK,
            &format!("/api/v1/requests/{request_id}/proposals"),
            &json!({"worker_id": ids[i]}),
        );
        assert_eq!(r.status, 201, "{}", r.body);
        proposals.push(r.json()["id"].as_str().unwrap().to_string());
    }
    let r = s.post_as(
        DESK,
        &format!("/api/v1/proposals/{}/outcome", proposals[0]),
        &json!({"outcome": "hired", "reported_by": "operator", "start_on": today()}),
    );
    assert_eq!(r.status, 200, "{}", r.body);

    let month = &today()[..7];
    let r = s.get_as(COORD, &format!("/api/v1/reports/monthly?month={month}"));
    assert_eq!(r.status, 200, "{}", r.body);
    let anti = &r.json()["anti_discrimination"];
    let refused = &anti["refused_requests"];
    assert_eq!(refused["total"], 4, "{refused}");
    assert_eq!(
        refused["by_ground"],
        json!({"age": 1, "nationality": 1, "religion": 1, "sex": 1})
    );
    assert_eq!(
        refused["by_organisation"],
        json!({
            "Punto Insieme Grosseto": 2,
            "Servizio sociale professionale": 1,
            "Sportello Info Immigrati Grosseto": 1
        })
    );

    // By hand: women 6 eligible, 3 proposed, 1 hired → 0.5, the best; men 5, 1 → 0.2,
    // ratio 0.4, flagged; the one person of gender X is under 5: "altri", 0 → flagged.
    // Nationality and age split the same people the same way (UE/30–44, extra UE/<30,
    // and the Italian aged 65 folded into "altri").
    let rows = anti["fairness"].as_array().unwrap().clone();
    assert_eq!(rows.len(), 9, "{rows:#?}");
    for (attribute, best, other) in [
        ("gender", "donna", "uomo"),
        ("nationality_group", "UE", "extra UE"),
        ("age_band", "30–44", "<30"),
    ] {
        assert_eq!(
            figures(row(&rows, attribute, best)),
            (6, 3, 1, 0.5, 1.0, false)
        );
        assert_eq!(
            figures(row(&rows, attribute, other)),
            (5, 1, 0, 0.2, 0.4, true)
        );
        assert_eq!(
            figures(row(&rows, attribute, "altri")),
            (1, 0, 0, 0.0, 0.0, true)
        );
    }
    assert_eq!(row(&rows, "gender", "donna")["hire_rate"], 0.1667);

    let csv = s.get_with(
        COORD,
        &format!("/api/v1/reports/monthly?month={month}"),
        "Accept: text/csv",
    );
    assert!(csv.body.contains("per motivo: sesso;1\r\n"), "{}", csv.body);
    assert!(csv
        .body
        .lines()
        .any(|l| l.starts_with("genere;uomo;") && l.ends_with(";sì")));

    // The coordinator's page: the register by ground (Italian labels) and organisation,
    // the fairness table and what a flag does not prove.
    let cookie = sign_in(&s, COORD);
    let page = get(&s, &format!("/ui/rapporto?mese={month}"), &cookie);
    assert_eq!(page.status, 200, "{}", page.body);
    for text in [
        "Protocollo antidiscriminazione",
        "nazionalità",
        "religione",
        "Servizio sociale professionale",
        "da esaminare",
        "non è la prova",
        "Rapporto col gruppo più proposto",
    ] {
        assert!(page.body.contains(text), "{text}");
    }
}
