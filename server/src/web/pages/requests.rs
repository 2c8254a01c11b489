//! Family requests: list, register (with guidance for referrers), and the request page —
//! for the desk the ranked candidates side by side with every reason, for the referrer
//! the proposed people's family cards — with proposing and recording outcomes.

use std::collections::HashMap;
use std::fmt::Write;
use std::sync::Arc;

use matcher::model::{
    Candidate, ExperienceKind, FamilyCard, Id, Job, Level, LiveIn, NotHiredReason, OutcomeKind,
    Proposal, Reason, Reporter, Request, RequestStatus, Role, Worker,
};
use matcher::{italian, Date};
use matcher::{Comuni, OutcomeInput};
use warp::filters::BoxedFilter;
use warp::http::StatusCode;
use warp::reply::Response;
use warp::Filter;

use super::refusal::{save_or_refuse, wage_confirmation};
use super::workers::{choices, LANGUAGE_LIST};
use super::{outcome_history, request_actions, why_not};
use crate::access::{self, parse_id};
use crate::app::State;
use crate::error::ApiError;
use crate::web::form::{self, to_json, REQUEST};
use crate::web::html::{date_it, esc, page, respond, tel_link, FormState};
use crate::web::problems;
use crate::web::session::Session;
use crate::web::{
    checked, csrf_input, ok_html, posted_on, query, redirect, render, session, signed_in, Page,
};

pub fn routes(state: Arc<State>) -> BoxedFilter<(Response,)> {
    let list = warp::path!("ui" / "richieste")
        .and(warp::get())
        .and(query())
        .and(session(state.clone()))
        .and_then(|q, s: Option<Session>, st| {
            render(async move {
                let s = signed_in(s, &[Role::Operator, Role::Referrer])?;
                list_page(s, st, q).await
            })
        });
    let new_form = warp::path!("ui" / "richieste" / "nuova")
        .and(warp::get())
        .and(session(state.clone()))
        .and_then(|s, _st| render(async move { new_form(s) }));
    let create = warp::path!("ui" / "richieste" / "nuova")
        .and(warp::post())
        .and(crate::web::form())
        .and(session(state.clone()))
        .and_then(|f, s, st| render(create(f, s, st)));
    let show = warp::path!("ui" / "richieste" / String)
        .and(warp::get())
        .and(query())
        .and(session(state.clone()))
        .and_then(|id, q, s, st| render(show(id, q, s, st)));
    let propose = warp::path!("ui" / "richieste" / String / "proponi")
        .and(warp::post())
        .and(crate::web::form())
        .and(session(state.clone()))
        .and_then(|id, f, s, st| render(propose(id, f, s, st)));
    let outcome = warp::path!("ui" / "proposte" / String / "esito")
        .and(warp::post())
        .and(crate::web::form())
        .and(session(state))
        .and_then(|id, f, s, st| render(outcome(id, f, s, st)));
    list.or(new_form)
        .unify()
        .or(create)
        .unify()
        .or(propose)
        .unify()
        .or(show)
        .unify()
        .or(outcome)
        .unify()
        .boxed()
}

pub fn place(istat: &str) -> String {
    Comuni::get().name_of(istat)
}

pub async fn list_page(s: Session, state: Arc<State>, q: HashMap<String, String>) -> Page {
    let actor = s.actor;
    let status = q.get("stato").and_then(|v| RequestStatus::parse(v));
    let requests = state
        .blocking(move |st| Ok(st.engine.requests(access::request_scope(&actor)?, status)?))
        .await?;
    let mut rows = String::new();
    for r in requests.iter().take(300) {
        let _ = write!(
            rows,
            "<tr><td><a href=\"/ui/richieste/{id}\">{family}</a></td><td>{job}</td><td>{place}</td>\
             <td>{start}</td><td><span class=\"tag s-{st}\">{status}</span></td><td>{created}</td></tr>",
            id = r.id,
            family = esc(if r.family_name.is_empty() { "(anonimizzata)" } else { &r.family_name }),
            job = r.job.label(),
            place = esc(&place(&r.comune)),
            start = date_it(r.start_on),
            st = r.status.as_str(),
            status = r.status.label(),
            created = date_it(r.created_on),
        );
    }
    let mut filter = String::from(
        "<nav class=\"tabs\" aria-label=\"Filtra per stato\"><a href=\"/ui/richieste\">Tutte</a>",
    );
    for st in RequestStatus::ALL {
        let _ = write!(
            filter,
            "<a href=\"/ui/richieste?stato={}\">{}</a>",
            st.as_str(),
            st.label()
        );
    }
    filter.push_str("</nav>");
    let title = if s.actor.role == Role::Referrer {
        "Le nostre richieste"
    } else {
        "Richieste delle famiglie"
    };
    let body = format!(
        "<p><a class=\"button\" href=\"/ui/richieste/nuova\">Nuova richiesta</a></p>{filter}\
         <table><thead><tr><th>Famiglia</th><th>Lavoro</th><th>Comune</th><th>Inizio</th><th>Stato</th><th>Ricevuta il</th></tr></thead>\
         <tbody>{rows}</tbody></table>"
    );
    ok_html(page(Some(&s), title, &body))
}

