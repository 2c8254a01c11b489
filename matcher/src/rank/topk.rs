//! The one top-k selection of the ranking: keeps everything that can still be among the
//! best `k`, in linear time, with a floor that only rises.

/// Items pushed with a score; whenever the list doubles it is cut back to those that can
/// still reach the `k`-th best, allowing `margin` for what a score may still gain.
///
/// The floor is a proven lower bound on the `k`-th best *final* score: the `k`-th best
/// score seen so far (scores only grow by at most `margin`), or one raised from outside
/// (another thread's). An item whose score plus `margin` is below it cannot enter.
pub(crate) struct TopK<T> {
    k: usize,
    margin: f32,
    floor: f32,
    prune_at: usize,
    items: Vec<(T, f32)>,
}

impl<T> TopK<T> {
    pub fn new(k: usize, margin: f32) -> TopK<T> {
        TopK {
            k: k.max(1),
            margin,
            floor: f32::NEG_INFINITY,
            prune_at: 4 * k.max(1),
            items: Vec::new(),
        }
    }

    pub fn floor(&self) -> f32 {
        self.floor
    }

    /// Raises the floor to a bound proven elsewhere.
    pub fn raise_floor(&mut self, floor: f32) {
        self.floor = self.floor.max(floor);
    }

    /// Adds an item; returns the floor when this push cut the list (and so may have
    /// raised it), for sharing.
    #[inline]
    pub fn push(&mut self, item: T, score: f32) -> Option<f32> {
        self.items.push((item, score));
        if self.items.len() < self.prune_at {
            return None;
        }
        self.prune();
        Some(self.floor)
    }

    fn prune(&mut self) {
        if self.items.len() >= self.k {
            let desc = |a: &(T, f32), b: &(T, f32)| b.1.total_cmp(&a.1);
            self.items.select_nth_unstable_by(self.k - 1, desc);
            self.raise_floor(self.items[self.k - 1].1);
        }
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
