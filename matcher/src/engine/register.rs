//! The anti-discrimination register: each request the guard refuses is counted by
//! protected ground and organisation, with its day; no text and no request id are kept.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use super::Engine;
use crate::date::Date;
use crate::error::{Error, Result};
use crate::guard::Ground;
use crate::model::Id;
use crate::report::Month;
use crate::store;

/// Name under which refusals by people of no organisation are counted.
pub const NO_ORGANISATION: &str = "non indicata";

/// One refusal, as the register keeps it: a count of one, a day, who, which ground.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Refusal {
    pub day: Date,
    pub org_id: Option<Id>,
    pub ground: Ground,
}

/// The register's figures for a month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RefusedRequests {
    pub total: u64,
    /// Ground name (`nationality`, `age`, …) → refusals.
    pub by_ground: BTreeMap<String, u64>,
    /// Organisation name → refusals (an addition to the contract).
    pub by_organisation: BTreeMap<String, u64>,
}

impl RefusedRequests {
    /// Counts `refusals`, naming organisations by `names` (unknown or none: "non indicata").
    pub fn of(refusals: &[Refusal], names: &HashMap<Id, String>) -> RefusedRequests {
        let mut r = RefusedRequests::default();
        for x in refusals {
            r.total += 1;
            *r.by_ground.entry(x.ground.name().to_string()).or_default() += 1;
            let org = x
                .org_id
                .and_then(|o| names.get(&o).cloned())
                .unwrap_or_else(|| NO_ORGANISATION.to_string());
            *r.by_organisation.entry(org).or_default() += 1;
        }
        r
    }
}

impl Engine {
    /// Counts one refusal of a request create or edit in the register. Taken under the
    /// write lock, so a backup (which holds it) sees the register at one moment.
    pub fn record_refusal(&self, org: Option<Id>, ground: Ground, today: Date) -> Result<()> {
        let _w = self.lock_writes();
        let entry = Refusal {
            day: today,
            org_id: org,
            ground,
        };
        self.store.append_refusal(today, &store::encode(&entry)?)
    }

    /// The refusals of `month`, oldest first.
    pub fn refusals_in(&self, month: Month) -> Result<Vec<Refusal>> {
        self.store
            .refusals_between(month.first_day(), month.next().first_day())?
            .iter()
            .map(|v| store::decode("refusals", v))
            .collect()
    }

    /// Passes `result` through, counting it in the register first when it is the
    /// guard's refusal. A failure to count must not replace the refusal the person
    /// needs to read (its suggestion); a store that cannot write fails the next write
    /// loudly anyway.
    pub(crate) fn noting_refusal<T>(
        &self,
        org: Option<Id>,
        today: Date,
        result: Result<T>,
    ) -> Result<T> {
        if let Err(Error::Discriminatory { ground, .. }) = &result {
            let _ = self.record_refusal(org, *ground, today);
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Actor, Role};

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn refusals_are_kept_by_day_and_read_by_month() {
        let e = Engine::temporary().unwrap();
        e.record_refusal(Some(Id(1)), Ground::Age, d("2026-10-31"))
            .unwrap();
        e.record_refusal(Some(Id(1)), Ground::Nationality, d("2026-11-01"))
            .unwrap();
        e.record_refusal(None, Ground::Nationality, d("2026-11-30"))
            .unwrap();
        e.record_refusal(Some(Id(2)), Ground::Sex, d("2026-12-01"))
            .unwrap();
        let nov = e.refusals_in("2026-11".parse().unwrap()).unwrap();
        assert_eq!(
            nov.iter().map(|r| (r.day, r.ground)).collect::<Vec<_>>(),
            vec![
                (d("2026-11-01"), Ground::Nationality),
                (d("2026-11-30"), Ground::Nationality)
            ]
        );
        let names = [(Id(1), "Sportello Grosseto".to_string())].into();
        let r = RefusedRequests::of(&nov, &names);
        assert_eq!(r.total, 2);
        assert_eq!(r.by_ground["nationality"], 2);
        assert_eq!(r.by_organisation["Sportello Grosseto"], 1);
        assert_eq!(r.by_organisation[NO_ORGANISATION], 1);
        assert_eq!(e.refusals_in("2026-10".parse().unwrap()).unwrap().len(), 1);
    }

    fn actor() -> Actor {
        Actor {
            operator_id: Id(7),
            org_id: Id(3),
            role: Role::Operator,
        }
    }

    fn body(notes: &str) -> serde_json::Value {
        serde_json::json!({
            "family_name": "Rossi",
            "phone": "0564 123456",
            "comune": "Grosseto",
            "job": "colf",
            "live_in": "no",
            "hours_per_week": 20,
            "start_on": "2026-12-01",
            "notes": notes,
        })
    }

    #[test]
    fn refused_creates_and_edits_are_counted_and_lawful_ones_are_not() {
        let e = Engine::temporary().unwrap();
        let today = d("2026-11-10");
        let a = actor();
        let err = e
            .register_request(&body("Meglio se italiana"), Some(&a), today)
            .unwrap_err();
        assert!(matches!(
            err,
            Error::Discriminatory {
                ground: Ground::Nationality,
                ..
            }
        ));
        // A refused field named in the body (before typed parsing) counts too.
        let mut with_field = body("");
        with_field["nationality"] = "IT".into();
        assert!(e.register_request(&with_field, Some(&a), today).is_err());
        let ok = e
            .register_request(&body("Serve chi parla spagnolo"), Some(&a), today)
            .unwrap();
        let patch = serde_json::json!({"notes": "Età massima 50 anni"});
        assert!(matches!(
            e.patch_request(&a, ok.id, &patch, today),
            Err(Error::Discriminatory {
                ground: Ground::Age,
                ..
            })
        ));
        // An invalid but lawful body is not a refusal.
        let mut bad = body("");
        bad["hours_per_week"] = 0.into();
        assert!(e.register_request(&bad, Some(&a), today).is_err());
        let got = e.refusals_in(Month::of(today)).unwrap();
        assert_eq!(got.len(), 3, "{got:?}");
        assert!(got
            .iter()
            .all(|r| r.org_id == Some(Id(3)) && r.day == today));
        assert_eq!(
            got.iter().filter(|r| r.ground == Ground::Age).count(),
            1,
            "{got:?}"
        );
    }

    #[test]
    fn a_restored_backup_keeps_the_register() {
        let dir = tempfile::tempdir().unwrap();
        let e = Engine::open(&dir.path().join("live")).unwrap();
        e.record_refusal(Some(Id(1)), Ground::Religion, d("2026-11-05"))
            .unwrap();
        e.record_refusal(None, Ground::Age, d("2026-11-06"))
            .unwrap();
        let (file, _) = e.backup_to_dir(&dir.path().join("bak")).unwrap();
        crate::backup::restore(&file, &dir.path().join("copy")).unwrap();
        let copy = Engine::open(&dir.path().join("copy")).unwrap();
        let nov: Month = "2026-11".parse().unwrap();
        assert_eq!(copy.refusals_in(nov).unwrap(), e.refusals_in(nov).unwrap());
        assert_eq!(copy.refusals_in(nov).unwrap().len(), 2);
    }
}
