//! The contact log on the card and request pages: the lines newest first and a form to
//! add one (day, channel, note). Access and validation are the API's, through `access`.

use std::fmt::Write;
use std::sync::Arc;

use matcher::model::{Contact, ContactChannel, ContactInput, Id, RecordKind, Role};
use matcher::{json, Date};
use warp::filters::BoxedFilter;
use warp::http::StatusCode;
use warp::reply::Response;
use warp::Filter;

use super::refusal::refusal;
use super::workers::choices;
use crate::access;
use crate::app::State;
use crate::error::ApiError;
use crate::web::form::state_of;
use crate::web::html::{date_it, esc, page, respond, FormState};
use crate::web::session::Session;
use crate::web::{csrf_input, posted_on, redirect, render, session, Page};

pub fn routes(state: Arc<State>) -> BoxedFilter<(Response,)> {
    let worker = warp::path!("ui" / "schede" / String / "contatti")
        .and(warp::post())
        .and(crate::web::form())
        .and(session(state.clone()))
        .and_then(|id, f, s, st| render(add(RecordKind::Worker, id, f, s, st)));
    let request = warp::path!("ui" / "richieste" / String / "contatti")
        .and(warp::post())
        .and(crate::web::form())
        .and(session(state))
        .and_then(|id, f, s, st| render(add(RecordKind::Request, id, f, s, st)));
    worker.or(request).unify().boxed()
}

/// Where a record's page is, and who may keep its log.
fn page_of(about: RecordKind, id: Id) -> (String, &'static [Role]) {
    match about {
        RecordKind::Worker => (format!("/ui/schede/{id}"), &[Role::Operator]),
        _ => (
            format!("/ui/richieste/{id}"),
            &[Role::Operator, Role::Referrer],
        ),
    }
}

/// The contact-log section of a card or request page the session may see (the page
/// has audited the read of the record).
pub async fn section(
    state: &Arc<State>,
    s: &Session,
    about: RecordKind,
    id: Id,
) -> Result<String, ApiError> {
    let actor = s.actor;
    let log = state
        .blocking(move |st| access::contacts(&st.engine, &actor, about, id))
        .await?;
    let mut f = FormState::default();
    f.values
        .insert("on".into(), vec![Date::today().to_string()]);
    f.values.insert(
        "channel".into(),
        vec![ContactChannel::Phone.as_str().into()],
    );
    Ok(html(s, about, id, &f, &log))
}

fn html(s: &Session, about: RecordKind, id: Id, f: &FormState, log: &[Contact]) -> String {
    let (back, _) = page_of(about, id);
    let mut out = format!(
        "<section id=\"contatti\" class=\"contacts\"><h2>Registro dei contatti ({n})</h2>\
         <form method=\"post\" action=\"{back}/contatti\" class=\"contact-form\">{csrf}{banner}{on}{channel}{note}\
         <button type=\"submit\">Registra il contatto</button></form>",
        n = log.len(),
        csrf = csrf_input(s),
        banner = f.banner_html(),
        on = f.input("on", "Data", "date", "required"),
        channel = f.select("channel", "Canale", &choices!(ContactChannel)),
        note = f.textarea(
            "note",
            "Nota",
            "Che cosa è successo, in breve (es. «chiamata, non risponde»). Niente dati sulla salute."
        ),
    );
    if log.is_empty() {
        out.push_str("<p>Nessun contatto registrato.</p>");
    } else {
        out.push_str("<ul class=\"contact-log\">");
        for c in log {
            let _ = write!(
                out,
                "<li><strong>{}</strong> · {} — {}</li>",
                date_it(c.on),
                esc(c.channel.label()),
                esc(&c.note)
            );
        }
        out.push_str("</ul>");
    }
    out.push_str("</section>");
    out
}

async fn add(
    about: RecordKind,
    id: String,
    pairs: Vec<(String, String)>,
    s: Option<Session>,
    state: Arc<State>,
) -> Page {
    let roles = page_of(about, Id(0)).1;
    let (s, id) = posted_on(s, roles, &pairs, &id)?;
    let actor = s.actor;
    let body = serde_json::json!({
        "on": value(&pairs, "on"),
        "channel": value(&pairs, "channel"),
        "note": value(&pairs, "note"),
    });
    let added = state
        .blocking(move |st| {
            access::add_contact(&st.engine, &actor, about, id, || {
                Ok(json::parse::<ContactInput>(body)?)
            })
        })
        .await;
    let (back, _) = page_of(about, id);
    match added {
        Ok(_) => Ok(redirect(&format!("{back}#contatti"))),
        Err(e) => {
            // The form again, with what was typed and the error beside its field.
            let mut f = state_of(&pairs);
            refusal(&mut f, e)?;
            let log = state
                .blocking(move |st| access::contacts(&st.engine, &actor, about, id))
                .await?;
            let body = format!(
                "{}<p><a href=\"{back}\">Torna alla pagina</a></p>",
                html(&s, about, id, &f, &log)
            );
            Ok(respond(
                StatusCode::UNPROCESSABLE_ENTITY,
                page(Some(&s), "Contatto non registrato", &body),
            ))
        }
    }
}

fn value<'a>(pairs: &'a [(String, String)], name: &str) -> &'a str {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.as_str())
}
