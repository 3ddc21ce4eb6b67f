//! The invariants a generated case must keep, checked while it runs and on its totals.

use super::Case;
use cascade_sim::diag::Source;
use cascade_sim::engine::{Limits, RunResult, Simulation};
use cascade_sim::load::parse_ron;
use cascade_sim::model::validate_model;
use cascade_sim::outcome::Cause;
use cascade_sim::scenario::{validate_scenario, Scenario};
use cascade_sim::spec::{ModelSpec, ScenarioSpec};
use proptest::prelude::*;
use std::collections::BTreeSet;
use std::path::PathBuf;

/// The mechanisms a run exercised (failure causes seen, fallbacks taken, breaker
/// transitions...), so that a test can tell whether the generator reaches them.
pub type Reached = BTreeSet<&'static str>;

pub fn build(case: &Case) -> Scenario {
    let msrc = Source::new("model.ron", case.model.as_str());
    let mspec: ModelSpec = parse_ron(&msrc).unwrap_or_else(|d| panic!("{d}"));
    let model = validate_model(&mspec, &msrc).unwrap_or_else(|d| panic!("{d}"));
    let ssrc = Source::new("scenario.ron", case.scenario.as_str());
    let sspec: ScenarioSpec = parse_ron(&ssrc).unwrap_or_else(|d| panic!("{d}"));
    validate_scenario(&sspec, &ssrc, model, PathBuf::from("model.ron"))
        .unwrap_or_else(|d| panic!("{d}"))
}

pub fn check(case: &Case) -> Result<Reached, TestCaseError> {
    let scenario = build(case);
    let limits = Limits {
        max_events: 400_000,
        max_in_flight: 50_000,
    };
    let mut sim = Simulation::new(&scenario, limits);
    let mut last = 0;
    loop {
        let done = sim.run_for(97);
        prop_assert!(
            sim.now() >= last,
            "time went back: {} after {last}",
            sim.now()
        );
        last = sim.now();
        if let Err(e) = sim.check_invariants() {
            return Err(TestCaseError::fail(format!("at t={}ns: {e}", sim.now())));
        }
        super::settings::check_settings(&scenario, &sim)?;
        if done {
            break;
        }
    }
    let result = sim.finish();
    super::windows::check_windows(&scenario, &result)?;
    // A warm-up leaves requests that arrived before it out of the totals, so the
    // totals balance only without one (the windows balance either way).
    if scenario.warmup == 0 {
        check_totals(&scenario, &result)?;
    }
    super::causes::check_causes(&scenario, &result)?;
    let mut seen = reached(&result.recorder);
    if super::settings::ends_out_of_order(&scenario) {
        seen.insert("steps on one setting ending out of order");
    }
    Ok(seen)
}

/// Accounting and Little's law on the run's totals (no warm-up).
fn check_totals(scenario: &Scenario, result: &RunResult) -> Result<(), TestCaseError> {
    let rec = &result.recorder;
    let model = &scenario.model;
    let mut from_sources = 0;
    for (s, svc) in model.services.iter().enumerate() {
        let t = &rec.totals[s];
        let in_flight = rec.in_system(s as u32);
        prop_assert_eq!(
            rec.unaccounted(s as u32),
            0,
            "{}: arrivals {} ≠ completed {} + degraded {} + failed {:?} + in flight {}",
            &svc.name,
            t.arrivals,
            t.completed,
            t.degraded,
            t.errors,
            in_flight
        );
        let from_edges: u64 = model
            .edges
            .iter()
            .enumerate()
            .filter(|(_, e)| e.callee == s as u32)
            .map(|(i, _)| {
                let e = &rec.edge_totals[i];
                e.attempts - e.undelivered + e.delivered_late
            })
            .sum();
        let targeted = scenario.sources.iter().any(|src| src.service == s as u32);
        prop_assert!(
            t.arrivals >= from_edges,
            "{}: fewer arrivals than attempts",
            &svc.name
        );
        if targeted {
            from_sources += t.arrivals - from_edges;
        } else {
            prop_assert_eq!(
                t.arrivals,
                from_edges,
                "{}: arrivals ≠ attempts into it",
                &svc.name
            );
        }
        // Little's law on the sample path (warm-up 0: every request is in the totals).
        let run = u128::from(result.end_time);
        prop_assert!(
            t.sojourn_ns <= t.in_system_area,
            "{}: Σ sojourn > ∫N dt",
            &svc.name
        );
        prop_assert!(
            t.in_system_area <= t.sojourn_ns + u128::from(in_flight) * run,
            "{}: ∫N dt exceeds Σ sojourn + residual",
            &svc.name
        );
        let light = in_flight == 0 && t.departed > 200;
        if light && result.partial.is_none() {
            let secs = result.end_time as f64 / 1e9;
            let l = t.in_system_area as f64 / 1e9 / secs;
            let lambda_w =
                t.departed as f64 / secs * (t.sojourn_ns as f64 / 1e9 / t.departed as f64);
            prop_assert!(
                (l - lambda_w).abs() <= 0.05 * l + 1e-9,
                "{}: L {l} vs λW {lambda_w}",
                &svc.name
            );
        }
    }
    prop_assert_eq!(
        from_sources,
        result.requests,
        "arrivals from sources ≠ requests made"
    );
    for (i, e) in rec.edge_totals.iter().enumerate() {
        prop_assert!(
            e.ok + e.degraded + e.failed() <= e.calls,
            "edge {i}: more call outcomes than calls"
        );
        // Tries refused before sending (no connection, bulkhead full, breaker open,
        // throttled) fail without being attempts; the others were sent first.
        let before_sending = [
            Cause::PoolTimeout,
            Cause::BulkheadFull,
            Cause::BreakerOpen,
            Cause::Throttled,
        ];
        let sent_and_failed: u64 = Cause::ALL
            .iter()
            .filter(|c| !before_sending.contains(c))
            .map(|c| e.attempt_failures[*c as usize])
            .sum();
        prop_assert!(
            sent_and_failed <= e.attempts,
            "edge {i}: more failed attempts than attempts"
        );
        prop_assert!(
            e.retries <= e.attempts,
            "edge {i}: more retries than attempts"
        );
        // An attempt held up by a partition or chaos was sent, and arrives at most once.
        prop_assert!(
            e.delivered_late <= e.undelivered && e.undelivered <= e.attempts,
            "edge {i}: {} delivered late of {} undelivered of {} attempts",
            e.delivered_late,
            e.undelivered,
            e.attempts
        );
    }
    Ok(())
}

fn reached(rec: &cascade_sim::observe::Recorder) -> Reached {
    let mut seen = Reached::new();
    for t in &rec.totals {
        for c in Cause::ALL.iter().filter(|c| t.errors[**c as usize] > 0) {
            seen.insert(c.name());
        }
        for (count, name) in [(t.degraded, "degraded"), (t.crashes, "crash")] {
            if count > 0 {
                seen.insert(name);
            }
        }
    }
    for e in &rec.edge_totals {
        for c in Cause::ALL
            .iter()
            .filter(|c| e.attempt_failures[**c as usize] > 0)
        {
            seen.insert(c.name());
        }
        for (count, name) in [
            (e.retries, "retry"),
            (e.breaker_transitions, "breaker transition"),
            (e.budget_exhausted, "retry refused by budget"),
            (e.ejections, "ejection"),
            (e.chaos_hits, "chaos"),
            (e.undelivered, "undelivered"),
            (e.delivered_late, "delivered late"),
            (e.degraded, "fallback"),
        ] {
            if count > 0 {
                seen.insert(name);
            }
        }
    }
    seen
}
