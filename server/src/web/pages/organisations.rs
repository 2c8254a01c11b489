//! The admin's page for an organisation's profile (address, phone, e-mail, opening
//! hours): the details printed on the family cards so a family can reach the desk.

use std::sync::Arc;

use matcher::model::{Id, OrgProfile, OrgProfilePatch, Organisation, OrganisationPatch, Role};
use warp::filters::BoxedFilter;
use warp::http::StatusCode;
use warp::reply::Response;
use warp::Filter;

use super::refusal::refusal;
use crate::access::parse_id;
use crate::app::State;
use crate::error::ApiError;
use crate::web::html::{esc, page, respond, FormState};
use crate::web::session::Session;
use crate::web::{csrf_input, ok_html, posted_on, redirect, render, session, signed_in, Page};

pub fn routes(state: Arc<State>) -> BoxedFilter<(Response,)> {
    let show = warp::path!("ui" / "organizzazioni" / String)
        .and(warp::get())
        .and(session(state.clone()))
        .and_then(|id, s, st| render(show(id, s, st)));
    let save = warp::path!("ui" / "organizzazioni" / String / "profilo")
        .and(warp::post())
        .and(crate::web::form())
        .and(session(state))
        .and_then(|id, f, s, st| render(save(id, f, s, st)));
    show.or(save).unify().boxed()
}

/// The profile's fields: (form name, label, multi-line).
const FIELDS: [(&str, &str, bool); 4] = [
    ("profile.address", "Indirizzo", false),
    ("profile.phone", "Telefono", false),
    ("profile.email", "E-mail", false),
    (
        "profile.opening_hours",
        "Orari di apertura (una riga per giorno)",
        true,
    ),
];

fn values(p: &OrgProfile) -> [&str; 4] {
    [&p.address, &p.phone, &p.email, &p.opening_hours]
}

/// One line on the admin's home: the profile in short, and the link to change it.
pub fn profile_line(o: &Organisation) -> String {
    let p = &o.profile;
    let filled: Vec<&str> = [&p.address, &p.phone, &p.email]
        .into_iter()
        .filter(|v| !v.is_empty())
        .map(String::as_str)
        .collect();
    let text = if filled.is_empty() {
        "da compilare".to_string()
    } else {
        esc(&filled.join(" · "))
    };
    format!(
        "<p class=\"profile\">Profilo per le famiglie: <span>{text}</span> — \
         <a href=\"/ui/organizzazioni/{}\">modifica</a></p>",
        o.id
    )
}

/// The profile form of one organisation, with the values and errors of `f`.
fn form_page(s: &Session, o: &Organisation, f: &FormState) -> String {
    let mut fields = String::new();
    for (name, label, lines) in FIELDS {
        fields.push_str(&if lines {
            f.textarea(
                name,
                label,
                "Compare sulle schede stampate per le famiglie.",
            )
        } else {
            let kind = if name == "profile.email" {
                "email"
            } else {
                "text"
            };
            f.input(name, label, kind, "")
        });
    }
    format!(
        "<p>Indirizzo, telefono, e-mail e orari compaiono sulle schede che lo sportello \
         stampa per le famiglie. Un campo lasciato vuoto non viene stampato.</p>{banner}\
         <form method=\"post\" action=\"/ui/organizzazioni/{id}/profilo\" class=\"card-form profile\" novalidate>\
         {csrf}{fields}<button type=\"submit\">Salva il profilo</button> \
         <a href=\"/ui/#org-{id}\">Annulla</a></form>",
        banner = f.banner_html(),
        id = o.id,
        csrf = csrf_input(s),
    )
}

fn stored(o: &Organisation) -> FormState {
    FormState {
        values: FIELDS
            .iter()
            .zip(values(&o.profile))
            .map(|((name, ..), v)| (name.to_string(), vec![v.to_string()]))
            .collect(),
        ..FormState::default()
    }
}

async fn load(state: &Arc<State>, id: Id) -> Result<Organisation, ApiError> {
    state
        .blocking(move |st| st.engine.find_organisation(id)?.ok_or(ApiError::NotFound))
        .await
}

async fn show(id: String, s: Option<Session>, state: Arc<State>) -> Page {
    let s = signed_in(s, &[Role::Admin])?;
    let o = load(&state, parse_id(&id)?).await?;
    let body = form_page(&s, &o, &stored(&o));
    ok_html(page(Some(&s), &format!("Profilo: {}", o.name), &body))
}

/// The submitted form as a patch: every field sent replaces the stored one.
fn patch_of(pairs: &[(String, String)]) -> OrganisationPatch {
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    OrganisationPatch {
        name: None,
        profile: OrgProfilePatch {
            address: get("profile.address"),
            phone: get("profile.phone"),
            email: get("profile.email"),
            opening_hours: get("profile.opening_hours"),
        },
    }
}

async fn save(
    id: String,
    pairs: Vec<(String, String)>,
    s: Option<Session>,
    state: Arc<State>,
) -> Page {
    let (s, id) = posted_on(s, &[Role::Admin], &pairs, &id)?;
    let actor = s.actor;
    let patch = patch_of(&pairs);
    let saved = state
        .blocking(move |st| Ok(st.engine.update_organisation(Some(&actor), id, patch)?))
        .await;
    match saved {
        Ok(_) => Ok(redirect(&format!("/ui/#org-{id}"))),
        Err(e) => {
            let mut f = crate::web::form::state_of(&pairs);
            refusal(&mut f, e)?;
            let o = load(&state, id).await?;
            let body = form_page(&s, &o, &f);
            Ok(respond(
                StatusCode::UNPROCESSABLE_ENTITY,
                page(Some(&s), &format!("Profilo: {}", o.name), &body),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_sends_every_profile_field_and_nothing_else() {
        let pairs: Vec<(String, String)> = [
            ("csrf", "x"),
            ("profile.address", "Via Roma 1"),
            ("profile.phone", ""),
            ("profile.email", "a@b.it"),
            ("profile.opening_hours", "lun 9-12"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let p = patch_of(&pairs);
        assert_eq!(p.name, None);
        assert_eq!(p.profile.address.as_deref(), Some("Via Roma 1"));
        assert_eq!(
            p.profile.phone.as_deref(),
            Some(""),
            "an emptied field clears"
        );
        assert_eq!(p.profile.opening_hours.as_deref(), Some("lun 9-12"));
    }
}
