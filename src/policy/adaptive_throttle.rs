//! Client-side adaptive throttling (Google SRE book, "Handling Overload"): a client
//! tracks, over a sliding window, the requests its application attempted and those the
//! backend accepted, and rejects locally with probability
//! `max(0, (requests − K·accepts) / (requests + 1))`.
//!
//! Locally rejected requests count as requests: that is what makes the probability
//! rise while the backend keeps refusing, and fall again as it accepts. In steady state
//! the client sends about K times what the backend accepts.

use super::time_buckets::{BucketCounts, TimeBuckets};
use super::{check, ConfigError, SECOND};
use rand::Rng;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ThrottleConfig {
    /// The sliding window [ns]. Default 2 minutes.
    pub window: u64,
    /// How many buckets the window is kept in (its time resolution). Default 120.
    pub buckets: u32,
    /// K ≥ 1. Default 2; lower is more aggressive.
    pub k: f64,
}

impl Default for ThrottleConfig {
    fn default() -> Self {
        ThrottleConfig {
            window: 120 * SECOND,
            buckets: 120,
            k: 2.0,
        }
    }
}

impl ThrottleConfig {
    pub fn validate(&self) -> Result<(), ConfigError> {
        let buckets_ok = (1..=100_000).contains(&self.buckets);
        check(buckets_ok, "buckets", "must be between 1 and 100000")?;
        let window_ok = self.window >= u64::from(self.buckets);
        check(
            window_ok,
            "window",
            "must be at least one nanosecond per bucket",
        )?;
        check(
            self.k >= 1.0 && self.k.is_finite(),
            "k",
            "must be ≥ 1: below 1 a fully healthy backend would be throttled",
        )
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Counts {
    requests: u64,
    accepts: u64,
}

impl BucketCounts for Counts {
    fn add(&mut self, o: &Self) {
        self.requests += o.requests;
        self.accepts += o.accepts;
    }
    fn subtract(&mut self, o: &Self) {
        self.requests -= o.requests;
        self.accepts -= o.accepts;
    }
}

#[derive(Debug, Clone)]
pub struct AdaptiveThrottle {
    k: f64,
    window: TimeBuckets<Counts>,
}

impl AdaptiveThrottle {
    /// # Panics
    /// If the config does not validate.
    pub fn new(config: ThrottleConfig) -> Self {
        if let Err(e) = config.validate() {
            panic!("invalid adaptive throttle config: {e}");
        }
        let width = config.window / u64::from(config.buckets);
        AdaptiveThrottle {
            k: config.k,
            window: TimeBuckets::new(config.buckets as usize, width),
        }
    }

    /// The local rejection probability at `now`.
    pub fn rejection_probability(&mut self, now: u64) -> f64 {
        let c = self.window.total(now);
        let requests = c.requests as f64;
        ((requests - self.k * c.accepts as f64) / (requests + 1.0)).max(0.0)
    }

    /// Counts a request the application attempts at `now`; false: reject it locally
    /// (`throttled`). The random draw is made only when the probability is positive.
    pub fn try_send<R: Rng + ?Sized>(&mut self, now: u64, rng: &mut R) -> bool {
        let p = self.rejection_probability(now);
        self.window.record(
            now,
            Counts {
                requests: 1,
                accepts: 0,
            },
        );
        p == 0.0 || rng.random::<f64>() >= p
    }

    /// The backend accepted a request sent at or before `now` (it answered with
    /// anything but an overload rejection).
    pub fn on_accepted(&mut self, now: u64) {
        self.window.record(
            now,
            Counts {
                requests: 0,
                accepts: 1,
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::MILLISECOND;
    use rand::SeedableRng;
    use rand_xoshiro::Xoshiro256PlusPlus;

    fn throttle() -> AdaptiveThrottle {
        AdaptiveThrottle::new(ThrottleConfig {
            window: 10 * SECOND,
            buckets: 10,
            k: 2.0,
        })
    }

    #[test]
    fn a_healthy_backend_is_never_throttled() {
        let mut t = throttle();
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(3);
        for i in 0..10_000 {
            let now = i * MILLISECOND;
            assert!(t.try_send(now, &mut rng));
            t.on_accepted(now);
        }
    }

    #[test]
    fn probability_follows_the_formula() {
        let mut t = throttle();
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(4);
        // 9 requests, 2 accepted: (9 − 2·2)/(9 + 1) = 0.5.
        for i in 0..9 {
            t.try_send(i, &mut rng);
        }
        t.on_accepted(9);
        t.on_accepted(9);
        assert!((t.rejection_probability(10) - 0.5).abs() < 1e-12);
    }

    #[test]
    fn sends_about_k_times_what_a_saturated_backend_accepts() {
        let mut t = throttle();
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(5);
        let (mut sent_late, capacity) = (0_u64, 100);
        for second in 0..40_u64 {
            let mut accepted_this_second = 0;
            for i in 0..1_000 {
                let now = second * SECOND + i * MILLISECOND;
                if t.try_send(now, &mut rng) {
                    sent_late += u64::from(second >= 20);
                    if accepted_this_second < capacity {
                        accepted_this_second += 1;
                        t.on_accepted(now);
                    }
                }
            }
        }
        let per_second = sent_late as f64 / 20.0;
        assert!(
            (per_second - 200.0).abs() < 20.0,
            "sent {per_second}/s, K·capacity 200/s"
        );
    }

    #[test]
    fn forgets_after_the_window() {
        let mut t = throttle();
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(6);
        (0..100).for_each(|i| {
            t.try_send(i, &mut rng);
        });
        assert!(t.rejection_probability(SECOND) > 0.9);
        assert_eq!(t.rejection_probability(11 * SECOND), 0.0);
    }
}
