//! The coordinator's monthly review: key figures, SVG charts (placements and placement
//! rate over twelve months, outcomes by reason, requests by organisation and job), the
//! anti-discrimination register and fairness audit, a month picker and the CSV and XLSX
//! downloads.

use std::collections::HashMap;
use std::fmt::Write;
use std::sync::Arc;

use matcher::model::Role;
use matcher::{italian, monthly, AntiDiscrimination, Date, Month};
use warp::filters::BoxedFilter;
use warp::reply::Response;
use warp::Filter;

use crate::app::State;
use crate::error::ApiError;
use crate::sheets::{self, SheetFormat};
use crate::web::charts::{bars_with_rate, hbars, rate_hbars};
use crate::web::html::{esc, page};
use crate::web::session::Session;
use crate::web::{ok_html, query, render, session, signed_in, Page};

const MONTHS: [&str; 12] = [
    "gen", "feb", "mar", "apr", "mag", "giu", "lug", "ago", "set", "ott", "nov", "dic",
];

pub fn routes(state: Arc<State>) -> BoxedFilter<(Response,)> {
    let page_route = warp::path!("ui" / "rapporto")
        .and(warp::get())
        .and(query())
        .and(session(state.clone()))
        .and_then(|q, s, st| render(report(q, s, st)));
    let file = |format: SheetFormat| {
        warp::path("ui")
            .and(warp::path(format!("rapporto.{}", format.extension())))
            .and(warp::path::end())
            .and(warp::get())
            .and(query())
            .and(session(state.clone()))
            .and_then(move |q, s, st| render(download(format, q, s, st)))
    };
    page_route
        .or(file(SheetFormat::Csv))
        .unify()
        .or(file(SheetFormat::Xlsx))
        .unify()
        .boxed()
}

fn month_of(q: &HashMap<String, String>) -> Result<Month, ApiError> {
    match q.get("mese").filter(|m| !m.is_empty()) {
        None => Ok(Month::of(Date::today())),
        Some(m) => m.parse().map_err(|_| ApiError::BadInput {
            field: Some("mese".into()),
            message: "mese non valido: usare AAAA-MM".into(),
        }),
    }
}

fn short(m: Month) -> String {
    let d = m.first_day();
    let (y, mo, _) = d.ymd();
    format!("{} {}", MONTHS[(mo - 1) as usize], y % 100)
}

async fn report(q: HashMap<String, String>, s: Option<Session>, state: Arc<State>) -> Page {
    let s = signed_in(s, &[Role::Coordinator, Role::Operator])?;
    let month = month_of(&q)?;
    let today = Date::today();
    let (current, history, anti) = state
        .blocking(move |st| {
            let rec = st.engine.report_records()?;
            let anti = st.engine.anti_discrimination(month, &rec.organisations)?;
            let mut months = vec![month];
            for _ in 0..11 {
                let prev = months[months.len() - 1].previous();
                months.push(prev);
            }
            months.reverse();
            let history: Vec<_> = months
                .iter()
                .map(|m| (*m, monthly(&rec, *m, today)))
                .collect();
            Ok((monthly(&rec, month, today), history, anti))
        })
        .await?;
    let labels: Vec<String> = history.iter().map(|(m, _)| short(*m)).collect();
    let placements: Vec<u64> = history.iter().map(|(_, r)| r.placements).collect();
    let rates: Vec<Option<f64>> = history.iter().map(|(_, r)| r.placement_rate).collect();
    let mut outcomes: Vec<(String, u64)> = vec![("lavoro iniziato".into(), current.placements)];
    outcomes.extend(
        current
            .failure_reasons
            .iter()
            .map(|(k, v)| (reason_label(k), *v)),
    );
    outcomes.retain(|(_, v)| *v > 0);
    let by_org: Vec<(String, u64)> = current
        .requests_received
        .by_organisation
        .iter()
        .map(|(k, v)| (k.clone(), *v))
        .collect();
    let by_job: Vec<(String, u64)> = current
        .requests_received
        .by_job
        .iter()
        .map(|(k, v)| {
            (
                matcher::model::Job::parse(k).map_or(k.clone(), |j| j.label().to_string()),
                *v,
            )
        })
        .collect();
    let pct = |r: Option<f64>| r.map_or("—".to_string(), |r| italian::percent(r, 0));
    let mut figures = String::new();
    for (label, value) in [
        (
            "Richieste ricevute",
            current.requests_received.total.to_string(),
        ),
        ("Proposte fatte", current.proposals_made.to_string()),
        (
            "Proposte con esito noto / ancora senza",
            format!("{} / {}", current.outcomes.known, current.outcomes.unknown),
        ),
        (
            "Collocamenti (lavori iniziati)",
            current.placements.to_string(),
        ),
        ("Richieste chiuse", current.requests_closed.to_string()),
        ("Tasso di collocamento", pct(current.placement_rate)),
        (
            "Verifiche in scadenza / fatte",
            format!("{} / {}", current.follow_ups.due, current.follow_ups.done),
        ),
        (
            "Ancora al lavoro dopo 90 giorni",
            pct(current.retention_90_days.rate),
        ),
    ] {
        let _ = write!(figures, "<div class=\"figure\"><span class=\"value\">{}</span><span class=\"label\">{}</span></div>", esc(&value), label);
    }
    let table: String = labels
        .iter()
        .zip(&placements)
        .zip(&rates)
        .map(|((l, p), r)| {
            format!(
                "<tr><td>{}</td><td class=\"num\">{p}</td><td class=\"num\">{}</td></tr>",
                esc(l),
                pct(*r)
            )
        })
        .collect();
    let body = format!(
        "<form method=\"get\" action=\"/ui/rapporto\" class=\"filters\"><div class=\"field\"><label for=\"mese\">Mese</label>\
         <input type=\"month\" id=\"mese\" name=\"mese\" value=\"{m}\"></div><button type=\"submit\">Mostra</button>\
         <a class=\"button secondary\" href=\"/ui/rapporto.csv?mese={m}\" download>Scarica CSV</a> \
         <a class=\"button secondary\" href=\"/ui/rapporto.xlsx?mese={m}\" download>Scarica Excel</a></form>\
         <section class=\"figures\" aria-label=\"Dati del mese\">{figures}</section>\
         <h2>Collocamenti e tasso di collocamento, ultimi 12 mesi</h2>{c1}\
         <details><summary>Tabella dei dati</summary><table><thead><tr><th>Mese</th><th>Collocamenti</th><th>Tasso</th></tr></thead><tbody>{table}</tbody></table></details>\
         <h2>Esiti del mese per motivo</h2>{c2}\
         <h2>Richieste del mese per organizzazione</h2>{c3}\
         <h2>Richieste del mese per tipo di lavoro</h2>{c4}{c5}{anti}",
        m = current.month,
        c1 = bars_with_rate("Collocamenti per mese", &labels, &placements, &rates),
        c2 = hbars("Esiti per motivo", &outcomes),
        c3 = hbars("Richieste per organizzazione", &by_org),
        c4 = hbars("Richieste per tipo di lavoro", &by_job),
        anti = anti_discrimination(&anti),
        c5 = effectiveness_section(&current.effectiveness),
    );
    ok_html(page(
        Some(&s),
        &format!(
            "Rapporto mensile — {}",
            italian::month(month.year, month.month)
        ),
        &body,
    ))
}

