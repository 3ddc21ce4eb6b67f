//! Engine throughput, model loaded from RON, statistics and detectors on:
//! - `scenarios/mm10.ron` (M/M/10 at ρ = 0.9): events and simulated requests per second
//!   of wall time, with the mean queue wait against Erlang C, so that speed is never
//!   bought with wrong answers;
//! - `scenarios/cascade2021.ron`: the incident replay, every mechanism at work, and the
//!   same up to its trigger (before the cascade), to show which part costs what.
//!
//! Run with `cargo bench --bench engine`. `BENCH_RUNS` (default 5) sets the repetitions
//! of each, taken in turns; the best and the median are printed.

#[path = "../tests/integration/erlang.rs"]
mod erlang;

use cascade_sim::engine::RunResult;
use cascade_sim::run::run_quietly;
use cascade_sim::scenario::{load_scenario, Scenario};
use std::path::Path;
use std::time::Instant;

/// Run each scenario `runs` times, taking turns (one run of each, then again), and
/// return each one's last result with its best and median rates. Why take turns? The
/// machine's speed drifts over minutes; measured one after the other, the workloads would
/// be compared across different spells, and the ratio printed below would say more
/// about the spells than about the engine.
fn measure(scenarios: &[&Scenario], runs: usize) -> Vec<(RunResult, [(f64, f64); 2])> {
    let mut rates = vec![Vec::new(); scenarios.len()];
    let mut last: Vec<Option<RunResult>> = scenarios.iter().map(|_| None).collect();
    for _ in 0..runs {
        for (i, scenario) in scenarios.iter().enumerate() {
            let started = Instant::now();
            let result = run_quietly(scenario);
            let wall = started.elapsed().as_secs_f64();
            rates[i].push((result.events as f64 / wall, result.requests as f64 / wall));
            last[i] = Some(result);
        }
    }
    rates
        .into_iter()
        .zip(last)
        .map(|(mut r, result)| {
            r.sort_by(|a, b| b.0.total_cmp(&a.0));
            (result.expect("at least one run"), [r[0], r[r.len() / 2]])
        })
        .collect()
}

fn report(name: &str, result: &RunResult, rates: [(f64, f64); 2]) {
    println!(
        "{name}: {} events, {} requests per run",
        result.events, result.requests
    );
    for (label, (events, requests)) in ["best", "median"].iter().zip(rates) {
        println!(
            "  {label:>6}: {:6.1} M events/s   {:6.2} M requests/s",
            events / 1e6,
            requests / 1e6
        );
    }
}

fn main() {
    let runs: usize = std::env::var("BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5)
        .max(1);
    let mut mm10 =
        load_scenario(Path::new("scenarios/mm10.ron")).expect("scenarios/mm10.ron loads");
    mm10.duration = 300 * 3_600_000_000_000;
    let cascade = load_scenario(Path::new("scenarios/cascade2021.ron"))
        .expect("scenarios/cascade2021.ron loads");
    // The same model up to its first scripted step: where the time goes, calm or cascade.
    let mut calm = cascade.clone();
    calm.duration = cascade
        .incident
        .steps
        .iter()
        .map(|s| s.at)
        .min()
        .unwrap_or(cascade.duration);
    let mut measured = measure(&[&mm10, &cascade, &calm], runs).into_iter();
    let (result, rates) = measured.next().expect("mm10 measured");
    report("mm10 (300 simulated hours)", &result, rates);
    let t = &result.recorder.totals[0];
    let wq = t.queue_wait_ns as f64 / t.started as f64 / 1e9;
    // M/M/c with mean service 1 s (models/mm10.ron): Wq = C(c, λ) / (c − λ).
    let c = mm10.model.services[0].workers;
    let lambda = mm10.sources[0].rate.max();
    let erlang_wq = erlang::erlang_c(c, lambda) / (f64::from(c) - lambda);
    println!("  mean queue wait Wq = {wq:.4} s (Erlang C: {erlang_wq:.4} s)");
    let mm10_rate = rates[0].0;
    let (result, rates) = measured.next().expect("cascade2021 measured");
    let minutes = cascade.duration / 60_000_000_000;
    report(
        &format!("cascade2021 ({minutes} simulated minutes)"),
        &result,
        rates,
    );
    println!(
        "  replay / M/M/10 events per second: {:.2}",
        rates[0].0 / mm10_rate
    );
    let (result, rates) = measured.next().expect("calm part measured");
    report(
        &format!(
            "cascade2021 until its trigger ({} simulated seconds)",
            calm.duration / 1_000_000_000
        ),
        &result,
        rates,
    );
}
