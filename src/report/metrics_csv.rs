//! `metrics.csv`: one row per (window, service), in window then service order.

use crate::engine::RunResult;
use crate::outcome::Cause;
use crate::scenario::{clock_label, Scenario};
use std::fmt::Write;

fn secs(v: Option<u64>) -> String {
    v.map_or(String::new(), |ns| format!("{:.6}", ns as f64 / 1e9))
}

pub fn metrics_csv(scenario: &Scenario, result: &RunResult) -> String {
    let mut out = String::from("clock,t_s,window_s,service,arrivals,completed");
    for c in Cause::ALL {
        write!(out, ",{}", c.name()).unwrap();
    }
    out.push_str(
        ",mean_response_s,p50_s,p95_s,p99_s,utilization,queue_max,queue_end,in_flight_end\n",
    );
    for row in &result.recorder.rows {
        let name = &scenario.model.services[row.service as usize].name;
        write!(
            out,
            "{},{:.3},{:.3},{},{},{}",
            clock_label(scenario.start_clock_s, row.window_start),
            row.window_start as f64 / 1e9,
            (row.window_end - row.window_start) as f64 / 1e9,
            name,
            row.arrivals,
            row.completed
        )
        .unwrap();
        for e in row.errors {
            write!(out, ",{e}").unwrap();
        }
        writeln!(
            out,
            ",{},{},{},{},{:.4},{},{},{}",
            row.mean_response_s
                .map_or(String::new(), |v| format!("{v:.6}")),
            secs(row.p50),
            secs(row.p95),
            secs(row.p99),
            row.utilization,
            row.queue_max,
            row.queue_end,
            row.in_flight_end
        )
        .unwrap();
    }
    out
}
