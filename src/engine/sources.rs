//! Workload sources: Poisson arrivals at an entry operation, at a constant rate or along a
//! rate profile (by thinning), each source with its own random stream.

use super::rng::{self, Stream};
use super::state::{ReplyTo, NEVER};
use super::{next_round_robin, Simulation};
use crate::model::dist::exp1;
use crate::scenario::{Rate, Scenario};
use rand::Rng;

/// A stretch of a rate profile whose bound is below the peak by more than this factor is
/// thinned against its own bound rather than the peak (see `schedule_arrival`).
const FAR_BELOW_PEAK: f64 = 1000.0;

/// What an arrival reads and writes, in one record. Why not a vector per field? An
/// arrival would then touch six vectors (and the scenario) for one source.
pub(crate) struct SourceState {
    pub rng: Stream,
    /// Round-robin cursor over the entry service's replicas.
    pub rr: u32,
    /// Moves on when the source's rate changes, so that its pending arrival is dropped.
    pub gen: u32,
    /// Scripted traffic multiplier (1 = as the profile says).
    pub multiplier: f64,
    /// The profile's peak rate [1/s] (computed once: a step profile's is a scan).
    pub peak_rate: f64,
    /// Mean gap between candidate arrivals at the peak rate times the multiplier [ns];
    /// multiplying by it spares a division per arrival.
    pub mean_gap_ns: f64,
    /// A constant rate needs no thinning.
    pub constant: bool,
    pub service: u32,
    pub op: u32,
    pub class: u32,
}

impl SourceState {
    pub fn all(scenario: &Scenario, seed: u64) -> Vec<SourceState> {
        scenario
            .sources
            .iter()
            .map(|s| SourceState {
                rng: rng::stream(seed, &format!("source:{}", s.name)),
                rr: 0,
                gen: 0,
                multiplier: 1.0,
                peak_rate: s.rate.max(),
                mean_gap_ns: 1e9 / s.rate.max(),
                constant: matches!(s.rate, Rate::Constant(_)),
                service: s.service,
                op: s.op,
                class: s.class,
            })
            .collect()
    }

    /// Scale the source's rate by `multiplier` from now on.
    pub fn set_multiplier(&mut self, multiplier: f64) {
        self.multiplier = multiplier;
        self.mean_gap_ns = 1e9 / (self.peak_rate * multiplier);
        self.gen = self.gen.wrapping_add(1);
    }
}

/// A gap between arrivals in whole nanoseconds, at least 1 (two arrivals never share an
/// instant by construction) and at most 10^18. Converting through `i64` is one instruction
/// where `as u64` is a branchy sequence; below 2^63 both give the same integer.
// Not `clamp`: it would keep a NaN, which must become the cap as it always has.
#[allow(clippy::manual_clamp)]
#[inline(always)]
fn gap_to_ns(gap_ns: f64) -> u64 {
    gap_ns.min(1e18).max(1.0) as i64 as u64
}

impl Simulation<'_> {
    pub(crate) fn schedule_arrival(&mut self, source: u32) {
        let duration = self.scenario.duration;
        let st = &mut self.sources[source as usize];
        let max = st.peak_rate * st.multiplier;
        if max <= 0.0 {
            return;
        }
        let mut t = self.now;
        if st.constant {
            let gap_ns = exp1(&mut st.rng) * st.mean_gap_ns;
            t = t.saturating_add(gap_to_ns(gap_ns));
            if t <= duration {
                self.queue.schedule_arrival(t, source, st.gen);
            }
            return;
        }
        // Thinning (Lewis–Shedler): candidates at a bound of the rate, each kept with
        // probability rate(t)/bound, give a non-homogeneous Poisson process.
        let rate_of = &self.scenario.sources[source as usize].rate;
        let multiplier = st.multiplier;
        let rng = &mut st.rng;
        loop {
            // Why two bounds? Candidates at the profile's peak keep the random stream of
            // ordinary profiles. But where the rate stays far below the peak (99 days of
            // silence or a trickle before a flood), they would be drawn by the 10^15, a
            // hang no event limit sees; there the bound that holds until `until` is used,
            // and a candidate past it is dropped and drawing restarts there (memoryless).
            let (piece, until) = rate_of.bound_from(t);
            let piece = piece * multiplier;
            if piece * FAR_BELOW_PEAK >= max {
                let gap_ns = exp1(rng) * st.mean_gap_ns;
                t = t.saturating_add(gap_to_ns(gap_ns));
                if t > duration {
                    return;
                }
                let rate = rate_of.at(t) * multiplier;
                if rate >= max || rng.random::<f64>() * max < rate {
                    break;
                }
                continue;
            }
            if piece <= 0.0 {
                if until > duration {
                    return;
                }
                t = until;
                continue;
            }
            let gap: f64 = exp1(rng) / piece;
            let candidate = t.saturating_add(gap_to_ns(gap * 1e9));
            if candidate >= until {
                if until > duration {
                    return;
                }
                t = until;
                continue;
            }
            t = candidate;
            if t > duration {
                return;
            }
            let rate = rate_of.at(t) * multiplier;
            if rate >= piece || rng.random::<f64>() * piece < rate {
                break;
            }
        }
        self.queue.schedule_arrival(t, source, st.gen);
    }

    pub(crate) fn on_arrival(&mut self, source: u32, gen: u32) {
        if gen != self.sources[source as usize].gen {
            return;
        }
        self.requests += 1;
        self.schedule_arrival(source);
        let st = &mut self.sources[source as usize];
        let (service, op, class) = (st.service, st.op, st.class);
        let n = self.model.services[service as usize].replicas;
        let local = next_round_robin(&mut st.rr, n);
        let replica = self.first_replica[service as usize] + local;
        self.arrival_trace = self.sample_trace();
        self.admit(replica, op, class, ReplyTo::SOURCE, NEVER);
    }
}

#[cfg(test)]
mod tests {
    use super::gap_to_ns;

    #[test]
    fn gaps_convert_like_truncating_then_taking_at_least_one() {
        let reference = |g: f64| (g.min(1e18) as u64).max(1);
        for g in [
            f64::NAN,
            -3.0,
            0.0,
            0.4,
            1.0,
            1.9,
            2.5,
            1e17,
            1e18,
            5e18,
            f64::INFINITY,
        ] {
            assert_eq!(gap_to_ns(g), reference(g), "{g}");
        }
        for i in 0..10_000 {
            let g = f64::from(i) * 1234.567 + 0.25;
            assert_eq!(gap_to_ns(g), reference(g), "{g}");
        }
    }
}
