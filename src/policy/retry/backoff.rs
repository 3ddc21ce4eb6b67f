//! Exponential backoff and the jitter kinds of the AWS architecture blog ("Exponential
//! Backoff and Jitter") and of the gRPC retry spec.
//!
//! For retry n (n = 1 for the first retry) the exponential value is
//! `v = min(cap, base · multiplier^(n−1))`, then:
//! - none: `v`
//! - full: `U(0, v)`
//! - equal: `v/2 + U(0, v/2)`
//! - decorrelated: `min(cap, U(base, 3 · prev))`, `prev` starting at `base` (ignores n)
//! - proportional: `v · U(1 − s, 1 + s)`, s = 0.2 in gRPC's current spec.

use crate::policy::{check, ConfigError, MILLISECOND};
use rand::Rng;

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Jitter {
    None,
    Full,
    Equal,
    Decorrelated,
    /// ± `spread` (a fraction in [0, 1)) around the exponential value.
    Proportional {
        spread: f64,
    },
}

impl Jitter {
    /// gRPC's ±20 %.
    pub const GRPC: Jitter = Jitter::Proportional { spread: 0.2 };
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Backoff {
    /// First retry's delay before jitter [ns] (resilience4j `waitDuration`, gRPC
    /// `initialBackoff`). Default 500 ms, resilience4j's.
    pub base: u64,
    /// Growth per retry (≥ 1). Default 1: resilience4j's fixed wait.
    pub multiplier: f64,
    /// Upper bound on the exponential value [ns] (gRPC `maxBackoff`). Default: none
    /// (`u64::MAX`).
    pub cap: u64,
    pub jitter: Jitter,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            base: 500 * MILLISECOND,
            multiplier: 1.0,
            cap: u64::MAX,
            jitter: Jitter::None,
        }
    }
}

impl Backoff {
    pub fn validate(&self) -> Result<(), ConfigError> {
        let m = self.multiplier;
        check(
            m >= 1.0 && m.is_finite(),
            "backoff.multiplier",
            "must be a finite number ≥ 1",
        )?;
        check(self.cap >= self.base, "backoff.cap", "must be ≥ `base`")?;
        if let Jitter::Proportional { spread } = self.jitter {
            check(
                (0.0..1.0).contains(&spread),
                "backoff.jitter",
                "the spread must be in [0, 1)",
            )?;
        }
        Ok(())
    }

    /// The exponential value for retry `n` (≥ 1), before jitter.
    pub fn exponential(&self, n: u32) -> u64 {
        let exponent = n.saturating_sub(1).min(i32::MAX as u32) as i32;
        let v = self.base as f64 * self.multiplier.powi(exponent);
        if v >= self.cap as f64 {
            self.cap
        } else {
            v as u64
        }
    }

    /// The delay before retry `n`; `prev` is the previous delay of the same logical call
    /// (`base` before the first retry), used only by decorrelated jitter.
    pub fn delay<R: Rng + ?Sized>(&self, n: u32, prev: u64, rng: &mut R) -> u64 {
        let v = self.exponential(n) as f64;
        let delay = match self.jitter {
            Jitter::None => v,
            Jitter::Full => uniform(rng, 0.0, v),
            Jitter::Equal => v / 2.0 + uniform(rng, 0.0, v / 2.0),
            Jitter::Decorrelated => {
                let high = 3.0 * prev.max(self.base) as f64;
                uniform(rng, self.base as f64, high).min(self.cap as f64)
            }
            Jitter::Proportional { spread } => v * uniform(rng, 1.0 - spread, 1.0 + spread),
        };
        // Float to integer saturates: an uncapped value beyond u64 stays u64::MAX.
        delay as u64
    }
}

