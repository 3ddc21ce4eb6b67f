//! The fuzzing harness: RON text in, a short bounded run out, and never a panic.
//!
//! Why in the library? The coverage-guided fuzzer (`fuzz/`, built with AFL++), the
//! regression test over the saved corpus (`tests/integration/fuzz_corpus.rs`) and anyone
//! reproducing a crash all call the same function, so a fix is tested the way it was found.
//!
//! Besides never panicking on any input, a run must keep the engine's invariants
//! (`Simulation::check_invariants`, checked every thousand events) and account for every
//! request; a violation panics, so the fuzzer records it like a crash.
//!
//! An input is a model, optionally followed by a line `%%` and a scenario. Without a
//! scenario, a ten-second one drives the model's first operation at 50 requests per second,
//! so that the fuzzer reaches the engine without having to invent a valid scenario first.

use crate::diag::{Diagnostics, Source};
use crate::engine::{Limits, Simulation};
use crate::load::parse_ron;
use crate::model::validate_model;
use crate::report::{metrics_csv, summary_json};
use crate::scenario::validate_scenario;
use crate::spec::{ModelSpec, ScenarioSpec};
use std::path::PathBuf;

/// Events simulated per input: enough to reach timeouts, pools and windows, few enough
/// that one input takes well under a millisecond.
pub const FUZZ_EVENTS: u64 = 20_000;
/// Requests alive at once before a fuzzed run is stopped.
pub const FUZZ_IN_FLIGHT: usize = 5_000;

/// What one input led to.
#[derive(Debug)]
pub enum Verdict {
    /// Refused with diagnostics (the normal fate of most fuzzed inputs).
    Invalid(Diagnostics),
    /// Ran; `events` simulated, `partial` when a limit stopped it.
    Ran { events: u64, partial: bool },
}

/// Split raw fuzzer bytes into texts and run them. Non-UTF-8 input is refused like the
/// loader refuses it.
pub fn run_bytes(data: &[u8]) -> Option<Verdict> {
    let text = std::str::from_utf8(data).ok()?;
    let (model, scenario) = match text.split_once("\n%%\n") {
        Some((m, s)) => (m, Some(s)),
        None => (text, None),
    };
    Some(run_text(model, scenario))
}

/// Load, validate, build and simulate at most [`FUZZ_EVENTS`] events; render the
/// diagnostics or the summary and metrics, so the reporting code is exercised as well.
pub fn run_text(model_text: &str, scenario_text: Option<&str>) -> Verdict {
    match load(model_text, scenario_text) {
        Err(d) => {
            // Rendering must not panic either (positions, hints, did-you-mean).
            let _ = d.to_string();
            Verdict::Invalid(d)
        }
        Ok(scenario) => {
            let limits = Limits {
                max_events: FUZZ_EVENTS,
                max_in_flight: FUZZ_IN_FLIGHT,
            };
            let mut sim = Simulation::new(&scenario, limits);
            let mut last = 0;
            loop {
                let done = sim.run_for(SLICE);
                // A broken invariant is a bug like a crash: panic so the fuzzer keeps it.
                assert!(sim.now() >= last, "simulated time went backwards");
                last = sim.now();
                if let Err(e) = sim.check_invariants() {
                    panic!("invariant broken at t={}ns: {e}", sim.now());
                }
                if done {
                    break;
                }
            }
            let result = sim.finish();
            if scenario.warmup == 0 {
                check_accounting(&scenario, &result);
            }
            let _ = summary_json(&scenario, &result);
            let _ = metrics_csv(&scenario, &result);
            Verdict::Ran {
                events: result.events,
                partial: result.partial.is_some(),
            }
        }
    }
}

/// Events between two invariant checks.
const SLICE: u64 = 1_000;

/// Every request is accounted for exactly once (the totals hold every window when there
/// is no warm-up).
fn check_accounting(scenario: &crate::scenario::Scenario, result: &crate::engine::RunResult) {
    let rec = &result.recorder;
    for (s, svc) in scenario.model.services.iter().enumerate() {
        assert_eq!(
            rec.unaccounted(s as u32),
            0,
            "{}: arrivals ≠ completed + degraded + failed + in flight",
            svc.name
        );
    }
}

fn load(
    model_text: &str,
    scenario_text: Option<&str>,
) -> Result<crate::scenario::Scenario, Diagnostics> {
    let model_src = Source::new("fuzz-model.ron", model_text);
    let model_spec: ModelSpec = parse_ron(&model_src)?;
    let model = validate_model(&model_spec, &model_src)?;
    let scenario_text = match scenario_text {
        Some(s) => s.to_string(),
        None => default_scenario(&model.operations[0].name),
    };
    let scen_src = Source::new("fuzz-scenario.ron", scenario_text);
    let spec: ScenarioSpec = parse_ron(&scen_src)?;
    validate_scenario(&spec, &scen_src, model, PathBuf::from("fuzz-model.ron"))
}

fn default_scenario(target: &str) -> String {
    format!(
        "Scenario(model: \"fuzz-model.ron\", duration: \"10s\", window: \"1s\", \
         sources: [Source(target: {target:?}, rate: Constant(50.0))])"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_valid_model_runs_and_garbage_is_refused() {
        let model = r#"Model(services: {"s": Service(workers: 2, operations: {"op": [Work(Constant("10ms"))]})})"#;
        assert!(matches!(
            run_text(model, None),
            Verdict::Ran { events, .. } if events > 100
        ));
        assert!(matches!(run_text("Model(", None), Verdict::Invalid(_)));
        assert!(run_bytes(&[0xff, 0xfe]).is_none());
    }
}
