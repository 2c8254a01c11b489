//! "Scrivi su WhatsApp" and "SMS" beside a follow-up: a small form that logs the
//! contact, then sends the operator's browser to a prefilled `https://wa.me/…` or `sms:`
//! address in the language of the person asked. The server itself sends nothing.

use std::sync::Arc;

use matcher::model::{ContactChannel, ContactInput, FollowUp, FollowUpKind, RecordKind, Role};
use matcher::Date;
use warp::filters::BoxedFilter;
use warp::http::HeaderValue;
use warp::reply::Response;
use warp::Filter;

use crate::access;
use crate::app::State;
use crate::error::ApiError;
use crate::web::html::{esc, url};
use crate::web::public;
use crate::web::session::Session;
use crate::web::{csrf_input, posted_on, redirect, render, session, Page};

pub fn routes(state: Arc<State>) -> BoxedFilter<(Response,)> {
    warp::path!("ui" / "verifiche" / String / "scrivi")
        .and(warp::post())
        .and(crate::web::form())
        .and(warp::header::optional::<String>("host"))
        .and(session(state))
        .and_then(|id, f, host, s, st| render(write(id, f, host, s, st)))
        .boxed()
}

/// The form beside a follow-up: the language (the person's own by default) and one
/// button per channel.
pub fn buttons(s: &Session, f: &FollowUp) -> String {
    let mut langs = String::from("<option value=\"\">nella lingua della persona</option>");
    for (code, name) in public::languages() {
        langs.push_str(&format!("<option value=\"{code}\">{}</option>", esc(name)));
    }
    format!(
        "<form method=\"post\" action=\"/ui/verifiche/{id}/scrivi\" class=\"inline message\">{csrf}\
         <select name=\"lingua\" aria-label=\"Lingua del messaggio\">{langs}</select>\
         <button type=\"submit\" name=\"via\" value=\"whatsapp\" class=\"secondary\">Scrivi su WhatsApp</button>\
         <button type=\"submit\" name=\"via\" value=\"sms\" class=\"secondary\">SMS</button></form>",
        id = f.id,
        csrf = csrf_input(s),
    )
}

/// Lets a page's forms lead to WhatsApp and to the phone's messages: browsers apply the
/// page's `form-action` to where a form's answer redirects.
pub fn allow_leaving(mut page: Response) -> Response {
    let csp = page
        .headers()
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.replace(
                "form-action 'self'",
                "form-action 'self' https://wa.me sms:",
            )
        });
    if let Some(v) = csp.and_then(|v| HeaderValue::from_str(&v).ok()) {
        page.headers_mut().insert("content-security-policy", v);
    }
    page
}

/// A phone number in international form, digits only (`+39 333 1234567` and
/// `333 1234567` → `393331234567`): numbers without a country prefix are Italian.
pub fn international(phone: &str) -> Option<String> {
    let phone = phone.trim();
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    let full = if phone.starts_with('+') {
        digits
    } else if let Some(rest) = digits.strip_prefix("00") {
        rest.to_string()
    } else {
        format!("39{digits}")
    };
    (9..=15).contains(&full.len()).then_some(full)
}

/// The address the browser opens: WhatsApp's click-to-chat or the phone's SMS.
pub fn message_uri(via: ContactChannel, number: &str, text: &str) -> String {
    match via {
        ContactChannel::Whatsapp => format!("https://wa.me/{number}?text={}", url(text)),
        _ => format!("sms:+{number}?body={}", url(text)),
    }
}

/// The first of the person's languages the outcome page speaks, best level first;
/// Italian otherwise.
fn language_of(levels: &[matcher::model::LanguageSkill]) -> String {
    let mut spoken: Vec<_> = levels.iter().filter(|l| public::speaks(&l.code)).collect();
    spoken.sort_by_key(|l| std::cmp::Reverse(l.level));
    spoken
        .first()
        .map_or_else(|| "it".to_string(), |l| l.code.clone())
}

/// Who is asked: for "did it become a job?" the family (the request's phone and log),
/// for "is it still going?" the worker (their phone, language and log).
struct Asked {
    about: RecordKind,
    id: matcher::model::Id,
    phone: String,
    lang: String,
}