const GUIDANCE: &str = "<aside class=\"guidance\" aria-labelledby=\"g-title\"><h2 id=\"g-title\">Cosa chiedere alla famiglia</h2><ul>\
<li>Che lavoro serve (colf, badante, babysitter, notte, ospedale) e da quando.</li>\
<li>Se la persona deve convivere, e quante ore a settimana (chi convive: al massimo 54).</li>\
<li>Di che cosa ha bisogno la persona assistita, con parole semplici: anziano autosufficiente o no, demenza, mobilità ridotta, bambini piccoli.</li>\
<li>Lingue utili e livello minimo di italiano; se serve la patente.</li>\
<li>Quanto può offrire al mese: lo sportello spiegherà i minimi del contratto (CCNL).</li>\
<li>Non si possono chiedere né annotare preferenze di nazionalità, origine, religione o colore: la legge lo vieta e DOM rifiuta la richiesta.</li>\
</ul></aside>";

/// The request's form, new (`/ui/richieste/nuova`) or edit; inputs named by the API's
/// JSON paths.
pub(super) fn request_form(s: &Session, f: &FormState, action: &str, label: &str) -> String {
    let levels = choices!(Level, "nessun requisito");
    let lang_levels = choices!(Level, "—");
    let mut rows = String::new();
    for i in 0..2 {
        let _ = write!(
            rows,
            "<div class=\"row\">{}{}</div>",
            f.input(
                &format!("requires.languages[{i}].code"),
                &format!("Altra lingua {}", i + 1),
                "text",
                LANGUAGE_LIST
            ),
            f.select(
                &format!("requires.languages[{i}].level"),
                "Livello",
                &lang_levels
            )
        );
    }
    format!(
        "{guidance}{banner}<form method=\"post\" action=\"{action}\" class=\"card-form\" novalidate>{csrf}\
         <fieldset><legend>Famiglia</legend>{family}{phone}{comune}</fieldset>\
         <fieldset><legend>Lavoro</legend>{job}{live}{hours}{start}{offered}{offered_ok}{positions}</fieldset>\
         {needs}<fieldset><legend>Requisiti</legend>{licence}{italian}{rows}</fieldset>{notes}\
         <button type=\"submit\">{label}</button></form>{lists}",
        action = esc(action),
        label = esc(label),
        lists = form::datalists(),
        guidance = if s.actor.role == Role::Referrer { GUIDANCE } else { "" },
        banner = f.banner_html(),
        csrf = csrf_input(s),
        family = f.input("family_name", "Cognome della famiglia", "text", "required autocomplete=\"off\""),
        phone = f.input("phone", "Telefono", "tel", "required"),
        comune = f.input("comune", "Comune dove si lavora", "text", "required"),
        job = f.select("job", "Lavoro", &choices!(Job)),
        live = f.select("live_in", "Convivenza", &choices!(LiveIn)),
        hours = f.input("hours_per_week", "Ore a settimana", "number", "min=\"1\" max=\"60\" required"),
        start = f.input("start_on", "Inizio", "date", "required"),
        offered = f.input("offered.monthly_eur", "Paga mensile offerta (€, es. 1.100)", "text", "inputmode=\"decimal\" autocomplete=\"off\""),
        offered_ok = wage_confirmation(f, "offered.monthly_eur"),
        positions = f.input("positions", "Persone da assumere", "number", "min=\"1\" max=\"5\""),
        needs = f.checkboxes("needs", "Bisogni della persona assistita", &choices!(ExperienceKind)),
        licence = f.checkbox("requires.driving_license", "Serve la patente"),
        italian = f.select("requires.italian_min", "Italiano almeno", &levels),
        notes = f.textarea("notes", "Note", "Ciò che aiuta a scegliere. Le note sono visibili solo alla vostra organizzazione e agli sportelli."),
    )
}

