//! Which combinations of axis values a sweep runs, and the seed of every run.
//!
//! Everything here happens once, before any point runs, from the sweep's master seed
//! alone: the list of points and their seeds never depend on threads or shards.

use super::params::{Kind, Value};
use super::values::Span;
use crate::engine::rng::{splitmix64, stream};
use rand::Rng;

/// The most points a sweep may have: beyond this, even the list of points is too large.
pub const MAX_POINTS: u64 = 10_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Design {
    Grid,
    Random { points: u32 },
    LatinHypercube { points: u32 },
}

impl Design {
    pub fn label(self) -> String {
        match self {
            Design::Grid => "grid".into(),
            Design::Random { points } => format!("random sample of {points} points"),
            Design::LatinHypercube { points } => format!("Latin hypercube of {points} points"),
        }
    }
}

/// What a design needs to know about one axis.
pub struct AxisValues<'a> {
    pub kind: &'a Kind,
    pub values: &'a [Value],
    /// For axes given as a range, samples are drawn anywhere in it, not only at its steps.
    pub span: Option<&'a Span>,
}

impl AxisValues<'_> {
    /// The value at fraction `u` ∈ [0, 1) of the axis.
    fn pick(&self, u: f64) -> Value {
        match self.span {
            // Sampled reals keep four significant digits: `7.083`, not `7.0832750913`.
            Some(span) => match span.at(self.kind, u) {
                Value::Real(r) => Value::Real(format!("{r:.3e}").parse().unwrap_or(r)),
                v => v,
            },
            None => {
                let i = ((u * self.values.len() as f64) as usize).min(self.values.len() - 1);
                self.values[i]
            }
        }
    }
}

/// Every combination, the first axis varying slowest (like nested loops in axis order).
pub fn grid(axes: &[AxisValues]) -> Vec<Vec<Value>> {
    let total: usize = axes.iter().map(|a| a.values.len()).product();
    (0..total)
        .map(|mut index| {
            let mut point = vec![Value::Count(0); axes.len()];
            for (slot, axis) in point.iter_mut().zip(axes).rev() {
                *slot = axis.values[index % axis.values.len()];
                index /= axis.values.len();
            }
            point
        })
        .collect()
}

/// `n` points, each axis drawn independently and uniformly.
pub fn random(axes: &[AxisValues], n: u32, seed: u64) -> Vec<Vec<Value>> {
    let mut rng = stream(seed, "sweep:random");
    (0..n)
        .map(|_| axes.iter().map(|a| a.pick(rng.random::<f64>())).collect())
        .collect()
}

/// `n` points; each axis is cut into `n` equal strata and every stratum is used by
/// exactly one point, so even a small sample covers every axis end to end.
pub fn latin_hypercube(axes: &[AxisValues], n: u32, seed: u64) -> Vec<Vec<Value>> {
    let mut rng = stream(seed, "sweep:latin-hypercube");
    let strata: Vec<Vec<u32>> = axes
        .iter()
        .map(|_| {
            let mut perm: Vec<u32> = (0..n).collect();
            for i in (1..perm.len()).rev() {
                perm.swap(i, rng.random_range(0..=i));
            }
            perm
        })
        .collect();
    (0..n as usize)
        .map(|i| {
            axes.iter()
                .zip(&strata)
                .map(|(a, perm)| {
                    let u = (f64::from(perm[i]) + rng.random::<f64>()) / f64::from(n);
                    a.pick(u)
                })
                .collect()
        })
        .collect()
}

/// The seed of replication `rep` of point `point`.
///
/// Why hash the indices rather than draw seeds from one generator? A run's seed must be
/// the same whichever thread or shard runs it and whichever points ran before, so it is a
/// pure function of (master seed, point index, replication index).
pub fn run_seed(master: u64, point: u64, rep: u32) -> u64 {
    let point_seed = splitmix64(master ^ splitmix64(point));
    splitmix64(point_seed ^ splitmix64(u64::from(rep).wrapping_add(0x5eed)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_varies_the_last_axis_fastest() {
        let kind = Kind::Count { min: 0, max: 9 };
        let a = [Value::Count(1), Value::Count(2)];
        let b = [Value::Count(7), Value::Count(8), Value::Count(9)];
        let axes = [
            AxisValues {
                kind: &kind,
                values: &a,
                span: None,
            },
            AxisValues {
                kind: &kind,
                values: &b,
                span: None,
            },
        ];
        let g = grid(&axes);
        assert_eq!(g.len(), 6);
        assert_eq!(g[1], vec![Value::Count(1), Value::Count(8)]);
        assert_eq!(g[3], vec![Value::Count(2), Value::Count(7)]);
    }

    #[test]
    fn latin_hypercube_uses_every_stratum_once() {
        let kind = Kind::Count { min: 0, max: 9 };
        let v: Vec<Value> = (0..10).map(Value::Count).collect();
        let axes = [AxisValues {
            kind: &kind,
            values: &v,
            span: None,
        }];
        let mut got: Vec<u64> = latin_hypercube(&axes, 10, 3)
            .iter()
            .map(|p| p[0].count())
            .collect();
        got.sort_unstable();
        assert_eq!(got, (0..10).collect::<Vec<_>>());
    }

    #[test]
    fn seeds_differ_by_point_and_replication() {
        let s = [
            run_seed(1, 0, 0),
            run_seed(1, 1, 0),
            run_seed(1, 0, 1),
            run_seed(2, 0, 0),
        ];
        for i in 0..s.len() {
            for j in i + 1..s.len() {
                assert_ne!(s[i], s[j]);
            }
        }
    }
}