async fn write(
    id: String,
    pairs: Vec<(String, String)>,
    host: Option<String>,
    s: Option<Session>,
    state: Arc<State>,
) -> Page {
    let (s, id) = posted_on(s, &[Role::Operator], &pairs, &id)?;
    let field = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map_or(String::new(), |(_, v)| v.clone())
    };
    let via = match field("via").as_str() {
        "whatsapp" => ContactChannel::Whatsapp,
        "sms" => ContactChannel::Sms,
        _ => {
            return Err(ApiError::BadInput {
                field: Some("via".into()),
                message: "scegliere WhatsApp o SMS".into(),
            })
        }
    };
    let chosen = field("lingua");
    let base = match (&state.public_url, host) {
        (Some(u), _) => u.clone(),
        (None, Some(h)) => {
            let https = crate::client::current().is_some_and(|c| c.https);
            format!("{}://{h}", if https { "https" } else { "http" })
        }
        (None, None) => String::new(),
    };
    let actor = s.actor;
    let uri = state
        .blocking(move |st| {
            let f = access::own_follow_up(&st.engine, &actor, id)?;
            let p = st
                .engine
                .find_proposal(f.proposal_id)?
                .ok_or(ApiError::NotFound)?;
            let asked = match f.kind {
                FollowUpKind::Outcome => {
                    let r = st
                        .engine
                        .find_request(p.request_id)?
                        .ok_or(ApiError::NotFound)?;
                    Asked {
                        about: RecordKind::Request,
                        id: r.id,
                        phone: r.phone,
                        lang: "it".into(),
                    }
                }
                FollowUpKind::Retention => {
                    let w = st
                        .engine
                        .find_worker(p.worker_id)?
                        .ok_or(ApiError::NotFound)?;
                    Asked {
                        about: RecordKind::Worker,
                        id: w.id,
                        lang: language_of(&w.languages),
                        phone: w.phone,
                    }
                }
            };
            let number = international(&asked.phone).ok_or_else(|| ApiError::BadInput {
                field: Some("phone".into()),
                message: "il numero di telefono registrato non si può usare per un messaggio"
                    .into(),
            })?;
            let lang = if public::speaks(&chosen) {
                chosen
            } else {
                asked.lang
            };
            let mut link = format!("{base}/esito/{}", p.outcome_code);
            if lang != "it" {
                link.push_str(&format!("?lingua={lang}"));
            }
            let retention = f.kind == FollowUpKind::Retention;
            let note = format!(
                "{} inviato per la verifica «{}» (codice {})",
                if via == ContactChannel::Whatsapp {
                    "Messaggio WhatsApp"
                } else {
                    "SMS"
                },
                f.kind.label(),
                p.outcome_code
            );
            access::add_contact(&st.engine, &actor, asked.about, asked.id, || {
                Ok(ContactInput {
                    on: Date::today(),
                    channel: via,
                    note,
                })
            })?;
            Ok(message_uri(
                via,
                &number,
                &public::question(&lang, retention, &link),
            ))
        })
        .await?;
    Ok(redirect(&uri))
}

#[cfg(test)]
mod tests {
    use super::*;
    use matcher::model::{LanguageSkill, Level};

    #[test]
    fn numbers_become_international_digits() {
        assert_eq!(
            international("+39 333 1234567").as_deref(),
            Some("393331234567")
        );
        assert_eq!(
            international("333 123 4567").as_deref(),
            Some("393331234567")
        );
        assert_eq!(
            international("0564 000000").as_deref(),
            Some("390564000000")
        );
        assert_eq!(
            international("0040 721 234 567").as_deref(),
            Some("40721234567")
        );
        assert_eq!(
            international("+40-721.234.567").as_deref(),
            Some("40721234567")
        );
        assert_eq!(international("123"), None);
    }

    #[test]
    fn messages_are_prefilled_and_encoded() {
        let text = public::question("ro", false, "https://dom.example/esito/ABC123?lingua=ro");
        assert!(text.contains("Ați început") && text.contains("ABC123"));
        let wa = message_uri(ContactChannel::Whatsapp, "393331234567", &text);
        assert!(wa.starts_with("https://wa.me/393331234567?text="));
        assert!(wa.contains("ABC123") && !wa.contains(' '));
        let sms = message_uri(ContactChannel::Sms, "393331234567", "Com'è andata?");
        assert_eq!(sms, "sms:+393331234567?body=Com%27%C3%A8%20andata%3F");
        assert!(public::question("it", true, "x").contains("Lavorate ancora insieme?"));
    }

    #[test]
    fn the_worker_is_asked_in_their_best_language_the_page_speaks() {
        let l = |code: &str, level| LanguageSkill {
            code: code.into(),
            level,
        };
        assert_eq!(language_of(&[l("it", Level::B1), l("uk", Level::C2)]), "uk");
        assert_eq!(language_of(&[l("it", Level::C1), l("tl", Level::C2)]), "it");
        assert_eq!(language_of(&[]), "it");
    }
}
