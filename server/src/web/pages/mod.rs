//! The signed-in pages: sign-in and home per role, then one module per area.

mod contacts;
mod followups;
mod imports;
mod messages;
mod operators;
mod organisations;
mod outcome_history;
mod print;
mod refusal;
mod report;
mod request_actions;
mod requests;
mod why_not;
mod worker_status;
mod workers;

use std::sync::Arc;

use matcher::model::Role;
use warp::filters::BoxedFilter;
use warp::http::{HeaderValue, StatusCode};
use warp::reply::Response;
use warp::Filter;

use super::html::{page, respond, FormState};
use super::session::{cookie, Session};
use super::{checked, form, redirect, render, session, Page};
use crate::app::State;
use crate::error::ApiError;

pub fn routes(state: Arc<State>) -> BoxedFilter<(Response,)> {
    let login_form = warp::path!("ui" / "accesso")
        .and(warp::get())
        .and(session(state.clone()))
        .and_then(|s: Option<Session>, _st| render(async move { login_page(s, None) }));
    let login = warp::path!("ui" / "accesso")
        .and(warp::post())
        .and(form())
        .and(session(state.clone()))
        .and_then(|f, _s, st| render(sign_in(f, st)));
    let logout = warp::path!("ui" / "esci")
        .and(warp::post())
        .and(form())
        .and(warp::cookie::optional::<String>(super::session::COOKIE))
        .and(session(state.clone()))
        .and_then(|f, id, s, st| render(async move { sign_out(f, id, s, st) }));
    // "/ui" and "/ui/".
    let home_page = warp::path("ui")
        .and(warp::path::end())
        .and(warp::get())
        .and(session(state.clone()))
        .and_then(|s, st| render(home(s, st)));
    login_form
        .or(login)
        .unify()
        .or(logout)
        .unify()
        .or(home_page)
        .unify()
        .or(workers::routes(state.clone()))
        .unify()
        .or(worker_status::routes(state.clone()))
        .unify()
        .or(request_actions::routes(state.clone()))
        .unify()
        .or(requests::routes(state.clone()))
        .unify()
        .or(followups::routes(state.clone()))
        .unify()
        .or(contacts::routes(state.clone()))
        .unify()
        .or(report::routes(state.clone()))
        .unify()
        .or(print::routes(state.clone()))
        .unify()
        .or(imports::routes(state.clone()))
        .unify()
        .or(operators::routes(state.clone()))
        .unify()
        .or(organisations::routes(state))
        .unify()
        .boxed()
}

fn login_page(s: Option<Session>, error: Option<&str>) -> Page {
    if s.is_some() && error.is_none() {
        return Ok(redirect("/ui/"));
    }
    let mut f = FormState::default();
    if let Some(e) = error {
        f.errors.insert("token".into(), e.to_string());
    }
    let body = format!(
        "<p>Entri con il codice di accesso (token) che l'amministratore le ha consegnato. \
         La sessione si chiude da sola dopo due ore di inattività.</p>\
         <form method=\"post\" action=\"/ui/accesso\" class=\"narrow\">{}\
         <button type=\"submit\">Entra</button></form>",
        f.input(
            "token",
            "Codice di accesso",
            "password",
            "autocomplete=\"current-password\" required"
        )
    );
    let status = if error.is_some() {
        StatusCode::UNAUTHORIZED
    } else {
        StatusCode::OK
    };
    Ok(respond(status, page(None, "Accesso a DOM", &body)))
}

async fn sign_in(pairs: Vec<(String, String)>, state: Arc<State>) -> Page {
    let token = pairs
        .iter()
        .find(|(k, _)| k == "token")
        .map(|(_, v)| v.trim().to_string())
        .unwrap_or_default();
    let actor = match state.auth.authenticate(Some(&format!("Bearer {token}"))) {
        Ok(a) => a,
        Err(ApiError::TooManyRequests) => return Err(ApiError::TooManyRequests),
        Err(_) => return login_page(None, Some("Codice di accesso non valido.")),
    };
    let (name, org) = state
        .blocking(move |s| {
            let op = s
                .engine
                .operators()?
                .into_iter()
                .find(|o| o.id == actor.operator_id);
            let org = s.engine.find_organisation(actor.org_id)?;
            Ok((
                op.map(|o| o.name).unwrap_or_default(),
                org.map(|o| o.name).unwrap_or_default(),
            ))
        })
        .await?;
    let (id, _) = state.sessions.start(actor, name, org);
    let mut r = redirect("/ui/");
    if let Ok(v) = HeaderValue::from_str(&cookie(Some(&id))) {
        r.headers_mut().insert("set-cookie", v);
    }
    Ok(r)
}

fn sign_out(
    pairs: Vec<(String, String)>,
    id: Option<String>,
    s: Option<Session>,
    state: Arc<State>,
) -> Page {
    if let (Some(id), Some(s)) = (id, s) {
        checked(&s, &pairs)?;
        // Ends the session on the server, not just in the browser.
        state.sessions.end(&id);
    }
    let mut r = redirect("/ui/accesso");
    if let Ok(v) = HeaderValue::from_str(&cookie(None)) {
        r.headers_mut().insert("set-cookie", v);
    }
    Ok(r)
}

async fn home(s: Option<Session>, state: Arc<State>) -> Page {
    let s = s.ok_or(ApiError::Unauthorized)?;
    match s.actor.role {
        Role::Operator => followups::today(s, state).await,
        Role::Referrer => requests::list_page(s, state, Default::default()).await,
        Role::Coordinator => Ok(redirect("/ui/rapporto")),
        Role::Admin => operators::admin_home(s, state).await,
    }
}
