//! The contact log and the message links in a real browser: a line added on a card is
//! listed; the WhatsApp button on "Oggi" logs a contact and opens a wa.me address
//! carrying the outcome code.

use std::time::{Duration, Instant};

use crate::browser::{browser, runtime, start_driver, Page};
use crate::contacts::with_follow_up_due;
use crate::{DESK, NATALIA, ROSSI};

#[test]
fn contacts_on_a_card_and_a_whatsapp_message_from_oggi() {
    let driver = start_driver();
    let data = tempfile::tempdir().unwrap();
    let (server, _, code) = with_follow_up_due(data.path());
    runtime().block_on(async {
        let c = browser(&driver).await;
        let p = Page::of(&c, &server);
        p.sign_in(DESK).await;

        // A line on Natalia's card: date prefilled with today, channel by its Italian label.
        p.go(&format!("/ui/schede/{NATALIA}")).await;
        assert!(p.text("#contatti h2").await.contains("(0)"));
        let label = p
            .js("const s = document.querySelector('#contatti select[name=channel]'); s.value = 'whatsapp'; return s.selectedOptions[0].textContent;")
            .await;
        assert_eq!(label, "WhatsApp");
        assert_eq!(
            p.js("return document.querySelector('#contatti input[name=on]').value;")
                .await,
            crate::today()
        );
        p.fill("note", "Chiamata, non risponde").await;
        p.submit("#contatti button[type=submit]").await;
        assert!(p.text("#contatti h2").await.contains("(1)"));
        let line = p.text("#contatti .contact-log li").await;
        assert!(line.contains("WhatsApp") && line.contains("Chiamata, non risponde"), "{line}");

        // "Scrivi su WhatsApp" beside the follow-up due: logged, then off to wa.me.
        p.go("/ui/").await;
        assert_eq!(p.h1().await, "Oggi allo sportello");
        p.click("form.message button[value=whatsapp]").await;
        let deadline = Instant::now() + Duration::from_secs(20);
        let url = loop {
            let url = c.current_url().await.expect("url").to_string();
            if url.starts_with("https://wa.me/") {
                break url;
            }
            assert!(Instant::now() < deadline, "never left for WhatsApp: {url}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        assert!(url.contains(&code), "{url}");
        p.go(&format!("/ui/richieste/{ROSSI}")).await;
        let line = p.text("#contatti .contact-log li").await;
        assert!(line.contains("WhatsApp") && line.contains(&code), "{line}");

        // The menu's two links open two pages.
        p.go("/ui/verifiche").await;
        assert_eq!(p.h1().await, "Verifiche");
        c.close().await.expect("close");
    });
}
