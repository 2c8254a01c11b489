//! Fixed-window rate limits kept in memory: per outcome code and per client address on
//! the public endpoint, where no login slows down guessing; and the size of a desk's
//! spreadsheet upload.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Largest spreadsheet a desk may upload: a list of 10,000 cards in XLSX is about 1 MiB,
/// as CSV about 2 MiB; the limit leaves room for formatting without letting a request
/// hold much memory.
pub const SHEET_UPLOAD_LIMIT: u64 = 8 * 1024 * 1024;

pub struct RateLimiter {
    max: u32,
    window: Duration,
    hits: Mutex<HashMap<String, (Instant, u32)>>,
}

impl RateLimiter {
    pub fn new(max: u32, window: Duration) -> RateLimiter {
        RateLimiter {
            max,
            window,
            hits: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one hit for `key`; false when the key is over its limit in this window.
    pub fn allow(&self, key: &str) -> bool {
        self.allow_at(key, Instant::now())
    }

    fn allow_at(&self, key: &str, now: Instant) -> bool {
        let mut hits = self.hits.lock().unwrap_or_else(|p| p.into_inner());
        if hits.len() > 100_000 {
            // Bound memory under a flood of distinct keys: forget finished windows.
            let window = self.window;
            hits.retain(|_, (start, _)| now.duration_since(*start) < window);
        }
        let entry = hits.entry(key.to_string()).or_insert((now, 0));
        if now.duration_since(entry.0) >= self.window {
            *entry = (now, 0);
        }
        entry.1 += 1;
        entry.1 <= self.max
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_per_key_and_window() {
        let l = RateLimiter::new(3, Duration::from_secs(60));
        let t0 = Instant::now();
        assert!((0..3).all(|_| l.allow_at("a", t0)));
        assert!(!l.allow_at("a", t0));
        assert!(l.allow_at("b", t0), "keys are independent");
        assert!(
            l.allow_at("a", t0 + Duration::from_secs(61)),
            "a new window starts"
        );
    }
}
