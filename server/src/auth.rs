//! Bearer tokens → the operator, organisation and role behind them (what each role may
//! do is `access`).
//! Tokens are compared by SHA-256 only; the table is loaded from the store at start-up
//! and updated in the same handler that creates, revokes, rotates or expires an operator,
//! so a change holds from the very next request. A revoked or expired token is 401.
//! The day's first use of each token is queued here (`take_uses`) and written by the
//! engine later, off the request path: at most one write per operator per day.

use std::collections::HashMap;
use std::sync::{Mutex, RwLock};
use std::time::Duration;

use matcher::fixtures::token_hash;
use matcher::model::{Actor, Id, Operator};
use matcher::Date;

use crate::error::ApiError;
use crate::limits::RateLimiter;

pub struct Auth {
    by_hash: RwLock<HashMap<String, Operator>>,
    /// Requests per operator (token) per minute; `None` when unlimited.
    per_token: Option<RateLimiter>,
    /// First uses of the day not yet written to the store: (operator, day).
    uses: Mutex<Vec<(Id, Date)>>,
    /// Held while queued uses are written, so a listing waits for a round in flight.
    writing: Mutex<()>,
}

impl Auth {
    /// `per_minute` of 0 means no per-token limit.
    pub fn new(operators: impl IntoIterator<Item = Operator>, per_minute: u32) -> Auth {
        Auth {
            by_hash: RwLock::new(
                operators
                    .into_iter()
                    .map(|o| (o.token_sha256.clone(), o))
                    .collect(),
            ),
            per_token: (per_minute > 0)
                .then(|| RateLimiter::new(per_minute, Duration::from_secs(60))),
            uses: Mutex::new(Vec::new()),
            writing: Mutex::new(()),
        }
    }

    pub fn add(&self, op: Operator) {
        self.update(op);
    }

    /// Puts `op` in the table in place of any entry with its id (its old token, when
    /// rotated, stops resolving). The noted last use is kept if newer than `op`'s.
    pub fn update(&self, mut op: Operator) {
        let mut table = self.by_hash.write().unwrap_or_else(|p| p.into_inner());
        let old = table
            .iter()
            .find(|(_, o)| o.id == op.id)
            .map(|(h, _)| h.clone());
        if let Some(old) = old.and_then(|h| table.remove(&h)) {
            op.last_used_on = op.last_used_on.max(old.last_used_on);
        }
        table.insert(op.token_sha256.clone(), op);
    }

    /// Held by whoever writes the queued uses: one round at a time, and a reader that
    /// takes it knows every use taken before has been written (or put back).
    pub fn writing_uses(&self) -> std::sync::MutexGuard<'_, ()> {
        self.writing.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The first uses of the day noted since the last call, to be written by the engine.
    pub fn take_uses(&self) -> Vec<(Id, Date)> {
        std::mem::take(&mut *self.uses.lock().unwrap_or_else(|p| p.into_inner()))
    }

    /// Puts back uses whose write failed, so the next round retries them.
    pub fn return_uses(&self, failed: Vec<(Id, Date)>) {
        self.uses
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend(failed);
    }

    /// The actor behind an `Authorization: Bearer …` header.
    pub fn authenticate(&self, header: Option<&str>) -> Result<Actor, ApiError> {
        self.authenticate_on(header, Date::today())
    }

    fn authenticate_on(&self, header: Option<&str>, today: Date) -> Result<Actor, ApiError> {
        let token = header
            .and_then(|h| {
                h.strip_prefix("Bearer ")
                    .or_else(|| h.strip_prefix("bearer "))
            })
            .map(str::trim)
            .filter(|t| !t.is_empty() && t.len() <= 256)
            .ok_or(ApiError::Unauthorized)?;
        let hash = token_hash(token);
        let (actor, first_today) = {
            let table = self.by_hash.read().unwrap_or_else(|p| p.into_inner());
            let op = table.get(&hash).ok_or(ApiError::Unauthorized)?;
            if !op.active_on(today) {
                return Err(ApiError::Unauthorized);
            }
            let actor = Actor {
                operator_id: op.id,
                org_id: op.org_id,
                role: op.role,
            };
            (actor, op.last_used_on.is_none_or(|d| d < today))
        };
        if let Some(limit) = &self.per_token {
            if !limit.allow(&actor.operator_id.to_string()) {
                return Err(ApiError::TooManyRequests);
            }
        }
        if first_today {
            self.note_use(&hash, today);
        }
        crate::client::note_operator(actor.operator_id);
        Ok(actor)
    }

