//! The desk's day in a real browser (issue 11), on the demo's Rossi request: "Perché non
//! compare?" explains Olena Kovalenko's absence (the family requires a licence), a person
//! is proposed from it and called from the card, a family's contradicting answer is
//! shown for review and corrected, the request is closed, reopened and edited, a card is
//! retired and reactivated; the referrer sees none of the desk's tools.

use crate::browser::{browser, runtime, start_driver, Page};
use crate::util::Server;
use crate::{DESK, NATALIA, PUNTO, ROSSI};

/// No driving licence, which the Rossi family requires.
const OLENA: &str = "a000000000000002";

#[test]
fn the_desks_day_on_the_request_and_card_pages() {
    let driver = start_driver();
    let server = Server::demo();
    runtime().block_on(async {
        let c = browser(&driver).await;
        let p = Page::of(&c, &server);
        let request = format!("/ui/richieste/{ROSSI}");

        // Candidate cards carry the phone, to call without opening the card.
        p.sign_in(DESK).await;
        p.go(&request).await;
        assert!(p.count("article.candidate a[href^='tel:']").await > 0);

        // "Perché non compare?": Olena is found by name and her absence explained.
        p.fill("nome", "Olena Kovalenko").await;
        p.submit("#perche form[role=search] button").await;
        p.submit(&format!("#perche a[href*='persona={OLENA}']")).await;
        let verdict = p.text("#perche .verdict.excluded").await;
        assert!(verdict.contains("Olena Kovalenko non compare"), "{verdict}");
        assert!(verdict.contains("patente"), "the licence is the reason: {verdict}");
        assert_eq!(p.count("#perche form[action$='/proponi']").await, 0);
        p.shot("10-perche-non-compare").await;

        // Natalia is eligible: rank, score, and her own "Proponi".
        p.fill("nome", "Natalia Popa").await;
        p.submit("#perche form[role=search] button").await;
        p.submit(&format!("#perche a[href*='persona={NATALIA}']")).await;
        assert!(p.text("#perche .verdict.eligible").await.contains("può essere proposta"));
        assert!(p.count("#perche table.reasons tbody tr").await >= 3);
        p.submit("#perche form[action$='/proponi'] button").await;
        assert!(p.text(".banner.ok").await.contains("Proposte registrate: 1"));
        assert_eq!(p.count("article.proposal a[href^='tel:']").await, 1);
        let code = p.text("article.proposal code").await;

        // Hired, then the family answers that it did not work out: kept for review.
        p.submit("article.proposal form input[value=hired] ~ button").await;
        assert!(p.text(".banner.ok").await.contains("Esito registrato"));
        p.sign_out().await;
        p.go(&format!("/esito/{code}")).await;
        p.submit("button[value=not_hired]").await;
        p.sign_in(DESK).await;
        p.go(&request).await;
        assert!(p.text(".banner.error").await.contains("Proposte da verificare: 1"));
        assert_eq!(p.count("article.proposal.needs-review").await, 1);
        assert_eq!(p.count("article.proposal table.history tbody tr").await, 2);
        assert!(p
            .text("article.proposal table.history tbody tr.mark")
            .await
            .contains("da verificare"));
        p.shot("11-esito-da-verificare").await;

        // The desk corrects the outcome, saying why: the mark goes, the history stays.
        fill_in(&p, "details.correct", "outcome", "not_hired").await;
        fill_in(&p, "details.correct", "reason", "worker_declined").await;
        fill_in(&p, "details.correct", "correction_reason", "ha rinunciato dopo il primo giorno").await;
        p.submit("details.correct button").await;
        assert!(p.text(".banner.ok").await.contains("Esito registrato"));
        assert_eq!(p.count("article.proposal.needs-review").await, 0);
        assert_eq!(p.count("article.proposal table.history tbody tr").await, 3);
        assert!(p.text("article.proposal table.history").await.contains("ha rinunciato"));

        // Closed with a reason, reopened by the desk with a reason, then edited.
        p.click("details.chiudi summary").await;
        fill_in(&p, "details.chiudi", "reason", "la famiglia ci ripensa").await;
        p.submit("details.chiudi button").await;
        assert!(p.text(".banner.ok").await.contains("Richiesta chiusa"));
        assert!(p.text("dl.summary").await.contains("la famiglia ci ripensa"));
        p.click("details.riapri summary").await;
        fill_in(&p, "details.riapri", "reason", "la famiglia ha richiamato").await;
        p.submit("details.riapri button").await;
        assert!(p.text(".banner.ok").await.contains("Richiesta riaperta"));
        p.go(&format!("{request}/modifica")).await;
        assert_eq!(p.h1().await, "Modifica la richiesta");
        p.fill("positions", "2").await;
        p.submit("form.card-form button[type=submit]").await;
        assert!(p.text(".banner.ok").await.contains("Modifiche salvate"));
        let positions = p
            .js("return [...document.querySelectorAll('dl.summary dt')].find(d => d.textContent === 'Persone da assumere').nextElementSibling.textContent;")
            .await;
        assert_eq!(positions, serde_json::json!("2"));

        // A card is retired (after confirming) and made available again.
        p.go(&format!("/ui/schede/{OLENA}")).await;
        p.click("form.status-change input[name=conferma]").await;
        p.submit("form.status-change button").await;
        assert!(p.text(".banner.ok").await.contains("Scheda ritirata"));
        p.shot("12-scheda-ritirata").await;
        p.click("form.status-change input[name=conferma]").await;
        p.submit("form.status-change button").await;
        assert!(p.text(".banner.ok").await.contains("di nuovo disponibile"));
        p.sign_out().await;

        // The referrer edits and closes its own request, but sees no phone, no "why
        // not?" and no reopening.
        p.sign_in(PUNTO).await;
        p.go(&request).await;
        assert_eq!(p.count("a[href^='tel:']").await, 0);
        assert_eq!(p.count("#perche").await, 0);
        assert_eq!(p.count("details.riapri").await, 0);
        assert_eq!(p.count("details.correct").await, 0);
        assert_eq!(p.count("details.chiudi").await, 1);
        c.close().await.expect("close");
    });
}

/// Sets a field by its name inside one part of the page (several forms share `reason`).
async fn fill_in(p: &Page<'_>, scope: &str, name: &str, value: &str) {
    p.c.execute(
        "const e = document.querySelector(`${arguments[0]} [name=\"${arguments[1]}\"]`); e.value = arguments[2]; return e.value;",
        vec![scope.into(), name.into(), value.into()],
    )
    .await
    .unwrap_or_else(|e| panic!("{scope} {name}: {e}"));
}
