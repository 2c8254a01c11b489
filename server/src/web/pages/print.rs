//! What the desk prints for a family: the proposed people's cards, two to an A4 page,
//! with the desk's profile and the outcome code; and the employer's duties on one A4
//! page with the current year's CCNL figures and what this request's job costs.

use std::fmt::Write;
use std::sync::Arc;

use matcher::ccnl::{self, Ccnl, CostEstimate, LineKind, YearTable};
use matcher::italian::{date, money};
use matcher::model::{OrgProfile, Organisation, Request, Role};
use matcher::Date;
use warp::filters::BoxedFilter;
use warp::reply::Response;
use warp::Filter;

use super::requests::{family_card_html, place};
use crate::access::{self, parse_id};
use crate::app::State;
use crate::web::html::{date_it, esc, page};
use crate::web::session::Session;
use crate::web::{ok_html, render, session, signed_in, Page};

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

/// Where the public outcome page is: `--public-url`, else the address the desk itself
/// used (only if it looks like a host name, since it comes from a header).
fn public_base(public_url: Option<&str>, host: Option<&str>) -> Option<String> {
    public_url.map(str::to_string).or_else(|| {
        host.filter(|h| {
            !h.is_empty()
                && h.chars()
                    .all(|c| c.is_ascii_alphanumeric() || ".:-[]".contains(c))
        })
        .map(|h| format!("http://{h}"))
    })
}

/// The desk's name and how to reach it, at the top of every card.
fn desk_html(org: &Organisation) -> String {
    let p = &org.profile;
    let mut out = format!("<div class=\"desk\"><h2>{}</h2>", esc(&org.name));
    if !p.address.is_empty() {
        let _ = write!(out, "<p>{}</p>", esc(&p.address));
    }
    let contacts: Vec<String> = [("Tel.", &p.phone), ("E-mail", &p.email)]
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(label, v)| format!("{label} <strong>{}</strong>", esc(v)))
        .collect();
    if !contacts.is_empty() {
        let _ = write!(out, "<p>{}</p>", contacts.join(" · "));
    }
    if !p.opening_hours.is_empty() {
        let hours: Vec<String> = p.opening_hours.lines().map(esc).collect();
        let _ = write!(out, "<p>Orari: {}</p>", hours.join(" · "));
    }
    out.push_str("</div>");
    out
}

/// How the family tells the desk what happened, with the code.
fn code_html(code: &str, base: Option<&str>, profile: &OrgProfile) -> String {
    let web = match base {
        Some(base) => format!(
            "aprite <strong>{}/esito/{}</strong> e scegliete «abbiamo iniziato» o «non è andata» \
             (la pagina è anche in altre lingue)",
            esc(base),
            esc(code)
        ),
        None => "aprite la pagina degli esiti che vi indica lo sportello".to_string(),
    };
    let call = if profile.phone.is_empty() {
        "oppure passate allo sportello".to_string()
    } else {
        format!(
            "oppure telefonate allo sportello al <strong>{}</strong>",
            esc(&profile.phone)
        )
    };
    format!(
        "<section class=\"code\"><h3>Codice esito: <span class=\"big\">{code}</span></h3>\
         <p>Dopo il colloquio diteci com'è andata: {web}, {call} citando il codice. \
         Serve a capire se il servizio funziona; non chiediamo altri dati.</p></section>",
        code = esc(code),
    )
}

async fn cards(id: String, host: Option<String>, s: Option<Session>, state: Arc<State>) -> Page {
    let s = signed_in(s, &[Role::Operator, Role::Referrer])?;
    let id = parse_id(&id)?;
    let actor = s.actor;
    let (r, org, proposals) = state
        .blocking(move |st| {
            let r = access::read_request(&st.engine, &actor, id)?;
            let org = st.engine.find_organisation(actor.org_id)?;
            let mut out = Vec::new();
            for p in st.engine.proposals_of(id)? {
                if let Some(w) = st.engine.find_worker(p.worker_id)? {
                    out.push((p, w.family_card()));
                }
            }
            Ok((r, org, out))
        })
        .await?;
    let org = org.unwrap_or_else(|| Organisation {
        id: actor.org_id,
        name: s.org_name.clone(),
        kind: matcher::model::OrgKind::Desk,
        comune: None,
        profile: OrgProfile::default(),
    });
    let base = public_base(state.public_url.as_deref(), host.as_deref());
    let mut body = String::from(
        "<p class=\"no-print\"><button type=\"button\" class=\"print-button\" data-print>Stampa</button> \
         Due schede per ogni foglio A4: si ritagliano a metà.</p>",
    );
    if org.profile.phone.is_empty() || org.profile.address.is_empty() {
        body.push_str(
            "<p class=\"no-print banner error\">Il profilo dell'organizzazione è incompleto: \
             le schede escono senza indirizzo o telefono. Chieda all'amministratore di \
             compilarlo.</p>",
        );
    }
    if proposals.is_empty() {
        body.push_str("<p>Nessuna proposta da stampare.</p>");
    }
    body.push_str("<div class=\"cards\">");
    for (p, card) in &proposals {
        let _ = write!(
            body,
            "<article class=\"print-card\"><header>{desk}\
             <p class=\"for\">Scheda per la famiglia — richiesta: {job} a {place}, dal {start}</p></header>\
             {card}{code}</article>",
            desk = desk_html(&org),
            job = r.job.label(),
            place = esc(&place(&r.comune)),
            start = date_it(r.start_on),
            card = family_card_html(card),
            code = code_html(&p.outcome_code, base.as_deref(), &org.profile),
        );
    }
    body.push_str("</div>");
    ok_html(page(Some(&s), "Schede per la famiglia", &body))
}

