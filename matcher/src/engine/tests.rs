//! The engine's tests: rankings against the demo set, start-up repair, snapshots, erasure on disk.

use std::path::{Path, PathBuf};

use super::*;
use crate::date::Date;
use crate::error::Error;
use crate::features::WorkerFeatures;
use crate::fixtures;
use crate::index::WorkerFilter;
use crate::model::{Request, Worker, WorkerInput};
use crate::rank;
use crate::store::tests::copy_dir;
use crate::store::Store;

#[test]
fn administration_writes_are_audited() {
    let e = Engine::temporary().unwrap();
    let org = crate::model::Organisation {
        id: Id(0x0a),
        name: "Sportello di prova".into(),
        kind: crate::model::OrgKind::Desk,
        comune: None,
        profile: crate::model::OrgProfile::default(),
    };
    e.create_organisation(None, org).unwrap();
    let lines = e.audit_of(Id(0x0a)).unwrap();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0].record_kind, crate::model::RecordKind::Organisation);
    // The profile the admin fills in is stored and audited; a bad field changes nothing.
    let patch = |v: serde_json::Value| serde_json::from_value(v).unwrap();
    let updated = e
        .update_organisation(
            None,
            Id(0x0a),
            patch(serde_json::json!({"profile": {"phone": "0564 488111"}})),
        )
        .unwrap();
    assert_eq!(updated.profile.phone, "0564 488111");
    assert!(e
        .update_organisation(
            None,
            Id(0x0a),
            patch(serde_json::json!({"profile": {"address": "Via Roma 1", "email": "x"}}))
        )
        .is_err());
    let stored = e.find_organisation(Id(0x0a)).unwrap().unwrap();
    assert_eq!(stored, updated, "a refused patch changes nothing");
    assert_eq!(e.audit_of(Id(0x0a)).unwrap().len(), 2);
    assert!(matches!(
        e.update_organisation(None, Id(0x0e), patch(serde_json::json!({}))),
        Err(crate::Error::NotFound { .. })
    ));
    let op = crate::model::Operator {
        id: Id(0x0b),
        org_id: Id(0x0a),
        name: "Nuova operatrice".into(),
        role: crate::model::Role::Operator,
        token_sha256: "00".repeat(32),
        created_on: fixtures::reference_date(),
        revoked_on: None,
        expires_on: None,
        last_used_on: None,
    };
    e.create_operator(None, op.clone()).unwrap();
    assert_eq!(e.audit_of(Id(0x0b)).unwrap().len(), 1);
    // An operator of an organisation that does not exist is refused, and not audited.
    let stray = crate::model::Operator {
        id: Id(0x0c),
        org_id: Id(0x0d),
        ..op
    };
    assert!(matches!(
        e.create_operator(None, stray),
        Err(Error::Invalid { field, .. }) if field == "org_id"
    ));
    assert!(e.audit_of(Id(0x0c)).unwrap().is_empty());
}

/// Stores a worker record as it is, audited as the system (tests that set up states).
fn put_worker(e: &Engine, w: &Worker) {
    e.apply(Change {
        workers: vec![w.clone()],
        ..Change::default()
    })
    .unwrap();
}
use crate::model::{RequestStatus, WorkerStatus};

fn today() -> Date {
    fixtures::reference_date()
}

fn demo_engine() -> Engine {
    let e = Engine::temporary().unwrap();
    assert!(e.seed_demo(today()).unwrap());
    e
}

fn contract_request() -> Request {
    fixtures::demo_requests().unwrap().remove(0)
}

#[test]
fn seeding_happens_once() {
    let e = demo_engine();
    assert!(!e.seed_demo(today()).unwrap());
    assert_eq!(e.worker_count(), fixtures::demo_workers().unwrap().len());
}

#[test]
fn candidates_respect_hard_constraints_and_order() {
    let e = demo_engine();
    let workers = fixtures::demo_workers().unwrap();
    for r in fixtures::demo_requests().unwrap() {
        let cands = e.candidates(r.id, 50, today()).unwrap();
        for pair in cands.windows(2) {
            assert!(pair[0].score >= pair[1].score);
        }
        for c in &cands {
            let w = workers.iter().find(|w| w.id == c.worker_id).unwrap();
            assert_eq!(w.status, WorkerStatus::Available, "{}", w.full_name());
            assert!(w.jobs.contains(&r.job));
            let sum: f64 = c.reasons.iter().map(|x| x.points).sum();
            assert!((sum - c.score).abs() < 1e-9);
        }
    }
}

