//! Crash safety: `dom serve` is killed with SIGKILL at random moments while several
//! clients write, then restarted. After every cycle each acknowledged write is present
//! and identical, nothing is half-written, and the index answers as a rebuild would
//! (`dom check`). `DOM_CRASH_CYCLES` sets the number of cycles (20 by default).

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rand::{Rng, SeedableRng};
use serde_json::{json, Value};

use crate::util::{dom, try_request, Server};
use crate::{request_body, today, worker_body, DESK, PUNTO};

/// What the server acknowledged (a complete 2xx response), by kind.
#[derive(Default)]
struct Acked {
    /// Worker id → the card as the server returned it.
    workers: Vec<Value>,
    requests: Vec<Value>,
    /// Proposals with the follow-ups the server returned alongside.
    proposals: Vec<Value>,
    /// Proposals whose `hired` outcome was acknowledged.
    hired: Vec<Value>,
    /// Given names sent but never acknowledged: each must be fully present or absent.
    unacked_names: Vec<String>,
}

/// Letters only, so the name passes validation; unique per (cycle, client, n).
fn name(cycle: u32, client: u32, n: u32) -> String {
    let mut v = cycle * 10_000 + client * 1_000 + n;
    let mut s = String::from("Kr");
    for _ in 0..5 {
        s.push((b'a' + (v % 26) as u8) as char);
        v /= 26;
    }
    s
}

fn ok(r: &Option<crate::util::Response>, status: u16) -> Option<Value> {
    r.as_ref().filter(|r| r.status == status).map(|r| r.json())
}

/// One client: register a worker and a family request, propose one to the other,
/// record that the family hired; again and again until the server dies.
fn client(port: u16, cycle: u32, id: u32, acked: Arc<Mutex<Acked>>, stop: Arc<AtomicBool>) {
    let mut n = 0;
    while !stop.load(Ordering::SeqCst) {
        n += 1;
        let given = name(cycle, id, n);
        let mut w = worker_body(
            &given,
            &format!("+39 333 {:03}{:04}", cycle % 1000, id * 1000 + n),
        );
        w["family_name"] = json!(format!("{given}ova"));
        let r = try_request(
            port,
            "POST",
            "/api/v1/workers?allow_duplicate=true",
            Some(DESK),
            Some(&w.to_string()),
        );
        let Some(worker) = ok(&r, 201) else {
            acked.lock().unwrap().unacked_names.push(given);
            return;
        };
        acked.lock().unwrap().workers.push(worker.clone());
        let r = try_request(
            port,
            "POST",
            "/api/v1/requests",
            Some(PUNTO),
            Some(&request_body().to_string()),
        );
        let Some(request) = ok(&r, 201) else { return };
        acked.lock().unwrap().requests.push(request.clone());
        let r = try_request(
            port,
            "POST",
            &format!(
                "/api/v1/requests/{}/proposals",
                request["id"].as_str().unwrap()
            ),
            Some(DESK),
            Some(&json!({"worker_id": worker["id"]}).to_string()),
        );
        let Some(proposal) = ok(&r, 201) else { return };
        acked.lock().unwrap().proposals.push(proposal.clone());
        let r = try_request(
            port,
            "POST",
            &format!(
                "/api/v1/proposals/{}/outcome",
                proposal["id"].as_str().unwrap()
            ),
            Some(DESK),
            Some(
                &json!({"outcome": "hired", "reported_by": "operator", "start_on": today()})
                    .to_string(),
            ),
        );
        let Some(hired) = ok(&r, 200) else { return };
        acked.lock().unwrap().hired.push(hired);
    }
}

fn get(s: &Server, token: &str, path: &str) -> Value {
    let r = s.get_as(token, path);
    assert_eq!(r.status, 200, "GET {path}: {}", r.body);
    r.json()
}

/// Which acknowledged records a check reads: after a crash, the newest ones (those the
/// crash could have caught: the last 30) and 20 older ones at random, so a cycle's cost
/// stays flat; at the end of the run, all of them.
#[derive(Clone, Copy)]
enum Scope {
    AfterCrash,
    Everything,
}

fn subset<'a>(v: &'a [Value], scope: Scope, rng: &mut impl Rng) -> Vec<&'a Value> {
    const NEWEST: usize = 30;
    if matches!(scope, Scope::Everything) || v.len() <= NEWEST + 20 {
        return v.iter().collect();
    }
    let mut out: Vec<&Value> = v[v.len() - NEWEST..].iter().collect();
    out.extend((0..20).map(|_| &v[rng.random_range(0..v.len() - NEWEST)]));
    out
}