fn new_request_form(s: &Session, f: &FormState) -> String {
    request_form(s, f, "/ui/richieste/nuova", "Registra la richiesta")
}

fn new_form(s: Option<Session>) -> Page {
    let s = signed_in(s, &[Role::Operator, Role::Referrer])?;
    let mut f = FormState::default();
    f.values.insert(
        "start_on".into(),
        vec![Date::today().add_days(7).to_string()],
    );
    f.values.insert("live_in".into(), vec!["no".into()]);
    f.values.insert("positions".into(), vec!["1".into()]);
    ok_html(page(Some(&s), "Nuova richiesta", &new_request_form(&s, &f)))
}

async fn create(typed: Vec<(String, String)>, s: Option<Session>, state: Arc<State>) -> Page {
    let s = signed_in(s, &[Role::Operator, Role::Referrer])?;
    checked(&s, &typed)?;
    let body = to_json(&form::with_codes(&typed), &REQUEST);
    let mut f = form::state_of(&typed);
    let actor = s.actor;
    let sent = body.clone();
    let save = move |st: &State| {
        Ok(st
            .engine
            .register_request(&sent, Some(&actor), Date::today())?)
    };
    let all = || problems::of_request(&body, Date::today());
    let wage = "offered.monthly_eur";
    if let Some(r) = save_or_refuse(&mut f, &typed, &body, wage, &state, save, all).await? {
        return Ok(redirect(&format!("/ui/richieste/{}?registrata=1", r.id)));
    }
    Ok(respond(
        StatusCode::UNPROCESSABLE_ENTITY,
        page(Some(&s), "Nuova richiesta", &new_request_form(&s, &f)),
    ))
}

fn details(r: &Request) -> String {
    let needs: Vec<&str> = r.needs.iter().map(|n| n.label()).collect();
    format!(
        "<dl class=\"summary\"><dt>Stato</dt><dd>{status}{why}</dd><dt>Persone da assumere</dt><dd>{positions}</dd>\
         <dt>Lavoro</dt><dd>{job}, {live}, {hours} ore a settimana</dd>\
         <dt>Comune</dt><dd>{place}</dd><dt>Inizio</dt><dd>{start}</dd><dt>Telefono</dt><dd>{phone}</dd>\
         <dt>Bisogni</dt><dd>{needs}</dd><dt>Paga offerta</dt><dd>{offered}</dd><dt>Note</dt><dd>{notes}</dd></dl>",
        status = r.status.label(),
        why = r.status_reason.as_deref().map_or(String::new(), |w| format!(" — motivo: {}", esc(w))),
        positions = r.positions,
        job = r.job.label(),
        live = r.live_in.label(),
        hours = r.hours_per_week,
        place = esc(&place(&r.comune)),
        start = date_it(r.start_on),
        phone = esc(&r.phone),
        needs = esc(&needs.join(", ")),
        offered = r.offered.map_or("—".to_string(), |w| format!("{} al mese", italian::money(w.monthly_eur))),
        notes = esc(&r.notes),
    )
}

pub fn family_card_html(card: &FamilyCard) -> String {
    let langs: Vec<String> = card
        .languages
        .iter()
        .map(|l| italian::language_skill(&l.code, l.level))
        .collect();
    let exp: Vec<String> = card
        .experience
        .iter()
        .map(|e| format!("{} ({} anni)", e.kind.label(), e.years))
        .collect();
    format!(
        "<dl class=\"family-card\"><dt>Nome</dt><dd class=\"name\">{name}</dd>\
         <dt>Lavori</dt><dd>{jobs}</dd><dt>Esperienza</dt><dd>{exp}</dd><dt>Lingue</dt><dd>{langs}</dd>\
         <dt>Disponibilità</dt><dd>{live}, da {min} a {max} ore a settimana</dd><dt>Patente</dt><dd>{licence}</dd></dl>",
        name = esc(&card.given_name),
        jobs = esc(&card.jobs.iter().map(|j| j.label()).collect::<Vec<_>>().join(", ")),
        exp = esc(&exp.join(", ")),
        langs = esc(&langs.join(", ")),
        live = card.live_in.label(),
        min = card.hours_per_week.min,
        max = card.hours_per_week.max,
        licence = if card.driving_license { "sì" } else { "no" },
    )
}

