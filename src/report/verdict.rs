//! The run's verdicts for `summary.json`: how the entry service did, whether an outage
//! was declared and for how long, and whether the system came back after the last
//! scripted trigger (metastability).

use crate::engine::RunResult;
use crate::scenario::{clock_label, Scenario};
use serde::Serialize;

#[derive(Serialize)]
pub struct Entry {
    pub service: String,
    /// Answers (any outcome) over the measured period.
    pub answers: u64,
    /// Share of answers that succeeded (fully or degraded).
    pub success_rate: Option<f64>,
    /// Full successes per second.
    pub goodput_per_s: f64,
    pub p99_s: Option<f64>,
}

#[derive(Serialize)]
pub struct Outage {
    pub declared: bool,
    pub at: Option<String>,
    /// From declaration to recovery (or to the end of the run).
    pub minutes: Option<f64>,
    pub recovered_at: Option<String>,
}

#[derive(Serialize)]
pub struct Metastability {
    /// When the last scripted step ended (or took effect, if it stays).
    pub last_trigger_end: Option<String>,
    pub baseline_goodput_per_s: Option<f64>,
    /// Goodput back to the recovery share of the baseline after the last trigger.
    pub recovered: bool,
    pub recovery_seconds: Option<f64>,
    /// `recovered`, `metastable` (still down at the end), or `no trigger`.
    pub verdict: &'static str,
    /// Sustaining signs after the last trigger: attempts per logical call over all edges…
    pub retry_amplification: Option<f64>,
    /// …work finished for callers that had given up…
    pub wasted_work_s: f64,
    /// …out-of-memory crashes, and replicas still down when the run ended.
    pub crashes: u64,
    pub replicas_down_at_end: u64,
}

pub fn entry(scenario: &Scenario, result: &RunResult) -> Entry {
    let entry = scenario.incident.detectors.entry as usize;
    let t = &result.recorder.totals[entry];
    let answers = t.completed + t.degraded + t.failed();
    let measured = result.end_time.saturating_sub(scenario.warmup).max(1) as f64 / 1e9;
    Entry {
        service: scenario.model.services[entry].name.clone(),
        answers,
        success_rate: (answers > 0).then(|| (t.completed + t.degraded) as f64 / answers as f64),
        goodput_per_s: t.completed as f64 / measured,
        p99_s: t.latency.quantile(0.99).map(|v| v as f64 / 1e9),
    }
}

pub fn outage(scenario: &Scenario, result: &RunResult) -> Outage {
    let v = &result.verdicts;
    let clock = |t: u64| clock_label(scenario.start_clock_s, t);
    Outage {
        declared: v.outage_at.is_some(),
        at: v.outage_at.map(clock),
        minutes: v
            .outage_at
            .map(|at| (v.outage_end.unwrap_or(result.end_time) - at) as f64 / 60e9),
        recovered_at: v.outage_end.map(clock),
    }
}

pub fn metastability(scenario: &Scenario, result: &RunResult) -> Metastability {
    let v = &result.verdicts;
    let rec = &result.recorder;
    let after = v.last_trigger_end.unwrap_or(u64::MAX);
    let (mut calls, mut attempts) = (0u64, 0u64);
    for row in rec.edge_rows.iter().filter(|r| r.window_start >= after) {
        calls += row.counters.calls;
        attempts += row.counters.attempts;
    }
    let rows_after = || rec.rows.iter().filter(|r| r.window_start >= after);
    let wasted: f64 = rows_after().map(|r| r.wasted_s).sum();
    let crashes: u64 = rows_after().map(|r| r.crashes).sum();
    let last_start = rec.rows.last().map_or(0, |r| r.window_start);
    let down: u64 = rec
        .rows
        .iter()
        .filter(|r| r.window_start == last_start)
        .map(|r| {
            u64::from(
                scenario.model.services[r.service as usize]
                    .replicas
                    .saturating_sub(r.replicas_up),
            )
        })
        .sum();
    let verdict = match (v.last_trigger_end, v.recovered_at) {
        (None, _) => "no trigger",
        (Some(_), Some(_)) => "recovered",
        (Some(_), None) => "metastable",
    };
    Metastability {
        last_trigger_end: v
            .last_trigger_end
            .map(|t| clock_label(scenario.start_clock_s, t)),
        baseline_goodput_per_s: v.baseline_goodput,
        recovered: v.recovered_at.is_some(),
        recovery_seconds: v
            .recovered_at
            .zip(v.last_trigger_end)
            .map(|(r, t)| r.saturating_sub(t) as f64 / 1e9),
        verdict,
        retry_amplification: (calls > 0).then(|| attempts as f64 / calls as f64),
        wasted_work_s: wasted,
        crashes,
        replicas_down_at_end: down,
    }
}
