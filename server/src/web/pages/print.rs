//! What the desk prints for a family: the proposed people's family cards on A4 with the
//! outcome code and how to use it, and a one-page sheet of the employer's duties whose
//! figures come from `fixtures/ccnl-lavoro-domestico.json` (source and year named).

use std::fmt::Write;
use std::sync::{Arc, LazyLock};

use matcher::model::{Job, Role};
use serde_json::Value;
use warp::filters::BoxedFilter;
use warp::reply::Response;
use warp::Filter;

use super::requests::{family_card_html, place};
use crate::access::{self, parse_id};
use crate::app::State;
use crate::web::html::{date_it, esc, page};
use crate::web::session::Session;
use crate::web::{ok_html, render, session, signed_in, Page};

static CCNL: LazyLock<Value> = LazyLock::new(|| {
    serde_json::from_str(include_str!(
        "../../../../fixtures/ccnl-lavoro-domestico.json"
    ))
    .unwrap_or(Value::Null)
});

pub fn routes(state: Arc<State>) -> BoxedFilter<(Response,)> {
    let cards = warp::path!("ui" / "richieste" / String / "stampa")
        .and(warp::get())
        .and(warp::header::optional::<String>("host"))
        .and(session(state.clone()))
        .and_then(|id, host, s, st| render(cards(id, host, s, st)));
    let duties = warp::path!("ui" / "richieste" / String / "doveri")
        .and(warp::get())
        .and(session(state))
        .and_then(|id, s, st| render(duties(id, s, st)));
    cards.or(duties).unify().boxed()
}

async fn cards(id: String, host: Option<String>, s: Option<Session>, state: Arc<State>) -> Page {
    let s = signed_in(s, &[Role::Operator, Role::Referrer])?;
    let id = parse_id(&id)?;
    let actor = s.actor;
    let (r, proposals) = state
        .blocking(move |st| {
            let r = access::read_request(&st.engine, &actor, id)?;
            let mut out = Vec::new();
            for p in st.engine.proposals_of(id)? {
                if let Some(w) = st.engine.find_worker(p.worker_id)? {
                    out.push((p, w.family_card()));
                }
            }
            Ok((r, out))
        })
        .await?;
    let host = host
        .filter(|h| {
            h.chars()
                .all(|c| c.is_ascii_alphanumeric() || ".:-[]".contains(c))
        })
        .unwrap_or_else(|| "lo sportello".into());
    let mut body = String::from(
        "<p class=\"no-print\"><button type=\"button\" class=\"print-button\" data-print>Stampa</button> \
         Ogni scheda occupa mezza pagina A4.</p>",
    );
    if proposals.is_empty() {
        body.push_str("<p>Nessuna proposta da stampare.</p>");
    }
    for (p, card) in &proposals {
        let _ = write!(
            body,
            "<article class=\"print-card\"><header><h2>Sportello Info Immigrati — scheda per la famiglia</h2>\
             <p>Richiesta: {job} a {place}, dal {start}</p></header>{card}\
             <section class=\"code\"><h3>Codice esito: <span class=\"big\">{code}</span></h3>\
             <p>Dopo il colloquio diteci com'è andata: aprite <strong>http://{host}/esito/{code}</strong> \
             e scegliete «abbiamo iniziato» o «non è andata» (anche in altre lingue), oppure chiamate lo sportello \
             citando il codice. Serve a capire se il servizio funziona; non chiediamo altri dati.</p></section></article>",
            job = r.job.label(),
            place = esc(&place(&r.comune)),
            start = date_it(r.start_on),
            card = family_card_html(card),
            code = esc(&p.outcome_code),
            host = esc(&host),
        );
    }
    ok_html(page(Some(&s), "Schede per la famiglia", &body))
}

/// The CCNL level usually fitting a request's job, to point the family at its line.
fn usual_level(job: Job) -> &'static str {
    match job {
        Job::Colf => "B",
        Job::Babysitter => "BS",
        Job::Badante | Job::AssistenzaNotturna | Job::AssistenzaOspedaliera => "CS",
    }
}

fn money(v: &Value) -> String {
    v.as_f64()
        .map_or("—".to_string(), |n| format!("{n:.2}").replace('.', ","))
}

