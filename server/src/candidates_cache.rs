//! Recent answers of `GET /api/v1/requests/{id}/candidates`, so reopening a ranking does
//! not pay for the matching again. An answer is served only while the engine's write
//! generation and the day it was computed for are still current (scores depend on both).

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, MutexGuard};

use bytes::Bytes;
use matcher::model::{Id, Role};
use matcher::Date;

/// Answers kept at most, and their bytes at most: a few thousand rankings of 20 (about
/// 15 kB each) cover every open request of a national desk network.
pub const MAX_ENTRIES: usize = 4096;
pub const MAX_BYTES: usize = 64 << 20;

/// What shapes an answer: the request, every query parameter, and what the caller may
/// see (by role: the answer is the same for everyone of a role).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub request: Id,
    pub limit: usize,
    pub view: Role,
}

/// What an answer was computed from: the engine's write generation, read *before*
/// computing, and the day the scores are for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Stamp {
    pub generation: u64,
    pub day: Date,
}

/// The answers of one stamp, evicted oldest first past the bounds. Answers of an older
/// stamp are dropped as soon as a newer one is seen, so nothing outlives the write that
/// made it stale (an erased person's id included) beyond the next look.
pub struct CandidatesCache {
    max_entries: usize,
    max_bytes: usize,
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    stamp: Option<Stamp>,
    answers: HashMap<Key, Bytes>,
    order: VecDeque<Key>,
    bytes: usize,
}

impl Default for CandidatesCache {
    fn default() -> CandidatesCache {
        CandidatesCache::new(MAX_ENTRIES, MAX_BYTES)
    }
}

impl CandidatesCache {
    pub fn new(max_entries: usize, max_bytes: usize) -> CandidatesCache {
        CandidatesCache {
            max_entries,
            max_bytes,
            inner: Mutex::new(Inner::default()),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The answer for `key` if it was computed at exactly `now`.
    pub fn get(&self, key: &Key, now: Stamp) -> Option<Bytes> {
        let mut inner = self.lock();
        inner.follow(now);
        if inner.stamp == Some(now) {
            inner.answers.get(key).cloned()
        } else {
            None
        }
    }

    /// Keeps an answer computed at `computed`; one computed before the newest stamp seen
    /// is already stale and is not kept.
    pub fn put(&self, key: Key, computed: Stamp, body: Bytes) {
        if self.max_entries == 0 || body.len() > self.max_bytes {
            return;
        }
        let mut inner = self.lock();
        inner.follow(computed);
        // Two callers may have computed the same answer at once: the first one stays.
        if inner.stamp != Some(computed) || inner.answers.contains_key(&key) {
            return;
        }
        while inner.answers.len() >= self.max_entries || inner.bytes + body.len() > self.max_bytes {
            let Some(oldest) = inner.order.pop_front() else {
                break;
            };
            if let Some(gone) = inner.answers.remove(&oldest) {
                inner.bytes -= gone.len();
            }
        }
        inner.bytes += body.len();
        inner.order.push_back(key);
        inner.answers.insert(key, body);
    }

    /// Drops every answer older than `now` (the server's timer calls it, so stale answers
    /// go even when nobody asks again).
    pub fn forget_older_than(&self, now: Stamp) {
        self.lock().follow(now);
    }

    /// Answers held, and their bytes.
    pub fn size(&self) -> (usize, usize) {
        let inner = self.lock();
        (inner.answers.len(), inner.bytes)
    }
}

impl Inner {
    /// Moves to `now` when it is newer than the answers held, dropping them all.
    fn follow(&mut self, now: Stamp) {
        if self.stamp.is_none_or(|held| now > held) {
            self.answers.clear();
            self.order.clear();
            self.bytes = 0;
            self.stamp = Some(now);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(n: u64) -> Key {
        Key {
            request: Id(n),
            limit: 20,
            view: Role::Operator,
        }
    }

    fn at(generation: u64, day: i32) -> Stamp {
        Stamp {
            generation,
            day: Date::from_days(day),
        }
    }

    fn body(text: &str) -> Bytes {
        Bytes::copy_from_slice(text.as_bytes())
    }

    #[test]
    fn an_answer_is_served_only_at_its_own_stamp() {
        let c = CandidatesCache::default();
        c.put(key(1), at(5, 100), body("a"));
        assert_eq!(c.get(&key(1), at(5, 100)), Some(body("a")));
        assert_eq!(c.get(&key(2), at(5, 100)), None, "another request");
        let other_limit = Key {
            limit: 21,
            ..key(1)
        };
        assert_eq!(c.get(&other_limit, at(5, 100)), None, "another limit");
        let other_view = Key {
            view: Role::Referrer,
            ..key(1)
        };
        assert_eq!(c.get(&other_view, at(5, 100)), None, "another view");
        assert_eq!(c.get(&key(1), at(6, 100)), None, "after a write");
        assert_eq!(c.size(), (0, 0), "a newer generation drops what was held");
        assert_eq!(c.get(&key(1), at(5, 100)), None, "and it never comes back");
    }

    #[test]
    fn a_new_day_drops_yesterdays_answers() {
        let c = CandidatesCache::default();
        c.put(key(1), at(5, 100), body("a"));
        assert_eq!(c.get(&key(1), at(5, 101)), None);
        assert_eq!(c.size(), (0, 0));
    }

    #[test]
    fn an_answer_computed_before_a_write_is_not_kept_after_it() {
        let c = CandidatesCache::default();
        // A slow caller read generation 5; meanwhile another saw 6.
        assert_eq!(c.get(&key(2), at(6, 100)), None);
        c.put(key(1), at(5, 100), body("stale"));
        assert_eq!(c.get(&key(1), at(5, 100)), None);
        assert_eq!(c.get(&key(1), at(6, 100)), None);
        assert_eq!(c.size(), (0, 0));
    }

    #[test]
    fn the_timer_drops_stale_answers_without_a_reader() {
        let c = CandidatesCache::default();
        c.put(key(1), at(5, 100), body("a"));
        c.forget_older_than(at(5, 100));
        assert_eq!(c.size(), (1, 1), "still current");
        c.forget_older_than(at(6, 100));
        assert_eq!(c.size(), (0, 0));
    }

    #[test]
    fn entries_and_bytes_are_bounded_oldest_out_first() {
        let c = CandidatesCache::new(3, 10);
        for n in 1..=4 {
            c.put(key(n), at(1, 1), body("xx"));
        }
        assert_eq!(c.size(), (3, 6));
        assert_eq!(c.get(&key(1), at(1, 1)), None, "the oldest went first");
        assert!(c.get(&key(4), at(1, 1)).is_some());
        c.put(key(5), at(1, 1), body("xxxxxxx"));
        assert_eq!(c.size(), (2, 9), "7 bytes leave room for one answer of 2");
        assert!(c.get(&key(4), at(1, 1)).is_some());
        c.put(key(6), at(1, 1), body("xxxxxxxxxxx"));
        assert_eq!(
            c.get(&key(6), at(1, 1)),
            None,
            "larger than the whole cache"
        );
        assert!(c.get(&key(5), at(1, 1)).is_some());
    }

    #[test]
    fn the_first_of_two_equal_answers_stays() {
        let c = CandidatesCache::default();
        c.put(key(1), at(1, 1), body("first"));
        c.put(key(1), at(1, 1), body("second"));
        assert_eq!(c.get(&key(1), at(1, 1)), Some(body("first")));
        assert_eq!(c.size(), (1, 5));
    }
}
