//! The web interface, in Italian, served by `dom serve` itself: server-rendered HTML
//! over the same engine calls, validation and access rules as the API, with a cookie
//! session instead of a bearer token. No script, font or style from outside.

mod charts;
pub mod form;
pub mod html;
mod pages;
mod problems;
mod public;
pub mod session;

use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;

use matcher::model::Role;
use warp::filters::path::FullPath;
use warp::filters::BoxedFilter;
use warp::http::{HeaderValue, StatusCode};
use warp::reply::Response;
use warp::Filter;

use crate::access::require;
use crate::app::State;
use crate::error::ApiError;
use crate::filters::with_state;
use html::{esc, page};
use session::Session;

const STYLE: &str = include_str!("../../assets/style.css");
const SCRIPT: &str = include_str!("../../assets/app.js");
/// Largest form accepted (a card with long notes is a few KiB).
const FORM_LIMIT: u64 = 64 * 1024;

/// A page or a redirect, or an error rendered as a page.
pub type Page = Result<Response, ApiError>;

/// Every route of the interface.
pub fn routes(state: Arc<State>) -> BoxedFilter<(Response,)> {
    let style = warp::path!("ui" / "static" / "style.css")
        .and(warp::get())
        .map(|| {
            let mut r = Response::new(STYLE.into());
            r.headers_mut().insert(
                "content-type",
                HeaderValue::from_static("text/css; charset=utf-8"),
            );
            r.headers_mut()
                .insert("cache-control", HeaderValue::from_static("max-age=3600"));
            r
        });
    let script = warp::path!("ui" / "static" / "app.js")
        .and(warp::get())
        .map(|| {
            let mut r = Response::new(SCRIPT.into());
            r.headers_mut().insert(
                "content-type",
                HeaderValue::from_static("text/javascript; charset=utf-8"),
            );
            r
        });
    let root = warp::path::end().and(warp::get()).map(|| redirect("/ui/"));
    style
        .or(script)
        .unify()
        .or(root)
        .unify()
        .or(pages::routes(state.clone()))
        .unify()
        .or(public::routes(state))
        .unify()
        .or(not_found())
        .unify()
        .boxed()
}

/// Any other address under `/ui/` or `/esito/` answers with a page, not the API's JSON.
fn not_found() -> BoxedFilter<(Response,)> {
    warp::path("ui")
        .or(warp::path("esito"))
        .unify()
        .and(warp::path::tail())
        .map(|_| error_page(&ApiError::NotFound))
        .boxed()
}

/// The signed-in session, if the cookie names a live one, with the address it asks for.
pub fn session(state: Arc<State>) -> BoxedFilter<(Option<Session>, Arc<State>)> {
    warp::cookie::optional::<String>(session::COOKIE)
        .and(warp::path::full())
        .and(with_state(state))
        .map(|id: Option<String>, path: FullPath, s: Arc<State>| {
            let session = id.and_then(|id| s.sessions.get(&id)).map(|mut session| {
                session.path = path.as_str().to_string();
                session
            });
            (session, s)
        })
        .untuple_one()
        .boxed()
}

/// A form body (`application/x-www-form-urlencoded`), pairs in order, repeats kept.
pub fn form() -> BoxedFilter<(Vec<(String, String)>,)> {
    warp::body::content_length_limit(FORM_LIMIT)
        .and(warp::body::form::<Vec<(String, String)>>())
        .boxed()
}

/// The query string, with the API's length limit.
pub use crate::filters::query;

pub fn redirect(to: &str) -> Response {
    let mut r = Response::new("".into());
    *r.status_mut() = StatusCode::SEE_OTHER;
    if let Ok(v) = HeaderValue::from_str(to) {
        r.headers_mut().insert("location", v);
    }
    r
}

/// Requires a session whose role is one of `roles`.
pub fn signed_in(session: Option<Session>, roles: &[Role]) -> Result<Session, ApiError> {
    let s = session.ok_or(ApiError::Unauthorized)?;
    require(&s.actor, roles)?;
    Ok(s)
}

/// Checks the form's CSRF token against the session's.
pub fn checked(s: &Session, pairs: &[(String, String)]) -> Result<(), ApiError> {
    let sent = pairs
        .iter()
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.as_str());
    if sent == Some(s.csrf.as_str()) {
        Ok(())
    } else {
        Err(ApiError::Forbidden)
    }
}

/// A form posted about one record: a session with one of `roles`, the form's CSRF
/// token, and the record's id from the path.
pub fn posted_on(
    session: Option<Session>,
    roles: &[Role],
    pairs: &[(String, String)],
    id: &str,
) -> Result<(Session, matcher::model::Id), ApiError> {
    let s = signed_in(session, roles)?;
    checked(&s, pairs)?;
    let id = crate::access::parse_id(id)?;
    Ok((s, id))
}

pub fn csrf_input(s: &Session) -> String {
    format!(
        "<input type=\"hidden\" name=\"csrf\" value=\"{}\">",
        esc(&s.csrf)
    )
}

/// Runs a page handler; errors become a page (a missing session, the sign-in page).
pub async fn render(f: impl Future<Output = Page>) -> Result<Response, Infallible> {
    Ok(match f.await {
        Ok(r) => r,
        Err(ApiError::Unauthorized) => redirect("/ui/accesso"),
        Err(e) => error_page(&e),
    })
}

/// The one place an error becomes a page.
pub fn error_page(e: &ApiError) -> Response {
    let (status, _) = e.status_and_code();
    let (title, text) = match status {
        StatusCode::FORBIDDEN => (
            "Non consentito",
            "Questa pagina non è disponibile per il suo profilo.".to_string(),
        ),
        StatusCode::NOT_FOUND => (
            "Non trovato",
            "La pagina o la scheda cercata non esiste (o è stata cancellata).".to_string(),
        ),
        StatusCode::TOO_MANY_REQUESTS => (
            "Troppi tentativi",
            "Riprovare tra qualche minuto.".to_string(),
        ),
        s if s.is_server_error() => {
            tracing::error!(error = %e.log_line(), "errore interno (web)");
            ("Errore", "Si è verificato un errore del servizio. Riprovare; se persiste, avvisare l'amministratore.".to_string())
        }
        _ => ("Richiesta non valida", e.to_string()),
    };
    html::respond(
        status,
        page(
            None,
            title,
            &format!(
                "<p>{}</p><p><a href=\"/ui/\">Torna alla pagina iniziale</a></p>",
                esc(&text)
            ),
        ),
    )
}

/// A page answered 200.
pub fn ok_html(body: String) -> Page {
    Ok(html::respond(StatusCode::OK, body))
}
