//! Worker cards for desk operators: search and browse, register (inline validation and
//! the duplicate warning), read and edit, reconfirm.

use std::collections::HashMap;
use std::fmt::Write;
use std::sync::Arc;

use matcher::model::{
    ExperienceKind, Gender, Id, Job, Level, LiveIn, PermitKind, Role, Worker, WorkerInput,
    WorkerStatus,
};
use matcher::{json, Date};
use matcher::{Comuni, WorkerFilter};
use warp::filters::BoxedFilter;
use warp::http::{HeaderValue, StatusCode};
use warp::reply::Response;
use warp::Filter;

use super::refusal::{save_or_refuse, wage_confirmation};
use crate::access::{self, parse_id};
use crate::app::State;
use crate::error::ApiError;
use crate::web::form::{self, to_json, values_of, WORKER};
use crate::web::html::{date_it, esc, page, respond, url, FormState};
use crate::web::problems;
use crate::web::session::Session;
use crate::web::{
    checked, csrf_input, ok_html, posted_on, query, redirect, render, session, signed_in, Page,
};

/// `(value, label)` pairs of a vocabulary, for selects and checkboxes; with a second
/// argument, led by an empty choice of that label ("any", "not given").
macro_rules! choices {
    ($t:ty) => {
        <$t>::ALL
            .iter()
            .map(|v| (v.as_str(), v.label()))
            .collect::<Vec<(&str, &str)>>()
    };
    ($t:ty, $none:expr) => {
        std::iter::once(("", $none))
            .chain(<$t>::ALL.iter().map(|v| (v.as_str(), v.label())))
            .collect::<Vec<(&str, &str)>>()
    };
}
pub(crate) use choices;

pub fn routes(state: Arc<State>) -> BoxedFilter<(Response,)> {
    let list = warp::path!("ui" / "schede")
        .and(warp::get())
        .and(query())
        .and(session(state.clone()))
        .and_then(|q, s, st| render(list(q, s, st)));
    let new_form = warp::path!("ui" / "schede" / "nuova")
        .and(warp::get())
        .and(session(state.clone()))
        .and_then(|s, _st| render(async move { new_form(s) }));
    let create = warp::path!("ui" / "schede" / "nuova")
        .and(warp::post())
        .and(crate::web::form())
        .and(session(state.clone()))
        .and_then(|f, s, st| render(create(f, s, st)));
    let show = warp::path!("ui" / "schede" / String)
        .and(warp::get())
        .and(query())
        .and(session(state.clone()))
        .and_then(|id, q, s, st| render(show(id, q, s, st)));
    let edit = warp::path!("ui" / "schede" / String)
        .and(warp::post())
        .and(crate::web::form())
        .and(session(state.clone()))
        .and_then(|id, f, s, st| render(edit(id, f, s, st)));
    let reconfirm = warp::path!("ui" / "schede" / String / "riconferma")
        .and(warp::post())
        .and(crate::web::form())
        .and(session(state.clone()))
        .and_then(|id, f, s, st| render(reconfirm(id, f, s, st)));
    let export = warp::path!("ui" / "schede" / String / "esporta")
        .and(warp::get())
        .and(session(state.clone()))
        .and_then(|id, s, st| render(export(id, s, st)));
    let erase_form = warp::path!("ui" / "schede" / String / "cancella")
        .and(warp::get())
        .and(session(state.clone()))
        .and_then(|id, s, st| render(erase_form(id, s, st)));
    let erase = warp::path!("ui" / "schede" / String / "cancella")
        .and(warp::post())
        .and(crate::web::form())
        .and(session(state))
        .and_then(|id, f, s, st| render(erase(id, f, s, st)));
    list.or(new_form)
        .unify()
        .or(create)
        .unify()
        .or(reconfirm)
        .unify()
        .or(export)
        .unify()
        .or(erase_form)
        .unify()
        .or(erase)
        .unify()
        .or(show)
        .unify()
        .or(edit)
        .unify()
        .boxed()
}

fn desk(s: Option<Session>) -> Result<Session, ApiError> {
    signed_in(s, &[Role::Operator])
}

/// A desk session and the card id of the path.
fn desk_on(s: Option<Session>, id: &str) -> Result<(Session, Id), ApiError> {
    Ok((desk(s)?, parse_id(id)?))
}

