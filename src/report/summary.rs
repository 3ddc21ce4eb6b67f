//! `summary.json`: run totals after the warm-up, per service and per edge.

use crate::engine::RunResult;
use crate::observe::{EdgeCounters, ServiceCounters};
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
    pub entry: super::verdict::Entry,
    pub outage: super::verdict::Outage,
    pub metastability: super::verdict::Metastability,
    pub services: BTreeMap<String, ServiceSummary>,
    pub edges: BTreeMap<String, EdgeSummary>,
}

#[derive(Serialize)]
pub struct ServiceSummary {
    pub arrivals: u64,
    /// Requests that finished successfully with a full answer.
    pub completed: u64,
    /// Requests that succeeded with a fallback answer somewhere on their way.
    pub degraded: u64,
    pub failed: u64,
    /// Refused because the queue was full.
    pub rejected: u64,
    /// Failed because a downstream call timed out.
    pub timed_out: u64,
    /// Failures by cause (all causes, zeros included, for stable columns).
    pub errors: BTreeMap<&'static str, u64>,
    pub mean_queue_wait_s: Option<f64>,
    /// Share of started requests that had to queue.
    pub prob_wait: Option<f64>,
    /// Mean response time of successful (and degraded) requests.
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
    /// Work done for callers that had already given up.
    pub wasted_work_s: f64,
    pub memory_peak_bytes: u64,
    pub crashes: u64,
    pub restarts: u64,
}

#[derive(Serialize)]
pub struct EdgeSummary {
    /// Logical calls.
    pub calls: u64,
    /// Requests sent to the callee, first tries and retries.
    pub attempts: u64,
    pub retries: u64,
    /// Attempts per logical call.
    pub retry_amplification: Option<f64>,
    pub ok: u64,
    pub degraded: u64,
    pub failed: u64,
    /// Final outcome of failed logical calls, by cause.
    pub failures: BTreeMap<&'static str, u64>,
    /// Attempts refused on the caller's side, by cause.
    pub rejections: BTreeMap<&'static str, u64>,
    /// Attempts whose per-try timeout expired.
    pub timeouts: u64,
    pub pool_timeouts: u64,
    pub mean_pool_wait_s: Option<f64>,
    pub mean_call_s: Option<f64>,
    pub pool_in_use_max: u32,
    pub pool_waiters_max: u32,
    /// Most bulkhead slots in use at once (of any caller replica and class).
    pub bulkhead_in_use_max: u32,
    pub breaker_transitions: u64,
    /// Retries the retry budget refused.
    pub retries_refused_by_budget: u64,
    /// Callee replicas ejected by outlier detection.
    pub ejections: u64,
    /// Seconds the breaker spent closed, open and half-open over the whole run
    /// (warm-up included); `null` without a breaker.
    pub breaker_time_s: Option<BTreeMap<&'static str, f64>>,
}

fn ratio(num: f64, den: u64) -> Option<f64> {
    (den > 0).then(|| num / den as f64)
}

fn by_cause(counts: &[u64; Cause::COUNT], causes: &[Cause]) -> BTreeMap<&'static str, u64> {
    causes
        .iter()
        .map(|c| (c.name(), counts[*c as usize]))
        .collect()
}

const LOCAL_REJECTIONS: [Cause; 6] = [
    Cause::BreakerOpen,
    Cause::BulkheadFull,
    Cause::PoolTimeout,
    Cause::Shed,
    Cause::RateLimited,
    Cause::Throttled,
];

