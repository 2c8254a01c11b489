//! Online backup while the service writes, restore into a new folder, and compare.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use std::path::Path;

use crate::util::{p, run, run_ok, try_request, Server};
use crate::{worker_body, ADMIN, DESK};

/// The arguments of an offline `dom backup --to folder` or `dom restore --from folder`
/// of `data`.
fn offline<'a>(verb: &'a str, folder: &'a Path, data: &'a Path) -> [&'a str; 5] {
    let flag = if verb == "restore" { "--from" } else { "--to" };
    [verb, flag, p(folder), "--data", p(data)]
}

#[test]
fn a_backup_taken_while_serving_restores_to_an_identical_store() {
    let data = tempfile::tempdir().unwrap();
    let backups = tempfile::tempdir().unwrap();
    let restored = tempfile::tempdir().unwrap();
    let s = Server::start(data.path(), &["--demo", "--rate-per-token", "0"]);
    // Writers keep registering cards during the backup.
    let before: Arc<Mutex<Vec<serde_json::Value>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (before, stop, port) = (before.clone(), stop.clone(), s.port);
        std::thread::spawn(move || {
            let mut n = 0;
            while !stop.load(Ordering::SeqCst) {
                n += 1;
                let body = worker_body(
                    &format!("Bak{}", "abcdefghij".chars().nth(n % 10).unwrap()),
                    &format!("+39 320 55{n:05}"),
                );
                if let Some(r) = try_request(
                    port,
                    "POST",
                    "/api/v1/workers?allow_duplicate=true",
                    Some(DESK),
                    Some(&body.to_string()),
                ) {
                    if r.status == 201 {
                        before.lock().unwrap().push(r.json());
                    }
                }
            }
        })
    };
    // Some writes are acknowledged before the backup starts, however busy the machine.
    let waited = std::time::Instant::now();
    while before.lock().unwrap().is_empty() && waited.elapsed().as_secs() < 30 {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let acked_before_backup = before.lock().unwrap().len();
    let url = format!("http://127.0.0.1:{}", s.port);
    let out = run_ok(
        &["backup", "--to", p(backups.path()), "--server", &url],
        Some(ADMIN),
    );
    stop.store(true, Ordering::SeqCst);
    writer.join().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("copia di sicurezza scritta"));

    run_ok(&offline("restore", backups.path(), restored.path()), None);
    let copy = Server::start(restored.path(), &["--rate-per-token", "0"]);
    // Everything acknowledged before the backup started is there, identical.
    let acked = before.lock().unwrap();
    assert!(acked_before_backup > 0);
    for w in &acked[..acked_before_backup] {
        let id = w["id"].as_str().unwrap();
        let r = copy.get_as(DESK, &format!("/api/v1/workers/{id}"));
        assert_eq!(r.status, 200, "{id} missing from the restored copy");
        assert_eq!(&r.json(), w);
    }
    // A consistent moment: every card in the copy reads back as in the original, and
    // the copy holds a prefix of the writes made during the backup.
    let total = |s: &Server| {
        s.get_as(DESK, "/api/v1/workers?limit=1").json()["total"]
            .as_u64()
            .unwrap()
    };
    assert!(total(&copy) <= total(&s));
    let later: Vec<_> = acked[acked_before_backup..].iter().collect();
    let mut present = later.iter().map(|w| {
        copy.get_as(
            DESK,
            &format!("/api/v1/workers/{}", w["id"].as_str().unwrap()),
        )
        .status
            == 200
    });
    let prefix = present.by_ref().take_while(|p| *p).count();
    assert!(
        present.all(|p| !p),
        "writes after the first missing one are missing too"
    );
    eprintln!(
        "backup: {acked_before_backup} before, {prefix} of {} during",
        later.len()
    );
    // The index of the copy was rebuilt and checked.
    drop(copy);
    let out = run(&["check", "--data", p(restored.path())], None);
    assert!(String::from_utf8_lossy(&out.stdout).contains("coerente"));
}

#[test]
fn backups_need_an_admin_and_restores_an_empty_folder() {
    let data = tempfile::tempdir().unwrap();
    let backups = tempfile::tempdir().unwrap();
    let s = Server::start(data.path(), &["--demo"]);
    let url = format!("http://127.0.0.1:{}", s.port);
    let out = run(
        &["backup", "--to", p(backups.path()), "--server", &url],
        Some(DESK),
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("403"));
    assert_eq!(
        std::fs::read_dir(backups.path()).unwrap().count(),
        0,
        "nothing written"
    );
    // Offline backup of a folder the server holds is a clear error.
    let out = run(&offline("backup", backups.path(), data.path()), None);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("già in uso"));
    // Once stopped, the offline backup works; restoring over live data is refused.
    s.kill();
    run_ok(&offline("backup", backups.path(), data.path()), None);
    let out = run(&offline("restore", backups.path(), data.path()), None);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("cartella vuota"));
}
