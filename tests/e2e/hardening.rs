//! Findings of the service review (issue 13) replayed against the real binary: each test
//! failed before its fix.

use crate::util::Server;
use crate::web::{csrf, form_post, get, sign_in};
use crate::PUNTO;

#[test]
fn a_form_field_named_ten_thousand_levels_deep_is_refused_and_the_service_lives() {
    let s = Server::demo();
    let cookie = sign_in(&s, PUNTO);
    let token = csrf(&get(&s, "/ui/richieste/nuova", &cookie).body);
    let before = s.get_as(PUNTO, "/api/v1/requests?limit=1").json()["total"].clone();
    let deep = vec!["a"; 10_000].join(".");
    let body = format!(
        "csrf={token}&job=colf&comune=Grosseto&live_in=no&hours_per_week=10&phone=%2B39+333+1234567&{deep}=1"
    );
    let r = form_post(&s, "/ui/richieste/nuova", Some(&cookie), &body);
    assert!((400..500).contains(&r.status), "status {}", r.status);
    assert!(
        r.body.contains("campo"),
        "an Italian form error: {}",
        r.body
    );
    assert_eq!(s.get("/healthz").status, 200, "the service still answers");
    assert_eq!(
        s.get_as(PUNTO, "/api/v1/requests?limit=1").json()["total"],
        before,
        "nothing stored"
    );
}
