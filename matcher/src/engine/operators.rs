//! Operator token lifecycle: revoke, rotate, set or clear the expiry, note the day's first
//! use. Each is a read-modify-write of one operator with its audit line in the same change.

use super::write::Change;
use super::Engine;
use crate::date::Date;
use crate::error::{Error, Result};
use crate::model::{Actor, AuditAction, Id, Operator, RecordKind};

impl Engine {
    /// One operator by id.
    pub fn find_operator(&self, id: Id) -> Result<Option<Operator>> {
        self.store.operators.get(id)
    }

    /// Revokes an operator's token from `today` on; revoking twice keeps the first date
    /// (and audits the attempt, so the log shows who tried).
    pub fn revoke_operator(&self, actor: Option<&Actor>, id: Id, today: Date) -> Result<Operator> {
        self.update_operator(actor, id, AuditAction::Revoke, |op| {
            op.revoked_on.get_or_insert(today);
            Ok(())
        })
    }

    /// Replaces the token's hash: the old token stops working, the new one (made by the
    /// caller, shown once) takes its place. A revoked operator stays revoked.
    pub fn rotate_operator(
        &self,
        actor: Option<&Actor>,
        id: Id,
        token_sha256: String,
    ) -> Result<Operator> {
        if token_sha256.len() != 64 || !token_sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(Error::invalid("token", "hash SHA-256 non valido"));
        }
        self.update_operator(actor, id, AuditAction::Rotate, |op| {
            if op.revoked_on.is_some() {
                return Err(Error::Conflict(
                    "operatore revocato: creare un nuovo operatore".into(),
                ));
            }
            op.token_sha256 = token_sha256;
            Ok(())
        })
    }

    /// Sets (or, with `None`, clears) the last day the token is accepted. A date already
    /// past expires the token at once.
    pub fn set_operator_expiry(
        &self,
        actor: Option<&Actor>,
        id: Id,
        expires_on: Option<Date>,
    ) -> Result<Operator> {
        self.update_operator(actor, id, AuditAction::Expiry, |op| {
            op.expires_on = expires_on;
            Ok(())
        })
    }

    /// Notes that the operator used the token on `day`. Callers note at most once a day
    /// per operator (see `server::auth`), so this write and its audit line stay rare; an
    /// older day than the one on file changes nothing and writes nothing.
    pub fn note_operator_use(&self, id: Id, day: Date) -> Result<()> {
        let _u = self.lock_updates();
        let mut op = self.store.operators.fetch(id)?;
        if op.last_used_on.is_some_and(|d| d >= day) {
            return Ok(());
        }
        op.last_used_on = Some(day);
        let actor = Actor {
            operator_id: op.id,
            org_id: op.org_id,
            role: op.role,
        };
        let mut c = Change::audited(Some(&actor), AuditAction::Use, RecordKind::Operator, id);
        c.operators.push(op);
        self.apply(c)
    }

    /// Loads, changes and writes one operator under the update lock, audited as `action`.
    fn update_operator(
        &self,
        actor: Option<&Actor>,
        id: Id,
        action: AuditAction,
        change: impl FnOnce(&mut Operator) -> Result<()>,
    ) -> Result<Operator> {
        let _u = self.lock_updates();
        let mut op = self.store.operators.fetch(id)?;
        change(&mut op)?;
        let mut c = Change::audited(actor, action, RecordKind::Operator, id);
        c.operators.push(op.clone());
        self.apply(c)?;
        Ok(op)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::token_hash;
    use crate::model::{OrgKind, Organisation, Role};

    fn engine_with_operator() -> (Engine, Operator) {
        let e = Engine::temporary().unwrap();
        e.create_organisation(
            None,
            Organisation {
                id: Id(0x0a),
                name: "Sportello".into(),
                kind: OrgKind::Desk,
                comune: None,
                profile: crate::model::OrgProfile::default(),
            },
        )
        .unwrap();
        let op = Operator {
            id: Id(0x0b),
            org_id: Id(0x0a),
            name: "Operatrice".into(),
            role: Role::Operator,
            token_sha256: token_hash("vecchio"),
            created_on: Date::from_days(100),
            revoked_on: None,
            expires_on: None,
            last_used_on: None,
        };
        e.create_operator(None, op.clone()).unwrap();
        (e, op)
    }

    /// The audit actions on `id`, sorted: lines written in the same second have no
    /// guaranteed order.
    fn actions(e: &Engine, id: Id) -> Vec<AuditAction> {
        let mut all: Vec<AuditAction> = e
            .audit_of(id)
            .unwrap()
            .into_iter()
            .map(|a| {
                assert_eq!(a.record_kind, RecordKind::Operator);
                a.action
            })
            .collect();
        all.sort();
        all
    }

    #[test]
    fn revoking_is_stored_audited_and_keeps_the_first_date() {
        let (e, op) = engine_with_operator();
        let day = Date::from_days(200);
        let r = e.revoke_operator(None, op.id, day).unwrap();
        assert_eq!(r.revoked_on, Some(day));
        assert!(!r.active_on(day));
        e.revoke_operator(None, op.id, day.add_days(3)).unwrap();
        let stored = e.find_operator(op.id).unwrap().unwrap();
        assert_eq!(stored.revoked_on, Some(day));
        assert_eq!(
            actions(&e, op.id),
            [
                AuditAction::Create,
                AuditAction::Revoke,
                AuditAction::Revoke
            ]
        );
    }

    #[test]
    fn rotating_replaces_the_hash_but_not_for_the_revoked() {
        let (e, op) = engine_with_operator();
        let r = e.rotate_operator(None, op.id, token_hash("nuovo")).unwrap();
        assert_eq!(r.token_sha256, token_hash("nuovo"));
        assert_eq!(
            e.find_operator(op.id).unwrap().unwrap().token_sha256,
            token_hash("nuovo")
        );
        assert!(matches!(
            e.rotate_operator(None, op.id, "not hex".into()),
            Err(Error::Invalid { .. })
        ));
        e.revoke_operator(None, op.id, Date::from_days(300))
            .unwrap();
        assert!(matches!(
            e.rotate_operator(None, op.id, token_hash("altro")),
            Err(Error::Conflict(_))
        ));
        // Refused changes leave no audit line.
        assert_eq!(
            actions(&e, op.id),
            [
                AuditAction::Create,
                AuditAction::Revoke,
                AuditAction::Rotate
            ]
        );
    }

    #[test]
    fn expiry_is_set_cleared_and_checked_inclusively() {
        let (e, op) = engine_with_operator();
        let last = Date::from_days(400);
        let r = e.set_operator_expiry(None, op.id, Some(last)).unwrap();
        assert!(r.active_on(last));
        assert!(!r.active_on(last.add_days(1)));
        let r = e.set_operator_expiry(None, op.id, None).unwrap();
        assert!(r.active_on(last.add_days(1000)));
        assert_eq!(e.find_operator(op.id).unwrap().unwrap().expires_on, None);
        assert_eq!(
            actions(&e, op.id),
            [
                AuditAction::Create,
                AuditAction::Expiry,
                AuditAction::Expiry
            ]
        );
    }

    #[test]
    fn uses_are_noted_once_per_day_by_the_operator_itself() {
        let (e, op) = engine_with_operator();
        let day = Date::from_days(500);
        e.note_operator_use(op.id, day).unwrap();
        e.note_operator_use(op.id, day).unwrap();
        e.note_operator_use(op.id, day.add_days(-1)).unwrap();
        assert_eq!(
            e.find_operator(op.id).unwrap().unwrap().last_used_on,
            Some(day)
        );
        let lines = e.audit_of(op.id).unwrap();
        assert_eq!(lines.len(), 2);
        let used = lines.iter().find(|l| l.action == AuditAction::Use).unwrap();
        assert_eq!(used.operator_id, Some(op.id));
        assert!(matches!(
            e.note_operator_use(Id(0x99), day),
            Err(Error::NotFound { .. })
        ));
    }

    #[test]
    fn stores_written_before_these_fields_still_read() {
        let old = r#"{"id":"000000000000000b","org_id":"000000000000000a","name":"x",
            "role":"operator","token_sha256":"00","created_on":"2024-01-01"}"#;
        let op: Operator = serde_json::from_str(old).unwrap();
        assert_eq!(
            (op.revoked_on, op.expires_on, op.last_used_on),
            (None, None, None)
        );
        assert!(op.active_on(Date::from_days(0)));
    }
}
