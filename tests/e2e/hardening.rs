//! Findings of the service review (issue 13) replayed against the real binary: each test
//! failed before its fix.

use crate::util::{p, run_ok, Server};
use crate::web::{csrf, form_post, get, sign_in};
use crate::{DESK, PUNTO};

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

#[test]
fn the_log_has_a_line_per_request_and_never_a_name_phone_or_token() {
    let data = tempfile::tempdir().unwrap();
    let mut s = Server::start_logged(data.path(), &["--demo", "--log-format", "json"]);
    let (name, family, phone) = ("Zenobia", "Quartapelle", "+39 347 8812345");
    let mut body = crate::worker_body(name, phone);
    body["family_name"] = serde_json::json!(family);
    let r = s.post_as(DESK, "/api/v1/workers?allow_duplicate=true", &body);
    assert_eq!(r.status, 201, "{}", r.body);
    let id = r.json()["id"].as_str().unwrap().to_string();
    assert_eq!(s.get_as(DESK, &format!("/api/v1/workers/{id}")).status, 200);
    let search = format!("/api/v1/workers?q={family}&name={name}");
    assert_eq!(s.get_as(DESK, &search).status, 200);
    assert_eq!(s.get_as("wrong-token", "/api/v1/workers").status, 401);
    let cookie = sign_in(&s, DESK);
    assert_eq!(get(&s, &format!("/ui/schede/{id}"), &cookie).status, 200);
    assert!(s.terminate(), "a clean stop on SIGTERM");
    let log = s.log();
    for secret in [name, family, phone, "8812345", DESK, "dom_sessione="] {
        assert!(!log.contains(secret), "{secret:?} in the log:\n{log}");
    }
    assert!(
        !log.contains(&id),
        "record ids are replaced by the route pattern"
    );
    let lines: Vec<serde_json::Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    let request = |route: &str, status: u64| {
        lines
            .iter()
            .find(|l| l["route"] == route && l["status"] == status)
    };
    let line = request("/api/v1/workers/{id}", 200).expect("a line for the card read");
    assert_eq!(line["method"], "GET");
    assert_eq!(line["level"], "INFO");
    assert!(line["ms"].as_f64().is_some() && line["timestamp"].is_string());
    assert_ne!(line["operator"], "-", "the operator's id: {line}");
    assert_eq!(
        request("/api/v1/workers", 401).expect("the refusal")["operator"],
        "-"
    );
    assert!(request("/ui/schede/{id}", 200).is_some(), "web pages too");
    assert!(lines.iter().any(|l| l["message"] == "DOM avviato"));
    assert!(lines.iter().any(|l| l["message"] == "DOM fermato"));
    assert!(
        lines.iter().all(|l| l["level"] != "DEBUG"),
        "no debug output by default"
    );
}