async fn duties(id: String, s: Option<Session>, state: Arc<State>) -> Page {
    let s = signed_in(s, &[Role::Operator, Role::Referrer])?;
    let id = parse_id(&id)?;
    let actor = s.actor;
    let r = state
        .blocking(move |st| access::read_request(&st.engine, &actor, id))
        .await?;
    let body = duties_body(&r, Ccnl::embedded(), Date::today());
    ok_html(page(
        Some(&s),
        "Doveri del datore di lavoro domestico",
        &body,
    ))
}

/// The sheet: the current year's table (or, said plainly, the latest DOM has), the cost
/// of this request's job line by line, the employer's duties, the minimums, the sources.
fn duties_body(r: &Request, tables: &Ccnl, today: Date) -> String {
    let mut body = String::from(
        "<div class=\"duties\"><p class=\"no-print\"><button type=\"button\" class=\"print-button\" \
         data-print>Stampa</button> Il foglio sta in una pagina A4.</p>",
    );
    let table = match tables.current(today) {
        Ok(t) => Some(t),
        Err(missing) => {
            let _ = write!(
                body,
                "<p class=\"banner error\" role=\"status\">{}</p>",
                esc(&missing.notice_it())
            );
            tables.latest()
        }
    };
    let Some(t) = table else {
        body.push_str("</div>");
        return body;
    };
    let est = ccnl::estimate(r, t);
    let _ = write!(
        body,
        "<p class=\"for\">Richiesta: {job} a {place}, {basis}. {reason}. Il livello va confermato \
         con la persona assunta in base alle mansioni reali.</p>",
        job = r.job.label(),
        place = esc(&place(&r.comune)),
        basis = esc(&est.basis_it),
        reason = esc(&est.level.reason_it),
    );
    body.push_str(&estimate_html(&est));
    body.push_str(&rules_html(t));
    body.push_str(&levels_html(t, &est));
    body.push_str(&sources_html(t));
    body.push_str("</div>");
    body
}

/// The cost of this job, each line with its rule; the total in bold.
fn estimate_html(est: &CostEstimate) -> String {
    let mut rows = String::new();
    for l in &est.lines {
        let class = match l.kind {
            LineKind::Total => " class=\"total\"",
            LineKind::Info | LineKind::InKind => " class=\"info\"",
            LineKind::Monthly | LineKind::Yearly => "",
        };
        let _ = write!(
            rows,
            "<tr{class}><td>{}</td><td class=\"num\">{}</td><td>{}</td></tr>",
            esc(&l.label_it),
            money(l.amount_eur),
            esc(&l.rule_it)
        );
    }
    let notes: String = est
        .notes_it
        .iter()
        .map(|n| format!("<li>{}</li>", esc(n)))
        .collect();
    format!(
        "<h2>Quanto costa questo lavoro: stima {year}</h2>\
         <table class=\"compact estimate\"><thead><tr><th>Voce</th><th class=\"num\">Importo</th>\
         <th>Come si calcola</th></tr></thead><tbody>{rows}</tbody></table><ul class=\"notes\">{notes}</ul>",
        year = est.year
    )
}

fn rules_html(t: &YearTable) -> String {
    let items: String = t
        .rules
        .iter()
        .map(|rule| {
            format!(
                "<li><strong>{}.</strong> {} <span class=\"source\">({})</span></li>",
                esc(&rule.topic_it),
                esc(&rule.text_it),
                // The contract is named once in the sources; each rule keeps its article.
                esc(&rule.source.replace("CCNL lavoro domestico, ", "CCNL "))
            )
        })
        .collect();
    format!("<h2>Cosa deve fare chi assume</h2><ol class=\"rules\">{items}</ol>")
}