/// The register of refused requests and the fairness table, with what a flag means.
fn anti_discrimination(a: &AntiDiscrimination) -> String {
    let refused = &a.refused_requests;
    let count_rows = |rows: &mut String, label: &str, n: u64| {
        let _ = write!(
            rows,
            "<tr><td>{}</td><td class=\"num\">{n}</td></tr>",
            esc(label)
        );
    };
    let mut by_ground = String::new();
    for (k, v) in &refused.by_ground {
        let label = matcher::guard::Ground::from_name(k).map_or(k.as_str(), |g| g.label());
        count_rows(&mut by_ground, label, *v);
    }
    let mut by_org = String::new();
    for (k, v) in &refused.by_organisation {
        count_rows(&mut by_org, k, *v);
    }
    let register = if refused.total == 0 {
        "<p>Nessuna richiesta rifiutata nel mese.</p>".to_string()
    } else {
        format!(
            "<p>Richieste rifiutate nel mese: <strong>{}</strong>.</p>\
             <table><caption>Per motivo protetto</caption><thead><tr><th>Motivo</th><th>Rifiuti</th></tr></thead><tbody>{by_ground}</tbody></table>\
             <table><caption>Per organizzazione</caption><thead><tr><th>Organizzazione</th><th>Rifiuti</th></tr></thead><tbody>{by_org}</tbody></table>",
            refused.total
        )
    };
    let pct = |r: f64| italian::percent(r, 0);
    let mut fairness = String::new();
    for f in &a.fairness {
        let ratio = f
            .ratio_to_best
            .map_or("—".to_string(), |r| italian::number(r, 2));
        let flag = if f.flag {
            "<td><strong>da esaminare</strong></td>"
        } else {
            "<td>—</td>"
        };
        let _ = write!(
            fairness,
            "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{ratio}</td>{flag}</tr>",
            f.attribute.label(),
            esc(&f.group),
            f.eligible,
            f.proposed,
            f.hired,
            pct(f.proposal_rate),
            pct(f.hire_rate),
        );
    }
    let audit = if a.fairness.is_empty() {
        "<p>Nessuna proposta negli ultimi 12 mesi: niente da confrontare.</p>".to_string()
    } else {
        format!(
            "<table><caption>Proposte e assunzioni per gruppo, ultimi 12 mesi</caption><thead><tr>\
             <th>Caratteristica</th><th>Gruppo</th><th>Candidabili</th><th>Proposte</th><th>Assunte</th>\
             <th>Tasso di proposta</th><th>Tasso di assunzione</th><th>Rapporto col gruppo più proposto</th>\
             <th>Segnale</th></tr></thead><tbody>{fairness}</tbody></table>"
        )
    };
    format!(
        "<h2>Protocollo antidiscriminazione</h2>\
         <h3>Registro delle richieste rifiutate</h3>\
         <p class=\"hint\">Il controllo antidiscriminazione rifiuta le richieste (nuove o modificate, dal modulo o \
         dall'API) che scelgono i lavoratori per un motivo protetto dalla legge. Il registro ne conserva solo il \
         numero, il giorno, il motivo e l'organizzazione: mai il testo.</p>{register}\
         <h3>Equità delle proposte</h3>\
         <p class=\"hint\">Tra le persone candidabili (che rispettavano tutti i requisiti obbligatori) per le \
         richieste con almeno una proposta negli ultimi 12 mesi, quante sono state proposte e quante assunte, per \
         genere, cittadinanza e fascia d'età. Il rapporto confronta il tasso di proposta di ogni gruppo con quello \
         del gruppo più proposto: sotto 0,80 (la regola dei quattro quinti) il gruppo è segnalato «da esaminare».</p>\
         <p class=\"hint\">Un segnale invita a guardare come vengono scelte le persone da proporre; non è la prova \
         di una discriminazione. I gruppi piccoli variano molto per caso, e quelli con meno di 5 persone sono riuniti \
         in «altri». La candidabilità è ricalcolata sulle schede come sono oggi, perché l'archivio non conserva la \
         storia delle schede. Il punteggio non usa mai genere, cittadinanza o età: servono solo a questo controllo.</p>{audit}"
    )
}

