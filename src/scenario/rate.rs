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

    /// An upper bound of the rate over all time, for thinning.
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
}
