//! The admin's home: organisations and, per organisation, their operators with last use,
//! state and expiry, and the "Revoca" / "Nuovo token" buttons (the new token shown once);
//! each organisation's profile in short, changed on its page (`organisations`).

use std::fmt::Write;
use std::sync::Arc;

use matcher::model::{Operator, Organisation, Role};
use matcher::Date;
use warp::filters::BoxedFilter;
use warp::http::StatusCode;
use warp::reply::Response;
use warp::Filter;

use super::organisations::profile_line;
use crate::app::State;
use crate::operators;
use crate::web::html::{esc, page, respond};
use crate::web::session::Session;
use crate::web::{csrf_input, ok_html, posted_on, redirect, render, session, signed_in, Page};

pub fn routes(state: Arc<State>) -> BoxedFilter<(Response,)> {
    let revoke = warp::path!("ui" / "operatori" / String / "revoca")
        .and(warp::post())
        .and(crate::web::form())
        .and(session(state.clone()))
        .and_then(|id, f, s, st| render(revoke(id, f, s, st)));
    let rotate = warp::path!("ui" / "operatori" / String / "nuovo-token")
        .and(warp::post())
        .and(crate::web::form())
        .and(session(state))
        .and_then(|id, f, s, st| render(rotate(id, f, s, st)));
    revoke.or(rotate).unify().boxed()
}

/// The state of a token as the admin reads it.
fn state_label(op: &Operator, today: Date) -> &'static str {
    if op.revoked_on.is_some() {
        "revocato"
    } else if !op.active_on(today) {
        "scaduto"
    } else {
        "attivo"
    }
}

fn day(d: Option<Date>, none: &str) -> String {
    d.map_or_else(|| none.to_string(), matcher::italian::date)
}

/// One organisation's operators as table rows, with the buttons where they apply (never
/// on the admin's own row: another admin has to do that).
fn operator_rows(s: &Session, ops: &[&Operator], today: Date) -> String {
    let mut rows = String::new();
    for op in ops {
        let buttons = if op.id == s.actor.operator_id || op.revoked_on.is_some() {
            String::new()
        } else {
            format!(
                "<form method=\"post\" action=\"/ui/operatori/{id}/revoca\" class=\"inline\">{csrf}\
                 <button type=\"submit\" class=\"secondary\">Revoca</button></form>\
                 <form method=\"post\" action=\"/ui/operatori/{id}/nuovo-token\" class=\"inline\">{csrf}\
                 <button type=\"submit\">Nuovo token</button></form>",
                id = op.id,
                csrf = csrf_input(s),
            )
        };
        let _ = write!(
            rows,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td><code>{}</code></td><td>{buttons}</td></tr>",
            esc(&op.name),
            esc(op.role.label()),
            day(op.last_used_on, "mai"),
            state_label(op, today),
            day(op.expires_on, "nessuna"),
            op.id,
        );
    }
    rows
}

/// The admin's home page body: one section per organisation, its profile in short and
/// its operators.
fn home_body(s: &Session, orgs: &[Organisation], ops: &[Operator], today: Date) -> String {
    let mut body = String::from(
        "<p>Le organizzazioni collegate a DOM e i loro operatori. Un token revocato o scaduto \
         non è più accettato dalla richiesta successiva; «Nuovo token» sostituisce il codice \
         di accesso e lo mostra una sola volta. Operatori nuovi e scadenze si impostano con \
         <code>dom admin</code> o con l'API amministrativa. Il profilo (indirizzo, telefono, \
         orari) compare sulle schede che lo sportello stampa per le famiglie.</p>",
    );
    for o in orgs {
        let mut mine: Vec<&Operator> = ops.iter().filter(|op| op.org_id == o.id).collect();
        mine.sort_by(|a, b| a.name.cmp(&b.name));
        let _ = write!(
            body,
            "<h2 id=\"org-{id}\">{} <small>({}, <code>{id}</code>)</small></h2>",
            esc(&o.name),
            esc(o.kind.label()),
            id = o.id
        );
        body.push_str(&profile_line(o));
        if mine.is_empty() {
            body.push_str("<p>Nessun operatore.</p>");
            continue;
        }
        let _ = write!(
            body,
            "<table><thead><tr><th>Nome</th><th>Ruolo</th><th>Ultimo uso</th><th>Stato</th>\
             <th>Scadenza</th><th>Identificativo</th><th></th></tr></thead><tbody>{}</tbody></table>",
            operator_rows(s, &mine, today)
        );
    }
    body
}

