//! `metrics.csv` (one row per window and service) and `edges.csv` (one row per window
//! and edge), in window order, then model order.

use crate::engine::RunResult;
use crate::outcome::Cause;
use crate::scenario::{clock_label, Scenario};
use std::fmt::Write;

fn secs(v: Option<u64>) -> String {
    v.map_or(String::new(), |ns| format!("{:.6}", ns as f64 / 1e9))
}

fn window_prefix(out: &mut String, scenario: &Scenario, start: u64, end: u64, name: &str) {
    write!(
        out,
        "{},{:.3},{:.3},{}",
        clock_label(scenario.start_clock_s, start),
        start as f64 / 1e9,
        (end - start) as f64 / 1e9,
        name
    )
    .unwrap();
}

pub fn metrics_csv(scenario: &Scenario, result: &RunResult) -> String {
    let mut out = String::from("clock,t_s,window_s,service,arrivals,completed,degraded");
    for c in Cause::ALL {
        write!(out, ",{}", c.name()).unwrap();
    }
    out.push_str(",mean_response_s,p50_s,p95_s,p99_s,utilization,queue_max,queue_end,in_flight_end,memory_max_bytes,memory_limit_bytes,crashes,replicas_up,wasted_work_s\n");
    for row in &result.recorder.rows {
        let svc = &scenario.model.services[row.service as usize];
        window_prefix(
            &mut out,
            scenario,
            row.window_start,
            row.window_end,
            &svc.name,
        );
        write!(out, ",{},{},{}", row.arrivals, row.completed, row.degraded).unwrap();
        for e in row.errors {
            write!(out, ",{e}").unwrap();
        }
        writeln!(
            out,
            ",{},{},{},{},{:.4},{},{},{},{},{},{},{},{:.3}",
            row.mean_response_s
                .map_or(String::new(), |v| format!("{v:.6}")),
            secs(row.p50),
            secs(row.p95),
            secs(row.p99),
            row.utilization,
            row.queue_max,
            row.queue_end,
            row.in_flight_end,
            row.memory_max,
            svc.memory.map_or(String::new(), |m| m.limit.to_string()),
            row.crashes,
            row.replicas_up,
            row.wasted_s
        )
        .unwrap();
    }
    out
}

const BREAKER_STATES: [&str; 4] = ["none", "closed", "open", "half_open"];

pub fn edges_csv(scenario: &Scenario, result: &RunResult) -> String {
    let mut out =
        String::from("clock,t_s,window_s,edge,calls,attempts,retries,ok,degraded,failures");
    for c in Cause::ALL {
        write!(out, ",{}", c.name()).unwrap();
    }
    out.push_str(",timeouts,mean_call_s,pool_size,pool_in_use_max,pool_waiters_max,bulkhead_in_use_max,breaker_state,breaker_transitions\n");
    for row in &result.recorder.edge_rows {
        let edge = &scenario.model.edges[row.edge as usize];
        let c = &row.counters;
        window_prefix(
            &mut out,
            scenario,
            row.window_start,
            row.window_end,
            &edge.name,
        );
        write!(
            out,
            ",{},{},{},{},{},{}",
            c.calls,
            c.attempts,
            c.retries,
            c.ok,
            c.degraded,
            c.failed()
        )
        .unwrap();
        for n in c.failures {
            write!(out, ",{n}").unwrap();
        }
        let ended = c.ok + c.degraded + c.failed();
        writeln!(
            out,
            ",{},{},{},{},{},{},{},{}",
            c.attempt_failures[Cause::Timeout as usize],
            if ended > 0 {
                format!("{:.6}", c.call_ns as f64 / ended as f64 / 1e9)
            } else {
                String::new()
            },
            edge.pool.map_or(String::new(), |p| p.size.to_string()),
            c.pool_in_use_max,
            c.pool_waiters_max,
            c.bulkhead_in_use_max,
            BREAKER_STATES[c.breaker_state as usize],
            c.breaker_transitions
        )
        .unwrap();
    }
    out
}
