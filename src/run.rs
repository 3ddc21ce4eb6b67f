//! Running a scenario from start to end, in slices, so that a caller can report progress
//! and enforce a wall-clock limit without the engine ever reading the clock.

use crate::engine::{Limits, RunResult, Simulation};
use crate::scenario::Scenario;

/// How many events run between two calls of the progress hook.
pub const SLICE_EVENTS: u64 = 1 << 20;

/// Run to the end. `between_slices` sees the fraction of simulated time done and may
/// return a reason to stop early (a wall-clock limit, an interrupt).
pub fn run_scenario(
    scenario: &Scenario,
    limits: Limits,
    between_slices: impl FnMut(f64) -> Option<String>,
) -> RunResult {
    run_traced(scenario, limits, None, between_slices)
}

/// As [`run_scenario`], following a seeded share `trace_sample` (0–1) of external
/// requests as spans (`RunResult::spans`).
pub fn run_traced(
    scenario: &Scenario,
    limits: Limits,
    trace_sample: Option<f64>,
    mut between_slices: impl FnMut(f64) -> Option<String>,
) -> RunResult {
    let mut sim = Simulation::new(scenario, limits);
    if let Some(rate) = trace_sample {
        sim.trace(rate);
    }
    while !sim.run_for(SLICE_EVENTS) {
        let done = sim.now() as f64 / scenario.duration as f64;
        if let Some(reason) = between_slices(done) {
            sim.stop(reason);
            break;
        }
    }
    sim.finish()
}

/// Run to the end with default limits and no progress reporting.
pub fn run_quietly(scenario: &Scenario) -> RunResult {
    run_scenario(scenario, Limits::default(), |_| None)
}
