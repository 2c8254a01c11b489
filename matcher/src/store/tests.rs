//! Tests of the store: transactions, the change log, sealing, parent indexes.
use super::migrate::FORMAT_VERSION;
use super::*;
use crate::model::{Id, OrgKind};

fn org(id: u64, name: &str) -> Organisation {
    Organisation {
        id: Id(id),
        name: name.into(),
        kind: OrgKind::Desk,
        comune: Some("053011".into()),
        profile: crate::model::OrgProfile::default(),
    }
}

#[test]
fn envelope_roundtrips_and_refuses_unknown_formats() {
    let o = org(7, "Sportello");
    let bytes = encode(&o).unwrap();
    assert_eq!(bytes[0], envelope::PACKED);
    assert_eq!(decode::<Organisation>("t", &bytes).unwrap(), o);
    // Smaller than JSON: the point of the binary body.
    assert!(bytes.len() < envelope::encode_json(&o).len());
    let mut newer = bytes.clone();
    newer[0] = envelope::SEALED_PACKED + 1;
    assert!(matches!(
        decode::<Organisation>("t", &newer),
        Err(Error::Corrupt { .. })
    ));
    assert!(decode::<Organisation>("t", &[]).is_err());
    assert!(decode::<Organisation>("t", &[envelope::PACKED, 0xc1]).is_err());
    assert!(decode::<Organisation>("t", &[envelope::JSON, b'{']).is_err());
    // Store format 1's JSON still reads (a migration under way, an old backup).
    assert_eq!(
        decode::<Organisation>("t", &envelope::encode_json(&o)).unwrap(),
        o
    );
}

#[test]
fn older_records_without_new_fields_still_decode() {
    // A proposal written before `outcome` existed.
    let json = br#"{"id":"0000000000000001","request_id":"0000000000000002",
        "worker_id":"0000000000000003","org_id":"0000000000000004",
        "proposed_by":"0000000000000005","proposed_on":"2026-01-01","score":50.0,
        "reasons":[],"warnings":[],"outcome_code":"ABC"}"#;
    let mut bytes = vec![envelope::JSON];
    bytes.extend_from_slice(json);
    let p: Proposal = decode("proposals", &bytes).unwrap();
    assert_eq!(p.outcome, None);
    // The same holds for the binary body: fields are named, a missing one defaults.
    let value: serde_json::Value = serde_json::from_slice(json).unwrap();
    let p: Proposal = decode("proposals", &envelope::encode(&value).unwrap()).unwrap();
    assert_eq!((p.outcome, p.outcome_code.as_str()), (None, "ABC"));
}

#[test]
fn logged_writes_advance_seq_and_log() {
    let s = Store::temporary().unwrap();
    assert_eq!(s.seq().unwrap(), 0);
    let w = crate::fixtures::demo_workers().unwrap().remove(0);
    assert_eq!(s.put_worker(&w).unwrap(), 1);
    assert_eq!(s.delete_worker(w.id).unwrap(), 2);
    let log = s.changes_since(0).unwrap();
    assert_eq!(log.len(), 2);
    assert_eq!(
        (log[1].seq, log[1].kind, log[1].id),
        (2, Kind::Worker, w.id)
    );
    assert!(s.workers.get(w.id).unwrap().is_none());
    s.prune_changes(1).unwrap();
    assert_eq!(s.first_change_seq().unwrap(), Some(2));
    assert_eq!(s.changes_since(1).unwrap().len(), 1);
}