/// Why a score: one row per factor, then the warnings (candidates and "why not?").
pub(super) fn explanation(reasons: &[Reason], warnings: &[String]) -> String {
    let mut rows = String::new();
    for r in reasons {
        let _ = write!(
            rows,
            "<tr><td>{}</td><td class=\"num\">{}</td><td>{}</td></tr>",
            italian::factor(&r.factor).unwrap_or("altro"),
            italian::score(r.points),
            esc(&r.detail)
        );
    }
    let warnings: String = warnings
        .iter()
        .map(|w| format!("<li>{}</li>", esc(w)))
        .collect();
    format!(
        "<table class=\"reasons\"><caption>Perché questo punteggio</caption><thead><tr><th>Fattore</th><th>Punti</th><th>Dettaglio</th></tr></thead><tbody>{rows}</tbody></table>{warn}",
        warn = if warnings.is_empty() { String::new() } else { format!("<ul class=\"warnings\" aria-label=\"Attenzione\">{warnings}</ul>") },
    )
}

fn candidate_html(c: &Candidate, person: &Person, place_name: &str, checked_box: bool) -> String {
    format!(
        "<article class=\"candidate\" aria-labelledby=\"c-{id}\"><header><h3 id=\"c-{id}\">{name}</h3>\
         <span class=\"score\" aria-label=\"punteggio\">{score:.0}</span></header><p class=\"where\">{place}</p>{phone}\
         {explanation}<p><a href=\"/ui/schede/{id}\">Apri la scheda</a></p>\
         <label class=\"check\"><input type=\"checkbox\" name=\"worker_id\" value=\"{id}\"{checked}> Proponi {name}</label></article>",
        id = c.worker_id,
        name = esc(&person.name),
        score = c.score,
        place = esc(place_name),
        phone = person.phone_line(),
        explanation = explanation(&c.reasons, &c.warnings),
        checked = if checked_box { " checked" } else { "" },
    )
}

/// A worker as the request page shows them: the family card, the full name, and the
/// phone only for those who may call (`access::sees_worker_phone`).
struct Person {
    card: FamilyCard,
    name: String,
    phone: Option<String>,
}

impl Person {
    fn of(w: &Worker, phone: bool) -> Person {
        Person {
            card: w.family_card(),
            name: w.full_name(),
            phone: phone.then(|| w.phone.clone()),
        }
    }

    fn phone_line(&self) -> String {
        self.phone.as_deref().map_or(String::new(), |p| {
            format!("<p class=\"phone\">Telefono: {}</p>", tel_link(p))
        })
    }
}

fn outcome_form(s: &Session, p: &Proposal, back: &str) -> String {
    let reasons = outcome_history::reason_options();
    format!(
        "<div class=\"outcome\"><form method=\"post\" action=\"/ui/proposte/{id}/esito\" class=\"inline\">{csrf}\
         <input type=\"hidden\" name=\"back\" value=\"{back}\"><input type=\"hidden\" name=\"outcome\" value=\"hired\">\
         <label>Inizio <input type=\"date\" name=\"start_on\" value=\"{today}\"></label>\
         <button type=\"submit\">Assunta/o</button></form>\
         <form method=\"post\" action=\"/ui/proposte/{id}/esito\" class=\"inline\">{csrf}\
         <input type=\"hidden\" name=\"back\" value=\"{back}\"><input type=\"hidden\" name=\"outcome\" value=\"not_hired\">\
         <label>Motivo <select name=\"reason\">{reasons}</select></label>\
         <button type=\"submit\" class=\"secondary\">Non assunta/o</button></form></div>",
        id = p.id,
        csrf = csrf_input(s),
        back = esc(back),
        today = Date::today(),
    )
}

/// Confirmations the actions send back to the request page, by query key.
const NOTICES: &[(&str, &str)] = &[
    ("registrata", "Richiesta registrata."),
    ("salvata", "Modifiche salvate."),
    ("chiusa", "Richiesta chiusa."),
    ("riaperta", "Richiesta riaperta."),
    ("esito", "Esito registrato."),
];