#[test]
fn contract_request_finds_dementia_carers_first() {
    let e = demo_engine();
    let cands = e.candidates(contract_request().id, 5, today()).unwrap();
    assert_eq!(cands.len(), 5);
    let top = e.store().workers.fetch(cands[0].worker_id).unwrap();
    assert!(top
        .experience_years(crate::model::ExperienceKind::Dementia)
        .is_some());
    let text = cands[0]
        .reasons
        .iter()
        .find(|r| r.factor == "text")
        .unwrap();
    assert!(text.points > 0.0, "{text:?}");
}

#[test]
fn expired_permits_and_unconsented_never_appear() {
    let e = demo_engine();
    let workers = fixtures::demo_workers().unwrap();
    let bad: Vec<Id> = workers
        .iter()
        .filter(|w| {
            crate::features::permit_until(w.permit.kind, w.permit.expires_on)
                < today().add_days(5).days()
        })
        .map(|w| w.id)
        .collect();
    assert!(!bad.is_empty());
    for r in fixtures::demo_requests().unwrap() {
        for c in e.candidates(r.id, 200, today()).unwrap() {
            if r.start_on >= today().add_days(5) {
                assert!(!bad.contains(&c.worker_id));
            }
        }
    }
}

#[test]
fn new_cards_are_found_at_once_and_erased_ones_never() {
    let e = demo_engine();
    let mut w = fixtures::demo_workers().unwrap().remove(0);
    w.id = Id(42);
    w.phone = "+39 300 0000000".into();
    w.given_name = "Zlata".into();
    w.family_name = "Novak".into();
    w.last_proposed_on = None;
    w.registered_on = today().add_days(-400);
    put_worker(&e, &w);
    let r = contract_request();
    let found = |e: &Engine| {
        e.candidates(r.id, 200, today())
            .unwrap()
            .iter()
            .any(|c| c.worker_id == Id(42))
    };
    assert!(found(&e));
    e.erase_worker(Id(42), None, today()).unwrap();
    assert!(!found(&e));
    assert!(matches!(
        e.erase_worker(Id(42), None, today()),
        Err(Error::NotFound { .. })
    ));
}

#[test]
fn every_write_moves_the_generation_and_reads_do_not() {
    let e = demo_engine();
    let r = contract_request();
    let g = e.generation();
    e.candidates(r.id, 20, today()).unwrap();
    let desk = crate::model::Actor {
        operator_id: Id(7),
        org_id: Id(8),
        role: crate::model::Role::Operator,
    };
    e.audit(
        &desk,
        crate::model::AuditAction::Read,
        crate::model::RecordKind::Request,
        r.id,
    )
    .unwrap();
    assert_eq!(
        e.generation(),
        g,
        "reads and their audit lines change no answer"
    );

    let mut w = fixtures::demo_workers().unwrap().remove(0);
    w.id = Id(43);
    put_worker(&e, &w);
    let after_put = e.generation();
    assert!(after_put > g, "a worker written");
    e.erase_worker(Id(43), None, today()).unwrap();
    let after_erase = e.generation();
    assert!(after_erase > after_put, "an erasure");
    let mut changed = r.clone();
    changed.hours_per_week += 1;
    e.import_requests(&[changed]).unwrap();
    let after_import = e.generation();
    assert!(after_import > after_erase, "an import");
    assert!(e.erase_worker(Id(43), None, today()).is_err());
    assert_eq!(
        e.generation(),
        after_import,
        "a refused write changes nothing"
    );
}

