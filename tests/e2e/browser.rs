//! The web interface in a real browser: headless Chromium (Debian's `chromium` and
//! `chromium-driver`) driven over WebDriver with fantoccini against `dom serve --demo`.
//! Every step asserts what the page shows. Screenshots of the main pages go to
//! `DOM_SCREENSHOTS` (default `target/screenshots`).

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

use crate::util::Server;
use crate::{ADMIN, COORD, DESK, PUNTO, SOCIAL};

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";

/// chromedriver on a free port, stopped when dropped.
pub(crate) struct Driver {
    child: Child,
    port: u16,
    _profile: tempfile::TempDir,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Installs Chromium and its driver from Debian's packages when missing (CI and fresh
/// machines run as root with apt); anything else is a clear failure.
fn ensure_browser() {
    if std::path::Path::new(CHROMEDRIVER).exists() && std::path::Path::new(CHROMIUM).exists() {
        return;
    }
    let status = Command::new("apt-get")
        .args([
            "install",
            "-y",
            "--no-install-recommends",
            "chromium",
            "chromium-driver",
        ])
        .env("DEBIAN_FRONTEND", "noninteractive")
        .stdout(Stdio::null())
        .status();
    assert!(
        status.is_ok_and(|s| s.success()) && std::path::Path::new(CHROMEDRIVER).exists(),
        "browser tests need Debian's chromium and chromium-driver: apt-get install chromium chromium-driver"
    );
}

pub(crate) fn start_driver() -> Driver {
    ensure_browser();
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port");
    let child = Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "chromedriver did not listen");
        std::thread::sleep(Duration::from_millis(100));
    }
    Driver {
        child,
        port,
        _profile: tempfile::tempdir().expect("profile dir"),
    }
}

pub(crate) async fn browser(driver: &Driver) -> Client {
    let caps = json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": CHROMIUM,
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--window-size=1366,768",
                format!("--user-data-dir={}", driver._profile.path().display()),
            ]
        }
    });
    let serde_json::Value::Object(caps) = caps else {
        unreachable!()
    };
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{}", driver.port))
        .await
        .expect("WebDriver session")
}

/// A single-threaded runtime for a browser test's steps.
pub(crate) fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

pub(crate) struct Page<'a> {
    pub(crate) c: &'a Client,
    base: String,
    pub(crate) shots: PathBuf,
}

