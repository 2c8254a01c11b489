//! The forms in a real browser (helpers of `browser.rs`): every error shown at once with
//! a summary, the permit kind a required choice, the corrected comune shown before
//! saving, "1.100" saved as 1100, nationality by its Italian name, and the candidates'
//! reasons in Italian.

use serde_json::json;

use crate::browser::{browser, runtime, start_driver, Page};
use crate::util::Server;
use crate::{DESK, ROSSI};

#[test]
fn forms_show_every_error_at_once_and_read_amounts_the_italian_way() {
    let driver = start_driver();
    let server = Server::demo();
    runtime().block_on(async {
        let c = browser(&driver).await;
        let p = Page::of(&c, &server);
        p.sign_in(DESK).await;

        // Candidates: factor names, reasons and scores in Italian.
        p.go(&format!("/ui/richieste/{ROSSI}")).await;
        let reasons = p.text("article.candidate table.reasons").await;
        assert!(reasons.contains("esperienza"), "{reasons}");
        for english in ["experience", "hours", "wage", "recency", "waiting", "distance"] {
            assert!(!reasons.contains(english), "{english} in {reasons}");
        }
        let points = p
            .js("return [...document.querySelectorAll('article.candidate table.reasons td.num')].map(t => t.textContent);")
            .await;
        let points: Vec<String> = serde_json::from_value(points).expect("texts");
        assert!(
            !points.is_empty() && points.iter().all(|t| !t.contains('.')),
            "decimal comma: {points:?}"
        );

        // A new card with many problems: all of them at once, nothing saved.
        let before = server.get_as(DESK, "/api/v1/workers?limit=1").json()["total"].clone();
        p.go("/ui/schede/nuova").await;
        assert_eq!(
            p.js("return document.querySelector('[name=\"permit.kind\"]').value;").await,
            json!(""),
            "no default permit kind"
        );
        assert!(
            p.count("datalist#paesi option").await > 150,
            "countries to choose from"
        );
        for (name, value) in [
            ("given_name", ""),
            ("family_name", "Kovalenko"),
            ("birth_year", "1850"),
            ("phone", "telefono"),
            ("comune", "Orbtello"),
            ("nationality", "Ucraina"),
            ("languages[0].code", "ucraino"),
            ("languages[0].level", "C2"),
            ("wage_expectation.monthly_eur", "1.100"),
        ] {
            p.fill(name, value).await;
        }
        p.click("input[name=jobs][value=colf]").await;
        p.submit("form.card-form button[type=submit]").await;
        assert_eq!(p.h1().await, "Nuova scheda");
        for id in ["#e-given-name", "#e-birth-year", "#e-phone", "#e-permit-kind", "#e-comune"] {
            assert!(!p.text(id).await.is_empty(), "{id} beside its field");
        }
        assert!(p.count(".banner.error ul.problems li").await >= 5, "summary at the top");
        let comune = p.text("#e-comune").await;
        assert!(comune.contains("Orbtello → Orbetello (GR)"), "{comune}");
        assert_eq!(
            p.js("return document.querySelector('[name=comune]').value;").await,
            json!("Orbetello (GR)")
        );
        assert_eq!(
            p.js("return document.querySelector('[name=nationality]').value;").await,
            json!("Ucraina"),
            "the name typed is kept"
        );
        assert_eq!(
            server.get_as(DESK, "/api/v1/workers?limit=1").json()["total"],
            before,
            "nothing saved"
        );
        p.shot("10-scheda-tutti-gli-errori").await;

        // Corrected: saved, the wage as one thousand one hundred.
        for (name, value) in [
            ("given_name", "Olena"),
            ("birth_year", "1975"),
            ("phone", "+39 333 5550199"),
            ("permit.kind", "long_term"),
        ] {
            p.fill(name, value).await;
        }
        p.submit("form.card-form button[type=submit]").await;
        assert_eq!(p.h1().await, "Olena Kovalenko");
        assert!(p.text(".banner.ok").await.contains("Scheda registrata"));
        let summary = p.text("dl.summary").await;
        assert!(summary.contains("Orbetello"), "{summary}");
        let url = p.c.current_url().await.expect("url");
        let id = url.path().rsplit('/').next().expect("an id").to_string();
        let card = server.get_as(DESK, &format!("/api/v1/workers/{id}")).json();
        assert_eq!(card["wage_expectation"]["monthly_eur"].as_f64(), Some(1100.0), "{card}");
        assert_eq!(card["nationality"], "UA");
        assert_eq!(card["languages"][0]["code"], "uk");
        assert_eq!(
            p.js("return document.querySelector('[name=\"wage_expectation.monthly_eur\"]').value;").await,
            json!("1.100")
        );
        p.shot("11-scheda-salvata").await;
        c.close().await.expect("close");
    });
}
