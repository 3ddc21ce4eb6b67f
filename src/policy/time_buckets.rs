//! A sliding time window kept as a ring of fixed-width buckets with a running total.
//!
//! Used by the time-based circuit breaker window (resilience4j: N one-second buckets)
//! and by client-side adaptive throttling (a two-minute window).
//!
//! Why buckets aligned to `now / width` and not to the first call? resilience4j aligns
//! its buckets to epoch seconds; aligning to simulated time does the same, and makes a
//! bucket's identity a pure function of `now`.
//!
//! Why a running total? Reading the window is then O(1); expiring buckets costs one
//! subtraction each, at most `bucket_count` per advance however long the gap.

/// Counts that can be added into a bucket and subtracted when the bucket expires.
pub trait BucketCounts: Copy + Default {
    fn add(&mut self, other: &Self);
    fn subtract(&mut self, other: &Self);
}

#[derive(Debug, Clone)]
pub struct TimeBuckets<C> {
    bucket_width: u64,
    buckets: Vec<C>,
    /// The bucket epoch (`now / bucket_width`) that `now` last fell into.
    head_epoch: u64,
    total: C,
}

impl<C: BucketCounts> TimeBuckets<C> {
    /// A window of `bucket_count` buckets, each `bucket_width` nanoseconds wide: it
    /// covers the current bucket and the `bucket_count − 1` before it.
    ///
    /// # Panics
    /// If `bucket_count` or `bucket_width` is zero (configs are validated before).
    pub fn new(bucket_count: usize, bucket_width: u64) -> Self {
        assert!(bucket_count > 0 && bucket_width > 0, "empty time window");
        TimeBuckets {
            bucket_width,
            buckets: vec![C::default(); bucket_count],
            head_epoch: 0,
            total: C::default(),
        }
    }

    /// Adds `sample` to the bucket that `now` falls into.
    pub fn record(&mut self, now: u64, sample: C) {
        self.advance(now);
        let slot = self.slot(self.head_epoch);
        self.buckets[slot].add(&sample);
        self.total.add(&sample);
    }

    /// The sum over the buckets still inside the window at `now`.
    pub fn total(&mut self, now: u64) -> C {
        self.advance(now);
        self.total
    }

    /// Forgets everything (a breaker's window is fresh in each new state).
    pub fn clear(&mut self) {
        self.buckets.fill(C::default());
        self.total = C::default();
    }

    /// Expires the buckets that left the window between the last call and `now`.
    /// Time never goes backwards in the engine; an earlier `now` counts as the head.
    fn advance(&mut self, now: u64) {
        let epoch = now / self.bucket_width;
        if epoch <= self.head_epoch {
            return;
        }
        let steps = (epoch - self.head_epoch).min(self.buckets.len() as u64);
        for e in self.head_epoch + 1..=self.head_epoch + steps {
            let slot = self.slot(e);
            let expired = self.buckets[slot];
            self.total.subtract(&expired);
            self.buckets[slot] = C::default();
        }
        self.head_epoch = epoch;
    }

    fn slot(&self, epoch: u64) -> usize {
        (epoch % self.buckets.len() as u64) as usize
    }
}

impl BucketCounts for u64 {
    fn add(&mut self, other: &Self) {
        *self += other;
    }
    fn subtract(&mut self, other: &Self) {
        *self -= other;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_keeps_exactly_bucket_count_buckets() {
        let mut w = TimeBuckets::<u64>::new(3, 10);
        w.record(0, 1); // epoch 0
        w.record(15, 2); // epoch 1
        w.record(29, 4); // epoch 2
        assert_eq!(w.total(29), 7);
        // Epoch 3 pushes epoch 0 out, epoch 4 pushes epoch 1 out.
        assert_eq!(w.total(30), 6);
        assert_eq!(w.total(40), 4);
        assert_eq!(w.total(50), 0);
    }

    #[test]
    fn a_long_gap_clears_every_bucket() {
        let mut w = TimeBuckets::<u64>::new(4, 10);
        for t in 0..40 {
            w.record(t, 1);
        }
        assert_eq!(w.total(39), 40);
        assert_eq!(w.total(1_000_000), 0);
        w.record(1_000_001, 5);
        assert_eq!(w.total(1_000_009), 5);
    }

    #[test]
    fn clear_forgets_counts() {
        let mut w = TimeBuckets::<u64>::new(2, 10);
        w.record(5, 3);
        w.clear();
        assert_eq!(w.total(5), 0);
        w.record(6, 1);
        assert_eq!(w.total(6), 1);
    }
}
