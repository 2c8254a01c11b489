//! The public outcome page: the code printed on the family card opens a tiny page where
//! the family or the worker says "we started" or "it did not work out", in Italian,
//! English, Romanian, Albanian, Ukrainian, Arabic or French. No login; rate-limited like
//! the API, and it shows nothing about the people involved.

use std::collections::HashMap;
use std::fmt::Write;
use std::net::SocketAddr;
use std::sync::Arc;

use matcher::model::{OutcomeKind, Reporter};
use matcher::Date;
use matcher::{normalise_code, PublicAnswer, PublicOutcome, CODE_LEN};
use warp::filters::BoxedFilter;
use warp::http::StatusCode;
use warp::reply::Response;
use warp::Filter;

use super::html::{esc, respond};
use super::{form, query, render, Page};
use crate::access::{self, public_attempt, record_public};
use crate::app::State;
use crate::error::ApiError;
use crate::filters::with_state;

/// One language's texts.
struct Texts {
    code: &'static str,
    name: &'static str,
    rtl: bool,
    title: &'static str,
    ask: &'static str,
    who: &'static str,
    family: &'static str,
    worker: &'static str,
    started: &'static str,
    not_ok: &'static str,
    thanks: &'static str,
    unknown: &'static str,
    busy: &'static str,
    since: &'static str,
    review: &'static str,
    /// For messages the desk sends: "is it still going?" and "answer here:".
    still: &'static str,
    here: &'static str,
}

const LANGS: &[Texts] = &[
    Texts {
        code: "it",
        name: "Italiano",
        rtl: false,
        title: "Com'è andata?",
        ask: "Avete iniziato a lavorare insieme?",
        who: "Chi risponde?",
        family: "La famiglia",
        worker: "La lavoratrice / il lavoratore",
        started: "Abbiamo iniziato",
        not_ok: "Non è andata",
        thanks: "Grazie! La risposta è stata registrata.",
        unknown: "Codice non trovato. Controlli il codice stampato sulla scheda.",
        busy: "Troppi tentativi. Riprovi più tardi.",
        since: "Da quando? (data di inizio)",
        review: "Grazie! Lo sportello verificherà la risposta e vi contatterà se serve.",
        still: "Lavorate ancora insieme?",
        here: "Rispondete qui:",
    },
    Texts {
        code: "en",
        name: "English",
        rtl: false,
        title: "How did it go?",
        ask: "Did you start working together?",
        who: "Who is answering?",
        family: "The family",
        worker: "The worker",
        started: "We started",
        not_ok: "It did not work out",
        thanks: "Thank you! Your answer has been recorded.",
        unknown: "Code not found. Please check the code printed on the card.",
        busy: "Too many attempts. Please try again later.",
        since: "Since when? (start date)",
        review: "Thank you! The desk will check your answer and contact you if needed.",
        still: "Are you still working together?",
        here: "Answer here:",
    },
    Texts {
        code: "ro",
        name: "Română",
        rtl: false,
        title: "Cum a mers?",
        ask: "Ați început să lucrați împreună?",
        who: "Cine răspunde?",
        family: "Familia",
        worker: "Lucrătoarea / lucrătorul",
        started: "Am început",
        not_ok: "Nu a mers",
        thanks: "Mulțumim! Răspunsul a fost înregistrat.",
        unknown: "Cod negăsit. Verificați codul tipărit pe fișă.",
        busy: "Prea multe încercări. Reîncercați mai târziu.",
        since: "De când? (data începerii)",
        review: "Mulțumim! Ghișeul va verifica răspunsul și vă va contacta dacă este nevoie.",
        still: "Mai lucrați împreună?",
        here: "Răspundeți aici:",
    },
    Texts {
        code: "sq",
        name: "Shqip",
        rtl: false,
        title: "Si shkoi?",
        ask: "A filluat të punoni bashkë?",
        who: "Kush përgjigjet?",
        family: "Familja",
        worker: "Punonjësja / punonjësi",
        started: "Filluam",
        not_ok: "Nuk shkoi",
        thanks: "Faleminderit! Përgjigjja u regjistrua.",
        unknown: "Kodi nuk u gjet. Kontrolloni kodin e shtypur në kartë.",
        busy: "Shumë përpjekje. Provoni më vonë.",
        since: "Që kur? (data e fillimit)",
        review:
            "Faleminderit! Sporteli do ta verifikojë përgjigjen dhe do t'ju kontaktojë nëse duhet.",
        still: "A punoni ende bashkë?",
        here: "Përgjigjuni këtu:",
    },
    Texts {
        code: "uk",
        name: "Українська",
        rtl: false,
        title: "Як усе пройшло?",
        ask: "Ви почали працювати разом?",
        who: "Хто відповідає?",
        family: "Сім'я",
        worker: "Працівниця / працівник",
        started: "Ми почали",
        not_ok: "Не вийшло",
        thanks: "Дякуємо! Відповідь записано.",
        unknown: "Код не знайдено. Перевірте код, надрукований на картці.",
        busy: "Забагато спроб. Спробуйте пізніше.",
        since: "З якої дати? (дата початку)",
        review: "Дякуємо! Служба перевірить відповідь і зв'яжеться з вами, якщо буде потрібно.",
        still: "Ви ще працюєте разом?",
        here: "Відповідайте тут:",
    },
    Texts {
        code: "ar",
        name: "العربية",
        rtl: true,
        title: "كيف جرت الأمور؟",
        ask: "هل بدأتم العمل معًا؟",
        who: "من يجيب؟",
        family: "العائلة",
        worker: "العاملة / العامل",
        started: "لقد بدأنا",
        not_ok: "لم ينجح الأمر",
        thanks: "شكرًا! تم تسجيل إجابتكم.",
        unknown: "الرمز غير موجود. يرجى التحقق من الرمز المطبوع على البطاقة.",
        busy: "محاولات كثيرة. يرجى المحاولة لاحقًا.",
        since: "منذ متى؟ (تاريخ البدء)",
        review: "شكرًا! سيتحقق المكتب من إجابتك وسيتصل بك إذا لزم الأمر.",
        still: "هل ما زلتم تعملون معًا؟",
        here: "أجيبوا هنا:",
    },
    Texts {
        code: "fr",
        name: "Français",
        rtl: false,
        title: "Comment ça s'est passé ?",
        ask: "Avez-vous commencé à travailler ensemble ?",
        who: "Qui répond ?",
        family: "La famille",
        worker: "La travailleuse / le travailleur",
        started: "Nous avons commencé",
        not_ok: "Ça n'a pas marché",
        thanks: "Merci ! Votre réponse a été enregistrée.",
        unknown: "Code introuvable. Vérifiez le code imprimé sur la fiche.",
        busy: "Trop de tentatives. Réessayez plus tard.",
        since: "Depuis quand ? (date de début)",
        review: "Merci ! Le guichet vérifiera la réponse et vous contactera si nécessaire.",
        still: "Travaillez-vous toujours ensemble ?",
        here: "Répondez ici :",
    },
];