/// Every level's minimums, the request's level marked.
fn levels_html(t: &YearTable, est: &CostEstimate) -> String {
    let mut rows = String::new();
    for l in &t.wages.levels {
        let mark = if l.level == est.level.level {
            " class=\"mark\""
        } else {
            ""
        };
        let extra = l
            .function_allowance_monthly
            .map_or(String::new(), |a| format!(" + {} indennità", money(a)));
        let _ = write!(
            rows,
            "<tr{mark}><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}{extra}</td></tr>",
            matcher::italian::ccnl_level_code(l.level),
            matcher::italian::ccnl_level_who(l.level),
            money(l.hourly_not_live_in),
            money(l.monthly_live_in),
        );
    }
    format!(
        "<h2>Minimi {year} per livello</h2><table class=\"compact\"><thead><tr><th>Livello</th>\
         <th>Chi</th><th class=\"num\">All'ora, non conviventi</th><th class=\"num\">Al mese, \
         conviventi</th></tr></thead><tbody>{rows}</tbody></table>",
        year = t.year
    )
}

/// The documents the figures come from, each named once with its date: the blocks
/// read from one document (the same date) share its line.
fn sources_html(t: &YearTable) -> String {
    let mut groups: Vec<(Vec<&str>, &str, Date)> = Vec::new();
    for s in t.sources() {
        if s.block == "regole" {
            continue;
        }
        match groups.iter_mut().find(|(_, _, d)| *d == s.date) {
            Some((blocks, ..)) => blocks.push(s.block),
            None => groups.push((vec![s.block], s.source, s.date)),
        }
    }
    let items: Vec<String> = groups
        .iter()
        .map(|(blocks, source, day)| {
            format!("{}: {} ({})", blocks.join(", "), esc(source), date(*day))
        })
        .collect();
    format!("<p class=\"source\">Fonti — {}.</p>", items.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use matcher::model::Id;

    /// The contract's example request: Rossi, Scansano, live-in badante, dementia.
    fn request() -> Request {
        matcher::fixtures::demo_requests()
            .expect("demo requests")
            .into_iter()
            .find(|r| r.family_name == "Rossi")
            .expect("the Rossi request")
    }

    #[test]
    fn the_sheet_prints_this_years_figures_and_the_estimate_with_its_sources() {
        let today = Date::from_ymd(2026, 11, 23).expect("date");
        let html = duties_body(&request(), Ccnl::embedded(), today);
        for text in [
            "stima 2026",
            "Minimi 2026",
            "1.193,84 €",
            "Costo annuo per la famiglia",
            "Tredicesima",
            "TFR",
            "Contributi INPS",
            "verbale dell&#39;11 febbraio 2026",
            "INPS, circolare n. 9 del 3 febbraio 2026",
        ] {
            assert!(html.contains(text), "{text}");
        }
        assert!(!html.contains("Rossi"), "no family name on the sheet");
        assert!(!html.contains("banner error"), "the 2026 table is there");
        for internal in [
            "vanno caricati",
            "infocolf",
            "redigo",
            "ratioquotidiano",
            "geps.it",
        ] {
            assert!(!html.contains(internal), "{internal}");
        }
        assert_eq!(
            html.matches("<tr class=\"mark\">").count(),
            1,
            "one level marked"
        );
    }

    #[test]
    fn a_missing_year_is_said_plainly_and_the_latest_table_is_used() {
        let only_2025 = Ccnl::from_files(&[(
            "2025.json",
            include_str!("../../../../fixtures/ccnl/2025.json"),
        )]);
        let today = Date::from_ymd(2026, 11, 23).expect("date");
        let html = duties_body(&request(), &only_2025, today);
        assert!(html.contains("I minimi ufficiali 2026"), "{html}");
        assert!(html.contains("stima 2025"));
        let none = duties_body(&request(), &Ccnl::from_files(&[]), today);
        assert!(none.contains("non sono disponibili"));
        assert!(!none.contains("<table"));
    }

    #[test]
    fn the_card_names_the_desk_and_how_to_report_the_outcome() {
        let org = Organisation {
            id: Id(2),
            name: "Sportello <Grosseto>".into(),
            kind: matcher::model::OrgKind::Desk,
            comune: None,
            profile: OrgProfile {
                address: "Via Mazzini 105, Grosseto".into(),
                phone: "0564 488 701".into(),
                email: String::new(),
                opening_hours: "lun 9-13\ngio 15-18".into(),
            },
        };
        let desk = desk_html(&org);
        assert!(desk.contains("Sportello &lt;Grosseto&gt;"));
        assert!(desk.contains("Orari: lun 9-13 · gio 15-18"));
        assert!(!desk.contains("E-mail"), "empty fields are left out");
        let code = code_html("ABCD234567", Some("https://dom.example.it"), &org.profile);
        assert!(code.contains("https://dom.example.it/esito/ABCD234567"));
        assert!(code.contains("al <strong>0564 488 701</strong>"));
        assert_eq!(
            public_base(None, Some("evil\"host")),
            None,
            "a strange Host is not printed"
        );
        assert_eq!(
            public_base(None, Some("127.0.0.1:8080")).as_deref(),
            Some("http://127.0.0.1:8080")
        );
        assert_eq!(
            public_base(Some("https://dom.example.it"), Some("x")).as_deref(),
            Some("https://dom.example.it")
        );
    }
}