async fn list(q: HashMap<String, String>, s: Option<Session>, state: Arc<State>) -> Page {
    let s = desk(s)?;
    let get = |k: &str| q.get(k).map(|v| v.trim().to_string()).unwrap_or_default();
    let mut f = FormState::default();
    for k in ["q", "nome", "job", "comune", "live_in", "status"] {
        f.values.insert(k.into(), vec![get(k)]);
    }
    let comune = match get("comune").as_str() {
        "" => None,
        c => match Comuni::get().resolve("comune", c) {
            Ok(c) => Some(c.istat.clone()),
            Err(e) => {
                // Searching everywhere instead would answer a question nobody asked.
                f.errors
                    .insert("comune".into(), crate::web::problems::message(&e));
                let body = format!(
                    "{}<p class=\"count\" role=\"status\">Comune «{}» non riconosciuto: nessuna ricerca fatta.</p>{}",
                    search_form(&f),
                    esc(c),
                    closest(&q, &e)
                );
                return ok_html(page(Some(&s), "Schede delle persone", &body));
            }
        },
    };
    let filter = WorkerFilter {
        text: get("q").chars().take(500).collect(),
        job: Job::parse(&get("job")),
        status: WorkerStatus::parse(&get("status")),
        live_in: LiveIn::parse(&get("live_in")),
        comune,
    };
    let name: String = get("nome").chars().take(100).collect();
    let offset: usize = get("da").parse().unwrap_or(0);
    let (total, workers) = state
        .blocking(move |st| Ok(st.engine.search_workers(&name, &filter, offset, 50)?))
        .await?;
    let mut rows = String::new();
    for w in &workers {
        let _ = write!(
            rows,
            "<tr><td><a href=\"/ui/schede/{id}\">{name}</a>{dup}</td><td>{comune}</td><td>{jobs}</td>\
             <td>{live}</td><td>{status}</td><td>{conf}</td></tr>",
            id = w.id,
            name = esc(&w.full_name()),
            dup = if w.possible_duplicate_of.is_empty() { "" } else { " <span class=\"tag warn\">possibile doppione</span>" },
            comune = esc(&Comuni::get().name_with_province(&w.comune)),
            jobs = esc(&w.jobs.iter().map(|j| j.label()).collect::<Vec<_>>().join(", ")),
            live = w.live_in.label(),
            status = w.status.label(),
            conf = date_it(w.confirmed_on),
        );
    }
    let body = format!(
        "{form}<p class=\"count\" role=\"status\">{total} schede trovate</p>\
         <table><thead><tr><th>Nome</th><th>Comune</th><th>Lavori</th><th>Convivenza</th><th>Stato</th><th>Confermata il</th></tr></thead>\
         <tbody>{rows}</tbody></table>{more}",
        form = search_form(&f),
        more = if offset + 50 < total {
            let mut next = q.clone();
            next.insert("da".into(), (offset + 50).to_string());
            let qs: Vec<String> = next.iter().map(|(k, v)| format!("{}={}", url(k), url(v))).collect();
            format!("<p><a href=\"/ui/schede?{}\">Altre schede</a></p>", qs.join("&amp;"))
        } else {
            String::new()
        },
    );
    let erased = if q.contains_key("cancellata") {
        "<div class=\"banner ok\" role=\"status\">Scheda cancellata.</div>"
    } else {
        ""
    };
    ok_html(page(
        Some(&s),
        "Schede delle persone",
        &format!("{erased}{body}"),
    ))
}

fn search_form(f: &FormState) -> String {
    format!(
        "<form method=\"get\" action=\"/ui/schede\" class=\"filters\" role=\"search\">{}{}{}{}{}{}\
         <button type=\"submit\">Cerca</button></form>",
        f.input("q", "Testo nelle note", "search", "maxlength=\"500\""),
        f.input("nome", "Nome e cognome", "search", "maxlength=\"100\""),
        f.select("job", "Lavoro", &choices!(Job, "tutti")),
        f.input("comune", "Comune", "text", "maxlength=\"80\""),
        f.select("live_in", "Convivenza", &choices!(LiveIn, "indifferente")),
        f.select("status", "Stato", &choices!(WorkerStatus, "tutti")),
    )
}

