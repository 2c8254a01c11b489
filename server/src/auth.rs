//! Bearer tokens → the operator, organisation and role behind them (what each role may
//! do is `access`).
//! Tokens are compared by SHA-256 only; the table is loaded from the store at start-up
//! and updated when an admin creates an operator.

use std::collections::HashMap;
use std::sync::RwLock;
use std::time::Duration;

use matcher::fixtures::token_hash;
use matcher::model::{Actor, Operator};

use crate::error::ApiError;
use crate::limits::RateLimiter;

pub struct Auth {
    by_hash: RwLock<HashMap<String, Operator>>,
    /// Requests per operator (token) per minute; `None` when unlimited.
    per_token: Option<RateLimiter>,
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
        }
    }

    pub fn add(&self, op: Operator) {
        self.by_hash
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(op.token_sha256.clone(), op);
    }

    /// The actor behind an `Authorization: Bearer …` header.
    pub fn authenticate(&self, header: Option<&str>) -> Result<Actor, ApiError> {
        let token = header
            .and_then(|h| {
                h.strip_prefix("Bearer ")
                    .or_else(|| h.strip_prefix("bearer "))
            })
            .map(str::trim)
            .filter(|t| !t.is_empty() && t.len() <= 256)
            .ok_or(ApiError::Unauthorized)?;
        let table = self.by_hash.read().unwrap_or_else(|p| p.into_inner());
        let op = table
            .get(&token_hash(token))
            .ok_or(ApiError::Unauthorized)?;
        if let Some(limit) = &self.per_token {
            if !limit.allow(&op.id.to_string()) {
                return Err(ApiError::TooManyRequests);
            }
        }
        crate::client::note_operator(op.id);
        Ok(Actor {
            operator_id: op.id,
            org_id: op.org_id,
            role: op.role,
        })
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
    fn new_tokens_are_random_and_long() {
        assert_eq!(new_token().len(), 64);
        assert_ne!(new_token(), new_token());
    }
}