/// Everything acknowledged is there and identical; everything else is whole or absent.
fn verify(s: &Server, acked: &Acked, scope: Scope, rng: &mut impl Rng) {
    for w in subset(&acked.workers, scope, rng) {
        let id = w["id"].as_str().unwrap();
        let now = get(s, DESK, &format!("/api/v1/workers/{id}"));
        // Later steps of the same client legitimately change the status (placed).
        let mut now_cmp = now.clone();
        let mut then = w.clone();
        for v in [&mut now_cmp, &mut then] {
            v["status"] = Value::Null;
            v["last_proposed_on"] = Value::Null;
        }
        assert_eq!(now_cmp, then, "worker {id} changed");
    }
    for r in subset(&acked.requests, scope, rng) {
        let id = r["id"].as_str().unwrap();
        let now = get(s, PUNTO, &format!("/api/v1/requests/{id}"));
        for field in ["family_name", "phone", "notes", "comune", "job", "start_on"] {
            assert_eq!(now[field], r[field], "request {id} field {field}");
        }
    }
    for p in subset(&acked.proposals, scope, rng) {
        let id = p["id"].as_str().unwrap();
        let now = get(s, DESK, &format!("/api/v1/proposals/{id}"));
        for field in [
            "request_id",
            "worker_id",
            "score",
            "reasons",
            "outcome_code",
        ] {
            assert_eq!(now[field], p[field], "proposal {id} field {field}");
        }
    }
    // The code → proposal map is written in the same transaction. The public endpoint
    // allows 30 lookups an hour per client (and the limiter restarts with the server):
    // check the most recent proposals, the ones a crash could have caught.
    for p in acked.proposals.iter().rev().take(20) {
        let code = p["outcome_code"].as_str().unwrap();
        let r = s.get(&format!("/api/v1/outcome/{code}"));
        assert_eq!(r.status, 200, "code {code}: {}", r.body);
    }
    for h in subset(&acked.hired, scope, rng) {
        let id = h["id"].as_str().unwrap();
        let now = get(s, DESK, &format!("/api/v1/proposals/{id}"));
        assert_eq!(now["outcome"]["outcome"], "hired", "proposal {id}");
    }
    // Unacknowledged registrations: all or nothing.
    for given in acked.unacked_names.iter().rev().take(30) {
        let found = get(s, DESK, &format!("/api/v1/workers?name={given}"));
        for w in found["workers"].as_array().unwrap() {
            if w["given_name"] != json!(given) {
                continue; // a similar name found by the typo-tolerant search
            }
            let id = w["id"].as_str().unwrap();
            let card = get(s, DESK, &format!("/api/v1/workers/{id}"));
            assert_eq!(card["family_name"], json!(format!("{given}ova")));
            assert_eq!(card["consent"]["given_on"], json!(today()));
        }
    }
    // Multi-record changes are atomic: a hired proposal placed its worker and filled
    // its request; every proposal kept its follow-ups.
    for p in subset(&acked.proposals, scope, rng) {
        let id = p["id"].as_str().unwrap();
        let now = get(s, DESK, &format!("/api/v1/proposals/{id}"));
        assert!(
            !now["follow_ups"].as_array().unwrap().is_empty(),
            "{id}: no follow-ups"
        );
        if now["outcome"]["outcome"] == "hired" {
            let w = get(
                s,
                DESK,
                &format!("/api/v1/workers/{}", now["worker_id"].as_str().unwrap()),
            );
            assert_eq!(w["status"], "placed", "{id}: hired but worker not placed");
            let r = get(
                s,
                PUNTO,
                &format!("/api/v1/requests/{}", now["request_id"].as_str().unwrap()),
            );
            assert_eq!(r["status"], "filled", "{id}: hired but request not filled");
        }
    }
}

fn check_index(data: &Path) {
    let out = dom().arg("check").arg("--data").arg(data).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("coerente"),
        "dom check: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn acknowledged_writes_survive_sigkill() {
    let cycles: u32 = std::env::var("DOM_CRASH_CYCLES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);
    let seed = std::env::var("DOM_CRASH_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(rand::random::<u64>);
    eprintln!("crash test: {cycles} cycles, DOM_CRASH_SEED={seed}");
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let data = tempfile::tempdir().unwrap();
    let acked = Arc::new(Mutex::new(Acked::default()));
    let started = Instant::now();
    for cycle in 0..cycles {
        let server = Server::start(data.path(), &["--demo", "--rate-per-token", "0"]);
        verify(&server, &acked.lock().unwrap(), Scope::AfterCrash, &mut rng);
        let stop = Arc::new(AtomicBool::new(false));
        let clients: Vec<_> = (0..3)
            .map(|id| {
                let (acked, stop) = (acked.clone(), stop.clone());
                let port = server.port;
                std::thread::spawn(move || client(port, cycle, id, acked, stop))
            })
            .collect();
        std::thread::sleep(Duration::from_millis(rng.random_range(50..1200)));
        server.kill();
        stop.store(true, Ordering::SeqCst);
        for c in clients {
            c.join().unwrap();
        }
        check_index(data.path());
    }
    let server = Server::start(data.path(), &["--rate-per-token", "0"]);
    let acked = acked.lock().unwrap();
    verify(&server, &acked, Scope::Everything, &mut rng);
    eprintln!(
        "crash test: {cycles} SIGKILLs survived in {:.0?}; acknowledged {} workers, {} requests, {} proposals, {} outcomes",
        started.elapsed(),
        acked.workers.len(),
        acked.requests.len(),
        acked.proposals.len(),
        acked.hired.len()
    );
    assert!(
        acked.workers.len() as u32 >= cycles,
        "the clients barely wrote"
    );
}
