//! What the desk and the owning referrer do to a request from its page: edit every
//! field, close it with a reason, reopen it with a reason (desk only), all through
//! `access::patch_request`, the rule the API applies too.

use std::sync::Arc;

use matcher::model::{Request, RequestStatus, Role};
use serde_json::{json, Value};
use warp::filters::BoxedFilter;
use warp::http::StatusCode;
use warp::reply::Response;
use warp::Filter;

use super::refusal::refusal;
use super::requests::request_form;
use super::workers::edit_values;
use crate::access::{self, parse_id};
use crate::app::State;
use crate::error::ApiError;
use crate::web::form::{self, to_json, REQUEST};
use crate::web::html::{esc, page, respond, url, FormState};
use crate::web::session::Session;
use crate::web::{csrf_input, ok_html, posted_on, redirect, render, session, signed_in, Page};

/// Who works on a request from the interface: the desk, and referrers on their own.
const EDITORS: &[Role] = &[Role::Operator, Role::Referrer];

pub fn routes(state: Arc<State>) -> BoxedFilter<(Response,)> {
    let edit_form = warp::path!("ui" / "richieste" / String / "modifica")
        .and(warp::get())
        .and(session(state.clone()))
        .and_then(|id, s, st| render(edit_form(id, s, st)));
    let edit = warp::path!("ui" / "richieste" / String / "modifica")
        .and(warp::post())
        .and(crate::web::form())
        .and(session(state.clone()))
        .and_then(|id, f, s, st| render(edit(id, f, s, st)));
    let close = warp::path!("ui" / "richieste" / String / "chiudi")
        .and(warp::post())
        .and(crate::web::form())
        .and(session(state.clone()))
        .and_then(|id, f, s, st| render(change_status(id, f, s, st, StatusChange::Close)));
    let reopen = warp::path!("ui" / "richieste" / String / "riapri")
        .and(warp::post())
        .and(crate::web::form())
        .and(session(state))
        .and_then(|id, f, s, st| render(change_status(id, f, s, st, StatusChange::Reopen)));
    edit_form
        .or(edit)
        .unify()
        .or(close)
        .unify()
        .or(reopen)
        .unify()
        .boxed()
}

/// The actions of the request page: edit, close, and (desk only) reopen.
pub fn panel(s: &Session, r: &Request) -> String {
    let mut out = format!(
        "<section class=\"actions\" aria-label=\"Azioni sulla richiesta\">\
         <p><a class=\"button secondary\" href=\"/ui/richieste/{}/modifica\">Modifica la richiesta</a></p>",
        r.id
    );
    // A filled request is not closed (the engine refuses it: "filled" would be lost);
    // the desk reopens it or corrects the outcome instead.
    let closed = matches!(r.status, RequestStatus::Filled | RequestStatus::Closed);
    if !closed {
        out.push_str(&reason_form(
            s,
            r,
            "chiudi",
            "Chiudi la richiesta",
            "Perché si chiude (per esempio: la famiglia ha trovato da sola)",
        ));
    }
    if closed && s.actor.role == Role::Operator {
        out.push_str(&reason_form(
            s,
            r,
            "riapri",
            "Riapri la richiesta",
            "Perché si riapre (per esempio: la lavoratrice ha lasciato dopo una settimana)",
        ));
    }
    out.push_str("</section>");
    out
}

fn reason_form(s: &Session, r: &Request, action: &str, button: &str, label: &str) -> String {
    format!(
        "<details class=\"{action}\"><summary>{button}</summary>\
         <form method=\"post\" action=\"/ui/richieste/{id}/{action}\" class=\"narrow\">{csrf}\
         <div class=\"field wide\"><label for=\"{action}-reason\">{label}</label>\
         <textarea id=\"{action}-reason\" name=\"reason\" required maxlength=\"500\"></textarea></div>\
         <button type=\"submit\">{button}</button></form></details>",
        id = r.id,
        csrf = csrf_input(s),
        label = esc(label),
    )
}

