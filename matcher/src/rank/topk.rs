//! The one top-k selection of the ranking: keeps everything that can still be among the
//! best `k`, in linear time, with a floor that only rises.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

/// Items pushed with a score; whenever the list doubles it is cut back to those that can
/// still reach the `k`-th best, allowing `margin` for what a score may still gain.
///
/// The floor is a proven lower bound on the `k`-th best *final* score: the `k`-th best
/// score seen so far (scores only grow by at most `margin`), or one raised from outside
/// (another thread's). An item whose score plus `margin` is below it cannot enter. Once
/// `k` items are in, the floor follows the `k`-th best on every push, not only at a cut:
/// a scan's row bound rejects against it, so the sooner it rises the fewer rows are read.
pub(crate) struct TopK<T> {
    k: usize,
    margin: f32,
    floor: f32,
    prune_at: usize,
    items: Vec<(T, f32)>,
    /// The best `k` scores pushed, smallest on top.
    best: BinaryHeap<Reverse<Score>>,
}

/// A score ordered by `total_cmp`, for the heap.
#[derive(Clone, Copy, PartialEq)]
struct Score(f32);

impl Eq for Score {}

impl PartialOrd for Score {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Score {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.total_cmp(&other.0)
    }
}

impl<T> TopK<T> {
    pub fn new(k: usize, margin: f32) -> TopK<T> {
        TopK {
            k: k.max(1),
            margin,
            floor: f32::NEG_INFINITY,
            prune_at: 4 * k.max(1),
            items: Vec::new(),
            best: BinaryHeap::with_capacity(k.max(1) + 1),
        }
    }

    pub fn floor(&self) -> f32 {
        self.floor
    }

    /// Raises the floor to a bound proven elsewhere.
    pub fn raise_floor(&mut self, floor: f32) {
        self.floor = self.floor.max(floor);
    }

    /// Adds an item; returns the floor when this push raised it, for sharing.
    #[inline]
    pub fn push(&mut self, item: T, score: f32) -> Option<f32> {
        self.items.push((item, score));
        let before = self.floor;
        if self.best.len() < self.k {
            self.best.push(Reverse(Score(score)));
        } else if self.best.peek().is_some_and(|kth| score > kth.0 .0) {
            self.best.pop();
            self.best.push(Reverse(Score(score)));
        }
        if self.best.len() == self.k {
            if let Some(kth) = self.best.peek() {
                self.raise_floor(kth.0 .0);
            }
        }
        if self.items.len() >= self.prune_at {
            self.prune();
        }
        (self.floor > before).then_some(self.floor)
    }

    fn prune(&mut self) {
        let (floor, margin) = (self.floor, self.margin);
        self.items.retain(|x| x.1 + margin >= floor);
        // Linear overall: the next cut waits until the list has doubled again.
        self.prune_at = (2 * self.items.len()).max(4 * self.k);
    }

    /// Every item that can still be among the best `k`, unordered.
    pub fn into_vec(mut self) -> Vec<(T, f32)> {
        self.prune();
        self.items
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Whatever the order of pushes, everything scoring at least the true k-th best
        /// survives.
        #[test]
        fn never_drops_one_of_the_best(scores in proptest::collection::vec(0u16..1000, 0..400), k in 1usize..20) {
            let mut top = TopK::new(k, 0.0);
            for (i, s) in scores.iter().enumerate() {
                top.push(i, f32::from(*s));
            }
            let kept: Vec<usize> = top.into_vec().into_iter().map(|x| x.0).collect();
            let mut desc = scores.clone();
            desc.sort_unstable_by_key(|s| std::cmp::Reverse(*s));
            if let Some(&kth) = desc.get(k - 1) {
                for (i, s) in scores.iter().enumerate() {
                    prop_assert!(*s < kth || kept.contains(&i), "item {} ({}) dropped", i, s);
                }
            } else {
                prop_assert_eq!(kept.len(), scores.len());
            }
        }
    }

    #[test]
    fn the_floor_follows_the_kth_best_on_every_push() {
        let mut top = TopK::new(2, 0.0);
        assert_eq!(top.push(1, 10.0), None, "one item: no k-th yet");
        assert_eq!(top.push(2, 5.0), Some(5.0));
        assert_eq!(top.push(3, 4.0), None, "below the k-th: the floor stays");
        assert_eq!(top.push(4, 7.0), Some(7.0));
        assert_eq!(top.floor(), 7.0);
        let mut kept: Vec<u32> = top.into_vec().into_iter().map(|x| x.0).collect();
        kept.sort();
        assert_eq!(kept, vec![1, 4]);
    }

    #[test]
    fn a_raised_floor_with_margin_keeps_what_may_still_gain() {
        let mut top = TopK::new(2, 5.0);
        top.raise_floor(50.0);
        for s in [40.0, 44.0, 46.0, 60.0] {
            top.push(s as u32, s);
        }
        let mut kept: Vec<u32> = top.into_vec().into_iter().map(|x| x.0).collect();
        kept.sort();
        // 46 + 5 ≥ 50 stays, 44 + 5 < 50 goes; 60 sets no higher floor with k = 2.
        assert_eq!(kept, vec![46, 60]);
    }
}
