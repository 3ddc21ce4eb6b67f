//! The breaker's sliding windows: the last N outcomes (COUNT_BASED) or the last N
//! one-second buckets (TIME_BASED), each keeping running totals so that the rates can
//! be evaluated after every call in O(1), as resilience4j does.

use crate::policy::time_buckets::{BucketCounts, TimeBuckets};
use crate::policy::SECOND;

/// Calls, failed calls and slow calls in a window. A slow failure counts in both.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct CallCounts {
    pub calls: u32,
    pub failed: u32,
    pub slow: u32,
}

impl CallCounts {
    fn one(failed: bool, slow: bool) -> Self {
        CallCounts {
            calls: 1,
            failed: failed as u32,
            slow: slow as u32,
        }
    }

    /// Failure rate in percent; resilience4j computes `failed · 100 / calls`.
    pub fn failure_rate(&self) -> f64 {
        f64::from(self.failed) * 100.0 / f64::from(self.calls)
    }

    pub fn slow_call_rate(&self) -> f64 {
        f64::from(self.slow) * 100.0 / f64::from(self.calls)
    }
}

impl BucketCounts for CallCounts {
    fn add(&mut self, o: &Self) {
        self.calls += o.calls;
        self.failed += o.failed;
        self.slow += o.slow;
    }
    fn subtract(&mut self, o: &Self) {
        self.calls -= o.calls;
        self.failed -= o.failed;
        self.slow -= o.slow;
    }
}

/// A ring of the last `size` outcomes.
#[derive(Debug, Clone)]
pub(crate) struct CountWindow {
    ring: Vec<CallCounts>,
    next: usize,
    total: CallCounts,
}

impl CountWindow {
    pub fn new(size: u32) -> Self {
        CountWindow {
            ring: vec![CallCounts::default(); size as usize],
            next: 0,
            total: CallCounts::default(),
        }
    }

    /// Overwrites the oldest outcome once the ring is full (an empty slot is all zero).
    fn record(&mut self, sample: CallCounts) {
        let evicted = self.ring[self.next];
        self.total.subtract(&evicted);
        self.total.add(&sample);
        self.ring[self.next] = sample;
        self.next = (self.next + 1) % self.ring.len();
    }

    fn clear(&mut self) {
        self.ring.fill(CallCounts::default());
        self.next = 0;
        self.total = CallCounts::default();
    }
}

#[derive(Debug, Clone)]
pub(crate) enum SlidingWindow {
    Count(CountWindow),
    /// One-second buckets, as resilience4j's `SlidingTimeWindowMetrics`.
    Time(TimeBuckets<CallCounts>),
}

impl SlidingWindow {
    pub fn count_based(size: u32) -> Self {
        SlidingWindow::Count(CountWindow::new(size))
    }

    pub fn time_based(seconds: u32) -> Self {
        SlidingWindow::Time(TimeBuckets::new(seconds as usize, SECOND))
    }

    /// Records one outcome and returns the totals over the window after it.
    pub fn record(&mut self, now: u64, failed: bool, slow: bool) -> CallCounts {
        let sample = CallCounts::one(failed, slow);
        match self {
            SlidingWindow::Count(w) => {
                w.record(sample);
                w.total
            }
            SlidingWindow::Time(w) => {
                w.record(now, sample);
                w.total(now)
            }
        }
    }

    pub fn clear(&mut self) {
        match self {
            SlidingWindow::Count(w) => w.clear(),
            SlidingWindow::Time(w) => w.clear(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn count_window_forgets_the_oldest_outcome() {
        let mut w = SlidingWindow::count_based(3);
        w.record(0, true, false);
        w.record(0, true, true);
        let t = w.record(0, false, false);
        assert_eq!((t.calls, t.failed, t.slow), (3, 2, 1));
        let t = w.record(0, false, false); // evicts the first failure
        assert_eq!((t.calls, t.failed, t.slow), (3, 1, 1));
        assert!((t.failure_rate() - 100.0 / 3.0).abs() < 1e-9);
    }

    #[test]
    fn time_window_forgets_old_buckets() {
        let mut w = SlidingWindow::time_based(2);
        w.record(0, true, false);
        let t = w.record(SECOND + 1, false, false);
        assert_eq!((t.calls, t.failed), (2, 1));
        // Second 2 starts: the bucket of second 0 leaves a two-second window.
        let t = w.record(2 * SECOND, false, false);
        assert_eq!((t.calls, t.failed), (2, 0));
    }
}
