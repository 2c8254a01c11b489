//! The desk's day ("Oggi"): answers from families and proposals needing review first,
//! then follow-ups due, each answered in two clicks or by a prefilled message, then
//! requests still waiting for a proposal, oldest first. "Verifiche": every open
//! follow-up, by week and organisation.

use std::collections::HashMap;
use std::fmt::Write;
use std::sync::Arc;

use matcher::model::{FollowUp, FollowUpKind, Id, Proposal, Request, RequestStatus, Role};
use matcher::Date;
use warp::filters::BoxedFilter;
use warp::reply::Response;
use warp::Filter;

use super::messages;
use super::requests::place;
use crate::access::{self};
use crate::app::State;
use crate::web::html::{date_it, esc, page, respond};
use crate::web::session::Session;
use crate::web::{csrf_input, posted_on, query, redirect, render, session, signed_in, Page};

/// How far back a family's or worker's answer still shows on "Oggi".
const ANSWERS_SHOWN_DAYS: i32 = 14;
/// The widest range "Verifiche" lists: every open follow-up is due within it.
const ALL_OPEN_DAYS: i32 = 3660;

pub fn routes(state: Arc<State>) -> BoxedFilter<(Response,)> {
    let list = warp::path!("ui" / "verifiche")
        .and(warp::get())
        .and(query())
        .and(session(state.clone()))
        .and_then(|q: HashMap<String, String>, s: Option<Session>, st| {
            render(async move {
                let s = signed_in(s, &[Role::Operator])?;
                all_open(s, q, st).await
            })
        });
    let retention = warp::path!("ui" / "verifiche" / String / "conservazione")
        .and(warp::post())
        .and(crate::web::form())
        .and(session(state.clone()))
        .and_then(|id, f, s, st| render(retention(id, f, s, st)));
    list.or(retention)
        .unify()
        .or(messages::routes(state))
        .unify()
        .boxed()
}

/// What a follow-up row shows: who was proposed to which family.
struct Row {
    f: FollowUp,
    worker: String,
    family: String,
    request: Id,
    where_: String,
}

/// The organisation's open follow-ups due before `before`, as rows.
fn rows(st: &State, org: Id, before: Date) -> Result<Vec<Row>, crate::error::ApiError> {
    let mut rows = Vec::new();
    for d in st.engine.due_follow_ups(org, before)? {
        let Some(request) = d.request_id else {
            continue;
        };
        let r = d.request.as_ref();
        rows.push(Row {
            worker: d
                .worker_name
                .unwrap_or_else(|| "(scheda cancellata)".to_string()),
            family: r.map_or(String::new(), |r| r.family_name.clone()),
            where_: r.map_or(String::new(), |r| place(&r.comune)),
            request,
            f: d.follow_up,
        });
    }
    Ok(rows)
}

pub async fn today(s: Session, state: Arc<State>) -> Page {
    let s = signed_in(Some(s), &[Role::Operator])?;
    let (actor, org) = (s.actor, s.actor.org_id);
    let today = Date::today();
    let (answers, rows, mut waiting) = state
        .blocking(move |st| {
            let answers = st
                .engine
                .answers_to_review(org, today.add_days(-ANSWERS_SHOWN_DAYS))?;
            let rows = rows(st, org, today.add_days(7))?;
            let waiting = st
                .engine
                .requests(access::request_scope(&actor)?, Some(RequestStatus::Open))?;
            Ok((answers, rows, waiting))
        })
        .await?;
    // Whoever has waited longest comes first.
    waiting.sort_by_key(|r| (r.created_on, r.id));
    let (now, week): (Vec<&Row>, Vec<&Row>) = rows.iter().partition(|r| r.f.due_on <= today);
    let mut body = String::new();
    let _ = write!(
        body,
        "<h2>Risposte e proposte da controllare ({})</h2>",
        answers.len()
    );
    body.push_str(&answers_list(&answers));
    let _ = write!(body, "<h2>Da fare oggi ({})</h2>", now.len());
    body.push_str(&table(&s, &now, today, "/ui/"));
    let _ = write!(
        body,
        "<h2>In scadenza questa settimana ({})</h2>",
        week.len()
    );
    body.push_str(&table(&s, &week, today, "/ui/"));
    let _ = write!(
        body,
        "<h2>Richieste in attesa di una proposta ({})</h2><p>Prima chi aspetta da più tempo.</p><ul>",
        waiting.len()
    );
    for r in waiting.iter().take(50) {
        let _ = write!(
            body,
            "<li><a href=\"/ui/richieste/{}\">{} — {}, {}</a> (dal {})</li>",
            r.id,
            esc(&r.family_name),
            r.job.label(),
            esc(&place(&r.comune)),
            date_it(r.created_on)
        );
    }
    body.push_str("</ul>");
    Ok(messages::allow_leaving(respond(
        warp::http::StatusCode::OK,
        page(Some(&s), "Oggi allo sportello", &body),
    )))
}