#[test]
fn a_bulk_chunk_is_one_log_entry_read_and_pruned_change_by_change() {
    let s = Store::temporary().unwrap();
    let today = crate::fixtures::reference_date();
    let workers = crate::synth::Synth::new(3, today).workers(BULK_CHUNK + 5);
    let n = workers.len() as u64;
    assert_eq!(s.put_bulk(&workers).unwrap().seq, n);
    // Two chunks, two entries, keyed by their first sequence numbers.
    let keys: Vec<u64> = s
        .changes
        .iter()
        .keys()
        .map(|k| u64::from_be_bytes(<[u8; 8]>::try_from(k.unwrap().as_ref()).unwrap()))
        .collect();
    assert_eq!(keys, vec![1, BULK_CHUNK as u64 + 1]);
    // Read from the middle of an entry: exactly the changes after it, in order.
    let since = s.changes_since(10).unwrap();
    assert_eq!(since.len() as u64, n - 10);
    assert_eq!((since[0].seq, since[0].id), (11, workers[10].id));
    assert!(since.iter().all(|c| c.kind == Kind::Worker));
    let last = since.last().unwrap();
    assert_eq!((last.seq, last.id), (n, workers[workers.len() - 1].id));
    assert!(s.changes_since(n).unwrap().is_empty());
    // Pruning inside an entry keeps it whole; past its end removes it.
    s.prune_changes(10).unwrap();
    assert_eq!(s.first_change_seq().unwrap(), Some(1));
    assert_eq!(s.changes_since(0).unwrap().len() as u64, n);
    s.prune_changes(BULK_CHUNK as u64).unwrap();
    assert_eq!(s.first_change_seq().unwrap(), Some(BULK_CHUNK as u64 + 1));
    assert_eq!(s.changes_since(0).unwrap().len(), 5);
    s.prune_changes(n).unwrap();
    assert_eq!(s.first_change_seq().unwrap(), None);
}

#[test]
fn a_bulk_write_names_the_records_it_wrote_over() {
    let s = Store::temporary().unwrap();
    let today = crate::fixtures::reference_date();
    let mut synth = crate::synth::Synth::new(6, today);
    let workers = synth.workers(BULK_CHUNK + 3);
    assert!(s.put_bulk(&workers).unwrap().replaced.is_empty());
    // Rewritten ones in both chunks of a second write, between new ones.
    let mut again = synth.workers(BULK_CHUNK + 2);
    again[1] = workers[2].clone();
    again[BULK_CHUNK + 1] = workers[BULK_CHUNK + 1].clone();
    let written = s.put_bulk(&again).unwrap();
    assert_eq!(written.seq, (2 * BULK_CHUNK + 5) as u64);
    assert_eq!(
        written.replaced,
        vec![workers[2].id, workers[BULK_CHUNK + 1].id]
    );
}

#[test]
fn a_write_set_logs_each_run_of_one_kind_and_reads_entries_of_one_id() {
    let s = Store::temporary().unwrap();
    let today = crate::fixtures::reference_date();
    let mut synth = crate::synth::Synth::new(4, today);
    let workers = synth.workers(2);
    let request = synth.request(&crate::synth::Area::Province("GR".into()));
    let mut ws = WriteSet::new();
    ws.put(&workers[0]).unwrap();
    ws.put(&request).unwrap();
    ws.put(&workers[1]).unwrap();
    assert_eq!(s.apply(&ws).unwrap(), 3);
    let log: Vec<(u64, Kind, Id)> = s
        .changes_since(0)
        .unwrap()
        .iter()
        .map(|c| (c.seq, c.kind, c.id))
        .collect();
    assert_eq!(
        log,
        vec![
            (1, Kind::Worker, workers[0].id),
            (2, Kind::Request, request.id),
            (3, Kind::Worker, workers[1].id),
        ]
    );
    // An entry of one id (as stores before runs hold them) reads the same; a
    // malformed one is an error, not a gap.
    let mut old = vec![Kind::Worker as u8];
    old.extend_from_slice(&workers[0].id.to_key());
    s.changes.insert(4u64.to_be_bytes(), old).unwrap();
    assert_eq!(s.changes_since(3).unwrap()[0].id, workers[0].id);
    s.changes.insert(5u64.to_be_bytes(), vec![1, 2, 3]).unwrap();
    assert!(matches!(s.changes_since(3), Err(Error::Corrupt { .. })));
    assert!(matches!(s.prune_changes(5), Err(Error::Corrupt { .. })));
}