/// Uniform in [low, high).
fn uniform<R: Rng + ?Sized>(rng: &mut R, low: f64, high: f64) -> f64 {
    low + rng.random::<f64>() * (high - low)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_xoshiro::Xoshiro256PlusPlus;

    const SAMPLES: u32 = 100_000;

    fn backoff(jitter: Jitter) -> Backoff {
        Backoff {
            base: 100 * MILLISECOND,
            multiplier: 2.0,
            cap: 10_000 * MILLISECOND,
            jitter,
        }
    }

    /// Draws the delay of retry `n` SAMPLES times, checks every draw lies in
    /// [low, high] and returns the sample mean.
    fn mean_within(b: &Backoff, n: u32, prev: u64, low: u64, high: u64) -> f64 {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(u64::from(n) * 31 + prev);
        let mut sum = 0.0;
        for _ in 0..SAMPLES {
            let d = b.delay(n, prev, &mut rng);
            assert!((low..=high).contains(&d), "{d} outside [{low}, {high}]");
            sum += d as f64;
        }
        sum / f64::from(SAMPLES)
    }

    /// The standard error of a uniform's mean over SAMPLES draws is width/√(12·SAMPLES)
    /// ≈ 0.0009·width; 1 % of the width is over ten standard errors.
    fn assert_mean(mean: f64, expected: f64, width: f64) {
        assert!(
            (mean - expected).abs() < 0.01 * width,
            "mean {mean}, expected {expected}"
        );
    }

    #[test]
    fn exponential_grows_by_multiplier_to_the_cap() {
        let b = backoff(Jitter::None);
        let values: Vec<u64> = (1..=9).map(|n| b.exponential(n) / MILLISECOND).collect();
        assert_eq!(
            values,
            [100, 200, 400, 800, 1600, 3200, 6400, 10_000, 10_000]
        );
        assert_eq!(b.exponential(u32::MAX), b.cap);
    }

    #[test]
    fn full_jitter_is_uniform_from_zero_to_v() {
        let v = 400 * MILLISECOND;
        let mean = mean_within(&backoff(Jitter::Full), 3, 0, 0, v);
        assert_mean(mean, v as f64 / 2.0, v as f64);
    }

    #[test]
    fn equal_jitter_is_uniform_from_half_v_to_v() {
        let v = 800 * MILLISECOND;
        let mean = mean_within(&backoff(Jitter::Equal), 4, 0, v / 2, v);
        assert_mean(mean, 0.75 * v as f64, v as f64 / 2.0);
    }

    #[test]
    fn proportional_jitter_is_within_twenty_percent() {
        let v = 200 * MILLISECOND;
        let mean = mean_within(&backoff(Jitter::GRPC), 2, 0, v * 8 / 10, v * 12 / 10);
        assert_mean(mean, v as f64, 0.4 * v as f64);
    }

    #[test]
    fn decorrelated_jitter_is_uniform_from_base_to_three_times_prev() {
        let b = backoff(Jitter::Decorrelated);
        let base = b.base;
        // First retry: prev = base, so U(base, 3·base) with mean 2·base.
        let mean = mean_within(&b, 1, base, base, 3 * base);
        assert_mean(mean, 2.0 * base as f64, 2.0 * base as f64);
        // Later: U(base, 3·prev), mean (base + 3·prev)/2.
        let prev = 700 * MILLISECOND;
        let mean = mean_within(&b, 5, prev, base, 3 * prev);
        assert_mean(
            mean,
            (base + 3 * prev) as f64 / 2.0,
            (3 * prev - base) as f64,
        );
        // Never beyond the cap.
        let prev = 9_000 * MILLISECOND;
        let capped = mean_within(&b, 2, prev, base, b.cap);
        assert!(capped > 0.6 * b.cap as f64, "mostly at the cap: {capped}");
    }

    #[test]
    fn no_jitter_is_the_exponential_value() {
        let b = backoff(Jitter::None);
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
        assert_eq!(b.delay(3, 0, &mut rng), 400 * MILLISECOND);
    }

    #[test]
    fn validation_rejects_shrinking_backoff() {
        let b = Backoff {
            multiplier: 0.5,
            ..Backoff::default()
        };
        assert_eq!(b.validate().unwrap_err().field, "backoff.multiplier");
        let b = Backoff {
            cap: 1,
            ..Backoff::default()
        };
        assert_eq!(b.validate().unwrap_err().field, "backoff.cap");
    }
}