/// The closest comuni to an unrecognised one, each a link to the same search there.
fn closest(q: &HashMap<String, String>, e: &matcher::Error) -> String {
    let matcher::Error::UnknownComune { suggestions, .. } = e else {
        return String::new();
    };
    let mut items = String::new();
    for c in suggestions {
        let mut next = q.clone();
        next.insert("comune".into(), format!("{} ({})", c.name, c.province));
        next.remove("da");
        let mut qs: Vec<String> = next
            .iter()
            .map(|(k, v)| format!("{}={}", url(k), url(v)))
            .collect();
        qs.sort();
        let _ = write!(
            items,
            "<li><a href=\"/ui/schede?{}\">{} ({})</a></li>",
            qs.join("&amp;"),
            esc(&c.name),
            esc(&c.province)
        );
    }
    if items.is_empty() {
        String::new()
    } else {
        format!("<p>Forse cercava:</p><ul class=\"closest\">{items}</ul>")
    }
}

fn new_form(s: Option<Session>) -> Page {
    let s = desk(s)?;
    let mut f = FormState::default();
    f.values
        .insert("consent.given_on".into(), vec![Date::today().to_string()]);
    f.values
        .insert("hours_per_week.min".into(), vec!["10".into()]);
    f.values
        .insert("hours_per_week.max".into(), vec!["40".into()]);
    f.values.insert("max_travel_km".into(), vec!["20".into()]);
    ok_html(page(
        Some(&s),
        "Nuova scheda",
        &card_form(&s, &f, "/ui/schede/nuova", true),
    ))
}

/// Inputs that take a name from a list (typing filters it, in the browser itself).
pub(crate) const COUNTRY_LIST: &str = "list=\"paesi\" autocomplete=\"off\"";
pub(crate) const LANGUAGE_LIST: &str = "list=\"lingue\" autocomplete=\"off\"";

/// The card's form, new or edit; inputs named by the API's JSON paths.
fn card_form(s: &Session, f: &FormState, action: &str, new: bool) -> String {
    let gender = choices!(Gender, "non indicato");
    let levels = choices!(Level, "—");
    let kinds = choices!(ExperienceKind, "—");
    let mut languages = String::new();
    for i in 0..4 {
        let _ = write!(
            languages,
            "<div class=\"row\">{}{}</div>",
            f.input(
                &format!("languages[{i}].code"),
                &format!("Lingua {}", i + 1),
                "text",
                LANGUAGE_LIST
            ),
            f.select(&format!("languages[{i}].level"), "Livello", &levels),
        );
    }
    let mut experience = String::new();
    for i in 0..3 {
        let _ = write!(
            experience,
            "<div class=\"row\">{}{}</div>",
            f.select(
                &format!("experience[{i}].kind"),
                &format!("Esperienza {}", i + 1),
                &kinds
            ),
            f.input(
                &format!("experience[{i}].years"),
                "Anni",
                "number",
                "min=\"0\" max=\"60\""
            ),
        );
    }
    let consent = if new {
        format!(
            "<fieldset class=\"wide\"><legend>Consenso</legend>\
             <p class=\"hint\">La persona ha letto e firmato l'informativa sul trattamento dei dati (versione corrente).</p>{}</fieldset>",
            f.input("consent.given_on", "Data del consenso", "date", "required")
        )
    } else {
        String::new()
    };
    let wage = "wage_expectation.monthly_eur";
    let duplicate = if f.error("allow_duplicate").is_some() || f.has("allow_duplicate", "true") {
        f.checkbox(
            "allow_duplicate",
            "Confermo: è una persona diversa da quelle indicate sopra",
        )
    } else {
        String::new()
    };
    format!(
        "{banner}<form method=\"post\" action=\"{action}\" class=\"card-form\" novalidate>{csrf}\
         <fieldset><legend>Persona</legend>{given}{family}{birth}{gender}{nat}{phone}{comune}</fieldset>\
         <fieldset><legend>Lavoro cercato</legend>{jobs}{live}\
         <div class=\"row\">{hmin}{hmax}</div>{travel}{licence}{wage}{wage_ok}</fieldset>\
         <fieldset><legend>Lingue</legend>{languages}</fieldset>\
         <fieldset><legend>Esperienza</legend>{experience}</fieldset>\
         <fieldset><legend>Permesso di soggiorno</legend>{permit}{expires}</fieldset>\
         {notes}{consent}{duplicate}\
         <button type=\"submit\">{label}</button></form>{lists}",
        banner = f.banner_html(),
        lists = form::datalists(),
        csrf = csrf_input(s),
        given = f.input("given_name", "Nome", "text", "required autocomplete=\"off\""),
        family = f.input("family_name", "Cognome", "text", "required autocomplete=\"off\""),
        birth = f.input("birth_year", "Anno di nascita", "number", "min=\"1930\" max=\"2010\" required"),
        gender = f.select("gender", "Genere", &gender),
        nat = f.input("nationality", "Cittadinanza (solo per le statistiche, mai per la ricerca)", "text", COUNTRY_LIST),
        phone = f.input("phone", "Telefono", "tel", "required"),
        comune = f.input("comune", "Comune di residenza", "text", "required"),
        jobs = f.checkboxes("jobs", "Lavori", &choices!(Job)),
        live = f.select("live_in", "Convivenza", &choices!(LiveIn)),
        hmin = f.input("hours_per_week.min", "Ore settimanali: da", "number", "min=\"1\" max=\"60\""),
        hmax = f.input("hours_per_week.max", "a", "number", "min=\"1\" max=\"60\""),
        travel = f.input("max_travel_km", "Distanza massima (km)", "number", "min=\"0\" max=\"200\""),
        licence = f.checkbox("driving_license", "Patente di guida"),
        wage = f.input(wage, "Paga mensile desiderata (€, es. 1.100)", "text", "inputmode=\"decimal\" autocomplete=\"off\""),
        wage_ok = wage_confirmation(f, wage),
        permit = f.select("permit.kind", "Tipo", &choices!(PermitKind, "— scegliere —")),
        expires = f.input("permit.expires_on", "Scadenza", "date", ""),
        notes = f.textarea("notes", "Note", "Esperienze, referenze, disponibilità. Non scrivere dati sanitari o di altre persone."),
        label = if new { "Registra la scheda" } else { "Salva le modifiche" },
    )
}