#[test]
fn plain_tables_store_and_fetch() {
    let s = Store::temporary().unwrap();
    s.put(&org(1, "A")).unwrap();
    s.put(&org(2, "B")).unwrap();
    assert_eq!(s.organisations.fetch(Id(2)).unwrap().name, "B");
    assert_eq!(s.organisations.iter().count(), 2);
    assert!(matches!(
        s.organisations.fetch(Id(3)),
        Err(Error::NotFound { .. })
    ));
}

#[test]
fn writes_survive_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let w = crate::fixtures::demo_workers().unwrap().remove(0);
    {
        let s = Store::open(&dir.path().join("s"), &dir.path().join("k")).unwrap();
        s.put_worker(&w).unwrap();
    }
    let s = Store::open(&dir.path().join("s"), &dir.path().join("k")).unwrap();
    assert_eq!(s.workers.fetch(w.id).unwrap(), w);
    assert_eq!(s.seq().unwrap(), 1);
}

fn proposal(id: u64, request: u64, worker: u64) -> Proposal {
    serde_json::from_value(serde_json::json!({
        "id": Id(id), "request_id": Id(request), "worker_id": Id(worker), "org_id": Id(1),
        "proposed_by": Id(2), "proposed_on": "2026-11-01", "score": 50.0,
        "reasons": [], "warnings": [], "outcome_code": format!("C{id}")
    }))
    .unwrap()
}

fn linked_ids(s: &Store, tree: TreeName, of: u64) -> Vec<u64> {
    let mut ids: Vec<u64> = s
        .proposals
        .linked(tree, Id(of))
        .unwrap()
        .iter()
        .map(|p| p.id.0)
        .collect();
    ids.sort();
    ids
}

#[test]
fn linked_records_come_from_their_indexes_which_older_stores_get_at_open() {
    let dir = tempfile::tempdir().unwrap();
    let open = || Store::open(&dir.path().join("s"), &dir.path().join("k")).unwrap();
    let by_request = TreeName::ProposalsByRequest;
    let by_worker = TreeName::ProposalsByWorker;
    {
        let s = open();
        let mut ws = WriteSet::new();
        for (id, request, worker) in [(1, 10, 20), (2, 10, 21), (3, 11, 20)] {
            ws.put(&proposal(id, request, worker)).unwrap();
        }
        s.apply(&ws).unwrap();
        assert_eq!(linked_ids(&s, by_request, 10), vec![1, 2]);
        assert_eq!(linked_ids(&s, by_request, 11), vec![3]);
        assert!(linked_ids(&s, by_request, 12).is_empty());
        assert_eq!(linked_ids(&s, by_worker, 20), vec![1, 3]);
        assert_eq!(linked_ids(&s, by_worker, 21), vec![2]);
        // A worker id is not a request id: the indexes are kept apart.
        assert!(linked_ids(&s, by_request, 20).is_empty());
        assert_eq!(s.proposals.children(Id(10)).unwrap().len(), 2);
        // As a store written before the indexes existed.
        for t in [by_request, by_worker] {
            s.all[t as usize].clear().unwrap();
        }
        s.flush().unwrap();
        assert!(linked_ids(&s, by_worker, 20).is_empty());
    }
    let s = open();
    assert_eq!(linked_ids(&s, by_request, 10), vec![1, 2]);
    assert_eq!(linked_ids(&s, by_worker, 20), vec![1, 3]);
    assert_eq!(linked_ids(&s, by_worker, 21), vec![2]);
}

