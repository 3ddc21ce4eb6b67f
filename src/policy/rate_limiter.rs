//! Token-bucket rate limiter for a service's ingress: `rate` tokens per second, at
//! most `burst` stored; each request takes one token or is refused (`rate_limited`).
//!
//! Why GCRA and not a float token count? The generic cell rate algorithm is exactly a
//! token bucket, but kept as one integer instant (the theoretical arrival time), so no
//! rounding accumulates over a long run: with emission interval T = 1 s / rate, a
//! request at `now` conforms if `tat ≤ now + (burst − 1)·T`, and then
//! `tat = max(tat, now) + T`.

use super::{check, ConfigError, SECOND};

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimitConfig {
    /// Sustained rate [requests/s], in [0.001, 10⁹]. No reference default (Envoy's
    /// local rate limit requires one), so the config has no `Default`.
    pub rate: f64,
    /// Bucket capacity: requests admitted at once after an idle spell (Envoy
    /// `max_tokens`), in [1, 10⁶].
    pub burst: u32,
}

impl RateLimitConfig {
    pub fn validate(&self) -> Result<(), ConfigError> {
        let rate_ok = (0.001..=1e9).contains(&self.rate);
        check(
            rate_ok,
            "rate",
            "must be between 0.001 and 1e9 requests per second",
        )?;
        check(
            (1..=1_000_000).contains(&self.burst),
            "burst",
            "must be between 1 and 1000000",
        )
    }
}

#[derive(Debug, Clone)]
pub struct RateLimiter {
    /// T: nanoseconds per token, rounded to the nearest nanosecond (≥ 1).
    emission_interval: u64,
    /// (burst − 1)·T: how far ahead of `now` the arrival time may run.
    tolerance: u64,
    theoretical_arrival: u64,
}

impl RateLimiter {
    /// A full bucket.
    ///
    /// # Panics
    /// If the config does not validate.
    pub fn new(config: RateLimitConfig) -> Self {
        if let Err(e) = config.validate() {
            panic!("invalid rate limit config: {e}");
        }
        let emission_interval = ((SECOND as f64 / config.rate).round() as u64).max(1);
        RateLimiter {
            emission_interval,
            tolerance: emission_interval.saturating_mul(u64::from(config.burst - 1)),
            theoretical_arrival: 0,
        }
    }

    /// Takes a token if one is available at `now`.
    pub fn try_acquire(&mut self, now: u64) -> bool {
        if self.theoretical_arrival > now.saturating_add(self.tolerance) {
            return false;
        }
        self.theoretical_arrival = self
            .theoretical_arrival
            .max(now)
            .saturating_add(self.emission_interval);
        true
    }

    /// The earliest instant at which a request would be admitted.
    pub fn next_available(&self, now: u64) -> u64 {
        now.max(self.theoretical_arrival.saturating_sub(self.tolerance))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::MILLISECOND;

    fn limiter(rate: f64, burst: u32) -> RateLimiter {
        RateLimiter::new(RateLimitConfig { rate, burst })
    }

    #[test]
    fn a_full_bucket_admits_exactly_burst_at_once() {
        let mut l = limiter(10.0, 5);
        let admitted = (0..20).filter(|_| l.try_acquire(SECOND)).count();
        assert_eq!(admitted, 5);
    }

    #[test]
    fn tokens_refill_at_the_rate() {
        let mut l = limiter(10.0, 5);
        (0..5).for_each(|_| assert!(l.try_acquire(0)));
        assert!(!l.try_acquire(99 * MILLISECOND), "next token at 100 ms");
        assert_eq!(l.next_available(99 * MILLISECOND), 100 * MILLISECOND);
        assert!(l.try_acquire(100 * MILLISECOND));
        assert!(!l.try_acquire(100 * MILLISECOND));
    }

    #[test]
    fn sustained_overload_is_cut_to_the_rate_plus_burst() {
        let mut l = limiter(250.0, 20);
        // 1000 requests per second for 10 s, one every millisecond.
        let admitted = (0..10_000)
            .filter(|i| l.try_acquire(i * MILLISECOND))
            .count();
        assert_eq!(
            admitted,
            2_500 + 20 - 1,
            "rate × 10 s plus the initial burst"
        );
    }

    #[test]
    fn the_bucket_never_holds_more_than_burst() {
        let mut l = limiter(1.0, 3);
        let admitted = (0..10).filter(|_| l.try_acquire(3_600 * SECOND)).count();
        assert_eq!(admitted, 3, "an hour idle still stores only 3 tokens");
    }

    #[test]
    fn validation() {
        let bad = RateLimitConfig {
            rate: 0.0,
            burst: 1,
        };
        assert_eq!(bad.validate().unwrap_err().field, "rate");
        let bad = RateLimitConfig {
            rate: 1.0,
            burst: 0,
        };
        assert_eq!(bad.validate().unwrap_err().field, "burst");
    }
}
