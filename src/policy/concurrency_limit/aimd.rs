//! Netflix concurrency-limits `AIMDLimit`.

use crate::policy::{check, ConfigError, SECOND};

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AimdConfig {
    /// `initialLimit`. Default 20.
    pub initial_limit: u32,
    /// `minLimit`. Default 20 (Netflix's; lower it to let the limit shrink below the
    /// initial value).
    pub min_limit: u32,
    /// `maxLimit`. Default 200.
    pub max_limit: u32,
    /// `backoffRatio` in [0.5, 1). Default 0.9.
    pub backoff_ratio: f64,
    /// `timeout` [ns]: a response slower than this counts as a drop. Default 5 s.
    pub timeout: u64,
}

impl Default for AimdConfig {
    fn default() -> Self {
        AimdConfig {
            initial_limit: 20,
            min_limit: 20,
            max_limit: 200,
            backoff_ratio: 0.9,
            timeout: 5 * SECOND,
        }
    }
}

impl AimdConfig {
    pub fn validate(&self) -> Result<(), ConfigError> {
        check(self.min_limit >= 1, "min_limit", "must be at least 1")?;
        check(
            self.max_limit >= self.min_limit,
            "max_limit",
            "must be ≥ `min_limit`",
        )?;
        let initial_ok = (self.min_limit..=self.max_limit).contains(&self.initial_limit);
        check(
            initial_ok,
            "initial_limit",
            "must be between `min_limit` and `max_limit`",
        )?;
        let ratio_ok = (0.5..1.0).contains(&self.backoff_ratio);
        check(ratio_ok, "backoff_ratio", "must be in [0.5, 1)")?;
        check(self.timeout >= 1, "timeout", "must be positive")
    }
}

#[derive(Debug, Clone)]
pub struct Aimd {
    config: AimdConfig,
    limit: u32,
}

impl Aimd {
    pub fn new(config: AimdConfig) -> Self {
        Aimd {
            config,
            limit: config.initial_limit,
        }
    }

    pub fn limit(&self) -> u32 {
        self.limit
    }

    /// Why grow only when half the limit is in use? An idle service proves nothing
    /// about a larger limit; without the check the limit would drift to the maximum.
    pub fn on_sample(&mut self, rtt: u64, inflight_at_start: u32, dropped: bool) {
        let limit = if dropped || rtt > self.config.timeout {
            (f64::from(self.limit) * self.config.backoff_ratio) as u32
        } else if inflight_at_start * 2 >= self.limit {
            self.limit + 1
        } else {
            self.limit
        };
        self.limit = limit.clamp(self.config.min_limit, self.config.max_limit);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::concurrency_limit::{ConcurrencyLimiter, LimiterConfig};
    use crate::policy::MILLISECOND;
    use rand::SeedableRng;
    use rand_xoshiro::Xoshiro256PlusPlus;

    fn config() -> AimdConfig {
        AimdConfig {
            initial_limit: 20,
            min_limit: 2,
            ..AimdConfig::default()
        }
    }

    #[test]
    fn grows_by_one_per_success_when_busy_and_not_when_idle() {
        let mut a = Aimd::new(config());
        a.on_sample(MILLISECOND, 10, false);
        assert_eq!(a.limit(), 21, "10 in flight is half of 20");
        a.on_sample(MILLISECOND, 10, false);
        assert_eq!(a.limit(), 21, "10 of 21 is under half");
    }

    #[test]
    fn shrinks_by_the_ratio_on_drops_and_slow_responses() {
        let mut a = Aimd::new(config());
        a.on_sample(MILLISECOND, 1, true);
        assert_eq!(a.limit(), 18);
        a.on_sample(5 * SECOND + 1, 1, false);
        assert_eq!(a.limit(), 16, "18 × 0.9 = 16.2 truncates");
        (0..50).for_each(|_| a.on_sample(0, 1, true));
        assert_eq!(a.limit(), 2, "never below min_limit");
    }

    #[test]
    fn limiter_refuses_beyond_the_limit_and_releases() {
        let cfg = AimdConfig {
            initial_limit: 2,
            min_limit: 1,
            max_limit: 2,
            ..config()
        };
        let mut l = ConcurrencyLimiter::new(&LimiterConfig::Aimd(cfg));
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
        let t1 = l.try_acquire(0).unwrap();
        let _t2 = l.try_acquire(0).unwrap();
        assert!(l.try_acquire(0).is_none());
        l.on_complete(10, t1, true, &mut rng);
        assert_eq!(l.limit(10), 1, "drop: 2 × 0.9 = 1.8 truncates to 1");
        assert!(l.try_acquire(10).is_none(), "one still in flight, limit 1");
    }
}