/// Hire rate by score band and by rank over twelve months: chart, table and how to read them.
fn effectiveness_section(e: &matcher::Effectiveness) -> String {
    let pct = |r: Option<f64>| r.map_or("—".to_string(), |r| italian::percent(r, 0));
    let bands: Vec<(String, Option<f64>)> = e
        .by_score_band
        .iter()
        .map(|b| (format!("punteggio {}", b.band.replace(">=", "≥")), b.rate))
        .collect();
    let ranks: Vec<(String, Option<f64>)> = e
        .by_rank
        .iter()
        .map(|r| (format!("posizione {}", r.rank), r.rate))
        .collect();
    let rows: String = e
        .by_score_band
        .iter()
        .map(|b| (format!("punteggio {}", b.band.replace(">=", "≥")), b.proposals, b.hired, b.rate))
        .chain(
            e.by_rank
                .iter()
                .map(|r| (format!("posizione {}", r.rank), r.proposals, r.hired, r.rate)),
        )
        .map(|(l, n, h, r)| {
            format!(
                "<tr><td>{}</td><td class=\"num\">{n}</td><td class=\"num\">{h}</td><td class=\"num\">{}</td></tr>",
                esc(&l),
                pct(r)
            )
        })
        .collect();
    let days = e
        .median_days_proposal_to_outcome
        .map_or("—".to_string(), |d| italian::number(d, 0));
    format!(
        "<section class=\"effectiveness\" aria-labelledby=\"efficacia\"><h2 id=\"efficacia\">Efficacia delle proposte, da {from} a {to}</h2>\
         <p>Un punteggio più alto porta a più assunzioni? Ogni barra è la quota di proposte diventate un lavoro: \
         se le barre crescono con il punteggio e calano con la posizione in classifica, il punteggio aiuta davvero a scegliere. \
         Esito noto per il {known} delle proposte; tra proposta ed esito passano di solito (mediana) {days} giorni.</p>\
         {c1}{c2}\
         <table><thead><tr><th>Gruppo</th><th>Proposte</th><th>Assunzioni</th><th>Tasso di assunzione</th></tr></thead><tbody>{rows}</tbody></table></section>",
        from = esc(&day(&e.from)),
        to = esc(&day(&e.to)),
        known = pct(e.outcome_known_share),
        c1 = rate_hbars("Assunzioni per fascia di punteggio", &bands),
        c2 = rate_hbars("Assunzioni per posizione in classifica", &ranks),
    )
}

/// An ISO date of the report as people read it (`01/12/2025`); kept as is if it is not one.
fn day(iso: &str) -> String {
    iso.parse::<Date>()
        .map_or_else(|_| iso.to_string(), italian::date)
}

fn reason_label(key: &str) -> String {
    matcher::model::NotHiredReason::parse(key).map_or(key.to_string(), |r| r.label().to_string())
}

async fn download(
    format: SheetFormat,
    q: HashMap<String, String>,
    s: Option<Session>,
    state: Arc<State>,
) -> Page {
    signed_in(s, &[Role::Coordinator, Role::Operator])?;
    let month = month_of(&q)?;
    let report = state
        .blocking(move |st| Ok(st.engine.monthly_report(month, Date::today())?))
        .await?;
    let file = format.write(&report.tables())?;
    Ok(sheets::download(
        file,
        &format!("dom-rapporto-{}", report.month),
        format,
    ))
}