#[test]
fn duplicates_are_refused_unless_allowed() {
    let e = demo_engine();
    let body = serde_json::json!({
      "given_name": "Anna", "family_name": "Popescu", "birth_year": 1975,
      "phone": "+39 349 0000000", "comune": "Grosseto",
      "jobs": ["badante"], "live_in": "either", "hours_per_week": {"min": 20, "max": 54},
      "max_travel_km": 30, "permit": {"kind": "eu_citizen"},
      "consent": {"given_on": "2026-11-01"}
    });
    let input: WorkerInput = serde_json::from_value(body).unwrap();
    let ana_id = fixtures::demo_workers().unwrap()[0].id;
    let before = e.store().workers.len();
    match e.register_worker(input.clone(), None, false, today()) {
        Err(Error::PossibleDuplicate { duplicates }) => {
            assert!(duplicates.iter().any(|d| d.worker_id == ana_id));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(e.store().workers.len(), before, "nothing stored");
    let w = e.register_worker(input, None, true, today()).unwrap();
    assert!(w.possible_duplicate_of.contains(&ana_id));
    assert_eq!(e.store().workers.len(), before + 1);
}

#[test]
fn openings_run_the_same_machinery_in_reverse() {
    let e = demo_engine();
    // Natalia Popa lives in Scansano and has dementia experience: the Rossi request.
    let natalia = fixtures::demo_workers()
        .unwrap()
        .into_iter()
        .find(|w| w.family_name == "Popa")
        .unwrap();
    let openings = e.openings(natalia.id, 10, today()).unwrap();
    assert!(openings
        .iter()
        .any(|o| o.request_id == contract_request().id));
    let requests = fixtures::demo_requests().unwrap();
    for o in &openings {
        let r = requests.iter().find(|r| r.id == o.request_id).unwrap();
        assert!(r.is_open(), "filled request offered");
        assert_ne!(r.status, RequestStatus::Filled);
        // The pair scores the same in both directions, but for text relevance: BM25
        // is relative to the other documents of the corpus searched.
        let cands = e.candidates(r.id, 200, today()).unwrap();
        let c = cands.iter().find(|c| c.worker_id == natalia.id).unwrap();
        let not_text = |rs: &[crate::model::Reason]| -> Vec<f64> {
            rs.iter()
                .filter(|x| x.factor != "text")
                .map(|x| x.points)
                .collect()
        };
        assert_eq!(not_text(&c.reasons), not_text(&o.reasons));
    }
}

#[test]
fn desk_search_by_text_filters_and_name() {
    let e = demo_engine();
    let f = WorkerFilter {
        text: "Alzheimer".into(),
        ..WorkerFilter::default()
    };
    let (n, page) = e.search_workers("", &f, 0, 50).unwrap();
    assert!(n >= 3);
    assert!(page
        .iter()
        .all(|w| w.notes.to_lowercase().contains("alzheimer")));
    let f = WorkerFilter {
        job: Some(crate::model::Job::Babysitter),
        comune: Some("053009".into()),
        ..WorkerFilter::default()
    };
    let (_, page) = e.search_workers("", &f, 0, 50).unwrap();
    assert!(!page.is_empty());
    assert!(page
        .iter()
        .all(|w| w.comune == "053009" && w.jobs.contains(&crate::model::Job::Babysitter)));
    let (n, page) = e
        .search_workers("popescu", &WorkerFilter::default(), 0, 50)
        .unwrap();
    assert_eq!(n, 2, "Ana and her duplicate Anna");
    assert!(page.iter().all(|w| w.family_name == "Popescu"));
    let (all, _) = e
        .search_workers("", &WorkerFilter::default(), 0, 1)
        .unwrap();
    assert_eq!(all, e.worker_count());
}

#[test]
fn pruned_ranking_equals_scoring_everyone() {
    let e = Engine::temporary().unwrap();
    let mut synth = crate::synth::Synth::new(11, today());
    e.import_workers(&synth.workers(4000)).unwrap();
    let t = e.tables();
    let rows: Vec<(WorkerFeatures, DocTerms)> = (0..t.workers.capacity())
        .filter_map(|s| {
            t.workers
                .filtered(s, 0, u32::MAX)
                .map(|(w, d)| (*w, d.clone()))
        })
        .collect();
    let stats = t.workers.stats.clone();
    drop(t);
    for area in [
        crate::synth::Area::Province("RM".into()),
        crate::synth::Area::Region("Toscana".into()),
        crate::synth::Area::National,
    ] {
        for _ in 0..15 {
            let r = synth.request(&area);
            let rf = RequestFeatures::of(&r);
            let q = stats.query(&crate::relevance::doc_terms(&r.notes));
            let mut brute: Vec<(f64, Id)> = rows
                .iter()
                .filter_map(|(w, d)| {
                    let ctx = rank::Context {
                        today: today(),
                        text_share: q.share(d),
                    };
                    rank::score(w, &rf, &ctx).ok().map(|b| (b.total(), w.id))
                })
                .collect();
            brute.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            brute.truncate(20);
            let fast: Vec<(f64, Id)> = e
                .candidates_for(&r, 20, today())
                .unwrap()
                .iter()
                .map(|c| (c.score, c.worker_id))
                .collect();
            assert_eq!(fast, brute, "{:?}", r.comune);
        }
    }
}

#[test]
fn limits_are_checked() {
    let e = demo_engine();
    let id = contract_request().id;
    assert!(matches!(
        e.candidates(id, 0, today()),
        Err(Error::Invalid { .. })
    ));
    assert!(e.candidates(id, rank::MAX_LIMIT + 1, today()).is_err());
    assert!(matches!(
        e.candidates(Id(7), 5, today()),
        Err(Error::NotFound { .. })
    ));
}

#[test]
fn reopening_finds_index_consistent() {
    let dir = tempfile::tempdir().unwrap();
    {
        let e = Engine::open(dir.path()).unwrap();
        e.seed_demo(today()).unwrap();
    }
    let e = Engine::open(dir.path()).unwrap();
    assert!(
        e.recovery().iter().all(|(_, r)| *r == Recovery::Consistent),
        "{:?}",
        e.recovery()
    );
    assert_eq!(
        e.candidates(contract_request().id, 5, today())
            .unwrap()
            .len(),
        5
    );
}

#[test]
fn index_behind_store_is_replayed() {
    let dir = tempfile::tempdir().unwrap();
    let w = fixtures::demo_workers().unwrap().remove(0);
    {
        let e = Engine::open(dir.path()).unwrap();
        e.seed_demo(today()).unwrap();
    }
    {
        // Written to the store but never reaching the index: as after a crash
        // between the two.
        let store = Store::open(&dir.path().join("store"), &dir.path().join("keys")).unwrap();
        let mut w2 = w.clone();
        w2.notes = "Nota aggiornata dopo il colloquio".into();
        store.put_worker(&w2).unwrap();
    }
    let e = Engine::open(dir.path()).unwrap();
    assert_eq!(e.recovery()[0].1, Recovery::Replayed { changes: 1 });
    assert_eq!(
        e.store().workers.fetch(w.id).unwrap().notes,
        "Nota aggiornata dopo il colloquio"
    );
}

#[test]
fn snapshot_plus_change_log_rebuilds_the_tables() {
    let dir = tempfile::tempdir().unwrap();
    let extra = {
        let mut w = fixtures::demo_workers().unwrap().remove(22);
        w.id = Id(77);
        w.phone = "+39 300 7777777".into();
        w
    };
    {
        let e = Engine::open(dir.path()).unwrap();
        e.seed_demo(today()).unwrap();
        e.close().unwrap();
    }
    assert!(dir.path().join("tables.snap").exists());
    {
        // A change after the snapshot, as if the process died before the next one.
        let store = Store::open(&dir.path().join("store"), &dir.path().join("keys")).unwrap();
        store.put_worker(&extra).unwrap();
        store.delete_worker(Id(0xa000000000000002)).unwrap();
    }
    let e = Engine::open(dir.path()).unwrap();
    assert_eq!(e.worker_count(), fixtures::demo_workers().unwrap().len());
    assert!(e.tables().workers.get(Id(77)).is_some());
    assert!(e.tables().workers.get(Id(0xa000000000000002)).is_none());
    // Dedupe keys came back too: the copy of Natalia is spotted by name and year.
    let dups = e.duplicates_of(&extra);
    assert_eq!(dups.len(), 1);
    assert_eq!(dups[0].worker_id, Id(0xa000000000000017));
    // The same answers as a store scan.
    let from_store = e.tables_from_store().unwrap();
    assert_eq!(from_store.workers.len(), e.worker_count());
    for id in [Id(77), Id(0xa000000000000017)] {
        assert_eq!(from_store.workers.get(id), e.tables().workers.get(id));
    }
}

#[test]
fn snapshots_written_during_bulk_writes_and_reopening_keep_every_card() {
    let dir = tempfile::tempdir().unwrap();
    let workers = crate::synth::Synth::new(9, today()).workers(300);
    {
        // A tiny threshold: snapshots are rewritten during the import and at start-up.
        let e = Engine::open_tuned(dir.path(), 10).unwrap();
        for chunk in workers.chunks(50) {
            e.import_workers(chunk).unwrap();
        }
    }
    for _ in 0..2 {
        let e = Engine::open_tuned(dir.path(), 10).unwrap();
        assert_eq!(e.worker_count(), 300);
        assert!(e.table_bytes() > 300 * 64);
    }
}

#[test]
fn compaction_keeps_the_answers_and_a_consistent_index() {
    let dir = tempfile::tempdir().unwrap();
    let request = contract_request().id;
    let before = {
        let e = Engine::open(dir.path()).unwrap();
        e.seed_demo(today()).unwrap();
        let c = e.candidates(request, 10, today()).unwrap();
        e.close().unwrap();
        c
    };
    let c = Engine::compact(dir.path()).unwrap();
    assert!(c.entries > 0 && c.bytes_after > 0, "{c:?}");
    let w = fixtures::demo_workers().unwrap().remove(4);
    {
        let e = Engine::open(dir.path()).unwrap();
        assert!(
            e.recovery().iter().all(|(_, r)| *r == Recovery::Consistent),
            "{:?}",
            e.recovery()
        );
        assert_eq!(e.candidates(request, 10, today()).unwrap(), before);
        assert!(e.check().unwrap().problems.is_empty());
        // The compacted store takes writes like any other.
        let mut w = w.clone();
        w.notes = "Dopo la compattazione".into();
        put_worker(&e, &w);
    }
    let e = Engine::open(dir.path()).unwrap();
    assert_eq!(
        e.store().workers.fetch(w.id).unwrap().notes,
        "Dopo la compattazione"
    );
    assert!(e.check().unwrap().problems.is_empty());
}

#[test]
fn index_ahead_of_store_is_rebuilt() {
    let dir = tempfile::tempdir().unwrap();
    let backup = tempfile::tempdir().unwrap();
    {
        let e = Engine::open(dir.path()).unwrap();
        drop(e);
    }
    copy_dir(&dir.path().join("store"), &backup.path().join("store"));
    std::fs::copy(dir.path().join("keys"), backup.path().join("keys")).unwrap();
    {
        let e = Engine::open(dir.path()).unwrap();
        e.seed_demo(today()).unwrap();
    }
    // Put back the empty store (and its keys) under the seeded index, as a careless
    // restore would.
    std::fs::remove_dir_all(dir.path().join("store")).unwrap();
    copy_dir(&backup.path().join("store"), &dir.path().join("store"));
    std::fs::copy(backup.path().join("keys"), dir.path().join("keys")).unwrap();
    let e = Engine::open(dir.path()).unwrap();
    assert!(matches!(e.recovery()[0].1, Recovery::Rebuilt { .. }));
    assert_eq!(e.index.workers.num_docs(), 0);
}

#[test]
fn rebuild_gives_the_same_answers() {
    let e = demo_engine();
    let id = contract_request().id;
    let before = e.candidates(id, 20, today()).unwrap();
    assert_eq!(
        e.rebuild_index().unwrap(),
        e.store().workers.len() + e.store().requests.len()
    );
    assert_eq!(e.candidates(id, 20, today()).unwrap(), before);
}

fn search_notes(e: &Engine, text: &str) -> Vec<Id> {
    let filter = WorkerFilter {
        text: text.into(),
        job: None,
        status: None,
        live_in: None,
        comune: None,
    };
    e.search_workers("", &filter, 0, 50)
        .unwrap()
        .1
        .iter()
        .map(|w| w.id)
        .collect()
}

/// Every file under `dir` that contains `needle`.
fn files_containing(dir: &Path, needle: &[u8]) -> Vec<PathBuf> {
    let mut hits = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if std::fs::read(&path)
                .unwrap()
                .windows(needle.len())
                .any(|w| w == needle)
            {
                hits.push(path);
            }
        }
    }
    hits
}

