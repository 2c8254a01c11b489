//! A proposal's outcome on the request page: every report kept (who, when, what, applied
//! or not), the "da verificare" mark when a report contradicted the recorded outcome, and
//! the desk's correction form, which posts to the same outcome action as the first report.

use std::fmt::Write;

use matcher::model::{NotHiredReason, OutcomeKind, OutcomeReport, Proposal};
use matcher::Date;

use crate::web::csrf_input;
use crate::web::html::{date_it, esc};
use crate::web::session::Session;

/// The history table; empty when nothing was reported yet.
pub fn history(p: &Proposal) -> String {
    if p.history.is_empty() {
        return String::new();
    }
    let mut rows = String::new();
    for h in &p.history {
        let _ = write!(
            rows,
            "<tr{mark}><td>{on}</td><td>{who}</td><td>{what}</td><td>{applied}</td></tr>",
            mark = if h.applied { "" } else { " class=\"mark\"" },
            on = date_it(h.on),
            who = h.reported_by.label(),
            what = esc(&what(h)),
            applied = if h.applied {
                "registrato"
            } else {
                "non registrato: da verificare"
            },
        );
    }
    format!(
        "<table class=\"history compact\"><caption>Storia dell'esito</caption>\
         <thead><tr><th>Quando</th><th>Chi</th><th>Che cosa</th><th>Registrato?</th></tr></thead>\
         <tbody>{rows}</tbody></table>"
    )
}

/// One report in words: the outcome, its date or reason, and a correction's reason.
fn what(h: &OutcomeReport) -> String {
    let mut s = h.outcome.label().to_string();
    if let Some(d) = h.start_on {
        let _ = write!(s, ", inizio il {}", date_it(d));
    }
    if let Some(r) = h.reason {
        let _ = write!(s, " ({})", r.label());
    }
    if let Some(c) = &h.correction {
        let _ = write!(s, " — correzione: {c}");
    }
    s
}

/// The mark on a proposal whose reports disagree.
pub fn review_mark(p: &Proposal) -> &'static str {
    if p.needs_review {
        "<p class=\"banner error review\" role=\"alert\"><strong>Da verificare:</strong> \
         una risposta contraddice l'esito registrato. Sentire la famiglia e la persona, \
         poi confermare o correggere l'esito.</p>"
    } else {
        ""
    }
}

/// The reasons a proposal did not become a job, as a select's options.
pub fn reason_options() -> String {
    let mut out = String::new();
    for r in NotHiredReason::ALL {
        let _ = write!(
            out,
            "<option value=\"{}\">{}</option>",
            r.as_str(),
            r.label()
        );
    }
    out
}

/// The desk's correction of a decided outcome: the new outcome and why (required).
pub fn correction_form(s: &Session, p: &Proposal, back: &str) -> String {
    let current = p.outcome.as_ref().map(|o| o.outcome);
    let mut outcomes = String::new();
    for (kind, label) in [
        (OutcomeKind::Hired, "Assunta/o"),
        (OutcomeKind::NotHired, "Non assunta/o"),
    ] {
        let _ = write!(
            outcomes,
            "<option value=\"{}\"{}>{label}</option>",
            kind.as_str(),
            if Some(kind) == current {
                " selected"
            } else {
                ""
            }
        );
    }
    let reasons = reason_options();
    let start = p
        .outcome
        .as_ref()
        .and_then(|o| o.start_on)
        .unwrap_or_else(Date::today);
    format!(
        "<details class=\"correct\"{open}><summary>Correggi l'esito</summary>\
         <form method=\"post\" action=\"/ui/proposte/{id}/esito\" class=\"narrow\">{csrf}\
         <input type=\"hidden\" name=\"back\" value=\"{back}\">\
         <div class=\"field\"><label for=\"o-{id}\">Esito corretto</label><select id=\"o-{id}\" name=\"outcome\">{outcomes}</select></div>\
         <div class=\"field\"><label for=\"d-{id}\">Inizio (se assunta/o)</label><input id=\"d-{id}\" type=\"date\" name=\"start_on\" value=\"{start}\"></div>\
         <div class=\"field\"><label for=\"r-{id}\">Motivo (se non assunta/o)</label><select id=\"r-{id}\" name=\"reason\">{reasons}</select></div>\
         <div class=\"field wide\"><label for=\"c-{id}\">Perché si corregge</label>\
         <textarea id=\"c-{id}\" name=\"correction_reason\" required maxlength=\"500\"></textarea></div>\
         <button type=\"submit\">Correggi l'esito</button></form></details>",
        open = if p.needs_review { " open" } else { "" },
        id = p.id,
        csrf = csrf_input(s),
        back = esc(back),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use matcher::model::Reporter;

    #[test]
    fn a_report_not_applied_is_marked_and_a_correction_says_why() {
        let d = Date::from_ymd(2026, 11, 20).expect("a date");
        let report = |outcome, applied, correction: Option<&str>| OutcomeReport {
            outcome,
            reported_by: Reporter::Family,
            on: d,
            start_on: None,
            reason: None,
            applied,
            correction: correction.map(String::from),
        };
        let p = Proposal {
            history: vec![
                report(OutcomeKind::Hired, true, None),
                report(OutcomeKind::NotHired, false, None),
                report(
                    OutcomeKind::NotHired,
                    true,
                    Some("ha lasciato il primo giorno"),
                ),
            ],
            ..proposal()
        };
        let html = history(&p);
        assert_eq!(html.matches("<tr class=\"mark\">").count(), 1, "{html}");
        assert!(html.contains("20/11/2026") && html.contains("famiglia"));
        assert!(html.contains("correzione: ha lasciato il primo giorno"));
    }

    fn proposal() -> Proposal {
        serde_json::from_value(serde_json::json!({
            "id": "c000000000000001", "request_id": "b000000000000001",
            "worker_id": "a000000000000017", "org_id": "d0c0000000000001",
            "proposed_by": "e000000000000001", "proposed_on": "2026-11-01", "score": 80.0,
            "reasons": [], "warnings": [], "outcome_code": "ABCDEFGHJK"
        }))
        .expect("a proposal")
    }
}