async fn create(typed: Vec<(String, String)>, s: Option<Session>, state: Arc<State>) -> Page {
    let s = desk(s)?;
    checked(&s, &typed)?;
    let pairs = form::with_codes(&typed);
    let allow = pairs
        .iter()
        .any(|(k, v)| k == "allow_duplicate" && v == "true");
    let body = to_json(&pairs, &WORKER);
    let mut f = form::state_of(&typed);
    let actor = s.actor;
    let sent = body.clone();
    let save = move |st: &State| {
        let input: WorkerInput = json::parse(sent)?;
        Ok(st
            .engine
            .register_worker(input, Some(&actor), allow, Date::today())?)
    };
    let all = || problems::of_worker(&body, Date::today());
    let wage = "wage_expectation.monthly_eur";
    if let Some(w) = save_or_refuse(&mut f, &typed, &body, wage, &state, save, all).await? {
        return Ok(redirect(&format!("/ui/schede/{}?registrata=1", w.id)));
    }
    Ok(respond(
        StatusCode::UNPROCESSABLE_ENTITY,
        page(
            Some(&s),
            "Nuova scheda",
            &card_form(&s, &f, "/ui/schede/nuova", true),
        ),
    ))
}

fn summary(w: &Worker) -> String {
    let permit = match w.permit.expires_on {
        Some(d) => format!("{} (scade il {})", w.permit.kind.label(), date_it(d)),
        None => w.permit.kind.label().to_string(),
    };
    format!(
        "<dl class=\"summary\"><dt>Stato</dt><dd>{}</dd><dt>Telefono</dt><dd>{}</dd>\
         <dt>Comune</dt><dd>{}</dd><dt>Permesso</dt><dd>{}</dd><dt>Registrata il</dt><dd>{}</dd>\
         <dt>Confermata il</dt><dd>{}</dd><dt>Consenso</dt><dd>{} (informativa {})</dd></dl>",
        w.status.label(),
        esc(&w.phone),
        esc(&Comuni::get().name_with_province(&w.comune)),
        esc(&permit),
        date_it(w.registered_on),
        date_it(w.confirmed_on),
        date_it(w.consent.given_on),
        esc(&w.consent.text_version),
    )
}