    /// Marks the day's use in the table (so later requests today skip this) and queues
    /// it once for the store.
    fn note_use(&self, hash: &str, today: Date) {
        let mut table = self.by_hash.write().unwrap_or_else(|p| p.into_inner());
        if let Some(op) = table.get_mut(hash) {
            // Another request may have noted it between the two locks.
            if op.last_used_on.is_none_or(|d| d < today) {
                op.last_used_on = Some(today);
                self.uses
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push((op.id, today));
            }
        }
    }
}

/// A new random bearer token: 32 bytes, hex.
pub fn new_token() -> String {
    (0..32)
        .map(|_| format!("{:02x}", rand::random::<u8>()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use matcher::model::{Id, Role};
    use matcher::Date;

    fn auth() -> Auth {
        limited(0)
    }

    fn limited(per_minute: u32) -> Auth {
        Auth::new(
            [Operator {
                id: Id(1),
                org_id: Id(2),
                name: "x".into(),
                role: Role::Referrer,
                token_sha256: token_hash("secret-token"),
                created_on: Date::from_days(0),
                revoked_on: None,
                expires_on: None,
                last_used_on: None,
            }],
            per_minute,
        )
    }

    #[test]
    fn each_token_has_a_budget_per_minute() {
        let a = limited(3);
        for _ in 0..3 {
            assert!(a.authenticate(Some("Bearer secret-token")).is_ok());
        }
        assert!(matches!(
            a.authenticate(Some("Bearer secret-token")),
            Err(ApiError::TooManyRequests)
        ));
        // Wrong tokens are refused as such, whatever the budget.
        assert!(matches!(
            a.authenticate(Some("Bearer wrong")),
            Err(ApiError::Unauthorized)
        ));
    }

    #[test]
    fn bearer_tokens_resolve_to_actors() {
        let a = auth().authenticate(Some("Bearer secret-token")).unwrap();
        assert_eq!(
            (a.operator_id, a.org_id, a.role),
            (Id(1), Id(2), Role::Referrer)
        );
    }

    #[test]
    fn anything_else_is_unauthorized() {
        for h in [
            None,
            Some("secret-token"),
            Some("Bearer "),
            Some("Bearer wrong"),
            Some("Basic c2VjcmV0"),
        ] {
            assert!(
                matches!(auth().authenticate(h), Err(ApiError::Unauthorized)),
                "{h:?}"
            );
        }
    }

    #[test]
    fn revoked_and_expired_tokens_are_refused() {
        let a = auth();
        let day = Date::from_days(1000);
        let ok = |a: &Auth, d: Date| a.authenticate_on(Some("Bearer secret-token"), d);
        assert!(ok(&a, day).is_ok());
        let mut op = a.by_hash.read().unwrap().values().next().unwrap().clone();
        op.expires_on = Some(day);
        a.update(op.clone());
        assert!(ok(&a, day).is_ok(), "valid through its last day");
        assert!(matches!(
            ok(&a, day.add_days(1)),
            Err(ApiError::Unauthorized)
        ));
        op.expires_on = None;
        op.revoked_on = Some(day);
        a.update(op);
        assert!(matches!(ok(&a, day), Err(ApiError::Unauthorized)));
    }

    #[test]
    fn rotation_drops_the_old_token_at_once() {
        let a = auth();
        let mut op = a.by_hash.read().unwrap().values().next().unwrap().clone();
        op.token_sha256 = token_hash("new-token");
        a.update(op);
        assert!(matches!(
            a.authenticate(Some("Bearer secret-token")),
            Err(ApiError::Unauthorized)
        ));
        assert_eq!(
            a.authenticate(Some("Bearer new-token"))
                .unwrap()
                .operator_id,
            Id(1)
        );
        assert_eq!(a.by_hash.read().unwrap().len(), 1);
    }

    #[test]
    fn the_first_use_of_each_day_is_queued_once() {
        let a = auth();
        let day = Date::from_days(2000);
        for _ in 0..5 {
            a.authenticate_on(Some("Bearer secret-token"), day).unwrap();
        }
        assert_eq!(a.take_uses(), [(Id(1), day)]);
        assert!(a.take_uses().is_empty());
        a.authenticate_on(Some("Bearer secret-token"), day.add_days(1))
            .unwrap();
        assert_eq!(a.take_uses(), [(Id(1), day.add_days(1))]);
        // Failed uses go back in the queue.
        a.return_uses(vec![(Id(1), day)]);
        assert_eq!(a.take_uses(), [(Id(1), day)]);
    }

    #[test]
    fn new_tokens_are_random_and_long() {
        assert_eq!(new_token().len(), 64);
        assert_ne!(new_token(), new_token());
    }
}
