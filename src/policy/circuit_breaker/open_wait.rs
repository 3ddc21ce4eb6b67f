//! How long an opened breaker stays OPEN: resilience4j's
//! `waitIntervalFunctionInOpenState`, an exponential backoff over the number of
//! consecutive openings.

use crate::policy::{check, ConfigError, MILLISECOND, SECOND};
use rand::Rng;

/// `wait(attempt) = min(initial · multiplier^(attempt−1), max)`, then optionally
/// randomised. Attempt 1 is the first CLOSED → OPEN; each HALF_OPEN → OPEN adds one;
/// closing resets it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OpenWait {
    /// `waitDurationInOpenState` / `initialInterval` [ns]. Default 60 s.
    pub initial: u64,
    /// `multiplier` (≥ 1). Default 1: a constant wait, resilience4j's default.
    pub multiplier: f64,
    /// `maxWaitDuration` [ns]: the cap before randomisation. Default 60 s.
    pub max: u64,
    /// `randomizationFactor` f in [0, 1). Default 0 (no randomisation).
    pub randomization_factor: f64,
}

impl Default for OpenWait {
    fn default() -> Self {
        OpenWait {
            initial: 60 * SECOND,
            multiplier: 1.0,
            max: 60 * SECOND,
            randomization_factor: 0.0,
        }
    }
}

impl OpenWait {
    pub fn validate(&self) -> Result<(), ConfigError> {
        check(
            self.initial >= MILLISECOND,
            "open_wait.initial",
            "the open wait must be at least 1 ms",
        )?;
        check(
            self.multiplier >= 1.0 && self.multiplier.is_finite(),
            "open_wait.multiplier",
            "must be a finite number ≥ 1",
        )?;
        check(
            self.max >= self.initial,
            "open_wait.max",
            "must be ≥ `initial`",
        )?;
        check(
            (0.0..1.0).contains(&self.randomization_factor),
            "open_wait.randomization_factor",
            "must be in [0, 1)",
        )
    }

    /// The wait before the breaker may go HALF_OPEN after its `attempt`-th consecutive
    /// opening (attempt ≥ 1).
    pub fn wait<R: Rng + ?Sized>(&self, attempt: u32, rng: &mut R) -> u64 {
        let exponent = attempt.saturating_sub(1).min(i32::MAX as u32) as i32;
        let grown = self.initial as f64 * self.multiplier.powi(exponent);
        let capped = grown.min(self.max as f64);
        if self.randomization_factor == 0.0 {
            return capped as u64;
        }
        randomize(capped, self.randomization_factor, rng) as u64
    }
}

/// resilience4j's `IntervalFunction.randomize`: `v·(1−f) + rand·(2·v·f + 1)` with rand
/// in [0, 1). The `+ 1` is one unit of the library's clock, a millisecond, so it is one
/// millisecond here too. Note that the cap applies before randomisation, so a
/// randomised wait may exceed `max` by up to `f·max`, as in resilience4j.
fn randomize<R: Rng + ?Sized>(v: f64, f: f64, rng: &mut R) -> f64 {
    let delta = f * v;
    let low = v - delta;
    let span = 2.0 * delta + MILLISECOND as f64;
    low + rng.random::<f64>() * span
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_xoshiro::Xoshiro256PlusPlus;

    #[test]
    fn wait_grows_by_multiplier_up_to_max() {
        let w = OpenWait {
            initial: SECOND,
            multiplier: 2.0,
            max: 5 * SECOND,
            randomization_factor: 0.0,
        };
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
        let waits: Vec<u64> = (1..=5).map(|a| w.wait(a, &mut rng)).collect();
        assert_eq!(waits, [1, 2, 4, 5, 5].map(|s| s * SECOND));
    }

    #[test]
    fn randomised_wait_stays_within_the_factor() {
        let w = OpenWait {
            initial: 10 * SECOND,
            randomization_factor: 0.5,
            max: 10 * SECOND,
            ..OpenWait::default()
        };
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(2);
        let n = 20_000;
        let mut sum = 0.0;
        for _ in 0..n {
            let v = w.wait(1, &mut rng);
            assert!((5 * SECOND..=15 * SECOND + MILLISECOND).contains(&v), "{v}");
            sum += v as f64;
        }
        // Mean of v(1−f) + U·(2vf + 1 ms) is v + 0.5 ms; the sample sd is ≈ 2.9 s/√n.
        let mean = sum / f64::from(n);
        assert!((mean - 10.0005e9).abs() < 0.1e9, "mean {mean}");
    }

    #[test]
    fn validation_names_the_field() {
        let bad = OpenWait {
            randomization_factor: 1.0,
            ..OpenWait::default()
        };
        assert_eq!(
            bad.validate().unwrap_err().field,
            "open_wait.randomization_factor"
        );
        assert!(OpenWait::default().validate().is_ok());
    }
}