async fn show(
    id: String,
    q: HashMap<String, String>,
    s: Option<Session>,
    state: Arc<State>,
) -> Page {
    let (s, id) = desk_on(s, &id)?;
    let actor = s.actor;
    let w = state
        .blocking(move |st| access::worker_card(&st.engine, &actor, id))
        .await?;
    let f = edit_values(w.to_input(), &w.comune);
    let log = super::contacts::section(&state, &s, matcher::model::RecordKind::Worker, id).await?;
    ok_html(page(
        Some(&s),
        &w.full_name(),
        &(card_page(&s, &w, &f, &q) + &log),
    ))
}

/// An edit form's values: the record's create body, the comune by name and province
/// (as the desk would type it) instead of its ISTAT code.
pub(super) fn edit_values(body: impl serde::Serialize, istat: &str) -> FormState {
    let mut f = FormState {
        values: form::with_names(values_of(&serde_json::to_value(body).unwrap_or_default())),
        ..FormState::default()
    };
    if let Some(c) = Comuni::get().by_code(istat) {
        f.values.insert(
            "comune".into(),
            vec![format!("{} ({})", c.name, c.province)],
        );
    }
    f
}

fn card_page(s: &Session, w: &Worker, f: &FormState, q: &HashMap<String, String>) -> String {
    let notice = if q.contains_key("registrata") {
        "<div class=\"banner ok\" role=\"status\">Scheda registrata.</div>"
    } else if q.contains_key("salvata") {
        "<div class=\"banner ok\" role=\"status\">Modifiche salvate.</div>"
    } else if q.contains_key("riconfermata") {
        "<div class=\"banner ok\" role=\"status\">Disponibilità riconfermata oggi.</div>"
    } else if q.contains_key("ritirata") {
        "<div class=\"banner ok\" role=\"status\">Scheda ritirata: la persona non compare più tra i candidati.</div>"
    } else if q.contains_key("riattivata") {
        "<div class=\"banner ok\" role=\"status\">Scheda di nuovo disponibile.</div>"
    } else {
        ""
    };
    let error = q.get("errore").map_or(String::new(), |e| {
        format!(
            "<div class=\"banner error\" role=\"alert\">{}</div>",
            esc(e)
        )
    });
    format!(
        "{notice}{error}{summary}\
         <form method=\"post\" action=\"/ui/schede/{id}/riconferma\" class=\"inline\">{csrf}\
         <button type=\"submit\">La persona conferma la disponibilità oggi</button></form>{status}\
         <p class=\"privacy\"><a href=\"/ui/schede/{id}/esporta\" download>Esporta tutti i dati della persona (JSON)</a> · \
         <a href=\"/ui/schede/{id}/cancella\">Cancella la scheda (diritto all'oblio)</a></p>\
         <h2>Modifica la scheda</h2>{form}",
        summary = summary(w),
        status = super::worker_status::buttons(s, w),
        id = w.id,
        csrf = csrf_input(s),
        form = card_form(s, f, &format!("/ui/schede/{}", w.id), false),
    )
}

/// Fields a cleared input must clear (a merge patch leaves absent fields unchanged).
const CLEARABLE: &[&str] = &["nationality", "wage_expectation", "gender"];

async fn edit(
    id: String,
    typed: Vec<(String, String)>,
    s: Option<Session>,
    state: Arc<State>,
) -> Page {
    let (s, id) = posted_on(s, &[Role::Operator], &typed, &id)?;
    let pairs = form::with_codes(&typed);
    let mut patch = to_json(&pairs, &WORKER);
    if let Some(obj) = patch.as_object_mut() {
        for k in CLEARABLE {
            obj.entry(k.to_string()).or_insert(serde_json::Value::Null);
        }
        obj.entry("notes").or_insert_with(|| "".into());
        for k in ["languages", "experience"] {
            obj.entry(k).or_insert_with(|| serde_json::json!([]));
        }
    }
    let w = state.blocking(move |st| Ok(st.engine.worker(id)?)).await?;
    // The card as it would be, for finding every problem of the edit at once; its
    // consent is not edited here, so nothing about it is the operator's to fix.
    let mut merged = serde_json::to_value(w.to_input()).unwrap_or_default();
    json::merge_patch(&mut merged, &patch);
    let all = move || {
        let mut found = problems::of_worker(&merged, Date::today());
        found.retain(|e| !e.field().is_some_and(|f| f.starts_with("consent")));
        found
    };
    let mut f = form::state_of(&typed);
    let actor = s.actor;
    let sent = patch.clone();
    let save = move |st: &State| Ok(st.engine.patch_worker(&actor, id, &sent, Date::today())?);
    let wage = "wage_expectation.monthly_eur";
    if save_or_refuse(&mut f, &typed, &patch, wage, &state, save, all)
        .await?
        .is_some()
    {
        return Ok(redirect(&format!("/ui/schede/{id}?salvata=1")));
    }
    Ok(respond(
        StatusCode::UNPROCESSABLE_ENTITY,
        page(
            Some(&s),
            &w.full_name(),
            &card_page(&s, &w, &f, &HashMap::new()),
        ),
    ))
}

