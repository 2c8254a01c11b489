//! The printouts and the navigation in a real browser: the family cards and the duties
//! sheet printed to PDF through WebDriver's "Print Page" (A4, 1 cm margins, no shrinking)
//! and their pages counted; the menu's current page; a phone-width request list; the
//! admin's organisation profile. The PDFs and screenshots go beside the others.

use fantoccini::wd::{PrintConfiguration, PrintMargins, PrintSize};
use serde_json::json;

use crate::browser::{browser, runtime, start_driver, Page};
use crate::util::Server;
use crate::{request_body, ADMIN, DESK, PUNTO, ROSSI};

/// The pages of a PDF as Chromium writes it (one `/Type /Page` object per page).
fn pdf_pages(pdf: &[u8]) -> usize {
    let text = String::from_utf8_lossy(pdf);
    text.match_indices("/Type /Page")
        .filter(|(at, m)| !text[at + m.len()..].starts_with('s'))
        .count()
}

/// The current page printed on A4 with the stylesheet's own 1 cm margins, unscaled.
async fn print_pdf(p: &Page<'_>, name: &str) -> Vec<u8> {
    let config = PrintConfiguration::builder()
        .size(PrintSize::A4)
        .margins(PrintMargins {
            top: 1.0,
            bottom: 1.0,
            left: 1.0,
            right: 1.0,
        })
        .shrink_to_fit(false)
        .background(true)
        .build()
        .expect("print configuration");
    let pdf = p.c.print(config).await.expect("print to PDF");
    assert!(pdf.starts_with(b"%PDF"), "a PDF");
    std::fs::create_dir_all(&p.shots).expect("screenshot dir");
    std::fs::write(p.shots.join(format!("{name}.pdf")), &pdf).expect("write PDF");
    pdf
}

/// Proposes the `n` best candidates of a request through the API.
fn propose(server: &Server, request: &str, n: usize) {
    let c = server.get_as(
        DESK,
        &format!("/api/v1/requests/{request}/candidates?limit=10"),
    );
    assert_eq!(c.status, 200, "{}", c.body);
    let ids: Vec<String> = c.json()["candidates"]
        .as_array()
        .expect("candidates")
        .iter()
        .take(n)
        .map(|c| c["worker_id"].as_str().expect("id").to_string())
        .collect();
    assert_eq!(ids.len(), n, "{request} has {n} candidates");
    for id in ids {
        let r = server.post_as(
            DESK,
            &format!("/api/v1/requests/{request}/proposals"),
            &json!({"worker_id": id}),
        );
        assert_eq!(r.status, 201, "{}", r.body);
    }
}

