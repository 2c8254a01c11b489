//! How a form that was not saved is shown again: every problem beside its input and all
//! of them summarised at the top (links to the inputs), the second looks asked before
//! saving, duplicates named with comune and birth year, the guard's explanation.

use std::fmt::Write;
use std::sync::Arc;

use matcher::model::DuplicateMatch;
use matcher::{Comuni, Error};
use serde_json::Value;

use crate::app::State;
use crate::error::ApiError;
use crate::web::html::{esc, FormState};
use crate::web::problems::{self, CONFIRM_WAGE};

/// Saves with `save` unless a second look is due. When nothing was saved, `f` holds
/// every problem of `body` (found by `all`) beside its input, with the summary on top.
pub async fn save_or_refuse<T: Send + 'static>(
    f: &mut FormState,
    typed: &[(String, String)],
    body: &Value,
    wage: &str,
    state: &Arc<State>,
    save: impl FnOnce(&State) -> Result<T, ApiError> + Send + 'static,
    all: impl FnOnce() -> Vec<Error>,
) -> Result<Option<T>, ApiError> {
    second_looks(f, typed, body, wage);
    let lead = if f.errors.is_empty() {
        match state.blocking(save).await {
            Ok(saved) => return Ok(Some(saved)),
            Err(e) => refused(f, e, state, all).await?,
        }
    } else {
        all_problems(f, all())
    };
    summarise(f, lead);
    Ok(None)
}

/// The refusal of a form with a single save and no second looks (a contact line): the
/// error beside its field and on top; anything else is the error page's.
pub fn refusal(f: &mut FormState, e: ApiError) -> Result<(), ApiError> {
    match e {
        ApiError::Matcher(inner) if inner.field().is_some() => {
            let lead = guard_lead(&inner);
            note(
                f,
                inner.field().unwrap_or("form"),
                problems::message(&inner),
            );
            summarise(f, lead);
            Ok(())
        }
        other => Err(other),
    }
}

/// A problem or a note beside its input (the first one said stays).
fn note(f: &mut FormState, field: &str, text: String) {
    f.errors.entry(problems::input_for(field)).or_insert(text);
}

/// The banner at the top: `lead` (what concerns the whole form), then every problem,
/// each a link to its input.
fn summarise(f: &mut FormState, lead: Option<String>) {
    if f.errors.is_empty() && lead.is_none() {
        return;
    }
    let mut items: Vec<(&String, &String)> = f.errors.iter().collect();
    items.sort();
    let mut list = String::new();
    for (field, text) in &items {
        let _ = write!(
            list,
            "<li><a href=\"#f-{}\">{}</a></li>",
            FormState::id(field),
            esc(text)
        );
    }
    let summary = if items.is_empty() {
        String::new()
    } else {
        format!(
            "<p><strong>Da controllare prima di salvare ({}):</strong></p><ul class=\"problems\">{list}</ul>",
            items.len()
        )
    };
    f.banner = Some(format!("{}{summary}", lead.unwrap_or_default()));
}

/// Looks asked before saving: a comune the service corrected (the input then holds the
/// correction) and a monthly amount outside the plausible band, unless confirmed.
fn second_looks(f: &mut FormState, typed: &[(String, String)], body: &Value, wage: &str) {
    let get = |k: &str| typed.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    if let Some((name, text)) = get("comune").and_then(problems::comune_correction) {
        f.values.insert("comune".into(), vec![name]);
        note(f, "comune", text);
    }
    let amount = wage
        .split('.')
        .try_fold(body, |v, k| v.get(k))
        .and_then(Value::as_f64);
    if let Some(text) = amount.and_then(problems::implausible_wage) {
        if get(CONFIRM_WAGE) != Some("true") {
            note(f, wage, text);
        }
    }
}

/// The checkbox that confirms an unusual amount, shown once the note was.
pub fn wage_confirmation(f: &FormState, wage: &str) -> String {
    if f.error(wage).is_some() || f.has(CONFIRM_WAGE, "true") {
        f.checkbox(CONFIRM_WAGE, "Confermo l'importo indicato")
    } else {
        String::new()
    }
}

/// Shows `e`, the refusal of a save, on the form: with every other problem of `body`
/// found by `all`, or as what concerns the whole form. Returns the banner's lead.
async fn refused(
    f: &mut FormState,
    e: ApiError,
    state: &Arc<State>,
    all: impl FnOnce() -> Vec<Error>,
) -> Result<Option<String>, ApiError> {
    match e {
        ApiError::Matcher(Error::PossibleDuplicate { duplicates }) => {
            let named = named(state, duplicates).await?;
            note(f, "allow_duplicate", "conferma necessaria".into());
            Ok(Some(format!(
                "<p><strong>Possibile doppione.</strong> La persona sembra già registrata:</p><ul>{named}</ul>\
                 <p>Controlli le schede indicate. Se è davvero un'altra persona, spunti la conferma in fondo e registri di nuovo.</p>"
            )))
        }
        ApiError::Matcher(inner) if inner.field().is_some() => {
            let lead = guard_lead(&inner);
            for p in std::iter::once(inner).chain(all()) {
                note(f, p.field().unwrap_or("form"), problems::message(&p));
            }
            Ok(lead)
        }
        other => Err(other),
    }
}

/// Every problem of a form that was not sent to be saved (a second look was due).
fn all_problems(f: &mut FormState, problems: Vec<Error>) -> Option<String> {
    let lead = problems.iter().find_map(guard_lead);
    for p in problems {
        note(f, p.field().unwrap_or("form"), problems::message(&p));
    }
    lead
}

/// The guard's explanation, for a refusal on a protected ground.
fn guard_lead(e: &Error) -> Option<String> {
    let Error::Discriminatory {
        message,
        suggestion,
        ground,
        ..
    } = e
    else {
        return None;
    };
    Some(format!(
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
    ))
}

/// The possible duplicates as list items: name, comune and birth year, linked.
async fn named(state: &Arc<State>, duplicates: Vec<DuplicateMatch>) -> Result<String, ApiError> {
    state
        .blocking(move |st| {
            let mut out = String::new();
            for d in duplicates {
                let Some(w) = st.engine.find_worker(d.worker_id)? else {
                    continue;
                };
                let mut why = Vec::new();
                if d.same_phone {
                    why.push("stesso telefono");
                }
                if d.same_birth_year {
                    why.push("stesso anno di nascita");
                }
                let _ = write!(
                    out,
                    "<li><a href=\"/ui/schede/{id}\">{name}</a>, {comune}, nata/o nel {year}{why}</li>",
                    id = w.id,
                    name = esc(&w.full_name()),
                    comune = esc(&Comuni::get().name_with_province(&w.comune)),
                    year = w.birth_year,
                    why = if why.is_empty() {
                        String::new()
                    } else {
                        format!(" — {}", why.join(", "))
                    },
                );
            }
            Ok(out)
        })
        .await
}
