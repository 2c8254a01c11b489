//! The demo data set for the Grosseto area, embedded from `fixtures/demo/`: organisations
//! with their demo tokens, worker cards, family requests, and bodies that must be refused.
//! Dates in the files are as of `REFERENCE_DATE`; `*_at(today)` shifts them so the demo
//! never ages (permits do not expire under it, start dates stay ahead).

use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::date::Date;
use crate::error::{Error, Result};
use crate::model::{
    Id, Operator, OrgKind, OrgProfile, Organisation, Request, RequestInput, RequestStatus, Role,
    Worker, WorkerInput, WorkerStatus,
};
use crate::validate;

const WORKERS: &str = include_str!("../../fixtures/demo/workers.json");
const REQUESTS: &str = include_str!("../../fixtures/demo/requests.json");
const ORGANISATIONS: &str = include_str!("../../fixtures/demo/organisations.json");
const REFUSED: &str = include_str!("../../fixtures/demo/refused.json");

/// The day the demo files were written as of.
pub const REFERENCE_DATE: &str = "2026-11-20";

pub fn reference_date() -> Date {
    REFERENCE_DATE.parse().unwrap_or(Date::from_days(0))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WorkerFixture {
    id: Id,
    org_id: Id,
    registered_on: Date,
    confirmed_on: Date,
    status: WorkerStatus,
    #[serde(default)]
    last_proposed_on: Option<Date>,
    #[serde(default)]
    possible_duplicate_of: Vec<Id>,
    card: WorkerInput,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RequestFixture {
    id: Id,
    org_id: Id,
    created_on: Date,
    status: RequestStatus,
    request: RequestInput,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OrgFixture {
    id: Id,
    name: String,
    kind: OrgKind,
    comune: Option<String>,
    /// How families reach the desk (address, phone, e-mail, opening hours).
    #[serde(default)]
    profile: OrgProfile,
    operators: Vec<OperatorFixture>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OperatorFixture {
    id: Id,
    name: String,
    role: Role,
    token: String,
}

/// A body the demo set includes because DOM must refuse it.
#[derive(Debug, Clone, Deserialize)]
pub struct Refused {
    /// The error code expected (`invalid`, `discriminatory_criterion`).
    pub why: String,
    pub field: String,
    pub body: serde_json::Value,
}

#[derive(Deserialize)]
struct RefusedFile {
    workers: Vec<Refused>,
    requests: Vec<Refused>,
}

fn parse<T: serde::de::DeserializeOwned>(what: &str, json: &str) -> Result<T> {
    serde_json::from_str(json).map_err(|e| Error::Corrupt {
        what: format!("fixtures/demo/{what}"),
        detail: e.to_string(),
    })
}

/// SHA-256 of a bearer token, hex: all the store keeps of it.
pub fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn shift(d: Date, by: i32) -> Date {
    d.add_days(by)
}

/// Demo workers as of the reference date.
pub fn demo_workers() -> Result<Vec<Worker>> {
    demo_workers_at(reference_date())
}

/// Demo workers with every date moved so that `today` plays the reference date. Each card
/// goes through the same validation as an API create.
pub fn demo_workers_at(today: Date) -> Result<Vec<Worker>> {
    let by = today.days_since(reference_date());
    parse::<Vec<WorkerFixture>>("workers.json", WORKERS)?
        .into_iter()
        .map(|f| {
            let mut card = f.card;
            card.permit.expires_on = card.permit.expires_on.map(|d| shift(d, by));
            if let Some(c) = card.consent.as_mut() {
                c.given_on = shift(c.given_on, by);
            }
            let mut w = validate::worker(card, f.id, today)?;
            w.org_id = Some(f.org_id);
            w.status = f.status;
            w.registered_on = shift(f.registered_on, by);
            w.confirmed_on = shift(f.confirmed_on, by);
            w.last_proposed_on = f.last_proposed_on.map(|d| shift(d, by));
            w.possible_duplicate_of = f.possible_duplicate_of;
            Ok(w)
        })
        .collect()
}

pub fn demo_requests() -> Result<Vec<Request>> {
    demo_requests_at(reference_date())
}

pub fn demo_requests_at(today: Date) -> Result<Vec<Request>> {
    let by = today.days_since(reference_date());
    parse::<Vec<RequestFixture>>("requests.json", REQUESTS)?
        .into_iter()
        .map(|f| {
            let mut input = f.request;
            input.start_on = shift(input.start_on, by);
            let mut r = validate::request(input, f.id, today)?;
            r.org_id = Some(f.org_id);
            r.status = f.status;
            r.created_on = shift(f.created_on, by);
            Ok(r)
        })
        .collect()
}

/// The demo organisations, and their operators each with its demo token.
pub struct DemoOrganisations {
    pub organisations: Vec<Organisation>,
    pub operators: Vec<(Operator, String)>,
}

/// Demo organisations and their operators; each operator comes with its demo token.
pub fn demo_organisations() -> Result<DemoOrganisations> {
    let mut orgs = Vec::new();
    let mut operators = Vec::new();
    for o in parse::<Vec<OrgFixture>>("organisations.json", ORGANISATIONS)? {
        for op in o.operators {
            operators.push((
                Operator {
                    id: op.id,
                    org_id: o.id,
                    name: op.name,
                    role: op.role,
                    token_sha256: token_hash(&op.token),
                    created_on: reference_date(),
                    revoked_on: None,
                    expires_on: None,
                    last_used_on: None,
                },
                op.token,
            ));
        }
        orgs.push(Organisation {
            id: o.id,
            name: o.name,
            kind: o.kind,
            comune: o.comune,
            profile: o.profile,
        });
    }
    Ok(DemoOrganisations {
        organisations: orgs,
        operators,
    })
}

/// Bodies that must be refused: (worker bodies, request bodies).
pub fn refused() -> Result<(Vec<Refused>, Vec<Refused>)> {
    let f: RefusedFile = parse("refused.json", REFUSED)?;
    Ok((f.workers, f.requests))
}

/// What the engine's unit tests share: the demo engine, the desk and the Rossi family.
#[cfg(test)]
pub(crate) mod testing {
    use crate::model::{Actor, Id, Role};
    use crate::{Date, Engine};

    /// The contract's Rossi request (one live-in carer, Scansano).
    pub const ROSSI: Id = Id(0xb000000000000001);
    /// Natalia and Irina, both candidates for the Rossi family.
    pub const NATALIA: Id = Id(0xa000000000000017);
    pub const IRINA: Id = Id(0xa000000000000015);

    pub fn today() -> Date {
        super::reference_date()
    }

    /// An operator of the Grosseto desk.
    pub fn desk() -> Actor {
        Actor {
            operator_id: Id(0xe000000000000001),
            org_id: Id(0xd0c0000000000001),
            role: Role::Operator,
        }
    }

    /// An engine holding the demo set.
    pub fn engine() -> Engine {
        let e = Engine::temporary().expect("temporary engine");
        e.seed_demo(today()).expect("demo data");
        e
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::comuni::Comuni;
    use std::collections::HashSet;

    /// The 20 comuni of the Grosseto social-health zone (Amiata Grossetana, Colline
    /// Metallifere, Area Grossetana).
    const ZONE: [&str; 20] = [
        "053001", "053002", "053004", "053005", "053006", "053007", "053008", "053009", "053010",
        "053011", "053015", "053017", "053020", "053021", "053022", "053023", "053024", "053025",
        "053027", "053028",
    ];

    #[test]
    fn demo_set_is_large_valid_and_local() {
        let workers = demo_workers().unwrap();
        let requests = demo_requests().unwrap();
        assert!(workers.len() >= 60 && requests.len() >= 15);
        for w in &workers {
            assert!(
                ZONE.contains(&w.comune.as_str()),
                "{} outside the zone",
                w.comune
            );
        }
        let ids: HashSet<_> = workers.iter().map(|w| w.id).collect();
        assert_eq!(ids.len(), workers.len());
        let used: HashSet<_> = workers.iter().map(|w| w.comune.as_str()).collect();
        assert!(used.len() >= 15, "demo covers only {} comuni", used.len());
        assert!(Comuni::get().by_code("053011").is_some());
    }

    #[test]
    fn demo_set_has_the_tricky_cases() {
        let w = demo_workers().unwrap();
        let today = reference_date();
        use crate::model::PermitKind::*;
        assert!(w
            .iter()
            .any(|w| w.permit.kind == Work && w.permit.expires_on < Some(today)));
        assert!(w.iter().any(|w| w.permit.kind == RenewalPending));
        assert!(w.iter().any(|w| w.permit.kind == None));
        assert!(w.iter().any(|w| w.permit.kind == Study));
        assert!(w.iter().any(|w| w.live_in == crate::model::LiveIn::Yes));
        assert!(w.iter().any(|w| w.status == WorkerStatus::Placed));
        assert!(w.iter().any(|w| !w.possible_duplicate_of.is_empty()));
        assert!(w.iter().any(|w| today.days_since(w.confirmed_on) > 182));
        let (workers, requests) = refused().unwrap();
        assert!(workers.iter().any(|r| r.field == "consent"));
        assert!(requests.iter().all(|r| r.why == "discriminatory_criterion"));
    }

    #[test]
    fn shifting_keeps_relative_dates() {
        let later = reference_date().add_days(400);
        let a = demo_requests().unwrap();
        let b = demo_requests_at(later).unwrap();
        assert_eq!(b[0].start_on.days_since(a[0].start_on), 400);
        let wa = demo_workers().unwrap();
        let wb = demo_workers_at(later).unwrap();
        assert_eq!(
            wb[1]
                .permit
                .expires_on
                .unwrap()
                .days_since(wa[1].permit.expires_on.unwrap()),
            400
        );
    }

    #[test]
    fn tokens_are_kept_hashed() {
        let DemoOrganisations {
            organisations: orgs,
            operators: ops,
        } = demo_organisations().unwrap();
        assert_eq!(orgs.len(), 6);
        let (op, token) = &ops[0];
        assert_eq!(token, "demo-sportello");
        assert_eq!(op.token_sha256.len(), 64);
        assert!(!op.token_sha256.contains("demo"));
        assert_eq!(op.token_sha256, token_hash("demo-sportello"));
    }
}
