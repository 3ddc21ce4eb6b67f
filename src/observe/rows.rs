//! Rows of `metrics.csv` (per window and service) and `edges.csv` (per window and edge).

use super::counters::{EdgeCounters, ServiceCounters};
use crate::outcome::Cause;

#[derive(Clone)]
pub struct ServiceRow {
    pub window_start: u64,
    pub window_end: u64,
    pub service: u32,
    pub arrivals: u64,
    pub completed: u64,
    pub degraded: u64,
    pub errors: [u64; Cause::COUNT],
    pub p50: Option<u64>,
    pub p95: Option<u64>,
    pub p99: Option<u64>,
    pub mean_response_s: Option<f64>,
    /// Mean busy workers / capacity over the window.
    pub utilization: f64,
    pub queue_max: u64,
    pub queue_end: u64,
    pub in_flight_end: u64,
    pub memory_max: u64,
    pub crashes: u64,
    pub replicas_up: u32,
    pub wasted_s: f64,
}

impl ServiceRow {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        start: u64,
        end: u64,
        service: u32,
        w: &ServiceCounters,
        queued: u64,
        in_system: u64,
        replicas_up: u32,
    ) -> Self {
        let [p50, p95, p99] = w.latency.quantiles([0.50, 0.95, 0.99]);
        let ok = w.completed + w.degraded;
        ServiceRow {
            window_start: start,
            window_end: end,
            service,
            arrivals: w.arrivals,
            completed: w.completed,
            degraded: w.degraded,
            errors: w.errors,
            p50,
            p95,
            p99,
            mean_response_s: (ok > 0).then(|| w.response_ns as f64 / ok as f64 / 1e9),
            utilization: if w.capacity_area > 0 {
                w.busy_area as f64 / w.capacity_area as f64
            } else {
                0.0
            },
            queue_max: w.max_queue.max(queued),
            queue_end: queued,
            in_flight_end: in_system,
            memory_max: w.memory_max,
            crashes: w.crashes,
            replicas_up,
            wasted_s: w.wasted_ns as f64 / 1e9,
        }
    }

    pub fn failed(&self) -> u64 {
        self.errors.iter().sum()
    }
}

#[derive(Clone)]
pub struct EdgeRow {
    pub window_start: u64,
    pub window_end: u64,
    pub edge: u32,
    pub counters: EdgeCounters,
}

impl EdgeRow {
    pub fn new(start: u64, end: u64, edge: u32, w: &EdgeCounters) -> Self {
        EdgeRow {
            window_start: start,
            window_end: end,
            edge,
            counters: *w,
        }
    }
}
