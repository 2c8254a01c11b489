//! Signed-in sessions of the web interface: a random id in an HttpOnly, SameSite=Strict
//! cookie, kept in memory with an idle and an absolute expiry, and a per-session token
//! every form echoes back (CSRF).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use matcher::model::Actor;

pub const COOKIE: &str = "dom_sessione";
/// Signed out after this long without a request…
pub const IDLE: Duration = Duration::from_secs(2 * 3600);
/// …and after this long in any case (one working day).
pub const ABSOLUTE: Duration = Duration::from_secs(10 * 3600);

#[derive(Clone, Debug)]
pub struct Session {
    pub actor: Actor,
    pub operator_name: String,
    pub org_name: String,
    pub csrf: String,
    /// The address being answered (`/ui/schede/…`), for the menu's current entry; set
    /// per request, never stored.
    pub path: String,
    started: Instant,
    seen: Instant,
}

#[derive(Default)]
pub struct Sessions {
    map: Mutex<HashMap<String, Session>>,
}

fn random_hex() -> String {
    let bytes: [u8; 32] = rand::random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl Sessions {
    /// Starts a session; returns its id (the cookie's value).
    pub fn start(
        &self,
        actor: Actor,
        operator_name: String,
        org_name: String,
    ) -> (String, Session) {
        let now = Instant::now();
        let s = Session {
            actor,
            operator_name,
            org_name,
            csrf: random_hex(),
            path: String::new(),
            started: now,
            seen: now,
        };
        let id = random_hex();
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        map.retain(|_, s| !s.expired(now));
        map.insert(id.clone(), s.clone());
        (id, s)
    }

    /// The live session behind a cookie value, refreshed (and its operator noted for
    /// the request log).
    pub fn get(&self, id: &str) -> Option<Session> {
        let s = self.get_at(id, Instant::now())?;
        crate::client::note_operator(s.actor.operator_id);
        Some(s)
    }

    fn get_at(&self, id: &str, now: Instant) -> Option<Session> {
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        let s = map.get_mut(id)?;
        if s.expired(now) {
            map.remove(id);
            return None;
        }
        s.seen = now;
        Some(s.clone())
    }

    pub fn end(&self, id: &str) {
        self.map
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(id);
    }

    /// Ends every session of an operator whose token was revoked, rotated or expired.
    pub fn end_operator(&self, operator: matcher::model::Id) {
        self.map
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .retain(|_, s| s.actor.operator_id != operator);
    }
}

impl Session {
    fn expired(&self, now: Instant) -> bool {
        now.duration_since(self.seen) >= IDLE || now.duration_since(self.started) >= ABSOLUTE
    }
}

/// The `Set-Cookie` value that stores (or, with `None`, clears) the session id;
/// `Secure` when the running request came over HTTPS (`--public-url https://…` or a
/// trusted proxy's `X-Forwarded-Proto`).
pub fn cookie(id: Option<&str>) -> String {
    cookie_with(id, crate::client::current().is_some_and(|c| c.https))
}

fn cookie_with(id: Option<&str>, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    match id {
        Some(id) => format!(
            "{COOKIE}={id}; Path=/; HttpOnly; SameSite=Strict{secure}; Max-Age={}",
            ABSOLUTE.as_secs()
        ),
        None => format!("{COOKIE}=; Path=/; HttpOnly; SameSite=Strict{secure}; Max-Age=0"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use matcher::model::{Id, Role};

    fn actor() -> Actor {
        Actor {
            operator_id: Id(1),
            org_id: Id(2),
            role: Role::Operator,
        }
    }

    #[test]
    fn sessions_expire_when_idle_and_at_the_end_of_the_day() {
        let s = Sessions::default();
        let (id, _) = s.start(actor(), "Anna".into(), "Sportello".into());
        let t0 = Instant::now();
        assert!(s.get_at(&id, t0 + Duration::from_secs(60)).is_some());
        assert!(
            s.get_at(&id, t0 + IDLE + Duration::from_secs(120))
                .is_none(),
            "idle"
        );
        let (id, _) = s.start(actor(), "Anna".into(), "Sportello".into());
        let mut t = Instant::now();
        // Active all day: every hour a request, still signed out after ABSOLUTE.
        while t < t0 + ABSOLUTE - Duration::from_secs(3600) {
            t += Duration::from_secs(3600);
            assert!(s.get_at(&id, t).is_some());
        }
        assert!(s
            .get_at(&id, t0 + ABSOLUTE + Duration::from_secs(1))
            .is_none());
        assert!(s.get("not-a-session").is_none());
    }

    #[test]
    fn the_cookie_is_http_only_and_same_site() {
        let c = cookie(Some("abc"));
        assert!(
            c.contains("HttpOnly")
                && c.contains("SameSite=Strict")
                && c.starts_with("dom_sessione=abc;")
        );
        assert!(cookie(None).contains("Max-Age=0"));
        assert!(!c.contains("Secure"), "plain HTTP outside a request");
        assert!(cookie_with(Some("abc"), true).contains("; Secure;"));
        assert!(cookie_with(None, true).contains("; Secure;"));
    }
}
