//! Engine throughput on `scenarios/mm10.ron` (model loaded from RON, statistics on).
//!
//! Run with `cargo bench --bench engine`. Prints events per second and simulated
//! requests per second of wall time (best and median of several runs), and the mean
//! queue wait against Erlang C, so that speed is never bought with wrong answers.

use cascade_sim::run::run_quietly;
use cascade_sim::scenario::load_scenario;
use std::path::Path;
use std::time::Instant;

fn main() {
    let runs: usize = std::env::var("BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(7);
    let hours: u64 = std::env::var("BENCH_HOURS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300);
    let mut scenario =
        load_scenario(Path::new("scenarios/mm10.ron")).expect("scenarios/mm10.ron loads");
    scenario.duration = hours * 3_600_000_000_000;
    let mut rates = Vec::new();
    let mut last = None;
    for _ in 0..runs {
        let started = Instant::now();
        let result = run_quietly(&scenario);
        let wall = started.elapsed().as_secs_f64();
        rates.push((result.events as f64 / wall, result.requests as f64 / wall));
        last = Some(result);
    }
    rates.sort_by(|a, b| b.0.total_cmp(&a.0));
    let (best, median) = (rates[0], rates[rates.len() / 2]);
    let result = last.expect("at least one run");
    let t = &result.recorder.totals[0];
    let wq = t.queue_wait_ns as f64 / t.started as f64 / 1e9;
    println!("mm10 engine benchmark: {hours} simulated hours, {} events, {} requests per run, {runs} runs", result.events, result.requests);
    println!(
        "  best:   {:6.1} M events/s   {:6.1} M requests/s",
        best.0 / 1e6,
        best.1 / 1e6
    );
    println!(
        "  median: {:6.1} M events/s   {:6.1} M requests/s",
        median.0 / 1e6,
        median.1 / 1e6
    );
    println!("  mean queue wait Wq = {wq:.4} s (Erlang C: 0.6687 s)");
}