/// Public answers received and proposals needing review, each linking to its request.
fn answers_list(answers: &[(Proposal, Option<Request>)]) -> String {
    if answers.is_empty() {
        return "<p>Nessuna risposta nuova.</p>".into();
    }
    let mut out = String::from("<ul class=\"answers\">");
    for (p, r) in answers {
        let last = p.history.last();
        let what = match last {
            Some(h) => format!(
                "{} il {}: «{}»",
                h.reported_by.label(),
                date_it(h.on),
                h.outcome.label()
            ),
            None => String::new(),
        };
        let tag = if p.needs_review {
            " <span class=\"tag warn\">da verificare: contraddice l'esito registrato</span>"
        } else {
            ""
        };
        let _ = write!(
            out,
            "<li><a href=\"/ui/richieste/{}\">{}</a> · codice <code>{}</code> · {}{tag}</li>",
            p.request_id,
            esc(&r.as_ref().map_or_else(
                || "(richiesta anonimizzata)".to_string(),
                |r| format!("{} — {}", r.family_name, place(&r.comune))
            )),
            esc(&p.outcome_code),
            esc(&what),
        );
    }
    out.push_str("</ul>");
    out
}

/// The Monday of `d`'s week.
fn monday(d: Date) -> Date {
    d.add_days(-(d.days() + 3).rem_euclid(7))
}

/// "Verifiche": every open follow-up of the organisations the operator sees, filtered
/// by week (`settimana`, its Monday) and organisation (`org`, when there are several).
async fn all_open(s: Session, q: HashMap<String, String>, state: Arc<State>) -> Page {
    let orgs = access::follow_up_orgs(&s.actor);
    let org = match q.get("org").filter(|v| !v.is_empty()) {
        Some(v) => Some(
            access::parse_id(v)
                .ok()
                .filter(|id| orgs.contains(id))
                .ok_or(crate::error::ApiError::NotFound)?,
        ),
        None => None,
    };
    let week = q
        .get("settimana")
        .filter(|v| !v.is_empty())
        .map(|v| {
            v.parse::<Date>()
                .map(monday)
                .map_err(|_| crate::error::ApiError::BadInput {
                    field: Some("settimana".into()),
                    message: "settimana non valida".into(),
                })
        })
        .transpose()?;
    let today = Date::today();
    let shown: Vec<Id> = org.map_or_else(|| orgs.clone(), |o| vec![o]);
    let (rows, names) = state
        .blocking(move |st| {
            let mut all = Vec::new();
            for o in shown {
                all.extend(rows(st, o, today.add_days(ALL_OPEN_DAYS))?);
            }
            let names: HashMap<Id, String> = st
                .engine
                .organisations()?
                .into_iter()
                .map(|o| (o.id, o.name))
                .collect();
            Ok((all, names))
        })
        .await?;
    let mut weeks: Vec<Date> = rows.iter().map(|r| monday(r.f.due_on)).collect();
    weeks.sort();
    weeks.dedup();
    let rows: Vec<&Row> = rows
        .iter()
        .filter(|r| week.is_none_or(|w| monday(r.f.due_on) == w))
        .collect();
    let mut body = String::from(
        "<form method=\"get\" action=\"/ui/verifiche\" class=\"filters\">\
         <div class=\"field\"><label for=\"f-settimana\">Settimana</label><select id=\"f-settimana\" name=\"settimana\">\
         <option value=\"\">tutte</option>",
    );
    for w in &weeks {
        let sel = if week == Some(*w) { " selected" } else { "" };
        let _ = write!(
            body,
            "<option value=\"{w}\"{sel}>dal {}{}</option>",
            date_it(*w),
            if *w < monday(today) {
                " (in ritardo)"
            } else {
                ""
            }
        );
    }
    body.push_str("</select></div>");
    if orgs.len() > 1 {
        body.push_str("<div class=\"field\"><label for=\"f-org\">Organizzazione</label><select id=\"f-org\" name=\"org\"><option value=\"\">tutte</option>");
        for o in &orgs {
            let sel = if org == Some(*o) { " selected" } else { "" };
            let _ = write!(
                body,
                "<option value=\"{o}\"{sel}>{}</option>",
                esc(names.get(o).map_or("", String::as_str))
            );
        }
        body.push_str("</select></div>");
    }
    body.push_str("<button type=\"submit\">Mostra</button></form>");
    if q.contains_key("esito") {
        body.push_str("<div class=\"banner ok\" role=\"status\">Risposta registrata.</div>");
    }
    let _ = write!(body, "<h2>Verifiche aperte ({})</h2>", rows.len());
    body.push_str(&table(&s, &rows, today, "/ui/verifiche"));
    Ok(messages::allow_leaving(respond(
        warp::http::StatusCode::OK,
        page(Some(&s), "Verifiche", &body),
    )))
}