#[test]
fn printouts_fit_their_a4_pages_and_the_pages_fit_a_phone() {
    let driver = start_driver();
    let data = tempfile::tempdir().expect("temp dir");
    let server = Server::start(
        data.path(),
        &[
            "--demo",
            "--demo-without-history",
            "--public-url",
            "http://dom.esempio.it/",
        ],
    );
    let two = server.post_as(DESK, "/api/v1/requests", &request_body());
    assert_eq!(two.status, 201, "{}", two.body);
    let two = two.json()["id"].as_str().expect("id").to_string();
    propose(&server, &two, 2);
    propose(&server, ROSSI, 4);
    let year = &crate::today()[..4];

    runtime().block_on(async {
        let c = browser(&driver).await;
        let p = Page::of(&c, &server);
        p.sign_in(DESK).await;

        // The menu marks where the desk is, and only there.
        for (path, entry) in [
            ("/ui/", "Oggi"),
            ("/ui/schede/nuova", "Nuova scheda"),
            ("/ui/richieste", "Richieste"),
            (&format!("/ui/richieste/{ROSSI}") as &str, "Richieste"),
        ] {
            p.go(path).await;
            assert_eq!(p.count("header.top a[aria-current=page]").await, 1, "{path}");
            assert_eq!(p.text("header.top a[aria-current=page]").await, entry, "{path}");
        }

        // Two cards fill one A4 page, four fill two; each names the desk, its phone and
        // hours, and where to report the outcome.
        p.go(&format!("/ui/richieste/{two}/stampa")).await;
        assert_eq!(p.count("article.print-card").await, 2);
        let card = p.text("article.print-card").await;
        for text in [
            "Sportello Info Immigrati Grosseto",
            "Via Mazzini 105",
            "0564 488 701",
            "Orari: lunedì, mercoledì, venerdì",
            "http://dom.esempio.it/esito/",
        ] {
            assert!(card.contains(text), "{text} in {card}");
        }
        assert_eq!(pdf_pages(&print_pdf(&p, "stampa-schede-2").await), 1, "2 cards, 1 page");
        p.go(&format!("/ui/richieste/{ROSSI}/stampa")).await;
        assert_eq!(p.count("article.print-card").await, 4);
        assert_eq!(pdf_pages(&print_pdf(&p, "stampa-schede-4").await), 2, "4 cards, 2 pages");

        // The duties sheet: this year's figures, this request's cost, one page.
        p.go(&format!("/ui/richieste/{ROSSI}/doveri")).await;
        let sheet = p.text("main").await;
        for text in [
            &format!("stima {year}") as &str,
            &format!("Minimi {year}"),
            "Retribuzione lorda mensile",
            "Tredicesima",
            "TFR",
            "Contributi INPS a carico della famiglia",
            "Costo annuo per la famiglia",
            "Ministero del Lavoro",
            "INPS, circolare",
        ] {
            assert!(sheet.contains(text), "{text}");
        }
        assert!(!sheet.contains("vanno caricati"), "no internal note");
        assert_eq!(pdf_pages(&print_pdf(&p, "doveri").await), 1, "the duties sheet is one page");
        p.sign_out().await;

        // The admin fills a profile: a wrong e-mail is refused beside its field, then saved.
        p.sign_in(ADMIN).await;
        assert_eq!(p.text("header.top a[aria-current=page]").await, "Organizzazioni");
        p.submit("#org-d0c0000000000004 + p.profile a").await;
        assert_eq!(p.h1().await, "Profilo: Servizio sociale professionale");
        assert_eq!(p.text("header.top a[aria-current=page]").await, "Organizzazioni");
        p.fill("profile.email", "servizisociali-at-grosseto").await;
        p.submit("form.profile button[type=submit]").await;
        assert!(p.text("#e-profile-email").await.contains("e-mail non valido"));
        p.shot("14-organizzazione-profilo").await;
        p.fill("profile.email", "servizisociali@esempio-grosseto.it").await;
        p.fill("profile.phone", "0564 485 999").await;
        p.submit("form.profile button[type=submit]").await;
        assert!(p
            .text("#org-d0c0000000000004 + p.profile")
            .await
            .contains("0564 485 999"));
        p.sign_out().await;

        // On a phone the Punto Insieme's list shows every request's state, labelled, with
        // nothing to scroll sideways.
        p.sign_in(PUNTO).await;
        p.c.set_window_size(390, 844).await.expect("resize");
        p.go("/ui/").await;
        assert!(p.count("td[data-label=Stato]").await > 0);
        let fits = p
            .js("const td = document.querySelector('td[data-label=Stato]'); const r = td.getBoundingClientRect(); \
                 return r.width > 0 && r.right <= window.innerWidth && document.documentElement.scrollWidth <= window.innerWidth \
                 && getComputedStyle(td, '::before').content.includes('Stato');")
            .await;
        assert_eq!(fits, json!(true), "the Stato column is on screen, labelled");
        p.shot("13-telefono-richieste").await;
        c.close().await.expect("close");
    });
}

#[test]
fn pdf_pages_are_counted_without_the_pages_tree() {
    let pdf = b"%PDF-1.4 1 0 obj <</Type /Pages /Count 2>> 2 0 obj <</Type /Page /Parent 1 0 R>> \
                3 0 obj <</Type /Page\n/Parent 1 0 R>>";
    assert_eq!(pdf_pages(pdf), 2);
}
