//! Determinism on random models: the same case gives the same bytes of every
//! deterministic output whether it runs in one go, in slices of 97 events (as the
//! invariant checks run it), or with request tracing on (tracing follows requests and
//! must not perturb them).

use super::check::build;
use super::Case;
use cascade_sim::engine::{Limits, RunResult, Simulation};
use cascade_sim::report::{edges_csv, metrics_csv, summary_json, timeline_txt};
use cascade_sim::run::{run_scenario, run_traced};
use cascade_sim::scenario::Scenario;
use proptest::prelude::*;

const LIMITS: Limits = Limits {
    max_events: 400_000,
    max_in_flight: 50_000,
};

fn outputs(scenario: &Scenario, result: &RunResult) -> [String; 4] {
    [
        summary_json(scenario, result),
        metrics_csv(scenario, result),
        edges_csv(scenario, result),
        timeline_txt(scenario, result),
    ]
}

fn sliced(scenario: &Scenario) -> RunResult {
    let mut sim = Simulation::new(scenario, LIMITS);
    while !sim.run_for(97) {}
    sim.finish()
}

pub fn same_outputs(case: &Case) -> Result<(), TestCaseError> {
    let scenario = build(case);
    let whole = outputs(&scenario, &run_scenario(&scenario, LIMITS, |_| None));
    let runs = [
        ("in slices of 97 events", sliced(&scenario)),
        (
            "with tracing",
            run_traced(&scenario, LIMITS, Some(0.5), |_| None),
        ),
    ];
    let names = ["summary.json", "metrics.csv", "edges.csv", "timeline.txt"];
    for (how, result) in runs {
        for ((a, b), name) in whole.iter().zip(outputs(&scenario, &result)).zip(names) {
            prop_assert!(*a == b, "{name} differs when run {how}");
        }
    }
    Ok(())
}