#[test]
fn erasure_leaves_no_trace_of_name_phone_or_notes_on_disk() {
    let dir = tempfile::tempdir().unwrap();
    let mut w = fixtures::demo_workers().unwrap().remove(3);
    w.id = Id(0x5eed);
    w.given_name = "Quirinella".into();
    w.family_name = "Zbignievska".into();
    w.phone = "+39 366 9081726".into();
    w.notes = "Referenze dalla famiglia Xylofonetti di Manciano".into();
    let needles: [&[u8]; 4] = [b"Quirinella", b"Zbignievska", b"9081726", b"xylofonett"];
    {
        let e = Engine::open(dir.path()).unwrap();
        e.seed_demo(today()).unwrap();
        put_worker(&e, &w);
        // Several versions, as edits leave them in sled's log.
        w.notes.push_str(" (aggiornato)");
        put_worker(&e, &w);
        e.close().unwrap();
    }
    // Sealed in the store; the tables snapshot still holds the dedupe keys.
    assert!(files_containing(&dir.path().join("store"), b"Quirinella").is_empty());
    assert!(!files_containing(dir.path(), b"quirinella").is_empty());
    let e = Engine::open(dir.path()).unwrap();
    assert_eq!(search_notes(&e, "xylofonetti"), vec![w.id]);
    e.erase_worker(w.id, None, today()).unwrap();
    assert!(search_notes(&e, "xylofonetti").is_empty());
    assert_eq!(e.store().workers.get(w.id).unwrap(), None);
    assert!(e.duplicates_of(&w).is_empty());
    for needle in needles {
        for case in [needle.to_vec(), needle.to_ascii_lowercase()] {
            let hits = files_containing(dir.path(), &case);
            assert!(
                hits.is_empty(),
                "{} found in {hits:?}",
                String::from_utf8_lossy(&case)
            );
        }
    }
    drop(e);
    let e = Engine::open(dir.path()).unwrap();
    assert_eq!(e.store().workers.get(w.id).unwrap(), None);
    assert!(e.tables().workers.get(w.id).is_none());
}

