//! Worker cards for desk operators: search and browse, register (inline validation and
//! the duplicate warning), read and edit, reconfirm.

use std::collections::HashMap;
use std::fmt::Write;
use std::sync::Arc;

use matcher::model::{
    ExperienceKind, Gender, Job, Level, LiveIn, PermitKind, Role, Worker, WorkerInput, WorkerStatus,
};
use matcher::{json, Date};
use matcher::{Comuni, WorkerFilter};
use warp::filters::BoxedFilter;
use warp::http::StatusCode;
use warp::reply::Response;
use warp::Filter;

use crate::access::{self, parse_id};
use crate::app::State;
use crate::error::ApiError;
use crate::web::form::{self, to_json, values_of, WORKER};
use crate::web::html::{date_it, esc, page, respond, url, FormState};
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

pub(crate) const LANGUAGES: &[(&str, &str)] = &[
    ("", "—"),
    ("it", "italiano"),
    ("ro", "romeno"),
    ("uk", "ucraino"),
    ("ru", "russo"),
    ("sq", "albanese"),
    ("ar", "arabo"),
    ("fr", "francese"),
    ("en", "inglese"),
    ("es", "spagnolo"),
    ("pt", "portoghese"),
    ("pl", "polacco"),
    ("bg", "bulgaro"),
    ("tl", "tagalog"),
    ("zh", "cinese"),
];

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
        .and(session(state))
        .and_then(|id, f, s, st| render(reconfirm(id, f, s, st)));
    list.or(new_form)
        .unify()
        .or(create)
        .unify()
        .or(reconfirm)
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
                f.errors.insert("comune".into(), e.to_string());
                None
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
    let jobs = choices!(Job, "tutti");
    let live = choices!(LiveIn, "indifferente");
    let status = choices!(WorkerStatus, "tutti");
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
        "<form method=\"get\" action=\"/ui/schede\" class=\"filters\" role=\"search\">{}{}{}{}{}{}\
         <button type=\"submit\">Cerca</button></form>\
         <p class=\"count\" role=\"status\">{total} schede trovate</p>\
         <table><thead><tr><th>Nome</th><th>Comune</th><th>Lavori</th><th>Convivenza</th><th>Stato</th><th>Confermata il</th></tr></thead>\
         <tbody>{rows}</tbody></table>{more}",
        f.input("q", "Testo nelle note", "search", "maxlength=\"500\""),
        f.input("nome", "Nome e cognome", "search", "maxlength=\"100\""),
        f.select("job", "Lavoro", &jobs),
        f.input("comune", "Comune", "text", "maxlength=\"80\""),
        f.select("live_in", "Convivenza", &live),
        f.select("status", "Stato", &status),
        more = if offset + 50 < total {
            let mut next = q.clone();
            next.insert("da".into(), (offset + 50).to_string());
            let qs: Vec<String> = next.iter().map(|(k, v)| format!("{}={}", url(k), url(v))).collect();
            format!("<p><a href=\"/ui/schede?{}\">Altre schede</a></p>", qs.join("&amp;"))
        } else {
            String::new()
        },
    );
    ok_html(page(Some(&s), "Schede delle persone", &body))
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
            f.select(
                &format!("languages[{i}].code"),
                &format!("Lingua {}", i + 1),
                LANGUAGES
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
         <div class=\"row\">{hmin}{hmax}</div>{travel}{licence}{wage}</fieldset>\
         <fieldset><legend>Lingue</legend>{languages}</fieldset>\
         <fieldset><legend>Esperienza</legend>{experience}</fieldset>\
         <fieldset><legend>Permesso di soggiorno</legend>{permit}{expires}</fieldset>\
         {notes}{consent}{duplicate}\
         <button type=\"submit\">{label}</button></form>",
        banner = f.banner_html(),
        csrf = csrf_input(s),
        given = f.input("given_name", "Nome", "text", "required autocomplete=\"off\""),
        family = f.input("family_name", "Cognome", "text", "required autocomplete=\"off\""),
        birth = f.input("birth_year", "Anno di nascita", "number", "min=\"1930\" max=\"2010\" required"),
        gender = f.select("gender", "Genere", &gender),
        nat = f.input("nationality", "Cittadinanza (solo per le statistiche, mai per la ricerca)", "text", ""),
        phone = f.input("phone", "Telefono", "tel", "required"),
        comune = f.input("comune", "Comune di residenza", "text", "required"),
        jobs = f.checkboxes("jobs", "Lavori", &choices!(Job)),
        live = f.select("live_in", "Convivenza", &choices!(LiveIn)),
        hmin = f.input("hours_per_week.min", "Ore settimanali: da", "number", "min=\"1\" max=\"60\""),
        hmax = f.input("hours_per_week.max", "a", "number", "min=\"1\" max=\"60\""),
        travel = f.input("max_travel_km", "Distanza massima (km)", "number", "min=\"0\" max=\"200\""),
        licence = f.checkbox("driving_license", "Patente di guida"),
        wage = f.input("wage_expectation.monthly_eur", "Paga mensile desiderata (€)", "number", "min=\"0\" step=\"10\""),
        permit = f.select("permit.kind", "Tipo", &choices!(PermitKind)),
        expires = f.input("permit.expires_on", "Scadenza", "date", ""),
        notes = f.textarea("notes", "Note", "Esperienze, referenze, disponibilità. Non scrivere dati sanitari o di altre persone."),
        label = if new { "Registra la scheda" } else { "Salva le modifiche" },
    )
}

