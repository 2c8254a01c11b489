//! Retiring a card (the person no longer looks for work through the desk) and putting it
//! back among the available ones: desk operators, after an explicit confirmation.

use std::sync::Arc;

use matcher::model::{Role, Worker, WorkerStatus};
use matcher::Date;
use warp::filters::BoxedFilter;
use warp::reply::Response;
use warp::Filter;

use crate::app::State;
use crate::error::ApiError;
use crate::web::html::esc;
use crate::web::session::Session;
use crate::web::{csrf_input, posted_on, redirect, render, session, Page};

pub fn routes(state: Arc<State>) -> BoxedFilter<(Response,)> {
    warp::path!("ui" / "schede" / String / "stato")
        .and(warp::post())
        .and(crate::web::form())
        .and(session(state))
        .and_then(|id, f, s, st| render(set_status(id, f, s, st)))
        .boxed()
}

/// The change a card's page offers: retire an available card, reactivate a retired one
/// (a placed card changes with its job's outcome, not here).
fn offered(w: &Worker) -> Option<(WorkerStatus, &'static str, &'static str)> {
    match w.status {
        // An imported card still to complete may be retired; it becomes available
        // only by completing and reconfirming it (the card's edit form).
        WorkerStatus::Available | WorkerStatus::Incomplete => Some((
            WorkerStatus::Inactive,
            "Ritira la scheda",
            "Confermo: la persona non cerca più lavoro tramite lo sportello (non comparirà tra i candidati)",
        )),
        WorkerStatus::Inactive => Some((
            WorkerStatus::Available,
            "Rendi di nuovo disponibile",
            "Confermo: la persona cerca di nuovo lavoro",
        )),
        WorkerStatus::Placed => None,
    }
}

/// The button, with the confirmation it needs (a required checkbox, checked again by the
/// server, so it works without script).
pub fn buttons(s: &Session, w: &Worker) -> String {
    let Some((to, button, confirm)) = offered(w) else {
        return String::new();
    };
    format!(
        "<form method=\"post\" action=\"/ui/schede/{id}/stato\" class=\"inline status-change\">{csrf}\
         <input type=\"hidden\" name=\"status\" value=\"{to}\">\
         <label class=\"check\"><input type=\"checkbox\" name=\"conferma\" value=\"si\" required> {confirm}</label>\
         <button type=\"submit\" class=\"secondary\">{button}</button></form>",
        id = w.id,
        csrf = csrf_input(s),
        to = to.as_str(),
        confirm = esc(confirm),
    )
}

async fn set_status(
    id: String,
    pairs: Vec<(String, String)>,
    s: Option<Session>,
    state: Arc<State>,
) -> Page {
    let (s, id) = posted_on(s, &[Role::Operator], &pairs, &id)?;
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let status = get("status")
        .and_then(WorkerStatus::parse)
        .filter(|s| *s != WorkerStatus::Placed)
        .ok_or_else(|| ApiError::BadInput {
            field: Some("status".into()),
            message: "stato non valido: disponibile o ritirata".into(),
        })?;
    if get("conferma") != Some("si") {
        return Ok(redirect(&format!(
            "/ui/schede/{id}?errore=Spuntare+la+conferma+prima+di+cambiare+lo+stato"
        )));
    }
    let actor = s.actor;
    state
        .blocking(move |st| {
            Ok(st.engine.patch_worker(
                &actor,
                id,
                &serde_json::json!({"status": status.as_str()}),
                Date::today(),
            )?)
        })
        .await?;
    let done = if status == WorkerStatus::Inactive {
        "ritirata"
    } else {
        "riattivata"
    };
    Ok(redirect(&format!("/ui/schede/{id}?{done}=1")))
}
