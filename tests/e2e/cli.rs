//! `dom match`, `dom openings`, `dom reindex`, `dom compact` and `dom check` as an operator
//! runs them.

use crate::util::dom;

fn run(args: &[&str]) -> (bool, String, String) {
    let out = dom().args(args).output().expect("dom runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn match_shows_the_top_five_with_reasons() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().to_str().unwrap();
    let (ok, out, err) = run(&["match", "b000000000000001", "--demo", "--data", dir]);
    assert!(ok, "{err}");
    assert!(out.contains("badante a Scansano"), "{out}");
    for rank in 1..=5 {
        assert!(
            out.contains(&format!("\n{rank}. ")),
            "rank {rank} missing:\n{out}"
        );
    }
    assert!(!out.contains("\n6. "));
    // Italian factor names and decimal commas, never the API's codes.
    assert!(
        out.contains("esperienza") && out.contains("demenza/Alzheimer"),
        "{out}"
    );
    assert!(
        !out.contains("experience") && !out.contains("recency"),
        "{out}"
    );
    assert!(
        out.lines()
            .filter_map(|l| l.split_once("punteggio ").map(|(_, score)| score))
            .all(|score| score.contains(',') && !score.contains('.')),
        "{out}"
    );
    // Only first name and initial: no phone numbers on screen.
    assert!(!out.contains("+39"));
}

#[test]
fn openings_and_reindex_work_on_the_demo_store() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().to_str().unwrap();
    let (ok, out, err) = run(&["openings", "a000000000000017", "--demo", "--data", dir]);
    assert!(ok, "{err}");
    assert!(out.contains("b000000000000001"), "{out}");
    assert!(
        out.contains("esperienza") && !out.contains("experience"),
        "{out}"
    );
    let (ok, out, err) = run(&["reindex", "--data", dir]);
    assert!(ok, "{err}");
    assert!(out.contains("indice ricostruito"), "{out}");
    let (ok, out, _) = run(&["match", "b000000000000001", "--data", dir, "--limit", "3"]);
    assert!(ok);
    assert!(out.contains("\n3. ") && !out.contains("\n4. "));
}

#[test]
fn compact_keeps_the_answers_and_the_check_passes() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().to_str().unwrap();
    let (ok, before, err) = run(&["match", "b000000000000001", "--demo", "--data", dir]);
    assert!(ok, "{err}");
    let (ok, out, err) = run(&["compact", "--data", dir]);
    assert!(ok, "{err}");
    assert!(out.contains("archivio compattato"), "{out}");
    let (ok, after, err) = run(&["match", "b000000000000001", "--data", dir]);
    assert!(ok, "{err}");
    assert_eq!(after, before);
    let (ok, out, err) = run(&["check", "--data", dir]);
    assert!(ok, "{out}{err}");
}

#[test]
fn bad_arguments_fail_with_an_italian_message() {
    let (ok, _, err) = run(&["match", "not-an-id", "--data", "/tmp/dom-never-created"]);
    assert!(!ok);
    assert!(err.contains("non valido"), "{err}");
    let (ok, _, err) = run(&["fly"]);
    assert!(!ok);
    assert!(err.contains("comando sconosciuto"));
}