fn service_summary(t: &ServiceCounters, measured_ns: f64) -> ServiceSummary {
    let q = |p: f64| t.latency.quantile(p).map(|v| v as f64 / 1e9);
    let ok = t.completed + t.degraded;
    ServiceSummary {
        arrivals: t.arrivals,
        completed: t.completed,
        degraded: t.degraded,
        failed: t.failed(),
        rejected: t.errors[Cause::Rejected as usize],
        timed_out: t.errors[Cause::Timeout as usize],
        errors: by_cause(&t.errors, &Cause::ALL),
        mean_queue_wait_s: ratio(t.queue_wait_ns as f64 / 1e9, t.started),
        prob_wait: ratio(t.waited as f64, t.started),
        mean_response_s: ratio(t.response_ns as f64 / 1e9, ok),
        p50_s: q(0.50),
        p95_s: q(0.95),
        p99_s: q(0.99),
        utilization: if t.capacity_area > 0 {
            t.busy_area as f64 / t.capacity_area as f64
        } else {
            0.0
        },
        max_queue_depth: t.max_queue,
        mean_in_system: t.in_system_area as f64 / measured_ns,
        mean_sojourn_s: ratio(t.sojourn_ns as f64 / 1e9, t.departed),
        wasted_work_s: t.wasted_ns as f64 / 1e9,
        memory_peak_bytes: t.memory_max,
        crashes: t.crashes,
        restarts: t.restarts,
    }
}

fn edge_summary(t: &EdgeCounters, breaker_time: Option<[u64; 3]>) -> EdgeSummary {
    let ended = t.ok + t.degraded + t.failed();
    EdgeSummary {
        calls: t.calls,
        attempts: t.attempts,
        retries: t.retries,
        retry_amplification: ratio(t.attempts as f64, t.calls),
        ok: t.ok,
        degraded: t.degraded,
        failed: t.failed(),
        failures: by_cause(&t.failures, &Cause::ALL),
        rejections: by_cause(&t.attempt_failures, &LOCAL_REJECTIONS),
        timeouts: t.attempt_failures[Cause::Timeout as usize],
        pool_timeouts: t.attempt_failures[Cause::PoolTimeout as usize],
        mean_pool_wait_s: ratio(
            t.pool_wait_ns as f64 / 1e9,
            t.pool_acquired + t.attempt_failures[Cause::PoolTimeout as usize],
        ),
        mean_call_s: ratio(t.call_ns as f64 / 1e9, ended),
        pool_in_use_max: t.pool_in_use_max,
        pool_waiters_max: t.pool_waiters_max,
        bulkhead_in_use_max: t.bulkhead_in_use_max,
        breaker_transitions: t.breaker_transitions,
        breaker_time_s: breaker_time.map(|[closed, open, half_open]| {
            [("closed", closed), ("half_open", half_open), ("open", open)]
                .into_iter()
                .map(|(k, v)| (k, v as f64 / 1e9))
                .collect()
        }),
        retries_refused_by_budget: t.budget_exhausted,
        ejections: t.ejections,
    }
}

pub fn summarize(scenario: &Scenario, result: &RunResult) -> Summary {
    let model = &scenario.model;
    let rec = &result.recorder;
    let measured_ns = result.end_time.saturating_sub(scenario.warmup).max(1) as f64;
    let services = model
        .services
        .iter()
        .enumerate()
        .map(|(s, svc)| {
            (
                svc.name.clone(),
                service_summary(&rec.totals[s], measured_ns),
            )
        })
        .collect();
    let edges = model
        .edges
        .iter()
        .enumerate()
        .map(|(e, edge)| {
            (
                edge.name.clone(),
                edge_summary(
                    &rec.edge_totals[e],
                    result.breaker_time.get(e).copied().flatten(),
                ),
            )
        })
        .collect();
    Summary {
        scenario: scenario.name.clone(),
        seed: scenario.seed,
        model_hash: format!("{:016x}", model.hash),
        events: result.events,
        simulated_seconds: result.end_time as f64 / 1e9,
        measured_seconds: measured_ns / 1e9,
        partial: result.partial.clone(),
        in_flight_at_end: result.in_flight_at_end,
        entry: super::verdict::entry(scenario, result),
        outage: super::verdict::outage(scenario, result),
        metastability: super::verdict::metastability(scenario, result),
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