/// Turns a refusal into what the form shows: the message beside the field, and a
/// banner for refusals that concern the whole card.
pub fn refusal(f: &mut FormState, e: ApiError) -> Result<(), ApiError> {
    match &e {
        ApiError::Matcher(matcher::Error::PossibleDuplicate { duplicates }) => {
            let mut list = String::new();
            for d in duplicates {
                let _ = write!(
                    list,
                    "<li><a href=\"/ui/schede/{}\">scheda {}</a>{}{}</li>",
                    d.worker_id,
                    d.worker_id,
                    if d.same_phone {
                        " — stesso telefono"
                    } else {
                        ""
                    },
                    if d.same_birth_year {
                        " — stesso anno di nascita"
                    } else {
                        ""
                    }
                );
            }
            f.banner = Some(format!(
                "<p><strong>Possibile doppione.</strong> La persona sembra già registrata:</p><ul>{list}</ul>\
                 <p>Controlli le schede indicate. Se è davvero un'altra persona, spunti la conferma in fondo e registri di nuovo.</p>"
            ));
            f.errors
                .insert("allow_duplicate".into(), "conferma necessaria".into());
            Ok(())
        }
        ApiError::Matcher(matcher::Error::Discriminatory {
            field,
            message,
            suggestion,
            ground,
            ..
        }) => {
            f.banner = Some(format!(
                "<p><strong>Criterio non ammesso ({ground}).</strong> {message}</p>\
                 <p><strong>Si può scrivere invece:</strong> {suggestion}</p>\
                 <p>La legge vieta a chi fa intermediazione di scegliere o escludere lavoratori per \
                 nazionalità, origine, religione, colore della pelle, sesso, età, disabilità, stato \
                 civile o familiare, gravidanza, orientamento sessuale, opinioni politiche o \
                 sindacali, anche se la famiglia è d'accordo. Descriva invece ciò che serve \
                 davvero: compiti, orari, lingue, esperienze.</p>",
                ground = esc(ground.label()),
                message = esc(message),
                suggestion = esc(suggestion),
            ));
            f.errors.insert(field.clone(), message.clone());
            Ok(())
        }
        ApiError::Matcher(matcher::Error::UnknownComune {
            field, suggestions, ..
        }) => {
            let names: Vec<String> = suggestions
                .iter()
                .map(|c| format!("{} ({})", c.name, c.province))
                .collect();
            let text = if names.is_empty() {
                "comune non riconosciuto".to_string()
            } else {
                format!("comune non riconosciuto: forse {}?", names.join(", "))
            };
            f.errors.insert(field.clone(), text);
            f.banner = Some("Controlli i campi segnalati.".into());
            Ok(())
        }
        ApiError::Matcher(inner) if inner.field().is_some() => {
            let field = inner.field().unwrap_or_default().to_string();
            let key = if field.is_empty() {
                "form".to_string()
            } else {
                field
            };
            f.errors.insert(key, inner.to_string());
            f.banner = Some(format!(
                "Controlli i campi segnalati: {}",
                esc(&inner.to_string())
            ));
            Ok(())
        }
        _ => Err(e),
    }
}

async fn create(pairs: Vec<(String, String)>, s: Option<Session>, state: Arc<State>) -> Page {
    let s = desk(s)?;
    checked(&s, &pairs)?;
    let allow = pairs
        .iter()
        .any(|(k, v)| k == "allow_duplicate" && v == "true");
    let body = to_json(&pairs, &WORKER);
    let actor = s.actor;
    let result = state
        .blocking(move |st| {
            let input: WorkerInput = json::parse(body)?;
            Ok(st
                .engine
                .register_worker(input, Some(&actor), allow, Date::today())?)
        })
        .await;
    match result {
        Ok(w) => Ok(redirect(&format!("/ui/schede/{}?registrata=1", w.id))),
        Err(e) => {
            let mut f = form::state_of(&pairs);
            refusal(&mut f, e)?;
            Ok(respond(
                StatusCode::UNPROCESSABLE_ENTITY,
                page(
                    Some(&s),
                    "Nuova scheda",
                    &card_form(&s, &f, "/ui/schede/nuova", true),
                ),
            ))
        }
    }
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
    let s = desk(s)?;
    let id = parse_id(&id)?;
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
        values: values_of(&serde_json::to_value(body).unwrap_or_default()),
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
         <p><a href=\"/api/v1/workers/{id}/export\">Esporta tutti i dati della persona (JSON)</a> — \
         richiede il token nell'API.</p>\
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
    pairs: Vec<(String, String)>,
    s: Option<Session>,
    state: Arc<State>,
) -> Page {
    let (s, id) = posted_on(s, &[Role::Operator], &pairs, &id)?;
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
    let actor = s.actor;
    let result = state
        .blocking(move |st| Ok(st.engine.patch_worker(&actor, id, &patch, Date::today())?))
        .await;
    match result {
        Ok(_) => Ok(redirect(&format!("/ui/schede/{id}?salvata=1"))),
        Err(e) => {
            let w = state.blocking(move |st| Ok(st.engine.worker(id)?)).await?;
            let mut f = form::state_of(&pairs);
            refusal(&mut f, e)?;
            Ok(respond(
                StatusCode::UNPROCESSABLE_ENTITY,
                page(
                    Some(&s),
                    &w.full_name(),
                    &card_page(&s, &w, &f, &HashMap::new()),
                ),
            ))
        }
    }
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