async fn duties(id: String, s: Option<Session>, state: Arc<State>) -> Page {
    let s = signed_in(s, &[Role::Operator, Role::Referrer])?;
    let id = parse_id(&id)?;
    let actor = s.actor;
    let r = state
        .blocking(move |st| access::read_request(&st.engine, &actor, id))
        .await?;
    let c = &*CCNL;
    let level = usual_level(r.job);
    let mut rows = String::new();
    for l in c["wages"]["levels"].as_array().into_iter().flatten() {
        let mark = if l["level"] == level {
            " class=\"mark\""
        } else {
            ""
        };
        let allowance = l
            .get("monthly_allowance")
            .map_or(String::new(), |a| format!(" + indennità {} €", money(a)));
        let _ = write!(
            rows,
            "<tr{mark}><td>{}</td><td>{}</td><td class=\"num\">{} €</td><td class=\"num\">{} €{allowance}</td></tr>",
            esc(l["level"].as_str().unwrap_or("")),
            esc(l["who"].as_str().unwrap_or("")),
            money(&l["hourly_not_live_in"]),
            money(&l["monthly_live_in"]),
        );
    }
    let mut duties = String::new();
    for d in c["duties"].as_array().into_iter().flatten() {
        let _ = write!(
            duties,
            "<li><strong>{}.</strong> {} <span class=\"source\">({})</span></li>",
            esc(d["topic"].as_str().unwrap_or("")),
            esc(d["text"].as_str().unwrap_or("")),
            esc(d["source"].as_str().unwrap_or("")),
        );
    }
    let mut bands = String::new();
    for b in c["contributions"]["bands"].as_array().into_iter().flatten() {
        let limit = if b["up_to_hourly_pay"].is_null() {
            "oltre".to_string()
        } else {
            format!("fino a {} €/h di paga", money(&b["up_to_hourly_pay"]))
        };
        let _ = write!(
            bands,
            "<li>{limit}: {} € per ora</li>",
            money(&b["per_hour"])
        );
    }
    let body = format!(
        "<div class=\"duties\"><p class=\"no-print\"><button type=\"button\" class=\"print-button\" data-print>Stampa</button></p>\
         <p>Per la richiesta: {job}, {live}, {hours} ore a settimana. Il livello di solito adatto è <strong>{level}</strong> \
         (evidenziato); va deciso con la lavoratrice o il lavoratore in base alle mansioni reali.</p>\
         <ol>{duties}</ol>\
         <h2>Paga minima {year}</h2><table class=\"compact\"><thead><tr><th>Livello</th><th>Mansioni</th>\
         <th>Oraria (non conviventi)</th><th>Mensile (conviventi)</th></tr></thead><tbody>{rows}</tbody></table>\
         <p class=\"source\">Fonte: {wsrc}. {wnote}</p>\
         <h2>Contributi INPS {cyear}</h2><ul>{bands}<li>oltre 24 ore a settimana: {over} € per ora</li></ul>\
         <p class=\"source\">Fonte: {csrc}. Scadenze: {due}.</p>\
         <p class=\"source\">Vitto e alloggio ({byear}): pranzo {lunch} €, cena {dinner} €, alloggio {lodging} € al giorno. Fonte: {bsrc}.</p></div>",
        job = r.job.label(),
        live = r.live_in.label(),
        hours = r.hours_per_week,
        year = c["wages"]["year"],
        wsrc = esc(c["wages"]["source"].as_str().unwrap_or("")),
        wnote = esc(c["wages"]["note"].as_str().unwrap_or("")),
        cyear = c["contributions"]["year"],
        over = money(&c["contributions"]["over_24_hours_a_week_per_hour"]),
        csrc = esc(c["contributions"]["source"].as_str().unwrap_or("")),
        due = esc(c["contributions"]["due"].as_str().unwrap_or("")),
        byear = c["board_and_lodging"]["year"],
        lunch = money(&c["board_and_lodging"]["lunch"]),
        dinner = money(&c["board_and_lodging"]["dinner"]),
        lodging = money(&c["board_and_lodging"]["lodging"]),
        bsrc = esc(c["board_and_lodging"]["source"].as_str().unwrap_or("")),
    );
    let title = c["title"].as_str().unwrap_or("Doveri del datore di lavoro");
    ok_html(page(Some(&s), title, &body))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_reference_table_names_source_and_year_of_every_figure() {
        let c = &*super::CCNL;
        for block in ["wages", "contributions", "board_and_lodging"] {
            assert!(c[block]["year"].as_u64().is_some(), "{block} year");
            assert!(
                c[block]["source"].as_str().is_some_and(|s| s.len() > 20),
                "{block} source"
            );
        }
        assert_eq!(c["wages"]["levels"].as_array().map(Vec::len), Some(8));
        for d in c["duties"].as_array().unwrap() {
            assert!(d["source"].as_str().is_some(), "{d}");
        }
    }
}
