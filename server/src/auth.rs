//! Bearer tokens → the operator, organisation and role behind them, and the role checks.
//! Tokens are compared by SHA-256 only; the table is loaded from the store at start-up
//! and updated when an admin creates an operator.

use std::collections::HashMap;
use std::sync::RwLock;

use matcher::fixtures::token_hash;
use matcher::model::{Actor, Operator, Role};

use crate::error::ApiError;

#[derive(Default)]
pub struct Auth {
    by_hash: RwLock<HashMap<String, Operator>>,
}

impl Auth {
    pub fn new(operators: impl IntoIterator<Item = Operator>) -> Auth {
        Auth {
            by_hash: RwLock::new(
                operators
                    .into_iter()
                    .map(|o| (o.token_sha256.clone(), o))
                    .collect(),
            ),
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
        Ok(Actor {
            operator_id: op.id,
            org_id: op.org_id,
            role: op.role,
        })
    }
}

/// Refuses with 403 unless the actor has one of `roles`.
pub fn require(actor: &Actor, roles: &[Role]) -> Result<(), ApiError> {
    if roles.contains(&actor.role) {
        Ok(())
    } else {
        Err(ApiError::Forbidden)
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
    use matcher::model::Id;
    use matcher::Date;

    fn auth() -> Auth {
        Auth::new([Operator {
            id: Id(1),
            org_id: Id(2),
            name: "x".into(),
            role: Role::Referrer,
            token_sha256: token_hash("secret-token"),
            created_on: Date::from_days(0),
        }])
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
    fn roles_are_enforced() {
        let a = auth().authenticate(Some("Bearer secret-token")).unwrap();
        assert!(require(&a, &[Role::Referrer, Role::Operator]).is_ok());
        assert!(matches!(
            require(&a, &[Role::Operator]),
            Err(ApiError::Forbidden)
        ));
        assert_eq!(new_token().len(), 64);
        assert_ne!(new_token(), new_token());
    }
}
