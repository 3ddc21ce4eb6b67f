//! Service-time distributions, validated and ready to sample in integer nanoseconds.

use rand::Rng;
use rand_distr::{Distribution, Exp, Exp1, Gamma, LogNormal, Normal};

/// z such that Φ(z) = 0.99: turns a (median, p99) pair into a log-normal's sigma.
const Z_99: f64 = 2.326_347_874_040_840_8;

/// Ceiling on any single sample: 100 days. A heavy tail must not overflow the clock.
const MAX_SAMPLE_NS: f64 = 8.64e15;

#[derive(Debug, Clone)]
pub enum Dist {
    Constant(u64),
    /// Mean in seconds, as `rand_distr::Exp` keeps it (`1 / λ`), sampled as `Exp` does
    /// but inline (see `exp1`; a test compares the values with `Exp`'s).
    Exponential {
        lambda_inverse: f64,
    },
    Uniform {
        min: u64,
        max: u64,
    },
    LogNormal(LogNormal<f64>),
    Gamma(Gamma<f64>),
    /// Normal truncated at zero by resampling.
    Normal(Normal<f64>),
    /// Sorted `(cumulative probability in [0, 1], value in ns)` points.
    Empirical(Vec<(f64, f64)>),
}

impl Dist {
    pub fn constant(ns: u64) -> Dist {
        Dist::Constant(ns)
    }

    pub fn exponential(mean_ns: u64) -> Result<Dist, String> {
        if mean_ns == 0 {
            return Err("an exponential's mean must be greater than 0".into());
        }
        let lambda = 1e9 / mean_ns as f64;
        Exp::new(lambda).map_err(|e| e.to_string())?;
        Ok(Dist::Exponential {
            lambda_inverse: 1.0 / lambda,
        })
    }

    pub fn uniform(min: u64, max: u64) -> Result<Dist, String> {
        if min > max {
            return Err(format!(
                "uniform min ({min} ns) is greater than max ({max} ns)"
            ));
        }
        Ok(Dist::Uniform { min, max })
    }

    pub fn log_normal_from_median_p99(median_ns: u64, p99_ns: u64) -> Result<Dist, String> {
        if median_ns == 0 {
            return Err("a log-normal's median must be greater than 0".into());
        }
        if p99_ns <= median_ns {
            return Err("a log-normal's p99 must be greater than its median".into());
        }
        let mu = (median_ns as f64 / 1e9).ln();
        let sigma = ((p99_ns as f64).ln() - (median_ns as f64).ln()) / Z_99;
        Self::log_normal(mu, sigma)
    }

    /// `mu` and `sigma` of ln(seconds).
    pub fn log_normal(mu: f64, sigma: f64) -> Result<Dist, String> {
        if !mu.is_finite() || !(-50.0..=20.0).contains(&mu) {
            return Err(format!(
                "mu = {mu} is outside -50..20 (mu is the mean of ln(seconds))"
            ));
        }
        if !sigma.is_finite() || sigma <= 0.0 || sigma > 10.0 {
            return Err(format!("sigma = {sigma} must be in (0, 10]"));
        }
        LogNormal::new(mu, sigma)
            .map(Dist::LogNormal)
            .map_err(|e| e.to_string())
    }

    pub fn gamma(shape: f64, mean_ns: u64) -> Result<Dist, String> {
        if !shape.is_finite() || shape <= 0.0 || shape > 1e6 {
            return Err(format!("gamma shape = {shape} must be in (0, 1e6]"));
        }
        if mean_ns == 0 {
            return Err("a gamma's mean must be greater than 0".into());
        }
        Gamma::new(shape, mean_ns as f64 / 1e9 / shape)
            .map(Dist::Gamma)
            .map_err(|e| e.to_string())
    }

    pub fn normal(mean_ns: u64, std_dev_ns: u64) -> Result<Dist, String> {
        Normal::new(mean_ns as f64 / 1e9, std_dev_ns as f64 / 1e9)
            .map(Dist::Normal)
            .map_err(|e| e.to_string())
    }

    /// Points are `(percentile 0–100, value ns)`.
    pub fn empirical(points: &[(f64, u64)]) -> Result<Dist, String> {
        if points.len() < 2 {
            return Err(
                "an empirical distribution needs at least two (percentile, value) points".into(),
            );
        }
        let mut out = Vec::with_capacity(points.len());
        for (i, &(p, v)) in points.iter().enumerate() {
            if !p.is_finite() || !(0.0..=100.0).contains(&p) {
                return Err(format!("point {i}: percentile {p} is outside 0–100"));
            }
            if let Some(&(prev_p, prev_v)) = out.last() {
                if p / 100.0 <= prev_p {
                    return Err(format!("point {i}: percentiles must increase"));
                }
                if (v as f64) < prev_v {
                    return Err(format!(
                        "point {i}: values must not decrease as percentiles increase"
                    ));
                }
            }
            out.push((p / 100.0, v as f64));
        }
        Ok(Dist::Empirical(out))
    }

    /// One sample [ns]. The two commonest shapes are sampled inline; the rest out of line,
    /// so that a work step stays small where it is inlined.
    #[inline(always)]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> u64 {
        match self {
            Dist::Constant(ns) => *ns,
            Dist::Exponential { lambda_inverse } => to_ns(exp1(rng) * lambda_inverse),
            _ => self.sample_other(rng),
        }
    }

    #[inline(never)]
    fn sample_other<R: Rng + ?Sized>(&self, rng: &mut R) -> u64 {
        match self {
            Dist::Constant(ns) => *ns,
            Dist::Exponential { lambda_inverse } => to_ns(exp1(rng) * lambda_inverse),
            Dist::Uniform { min, max } => {
                if min == max {
                    *min
                } else {
                    rng.random_range(*min..=*max)
                }
            }
            Dist::LogNormal(d) => to_ns(d.sample(rng)),
            Dist::Gamma(d) => to_ns(d.sample(rng)),
            Dist::Normal(d) => {
                for _ in 0..64 {
                    let x = d.sample(rng);
                    if x >= 0.0 {
                        return to_ns(x);
                    }
                }
                0
            }
            Dist::Empirical(points) => {
                let u: f64 = rng.random();
                sample_empirical(points, u)
            }
        }
    }
}