/// A data folder holding every kind of record: the demo set with twelve months of
/// history, contact lines on a card and a request, refusals, an erased card.
fn demo_folder() -> tempfile::TempDir {
    use crate::model::{ContactChannel, ContactInput, RecordKind};
    let dir = tempfile::tempdir().unwrap();
    let today = crate::fixtures::reference_date();
    let e = crate::Engine::open(dir.path()).unwrap();
    assert!(e.seed_demo_with_history(today).unwrap());
    let actor = crate::fixtures::testing::desk();
    let w = e.store().workers.iter().next().unwrap().unwrap();
    let r = e.store().requests.iter().next().unwrap().unwrap();
    for (kind, id) in [(RecordKind::Worker, w.id), (RecordKind::Request, r.id)] {
        let input = ContactInput {
            on: today,
            channel: ContactChannel::Phone,
            note: "chiamata, richiamare lunedì".into(),
        };
        e.add_contact(&actor, kind, id, input, today).unwrap();
    }
    e.record_refusal(Some(actor.org_id), crate::guard::Ground::Age, today)
        .unwrap();
    let erased = e.store().workers.iter().nth(1).unwrap().unwrap().id;
    e.erase_worker(erased, Some(&actor), today).unwrap();
    e.close().unwrap();
    dir
}

fn open_folder(dir: &Path) -> Result<Store> {
    Store::open(&dir.join("store"), &dir.join("keys"))
}