fn texts(lang: Option<&str>) -> &'static Texts {
    LANGS
        .iter()
        .find(|t| Some(t.code) == lang)
        .unwrap_or(&LANGS[0])
}

/// The languages of the outcome page, `(code, name)`, Italian first.
pub(crate) fn languages() -> impl Iterator<Item = (&'static str, &'static str)> {
    LANGS.iter().map(|t| (t.code, t.name))
}

/// Whether the outcome page speaks `code`.
pub(crate) fn speaks(code: &str) -> bool {
    LANGS.iter().any(|t| t.code == code)
}

/// The text of a message asking about a proposal in language `lang` (Italian when
/// unknown): whether the work started, or for a retention check whether it is still
/// going, and where to answer (`link`, the outcome page with its code).
pub(crate) fn question(lang: &str, retention: bool, link: &str) -> String {
    let t = texts(Some(lang));
    let ask = if retention { t.still } else { t.ask };
    format!("{} {ask} {} {link}", t.title, t.here)
}

pub fn routes(state: Arc<State>) -> BoxedFilter<(Response,)> {
    let show = warp::path!("esito" / String)
        .and(warp::get())
        .and(query())
        .and(with_state(state.clone()))
        .and_then(|code: String, q: HashMap<String, String>, st: Arc<State>| {
            render(async move {
                let t = texts(q.get("lingua").map(String::as_str));
                let c = normalise_code(&code);
                // The agreed start, so "da quando?" is prefilled; nothing else is shown.
                let agreed = st
                    .blocking(move |s| access::agreed_start(s, &c))
                    .await
                    .ok()
                    .flatten();
                Ok(show(&code, t, None, agreed))
            })
        });
    let answer = warp::path!("esito" / String)
        .and(warp::post())
        .and(warp::addr::remote())
        .and(form())
        .and(with_state(state))
        .and_then(|code, addr, f, st| render(answer(code, addr, f, st)));
    show.or(answer).unify().boxed()
}

fn frame(t: &Texts, body: &str) -> String {
    let mut langs = String::new();
    for l in LANGS {
        let _ = write!(
            langs,
            "<a href=\"?lingua={}\" lang=\"{}\" hreflang=\"{}\">{}</a> ",
            l.code,
            l.code,
            l.code,
            esc(l.name)
        );
    }
    format!(
        "<!doctype html>\n<html lang=\"{code}\" dir=\"{dir}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{title} — DOM</title>\
         <link rel=\"stylesheet\" href=\"/ui/static/style.css\"></head><body class=\"public\">\
         <nav class=\"langs\" aria-label=\"Lingua / Language\">{langs}</nav><main id=\"main\"><h1>{title}</h1>{body}</main></body></html>",
        code = t.code,
        dir = if t.rtl { "rtl" } else { "ltr" },
        title = esc(t.title),
    )
}

