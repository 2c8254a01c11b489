//! The admin's form for an organisation's profile (address, phone, e-mail, opening
//! hours), the details printed on the family cards so a family can reach the desk.

use std::sync::Arc;

use matcher::model::{OrgProfile, OrgProfilePatch, Organisation, OrganisationPatch, Role};
use warp::filters::BoxedFilter;
use warp::reply::Response;
use warp::Filter;

use super::operators::admin_page;
use super::workers::refusal;
use crate::app::State;
use crate::web::html::{esc, FormState};
use crate::web::session::Session;
use crate::web::{csrf_input, posted_on, redirect, render, session, Page};

pub fn routes(state: Arc<State>) -> BoxedFilter<(Response,)> {
    warp::path!("ui" / "organizzazioni" / String / "profilo")
        .and(warp::post())
        .and(crate::web::form())
        .and(session(state))
        .and_then(|id, f, s, st| render(save(id, f, s, st)))
        .boxed()
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

/// What the admin page shows of an organisation's profile, and the form to change it
/// (open, with the errors, when `failed` holds a refused submission).
pub fn profile_section(s: &Session, o: &Organisation, failed: Option<&FormState>) -> String {
    let stored;
    let f = match failed {
        Some(f) => f,
        None => {
            stored = FormState {
                values: FIELDS
                    .iter()
                    .zip(values(&o.profile))
                    .map(|((name, ..), v)| (name.to_string(), vec![v.to_string()]))
                    .collect(),
                ..FormState::default()
            };
            &stored
        }
    };
    let summary = if o.profile == OrgProfile::default() {
        "Profilo per le famiglie: da compilare".to_string()
    } else {
        format!(
            "Profilo per le famiglie: {}",
            esc(&[&o.profile.address, &o.profile.phone]
                .iter()
                .filter(|v| !v.is_empty())
                .map(|v| v.as_str())
                .collect::<Vec<_>>()
                .join(" · "))
        )
    };
    let mut fields = String::new();
    for (name, label, lines) in FIELDS {
        fields.push_str(&if lines {
            f.textarea(
                name,
                label,
                "Compare sulle schede stampate per le famiglie.",
            )
        } else {
            f.input(
                name,
                label,
                if name == "profile.email" {
                    "email"
                } else {
                    "text"
                },
                "",
            )
        });
    }
    format!(
        "<details class=\"profile\"{open}><summary>{summary}</summary>{banner}\
         <form method=\"post\" action=\"/ui/organizzazioni/{id}/profilo\" class=\"card-form\">{csrf}{fields}\
         <button type=\"submit\">Salva il profilo</button></form></details>",
        open = if failed.is_some() { " open" } else { "" },
        banner = f.banner_html(),
        id = o.id,
        csrf = csrf_input(s),
    )
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
        Ok(_) => Ok(redirect(&format!("/ui/?profilo=salvato#org-{id}"))),
        Err(e) => {
            let mut f = crate::web::form::state_of(&pairs);
            refusal(&mut f, e)?;
            admin_page(s, state, Some((id, f))).await
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