fn sample_empirical(points: &[(f64, f64)], u: f64) -> u64 {
    let first = points[0];
    if u <= first.0 {
        return first.1 as u64;
    }
    for pair in points.windows(2) {
        let (p0, v0) = pair[0];
        let (p1, v1) = pair[1];
        if u <= p1 {
            let f = (u - p0) / (p1 - p0);
            return (v0 + f * (v1 - v0)) as u64;
        }
    }
    points[points.len() - 1].1 as u64
}

/// A draw from the exponential distribution of mean 1 (`rand_distr::Exp1`'s ziggurat).
/// Why call `Distribution::sample` rather than `rng.sample(Exp1)`? The compiler keeps
/// `Rng::sample` out of line, and this is on every arrival's and work step's path.
#[inline(always)]
pub fn exp1<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    Distribution::<f64>::sample(&Exp1, rng)
}

/// Seconds to whole nanoseconds in `[0, MAX_SAMPLE_NS]` (a NaN becomes 0: `max` drops it).
/// Why `max`/`min` and `as i64`? `clamp` asserts its bounds and keeps a NaN, and a float
/// to `u64` conversion is a branchy sequence on x86-64; a value known to be below 2^63
/// converts through `i64` in one instruction, to the same integer.
#[allow(clippy::manual_clamp)]
#[inline(always)]
fn to_ns(seconds: f64) -> u64 {
    (seconds * 1e9).max(0.0).min(MAX_SAMPLE_NS) as i64 as u64
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_xoshiro::Xoshiro256PlusPlus;

    #[test]
    fn to_ns_truncates_and_caps_like_a_saturating_conversion() {
        let reference = |s: f64| (s * 1e9).clamp(0.0, MAX_SAMPLE_NS) as u64;
        let odd = [
            f64::NAN,
            -1.0,
            -0.0,
            0.0,
            1.5e-9,
            0.999_999_999_9,
            1e7,
            1e300,
            f64::INFINITY,
        ];
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(3);
        let random = (0..10_000).map(|_| rng.random::<f64>() * 1e4);
        for s in odd.into_iter().chain(random) {
            assert_eq!(to_ns(s), reference(s), "{s} s");
        }
        assert_eq!(to_ns(f64::NAN), 0);
        assert_eq!(to_ns(f64::INFINITY), MAX_SAMPLE_NS as u64);
    }

    #[test]
    fn exponential_draws_the_same_values_as_rand_distr() {
        for mean_ns in [1, 7, 1_000_000, 5_000_000, 1_000_000_000, 3_600_000_000_000] {
            let ours = Dist::exponential(mean_ns).unwrap();
            let theirs = Exp::new(1e9 / mean_ns as f64).unwrap();
            let mut a = Xoshiro256PlusPlus::seed_from_u64(mean_ns);
            let mut b = a.clone();
            for _ in 0..20_000 {
                assert_eq!(ours.sample(&mut a), to_ns(theirs.sample(&mut b)));
            }
        }
    }

    fn mean_of(d: &Dist) -> f64 {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(7);
        let n = 200_000;
        (0..n).map(|_| d.sample(&mut rng) as f64).sum::<f64>() / n as f64 / 1e9
    }

    #[test]
    fn means_match_parameters() {
        assert!((mean_of(&Dist::exponential(1_000_000_000).unwrap()) - 1.0).abs() < 0.01);
        assert!((mean_of(&Dist::gamma(2.0, 500_000_000).unwrap()) - 0.5).abs() < 0.005);
        assert!((mean_of(&Dist::uniform(0, 2_000_000).unwrap()) - 0.001).abs() < 0.00002);
    }

    #[test]
    fn log_normal_hits_median_and_p99() {
        let d = Dist::log_normal_from_median_p99(2_000_000, 10_000_000).unwrap();
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(3);
        let mut v: Vec<u64> = (0..100_000).map(|_| d.sample(&mut rng)).collect();
        v.sort_unstable();
        let median = v[50_000] as f64;
        let p99 = v[99_000] as f64;
        assert!((median / 2e6 - 1.0).abs() < 0.03, "median {median}");
        assert!((p99 / 1e7 - 1.0).abs() < 0.05, "p99 {p99}");
    }

    #[test]
    fn empirical_interpolates() {
        let d = Dist::empirical(&[(0.0, 0), (50.0, 10), (100.0, 30)]).unwrap();
        let Dist::Empirical(points) = &d else {
            unreachable!()
        };
        assert_eq!(sample_empirical(points, 0.25), 5);
        assert_eq!(sample_empirical(points, 0.75), 20);
        assert!(Dist::empirical(&[(50.0, 10), (40.0, 20)]).is_err());
    }

    #[test]
    fn bad_parameters_are_refused() {
        assert!(Dist::exponential(0).is_err());
        assert!(Dist::log_normal(f64::NAN, 1.0).is_err());
        assert!(Dist::gamma(-1.0, 5).is_err());
        assert!(Dist::uniform(5, 1).is_err());
    }
}