async fn reconfirm(
    id: String,
    pairs: Vec<(String, String)>,
    s: Option<Session>,
    state: Arc<State>,
) -> Page {
    let (s, id) = posted_on(s, &[Role::Operator], &pairs, &id)?;
    let actor = s.actor;
    state
        .blocking(move |st| {
            Ok(st.engine.patch_worker(
                &actor,
                id,
                &serde_json::json!({"reconfirm": true}),
                Date::today(),
            )?)
        })
        .await?;
    Ok(redirect(&format!("/ui/schede/{id}?riconfermata=1")))
}

/// The person's data as a JSON download, through the session (the API needs a token).
async fn export(id: String, s: Option<Session>, state: Arc<State>) -> Page {
    let (s, id) = desk_on(s, &id)?;
    let actor = s.actor;
    let export = state
        .blocking(move |st| access::export_worker(&st.engine, &actor, id))
        .await?;
    let body = serde_json::to_vec_pretty(&export).map_err(|e| ApiError::Internal(e.to_string()))?;
    let mut r = Response::new(body.into());
    let h = r.headers_mut();
    h.insert(
        "content-type",
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    h.insert("cache-control", HeaderValue::from_static("no-store"));
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"dom-dati-personali-{id}.json\""
    )) {
        h.insert("content-disposition", v);
    }
    Ok(r)
}

const ERASE_CONFIRM: &str = "conferma_cancellazione";

/// Erasure asks first: what goes, what stays, and a box to tick.
async fn erase_form(id: String, s: Option<Session>, state: Arc<State>) -> Page {
    let (s, id) = desk_on(s, &id)?;
    erase_page(s, &state, id, false).await
}

/// The confirmation page; `missing` when it was sent without the box ticked.
async fn erase_page(s: Session, state: &Arc<State>, id: Id, missing: bool) -> Page {
    let actor = s.actor;
    let w = state
        .blocking(move |st| access::worker_card(&st.engine, &actor, id))
        .await?;
    let mut f = FormState::default();
    if missing {
        f.errors.insert(
            ERASE_CONFIRM.into(),
            "spuntare la conferma per cancellare".into(),
        );
    }
    let body = format!(
        "<p>La scheda di <strong>{name}</strong> sarà cancellata per sempre: dati personali, note, \
         lingue ed esperienze. Delle proposte fatte restano solo date ed esiti, senza nome, per il \
         rapporto mensile. Prima di cancellare, se la persona lo chiede, <a href=\"/ui/schede/{id}/esporta\" download>esporti i suoi dati</a>.</p>\
         <form method=\"post\" action=\"/ui/schede/{id}/cancella\" class=\"narrow\">{csrf}{check}\
         <button type=\"submit\" class=\"danger\">Cancella la scheda</button> <a href=\"/ui/schede/{id}\">Annulla</a></form>",
        name = esc(&w.full_name()),
        id = w.id,
        csrf = csrf_input(&s),
        check = f.checkbox(
            ERASE_CONFIRM,
            "La persona ha chiesto la cancellazione: confermo"
        ),
    );
    let status = if missing {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let title = format!("Cancellare la scheda di {}?", w.full_name());
    Ok(respond(status, page(Some(&s), &title, &body)))
}

async fn erase(
    id: String,
    pairs: Vec<(String, String)>,
    s: Option<Session>,
    state: Arc<State>,
) -> Page {
    let (s, id) = posted_on(s, &[Role::Operator], &pairs, &id)?;
    if !pairs.iter().any(|(k, v)| k == ERASE_CONFIRM && v == "true") {
        return erase_page(s, &state, id, true).await;
    }
    let actor = s.actor;
    state
        .blocking(move |st| access::erase_worker(&st.engine, &actor, id))
        .await?;
    Ok(redirect("/ui/schede?cancellata=1"))
}