/// Every record of every record tree, decoded, as JSON values by tree and key.
fn contents(s: &Store) -> Vec<(&'static str, Vec<u8>, serde_json::Value)> {
    fn tree<T: Serialize + DeserializeOwned>(
        s: &Store,
        name: TreeName,
        out: &mut Vec<(&'static str, Vec<u8>, serde_json::Value)>,
    ) {
        for item in s.all[name as usize].iter() {
            let (k, v) = item.unwrap();
            let value: Option<T> = decode_sealed(&s.vault, name.name(), &v).unwrap();
            let value = serde_json::to_value(value).unwrap();
            out.push((name.name(), k.to_vec(), value));
        }
    }
    let mut out = Vec::new();
    tree::<Worker>(s, TreeName::Workers, &mut out);
    tree::<Request>(s, TreeName::Requests, &mut out);
    tree::<Organisation>(s, TreeName::Organisations, &mut out);
    tree::<Operator>(s, TreeName::Operators, &mut out);
    tree::<Proposal>(s, TreeName::Proposals, &mut out);
    tree::<FollowUp>(s, TreeName::FollowUps, &mut out);
    tree::<Contact>(s, TreeName::Contacts, &mut out);
    tree::<AuditEntry>(s, TreeName::Audit, &mut out);
    tree::<crate::engine::Refusal>(s, TreeName::Refusals, &mut out);
    out
}

/// The format bytes and seal headers of every record tree's values.
/// `s` is at the current format with no legacy body left, every record as `before`, and
/// sealed records sealed under the same key (id and generation) as `sealed` says.
fn assert_migrated(
    s: &Store,
    sealed: &[Option<(Id, u32)>],
    before: &[(&'static str, Vec<u8>, serde_json::Value)],
) {
    assert_eq!(migrate::format(s).unwrap(), Some(FORMAT_VERSION));
    let after = envelopes(s);
    assert!(after.iter().all(|(f, _)| !envelope::is_legacy(*f)));
    assert_eq!(
        after.into_iter().map(|(_, h)| h).collect::<Vec<_>>(),
        sealed
    );
    assert_eq!(contents(s), before);
}

fn envelopes(s: &Store) -> Vec<(u8, Option<(Id, u32)>)> {
    RECORD_TREES
        .iter()
        .flat_map(|t| s.all[*t as usize].iter().values())
        .map(|v| {
            let v = v.unwrap();
            (v[0], vault::sealed_header(&v))
        })
        .collect()
}

const RECORD_TREES: [TreeName; 9] = [
    TreeName::Workers,
    TreeName::Requests,
    TreeName::Organisations,
    TreeName::Operators,
    TreeName::Proposals,
    TreeName::FollowUps,
    TreeName::Contacts,
    TreeName::Audit,
    TreeName::Refusals,
];

/// Store format 1's encoder, kept here: rewrites every record as DOM wrote it before
/// format 2 (JSON bodies; sealed ones under the same key) and forgets the store's format.
fn write_as_format_1(s: &Store) {
    fn tree<T: Serialize + DeserializeOwned>(s: &Store, name: TreeName) {
        let t = &s.all[name as usize];
        for item in t.iter() {
            let (k, v) = item.unwrap();
            let old = match v[0] {
                envelope::PACKED => envelope::encode_json(&decode::<T>("t", &v).unwrap()),
                envelope::SEALED_PACKED => {
                    let (id, gen) = vault::sealed_header(&v).unwrap();
                    let Some(key) = s.vault.key(id, gen).unwrap() else {
                        continue;
                    };
                    let value: T = decode_sealed(&s.vault, "t", &v).unwrap().unwrap();
                    vault::seal_json(id, gen, &key, &serde_json::to_vec(&value).unwrap())
                }
                other => panic!("format {other} in a current store"),
            };
            t.insert(k, old).unwrap();
        }
    }
    tree::<Worker>(s, TreeName::Workers);
    tree::<Request>(s, TreeName::Requests);
    tree::<Organisation>(s, TreeName::Organisations);
    tree::<Operator>(s, TreeName::Operators);
    tree::<Proposal>(s, TreeName::Proposals);
    tree::<FollowUp>(s, TreeName::FollowUps);
    tree::<Contact>(s, TreeName::Contacts);
    tree::<AuditEntry>(s, TreeName::Audit);
    tree::<crate::engine::Refusal>(s, TreeName::Refusals);
    migrate::forget(s).unwrap();
    s.flush().unwrap();
}

#[test]
fn every_record_kind_round_trips_through_the_binary_body() {
    let dir = demo_folder();
    let s = open_folder(dir.path()).unwrap();
    let all = contents(&s);
    for t in RECORD_TREES {
        assert!(
            all.iter().any(|(name, _, _)| *name == t.name()),
            "no {} in the demo folder",
            t.name()
        );
    }
    // Sealed records were written through the binary body and read back above; and
    // every record, re-encoded, reads back the same.
    assert!(envelopes(&s).iter().all(|(f, _)| !envelope::is_legacy(*f)));
    assert!(envelopes(&s)
        .iter()
        .any(|(f, _)| *f == envelope::SEALED_PACKED));
    fn again<T: Serialize + DeserializeOwned>(v: &serde_json::Value) -> serde_json::Value {
        let t: T = serde_json::from_value(v.clone()).unwrap();
        let back: T =
            envelope::decode_body("t", envelope::PACKED, &envelope::pack(&t).unwrap()).unwrap();
        serde_json::to_value(back).unwrap()
    }
    for (name, _, v) in all.iter().filter(|(_, _, v)| !v.is_null()) {
        let back = match *name {
            "workers" => again::<Worker>(v),
            "requests" => again::<Request>(v),
            "proposals" => again::<Proposal>(v),
            "follow_ups" => again::<FollowUp>(v),
            "contacts" => again::<Contact>(v),
            "organisations" => again::<Organisation>(v),
            "operators" => again::<Operator>(v),
            "audit" => again::<AuditEntry>(v),
            _ => again::<crate::engine::Refusal>(v),
        };
        assert_eq!(&back, v, "{name}");
    }
    // Synthetic cards and requests cover what the demo set may not (every vocabulary,
    // incomplete cards' `missing`, wages, all areas).
    let mut synth = crate::synth::Synth::new(11, crate::fixtures::reference_date());
    for w in synth.workers(2000) {
        let back: Worker =
            envelope::decode_body("t", envelope::PACKED, &envelope::pack(&w).unwrap()).unwrap();
        assert_eq!(back, w);
    }
    for area in [
        crate::synth::Area::Province("GR".into()),
        crate::synth::Area::National,
    ] {
        for _ in 0..200 {
            let r = synth.request(&area);
            let back: Request =
                envelope::decode_body("t", envelope::PACKED, &envelope::pack(&r).unwrap()).unwrap();
            assert_eq!(
                serde_json::to_value(back).unwrap(),
                serde_json::to_value(&r).unwrap()
            );
        }
    }
}

#[test]
fn a_format_1_store_is_migrated_on_open_under_the_same_keys() {
    let dir = demo_folder();
    let (before, sealed, keys) = {
        let s = open_folder(dir.path()).unwrap();
        let before = contents(&s);
        let sealed: Vec<_> = envelopes(&s).into_iter().map(|(_, h)| h).collect();
        write_as_format_1(&s);
        assert!(envelopes(&s).iter().all(|(f, _)| envelope::is_legacy(*f)));
        assert_eq!(migrate::format(&s).unwrap(), None);
        (before, sealed, s.vault.live_keys().unwrap())
    };
    let s = open_folder(dir.path()).unwrap();
    assert_migrated(&s, &sealed, &before);
    assert!(sealed.iter().any(Option::is_some));
    // No key added.
    assert_eq!(s.vault.live_keys().unwrap(), keys);
}

#[test]
fn an_interrupted_migration_resumes_on_the_next_open() {
    let dir = demo_folder();
    let before = {
        let s = open_folder(dir.path()).unwrap();
        let before = contents(&s);
        write_as_format_1(&s);
        // As if the machine stopped after the cards and part of the requests.
        migrate::records::<Worker>(&s).unwrap();
        let requests = &s.all[TreeName::Requests as usize];
        let (k, v) = requests.first().unwrap().unwrap();
        let new = migrate::rewrite::<Request>(&s, "requests", &v)
            .unwrap()
            .unwrap();
        requests.insert(k, new).unwrap();
        s.flush().unwrap();
        let formats: Vec<u8> = envelopes(&s).iter().map(|(f, _)| *f).collect();
        assert!(formats.iter().any(|f| envelope::is_legacy(*f)));
        assert!(formats.iter().any(|f| !envelope::is_legacy(*f)));
        before
    };
    let s = open_folder(dir.path()).unwrap();
    assert!(envelopes(&s).iter().all(|(f, _)| !envelope::is_legacy(*f)));
    assert_eq!(contents(&s), before);
}

#[test]
fn a_store_of_a_newer_format_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    {
        let s = open_folder(dir.path()).unwrap();
        assert_eq!(migrate::format(&s).unwrap(), Some(FORMAT_VERSION));
        s.meta.insert(b"format", &[FORMAT_VERSION + 1]).unwrap();
        s.flush().unwrap();
    }
    assert!(matches!(
        open_folder(dir.path()),
        Err(Error::Corrupt { .. })
    ));
}

#[test]
fn raw_loads_leave_the_format_to_the_next_open() {
    let s = Store::temporary().unwrap();
    s.meta.insert(b"format", &[FORMAT_VERSION]).unwrap();
    s.load_raw(
        "organisations",
        vec![(Id(1).to_key().to_vec(), envelope::encode_json(&org(1, "A")))],
    )
    .unwrap();
    assert_eq!(migrate::format(&s).unwrap(), None);
    migrate::run(&s).unwrap();
    assert_eq!(migrate::format(&s).unwrap(), Some(FORMAT_VERSION));
    let stored = s.all[TreeName::Organisations as usize]
        .get(Id(1).to_key())
        .unwrap()
        .unwrap();
    assert_eq!(stored[0], envelope::PACKED);
}

/// A folder copied whole (a sled store with its subfolders), for tests that open copies.
pub(crate) fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// `fixtures/store-format-1` was written by DOM at `b3dc297` (store format 1, JSON
/// bodies): the demo set with its history, contact lines, a refusal, an erased card.
#[test]
fn a_store_written_by_dom_of_format_1_opens_migrated() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/store-format-1"),
        dir.path(),
    );
    let (before, sealed) = {
        let db = sled::Config::new()
            .path(dir.path().join("store"))
            .open()
            .unwrap();
        let s = Store::from_db(db, Vault::open(&dir.path().join("keys"), false).unwrap()).unwrap();
        assert_eq!(migrate::format(&s).unwrap(), None);
        let envelopes = envelopes(&s);
        assert!(envelopes.iter().all(|(f, _)| envelope::is_legacy(*f)));
        assert!(envelopes.iter().any(|(f, _)| *f == envelope::SEALED_JSON));
        let sealed: Vec<_> = envelopes.into_iter().map(|(_, h)| h).collect();
        (contents(&s), sealed)
    };
    for t in RECORD_TREES {
        assert!(
            before.iter().any(|(name, _, _)| *name == t.name()),
            "{}",
            t.name()
        );
    }
    {
        let s = open_folder(dir.path()).unwrap();
        assert_migrated(&s, &sealed, &before);
        let demo = crate::fixtures::demo_workers_at(crate::fixtures::reference_date())
            .unwrap()
            .remove(0);
        let stored = s.workers.fetch(demo.id).unwrap();
        assert_eq!(
            (stored.given_name, stored.phone),
            (demo.given_name, demo.phone)
        );
    }
    // The engine opens on it, rebuilding its index from the migrated records.
    let e = crate::Engine::open(dir.path()).unwrap();
    assert!(e.check().unwrap().is_consistent());
}

