//! Arrival-rate profiles: requests per second as a function of simulated time.

use std::f64::consts::TAU;

#[derive(Debug, Clone)]
pub enum Rate {
    Constant(f64),
    /// `(from [ns], rate)`, sorted, the first at 0.
    Steps(Vec<(u64, f64)>),
    Ramp {
        from: f64,
        to: f64,
        start: u64,
        end: u64,
    },
    Diurnal {
        mean: f64,
        amplitude: f64,
        period: u64,
        peak: u64,
    },
}

impl Rate {
    /// Requests per second at simulated time `t` [ns].
    pub fn at(&self, t: u64) -> f64 {
        match self {
            Rate::Constant(r) => *r,
            Rate::Steps(steps) => {
                let i = steps.partition_point(|(from, _)| *from <= t);
                steps[i.saturating_sub(1)].1
            }
            Rate::Ramp {
                from,
                to,
                start,
                end,
            } => {
                if t <= *start {
                    *from
                } else if t >= *end {
                    *to
                } else {
                    from + (to - from) * ((t - start) as f64 / (end - start) as f64)
                }
            }
            Rate::Diurnal {
                mean,
                amplitude,
                period,
                peak,
            } => {
                let phase = (t as f64 - *peak as f64) / *period as f64;
                (mean + amplitude * (TAU * phase).cos()).max(0.0)
            }
        }
    }

    /// An upper bound of the rate from `t` until the returned instant [ns] (exclusive).
    ///
    /// Why piecewise? Thinning against one bound for all time draws candidates at the
    /// peak rate even where the rate is zero or tiny: `Steps([("0s", 0.0), ("99d", 1e8)])`
    /// would draw 10^15 candidates before the first arrival, a hang no event limit sees.
    /// Against a bound that follows the profile, the work per arrival stays small.
    pub fn bound_from(&self, t: u64) -> (f64, u64) {
        match self {
            Rate::Constant(r) => (*r, u64::MAX),
            Rate::Steps(steps) => {
                let i = steps.partition_point(|(from, _)| *from <= t);
                let until = steps.get(i).map_or(u64::MAX, |s| s.0);
                (steps[i.saturating_sub(1)].1, until)
            }
            Rate::Ramp {
                from,
                to,
                start,
                end,
            } => {
                if t < *start {
                    (*from, *start)
                } else if t < *end {
                    (self.at(t).max(*to), *end)
                } else {
                    (*to, u64::MAX)
                }
            }
            Rate::Diurnal {
                mean,
                amplitude,
                period,
                peak,
            } => {
                // The cosine is monotone between a peak and a trough, so over a stretch
                // that contains no peak its largest value is at one of the ends. Pieces
                // span at least 64 candidate gaps at the peak rate: with a short period,
                // tiny pieces would cost a loop turn each and add up to a hang.
                let min_step = (64e9 / (mean + amplitude)).min(1e18) as u64;
                let step = (period / 32).max(min_step).max(1);
                let until = t.saturating_add(step);
                let since_peak = (u128::from(t) + u128::from(*period) * 2
                    - u128::from(*peak % period))
                    % u128::from(*period);
                let contains_peak =
                    since_peak == 0 || since_peak + u128::from(step) >= u128::from(*period);
                let bound = if contains_peak {
                    mean + amplitude
                } else {
                    self.at(t).max(self.at(until))
                };
                (bound, until)
            }
        }
    }

    /// An upper bound of the rate over all time.
    pub fn max(&self) -> f64 {
        match self {
            Rate::Constant(r) => *r,
            Rate::Steps(steps) => steps.iter().map(|s| s.1).fold(0.0, f64::max),
            Rate::Ramp { from, to, .. } => from.max(*to),
            Rate::Diurnal {
                mean, amplitude, ..
            } => mean + amplitude.abs(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profiles_give_expected_rates() {
        let s = Rate::Steps(vec![(0, 5.0), (10, 9.0)]);
        assert_eq!(
            (s.at(0), s.at(9), s.at(10), s.at(100)),
            (5.0, 5.0, 9.0, 9.0)
        );
        let r = Rate::Ramp {
            from: 0.0,
            to: 10.0,
            start: 100,
            end: 200,
        };
        assert_eq!((r.at(50), r.at(150), r.at(250)), (0.0, 5.0, 10.0));
        let d = Rate::Diurnal {
            mean: 10.0,
            amplitude: 5.0,
            period: 100,
            peak: 0,
        };
        assert!((d.at(0) - 15.0).abs() < 1e-9 && (d.at(50) - 5.0).abs() < 1e-9);
        assert_eq!(d.max(), 15.0);
    }

    #[test]
    fn piecewise_bounds_cover_the_rate() {
        let profiles = [
            Rate::Steps(vec![(0, 0.0), (1_000, 7.0), (5_000, 2.0)]),
            Rate::Ramp {
                from: 9.0,
                to: 1.0,
                start: 500,
                end: 4_000,
            },
            Rate::Diurnal {
                mean: 10.0,
                amplitude: 10.0,
                period: 3_000,
                peak: 700,
            },
            Rate::Diurnal {
                mean: 1e9,
                amplitude: 5e8,
                period: 3_000,
                peak: 100,
            },
            Rate::Diurnal {
                mean: 2e8,
                amplitude: 2e8,
                period: 100,
                peak: 0,
            },
        ];
        for rate in &profiles {
            let mut t = 0;
            while t < 9_000 {
                let (bound, until) = rate.bound_from(t);
                assert!(until > t);
                for u in t..until.min(9_000) {
                    assert!(rate.at(u) <= bound + 1e-9, "{rate:?} at {u}: bound {bound}");
                }
                t = until;
            }
        }
    }
}