#[test]
fn synth_import_and_report_from_the_command_line() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().to_str().unwrap();
    let out = dom()
        .args(["synth", "--workers", "40", "--seed", "3"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let mut lines = String::from_utf8(out.stdout).unwrap();
    assert_eq!(lines.lines().count(), 40);
    lines.push_str("{\"given_name\": 1}\n");
    let (ok, _, err) = run(&["init", "--data", dir]);
    assert!(ok, "{err}");
    let file = data.path().join("workers.jsonl");
    std::fs::write(&file, lines).unwrap();
    let (ok, out, err) = run(&["import", "--workers", file.to_str().unwrap(), "--data", dir]);
    assert!(ok, "{err}");
    assert!(out.contains("importate 40 righe, scartate 1"), "{out}");
    assert!(
        err.contains("riga 41") && err.contains("given_name"),
        "{err}"
    );
    assert!(
        data.path().join("tables.snap").exists(),
        "import ends with a snapshot"
    );
    let (ok, out, err) = run(&["report", "--data", dir, "--csv"]);
    assert!(ok, "{err}");
    assert!(out.starts_with("\u{feff}Rapporto mensile"), "{out}");
    assert!(
        out.contains("\r\nSchede\r\nStato;Schede\r\nDisponibili;"),
        "{out}"
    );
}

#[test]
fn a_damaged_store_stops_start_up_every_time() {
    let data = tempfile::tempdir().unwrap();
    let d = data.path().to_str().unwrap();
    let (ok, _, err) = run(&["match", crate::ROSSI, "--demo", "--data", d]);
    assert!(ok, "{err}");
    let keys = std::fs::read(data.path().join("keys")).unwrap();
    // Garbage over sled's main file, as a failing disk might leave it. sled reads what
    // it can and would start on an empty store: DOM must refuse, and keep refusing.
    let db = data.path().join("store").join("db");
    let len = std::fs::metadata(&db).unwrap().len() as usize;
    let garbage: Vec<u8> = (0..len).map(|i| (i * 7 + 13) as u8).collect();
    std::fs::write(&db, &garbage).unwrap();
    let serve = ["serve", "--data", d, "--addr", "127.0.0.1:0"];
    let check = ["check", "--data", d];
    for args in [&serve[..], &check[..], &serve[..]] {
        let (ok, _, err) = run(args);
        assert!(!ok, "{args:?} started on a damaged store");
        assert!(
            err.contains("impossibile aprire l'archivio"),
            "{args:?}: {err}"
        );
        assert!(err.contains("copia di sicurezza"), "{args:?}: {err}");
    }
    assert!(
        std::fs::read(data.path().join("keys")).unwrap() == keys,
        "the key file was not touched"
    );
}

#[test]
fn every_command_has_its_own_flags_and_help() {
    for command in [
        "init", "serve", "match", "openings", "reindex", "report", "import", "synth", "admin",
        "backup", "restore", "check", "compact",
    ] {
        let (ok, out, err) = run(&[command, "--help"]);
        assert!(ok, "dom {command} --help: {err}");
        assert!(out.contains(command), "dom {command} --help:\n{out}");
    }
    let (ok, out, _) = run(&["admin", "add-operator", "--help"]);
    assert!(ok && out.contains("--role"), "{out}");
    let (ok, out, _) = run(&["--version"]);
    assert!(ok);
    assert!(
        out.starts_with("dom ") && out.contains(env!("CARGO_PKG_VERSION")),
        "{out}"
    );
    // A flag of another command is refused, before anything runs.
    for args in [
        &["check", "--csv", "--seed", "5"][..],
        &["report", "--seed", "5"][..],
        &["serve", "--limit", "3"][..],
        &["backup", "--to", "/tmp/x", "--csv"][..],
    ] {
        let (ok, _, err) = run(args);
        assert!(!ok, "{args:?} ran");
        assert!(err.contains("opzione sconosciuta"), "{args:?}: {err}");
    }
}

#[test]
fn commands_on_a_missing_store_fail_and_create_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let typo = dir.path().join("dom-dta");
    let typo_s = typo.to_str().unwrap();
    let to = dir.path().join("backups");
    let to_s = to.to_str().unwrap();
    for args in [
        &["check", "--data", typo_s][..],
        &["report", "--data", typo_s][..],
        &["match", crate::ROSSI, "--data", typo_s][..],
        &["openings", crate::NATALIA, "--data", typo_s][..],
        &["reindex", "--data", typo_s][..],
        &["compact", "--data", typo_s][..],
        &["backup", "--to", to_s, "--data", typo_s][..],
    ] {
        let (ok, out, err) = run(args);
        assert!(!ok, "{args:?} succeeded: {out}");
        assert!(err.contains("nessun archivio"), "{args:?}: {err}");
    }
    // The environment names the folder too.
    let out = dom()
        .args(["check"])
        .env("DOM_DATA", &typo)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(!typo.exists() && !to.exists(), "nothing created");
    // `init` creates it; then the same backup works, and init refuses to run twice.
    let (ok, out, err) = run(&["init", "--data", typo_s]);
    assert!(ok && out.contains("archivio vuoto creato"), "{err}");
    let (ok, _, err) = run(&["backup", "--to", to_s, "--data", typo_s]);
    assert!(ok, "{err}");
    let (ok, _, _) = run(&["init", "--data", typo_s]);
    assert!(!ok);
    // `serve` does not adopt a folder that holds something else.
    std::fs::write(dir.path().join("notes.txt"), "x").unwrap();
    let (ok, _, err) = run(&[
        "serve",
        "--data",
        dir.path().to_str().unwrap(),
        "--addr",
        "127.0.0.1:0",
    ]);
    assert!(!ok);
    assert!(err.contains("non è vuota"), "{err}");
}

#[test]
fn a_closed_pipe_is_not_a_panic() {
    use std::io::Read;
    use std::process::Stdio;
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().to_str().unwrap();
    let (ok, _, err) = run(&["match", crate::ROSSI, "--demo", "--data", dir]);
    assert!(ok, "{err}");
    for args in [
        &["help"][..],
        &["report", "--data", dir][..],
        &["synth", "--workers", "20000"][..],
    ] {
        let mut child = dom()
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Read one byte, then hang up, as `| head -c1` does.
        let mut stdout = child.stdout.take().unwrap();
        let mut one = [0u8; 1];
        stdout.read_exact(&mut one).unwrap();
        drop(stdout);
        let mut err = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut err)
            .unwrap();
        let status = child.wait().unwrap();
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(
            status.code().is_some_and(|c| c == 0),
            "{args:?}: {status:?} {err}"
        );
    }
}