async fn show(
    id: String,
    q: HashMap<String, String>,
    s: Option<Session>,
    state: Arc<State>,
) -> Page {
    let s = signed_in(s, &[Role::Operator, Role::Referrer])?;
    let id = parse_id(&id)?;
    let actor = s.actor;
    let desk = actor.role == Role::Operator;
    let phones = access::sees_worker_phone(&actor);
    let query = q.clone();
    let (r, mut proposals, people, candidates, why) = state
        .blocking(move |st| {
            let r = access::read_request(&st.engine, &actor, id)?;
            let proposals = st.engine.proposals_of(id)?;
            let mut people = HashMap::new();
            for p in &proposals {
                if let Some(w) = st.engine.find_worker(p.worker_id)? {
                    people.insert(p.worker_id, Person::of(&w, phones));
                }
            }
            let mut candidates = Vec::new();
            if desk && r.is_open() {
                for c in st.engine.candidates(id, 9, Date::today())? {
                    if let Some(w) = st.engine.find_worker(c.worker_id)? {
                        candidates.push((c, Person::of(&w, phones), place(&w.comune)));
                    }
                }
            }
            let why = if desk {
                Some(why_not::load(st, &actor, id, &query)?)
            } else {
                None
            };
            Ok((r, proposals, people, candidates, why))
        })
        .await?;
    let proposed: Vec<Id> = proposals.iter().map(|p| p.worker_id).collect();
    // What needs the desk's eyes comes first.
    proposals.sort_by_key(|p| !p.needs_review);
    let mut body = String::new();
    for (key, text) in NOTICES {
        if q.contains_key(*key) {
            let _ = write!(
                body,
                "<div class=\"banner ok\" role=\"status\">{text}</div>"
            );
        }
    }
    if let Some(n) = q.get("proposte") {
        let _ = write!(
            body,
            "<div class=\"banner ok\" role=\"status\">Proposte registrate: {}.</div>",
            esc(n)
        );
    }
    if let Some(e) = q.get("errore") {
        let _ = write!(
            body,
            "<div class=\"banner error\" role=\"alert\">{}</div>",
            esc(e)
        );
    }
    let to_review = proposals.iter().filter(|p| p.needs_review).count();
    if to_review > 0 {
        let _ = write!(
            body,
            "<div class=\"banner error\" role=\"alert\"><a href=\"#proposte\">Proposte da verificare: {to_review}</a> \
             — una risposta contraddice l'esito registrato.</div>"
        );
    }
    body.push_str(&details(&r));
    body.push_str(&request_actions::panel(&s, &r));
    let back = format!("/ui/richieste/{}", r.id);
    let _ = write!(
        body,
        "<h2 id=\"proposte\">Proposte ({})</h2>",
        proposals.len()
    );
    if proposals.is_empty() {
        body.push_str("<p>Nessuna proposta ancora.</p>");
    } else {
        let _ = write!(
            body,
            "<p><a class=\"button\" href=\"/ui/richieste/{id}/stampa\">Stampa le schede per la famiglia</a> \
             <a class=\"button secondary\" href=\"/ui/richieste/{id}/doveri\">Stampa i doveri del datore di lavoro</a></p><div class=\"grid\">",
            id = r.id
        );
        for p in &proposals {
            body.push_str(&proposal_html(&s, p, people.get(&p.worker_id), &back));
        }
        body.push_str("</div>");
    }
    if desk && !candidates.is_empty() {
        let _ = write!(
            body,
            "<h2>Candidati</h2><p>I migliori per questa richiesta, con il perché di ogni punteggio. \
             La nazionalità non entra mai nel calcolo.</p>\
             <form method=\"post\" action=\"/ui/richieste/{id}/proponi\">{csrf}<div class=\"grid\">",
            id = r.id,
            csrf = csrf_input(&s)
        );
        for (c, person, where_) in &candidates {
            if !proposed.contains(&c.worker_id) {
                body.push_str(&candidate_html(c, person, where_, false));
            }
        }
        body.push_str(
            "</div><button type=\"submit\">Proponi le persone selezionate</button></form>",
        );
    }
    if let Some(view) = &why {
        body.push_str(&why_not::section(&s, &r, view, &proposed));
    }
    body.push_str(
        &super::contacts::section(&state, &s, matcher::model::RecordKind::Request, r.id).await?,
    );
    let title = format!("Richiesta {} — {}", r.job.label(), place(&r.comune));
    ok_html(page(Some(&s), &title, &body))
}