/// One wrong-code report to the public endpoint, as if forwarded for `client`.
fn report_via(s: &Server, code: &str, header: &str) -> u16 {
    let body = serde_json::json!({"outcome": "hired", "start_on": crate::today()}).to_string();
    s.raw(&format!(
        "POST /api/v1/outcome/{code} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n{header}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    ))
    .status
}

#[test]
fn behind_a_trusted_proxy_families_are_limited_one_by_one() {
    let data = tempfile::tempdir().unwrap();
    let s = Server::start(data.path(), &["--demo", "--trusted-proxy", "127.0.0.1"]);
    // 31 families, each through the proxy: nobody is locked out by the others.
    for n in 0..31 {
        let st = report_via(
            &s,
            &format!("FAM{n:05}"),
            &format!("X-Forwarded-For: 198.51.100.{n}"),
        );
        assert_eq!(st, 404, "family {n}");
    }
    // One address (spoofing a left-most entry changes nothing) runs out after 30.
    let statuses: Vec<u16> = (0..31)
        .map(|n| {
            report_via(
                &s,
                &format!("ONE{n:05}"),
                &format!("X-Forwarded-For: 10.9.{n}.1, 203.0.113.5"),
            )
        })
        .collect();
    assert!(statuses[..30].iter().all(|st| *st == 404), "{statuses:?}");
    assert_eq!(statuses[30], 429);
    // RFC 7239 syntax is read too.
    assert_eq!(
        report_via(&s, "RFC000001", "Forwarded: for=\"[2001:db8::7]:4711\""),
        404
    );
}

#[test]
fn without_a_trusted_proxy_forwarding_headers_are_ignored() {
    let s = Server::demo();
    let statuses: Vec<u16> = (0..31)
        .map(|n| {
            report_via(
                &s,
                &format!("SPF{n:05}"),
                &format!("X-Forwarded-For: 198.51.100.{n}"),
            )
        })
        .collect();
    assert!(statuses[..30].iter().all(|st| *st == 404), "{statuses:?}");
    assert_eq!(
        statuses[30], 429,
        "a spoofed header does not reset the limit"
    );
}

fn session_cookie(s: &Server, extra_header: &str) -> String {
    let body = format!("token={DESK}");
    let r = s.raw(&format!(
        "POST /ui/accesso HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n{extra_header}\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    ));
    assert_eq!(r.status, 303, "{}", r.body);
    r.header("set-cookie").expect("a cookie").to_string()
}

#[test]
fn session_cookies_are_secure_behind_https() {
    let data = tempfile::tempdir().unwrap();
    let s = Server::start(
        data.path(),
        &["--demo", "--public-url", "https://dom.esempio.it"],
    );
    assert!(session_cookie(&s, "").contains("; Secure"));
    drop(s);
    let s = Server::start(data.path(), &["--trusted-proxy", "127.0.0.1"]);
    assert!(!session_cookie(&s, "").contains("Secure"), "plain HTTP");
    assert!(session_cookie(&s, "X-Forwarded-Proto: https\r\n").contains("; Secure"));
    drop(s);
    let s = Server::start(data.path(), &[]);
    assert!(
        !session_cookie(&s, "X-Forwarded-Proto: https\r\n").contains("Secure"),
        "not believed from an untrusted peer"
    );
}

#[test]
fn idle_sockets_that_never_finish_their_headers_do_not_hold_the_service() {
    use std::io::{Read, Write};
    use std::net::TcpStream;
    use std::time::{Duration, Instant};
    let data = tempfile::tempdir().unwrap();
    let s = Server::start(data.path(), &["--demo", "--header-timeout-s", "2"]);
    let open = |n: usize| -> Vec<TcpStream> {
        (0..n)
            .map(|_| {
                let mut c = TcpStream::connect(("127.0.0.1", s.port)).unwrap();
                c.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
                    .unwrap();
                c
            })
            .collect()
    };
    let mut idle = open(300);
    let t = Instant::now();
    assert_eq!(s.get("/healthz").status, 200);
    assert!(t.elapsed() < Duration::from_secs(2), "{:?}", t.elapsed());
    // The header timeout closes them.
    let c = &mut idle[0];
    c.set_read_timeout(Some(Duration::from_secs(6))).unwrap();
    let t = Instant::now();
    let mut buf = [0u8; 512];
    let n = c.read(&mut buf).unwrap_or(0);
    assert!(
        t.elapsed() < Duration::from_secs(5),
        "closed after the header timeout ({n} bytes, {:?})",
        t.elapsed()
    );
    drop(idle);
    drop(s);
    // With a connection cap, the idle ones take every slot only until their timeout.
    let s = Server::start(
        data.path(),
        &["--header-timeout-s", "1", "--max-connections", "20"],
    );
    let idle: Vec<TcpStream> = (0..40)
        .map(|_| {
            let mut c = TcpStream::connect(("127.0.0.1", s.port)).unwrap();
            c.write_all(b"GET / HTTP/1.1\r\n").unwrap();
            c
        })
        .collect();
    let t = Instant::now();
    assert_eq!(s.get("/healthz").status, 200);
    assert!(t.elapsed() < Duration::from_secs(5), "{:?}", t.elapsed());
    drop(idle);
}

fn mode(p: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::symlink_metadata(p).unwrap().permissions().mode() & 0o777
}

/// Every file and folder under `dir`, with its mode.
fn modes(dir: &std::path::Path) -> Vec<(std::path::PathBuf, u32)> {
    let mut out = vec![(dir.to_path_buf(), mode(dir))];
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        if e.file_type().unwrap().is_dir() {
            out.extend(modes(&e.path()));
        } else {
            out.push((e.path(), mode(&e.path())));
        }
    }
    out
}

#[test]
fn the_data_folder_and_backups_are_readable_by_the_service_user_only() {
    let parent = tempfile::tempdir().unwrap();
    let data = parent.path().join("dom-data");
    let mut s = Server::start(&data, &["--demo"]);
    assert_eq!(s.get("/healthz").status, 200);
    assert!(s.terminate());
    let backups = parent.path().join("backups");
    run_ok(&["backup", "--to", p(&backups), "--data", p(&data)], None);
    let all: Vec<_> = modes(&data).into_iter().chain(modes(&backups)).collect();
    assert!(all.iter().any(|(p, _)| p.ends_with("keys")));
    assert!(all
        .iter()
        .any(|(p, _)| p.extension().is_some_and(|e| e == "dombak")));
    for (path, m) in &all {
        assert_eq!(m & 0o077, 0, "{} is {m:o}", path.display());
    }
    // A folder made by an older DOM (0755, keys 0644) is closed at the next start.
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(data.join("keys"), std::fs::Permissions::from_mode(0o644)).unwrap();
    run_ok(&["check", "--data", p(&data)], None);
    assert_eq!((mode(&data), mode(&data.join("keys"))), (0o700, 0o600));
}

#[test]
fn invisible_or_direction_changing_names_are_refused_naming_the_field() {
    let s = Server::demo();
    for (field, value) in [
        ("given_name", "\u{200B}\u{200D}\u{FEFF}"),
        ("family_name", "Rossi\u{202E}issoR"),
        ("given_name", "\u{2066}Ana\u{2069}"),
    ] {
        let mut body = crate::worker_body("Ana", "+39 333 4445556");
        body[field] = serde_json::json!(value);
        let r = s.post_as(DESK, "/api/v1/workers?allow_duplicate=true", &body);
        assert_eq!(r.status, 422, "{value:?}: {}", r.body);
        assert_eq!(r.json()["error"]["field"], field, "{}", r.body);
    }
    let mut body = crate::request_body();
    body["family_name"] = serde_json::json!("\u{202D}Bianchi");
    let r = s.post_as(DESK, "/api/v1/requests", &body);
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(r.json()["error"]["field"], "family_name");
}

#[test]
fn metrics_are_for_the_admin_or_the_metrics_listener_and_name_no_one() {
    let data = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let metrics_addr = format!("127.0.0.1:{port}");
    let s = Server::start(data.path(), &["--demo", "--metrics-addr", &metrics_addr]);
    let r = s.post_as(
        DESK,
        "/api/v1/workers?allow_duplicate=true",
        &crate::worker_body("Ermenegilda", "+39 347 1239876"),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let id = r.json()["id"].as_str().unwrap().to_string();
    assert_eq!(s.get_as(DESK, &format!("/api/v1/workers/{id}")).status, 200);
    let c = s.get_as(
        DESK,
        &format!("/api/v1/requests/{}/candidates", crate::ROSSI),
    );
    assert_eq!(c.status, 200);
    assert_eq!(s.get("/metrics").status, 401);
    assert_eq!(s.get_as(DESK, "/metrics").status, 403);
    let m = s.get_as(crate::ADMIN, "/metrics");
    assert_eq!(m.status, 200);
    assert!(m.header("content-type").unwrap().starts_with("text/plain"));
    for text in [
        &m.body,
        &crate::util::try_request(port, "GET", "/metrics", None, None)
            .expect("the metrics listener answers")
            .body,
    ] {
        assert!(text.contains(
            "dom_http_requests_total{method=\"GET\",route=\"/api/v1/workers/{id}\",status=\"200\"} 1"
        ), "{text}");
        assert!(
            text.contains("dom_matching_duration_seconds_count 1"),
            "{text}"
        );
        assert!(text.contains("dom_store_bytes ") && text.contains("dom_follow_ups_overdue "));
        for secret in ["Ermenegilda", "1239876", id.as_str(), crate::ROSSI] {
            assert!(!text.contains(secret), "{secret} in the metrics");
        }
    }
    // The metrics listener answers nothing else.
    let other = crate::util::try_request(port, "GET", "/api/v1/workers", Some(DESK), None).unwrap();
    assert_eq!(other.status, 404);
}