fn show(code: &str, t: &Texts, message: Option<(&str, bool)>, agreed: Option<Date>) -> Response {
    let code = normalise_code(code);
    let notice = match message {
        Some((m, ok)) => format!(
            "<p class=\"banner {}\" role=\"status\">{}</p>",
            if ok { "ok" } else { "error" },
            esc(m)
        ),
        None => String::new(),
    };
    let form = if matches!(message, Some((_, true))) {
        String::new()
    } else {
        format!(
            "<form method=\"post\" action=\"/esito/{c}?lingua={l}\"><input type=\"hidden\" name=\"lingua\" value=\"{l}\">\
             <p class=\"code\">{c}</p><p>{ask}</p><fieldset><legend>{who}</legend>\
             <label class=\"check\"><input type=\"radio\" name=\"reported_by\" value=\"family\" checked> {family}</label>\
             <label class=\"check\"><input type=\"radio\" name=\"reported_by\" value=\"worker\"> {worker}</label></fieldset>\
             <p><label for=\"start_on\">{since}</label> <input type=\"date\" id=\"start_on\" name=\"start_on\" value=\"{agreed}\"></p>\
             <div class=\"big-buttons\"><button type=\"submit\" name=\"outcome\" value=\"hired\">{started}</button>\
             <button type=\"submit\" name=\"outcome\" value=\"not_hired\" class=\"secondary\">{not_ok}</button></div></form>",
            c = esc(&code),
            l = t.code,
            ask = esc(t.ask),
            who = esc(t.who),
            family = esc(t.family),
            worker = esc(t.worker),
            started = esc(t.started),
            not_ok = esc(t.not_ok),
            since = esc(t.since),
            agreed = agreed.map(|d| d.to_string()).unwrap_or_default(),
        )
    };
    respond(StatusCode::OK, frame(t, &format!("{notice}{form}")))
}

async fn answer(
    code: String,
    client: Option<SocketAddr>,
    pairs: Vec<(String, String)>,
    state: Arc<State>,
) -> Page {
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let t = texts(get("lingua"));
    let code = normalise_code(&code);
    let outcome = match get("outcome") {
        Some("hired") => OutcomeKind::Hired,
        Some("not_hired") => OutcomeKind::NotHired,
        _ => return Ok(show(&code, t, None, None)),
    };
    let reported_by = if get("reported_by") == Some("worker") {
        Reporter::Worker
    } else {
        Reporter::Family
    };
    if let Err(ApiError::TooManyRequests) = public_attempt(&state, client, &code) {
        let mut r = show(&code, t, Some((t.busy, false)), None);
        *r.status_mut() = StatusCode::TOO_MANY_REQUESTS;
        return Ok(r);
    }
    if code.len() != CODE_LEN {
        let mut r = show(&code, t, Some((t.unknown, false)), None);
        *r.status_mut() = StatusCode::NOT_FOUND;
        return Ok(r);
    }
    let start_on = match get("start_on").filter(|v| !v.is_empty()) {
        None => None,
        Some(v) => match v.parse::<Date>() {
            Ok(d) => Some(d),
            Err(_) => return Ok(show(&code, t, Some((t.since, false)), None)),
        },
    };
    let answer = PublicOutcome { outcome, start_on };
    let c = code.clone();
    match state
        .blocking(move |s| record_public(s, &c, answer, reported_by))
        .await
    {
        Ok(PublicAnswer::Recorded) => Ok(show(&code, t, Some((t.thanks, true)), None)),
        Ok(PublicAnswer::NeedsReview) => Ok(show(&code, t, Some((t.review, true)), None)),
        Err(ApiError::NotFound) => {
            let mut r = show(&code, t, Some((t.unknown, false)), None);
            *r.status_mut() = StatusCode::NOT_FOUND;
            Ok(r)
        }
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_has_every_text_and_arabic_reads_right_to_left() {
        assert_eq!(LANGS.len(), 7);
        for t in LANGS {
            for s in [
                t.title, t.ask, t.who, t.family, t.worker, t.started, t.not_ok, t.thanks,
                t.unknown, t.busy, t.still, t.here,
            ] {
                assert!(!s.is_empty(), "{}", t.code);
            }
        }
        assert!(texts(Some("ar")).rtl && !texts(Some("ro")).rtl);
        assert_eq!(texts(Some("xx")).code, "it");
        let html = frame(texts(Some("ar")), "");
        assert!(html.contains("dir=\"rtl\"") && html.contains("lang=\"ar\""));
    }
}