#[test]
fn bulk_writes_over_several_chunks_are_sealed_each_under_its_own_key_and_survive_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let today = crate::fixtures::reference_date();
    let workers = crate::synth::Synth::new(11, today).workers(BULK_CHUNK * 2 + 37);
    {
        let s = open_folder(dir.path()).unwrap();
        assert_eq!(s.put_bulk(&workers).unwrap().seq, workers.len() as u64);
        // The change log follows the input's order, across chunk boundaries.
        let log: Vec<Id> = s.changes_since(0).unwrap().iter().map(|c| c.id).collect();
        let ids: Vec<Id> = workers.iter().map(|w| w.id).collect();
        assert_eq!(log, ids);
    }
    let s = open_folder(dir.path()).unwrap();
    assert_eq!(s.workers.len(), workers.len());
    assert_eq!(s.vault().len(), workers.len(), "one key a person");
    for w in &workers {
        let raw = s.workers.tree.get(w.id.to_key()).unwrap().unwrap();
        assert_eq!(
            vault::sealed_header(&raw),
            Some((w.id, 0)),
            "sealed under its own key"
        );
        assert!(!raw
            .windows(w.given_name.len())
            .any(|x| x == w.given_name.as_bytes()));
        assert_eq!(s.workers.get(w.id).unwrap().as_ref(), Some(w));
    }
}

#[test]
fn a_large_write_set_takes_its_keys_in_order() {
    // Two vaults given the same write set, sealed in parallel, put the same ids in the
    // same slots: the key file does not depend on the pool's timing.
    let today = crate::fixtures::reference_date();
    let workers = crate::synth::Synth::new(12, today).workers(PARALLEL_SEAL * 4);
    let slots = || {
        let dir = tempfile::tempdir().unwrap();
        let s = open_folder(dir.path()).unwrap();
        let mut ws = WriteSet::new();
        for w in &workers {
            ws.put(w).unwrap();
        }
        s.apply(&ws).unwrap();
        let bytes = std::fs::read(dir.path().join("keys")).unwrap();
        // Each slot's owner id (the first 8 bytes of each 64-byte slot after the header).
        bytes[64..]
            .chunks_exact(64)
            .map(|slot| u64::from_le_bytes(slot[..8].try_into().unwrap()))
            .collect::<Vec<u64>>()
    };
    let expected: Vec<u64> = workers.iter().map(|w| w.id.0).collect();
    assert_eq!(slots(), expected);
    assert_eq!(slots(), expected);
}
