//! "Perché non compare?" on the request page (desk only): find a person by name, then
//! see whether they are a candidate — every hard constraint they fail, in Italian, or
//! their rank, score and reasons — and propose anyone eligible, not only the top nine.

use std::collections::HashMap;
use std::fmt::Write;

use matcher::model::{Actor, Id, Request};
use matcher::{Date, WhyNot, WorkerFilter, MAX_LIMIT};

use crate::access;
use crate::app::State;
use crate::error::ApiError;
use crate::web::csrf_input;
use crate::web::html::{esc, tel_link, url};
use crate::web::session::Session;

/// How many cards a name search lists.
const FOUND: usize = 20;
/// The longest name searched (the desk's search takes the same).
const NAME_CHARS: usize = 100;

/// A person found by name.
pub struct Found {
    pub id: Id,
    pub name: String,
    pub place: String,
}

/// What the section shows: the name searched, who was found, and the verdict on the
/// person picked.
#[derive(Default)]
pub struct WhyNotView {
    pub name: String,
    pub found: Vec<Found>,
    pub picked: Option<Picked>,
}

pub struct Picked {
    pub name: String,
    pub phone: String,
    pub why: WhyNot,
}

/// Reads what the section needs from the page's query (`nome`, `persona`); only the
/// desk asks.
pub fn load(
    st: &State,
    actor: &Actor,
    request: Id,
    q: &HashMap<String, String>,
) -> Result<WhyNotView, ApiError> {
    access::desk(actor)?;
    let mut view = WhyNotView {
        name: q
            .get("nome")
            .map(|n| n.trim().chars().take(NAME_CHARS).collect())
            .unwrap_or_default(),
        ..WhyNotView::default()
    };
    if !view.name.is_empty() {
        let (_, workers) =
            st.engine
                .search_workers(&view.name, &WorkerFilter::default(), 0, FOUND)?;
        view.found = workers
            .into_iter()
            .map(|w| Found {
                id: w.id,
                name: w.full_name(),
                place: super::requests::place(&w.comune),
            })
            .collect();
    }
    let picked = q.get("persona").and_then(|p| p.parse::<Id>().ok());
    if let Some(worker) = picked {
        if let Some(w) = st.engine.find_worker(worker)? {
            let why = st.engine.why(request, worker, Date::today())?;
            view.picked = Some(Picked {
                name: w.full_name(),
                phone: w.phone,
                why,
            });
        }
    }
    Ok(view)
}

/// The section of the request page.
pub fn section(s: &Session, r: &Request, view: &WhyNotView, proposed: &[Id]) -> String {
    let mut out = format!(
        "<section id=\"perche\" class=\"why-not\" aria-labelledby=\"perche-t\">\
         <h2 id=\"perche-t\">Perché non compare?</h2>\
         <p>Cerchi una persona per nome: DOM dice se può essere proposta per questa richiesta \
         e, se no, quali requisiti non soddisfa.</p>\
         <form method=\"get\" action=\"/ui/richieste/{id}#perche\" class=\"filters\" role=\"search\">\
         <div class=\"field\"><label for=\"perche-nome\">Nome e cognome</label>\
         <input id=\"perche-nome\" type=\"search\" name=\"nome\" value=\"{name}\" maxlength=\"{NAME_CHARS}\" required></div>\
         <button type=\"submit\">Cerca</button></form>",
        id = r.id,
        name = esc(&view.name),
    );
    if !view.name.is_empty() {
        if view.found.is_empty() {
            out.push_str("<p role=\"status\">Nessuna scheda con questo nome.</p>");
        } else {
            out.push_str("<ul class=\"found\">");
            for f in &view.found {
                let _ = write!(
                    out,
                    "<li><a href=\"/ui/richieste/{rid}?nome={q}&amp;persona={wid}#perche\">{name}</a> — {place}</li>",
                    rid = r.id,
                    q = url(&view.name),
                    wid = f.id,
                    name = esc(&f.name),
                    place = esc(&f.place),
                );
            }
            out.push_str("</ul>");
        }
    }
    if let Some(p) = &view.picked {
        out.push_str(&verdict(s, r, p, proposed.contains(&p.why.worker_id)));
    }
    out.push_str("</section>");
    out
}

fn verdict(s: &Session, r: &Request, p: &Picked, proposed: bool) -> String {
    let name = esc(&p.name);
    let w = &p.why;
    if !w.eligible {
        let items: String = w
            .excluded_by
            .iter()
            .map(|e| format!("<li>{}</li>", esc(&e.detail)))
            .collect();
        return format!(
            "<div class=\"verdict excluded\" role=\"status\"><h3>{name} non compare</h3>\
             <p>Non può essere proposta per questa richiesta perché:</p><ul class=\"excluded\">{items}</ul></div>"
        );
    }
    let place = match w.rank {
        Some(n) => format!("è al {n}° posto della classifica"),
        None => format!("è oltre il {MAX_LIMIT}° posto della classifica"),
    };
    let action = if proposed {
        "<p>Già proposta per questa richiesta.</p>".to_string()
    } else if r.is_open() {
        format!(
            "<form method=\"post\" action=\"/ui/richieste/{rid}/proponi\">{csrf}\
             <input type=\"hidden\" name=\"worker_id\" value=\"{wid}\">\
             <button type=\"submit\">Proponi {name}</button></form>",
            rid = r.id,
            csrf = csrf_input(s),
            wid = w.worker_id,
        )
    } else {
        "<p>La richiesta non è aperta: non si possono fare proposte.</p>".to_string()
    };
    format!(
        "<div class=\"verdict eligible\" role=\"status\"><h3>{name} può essere proposta</h3>\
         <p>Rispetta tutti i requisiti della richiesta: {place}, con {score:.0} punti. \
         Telefono: {phone}.</p>\
         {explanation}{action}</div>",
        score = w.score.unwrap_or_default(),
        phone = tel_link(&p.phone),
        explanation = super::requests::explanation(&w.reasons, &w.warnings),
    )
}
