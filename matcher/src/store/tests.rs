//! Tests of the store: transactions, the change log, sealing, parent indexes.
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
    assert_eq!(bytes[0], FORMAT_VERSION);
    assert_eq!(decode::<Organisation>("t", &bytes).unwrap(), o);
    let mut newer = bytes.clone();
    newer[0] = FORMAT_VERSION + 1;
    assert!(matches!(
        decode::<Organisation>("t", &newer),
        Err(Error::Corrupt { .. })
    ));
    assert!(decode::<Organisation>("t", &[]).is_err());
    assert!(decode::<Organisation>("t", &[FORMAT_VERSION, b'{']).is_err());
}

#[test]
fn older_records_without_new_fields_still_decode() {
    // A proposal written before `outcome` existed.
    let json = br#"{"id":"0000000000000001","request_id":"0000000000000002",
        "worker_id":"0000000000000003","org_id":"0000000000000004",
        "proposed_by":"0000000000000005","proposed_on":"2026-01-01","score":50.0,
        "reasons":[],"warnings":[],"outcome_code":"ABC"}"#;
    let mut bytes = vec![FORMAT_VERSION];
    bytes.extend_from_slice(json);
    let p: Proposal = decode("proposals", &bytes).unwrap();
    assert_eq!(p.outcome, None);
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
