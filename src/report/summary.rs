//! `summary.json`: run totals after the warm-up, per service and per edge.

use crate::engine::RunResult;
use crate::outcome::Cause;
use crate::scenario::Scenario;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Serialize)]
pub struct Summary {
    pub scenario: String,
    pub seed: u64,
    /// FNV-1a of the validated model, in hex.
    pub model_hash: String,
    pub events: u64,
    pub simulated_seconds: f64,
    /// Simulated time over which the totals below were measured (after the warm-up).
    pub measured_seconds: f64,
    /// Why the run stopped early; `null` for a complete run.
    pub partial: Option<String>,
    pub in_flight_at_end: u64,
    pub services: BTreeMap<String, ServiceSummary>,
    pub edges: BTreeMap<String, EdgeSummary>,
}

#[derive(Serialize)]
pub struct ServiceSummary {
    pub arrivals: u64,
    /// Requests that finished successfully.
    pub completed: u64,
    /// Refused because the queue was full.
    pub rejected: u64,
    /// Failed because a downstream call timed out.
    pub timed_out: u64,
    pub pool_timeout: u64,
    pub downstream_error: u64,
    pub mean_queue_wait_s: Option<f64>,
    /// Share of started requests that had to queue.
    pub prob_wait: Option<f64>,
    pub mean_response_s: Option<f64>,
    pub p50_s: Option<f64>,
    pub p95_s: Option<f64>,
    pub p99_s: Option<f64>,
    /// Mean busy workers over all workers.
    pub utilization: f64,
    pub max_queue_depth: u64,
    /// Time-average requests in the system (queued or running): L in Little's law.
    pub mean_in_system: f64,
    /// Mean time in system of every admitted request that left: W in Little's law.
    pub mean_sojourn_s: Option<f64>,
    pub wasted_work_s: f64,
}

#[derive(Serialize)]
pub struct EdgeSummary {
    pub calls: u64,
    pub attempts: u64,
    pub mean_pool_wait_s: Option<f64>,
    pub pool_timeouts: u64,
    pub timeouts: u64,
    pub errors: u64,
}

fn ratio(num: f64, den: u64) -> Option<f64> {
    (den > 0).then(|| num / den as f64)
}

pub fn summarize(scenario: &Scenario, result: &RunResult) -> Summary {
    let model = &scenario.model;
    let rec = &result.recorder;
    let measured_ns = result.end_time.saturating_sub(scenario.warmup).max(1) as f64;
    let mut services = BTreeMap::new();
    for (s, svc) in model.services.iter().enumerate() {
        let t = &rec.totals[s];
        let capacity = f64::from(svc.workers) * f64::from(svc.replicas);
        let q = |p: f64| t.latency.quantile(p).map(|v| v as f64 / 1e9);
        services.insert(
            svc.name.clone(),
            ServiceSummary {
                arrivals: t.arrivals,
                completed: t.completed,
                rejected: t.errors[Cause::Rejected as usize],
                timed_out: t.errors[Cause::Timeout as usize],
                pool_timeout: t.errors[Cause::PoolTimeout as usize],
                downstream_error: t.errors[Cause::Downstream as usize],
                mean_queue_wait_s: ratio(t.queue_wait_ns as f64 / 1e9, t.started),
                prob_wait: ratio(t.waited as f64, t.started),
                mean_response_s: ratio(t.response_ns as f64 / 1e9, t.completed),
                p50_s: q(0.50),
                p95_s: q(0.95),
                p99_s: q(0.99),
                utilization: t.busy_area as f64 / (measured_ns * capacity),
                max_queue_depth: t.max_queue,
                mean_in_system: t.in_system_area as f64 / measured_ns,
                mean_sojourn_s: ratio(t.sojourn_ns as f64 / 1e9, t.departed),
                wasted_work_s: t.wasted_ns as f64 / 1e9,
            },
        );
    }
    let mut edges = BTreeMap::new();
    for (e, edge) in model.edges.iter().enumerate() {
        let t = &rec.edge_totals[e];
        edges.insert(
            edge.name.clone(),
            EdgeSummary {
                calls: t.calls,
                attempts: t.attempts,
                mean_pool_wait_s: ratio(
                    t.pool_wait_ns as f64 / 1e9,
                    t.pool_acquired + t.pool_timeouts,
                ),
                pool_timeouts: t.pool_timeouts,
                timeouts: t.timeouts,
                errors: t.errors,
            },
        );
    }
    Summary {
        scenario: scenario.name.clone(),
        seed: scenario.seed,
        model_hash: format!("{:016x}", model.hash),
        events: result.events,
        simulated_seconds: result.end_time as f64 / 1e9,
        measured_seconds: measured_ns / 1e9,
        partial: result.partial.clone(),
        in_flight_at_end: result.in_flight_at_end,
        services,
        edges,
    }
}

pub fn summary_json(scenario: &Scenario, result: &RunResult) -> String {
    let mut text =
        serde_json::to_string_pretty(&summarize(scenario, result)).expect("summary serializes");
    text.push('\n');
    text
}