fn table(s: &Session, rows: &[&Row], today: Date, back: &str) -> String {
    if rows.is_empty() {
        return "<p>Niente da fare.</p>".into();
    }
    let mut out = String::from(
        "<table class=\"followups\"><thead><tr><th>Entro il</th><th>Verifica</th><th>Persona</th><th>Famiglia</th><th>Esito</th><th>Scrivi</th></tr></thead><tbody>",
    );
    for r in rows {
        let late = if r.f.due_on < today {
            " <span class=\"tag warn\">in ritardo</span>"
        } else {
            ""
        };
        let answer = match r.f.kind {
            FollowUpKind::Outcome => outcome_buttons(s, r, back),
            FollowUpKind::Retention => retention_buttons(s, r),
        };
        let _ = write!(
            out,
            "<tr><td>{}{late}</td><td>{}</td><td>{}</td><td><a href=\"/ui/richieste/{}\">{}</a> · {}</td><td>{answer}</td><td>{}</td></tr>",
            date_it(r.f.due_on),
            r.f.kind.label(),
            esc(&r.worker),
            r.request,
            esc(&r.family),
            esc(&r.where_),
            messages::buttons(s, &r.f),
        );
    }
    out.push_str("</tbody></table>");
    out
}

fn outcome_buttons(s: &Session, r: &Row, back: &str) -> String {
    format!(
        "<form method=\"post\" action=\"/ui/proposte/{p}/esito\" class=\"inline\">{csrf}\
         <input type=\"hidden\" name=\"back\" value=\"{back}\"><input type=\"hidden\" name=\"outcome\" value=\"hired\">\
         <input type=\"hidden\" name=\"start_on\" value=\"{today}\">\
         <button type=\"submit\">Assunta/o</button></form>\
         <form method=\"post\" action=\"/ui/proposte/{p}/esito\" class=\"inline\">{csrf}\
         <input type=\"hidden\" name=\"back\" value=\"{back}\"><input type=\"hidden\" name=\"outcome\" value=\"not_hired\">\
         <input type=\"hidden\" name=\"reason\" value=\"other\">\
         <button type=\"submit\" class=\"secondary\">Non assunta/o</button></form>",
        p = r.f.proposal_id,
        csrf = csrf_input(s),
        back = esc(back),
        today = Date::today(),
    )
}

fn retention_buttons(s: &Session, r: &Row) -> String {
    format!(
        "<form method=\"post\" action=\"/ui/verifiche/{id}/conservazione\" class=\"inline\">{csrf}\
         <input type=\"hidden\" name=\"retained\" value=\"true\"><button type=\"submit\">Lavora ancora lì</button></form>\
         <form method=\"post\" action=\"/ui/verifiche/{id}/conservazione\" class=\"inline\">{csrf}\
         <input type=\"hidden\" name=\"retained\" value=\"false\"><button type=\"submit\" class=\"secondary\">Non più</button></form>",
        id = r.f.id,
        csrf = csrf_input(s),
    )
}

async fn retention(
    id: String,
    pairs: Vec<(String, String)>,
    s: Option<Session>,
    state: Arc<State>,
) -> Page {
    let (s, id) = posted_on(s, &[Role::Operator], &pairs, &id)?;
    let retained = pairs.iter().any(|(k, v)| k == "retained" && v == "true");
    let actor = s.actor;
    state
        .blocking(move |st| access::answer_retention(st, &actor, id, || Ok(retained)))
        .await?;
    Ok(redirect("/ui/verifiche?esito=1"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weeks_start_on_monday() {
        let d = |s: &str| s.parse::<Date>().unwrap();
        assert_eq!(monday(d("2026-11-23")), d("2026-11-23"));
        assert_eq!(monday(d("2026-11-29")), d("2026-11-23"));
        assert_eq!(monday(d("2026-11-22")), d("2026-11-16"));
    }
}