fn edit_page(s: &Session, r: &Request, f: &FormState) -> String {
    page(
        Some(s),
        "Modifica la richiesta",
        &format!(
            "<p><a href=\"/ui/richieste/{id}\">Torna alla richiesta</a></p>{form}",
            id = r.id,
            form = request_form(
                s,
                f,
                &format!("/ui/richieste/{}/modifica", r.id),
                "Salva le modifiche"
            ),
        ),
    )
}

async fn edit_form(id: String, s: Option<Session>, state: Arc<State>) -> Page {
    let s = signed_in(s, EDITORS)?;
    let id = parse_id(&id)?;
    let actor = s.actor;
    let r = state
        .blocking(move |st| access::read_request(&st.engine, &actor, id))
        .await?;
    ok_html(edit_page(&s, &r, &edit_values(r.to_input(), &r.comune)))
}

/// A cleared input must clear its field: a merge patch leaves absent fields unchanged.
fn clearing(mut patch: Value) -> Value {
    if let Some(obj) = patch.as_object_mut() {
        obj.entry("offered").or_insert(Value::Null);
        obj.entry("notes").or_insert_with(|| "".into());
        if let Some(req) = obj
            .entry("requires")
            .or_insert_with(|| json!({}))
            .as_object_mut()
        {
            req.entry("italian_min").or_insert(Value::Null);
            req.entry("languages").or_insert_with(|| json!([]));
        }
        // The edit form changes fields, never the state: that has its own forms.
        obj.remove("status");
    }
    patch
}

async fn edit(
    id: String,
    pairs: Vec<(String, String)>,
    s: Option<Session>,
    state: Arc<State>,
) -> Page {
    let (s, id) = posted_on(s, EDITORS, &pairs, &id)?;
    let patch = clearing(to_json(&form::with_codes(&pairs), &REQUEST));
    let actor = s.actor;
    let result = state
        .blocking(move |st| access::patch_request(&st.engine, &actor, id, || Ok(patch)))
        .await;
    match result {
        Ok(_) => Ok(redirect(&format!("/ui/richieste/{id}?salvata=1"))),
        Err(e) => {
            let mut f = form::state_of(&pairs);
            refusal(&mut f, e)?;
            let r = state
                .blocking(move |st| access::visible_request(&st.engine, &actor, id))
                .await?;
            Ok(respond(
                StatusCode::UNPROCESSABLE_ENTITY,
                edit_page(&s, &r, &f),
            ))
        }
    }
}

#[derive(Clone, Copy)]
enum StatusChange {
    Close,
    Reopen,
}

impl StatusChange {
    fn patch(self, reason: &str) -> Value {
        match self {
            StatusChange::Close => json!({"status": "closed", "close_reason": reason}),
            StatusChange::Reopen => json!({"status": "open", "reopen_reason": reason}),
        }
    }

    fn done(self) -> &'static str {
        match self {
            StatusChange::Close => "chiusa",
            StatusChange::Reopen => "riaperta",
        }
    }
}

async fn change_status(
    id: String,
    pairs: Vec<(String, String)>,
    s: Option<Session>,
    state: Arc<State>,
    change: StatusChange,
) -> Page {
    let (s, id) = posted_on(s, EDITORS, &pairs, &id)?;
    let reason = pairs
        .iter()
        .find(|(k, _)| k == "reason")
        .map(|(_, v)| v.trim().to_string())
        .unwrap_or_default();
    let patch = change.patch(&reason);
    let actor = s.actor;
    let result = state
        .blocking(move |st| access::patch_request(&st.engine, &actor, id, || Ok(patch)))
        .await;
    match result {
        Ok(_) => Ok(redirect(&format!("/ui/richieste/{id}?{}=1", change.done()))),
        // A missing reason (or a refused word in it) is told on the request page.
        Err(ApiError::Matcher(e)) if e.field().is_some() => Ok(redirect(&format!(
            "/ui/richieste/{id}?errore={}",
            url(&e.to_string())
        ))),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_edit_clears_what_was_emptied_and_never_changes_the_state() {
        let patch = clearing(
            json!({"status": "open", "notes": "x", "requires": {"driving_license": true}}),
        );
        assert_eq!(
            patch,
            json!({"notes": "x", "offered": null,
                   "requires": {"driving_license": true, "italian_min": null, "languages": []}})
        );
    }
}
