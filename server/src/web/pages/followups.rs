//! The desk's day: follow-ups due today (and late) and this week, each answered in two
//! clicks, plus requests still waiting for a proposal.

use std::collections::HashMap;
use std::fmt::Write;
use std::sync::Arc;

use matcher::model::{FollowUp, FollowUpKind, Id, RequestStatus, Role};
use matcher::Date;
use warp::filters::BoxedFilter;
use warp::reply::Response;
use warp::Filter;

use super::requests::place;
use crate::access::{self};
use crate::app::State;
use crate::web::html::{date_it, esc, page};
use crate::web::session::Session;
use crate::web::{
    csrf_input, ok_html, posted_on, query, redirect, render, session, signed_in, Page,
};

pub fn routes(state: Arc<State>) -> BoxedFilter<(Response,)> {
    let list = warp::path!("ui" / "verifiche")
        .and(warp::get())
        .and(query())
        .and(session(state.clone()))
        .and_then(|_q: HashMap<String, String>, s: Option<Session>, st| {
            render(async move {
                let s = signed_in(s, &[Role::Operator])?;
                today(s, st).await
            })
        });
    let retention = warp::path!("ui" / "verifiche" / String / "conservazione")
        .and(warp::post())
        .and(crate::web::form())
        .and(session(state))
        .and_then(|id, f, s, st| render(retention(id, f, s, st)));
    list.or(retention).unify().boxed()
}

/// What a follow-up row shows: who was proposed to which family.
struct Row {
    f: FollowUp,
    worker: String,
    family: String,
    request: Id,
    where_: String,
}

pub async fn today(s: Session, state: Arc<State>) -> Page {
    let s = signed_in(Some(s), &[Role::Operator])?;
    let (actor, org) = (s.actor, s.actor.org_id);
    let today = Date::today();
    let (rows, waiting) = state
        .blocking(move |st| {
            let mut rows = Vec::new();
            for d in st.engine.due_follow_ups(org, today.add_days(7))? {
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
            let waiting = st
                .engine
                .requests(access::request_scope(&actor)?, Some(RequestStatus::Open))?;
            Ok((rows, waiting))
        })
        .await?;
    let (now, week): (Vec<&Row>, Vec<&Row>) = rows.iter().partition(|r| r.f.due_on <= today);
    let mut body = String::new();
    let _ = write!(body, "<h2>Da fare oggi ({})</h2>", now.len());
    body.push_str(&table(&s, &now, today));
    let _ = write!(
        body,
        "<h2>In scadenza questa settimana ({})</h2>",
        week.len()
    );
    body.push_str(&table(&s, &week, today));
    let _ = write!(
        body,
        "<h2>Richieste in attesa di una proposta ({})</h2><ul>",
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
    ok_html(page(Some(&s), "Oggi allo sportello", &body))
}

fn table(s: &Session, rows: &[&Row], today: Date) -> String {
    if rows.is_empty() {
        return "<p>Niente da fare.</p>".into();
    }
    let mut out = String::from(
        "<table class=\"followups\"><thead><tr><th>Entro il</th><th>Verifica</th><th>Persona</th><th>Famiglia</th><th>Esito</th></tr></thead><tbody>",
    );
    for r in rows {
        let late = if r.f.due_on < today {
            " <span class=\"tag warn\">in ritardo</span>"
        } else {
            ""
        };
        let answer = match r.f.kind {
            FollowUpKind::Outcome => outcome_buttons(s, r),
            FollowUpKind::Retention => retention_buttons(s, r),
        };
        let _ = write!(
            out,
            "<tr><td>{}{late}</td><td>{}</td><td>{}</td><td><a href=\"/ui/richieste/{}\">{}</a> · {}</td><td>{answer}</td></tr>",
            date_it(r.f.due_on),
            r.f.kind.label(),
            esc(&r.worker),
            r.request,
            esc(&r.family),
            esc(&r.where_),
        );
    }
    out.push_str("</tbody></table>");
    out
}

fn outcome_buttons(s: &Session, r: &Row) -> String {
    format!(
        "<form method=\"post\" action=\"/ui/proposte/{p}/esito\" class=\"inline\">{csrf}\
         <input type=\"hidden\" name=\"back\" value=\"/ui/verifiche\"><input type=\"hidden\" name=\"outcome\" value=\"hired\">\
         <input type=\"hidden\" name=\"start_on\" value=\"{today}\">\
         <button type=\"submit\">Assunta/o</button></form>\
         <form method=\"post\" action=\"/ui/proposte/{p}/esito\" class=\"inline\">{csrf}\
         <input type=\"hidden\" name=\"back\" value=\"/ui/verifiche\"><input type=\"hidden\" name=\"outcome\" value=\"not_hired\">\
         <input type=\"hidden\" name=\"reason\" value=\"other\">\
         <button type=\"submit\" class=\"secondary\">Non assunta/o</button></form>",
        p = r.f.proposal_id,
        csrf = csrf_input(s),
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