pub async fn admin_home(s: Session, state: Arc<State>) -> Page {
    let s = signed_in(Some(s), &[Role::Admin])?;
    let (orgs, ops) = state
        .blocking(|st| Ok((st.engine.organisations()?, operators::list(st)?)))
        .await?;
    let body = home_body(&s, &orgs, &ops, Date::today());
    ok_html(page(Some(&s), "Organizzazioni", &body))
}

async fn revoke(
    id: String,
    pairs: Vec<(String, String)>,
    s: Option<Session>,
    state: Arc<State>,
) -> Page {
    let (s, id) = posted_on(s, &[Role::Admin], &pairs, &id)?;
    let actor = s.actor;
    state
        .blocking(move |st| operators::revoke(st, &actor, id).map(drop))
        .await?;
    Ok(redirect("/ui/"))
}

async fn rotate(
    id: String,
    pairs: Vec<(String, String)>,
    s: Option<Session>,
    state: Arc<State>,
) -> Page {
    let (s, id) = posted_on(s, &[Role::Admin], &pairs, &id)?;
    let actor = s.actor;
    let (op, token) = state
        .blocking(move |st| operators::rotate(st, &actor, id))
        .await?;
    let body = format!(
        "<p>Nuovo codice di accesso per <strong>{}</strong>. Lo copi ora e lo consegni \
         all'operatore: non sarà più mostrato. Il codice precedente non è più valido.</p>\
         <p><code>{}</code></p><p><a href=\"/ui/\">Torna agli operatori</a></p>",
        esc(&op.name),
        esc(&token)
    );
    // Shown once: the response itself is the only copy (html::respond forbids caching).
    Ok(respond(
        StatusCode::OK,
        page(Some(&s), "Nuovo token", &body),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use matcher::model::{Actor, Id, OrgKind};

    fn op(id: u64, name: &str) -> Operator {
        Operator {
            id: Id(id),
            org_id: Id(10),
            name: name.into(),
            role: Role::Operator,
            token_sha256: "cd".repeat(32),
            created_on: Date::from_days(0),
            revoked_on: None,
            expires_on: None,
            last_used_on: None,
        }
    }

    #[test]
    fn the_home_shows_state_use_and_expiry_but_no_hash() {
        let today = Date::from_days(1000);
        let active = Operator {
            last_used_on: Some(today),
            ..op(1, "Anna")
        };
        let expired = Operator {
            expires_on: Some(today.add_days(-1)),
            ..op(2, "Bruno")
        };
        let revoked = Operator {
            revoked_on: Some(today),
            ..op(3, "Carla <script>")
        };
        let me = Operator {
            role: Role::Admin,
            ..op(4, "Dora")
        };
        let org = Organisation {
            id: Id(10),
            name: "Sportello".into(),
            kind: OrgKind::Desk,
            comune: None,
            profile: Default::default(),
        };
        let s = crate::web::session::Sessions::default()
            .start(
                Actor {
                    operator_id: Id(4),
                    org_id: Id(10),
                    role: Role::Admin,
                },
                "Dora".into(),
                "Sportello".into(),
            )
            .1;
        let html = home_body(&s, &[org], &[active, expired, revoked, me], today);
        for text in [
            "attivo",
            "scaduto",
            "revocato",
            &matcher::italian::date(today),
            "mai",
        ] {
            assert!(html.contains(text), "{text}");
        }
        assert!(!html.contains(&"cd".repeat(32)));
        assert!(html.contains("Carla &lt;script&gt;"));
        // Buttons for the active and the expired, none for the revoked or oneself.
        assert_eq!(html.matches("Nuovo token</button>").count(), 2);
        assert_eq!(html.matches("/revoca\"").count(), 2);
        assert!(!html.contains(&format!("/ui/operatori/{}/revoca", Id(4))));
        assert!(html.contains(&s.csrf));
    }
}