impl<'a> Page<'a> {
    /// Pages of `server` in the browser `c`; screenshots go to `DOM_SCREENSHOTS`
    /// (default `target/screenshots`).
    pub(crate) fn of(c: &'a Client, server: &Server) -> Page<'a> {
        let shots = std::env::var("DOM_SCREENSHOTS")
            .map(PathBuf::from)
            .unwrap_or_else(|_| {
                PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/screenshots")
            });
        Page {
            c,
            base: format!("http://127.0.0.1:{}", server.port),
            shots,
        }
    }

    pub(crate) async fn go(&self, path: &str) {
        self.c
            .goto(&format!("{}{path}", self.base))
            .await
            .expect("navigate");
    }

    /// Waits for `css` to appear (after a click that navigates) and returns its text.
    pub(crate) async fn text(&self, css: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if let Ok(e) = self.c.find(Locator::Css(css)).await {
                if let Ok(t) = e.text().await {
                    return t;
                }
            }
            assert!(
                Instant::now() < deadline,
                "{css} never appeared on {:?}",
                self.c.current_url().await.ok()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub(crate) async fn h1(&self) -> String {
        self.text("h1").await
    }

    pub(crate) async fn count(&self, css: &str) -> usize {
        self.c
            .find_all(Locator::Css(css))
            .await
            .map_or(0, |v| v.len())
    }

    /// Sets a field by its name (input, select or textarea), as typing would.
    pub(crate) async fn fill(&self, name: &str, value: &str) {
        self.c
            .execute(
                "const e = document.querySelector(`[name=\"${arguments[0]}\"]`); e.value = arguments[1]; return e.value;",
                vec![json!(name), json!(value)],
            )
            .await
            .unwrap_or_else(|e| panic!("field {name}: {e}"));
    }

    pub(crate) async fn click(&self, css: &str) {
        self.c
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"))
            .click()
            .await
            .unwrap_or_else(|e| panic!("click {css}: {e}"));
    }

    /// Clicks something that loads a new page, and waits until the new page has loaded
    /// (the old document's marker is gone), so what is read next is the new page.
    pub(crate) async fn submit(&self, css: &str) {
        self.js("window.__domOldPage = true; return true;").await;
        self.click(css).await;
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let fresh = self
                .c
                .execute(
                    "return window.__domOldPage !== true && document.readyState === 'complete';",
                    vec![],
                )
                .await
                .unwrap_or(json!(false));
            if fresh == json!(true) {
                return;
            }
            assert!(Instant::now() < deadline, "{css}: no new page");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub(crate) async fn js(&self, script: &str) -> serde_json::Value {
        self.c.execute(script, vec![]).await.expect("script")
    }

    pub(crate) async fn shot(&self, name: &str) {
        let png = self.c.screenshot().await.expect("screenshot");
        assert!(png.starts_with(b"\x89PNG"), "a PNG");
        std::fs::create_dir_all(&self.shots).expect("screenshot dir");
        std::fs::write(self.shots.join(format!("{name}.png")), png).expect("write screenshot");
    }

    pub(crate) async fn sign_in(&self, token: &str) {
        self.go("/ui/accesso").await;
        self.fill("token", token).await;
        self.submit("form button[type=submit]").await;
    }

    pub(crate) async fn sign_out(&self) {
        self.submit("header .who button").await;
        assert_eq!(self.h1().await, "Accesso a DOM");
    }
}

/// The tooltip of this month's bar in the placements chart ("nov 26: 3").
async fn this_months_bar(p: &Page<'_>) -> String {
    p.js("const bars = document.querySelectorAll('svg.chart')[0].querySelectorAll('rect.bar'); return bars[bars.length - 1].querySelector('title').textContent;")
        .await
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// The number in a figure of the monthly review, by its label.
async fn figure(p: &Page<'_>, label: &str) -> String {
    p.js(&format!(
        "return [...document.querySelectorAll('.figure')].find(f => f.querySelector('.label').textContent === {label:?}).querySelector('.value').textContent;"
    ))
    .await
    .as_str()
    .unwrap_or_default()
    .to_string()
}

#[test]
fn desk_referrer_family_and_coordinator_in_a_real_browser() {
    let driver = start_driver();
    let server = Server::demo();
    runtime().block_on(async {
        let c = browser(&driver).await;
        let p = Page::of(&c, &server);

        // Without a session every page leads to the sign-in form; a wrong token is refused.
        p.go("/ui/schede").await;
        assert_eq!(p.h1().await, "Accesso a DOM");
        p.shot("01-accesso").await;
        p.sign_in("non-un-token").await;
        assert!(p.text("#e-token").await.contains("non valido"));

        // Each role lands on its own page and sees only its menu.
        for (token, title, menu) in [
            (PUNTO, "Le nostre richieste", 2),
            (SOCIAL, "Le nostre richieste", 2),
            (ADMIN, "Organizzazioni", 1),
            (DESK, "Oggi allo sportello", 8),
        ] {
            p.sign_in(token).await;
            assert_eq!(p.h1().await, title, "{token}");
            assert_eq!(p.count("header.top nav li").await, menu, "{token}");
            if token == DESK {
                p.shot("02-sportello-oggi").await;
            }
            p.sign_out().await;
        }
        p.sign_in(COORD).await;
        assert!(p.h1().await.starts_with("Rapporto mensile"));
        let placements_before = figure(&p, "Collocamenti (lavori iniziati)").await;
        let bar_before = this_months_bar(&p).await;
        assert!(bar_before.ends_with(&format!(": {placements_before}")), "{bar_before}");
        p.go("/ui/schede").await;
        assert_eq!(p.h1().await, "Non consentito", "a coordinator reads no cards");
        p.go("/ui/accesso").await;
        p.sign_out_if_needed().await;

        // The desk registers a worker: the API's validation shows beside the field.
        p.sign_in(DESK).await;
        p.go("/ui/schede/nuova").await;
        let unlabelled = p
            .js("return [...document.querySelectorAll('form.card-form input:not([type=hidden]), form.card-form select, form.card-form textarea')].filter(e => e.labels.length === 0).map(e => e.name);")
            .await;
        assert_eq!(unlabelled, json!([]), "every field has a label");
        for (name, value) in [
            ("given_name", "Oksana"),
            ("family_name", "Bilenko"),
            ("birth_year", "1979"),
            ("phone", "telefono"),
            ("comune", "Folonica"),
            ("hours_per_week.min", "10"),
            ("hours_per_week.max", "40"),
            ("languages[0].code", "it"),
            ("languages[0].level", "B1"),
            ("languages[1].code", "uk"),
            ("languages[1].level", "C2"),
            ("experience[0].kind", "elderly"),
            ("experience[0].years", "8"),
            ("permit.kind", "protection"),
            ("permit.expires_on", &crate::in_days(500)),
            ("notes", "Assistenza anziani, turni di notte."),
        ] {
            p.fill(name, value).await;
        }
        p.click("input[name=jobs][value=badante]").await;
        p.submit("form.card-form button[type=submit]").await;
        let error = p.text("#e-phone").await;
        assert!(!error.is_empty(), "the phone error is beside the phone field");
        assert_eq!(
            p.js("return document.querySelector('[name=phone]').getAttribute('aria-invalid');").await,
            json!("true")
        );
        assert_eq!(
            p.js("return document.querySelector('[name=given_name]').value;").await,
            json!("Oksana"),
            "what was typed is kept"
        );
        p.shot("03-nuova-scheda-errori").await;
        p.fill("phone", "+39 333 5550101").await;
        p.submit("form.card-form button[type=submit]").await;
        assert_eq!(p.h1().await, "Oksana Bilenko");
        assert!(p.text(".banner.ok").await.contains("Scheda registrata"));
        assert!(p.text("dl.summary").await.contains("Follonica"), "typo-tolerant comune");
        p.sign_out().await;

        // The Punto Insieme registers a request, with guidance; a discriminatory
        // criterion is explained in plain Italian and nothing is stored.
        p.sign_in(PUNTO).await;
        p.go("/ui/richieste/nuova").await;
        assert!(p.text(".guidance").await.contains("Cosa chiedere alla famiglia"));
        for (name, value) in [
            ("family_name", "Lombardi"),
            ("phone", "+39 0566 123456"),
            ("comune", "Follonica"),
            ("job", "badante"),
            ("live_in", "no"),
            ("hours_per_week", "30"),
            ("start_on", &crate::in_days(10)),
            ("requires.italian_min", "A2"),
            ("notes", "Solo badanti italiane, signore anziano con Parkinson."),
        ] {
            p.fill(name, value).await;
        }
        p.click("input[name=needs][value=elderly]").await;
        p.submit("form.card-form button[type=submit]").await;
        assert!(p.text(".banner.error").await.contains("Criterio non ammesso"));
        assert!(p.text(".banner.error").await.contains("nazionalità"));
        p.fill("notes", "Signore anziano con Parkinson, serve aiuto al mattino.").await;
        p.submit("form.card-form button[type=submit]").await;
        assert!(p.text(".banner.ok").await.contains("Richiesta registrata"));
        let request_url = p.c.current_url().await.expect("url");
        let request_path = request_url.path().to_string();
        assert!(p.text("dl.summary").await.contains("aperta"));
        p.sign_out().await;

        // The desk opens the candidates, side by side with every reason, and proposes.
        p.sign_in(DESK).await;
        p.go(&request_path).await;
        let candidates = p.count("article.candidate").await;
        assert!(candidates > 0, "candidates are shown");
        assert!(p.count("article.candidate table.reasons tbody tr").await >= candidates * 3);
        let best = p.text("article.candidate h3").await;
        let (given, family) = best.split_once(' ').expect("a full name");
        p.shot("04-candidati").await;
        p.click("article.candidate input[name=worker_id]").await;
        p.submit("form[action$='/proponi'] > button[type=submit]").await;
        assert!(p.text(".banner.ok").await.contains("Proposte registrate: 1"));
        let code = p.text("article.proposal code").await;
        assert_eq!(code.len(), 10, "outcome code {code}");
        p.go(&format!("{request_path}/stampa")).await;
        assert_eq!(p.h1().await, "Schede per la famiglia");
        let card = p.text("article.print-card").await;
        assert!(card.contains(given) && card.contains(&code), "{card}");
        assert!(!card.contains(family), "no surname on the family card: {card}");
        p.shot("05-stampa-schede").await;
        p.go(&format!("{request_path}/doveri")).await;
        assert!(p.text("main").await.contains("Costo annuo per la famiglia"));
        assert!(p.text("main").await.contains("INPS"));
        p.shot("06-doveri").await;
        p.sign_out().await;

        // The family reports the outcome with the code, in Romanian.
        p.go(&format!("/esito/{code}?lingua=ro")).await;
        assert_eq!(p.h1().await, "Cum a mers?");
        p.shot("07-esito-pubblico").await;
        p.submit("button[value=hired]").await;
        assert!(p.text(".banner.ok").await.contains("Mulțumim"));
        p.go(&format!("/esito/{code}?lingua=ar")).await;
        assert_eq!(p.js("return document.documentElement.dir;").await, json!("rtl"));

        // The coordinator sees the month change.
        p.sign_in(COORD).await;
        let placements_after = figure(&p, "Collocamenti (lavori iniziati)").await;
        let before: u64 = placements_before.parse().expect("a number");
        assert_eq!(placements_after, (before + 1).to_string(), "the hire counts this month");
        let bar_after = this_months_bar(&p).await;
        assert!(bar_after.ends_with(&format!(": {placements_after}")), "the chart changed: {bar_after}");
        assert!(p.count("svg.chart rect.bar").await >= 12);
        p.shot("08-rapporto").await;
        let csv = p.js("return document.querySelector('a[download]').getAttribute('href');").await;
        assert!(csv.as_str().unwrap_or_default().starts_with("/ui/rapporto.csv?mese="));

        // Usable on a phone: no sideways scrolling on the public page and the desk's day.
        p.c.set_window_size(390, 844).await.expect("resize");
        p.go(&format!("/esito/{code}?lingua=uk")).await;
        assert_eq!(
            p.js("return document.documentElement.scrollWidth <= window.innerWidth;").await,
            json!(true)
        );
        p.shot("09-telefono-esito").await;
        c.close().await.expect("close");
    });
}

impl Page<'_> {
    /// On the sign-in page a live session redirects home; sign out from there.
    async fn sign_out_if_needed(&self) {
        if self.count("header .who button").await > 0 {
            self.sign_out().await;
        }
    }
}