#[test]
fn a_crash_between_key_destruction_and_removal_finishes_the_erasure() {
    let dir = tempfile::tempdir().unwrap();
    let victim = fixtures::demo_workers().unwrap()[5].clone();
    {
        let e = Engine::open(dir.path()).unwrap();
        e.seed_demo(today()).unwrap();
        e.close().unwrap();
    }
    {
        let store = Store::open(&dir.path().join("store"), &dir.path().join("keys")).unwrap();
        // The first half of an erasure only.
        store.vault().shred(victim.id).unwrap();
        store.vault().sync().unwrap();
        assert_eq!(
            store.workers.get(victim.id).unwrap(),
            None,
            "unreadable at once"
        );
        assert!(store.workers.contains(victim.id).unwrap());
    }
    let e = Engine::open(dir.path()).unwrap();
    assert!(!e.store().workers.contains(victim.id).unwrap());
    assert!(e.tables().workers.get(victim.id).is_none());
    assert!(e.index().workers.num_docs() as usize == e.worker_count());
    assert_eq!(
        e.worker_count(),
        fixtures::demo_workers().unwrap().len() - 1
    );
}

#[test]
fn a_store_whose_key_file_is_lost_refuses_to_open() {
    let dir = tempfile::tempdir().unwrap();
    {
        let e = Engine::open(dir.path()).unwrap();
        e.seed_demo(today()).unwrap();
        e.close().unwrap();
    }
    std::fs::remove_file(dir.path().join("keys")).unwrap();
    match Engine::open(dir.path()) {
        Err(Error::Corrupt { what, .. }) => assert_eq!(what, "chiavi"),
        Err(other) => panic!("{other:?}"),
        Ok(_) => panic!("opened without keys"),
    }
    // Nothing was emptied: with the keys back every card reads again.
    assert!(!dir.path().join("keys").exists());
}