/// One proposal: the family card (with the full name and phone for the desk), its
/// outcome or the form to record it, the history of reports, and the desk's correction.
fn proposal_html(s: &Session, p: &Proposal, person: Option<&Person>, back: &str) -> String {
    let desk = s.actor.role == Role::Operator;
    let (card, title, phone) = match person {
        Some(x) => (
            family_card_html(&x.card),
            if desk { x.name.clone() } else { String::new() },
            x.phone_line(),
        ),
        None => (
            "<p>Scheda cancellata su richiesta della persona.</p>".into(),
            String::new(),
            String::new(),
        ),
    };
    let state_line = match &p.outcome {
        Some(o) => format!(
            "<p class=\"tag s-{}\">{}</p>{}",
            o.outcome.as_str(),
            o.outcome.label(),
            if desk {
                outcome_history::correction_form(s, p, back)
            } else {
                String::new()
            }
        ),
        None => outcome_form(s, p, back),
    };
    format!(
        "<article class=\"proposal{review}\" id=\"p-{id}\"><h3>{title}</h3>{mark}{card}{phone}\
         <p>Proposta il {on} · codice esito <code>{code}</code></p>{state_line}{history}</article>",
        review = if p.needs_review { " needs-review" } else { "" },
        id = p.id,
        title = esc(&title),
        mark = outcome_history::review_mark(p),
        on = date_it(p.proposed_on),
        code = esc(&p.outcome_code),
        history = outcome_history::history(p),
    )
}

async fn propose(
    id: String,
    pairs: Vec<(String, String)>,
    s: Option<Session>,
    state: Arc<State>,
) -> Page {
    let (s, id) = posted_on(s, &[Role::Operator], &pairs, &id)?;
    let workers: Vec<Id> = pairs
        .iter()
        .filter(|(k, _)| k == "worker_id")
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    if workers.is_empty() {
        return Ok(redirect(&format!(
            "/ui/richieste/{id}?errore=Selezionare+almeno+una+persona"
        )));
    }
    let actor = s.actor;
    let n = workers.len();
    let result = state
        .blocking(move |st| {
            for w in workers {
                st.engine
                    .propose(&actor, id, w, &st.policy, Date::today())?;
            }
            Ok(())
        })
        .await;
    match result {
        Ok(()) => Ok(redirect(&format!("/ui/richieste/{id}?proposte={n}"))),
        // A conflict, or someone ineligible (every failing constraint in the message),
        // is told on the request page.
        Err(ApiError::Matcher(
            e @ (matcher::Error::Conflict(_) | matcher::Error::NotEligible { .. }),
        )) => Ok(redirect(&format!(
            "/ui/richieste/{id}?errore={}",
            crate::web::html::url(&e.to_string())
        ))),
        Err(e) => Err(e),
    }
}

async fn outcome(
    id: String,
    pairs: Vec<(String, String)>,
    s: Option<Session>,
    state: Arc<State>,
) -> Page {
    let (s, id) = posted_on(s, &[Role::Operator, Role::Referrer], &pairs, &id)?;
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let outcome = match get("outcome").as_deref() {
        Some("hired") => OutcomeKind::Hired,
        Some("not_hired") => OutcomeKind::NotHired,
        _ => {
            return Err(ApiError::BadInput {
                field: Some("outcome".into()),
                message: "esito mancante".into(),
            })
        }
    };
    let input = OutcomeInput {
        outcome,
        reported_by: Reporter::Operator,
        reason: get("reason").and_then(|r| NotHiredReason::parse(&r)),
        note: String::new(),
        start_on: get("start_on").and_then(|d| d.parse().ok()),
        contract: None,
        correction: get("correction_reason")
            .filter(|r| !r.trim().is_empty())
            .map(|reason| matcher::Correction { reason }),
    };
    let back = get("back")
        .filter(|b| b.starts_with("/ui/"))
        .unwrap_or_else(|| "/ui/".into());
    let actor = s.actor;
    let result = state
        .blocking(move |st| access::record_outcome(st, &actor, id, || Ok(input)))
        .await;
    let sep = if back.contains('?') { '&' } else { '?' };
    match result {
        Ok(_) => Ok(redirect(&format!("{back}{sep}esito=1"))),
        Err(ApiError::Matcher(e))
            if e.field().is_some() || matches!(e, matcher::Error::Conflict(_)) =>
        {
            Ok(redirect(&format!(
                "{back}{sep}errore={}",
                crate::web::html::url(&e.to_string())
            )))
        }
        Err(e) => Err(e),
    }
}
