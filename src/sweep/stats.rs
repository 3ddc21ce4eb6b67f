//! Per-point statistics over replications: mean and a 95 % confidence interval (Student's
//! t, since replications are few).

use super::manifest::PointRecord;
use super::SafeRule;

/// Two-sided 95 % quantiles of Student's t for 1..=30 degrees of freedom.
const T95: [f64; 30] = [
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
    2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
    2.052, 2.048, 2.045, 2.042,
];

fn t95(df: usize) -> f64 {
    T95.get(df.wrapping_sub(1)).copied().unwrap_or(1.960)
}

/// Mean of one outcome over a point's replications.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    pub mean: f64,
    /// Half-width of the 95 % interval; `None` with a single value.
    pub half_width: Option<f64>,
    /// Replications that gave a value.
    pub n: usize,
}

pub fn estimate(values: impl Iterator<Item = Option<f64>>) -> Option<Estimate> {
    let xs: Vec<f64> = values.flatten().collect();
    if xs.is_empty() {
        return None;
    }
    let n = xs.len();
    let mean = xs.iter().sum::<f64>() / n as f64;
    let half_width = (n > 1).then(|| {
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
        t95(n - 1) * (var / n as f64).sqrt()
    });
    Some(Estimate {
        mean,
        half_width,
        n,
    })
}

/// A point with its estimates, one per outcome.
pub struct PointStats<'a> {
    pub record: &'a PointRecord,
    pub estimates: Vec<Option<Estimate>>,
}

impl<'a> PointStats<'a> {
    pub fn of(record: &'a PointRecord, outcomes: usize) -> Self {
        let estimates = (0..outcomes)
            .map(|o| {
                estimate(
                    record
                        .runs
                        .iter()
                        .map(|r| r.outcomes.get(o).copied().flatten()),
                )
            })
            .collect();
        PointStats { record, estimates }
    }

    pub fn mean(&self, outcome: usize) -> Option<f64> {
        self.estimates
            .get(outcome)
            .copied()
            .flatten()
            .map(|e| e.mean)
    }

    pub fn is_safe(&self, rule: SafeRule) -> bool {
        rule.is_safe(self.mean(rule.outcome()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interval_uses_student_t() {
        let e = estimate([Some(1.0), Some(3.0), None].into_iter()).unwrap();
        assert_eq!(e.mean, 2.0);
        assert_eq!(e.n, 2);
        // s = √2, half-width = 12.706 · √2 / √2.
        assert!((e.half_width.unwrap() - 12.706).abs() < 1e-9);
        assert_eq!(estimate([None].into_iter()), None);
    }
}
